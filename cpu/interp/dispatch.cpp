// Instantiates every form's semantic handler for the interpreter (see dispatch.h): the
// plain ones, their threaded versions, and for the hot semantics one threaded version
// per operand shape the form allows (cpu/interp/shaped_cpu.h).
#include "cpu/interp/dispatch.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "cpu/cpu.h"
#include "cpu/interp/shaped_cpu.h"
#include "cpu/sem/all.h"

namespace emu::interp {

using namespace isa;  // the attribute names of opcodes.def

namespace {

// Every form's handler instantiated with the plain interpreter emitter (a constant
// table: its entries key the shaped instantiations below).
constexpr Handler kCpuSemantics[] = {
#define X(map, opc, pfx, reg, mod, rm, mn, ops, fr, fw, fu, attrs, h) &sem::sem_##h<Cpu>,
#include "cpu/isa/opcodes.def"
#undef X
};
static_assert(std::size(kCpuSemantics) == kNumForms);

// The semantics instantiated per operand shape: those of the frequent integer forms,
// written with read_operand/write_operand and the other members ShapedCpu offers.
template <Handler H>
struct ShapedSemantics {
  static constexpr bool kShaped = false;
};
// CC: the semantics evaluates the form's condition (its low opcode bits, a constant of
// the instantiation).
#define SHAPED_AS(h, cc_from_opcode)                                         \
  template <>                                                                \
  struct ShapedSemantics<&sem::sem_##h<Cpu>> {                               \
    static constexpr bool kShaped = true;                                    \
    static constexpr bool kCondition = cc_from_opcode;                       \
    template <ShapeKey S, unsigned Cc>                                       \
    [[gnu::always_inline]] static void exec(Cpu& c, const DecodedInsn& d) { \
      ShapedCpu<S, Cc> e(c);                                                 \
      sem::sem_##h(e, d);                                                    \
    }                                                                        \
  };
#define SHAPED(h) SHAPED_AS(h, false)
#define SHAPED_CC(h) SHAPED_AS(h, true)
SHAPED(add) SHAPED(or) SHAPED(adc) SHAPED(sbb) SHAPED(and) SHAPED(sub) SHAPED(xor) SHAPED(cmp)
SHAPED(test) SHAPED(inc) SHAPED(dec) SHAPED(neg) SHAPED(not)
SHAPED(mov) SHAPED(movzx) SHAPED(movsx) SHAPED(lea) SHAPED(xchg) SHAPED(push) SHAPED(pop)
SHAPED(shl) SHAPED(shr) SHAPED(sar) SHAPED(rol) SHAPED(ror)
SHAPED(imul2) SHAPED(imul3) SHAPED(call) SHAPED(jmp) SHAPED(ret) SHAPED_CC(cmov) SHAPED_CC(setcc) SHAPED_CC(jcc)
#undef SHAPED_CC
#undef SHAPED
#undef SHAPED_AS

// The operand shapes a form can decode to with 32- or 64-bit operands (16-bit operand
// sizes, AH..BH and other operand kinds keep the generic handler). Mirrors the decoder's
// sizing: an immediate after the first operand takes that operand's size.
struct ShapeList {
  static constexpr unsigned kMax = 4;
  ShapeKey shape[kMax] = {};
  unsigned count = 0;
};
constexpr int spec_bytes(OpSize s, unsigned osz) {
  switch (s) {
    case OpSize::b: return 1;
    case OpSize::w: return 2;
    case OpSize::d: return 4;
    case OpSize::q: return 8;
    case OpSize::v: case OpSize::y: return static_cast<int>(osz);
    case OpSize::z: return 4;
    default: return -1;  // not a shape size
  }
}
constexpr ShapeList candidate_shapes(const Form& f) {
  ShapeList out;
  if (f.num_ops > 3) return out;
  if (f.num_ops == 0) {
    out.shape[out.count++] = 0;
    return out;
  }
  for (unsigned osz : {4u, 8u}) {
    for (unsigned e_mem = 0; e_mem < 2; ++e_mem) {  // an E operand as register, then memory
      unsigned ops[3] = {0, 0, 0};
      bool ok = true, has_e = false;
      int dst = 0;
      for (unsigned k = 0; k < f.num_ops && ok; ++k) {
        const OperandSpec& s = f.ops[k];
        int bytes = spec_bytes(s.size, osz);
        unsigned kind = kShapeNone;
        switch (s.kind) {
          case OpKind::E: kind = e_mem ? kShapeMem : kShapeReg; has_e = true; break;
          case OpKind::M:
            kind = kShapeMem;
            if (s.size == OpSize::None) bytes = 1;  // LEA: shaped as shape_of() does
            break;
          case OpKind::G: case OpKind::R: case OpKind::Z: case OpKind::FixedReg: kind = kShapeReg; break;
          case OpKind::I:
            kind = kShapeImm;
            if (k > 0 && dst > 0) bytes = dst;
            break;
          case OpKind::One: kind = kShapeImm; bytes = 1; break;
          case OpKind::J: kind = kShapeImm; bytes = s.size == OpSize::b ? 1 : 4; break;
          default: ok = false; break;
        }
        if (bytes < 0) ok = false;
        if (k == 0) dst = bytes;
        if (ok) ops[k] = shape_operand(kind, static_cast<unsigned>(bytes));
      }
      if (!ok || (e_mem && !has_e)) continue;
      const ShapeKey key = make_shape(ops[0], ops[1], ops[2]);
      bool seen = false;
      for (unsigned j = 0; j < out.count; ++j) seen |= out.shape[j] == key;
      if (!seen && out.count < ShapeList::kMax) out.shape[out.count++] = key;
    }
  }
  return out;
}

}  // namespace

