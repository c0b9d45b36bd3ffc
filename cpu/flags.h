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
