// x87 FPU semantics (opcodes D8-DF): register stack and tags, stack faults, masked and
// unmasked exception responses, FIP/FOP/FDP bookkeeping and every D8-DF form, on the
// software float library (cpu/fpu). One handler per escape opcode decodes its ModRM.
// Tags are kept as "empty" (11) or "valid" (00); FNSTENV/FNSAVE compute the full tag word.
#pragma once
#include <array>

#include "cpu/fpu/softfloat.h"
#include "cpu/sem/common.h"

namespace emu::sem {
namespace x87 {

using fpu::Float80;
using fpu::FloatStatus;
namespace sw = fpu::x87sw;

inline constexpr uint64_t kCr0MP = 1u << 1, kCr0EM = 1u << 2, kCr0TS = 1u << 3, kCr0NE = 1u << 5;
inline constexpr Float80 kIndefinite{0xC000000000000000ull, 0xFFFF};
inline constexpr uint16_t kIE = fpu::flag::Invalid;

// The escape opcodes' table lines carry no operands: mod != 11 means a memory form.
inline bool x87_mem(const DecodedInsn& i) { return (i.modrm >> 6) != 3; }
inline unsigned phys(const X87State& x, unsigned i) { return (x.top() + i) & 7; }
inline bool empty_phys(const X87State& x, unsigned p) { return ((x.ftw >> (2 * p)) & 3) == 3; }
inline bool empty(const X87State& x, unsigned i) { return empty_phys(x, phys(x, i)); }
inline Float80 get(const X87State& x, unsigned i) {
  const X87Reg& r = x.st[phys(x, i)];
  return Float80{r.signif, r.sign_exp};
}
inline void set_tag(X87State& x, unsigned p, bool is_empty) {
  x.ftw = static_cast<uint16_t>((x.ftw & ~(3u << (2 * p))) | ((is_empty ? 3u : 0u) << (2 * p)));
}
// Writes ST(i) and marks it valid.
inline void put(X87State& x, unsigned i, Float80 v) {
  unsigned p = phys(x, i);
  x.st[p].signif = v.signif;
  x.st[p].sign_exp = v.sign_exp;
  set_tag(x, p, false);
}
inline void set_top(X87State& x, unsigned t) {
  x.fsw = static_cast<uint16_t>((x.fsw & ~(7u << 11)) | ((t & 7) << 11));
}
inline void pop(X87State& x) {
  set_tag(x, x.top(), true);
  set_top(x, x.top() + 1);
}
inline void push(X87State& x, Float80 v) {
  set_top(x, x.top() - 1);
  put(x, 0, v);
}
inline void set_c1(X87State& x, bool c1) {
  x.fsw = static_cast<uint16_t>(c1 ? (x.fsw | sw::C1) : (x.fsw & ~sw::C1));
}
inline void set_cc(X87State& x, uint16_t bits) {
  x.fsw = static_cast<uint16_t>((x.fsw & ~sw::ConditionMask) | (bits & sw::ConditionMask));
}
inline bool ie_masked(const X87State& x) { return (x.fcw & kIE) != 0; }

// Stack fault (IE + SF; C1 = 1 for overflow, 0 for underflow). Returns whether IE is masked
// (the caller then delivers the QNaN indefinite); otherwise ES and B are set.
inline bool stack_fault(X87State& x, bool overflow) {
  x.fsw = static_cast<uint16_t>(x.fsw | kIE | sw::SF);
  set_c1(x, overflow);
  if (ie_masked(x)) return true;
  x.fsw = static_cast<uint16_t>(x.fsw | sw::ES | sw::B);
  return false;
}
// Invalid operation without a stack fault (e.g. FIST of an empty register handled above).
inline FloatStatus status(const X87State& x) { return fpu::status_from_x87_control(x.fcw); }
// Merges an operation's flags into FSW (C1 from the rounding, ES/B if unmasked).
inline void commit(X87State& x, const FloatStatus& st) { x.fsw = fpu::x87_status_merge(x.fsw, st); }
inline bool written(const FloatStatus& st) { return fpu::x87_result_written(st.flags, st.masks); }
inline bool stored(const FloatStatus& st) { return fpu::x87_store_written(st.flags, st.masks); }

// Full two-bit tag of a register's contents (00 valid, 01 zero, 10 special).
inline unsigned content_tag(const X87Reg& r) {
  unsigned exp = r.sign_exp & 0x7fff;
  if (exp == 0x7fff) return 2;
  if (exp == 0) return r.signif == 0 ? 1 : 2;
  return (r.signif >> 63) ? 0 : 2;
}
inline uint16_t full_tag_word(const X87State& x) {
  uint16_t t = 0;
  for (unsigned p = 0; p < 8; ++p)
    t = static_cast<uint16_t>(t | ((empty_phys(x, p) ? 3u : content_tag(x.st[p])) << (2 * p)));
  return t;
}
// FLDENV/FRSTOR/FXRSTOR: only "empty" matters, the rest is recomputed from contents.
inline uint16_t tags_from_full(uint16_t full) {
  uint16_t t = 0;
  for (unsigned p = 0; p < 8; ++p)
    if (((full >> (2 * p)) & 3) == 3) t = static_cast<uint16_t>(t | (3u << (2 * p)));
  return t;
}
// ES and B follow the unmasked pending exceptions (after FLDCW, FLDENV, FRSTOR).
inline void update_summary(X87State& x) {
  if (x.fsw & ~x.fcw & 0x3f) x.fsw = static_cast<uint16_t>(x.fsw | sw::ES | sw::B);
  else x.fsw = static_cast<uint16_t>(x.fsw & ~(sw::ES | sw::B));
}
inline void init(X87State& x) {
  x.fcw = 0x037f;
  x.fsw = 0;
  x.ftw = 0xffff;
  x.fop = 0;
  x.fip = x.fdp = 0;
  x.fcs = x.fds = 0;
}

// ---- emitter-side helpers -------------------------------------------------------------

// #NM for CR0.EM/TS; for waiting instructions, #MF when an unmasked exception is pending
// and CR0.NE is set (with NE clear the hardware signals FERR#, not modelled).
template <class E>
inline void check(E& e, bool waiting) {
  const CpuState& s = e.state();
  if (s.cr0 & (kCr0EM | kCr0TS)) e.raise(kNM);
  if (waiting && (s.x87.fsw & sw::ES) && (s.cr0 & kCr0NE)) e.raise(kMF);
}
// FIP/FCS/FOP (and FDP/FDS for memory operands) of a non-control instruction.
template <class E>
inline void note_insn(E& e, const DecodedInsn& i) {
  CpuState& s = e.state();
  s.x87.fip = s.rip;
  s.x87.fcs = s.seg[isa::SEG_CS].selector;
  s.x87.fop = static_cast<uint16_t>(((i.opcode & 7u) << 8) | i.modrm);
  if (x87_mem(i)) {
    s.x87.fdp = e.effective_address(i);
    s.x87.fds = s.seg[i.seg].selector;
  }
}
template <class E>
inline uint64_t addr_at(E& e, const DecodedInsn& i, unsigned k) {
  uint64_t a = e.effective_address(i) + k;
  return i.asz == 8 ? a : (a & size_mask(i.asz));
}
template <class E>
inline Float80 read_m80(E& e, const DecodedInsn& i) {
  Float80 v;
  v.signif = e.read_mem(i.seg, addr_at(e, i, 0), 8);
  v.sign_exp = static_cast<uint16_t>(e.read_mem(i.seg, addr_at(e, i, 8), 2));
  return v;
}
template <class E>
inline void write_m80(E& e, const DecodedInsn& i, unsigned at, Float80 v) {
  e.write_mem(i.seg, addr_at(e, i, at + 8), 2, v.sign_exp);
  e.write_mem(i.seg, addr_at(e, i, at), 8, v.signif);
}

}  // namespace x87

// ---- arithmetic ---------------------------------------------------------------------------

namespace x87 {

// reg field 0..7 of D8/DC/DA/DE: ADD MUL COM COMP SUB SUBR DIV DIVR.
inline Float80 arith(unsigned op, Float80 a, Float80 b, FloatStatus& st) {
  switch (op) {
    case 0: return fpu::f80_add(a, b, st);
    case 1: return fpu::f80_mul(a, b, st);
    case 4: return fpu::f80_sub(a, b, st);
    case 5: return fpu::f80_sub(b, a, st);
    case 6: return fpu::f80_div(a, b, st);
    default: return fpu::f80_div(b, a, st);
  }
}
inline fpu::X87Arith arith_kind(unsigned op) {
  switch (op) {
    case 0: return fpu::X87Arith::Add;
    case 1: return fpu::X87Arith::Mul;
    case 4: return fpu::X87Arith::Sub;
    case 5: return fpu::X87Arith::SubR;
    case 6: return fpu::X87Arith::Div;
    default: return fpu::X87Arith::DivR;
  }
}
inline uint16_t compare_bits(fpu::Ordering o) {
  switch (o) {
    case fpu::Ordering::Less: return sw::C0;
    case fpu::Ordering::Equal: return sw::C3;
    case fpu::Ordering::Greater: return 0;
    default: return sw::C0 | sw::C2 | sw::C3;
  }
}
// FCOM family result: condition codes always, pops only when no unmasked IE/DE.
inline void finish_compare(X87State& x, fpu::Ordering o, FloatStatus& st, unsigned pops) {
  st.c1 = false;
  commit(x, st);
  set_cc(x, compare_bits(o));
  if (written(st))
    for (unsigned k = 0; k < pops; ++k) pop(x);
}
// Compare ST(0) with ST(i) (FCOM/FUCOM forms).
inline void compare_regs(X87State& x, unsigned i, bool signaling, unsigned pops) {
  if (empty(x, 0) || empty(x, i)) {  // "unordered" even when IE is unmasked
    const bool masked = stack_fault(x, false);
    set_cc(x, sw::C0 | sw::C2 | sw::C3);
    if (masked)
      for (unsigned k = 0; k < pops; ++k) pop(x);
    return;
  }
  FloatStatus st = status(x);
  fpu::Ordering o = fpu::f80_compare(get(x, 0), get(x, i), signaling, st);
  finish_compare(x, o, st, pops);
}
// D8/DC register forms: ST(0) op= ST(i), or (DC/DE) ST(i) op= ST(0) with SUB/DIV reversed.
inline void arith_regs(X87State& x, unsigned op, unsigned i, bool to_sti, bool pop_after) {
  if (empty(x, 0) || empty(x, i)) {
    if (stack_fault(x, false)) {
      put(x, to_sti ? i : 0, kIndefinite);
      if (pop_after) pop(x);
    }
    return;
  }
  FloatStatus st = status(x);
  Float80 r = to_sti ? arith(op, get(x, i), get(x, 0), st) : arith(op, get(x, 0), get(x, i), st);
  commit(x, st);
  if (!written(st)) return;
  put(x, to_sti ? i : 0, r);
  if (pop_after) pop(x);
}
// Push with overflow check; returns false when nothing was pushed (unmasked fault).
inline bool push_checked(X87State& x, Float80 v) {
  if (!empty_phys(x, (x.top() - 1) & 7)) {
    if (!stack_fault(x, true)) return false;
    v = kIndefinite;
  } else {
    set_c1(x, false);
  }
  push(x, v);
  return true;
}

}  // namespace x87

// Memory-operand arithmetic with m32fp (D8), m64fp (DC), m32int (DA), m16int (DE).
template <class E>
void x87_arith_mem(E& e, const DecodedInsn& i, unsigned kind) {
  using namespace x87;
  X87State& x = e.state().x87;
  const unsigned op = i.reg_field();
  const unsigned size = kind == 3 ? 2 : kind == 1 ? 8 : 4;
  uint64_t m = e.read_mem(i.seg, e.effective_address(i), size);
  note_insn(e, i);
  const bool cmp = op == 2 || op == 3;
  if (empty(x, 0)) {
    const bool masked = stack_fault(x, false);
    if (cmp) {  // "unordered" even when IE is unmasked
      set_cc(x, sw::C0 | sw::C2 | sw::C3);
      if (masked && op == 3) pop(x);
    } else if (masked) {
      put(x, 0, kIndefinite);
    }
    advance(e, i);
    return;
  }
  FloatStatus st = status(x);
  Float80 a = get(x, 0);
  if (cmp) {
    fpu::Ordering o;
    if (kind == 0) o = fpu::f80_compare_m32(a, static_cast<uint32_t>(m), true, st);
    else if (kind == 1) o = fpu::f80_compare_m64(a, m, true, st);
    else o = fpu::f80_compare(a, fpu::i64_to_f80(kind == 2 ? static_cast<int32_t>(m) : static_cast<int16_t>(m)), true, st);
    finish_compare(x, o, st, op == 3 ? 1 : 0);
  } else {
    Float80 r;
    if (kind == 0) r = fpu::f80_arith_m32(arith_kind(op), a, static_cast<uint32_t>(m), st);
    else if (kind == 1) r = fpu::f80_arith_m64(arith_kind(op), a, m, st);
    else r = arith(op, a, fpu::i64_to_f80(kind == 2 ? static_cast<int32_t>(m) : static_cast<int16_t>(m)), st);
    commit(x, st);
    if (written(st)) put(x, 0, r);
  }
  advance(e, i);
}

// ---- loads and stores ------------------------------------------------------------------

// FLD m32/m64/m80 and FILD m16/m32/m64, FBLD.
enum class X87Load { F32, F64, F80, I16, I32, I64, Bcd };
template <class E>
void x87_load(E& e, const DecodedInsn& i, X87Load kind) {
  using namespace x87;
  X87State& x = e.state().x87;
  FloatStatus st = status(x);
  Float80 v;
  switch (kind) {
    case X87Load::F32: v = fpu::f32_to_f80(static_cast<uint32_t>(e.read_mem(i.seg, e.effective_address(i), 4)), st); break;
    case X87Load::F64: v = fpu::f64_to_f80(e.read_mem(i.seg, e.effective_address(i), 8), st); break;
    case X87Load::F80: v = read_m80(e, i); break;
    case X87Load::I16: v = fpu::i64_to_f80(static_cast<int16_t>(e.read_mem(i.seg, e.effective_address(i), 2))); break;
    case X87Load::I32: v = fpu::i64_to_f80(static_cast<int32_t>(e.read_mem(i.seg, e.effective_address(i), 4))); break;
    case X87Load::I64: v = fpu::i64_to_f80(static_cast<int64_t>(e.read_mem(i.seg, e.effective_address(i), 8))); break;
    case X87Load::Bcd: {
      std::array<uint8_t, 10> b{};
      for (unsigned k = 0; k < 10; ++k) b[k] = static_cast<uint8_t>(e.read_mem(i.seg, addr_at(e, i, k), 1));
      v = fpu::bcd_to_f80(b);
      break;
    }
  }
  note_insn(e, i);
  if (!empty_phys(x, (x.top() - 1) & 7)) {
    if (stack_fault(x, true)) push(x, kIndefinite);
    advance(e, i);
    return;
  }
  st.c1 = false;
  commit(x, st);
  if (written(st)) push(x, v);
  advance(e, i);
}

// FST/FSTP m32/m64/m80, FIST/FISTP/FISTTP m16/m32/m64, FBSTP.
enum class X87Store { F32, F64, F80, I16, I32, I64, Bcd };
template <class E>
void x87_store(E& e, const DecodedInsn& i, X87Store kind, bool truncate, bool pop_after) {
  using namespace x87;
  X87State& x = e.state().x87;
  const uint64_t ea = e.effective_address(i);
  note_insn(e, i);
  FloatStatus st = status(x);
  const bool is_empty = empty(x, 0);
  Float80 a = is_empty ? kIndefinite : get(x, 0);
  uint64_t bits = 0;
  std::array<uint8_t, 10> bcd{};
  if (is_empty) {
    st.flags = static_cast<uint8_t>(st.flags | kIE);
    switch (kind) {
      case X87Store::F32: bits = 0xFFC00000u; break;
      case X87Store::F64: bits = 0xFFF8000000000000ull; break;
      case X87Store::I16: bits = 0x8000; break;
      case X87Store::I32: bits = 0x80000000u; break;
      case X87Store::I64: bits = 0x8000000000000000ull; break;
      case X87Store::Bcd: bcd = {0, 0, 0, 0, 0, 0, 0, 0xC0, 0xFF, 0xFF}; break;
      case X87Store::F80: break;
    }
  } else {
    switch (kind) {
      case X87Store::F32: bits = fpu::f80_to_f32(a, st); break;
      case X87Store::F64: bits = fpu::f80_to_f64(a, st); break;
      case X87Store::I16: bits = static_cast<uint16_t>(fpu::f80_to_i16(a, truncate, st)); break;
      case X87Store::I32: bits = static_cast<uint32_t>(fpu::f80_to_i32(a, truncate, st)); break;
      case X87Store::I64: bits = static_cast<uint64_t>(fpu::f80_to_i64(a, truncate, st)); break;
      case X87Store::Bcd: bcd = fpu::f80_to_bcd(a, st); break;
      case X87Store::F80: break;
    }
  }
  if (stored(st)) {
    switch (kind) {
      case X87Store::F32: e.write_mem(i.seg, ea, 4, bits); break;
      case X87Store::F64: case X87Store::I64: e.write_mem(i.seg, ea, 8, bits); break;
      case X87Store::I16: e.write_mem(i.seg, ea, 2, bits); break;
      case X87Store::I32: e.write_mem(i.seg, ea, 4, bits); break;
      case X87Store::F80: write_m80(e, i, 0, a); break;
      case X87Store::Bcd:
        for (unsigned k = 10; k-- > 0;) e.write_mem(i.seg, addr_at(e, i, k), 1, bcd[k]);
        break;
    }
  }
  if (is_empty) {
    x.fsw = static_cast<uint16_t>(x.fsw | sw::SF);
    if (stack_fault(x, false) && pop_after) pop(x);
    advance(e, i);
    return;
  }
  commit(x, st);
  if (stored(st) && pop_after) pop(x);
  advance(e, i);
}

// ---- environment ------------------------------------------------------------------------

namespace x87 {
inline bool real_or_v86(const CpuState& s) { return !(s.cr0 & kCr0PE) || (s.rflags & (1u << 17)); }
}  // namespace x87

// FNSTENV/FNSAVE image (14/28 bytes env, + 80 bytes registers for FNSAVE).
template <class E>
void x87_store_env(E& e, const DecodedInsn& i, bool with_regs) {
  using namespace x87;
  CpuState& s = e.state();
  X87State& x = s.x87;
  const bool wide = i.osz != 2;
  const unsigned w = wide ? 4 : 2;
  const bool real = real_or_v86(s);
  uint32_t f[7];
  f[0] = x.fcw | (wide ? 0xffff0000u : 0);
  f[1] = x.fsw | (wide ? 0xffff0000u : 0);
  f[2] = full_tag_word(x) | (wide ? 0xffff0000u : 0);
  // Like the AMD CPUs the differential tests run on, the last-instruction pointers are
  // stored only while an unmasked exception is pending (FSW.ES); otherwise zero.
  const bool pointers = (x.fsw & sw::ES) != 0;
  const uint32_t ip = pointers ? static_cast<uint32_t>(x.fip) : 0, dp = pointers ? static_cast<uint32_t>(x.fdp) : 0;
  const uint16_t fcs = pointers ? x.fcs : 0, fds = pointers ? x.fds : 0, fop = pointers ? x.fop : 0;
  if (real) {
    f[3] = (ip & 0xffff) | (wide ? 0xffff0000u : 0);
    f[4] = wide ? (((ip >> 16) & 0xffff) << 12) | (fop & 0x7ffu) : (((ip >> 16) & 0xf) << 12) | (fop & 0x7ffu);
    f[5] = (dp & 0xffff) | (wide ? 0xffff0000u : 0);
    f[6] = wide ? ((dp >> 16) & 0xffff) << 12 : ((dp >> 16) & 0xf) << 12;
  } else {
    f[3] = wide ? ip : (ip & 0xffff);
    f[4] = wide ? (fcs | (uint32_t{fop & 0x7ffu} << 16)) : fcs;
    f[5] = wide ? dp : (dp & 0xffff);
    f[6] = wide ? (fds | 0xffff0000u) : fds;
  }
  if (with_regs)
    for (unsigned k = 8; k-- > 0;) write_m80(e, i, 7 * w + 10 * k, get(x, k));
  for (unsigned k = 7; k-- > 0;) e.write_mem(i.seg, addr_at(e, i, k * w), w, f[k]);
  if (with_regs) init(x);
  else x.fcw = static_cast<uint16_t>(x.fcw | 0x3f);
  advance(e, i);
}

// FLDENV/FRSTOR.
template <class E>
void x87_load_env(E& e, const DecodedInsn& i, bool with_regs) {
  using namespace x87;
  CpuState& s = e.state();
  const bool wide = i.osz != 2;
  const unsigned w = wide ? 4 : 2;
  uint32_t f[7];
  for (unsigned k = 0; k < 7; ++k) f[k] = static_cast<uint32_t>(e.read_mem(i.seg, addr_at(e, i, k * w), w));
  Float80 regs[8];
  if (with_regs)
    for (unsigned k = 0; k < 8; ++k) {
      regs[k].signif = e.read_mem(i.seg, addr_at(e, i, 7 * w + 10 * k), 8);
      regs[k].sign_exp = static_cast<uint16_t>(e.read_mem(i.seg, addr_at(e, i, 7 * w + 10 * k + 8), 2));
    }
  X87State& x = s.x87;
  x.fcw = static_cast<uint16_t>((f[0] & 0x1f3f) | 0x40);
  x.fsw = static_cast<uint16_t>(f[1]);
  x.ftw = tags_from_full(static_cast<uint16_t>(f[2]));
  if (real_or_v86(s)) {
    x.fip = (f[3] & 0xffff) | (uint64_t{(f[4] >> 12) & (wide ? 0xffffu : 0xfu)} << 16);
    x.fop = static_cast<uint16_t>(f[4] & 0x7ff);
    x.fdp = (f[5] & 0xffff) | (uint64_t{(f[6] >> 12) & (wide ? 0xffffu : 0xfu)} << 16);
  } else {
    x.fip = wide ? f[3] : (f[3] & 0xffff);
    x.fcs = static_cast<uint16_t>(f[4]);
    x.fop = static_cast<uint16_t>(wide ? ((f[4] >> 16) & 0x7ff) : x.fop);
    x.fdp = wide ? f[5] : (f[5] & 0xffff);
    x.fds = static_cast<uint16_t>(f[6]);
  }
  if (with_regs)
    for (unsigned k = 0; k < 8; ++k) {
      unsigned p = phys(x, k);
      x.st[p].signif = regs[k].signif;
      x.st[p].sign_exp = regs[k].sign_exp;
    }
  update_summary(x);
  advance(e, i);
}

// ---- register-only operations ---------------------------------------------------------------

namespace x87 {

// FCHS FABS FSQRT FRNDINT F2XM1: ST(0) = f(ST(0)).
template <class F>
inline void unary(X87State& x, F f) {
  if (empty(x, 0)) {
    if (stack_fault(x, false)) put(x, 0, kIndefinite);
    return;
  }
  FloatStatus st = status(x);
  Float80 r = f(get(x, 0), st);
  commit(x, st);
  if (written(st)) put(x, 0, r);
}
// FYL2X FYL2XP1 FPATAN FSCALE(no pop) FPREM: binary on ST(0), ST(1).
template <class F>
inline void binary_st01(X87State& x, bool into_st1_and_pop, F f) {
  if (empty(x, 0) || empty(x, 1)) {
    if (stack_fault(x, false)) {
      put(x, into_st1_and_pop ? 1 : 0, kIndefinite);
      if (into_st1_and_pop) pop(x);
    }
    return;
  }
  FloatStatus st = status(x);
  Float80 r = f(get(x, 0), get(x, 1), st);
  commit(x, st);
  if (!written(st)) return;
  if (into_st1_and_pop) {
    put(x, 1, r);
    pop(x);
  } else {
    put(x, 0, r);
  }
}

inline void fxch(X87State& x, unsigned i) {
  if (empty(x, 0) || empty(x, i)) {
    if (!stack_fault(x, false)) return;
    if (empty(x, 0)) put(x, 0, kIndefinite);
    if (empty(x, i)) put(x, i, kIndefinite);
  } else {
    set_c1(x, false);
  }
  Float80 a = get(x, 0), b = get(x, i);
  put(x, 0, b);
  put(x, i, a);
}
inline void fst_reg(X87State& x, unsigned i, bool pop_after) {
  if (empty(x, 0)) {
    if (stack_fault(x, false)) {
      put(x, i, kIndefinite);
      if (pop_after) pop(x);
    }
    return;
  }
  set_c1(x, false);
  put(x, i, get(x, 0));
  if (pop_after) pop(x);
}
// D9 D8+i (FSTP1): FSTP ST(i), except that an empty ST(0) is no fault: it only pops
// (ST(i) untouched), as the host does.
inline void fstp_alias(X87State& x, unsigned i) {
  set_c1(x, false);
  if (!empty(x, 0)) put(x, i, get(x, 0));
  pop(x);
}
inline void fld_reg(X87State& x, unsigned i) {
  if (empty(x, i)) {
    if (stack_fault(x, false)) push(x, kIndefinite);
    return;
  }
  push_checked(x, get(x, i));
}
inline bool fcmov_condition(uint64_t fl, unsigned cc) {
  const bool cf = fl & isa::FL_CF, zf = fl & isa::FL_ZF, pf = fl & isa::FL_PF;
  switch (cc & 3) {
    case 0: return cf;
    case 1: return zf;
    case 2: return cf || zf;
    default: return pf;
  }
}
inline void fcmov(X87State& x, unsigned i, bool cond) {
  if (empty(x, 0) || empty(x, i)) {
    if (stack_fault(x, false)) put(x, 0, kIndefinite);
    return;
  }
  if (cond) put(x, 0, get(x, i));
}
// FCOMI/FUCOMI(P): ZF PF CF from the ordering; OF SF AF cleared.
inline uint32_t comi_flags(fpu::Ordering o) {
  switch (o) {
    case fpu::Ordering::Less: return isa::FL_CF;
    case fpu::Ordering::Equal: return isa::FL_ZF;
    case fpu::Ordering::Greater: return 0;
    default: return isa::FL_ZF | isa::FL_PF | isa::FL_CF;
  }
}
inline void fcomi(CpuState& s, unsigned i, bool signaling, bool pop_after) {
  X87State& x = s.x87;
  if (empty(x, 0) || empty(x, i)) {  // flags say "unordered" even when IE is unmasked
    const bool masked = stack_fault(x, false);
    set_arith_flags(s, isa::FL_ARITH, isa::FL_ZF | isa::FL_PF | isa::FL_CF);
    if (masked && pop_after) pop(x);
    return;
  }
  FloatStatus st = status(x);
  const bool c1 = (x.fsw & sw::C1) != 0;
  fpu::Ordering o = fpu::f80_compare(get(x, 0), get(x, i), signaling, st);
  st.c1 = c1;
  commit(x, st);
  set_arith_flags(s, isa::FL_ARITH, comi_flags(o));  // also with an unmasked exception
  if (written(st) && pop_after) pop(x);
}
inline void ftst(X87State& x) {
  if (empty(x, 0)) {
    stack_fault(x, false);
    set_cc(x, sw::C0 | sw::C2 | sw::C3);
    return;
  }
  FloatStatus st = status(x);
  fpu::Ordering o = fpu::f80_compare(get(x, 0), Float80{0, 0}, true, st);
  finish_compare(x, o, st, 0);
}
inline void fxam(X87State& x) {
  set_cc(x, fpu::f80_examine(get(x, 0), empty(x, 0)));
}
inline void fld_const(X87State& x, fpu::X87Constant k) {
  push_checked(x, fpu::f80_constant(k, static_cast<fpu::Rounding>((x.fcw >> 10) & 3)));
}
// FPREM/FPREM1.
inline void fprem(X87State& x, bool ieee) {
  if (empty(x, 0) || empty(x, 1)) {
    x.fsw = static_cast<uint16_t>(x.fsw & ~sw::C2);  // as the host shows: no partial remainder
    if (stack_fault(x, false)) put(x, 0, kIndefinite);
    return;
  }
  FloatStatus st = status(x);
  fpu::Remainder r = fpu::f80_prem(get(x, 0), get(x, 1), ieee, st);
  commit(x, st);
  if (!written(st)) return;
  put(x, 0, r.value);
  const bool nan = r.value.exponent() == 0x7fff && (r.value.signif << 1) != 0;
  if (nan)  // as the host shows: C0 and C3 keep their value, C1 and C2 are cleared
    x.fsw = static_cast<uint16_t>(x.fsw & ~(sw::C1 | sw::C2));
  else
    set_cc(x, fpu::remainder_condition_bits(r));
}
inline void fxtract(X87State& x) {
  if (empty(x, 0)) {
    if (stack_fault(x, false)) {
      put(x, 0, kIndefinite);
      push(x, kIndefinite);
    }
    return;
  }
  if (!empty_phys(x, (x.top() - 1) & 7)) {
    if (stack_fault(x, true)) {
      put(x, 0, kIndefinite);
      push(x, kIndefinite);
    }
    return;
  }
  FloatStatus st = status(x);
  fpu::Extracted r = fpu::f80_extract(get(x, 0), st);
  st.c1 = false;
  commit(x, st);
  if (!written(st)) return;
  put(x, 0, r.exponent);
  push(x, r.significand);
}
// FSIN/FCOS (sincos=false) and FPTAN/FSINCOS (push a second value).
inline void trig(X87State& x, unsigned which) {  // 0 sin, 1 cos, 2 tan, 3 sincos
  const bool pushes = which >= 2;
  if (empty(x, 0) || (pushes && !empty_phys(x, (x.top() - 1) & 7)))
    x.fsw = static_cast<uint16_t>(x.fsw & ~sw::C2);  // a stack fault reports C2 = 0
  if (empty(x, 0)) {
    if (stack_fault(x, false)) {
      put(x, 0, kIndefinite);
      if (pushes) push(x, kIndefinite);
    }
    return;
  }
  if (pushes && !empty_phys(x, (x.top() - 1) & 7)) {
    if (stack_fault(x, true)) {
      put(x, 0, kIndefinite);
      push(x, kIndefinite);
    }
    return;
  }
  FloatStatus st = status(x);
  Float80 a = get(x, 0), v, second;
  bool out = false;
  if (which == 3) {
    fpu::SinCos r = fpu::f80_sincos(a, st);
    v = r.sin;
    second = r.cos;
    out = r.out_of_range;
  } else {
    fpu::TrigResult r = which == 0 ? fpu::f80_sin(a, st) : which == 1 ? fpu::f80_cos(a, st) : fpu::f80_tan(a, st);
    v = r.value;
    second = r.pushed;
    out = r.out_of_range;
  }
  commit(x, st);
  x.fsw = static_cast<uint16_t>(out ? (x.fsw | sw::C2) : (x.fsw & ~sw::C2));
  if (out || !written(st)) return;
  put(x, 0, v);
  if (pushes) push(x, second);
}

}  // namespace x87

// ---- the eight escape opcodes ------------------------------------------------------------

template <class E>
void sem_x87_d8(E& e, const DecodedInsn& i) {
  using namespace x87;
  check(e, true);
  if (x87_mem(i)) return x87_arith_mem(e, i, 0);
  note_insn(e, i);
  X87State& x = e.state().x87;
  const unsigned op = i.reg_field(), r = i.modrm & 7;
  if (op == 2 || op == 3) compare_regs(x, r, true, op == 3 ? 1 : 0);
  else arith_regs(x, op, r, false, false);
  advance(e, i);
}

template <class E>
void sem_x87_dc(E& e, const DecodedInsn& i) {
  using namespace x87;
  check(e, true);
  if (x87_mem(i)) return x87_arith_mem(e, i, 1);
  note_insn(e, i);
  X87State& x = e.state().x87;
  const unsigned op = i.reg_field(), r = i.modrm & 7;
  if (op == 2 || op == 3) compare_regs(x, r, true, op == 3 ? 1 : 0);
  else arith_regs(x, op >= 4 ? (op ^ 1) : op, r, true, false);
  advance(e, i);
}

template <class E>
void sem_x87_de(E& e, const DecodedInsn& i) {
  using namespace x87;
  check(e, true);
  if (x87_mem(i)) return x87_arith_mem(e, i, 3);
  X87State& x = e.state().x87;
  const unsigned op = i.reg_field(), r = i.modrm & 7;
  if (op == 3 && r != 1) e.raise(kUD);
  note_insn(e, i);
  if (op == 2) compare_regs(x, r, true, 1);        // FCOMP alias
  else if (op == 3) compare_regs(x, 1, true, 2);   // FCOMPP
  else arith_regs(x, op >= 4 ? (op ^ 1) : op, r, true, true);
  advance(e, i);
}

template <class E>
void sem_x87_da(E& e, const DecodedInsn& i) {
  using namespace x87;
  check(e, true);
  if (x87_mem(i)) return x87_arith_mem(e, i, 2);
  CpuState& s = e.state();
  const unsigned op = i.reg_field(), r = i.modrm & 7;
  if (op < 4) {
    note_insn(e, i);
    fcmov(s.x87, r, fcmov_condition(read_rflags(s), op));
  } else if (i.modrm == 0xe9) {
    note_insn(e, i);
    compare_regs(s.x87, 1, false, 2);  // FUCOMPP
  } else {
    e.raise(kUD);
  }
  advance(e, i);
}

template <class E>
void sem_x87_d9(E& e, const DecodedInsn& i) {
  using namespace x87;
  CpuState& s = e.state();
  X87State& x = s.x87;
  const unsigned op = i.reg_field(), r = i.modrm & 7;
  if (x87_mem(i)) {
    switch (op) {
      case 0: check(e, true); return x87_load(e, i, X87Load::F32);
      case 2: check(e, true); return x87_store(e, i, X87Store::F32, false, false);
      case 3: check(e, true); return x87_store(e, i, X87Store::F32, false, true);
      case 4: check(e, false); return x87_load_env(e, i, false);
      case 5: {
        check(e, false);
        uint16_t v = static_cast<uint16_t>(e.read_mem(i.seg, e.effective_address(i), 2));
        x.fcw = static_cast<uint16_t>((v & 0x1f3f) | 0x40);
        update_summary(x);
        return advance(e, i);
      }
      case 6: check(e, false); return x87_store_env(e, i, false);
      case 7: check(e, false); e.write_mem(i.seg, e.effective_address(i), 2, x.fcw); return advance(e, i);
      default: e.raise(kUD);
    }
  }
  const uint8_t m = i.modrm;
  // Undefined encodings first (before #NM? the hardware raises #UD for them regardless).
  if ((m >= 0xd1 && m <= 0xd7) || m == 0xe2 || m == 0xe3 || m == 0xe6 || m == 0xe7 || m == 0xef) e.raise(kUD);
  check(e, true);
  note_insn(e, i);
  switch (op) {
    case 0: fld_reg(x, r); break;
    case 1: fxch(x, r); break;
    case 2: break;  // FNOP
    case 3: fstp_alias(x, r); break;  // FSTP1
    case 4:
      switch (r) {
        case 0: unary(x, [](Float80 a, FloatStatus& st) { st.c1 = false; return fpu::f80_chs(a); }); break;
        case 1: unary(x, [](Float80 a, FloatStatus& st) { st.c1 = false; return fpu::f80_abs(a); }); break;
        case 4: ftst(x); break;
        default: fxam(x); break;
      }
      break;
    case 5: {
      static constexpr fpu::X87Constant k[7] = {fpu::X87Constant::One, fpu::X87Constant::Log2Ten,
                                                 fpu::X87Constant::Log2E, fpu::X87Constant::Pi,
                                                 fpu::X87Constant::Log10Two, fpu::X87Constant::LnTwo,
                                                 fpu::X87Constant::Zero};
      fld_const(x, k[r]);
      break;
    }
    case 6:
      switch (r) {
        case 0: unary(x, [](Float80 a, FloatStatus& st) { return fpu::f80_f2xm1(a, st); }); break;
        case 1: binary_st01(x, true, [](Float80 a, Float80 b, FloatStatus& st) { return fpu::f80_fyl2x(a, b, st); }); break;
        case 2: trig(x, 2); break;
        case 3: binary_st01(x, true, [](Float80 a, Float80 b, FloatStatus& st) { return fpu::f80_fpatan(a, b, st); }); break;
        case 4: fxtract(x); break;
        case 5: fprem(x, true); break;
        case 6: set_c1(x, false); set_top(x, x.top() - 1); break;
        default: set_c1(x, false); set_top(x, x.top() + 1); break;
      }
      break;
    default:
      switch (r) {
        case 0: fprem(x, false); break;
        case 1: binary_st01(x, true, [](Float80 a, Float80 b, FloatStatus& st) { return fpu::f80_fyl2xp1(a, b, st); }); break;
        case 2: unary(x, [](Float80 a, FloatStatus& st) { return fpu::f80_sqrt(a, st); }); break;
        case 3: trig(x, 3); break;
        case 4: unary(x, [](Float80 a, FloatStatus& st) { return fpu::f80_round_to_int(a, st); }); break;
        case 5: binary_st01(x, false, [](Float80 a, Float80 b, FloatStatus& st) { return fpu::f80_scale(a, b, st); }); break;
        case 6: trig(x, 0); break;
        default: trig(x, 1); break;
      }
      break;
  }
  advance(e, i);
}

template <class E>
void sem_x87_db(E& e, const DecodedInsn& i) {
  using namespace x87;
  CpuState& s = e.state();
  X87State& x = s.x87;
  const unsigned op = i.reg_field(), r = i.modrm & 7;
  if (x87_mem(i)) {
    switch (op) {
      case 0: check(e, true); return x87_load(e, i, X87Load::I32);
      case 1: check(e, true); return x87_store(e, i, X87Store::I32, true, true);
      case 2: check(e, true); return x87_store(e, i, X87Store::I32, false, false);
      case 3: check(e, true); return x87_store(e, i, X87Store::I32, false, true);
      case 5: check(e, true); return x87_load(e, i, X87Load::F80);
      case 7: check(e, true); return x87_store(e, i, X87Store::F80, false, true);
      default: e.raise(kUD);
    }
  }
  if (op == 7 || (op == 4 && r >= 5)) e.raise(kUD);
  if (op == 4) {
    check(e, false);
    if (r == 2) x.fsw = static_cast<uint16_t>(x.fsw & 0x7f00);  // FNCLEX
    else if (r == 3) init(x);                                   // FNINIT
    return advance(e, i);                                       // FNENI/FNDISI/FSETPM: no-ops
  }
  check(e, true);
  note_insn(e, i);
  if (op < 4) fcmov(x, r, !fcmov_condition(read_rflags(s), op));
  else fcomi(s, r, op == 6, false);
  advance(e, i);
}

template <class E>
void sem_x87_dd(E& e, const DecodedInsn& i) {
  using namespace x87;
  CpuState& s = e.state();
  X87State& x = s.x87;
  const unsigned op = i.reg_field(), r = i.modrm & 7;
  if (x87_mem(i)) {
    switch (op) {
      case 0: check(e, true); return x87_load(e, i, X87Load::F64);
      case 1: check(e, true); return x87_store(e, i, X87Store::I64, true, true);
      case 2: check(e, true); return x87_store(e, i, X87Store::F64, false, false);
      case 3: check(e, true); return x87_store(e, i, X87Store::F64, false, true);
      case 4: check(e, false); return x87_load_env(e, i, true);
      case 6: check(e, false); return x87_store_env(e, i, true);
      case 7: check(e, false); e.write_mem(i.seg, e.effective_address(i), 2, x.fsw); return advance(e, i);
      default: e.raise(kUD);
    }
  }
  if (op >= 6) e.raise(kUD);
  check(e, true);
  note_insn(e, i);
  switch (op) {
    case 0: set_c1(x, false); set_tag(x, phys(x, r), true); break;  // FFREE
    case 1: fxch(x, r); break;
    case 2: fst_reg(x, r, false); break;
    case 3: fst_reg(x, r, true); break;
    case 4: compare_regs(x, r, false, 0); break;
    default: compare_regs(x, r, false, 1); break;
  }
  advance(e, i);
}

template <class E>
void sem_x87_df(E& e, const DecodedInsn& i) {
  using namespace x87;
  CpuState& s = e.state();
  X87State& x = s.x87;
  const unsigned op = i.reg_field(), r = i.modrm & 7;
  if (x87_mem(i)) {
    check(e, true);
    switch (op) {
      case 0: return x87_load(e, i, X87Load::I16);
      case 1: return x87_store(e, i, X87Store::I16, true, true);
      case 2: return x87_store(e, i, X87Store::I16, false, false);
      case 3: return x87_store(e, i, X87Store::I16, false, true);
      case 4: return x87_load(e, i, X87Load::Bcd);
      case 5: return x87_load(e, i, X87Load::I64);
      case 6: return x87_store(e, i, X87Store::Bcd, false, true);
      default: return x87_store(e, i, X87Store::I64, false, true);
    }
  }
  if (op == 7 || (op == 4 && r != 0)) e.raise(kUD);
  if (op == 4) {  // FNSTSW AX
    check(e, false);
    s.gpr[0] = (s.gpr[0] & ~uint64_t{0xffff}) | x.fsw;
    return advance(e, i);
  }
  check(e, true);
  note_insn(e, i);
  switch (op) {
    case 0: set_c1(x, false); set_tag(x, phys(x, r), true); pop(x); break;  // FFREEP
    case 1: fxch(x, r); break;
    case 2: case 3: fst_reg(x, r, true); break;
    case 5: fcomi(s, r, false, true); break;
    default: fcomi(s, r, true, true); break;
  }
  advance(e, i);
}

// FWAIT: #NM when CR0.MP and CR0.TS; #MF for a pending unmasked exception (CR0.NE).
template <class E>
void sem_fwait(E& e, const DecodedInsn& i) {
  const CpuState& s = e.state();
  if ((s.cr0 & x87::kCr0MP) && (s.cr0 & x87::kCr0TS)) e.raise(kNM);
  if ((s.x87.fsw & fpu::x87sw::ES) && (s.cr0 & x87::kCr0NE)) e.raise(kMF);
  advance(e, i);
}

}  // namespace emu::sem