struct ThreadedDispatch {
  // Runs the instruction (Exec::exec), counts it retired and, unless the block must
  // stop, jumps straight to the next instruction's threaded handler. The budget is
  // charged by the caller (Cpu::run_block_insns), which cuts the block short for it.
  template <class Exec>
  [[gnu::flatten]] static void run(Cpu& c, const isa::DecodedInsn& d) {
    const BlockInsn* bi = reinterpret_cast<const BlockInsn*>(reinterpret_cast<const char*>(&d) - offsetof(BlockInsn, d));
    Exec::exec(c, d);
    ++c.retired_total_;
    const BlockInsn* next = bi + 1;
    // The end, the budget's end, or end_block() (block_end_ null): stop.
    if (reinterpret_cast<uintptr_t>(next) >= reinterpret_cast<uintptr_t>(c.block_end_)) return;
    next->threaded(c, next->d);  // a sibling call: blocks have at most 64 insns
  }
};

namespace {

template <Handler H>
struct PlainExec {
  [[gnu::always_inline]] static void exec(Cpu& c, const DecodedInsn& d) { H(c, d); }
};
template <Handler H, ShapeKey S, unsigned Cc>
struct ShapedExec {
  [[gnu::always_inline]] static void exec(Cpu& c, const DecodedInsn& d) { ShapedSemantics<H>::template exec<S, Cc>(c, d); }
};

struct ShapedRow {
  ShapeList shapes;
  Handler fn[ShapeList::kMax] = {};
};

template <size_t F, size_t... J>
constexpr ShapedRow shaped_row(std::index_sequence<J...>) {
  constexpr Handler H = kCpuSemantics[F];
  ShapedRow row;
  if constexpr (ShapedSemantics<H>::kShaped) {
    constexpr ShapeList shapes = candidate_shapes(kForms[F]);
    constexpr unsigned cc = ShapedSemantics<H>::kCondition ? kForms[F].opcode & 15 : kNoCc;
    row.shapes = shapes;
    ((row.fn[J] = J < shapes.count ? &ThreadedDispatch::run<ShapedExec<H, shapes.shape[J], cc>> : nullptr), ...);
  }
  return row;
}
template <size_t... F>
constexpr std::array<ShapedRow, sizeof...(F)> shaped_rows(std::index_sequence<F...>) {
  return {shaped_row<F>(std::make_index_sequence<ShapeList::kMax>())...};
}
constexpr std::array<ShapedRow, kNumForms> kShaped = shaped_rows(std::make_index_sequence<kNumForms>());

template <size_t... F>
constexpr std::array<Handler, sizeof...(F)> threaded_table(std::index_sequence<F...>) {
  return {&ThreadedDispatch::run<PlainExec<kCpuSemantics[F]>>...};
}
constexpr std::array<Handler, kNumForms> kThreaded = threaded_table(std::make_index_sequence<kNumForms>());

}  // namespace

const Handler kDispatch[isa::kNumForms] = {
#define X(map, opc, pfx, reg, mod, rm, mn, ops, fr, fw, fu, attrs, h) &sem::sem_##h<Cpu>,
#include "cpu/isa/opcodes.def"
#undef X
};

const Handler kPrivilegedHandler = &sem::sem_privileged_gp<Cpu>;

Handler threaded_handler(const isa::DecodedInsn& d, bool privileged_gp) {
  if (privileged_gp) return &ThreadedDispatch::run<PlainExec<&sem::sem_privileged_gp<Cpu>>>;
  const ShapedRow& row = kShaped[d.form];
  ShapeKey key;
  if (row.shapes.count && shape_of(d, &key)) {
    for (unsigned j = 0; j < row.shapes.count; ++j)
      if (row.shapes.shape[j] == key) return row.fn[j];
  }
  return kThreaded[d.form];
}

}  // namespace emu::interp
