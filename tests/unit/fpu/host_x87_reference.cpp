// HOST-SPECIFIC (x86-64 only): runs single SSE and x87 instructions on the host CPU so
// the soft-float library can be compared against real hardware. Each instruction runs
// inside one inline-asm block that loads MXCSR/FCW, executes, and captures MXCSR/FSW,
// so the compiler cannot move it across the control-register accesses. On other hosts
// this file provides stubs and available() returns false.
#include "host_reference.h"

#include <array>
#include <cstring>
#include <utility>

namespace hostref {
using emu::fpu::Float80;

#if defined(__x86_64__)

bool available() { return true; }
bool has_sse41() { return __builtin_cpu_supports("sse4.1"); }

namespace {

// One SSE instruction on xmm0 (first operand, destination) and xmm1 (second operand),
// with MXCSR swapped in and out around it.
#define SSE_RUN(load_a, load_b, insn, store_r, RT, AT, BT)                                                     \
  [](AT a_, BT b_, uint32_t& csr_) {                                                                          \
    RT r_;                                                                                                    \
    uint32_t saved_;                                                                                          \
    asm volatile("stmxcsr %[saved]\n\t"                                                                       \
                 load_a " %[a], %%xmm0\n\t" load_b " %[b], %%xmm1\n\t"                                         \
                 "ldmxcsr %[csr]\n\t" insn "\n\t"                                                              \
                 "stmxcsr %[csr]\n\t"                                                                         \
                 "ldmxcsr %[saved]\n\t" store_r                                                               \
                 : [r] "=&r"(r_), [csr] "+m"(csr_), [saved] "=m"(saved_)                                        \
                 : [a] "r"(a_), [b] "r"(b_)                                                                    \
                 : "xmm0", "xmm1", "cc");                                                                     \
    return r_;                                                                                                \
  }

#define F32_BIN(insn) SSE_RUN("movd", "movd", insn " %%xmm1, %%xmm0", "movd %%xmm0, %[r]", uint32_t, uint32_t, uint32_t)
#define F64_BIN(insn) SSE_RUN("movq", "movq", insn " %%xmm1, %%xmm0", "movq %%xmm0, %[r]", uint64_t, uint64_t, uint64_t)

template <unsigned Imm>
uint32_t round_ss(uint32_t a, uint32_t& csr) {
  uint32_t r;
  uint32_t saved;
  asm volatile("stmxcsr %[saved]\n\tmovd %[a], %%xmm0\n\tldmxcsr %[csr]\n\troundss %[imm], %%xmm0, %%xmm0\n\t"
               "stmxcsr %[csr]\n\tldmxcsr %[saved]\n\tmovd %%xmm0, %[r]"
               : [r] "=&r"(r), [csr] "+m"(csr), [saved] "=m"(saved)
               : [a] "r"(a), [imm] "i"(Imm)
               : "xmm0");
  return r;
}
template <unsigned Imm>
uint64_t round_sd(uint64_t a, uint32_t& csr) {
  uint64_t r;
  uint32_t saved;
  asm volatile("stmxcsr %[saved]\n\tmovq %[a], %%xmm0\n\tldmxcsr %[csr]\n\troundsd %[imm], %%xmm0, %%xmm0\n\t"
               "stmxcsr %[csr]\n\tldmxcsr %[saved]\n\tmovq %%xmm0, %[r]"
               : [r] "=&r"(r), [csr] "+m"(csr), [saved] "=m"(saved)
               : [a] "r"(a), [imm] "i"(Imm)
               : "xmm0");
  return r;
}
template <unsigned Imm>
uint32_t cmp_ss(uint32_t a, uint32_t b, uint32_t& csr) {
  uint32_t r;
  uint32_t saved;
  asm volatile("stmxcsr %[saved]\n\tmovd %[a], %%xmm0\n\tmovd %[b], %%xmm1\n\tldmxcsr %[csr]\n\t"
               "cmpss %[imm], %%xmm1, %%xmm0\n\tstmxcsr %[csr]\n\tldmxcsr %[saved]\n\tmovd %%xmm0, %[r]"
               : [r] "=&r"(r), [csr] "+m"(csr), [saved] "=m"(saved)
               : [a] "r"(a), [b] "r"(b), [imm] "i"(Imm)
               : "xmm0", "xmm1");
  return r;
}
template <unsigned Imm>
uint64_t cmp_sd(uint64_t a, uint64_t b, uint32_t& csr) {
  uint64_t r;
  uint32_t saved;
  asm volatile("stmxcsr %[saved]\n\tmovq %[a], %%xmm0\n\tmovq %[b], %%xmm1\n\tldmxcsr %[csr]\n\t"
               "cmpsd %[imm], %%xmm1, %%xmm0\n\tstmxcsr %[csr]\n\tldmxcsr %[saved]\n\tmovq %%xmm0, %[r]"
               : [r] "=&r"(r), [csr] "+m"(csr), [saved] "=m"(saved)
               : [a] "r"(a), [b] "r"(b), [imm] "i"(Imm)
               : "xmm0", "xmm1");
  return r;
}

template <class Fn, unsigned... I>
constexpr auto table(std::integer_sequence<unsigned, I...>, Fn make) {
  return std::array{make(std::integral_constant<unsigned, I>{})...};
}

}  // namespace

uint32_t sse_f32(SseOp op, uint32_t a, uint32_t b, uint32_t& csr) {
  switch (op) {
    case SseOp::Add: return F32_BIN("addss")(a, b, csr);
    case SseOp::Sub: return F32_BIN("subss")(a, b, csr);
    case SseOp::Mul: return F32_BIN("mulss")(a, b, csr);
    case SseOp::Div: return F32_BIN("divss")(a, b, csr);
    case SseOp::Min: return F32_BIN("minss")(a, b, csr);
    case SseOp::Max: return F32_BIN("maxss")(a, b, csr);
    case SseOp::Sqrt:
      return SSE_RUN("movd", "movd", "sqrtss %%xmm0, %%xmm0", "movd %%xmm0, %[r]", uint32_t, uint32_t, uint32_t)(a, b, csr);
    case SseOp::Rcp:
      return SSE_RUN("movd", "movd", "rcpss %%xmm0, %%xmm0", "movd %%xmm0, %[r]", uint32_t, uint32_t, uint32_t)(a, b, csr);
    case SseOp::Rsqrt:
      return SSE_RUN("movd", "movd", "rsqrtss %%xmm0, %%xmm0", "movd %%xmm0, %[r]", uint32_t, uint32_t, uint32_t)(a, b, csr);
  }
  return 0;
}

uint64_t sse_f64(SseOp op, uint64_t a, uint64_t b, uint32_t& csr) {
  switch (op) {
    case SseOp::Add: return F64_BIN("addsd")(a, b, csr);
    case SseOp::Sub: return F64_BIN("subsd")(a, b, csr);
    case SseOp::Mul: return F64_BIN("mulsd")(a, b, csr);
    case SseOp::Div: return F64_BIN("divsd")(a, b, csr);
    case SseOp::Min: return F64_BIN("minsd")(a, b, csr);
    case SseOp::Max: return F64_BIN("maxsd")(a, b, csr);
    case SseOp::Sqrt:
      return SSE_RUN("movq", "movq", "sqrtsd %%xmm0, %%xmm0", "movq %%xmm0, %[r]", uint64_t, uint64_t, uint64_t)(a, b, csr);
    case SseOp::Rcp:
    case SseOp::Rsqrt:
      break;  // single precision only
  }
  return 0;
}

bool has_fma() { return __builtin_cpu_supports("fma"); }

#define FMA_RUN(load, insn, store)                                                                                \
  uint64_t r;                                                                                                    \
  uint32_t saved;                                                                                                \
  asm volatile("stmxcsr %[saved]\n\t" load " %[a], %%xmm0\n\t" load " %[b], %%xmm1\n\t" load " %[c], %%xmm2\n\t" \
               "ldmxcsr %[csr]\n\t" insn " %%xmm2, %%xmm1, %%xmm0\n\tstmxcsr %[csr]\n\tldmxcsr %[saved]\n\t" store    \
               " %%xmm0, %[r]"                                                                                   \
               : [r] "=&r"(r), [csr] "+m"(csr), [saved] "=m"(saved)                                              \
               : [a] "r"(a), [b] "r"(b), [c] "r"(c)                                                              \
               : "xmm0", "xmm1", "xmm2")

uint32_t fma_f32(uint32_t a32, uint32_t b32, uint32_t c32, uint32_t& csr) {
  const uint64_t a = a32, b = b32, c = c32;
  FMA_RUN("movq", "vfmadd213ss", "movq");
  return static_cast<uint32_t>(r);
}
uint64_t fma_f64(uint64_t a, uint64_t b, uint64_t c, uint32_t& csr) {
  FMA_RUN("movq", "vfmadd213sd", "movq");
  return r;
}

uint64_t sse_cvtss2sd(uint32_t a, uint32_t& csr) {
  return SSE_RUN("movd", "movd", "cvtss2sd %%xmm0, %%xmm0", "movq %%xmm0, %[r]", uint64_t, uint32_t, uint32_t)(a, 0, csr);
}
uint32_t sse_cvtsd2ss(uint64_t a, uint32_t& csr) {
  return SSE_RUN("movq", "movq", "cvtsd2ss %%xmm0, %%xmm0", "movd %%xmm0, %[r]", uint32_t, uint64_t, uint64_t)(a, 0, csr);
}

int64_t sse_f32_to_int(uint32_t a, int width, bool truncate, uint32_t& csr) {
  uint64_t r;
  if (width == 32) {
    r = truncate ? SSE_RUN("movd", "movd", "cvttss2si %%xmm0, %k[r]", "", uint64_t, uint32_t, uint32_t)(a, 0, csr)
                 : SSE_RUN("movd", "movd", "cvtss2si %%xmm0, %k[r]", "", uint64_t, uint32_t, uint32_t)(a, 0, csr);
    return static_cast<int32_t>(static_cast<uint32_t>(r));
  }
  r = truncate ? SSE_RUN("movd", "movd", "cvttss2si %%xmm0, %q[r]", "", uint64_t, uint32_t, uint32_t)(a, 0, csr)
               : SSE_RUN("movd", "movd", "cvtss2si %%xmm0, %q[r]", "", uint64_t, uint32_t, uint32_t)(a, 0, csr);
  return static_cast<int64_t>(r);
}

int64_t sse_f64_to_int(uint64_t a, int width, bool truncate, uint32_t& csr) {
  uint64_t r;
  if (width == 32) {
    r = truncate ? SSE_RUN("movq", "movq", "cvttsd2si %%xmm0, %k[r]", "", uint64_t, uint64_t, uint64_t)(a, 0, csr)
                 : SSE_RUN("movq", "movq", "cvtsd2si %%xmm0, %k[r]", "", uint64_t, uint64_t, uint64_t)(a, 0, csr);
    return static_cast<int32_t>(static_cast<uint32_t>(r));
  }
  r = truncate ? SSE_RUN("movq", "movq", "cvttsd2si %%xmm0, %q[r]", "", uint64_t, uint64_t, uint64_t)(a, 0, csr)
               : SSE_RUN("movq", "movq", "cvtsd2si %%xmm0, %q[r]", "", uint64_t, uint64_t, uint64_t)(a, 0, csr);
  return static_cast<int64_t>(r);
}

uint32_t sse_int_to_f32(int64_t v, int width, uint32_t& csr) {
  const uint64_t u = static_cast<uint64_t>(v);
  if (width == 32)
    return SSE_RUN("movq", "movq", "cvtsi2ssl %k[a], %%xmm0", "movd %%xmm0, %[r]", uint32_t, uint64_t, uint64_t)(u, 0, csr);
  return SSE_RUN("movq", "movq", "cvtsi2ssq %q[a], %%xmm0", "movd %%xmm0, %[r]", uint32_t, uint64_t, uint64_t)(u, 0, csr);
}
uint64_t sse_int_to_f64(int64_t v, int width, uint32_t& csr) {
  const uint64_t u = static_cast<uint64_t>(v);
  if (width == 32)
    return SSE_RUN("movq", "movq", "cvtsi2sdl %k[a], %%xmm0", "movq %%xmm0, %[r]", uint64_t, uint64_t, uint64_t)(u, 0, csr);
  return SSE_RUN("movq", "movq", "cvtsi2sdq %q[a], %%xmm0", "movq %%xmm0, %[r]", uint64_t, uint64_t, uint64_t)(u, 0, csr);
}

uint32_t sse_round_f32(uint32_t a, unsigned imm, uint32_t& csr) {
  static constexpr auto fns = table(std::make_integer_sequence<unsigned, 16>{}, [](auto i) { return &round_ss<decltype(i)::value>; });
  return fns[imm & 15](a, csr);
}
uint64_t sse_round_f64(uint64_t a, unsigned imm, uint32_t& csr) {
  static constexpr auto fns = table(std::make_integer_sequence<unsigned, 16>{}, [](auto i) { return &round_sd<decltype(i)::value>; });
  return fns[imm & 15](a, csr);
}
bool sse_cmp_f32(uint32_t a, uint32_t b, unsigned imm, uint32_t& csr) {
  static constexpr auto fns = table(std::make_integer_sequence<unsigned, 8>{}, [](auto i) { return &cmp_ss<decltype(i)::value>; });
  return fns[imm & 7](a, b, csr) != 0;
}
bool sse_cmp_f64(uint64_t a, uint64_t b, unsigned imm, uint32_t& csr) {
  static constexpr auto fns = table(std::make_integer_sequence<unsigned, 8>{}, [](auto i) { return &cmp_sd<decltype(i)::value>; });
  return fns[imm & 7](a, b, csr) != 0;
}

// ZF=0x40, PF=0x04, CF=0x01 packed from SETcc results.
#define COMI_RUN(load, insn)                                                                                   \
  [](uint64_t a_, uint64_t b_, uint32_t& csr_) {                                                               \
    uint8_t z_, p_, c_;                                                                                        \
    uint32_t saved_;                                                                                          \
    asm volatile("stmxcsr %[saved]\n\t" load " %[a], %%xmm0\n\t" load " %[b], %%xmm1\n\t"                      \
                 "ldmxcsr %[csr]\n\t" insn " %%xmm1, %%xmm0\n\t"                                                \
                 "setz %[z]\n\tsetp %[p]\n\tsetc %[c]\n\t"                                                    \
                 "stmxcsr %[csr]\n\tldmxcsr %[saved]"                                                         \
                 : [z] "=&r"(z_), [p] "=&r"(p_), [c] "=&r"(c_), [csr] "+m"(csr_), [saved] "=m"(saved_)         \
                 : [a] "r"(a_), [b] "r"(b_)                                                                    \
                 : "xmm0", "xmm1", "cc");                                                                     \
    return (z_ ? 0x40u : 0u) | (p_ ? 0x04u : 0u) | (c_ ? 0x01u : 0u);                                          \
  }

unsigned sse_comi_f32(uint32_t a, uint32_t b, bool signaling, uint32_t& csr) {
  return signaling ? COMI_RUN("movq", "comiss")(a, b, csr) : COMI_RUN("movq", "ucomiss")(a, b, csr);
}
unsigned sse_comi_f64(uint64_t a, uint64_t b, bool signaling, uint32_t& csr) {
  return signaling ? COMI_RUN("movq", "comisd")(a, b, csr) : COMI_RUN("movq", "ucomisd")(a, b, csr);
}

namespace {
struct X87Mem {
  unsigned char a[10];
  unsigned char b[10];
  unsigned char r0[10];
  unsigned char r1[10];
  unsigned char m[10];
  uint16_t sw;
  uint16_t cw;
};

// Loads ST1 = b, ST0 = a (or `load` for the m32/m64 loads), runs `insn`, captures FSW,
// clears the exceptions so no later instruction traps, stores ST0 and ST1, resets.
#define X87_RUN(load, insn)                                                                        \
  asm volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\t" load "\n\t" insn "\n\t"                   \
               "fnstsw %[sw]\n\tfnclex\n\tfstpt %[r0]\n\tfstpt %[r1]\n\tfninit"                   \
               : [r0] "=m"(x.r0), [r1] "=m"(x.r1), [sw] "=m"(x.sw), [m] "+m"(x.m)                  \
               : [a] "m"(x.a), [b] "m"(x.b), [cw] "m"(x.cw)                                        \
               : "memory", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)")
#define X87_OP(insn) X87_RUN("fldt %[a]", insn)
}  // namespace

