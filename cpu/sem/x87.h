// x87 FPU semantics (opcodes D8-DF): register stack and tags, stack faults, masked and
// unmasked exception responses, FIP/FOP/FDP bookkeeping and every D8-DF form, on the
// software float library (cpu/fpu). Each form of the opcode table's X87 lines gets its own
// handler sem_<handler>, generated at the end of this file from those lines: it calls the
// operation the line names (x87::arith_mem, x87::load, ...) with the line's template
// arguments, so no handler decodes ModRM.
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

// mod != 11: a memory form.
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
  check_segment_range(e, i.seg, addr_at(e, i, 0), 10, Access::Read);
  v.signif = e.read_mem(i.seg, addr_at(e, i, 0), 8);
  v.sign_exp = static_cast<uint16_t>(e.read_mem(i.seg, addr_at(e, i, 8), 2));
  return v;
}
template <class E>
inline void write_m80(E& e, const DecodedInsn& i, unsigned at, Float80 v) {
  check_segment_range(e, i.seg, addr_at(e, i, at), 10, Access::Write);
  e.write_mem(i.seg, addr_at(e, i, at + 8), 2, v.sign_exp);
  e.write_mem(i.seg, addr_at(e, i, at), 8, v.signif);
}

}  // namespace x87


// ---- the template arguments of the table's X87 lines ----------------------------------------

