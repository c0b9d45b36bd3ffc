// Lazy evaluation of the arithmetic flags (CF PF AF ZF SF OF) from the last
// flag-setting operation recorded in CpuState::lf, and helpers to record operations.
#pragma once
#include <cstdint>

#include "cpu/cpu_state.h"
#include "cpu/isa/opcode_table.h"

namespace emu {

inline uint64_t size_mask(unsigned size) { return size >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * size)) - 1; }
inline uint64_t sign_bit(unsigned size) { return uint64_t{1} << (8 * size - 1); }
inline bool parity_even(uint64_t v) { return !(__builtin_popcount(static_cast<unsigned>(v & 0xff)) & 1); }

// All six arithmetic flags of the recorded operation, as RFLAGS bits.
uint32_t compute_arith_flags(const LazyFlags& lf, uint64_t rflags);

// Current RFLAGS with the arithmetic bits evaluated.
inline uint64_t read_rflags(const CpuState& s) {
  if (s.lf.op == FlagOp::None) return s.rflags;
  return (s.rflags & ~uint64_t{isa::FL_ARITH}) | compute_arith_flags(s.lf, s.rflags);
}
// Evaluates the arithmetic flags into RFLAGS (lf.op becomes None).
inline void materialize_flags(CpuState& s) {
  if (s.lf.op != FlagOp::None) {
    s.rflags = read_rflags(s);
    s.lf.op = FlagOp::None;
  }
}
// Sets the arithmetic flags in `mask` to `values` (other arithmetic flags keep their value).
inline void set_arith_flags(CpuState& s, uint32_t mask, uint32_t values) {
  materialize_flags(s);
  s.rflags = (s.rflags & ~uint64_t{mask}) | (values & mask);
}
bool flag_cf(const CpuState& s);
inline void record_flags(CpuState& s, FlagOp op, unsigned size, uint64_t result, uint64_t a, uint64_t b,
                         unsigned carry_in = 0) {
  s.lf.op = op;
  s.lf.size = static_cast<uint8_t>(size);
  s.lf.result = result;
  s.lf.src1 = a;
  s.lf.src2 = b;
  s.lf.carry_in = static_cast<uint8_t>(carry_in);
}
// INC/DEC: like ADD/SUB of 1, but CF keeps its previous value (held in carry_in).
inline void record_inc_dec(CpuState& s, FlagOp op, unsigned size, uint64_t result, uint64_t a) {
  unsigned cf = flag_cf(s);
  record_flags(s, op, size, result, a, 1, cf);
}

// ROL/ROR/RCL/RCR by a nonzero count, BT*: CF/OF from `bits` (CF << 1 | (CF ^ OF): what
// ROR's top two result bits and ROL's result rotated once more hold); SF/ZF/AF/PF keep
// their values (no evaluation: a record becomes a Rot record over it).
inline unsigned rotate_flag_bits(bool cf, bool of) { return (cf ? 2u : 0u) | (cf != of ? 1u : 0u); }
inline void record_rotate(CpuState& s, unsigned bits) {
  if (s.lf.op == FlagOp::None) {
    const uint64_t cf = (bits >> 1) & 1, of = (bits ^ cf) & 1;
    s.rflags = (s.rflags & ~uint64_t{isa::FL_CF | isa::FL_OF}) | cf | (of << 11);
    return;
  }
  static_assert(isa::FL_CF == 1 && isa::FL_OF == 1 << 11);
  if (s.lf.op != FlagOp::Rot) {
    s.lf.prev = s.lf.op;
    s.lf.op = FlagOp::Rot;
  }
  s.lf.carry_in = static_cast<uint8_t>(bits);
}

// Single flags without evaluating all six.
bool flag_cf(const CpuState& s);
bool flag_zf(const CpuState& s);
bool flag_sf(const CpuState& s);
bool flag_of(const CpuState& s);
bool flag_pf(const CpuState& s);
// Condition code cc (0..15, as in Jcc) evaluated against the current flags.
bool eval_condition(const CpuState& s, unsigned cc);
// The same through the per-flag functions (eval_condition_inline's other cases).
bool eval_condition_from_flags(const CpuState& s, unsigned cc);

// A condition after CMP/SUB (the usual record before a Jcc/SETcc/CMOVcc): compared from
// the operands, moved to the top bits so that unsigned and signed order both hold.
// Not for O and P (cc >> 1 == 0 or 5).
inline bool condition_after_sub(const LazyFlags& lf, unsigned cc) {
  const unsigned shift = 64 - 8u * lf.size;
  const uint64_t a = lf.src1 << shift, b = lf.src2 << shift, r = lf.result << shift;
  switch (cc >> 1) {
    case 1: return a < b;                           // B: CF
    case 2: return r == 0;                          // Z
    case 3: return a < b || r == 0;                 // BE: CF | ZF
    case 4: return static_cast<int64_t>(r) < 0;     // S
    case 6: return static_cast<int64_t>(a) < static_cast<int64_t>(b);  // L: SF != OF
    default: return static_cast<int64_t>(a) < static_cast<int64_t>(b) || r == 0;  // LE
  }
}
// After TEST/AND/OR/XOR: CF = OF = 0, so only ZF, SF and PF matter.
inline bool condition_after_logic(const LazyFlags& lf, unsigned cc) {
  const uint64_t r = lf.result << (64 - 8u * lf.size);
  switch (cc >> 1) {
    case 0: case 1: return false;  // O, B
    case 2: case 3: return r == 0;  // Z, BE
    case 4: case 6: return static_cast<int64_t>(r) < 0;  // S, L
    case 5: return parity_even(lf.result);
    default: return static_cast<int64_t>(r) <= 0;  // LE: ZF | SF
  }
}
// eval_condition with the frequent cases inline (after CMP/SUB, logic ops, and ZF/SF
// after any record: its result holds them); for a constant cc this folds to a compare.
[[gnu::always_inline]] inline bool eval_condition_inline(const CpuState& s, unsigned cc) {
  const unsigned kind = cc >> 1;
  bool r;
  if (s.lf.op == FlagOp::Sub && kind != 0 && kind != 5) r = condition_after_sub(s.lf, cc);
  else if (s.lf.op == FlagOp::Logic) r = condition_after_logic(s.lf, cc);
  else if ((kind == 2 || kind == 4) && s.lf.op != FlagOp::None)
    r = kind == 2 ? (s.lf.result & size_mask(s.lf.size)) == 0 : (s.lf.result & sign_bit(s.lf.size)) != 0;
  else return eval_condition_from_flags(s, cc);
  return (cc & 1) ? !r : r;
}

// The ZF/SF/PF bits of a result of `size` bytes.
inline uint32_t szp_flags(uint64_t result, unsigned size) {
  uint64_t r = result & size_mask(size);
  uint32_t f = 0;
  if (r == 0) f |= isa::FL_ZF;
  if (r & sign_bit(size)) f |= isa::FL_SF;
  if (parity_even(r)) f |= isa::FL_PF;
  return f;
}

}  // namespace emu