X87Out x87(X87Op op, Float80 a, Float80 b, uint16_t fcw) {
  X87Mem x{};
  std::memcpy(x.a, &a.signif, 8);
  std::memcpy(x.a + 8, &a.sign_exp, 2);
  std::memcpy(x.b, &b.signif, 8);
  std::memcpy(x.b + 8, &b.sign_exp, 2);
  std::memset(x.m, 0xA5, sizeof x.m);
  x.cw = fcw;
  switch (op) {
    case X87Op::Add: X87_OP("fadd %%st(1), %%st"); break;
    case X87Op::Sub: X87_OP("fsub %%st(1), %%st"); break;
    case X87Op::Mul: X87_OP("fmul %%st(1), %%st"); break;
    case X87Op::Div: X87_OP("fdiv %%st(1), %%st"); break;
    case X87Op::Sqrt: X87_OP("fsqrt"); break;
    case X87Op::Rndint: X87_OP("frndint"); break;
    case X87Op::Sin: X87_OP("fsin"); break;
    case X87Op::Cos: X87_OP("fcos"); break;
    case X87Op::Tan: X87_OP("fptan"); break;
    case X87Op::SinCos: X87_OP("fsincos"); break;
    case X87Op::F2xm1: X87_OP("f2xm1"); break;
    case X87Op::Xtract: X87_OP("fxtract"); break;
    case X87Op::Atan: X87_OP("fpatan"); break;
    case X87Op::Yl2x: X87_OP("fyl2x"); break;
    case X87Op::Yl2xp1: X87_OP("fyl2xp1"); break;
    case X87Op::Scale: X87_OP("fscale"); break;
    case X87Op::Prem: X87_OP("fprem"); break;
    case X87Op::Prem1: X87_OP("fprem1"); break;
    case X87Op::Com: X87_OP("fcom %%st(1)"); break;
    case X87Op::Ucom: X87_OP("fucom %%st(1)"); break;
    case X87Op::Xam: X87_OP("fxam"); break;
    case X87Op::StoreF32: X87_OP("fsts %[m]"); break;
    case X87Op::StoreF64: X87_OP("fstl %[m]"); break;
    case X87Op::StoreI16: X87_OP("fists %[m]"); break;
    case X87Op::StoreI32: X87_OP("fistl %[m]"); break;
    case X87Op::StoreI64: X87_OP("fistpll %[m]"); break;
    case X87Op::StoreTruncI64: X87_OP("fisttpll %[m]"); break;
    case X87Op::StoreBcd: X87_OP("fbstp %[m]"); break;
    case X87Op::LoadF32: X87_RUN("flds %[a]", ""); break;
    case X87Op::LoadF64: X87_RUN("fldl %[a]", ""); break;
    case X87Op::AddM32: X87_OP("fadds %[b]"); break;
    case X87Op::DivM64: X87_OP("fdivl %[b]"); break;
    case X87Op::SubRM32: X87_OP("fsubrs %[b]"); break;
    case X87Op::MulM64: X87_OP("fmull %[b]"); break;
    case X87Op::ComM32: X87_OP("fcoms %[b]"); break;
    case X87Op::ComM64: X87_OP("fcoml %[b]"); break;
    case X87Op::LdL2T: X87_OP("fldl2t"); break;
    case X87Op::LdL2E: X87_OP("fldl2e"); break;
    case X87Op::LdPi: X87_OP("fldpi"); break;
    case X87Op::LdLG2: X87_OP("fldlg2"); break;
    case X87Op::LdLN2: X87_OP("fldln2"); break;
  }
  X87Out out;
  std::memcpy(&out.st0.signif, x.r0, 8);
  std::memcpy(&out.st0.sign_exp, x.r0 + 8, 2);
  std::memcpy(&out.st1.signif, x.r1, 8);
  std::memcpy(&out.st1.sign_exp, x.r1 + 8, 2);
  std::memcpy(&out.memory, x.m, 8);
  std::memcpy(&out.memory_hi, x.m + 8, 2);
  out.fsw = x.sw;
  return out;
}

