// The inline-translation table (see x86_64_fast_forms.h), generated from the opcode
// table: a form gets an entry when its handler belongs to an emitter-generic family
// (general-purpose forms, and SSE2 forms over the emitter's 128-bit values).
#include "cpu/jit/x86_64/x86_64_fast_forms.h"

#include <string_view>

// The generated lambdas name every handler (only the generic ones are instantiated).
#include "cpu/sem/all.h"

namespace emu::jit::x64 {

namespace {

// Handlers whose templates are written over E::Value (cpu/sem/alu.h, data.h, bits.h,
// control.h, shift.h, muldiv.h); a template may still give up on some operands (the
// handler runs then).
constexpr bool is_generic_handler(std::string_view h) {
  for (std::string_view g : {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp", "test", "inc", "dec", "neg", "not",
                             "mov", "movzx", "movsx", "lea", "jcc", "setcc", "cmov", "push", "pop", "call", "ret", "jmp",
                             "shl", "shr", "sar", "rol", "ror", "nop", "xchg", "xadd", "cbw", "cwd", "leave",
                             "imul2", "imul3", "mul", "imul1", "div", "idiv",
                             "cmpxchg", "bt", "bts", "btr", "btc", "bswap", "bsf", "bsr"})
    if (h == g) return true;
  return false;
}

// SSE2 forms whose XMM templates are written over the emitter's 128-bit values
// (cpu/sem/sse.h): their run-time checks share one fallback to the handler per
// instruction (sse_form_begin/end).
constexpr bool is_sse_handler(std::string_view h) {
  for (std::string_view g : {"movdqu", "movdqa", "movnt", "movd_to_xmm", "movd_from_xmm", "movq_load", "movq_store",
                             "pmovmskb", "pxor", "por", "pand", "pandn", "pcmpeqb", "pcmpeqw", "pcmpeqd", "pcmpgtb",
                             "pcmpgtw", "pcmpgtd", "pminub", "pmaxub", "paddb", "paddw", "paddd", "paddq", "psubb",
                             "psubw", "psubd", "psubq", "punpcklbw", "punpcklwd", "punpckldq", "punpcklqdq",
                             "punpckhbw", "punpckhwd", "punpckhdq", "punpckhqdq", "pshufd", "pshufhw", "pshuflw",
                             "unpcklps", "unpcklpd", "unpckhps", "unpckhpd", "paddsb", "paddsw", "psubsb", "psubsw",
                             "paddusb", "paddusw", "psubusb", "psubusw", "pmullw", "pmulhw", "pmulhuw", "pmuludq",
                             "pmaddwd", "psadbw", "pavgb", "pavgw", "pminsw", "pmaxsw", "packsswb", "packssdw",
                             "packuswb", "sse_shift_imm", "pshufb", "palignr"})
    if (h == g) return true;
  return false;
}

enum class Kind { Handler, Generic, Sse };
constexpr Kind kind_of(std::string_view h) {
  return is_generic_handler(h) ? Kind::Generic : is_sse_handler(h) ? Kind::Sse : Kind::Handler;
}

template <Kind K, class Sem>
constexpr FastEmitFn fast_entry(Sem) {
  if constexpr (K == Kind::Generic) {
    return [](Emitter& e, const isa::DecodedInsn& d) { Sem{}(e, d); };
  } else if constexpr (K == Kind::Sse) {
    return [](Emitter& e, const isa::DecodedInsn& d) {
      e.sse_form_begin(d);
      Sem{}(e, d);
      e.sse_form_end();
    };
  } else {
    return nullptr;
  }
}

}  // namespace

const FastEmitFn kFastEmit[isa::kNumForms] = {
#define X(map, opc, pfx, reg, mod, rm, mn, ops, fr, fw, fu, attrs, h) \
  fast_entry<kind_of(#h)>([](auto& e, const isa::DecodedInsn& d) { sem::sem_##h(e, d); }),
#include "cpu/isa/opcodes.def"
#undef X
};

}  // namespace emu::jit::x64