namespace x87 {

using Arith = fpu::X87Arith;
using Const = fpu::X87Constant;
// Memory operand formats, named as in the table's operand column.
enum class Fmt { m32fp, m64fp, m80fp, m16int, m32int, m64int, m80bcd };
enum class Dest { St0, Sti };           // register arithmetic: result into ST(0) or ST(i)
enum class Cmp { Ordered, Unordered };  // FCOM (QNaN operands are invalid) / FUCOM
enum class Conv { Fcw, Truncate };      // FIST rounds by FCW.RC, FISTTP truncates
enum class Image { Env, Save };         // FLDENV/FNSTENV, FRSTOR/FNSAVE
enum class Into { St0, St1Pop };        // FSCALE; FYL2X/FPATAN/FYL2XP1 (ST(1) = result, pop)
enum class Trig { Sin, Cos, Tan, SinCos };
enum class Rem { Truncating, Ieee };    // FPREM / FPREM1
enum class Cc { B, E, BE, U };          // FCMOVcc conditions
enum class Sw { Memory, Ax };           // FNSTSW destination

constexpr unsigned mem_bytes(Fmt f) {
  switch (f) {
    case Fmt::m16int: return 2;
    case Fmt::m32fp: case Fmt::m32int: return 4;
    case Fmt::m64fp: case Fmt::m64int: return 8;
    default: return 10;
  }
}
inline unsigned sti(const DecodedInsn& i) { return i.modrm & 7; }

// ---- arithmetic and comparison --------------------------------------------------------------

inline Float80 arith(Arith op, Float80 a, Float80 b, FloatStatus& st) {
  switch (op) {
    case Arith::Add: return fpu::f80_add(a, b, st);
    case Arith::Mul: return fpu::f80_mul(a, b, st);
    case Arith::Sub: return fpu::f80_sub(a, b, st);
    case Arith::SubR: return fpu::f80_sub(b, a, st);
    case Arith::Div: return fpu::f80_div(a, b, st);
    default: return fpu::f80_div(b, a, st);
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

// The integer memory formats as a Float80 (always exact).
template <Fmt F>
inline Float80 int_value(uint64_t m) {
  if constexpr (F == Fmt::m16int) return fpu::i64_to_f80(static_cast<int16_t>(m));
  else if constexpr (F == Fmt::m32int) return fpu::i64_to_f80(static_cast<int32_t>(m));
  else return fpu::i64_to_f80(static_cast<int64_t>(m));
}
template <Fmt F, class E>
inline uint64_t read_small(E& e, const DecodedInsn& i) {
  static_assert(mem_bytes(F) <= 8);
  return e.read_mem(i.seg, e.effective_address(i), mem_bytes(F));
}

// FADD/FMUL/FSUB/FSUBR/FDIV/FDIVR with m32fp, m64fp and FI* with m16int, m32int.
template <Fmt F, Arith Op, class E>
void arith_mem(E& e, const DecodedInsn& i) {
  X87State& x = e.state().x87;
  const uint64_t m = read_small<F>(e, i);
  note_insn(e, i);
  if (empty(x, 0)) {
    if (stack_fault(x, false)) put(x, 0, kIndefinite);
    return;
  }
  FloatStatus st = status(x);
  const Float80 a = get(x, 0);
  Float80 r;
  if constexpr (F == Fmt::m32fp) r = fpu::f80_arith_m32(Op, a, static_cast<uint32_t>(m), st);
  else if constexpr (F == Fmt::m64fp) r = fpu::f80_arith_m64(Op, a, m, st);
  else r = arith(Op, a, int_value<F>(m), st);
  commit(x, st);
  if (written(st)) put(x, 0, r);
}
// FCOM/FCOMP and FICOM/FICOMP with a memory operand.
template <Fmt F, unsigned Pops, class E>
void compare_mem(E& e, const DecodedInsn& i) {
  X87State& x = e.state().x87;
  const uint64_t m = read_small<F>(e, i);
  note_insn(e, i);
  if (empty(x, 0)) {  // "unordered" even when IE is unmasked
    const bool masked = stack_fault(x, false);
    set_cc(x, sw::C0 | sw::C2 | sw::C3);
    if (masked && Pops) pop(x);
    return;
  }
  FloatStatus st = status(x);
  const Float80 a = get(x, 0);
  fpu::Ordering o;
  if constexpr (F == Fmt::m32fp) o = fpu::f80_compare_m32(a, static_cast<uint32_t>(m), true, st);
  else if constexpr (F == Fmt::m64fp) o = fpu::f80_compare_m64(a, m, true, st);
  else o = fpu::f80_compare(a, int_value<F>(m), true, st);
  finish_compare(x, o, st, Pops);
}
// ST(0) op= ST(i), or ST(i) op= ST(0) (then optionally pop).
template <Arith Op, Dest D, unsigned Pops, class E>
void arith_reg(E& e, const DecodedInsn& i) {
  X87State& x = e.state().x87;
  const unsigned r = sti(i), dst = D == Dest::Sti ? r : 0;
  if (empty(x, 0) || empty(x, r)) {
    if (stack_fault(x, false)) {
      put(x, dst, kIndefinite);
      if (Pops) pop(x);
    }
    return;
  }
  FloatStatus st = status(x);
  const Float80 v = D == Dest::Sti ? arith(Op, get(x, r), get(x, 0), st) : arith(Op, get(x, 0), get(x, r), st);
  commit(x, st);
  if (!written(st)) return;
  put(x, dst, v);
  if (Pops) pop(x);
}
// Compare ST(0) with ST(i) (FCOM/FUCOM forms; FCOMPP/FUCOMPP are rm = 1 with two pops).
template <Cmp C, unsigned Pops, class E>
void compare_reg(E& e, const DecodedInsn& i) {
  X87State& x = e.state().x87;
  const unsigned r = sti(i);
  if (empty(x, 0) || empty(x, r)) {  // "unordered" even when IE is unmasked
    const bool masked = stack_fault(x, false);
    set_cc(x, sw::C0 | sw::C2 | sw::C3);
    if (masked)
      for (unsigned k = 0; k < Pops; ++k) pop(x);
    return;
  }
  FloatStatus st = status(x);
  fpu::Ordering o = fpu::f80_compare(get(x, 0), get(x, r), C == Cmp::Ordered, st);
  finish_compare(x, o, st, Pops);
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
template <Cmp C, unsigned Pops, class E>
void fcomi(E& e, const DecodedInsn& i) {
  CpuState& s = e.state();
  X87State& x = s.x87;
  const unsigned r = sti(i);
  if (empty(x, 0) || empty(x, r)) {  // flags say "unordered" even when IE is unmasked
    const bool masked = stack_fault(x, false);
    set_arith_flags(s, isa::FL_ARITH, isa::FL_ZF | isa::FL_PF | isa::FL_CF);
    if (masked && Pops) pop(x);
    return;
  }
  FloatStatus st = status(x);
  const bool c1 = (x.fsw & sw::C1) != 0;
  fpu::Ordering o = fpu::f80_compare(get(x, 0), get(x, r), C == Cmp::Ordered, st);
  st.c1 = c1;
  commit(x, st);
  set_arith_flags(s, isa::FL_ARITH, comi_flags(o));  // also with an unmasked exception
  if (written(st) && Pops) pop(x);
}
template <class E>
void ftst(E& e, const DecodedInsn&) {
  X87State& x = e.state().x87;
  if (empty(x, 0)) {
    stack_fault(x, false);
    set_cc(x, sw::C0 | sw::C2 | sw::C3);
    return;
  }
  FloatStatus st = status(x);
  fpu::Ordering o = fpu::f80_compare(get(x, 0), Float80{0, 0}, true, st);
  finish_compare(x, o, st, 0);
}
template <class E>
void fxam(E& e, const DecodedInsn&) {
  X87State& x = e.state().x87;
  set_cc(x, fpu::f80_examine(get(x, 0), empty(x, 0)));
}

// ---- loads and stores ------------------------------------------------------------------------

// FLD m32fp/m64fp/m80fp, FILD m16int/m32int/m64int, FBLD m80bcd.
template <Fmt F, class E>
void load(E& e, const DecodedInsn& i) {
  X87State& x = e.state().x87;
  FloatStatus st = status(x);
  Float80 v;
  if constexpr (F == Fmt::m32fp) v = fpu::f32_to_f80(static_cast<uint32_t>(read_small<F>(e, i)), st);
  else if constexpr (F == Fmt::m64fp) v = fpu::f64_to_f80(read_small<F>(e, i), st);
  else if constexpr (F == Fmt::m80fp) v = read_m80(e, i);
  else if constexpr (F == Fmt::m80bcd) {
    std::array<uint8_t, 10> b{};
    check_segment_range(e, i.seg, addr_at(e, i, 0), 10, Access::Read);
    for (unsigned k = 0; k < 10; ++k) b[k] = static_cast<uint8_t>(e.read_mem(i.seg, addr_at(e, i, k), 1));
    v = fpu::bcd_to_f80(b);
  } else {
    v = int_value<F>(read_small<F>(e, i));
  }
  note_insn(e, i);
  if (!empty_phys(x, (x.top() - 1) & 7)) {
    if (stack_fault(x, true)) push(x, kIndefinite);
    return;
  }
  st.c1 = false;
  commit(x, st);
  // An unmasked denormal-operand exception still pushes (as the host does); only an
  // unmasked invalid operation (a signalling NaN) leaves the stack alone.
  if (fpu::x87_load_written(st.flags, st.masks)) push(x, v);
}

// FST/FSTP m32fp/m64fp/m80fp, FIST/FISTP/FISTTP m16int/m32int/m64int, FBSTP m80bcd.
template <Fmt F, unsigned Pops, Conv C = Conv::Fcw, class E>
void store(E& e, const DecodedInsn& i) {
  X87State& x = e.state().x87;
  const uint64_t ea = e.effective_address(i);
  note_insn(e, i);
  FloatStatus st = status(x);
  const bool is_empty = empty(x, 0);
  const Float80 a = is_empty ? kIndefinite : get(x, 0);
  constexpr bool truncate = C == Conv::Truncate;
  uint64_t bits = 0;
  std::array<uint8_t, 10> bcd{};
  if (is_empty) {  // the masked response: the format's indefinite
    st.flags = static_cast<uint8_t>(st.flags | kIE);
    if constexpr (F == Fmt::m32fp) bits = 0xFFC00000u;
    else if constexpr (F == Fmt::m64fp) bits = 0xFFF8000000000000ull;
    else if constexpr (F == Fmt::m16int) bits = 0x8000;
    else if constexpr (F == Fmt::m32int) bits = 0x80000000u;
    else if constexpr (F == Fmt::m64int) bits = 0x8000000000000000ull;
    else if constexpr (F == Fmt::m80bcd) bcd = {0, 0, 0, 0, 0, 0, 0, 0xC0, 0xFF, 0xFF};
  } else {
    if constexpr (F == Fmt::m32fp) bits = fpu::f80_to_f32(a, st);
    else if constexpr (F == Fmt::m64fp) bits = fpu::f80_to_f64(a, st);
    else if constexpr (F == Fmt::m16int) bits = static_cast<uint16_t>(fpu::f80_to_i16(a, truncate, st));
    else if constexpr (F == Fmt::m32int) bits = static_cast<uint32_t>(fpu::f80_to_i32(a, truncate, st));
    else if constexpr (F == Fmt::m64int) bits = static_cast<uint64_t>(fpu::f80_to_i64(a, truncate, st));
    else if constexpr (F == Fmt::m80bcd) bcd = fpu::f80_to_bcd(a, st);
  }
  if (stored(st)) {
    if constexpr (F == Fmt::m80fp) write_m80(e, i, 0, a);
    else if constexpr (F == Fmt::m80bcd) {
      check_segment_range(e, i.seg, addr_at(e, i, 0), 10, Access::Write);
      for (unsigned k = 10; k-- > 0;) e.write_mem(i.seg, addr_at(e, i, k), 1, bcd[k]);
    }
    else e.write_mem(i.seg, ea, mem_bytes(F), bits);
  }
  if (is_empty) {
    x.fsw = static_cast<uint16_t>(x.fsw | sw::SF);
    if (stack_fault(x, false) && Pops) pop(x);
    return;
  }
  commit(x, st);
  if (stored(st) && Pops) pop(x);
}

// ---- control and environment -----------------------------------------------------------------

inline bool real_or_v86(const CpuState& s) { return !(s.cr0 & kCr0PE) || (s.rflags & (1u << 17)); }

// FNSTENV/FNSAVE image (14/28 bytes env, + 80 bytes registers for FNSAVE).
template <Image I, class E>
void store_env(E& e, const DecodedInsn& i) {
  constexpr bool with_regs = I == Image::Save;
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
  if (with_regs) {
    init(x);
  } else {  // all exceptions masked: ES and B clear, as the host shows
    x.fcw = static_cast<uint16_t>(x.fcw | 0x3f);
    update_summary(x);
  }
}

// FLDENV/FRSTOR.
template <Image I, class E>
void load_env(E& e, const DecodedInsn& i) {
  constexpr bool with_regs = I == Image::Save;
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
}

template <class E>
void load_cw(E& e, const DecodedInsn& i) {
  X87State& x = e.state().x87;
  const uint16_t v = static_cast<uint16_t>(e.read_mem(i.seg, e.effective_address(i), 2));
  x.fcw = static_cast<uint16_t>((v & 0x1f3f) | 0x40);
  update_summary(x);
}
template <class E>
void store_cw(E& e, const DecodedInsn& i) {
  e.write_mem(i.seg, e.effective_address(i), 2, e.state().x87.fcw);
}
template <Sw D, class E>
void store_sw(E& e, const DecodedInsn& i) {
  CpuState& s = e.state();
  if constexpr (D == Sw::Ax) s.gpr[0] = (s.gpr[0] & ~uint64_t{0xffff}) | s.x87.fsw;
  else e.write_mem(i.seg, e.effective_address(i), 2, s.x87.fsw);
}
template <class E>
void clear_exceptions(E& e, const DecodedInsn&) {
  X87State& x = e.state().x87;
  x.fsw = static_cast<uint16_t>(x.fsw & 0x7f00);
}
template <class E>
void init_fpu(E& e, const DecodedInsn&) { init(e.state().x87); }
template <class E>
void no_op(E&, const DecodedInsn&) {}

// ---- register stack operations ---------------------------------------------------------------

template <class E>
void fld_reg(E& e, const DecodedInsn& i) {
  X87State& x = e.state().x87;
  if (empty(x, sti(i))) {
    if (stack_fault(x, false)) push(x, kIndefinite);
    return;
  }
  push_checked(x, get(x, sti(i)));
}
template <class E>
void fxch(E& e, const DecodedInsn& i) {
  X87State& x = e.state().x87;
  const unsigned r = sti(i);
  if (empty(x, 0) || empty(x, r)) {
    if (!stack_fault(x, false)) return;
    if (empty(x, 0)) put(x, 0, kIndefinite);
    if (empty(x, r)) put(x, r, kIndefinite);
  } else {
    set_c1(x, false);
  }
  const Float80 a = get(x, 0), b = get(x, r);
  put(x, 0, b);
  put(x, r, a);
}
// FST/FSTP ST(i) (and the FSTP8/FSTP9 aliases).
template <unsigned Pops, class E>
void fst_reg(E& e, const DecodedInsn& i) {
  X87State& x = e.state().x87;
  if (empty(x, 0)) {
    if (stack_fault(x, false)) {
      put(x, sti(i), kIndefinite);
      if (Pops) pop(x);
    }
    return;
  }
  set_c1(x, false);
  put(x, sti(i), get(x, 0));
  if (Pops) pop(x);
}
// D9 D8+i (FSTP1): FSTP ST(i), except that an empty ST(0) is no fault: it only pops
// (ST(i) untouched), as the host does.
template <class E>
void fstp1(E& e, const DecodedInsn& i) {
  X87State& x = e.state().x87;
  set_c1(x, false);
  if (!empty(x, 0)) put(x, sti(i), get(x, 0));
  pop(x);
}
// FFREE / FFREEP ST(i).
template <unsigned Pops, class E>
void ffree(E& e, const DecodedInsn& i) {
  X87State& x = e.state().x87;
  set_c1(x, false);
  set_tag(x, phys(x, sti(i)), true);
  if (Pops) pop(x);
}
// FDECSTP / FINCSTP.
template <int Delta, class E>
void add_top(E& e, const DecodedInsn&) {
  X87State& x = e.state().x87;
  set_c1(x, false);
  set_top(x, static_cast<unsigned>(static_cast<int>(x.top()) + Delta));
}
template <Const K, class E>
void fld_const(E& e, const DecodedInsn&) {
  X87State& x = e.state().x87;
  push_checked(x, fpu::f80_constant(K, static_cast<fpu::Rounding>((x.fcw >> 10) & 3)));
}
inline bool fcmov_condition(uint64_t fl, Cc cc) {
  const bool cf = fl & isa::FL_CF, zf = fl & isa::FL_ZF, pf = fl & isa::FL_PF;
  switch (cc) {
    case Cc::B: return cf;
    case Cc::E: return zf;
    case Cc::BE: return cf || zf;
    default: return pf;
  }
}
// FCMOVcc (Moves = true) and FCMOVNcc (Moves = false: moves when the condition is clear).
template <Cc C, bool Moves, class E>
void fcmov(E& e, const DecodedInsn& i) {
  CpuState& s = e.state();
  X87State& x = s.x87;
  const unsigned r = sti(i);
  if (empty(x, 0) || empty(x, r)) {
    if (stack_fault(x, false)) put(x, 0, kIndefinite);
    return;
  }
  if (fcmov_condition(read_rflags(s), C) == Moves) put(x, 0, get(x, r));
}

// ---- ST(0) (and ST(1)) functions ------------------------------------------------------------

using UnaryFn = Float80 (*)(Float80, FloatStatus&);
using BinaryFn = Float80 (*)(Float80, Float80, FloatStatus&);
inline Float80 negate(Float80 a, FloatStatus& st) {
  st.c1 = false;
  return fpu::f80_chs(a);
}
inline Float80 magnitude(Float80 a, FloatStatus& st) {
  st.c1 = false;
  return fpu::f80_abs(a);
}
// FCHS FABS FSQRT FRNDINT F2XM1: ST(0) = f(ST(0)).
template <UnaryFn F, class E>
void unary(E& e, const DecodedInsn&) {
  X87State& x = e.state().x87;
  if (empty(x, 0)) {
    if (stack_fault(x, false)) put(x, 0, kIndefinite);
    return;
  }
  FloatStatus st = status(x);
  const Float80 r = F(get(x, 0), st);
  commit(x, st);
  if (written(st)) put(x, 0, r);
}
// FYL2X FYL2XP1 FPATAN (ST(1) = f(ST(0), ST(1)), pop) and FSCALE (ST(0) = f(ST(0), ST(1))).
template <Into D, BinaryFn F, class E>
void binary_st01(E& e, const DecodedInsn&) {
  X87State& x = e.state().x87;
  constexpr bool into_st1 = D == Into::St1Pop;
  if (empty(x, 0) || empty(x, 1)) {
    if (stack_fault(x, false)) {
      put(x, into_st1 ? 1 : 0, kIndefinite);
      if (into_st1) pop(x);
    }
    return;
  }
  FloatStatus st = status(x);
  const Float80 r = F(get(x, 0), get(x, 1), st);
  commit(x, st);
  if (!written(st)) return;
  if (into_st1) {
    put(x, 1, r);
    pop(x);
  } else {
    put(x, 0, r);
  }
}
// FPREM / FPREM1.
template <Rem R, class E>
void fprem(E& e, const DecodedInsn&) {
  X87State& x = e.state().x87;
  if (empty(x, 0) || empty(x, 1)) {
    x.fsw = static_cast<uint16_t>(x.fsw & ~sw::C2);  // as the host shows: no partial remainder
    if (stack_fault(x, false)) put(x, 0, kIndefinite);
    return;
  }
  FloatStatus st = status(x);
  fpu::Remainder r = fpu::f80_prem(get(x, 0), get(x, 1), R == Rem::Ieee, st);
  commit(x, st);
  if (!written(st)) {  // unmasked exception: as the host shows, C2 = 0 (C0, C1, C3 unchanged)
    x.fsw = static_cast<uint16_t>(x.fsw & ~sw::C2);
    return;
  }
  put(x, 0, r.value);
  const bool nan = r.value.exponent() == 0x7fff && (r.value.signif << 1) != 0;
  if (nan)  // as the host shows: C0 and C3 keep their value, C1 and C2 are cleared
    x.fsw = static_cast<uint16_t>(x.fsw & ~(sw::C1 | sw::C2));
  else
    set_cc(x, fpu::remainder_condition_bits(r));
}
template <class E>
void fxtract(E& e, const DecodedInsn&) {
  X87State& x = e.state().x87;
  if (empty(x, 0) || !empty_phys(x, (x.top() - 1) & 7)) {
    if (stack_fault(x, !empty(x, 0))) {
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
// FSIN/FCOS, and FPTAN/FSINCOS (which push a second value).
template <Trig T, class E>
void trig(E& e, const DecodedInsn&) {
  X87State& x = e.state().x87;
  constexpr bool pushes = T == Trig::Tan || T == Trig::SinCos;
  const bool underflow = empty(x, 0), overflow = pushes && !empty_phys(x, (x.top() - 1) & 7);
  if (underflow || overflow) {
    x.fsw = static_cast<uint16_t>(x.fsw & ~sw::C2);  // a stack fault reports C2 = 0
    if (stack_fault(x, !underflow)) {
      put(x, 0, kIndefinite);
      if (pushes) push(x, kIndefinite);
    }
    return;
  }
  FloatStatus st = status(x);
  const Float80 a = get(x, 0);
  Float80 v, second;
  bool out = false;
  if constexpr (T == Trig::SinCos) {
    fpu::SinCos r = fpu::f80_sincos(a, st);
    v = r.sin;
    second = r.cos;
    out = r.out_of_range;
  } else {
    fpu::TrigResult r = T == Trig::Sin ? fpu::f80_sin(a, st) : T == Trig::Cos ? fpu::f80_cos(a, st) : fpu::f80_tan(a, st);
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

// ---- one handler per form, generated from the X87 lines of the opcode table ------------------
// #NM/#MF check (waiting forms), FIP/FOP for register forms that are not control
// instructions (memory forms note them once their operand is read), the operation, RIP.
#define X(...)
#define X87(opc, reg, mod, rm, mn, ops, fr, fw, attrs, h, op, ...)           \
  template <class E>                                                         \
  void sem_##h(E& e, const DecodedInsn& i) {                                 \
    using namespace isa;                                                     \
    using namespace x87;                                                     \
    x87::check(e, !((attrs) & NOWAIT));                                      \
    if constexpr ((mod) == REG && !((attrs) & X87CTL)) x87::note_insn(e, i); \
    x87::op<__VA_ARGS__>(e, i);                                              \
    advance(e, i);                                                           \
  }
#include "cpu/isa/opcodes.def"
#undef X

// FWAIT: #NM when CR0.MP and CR0.TS; #MF for a pending unmasked exception (CR0.NE).
template <class E>
void sem_fwait(E& e, const DecodedInsn& i) {
  const CpuState& s = e.state();
  if ((s.cr0 & x87::kCr0MP) && (s.cr0 & x87::kCr0TS)) e.raise(kNM);
  if ((s.x87.fsw & fpu::x87sw::ES) && (s.cr0 & x87::kCr0NE)) e.raise(kMF);
  advance(e, i);
}

}  // namespace emu::sem