#else  // not an x86-64 host

bool available() { return false; }
bool has_sse41() { return false; }
bool has_fma() { return false; }
uint32_t fma_f32(uint32_t, uint32_t, uint32_t, uint32_t&) { return 0; }
uint64_t fma_f64(uint64_t, uint64_t, uint64_t, uint32_t&) { return 0; }
uint32_t sse_f32(SseOp, uint32_t, uint32_t, uint32_t&) { return 0; }
uint64_t sse_f64(SseOp, uint64_t, uint64_t, uint32_t&) { return 0; }
uint64_t sse_cvtss2sd(uint32_t, uint32_t&) { return 0; }
uint32_t sse_cvtsd2ss(uint64_t, uint32_t&) { return 0; }
int64_t sse_f32_to_int(uint32_t, int, bool, uint32_t&) { return 0; }
int64_t sse_f64_to_int(uint64_t, int, bool, uint32_t&) { return 0; }
uint32_t sse_int_to_f32(int64_t, int, uint32_t&) { return 0; }
uint64_t sse_int_to_f64(int64_t, int, uint32_t&) { return 0; }
uint32_t sse_round_f32(uint32_t, unsigned, uint32_t&) { return 0; }
uint64_t sse_round_f64(uint64_t, unsigned, uint32_t&) { return 0; }
unsigned sse_comi_f32(uint32_t, uint32_t, bool, uint32_t&) { return 0; }
unsigned sse_comi_f64(uint64_t, uint64_t, bool, uint32_t&) { return 0; }
bool sse_cmp_f32(uint32_t, uint32_t, unsigned, uint32_t&) { return false; }
bool sse_cmp_f64(uint64_t, uint64_t, unsigned, uint32_t&) { return false; }
X87Out x87(X87Op, Float80, Float80, uint16_t) { return {}; }

#endif

}  // namespace hostref
