// Internal 128-bit-significand floating point used to evaluate the x87 transcendental
// functions before the final rounding to 64 bits: truncating arithmetic that keeps lost
// bits as a sticky bit 0 (so exact values stay exact and tiny corrections still steer
// directed rounding), about 125 correct bits per operation. Not IEEE: no specials.
#pragma once
#include <cstdint>

#include "cpu/fpu/float_internal.h"

namespace emu::fpu::detail {

// value = (neg ? -1 : 1) * m * 2^(exp - 127); m normalized (bit 127 set) or 0 for zero.
struct Wide {
  bool neg = false;
  int32_t exp = 0;
  u128 m = 0;
  bool is_zero() const { return m == 0; }
};

// v * 2^exp2, normalized.
Wide wide_from_u128(bool neg, u128 v, int32_t exp2);
inline Wide wide_from_int(int64_t v) {
  return wide_from_u128(v < 0, v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v), 0);
}
// A finite nonzero operand (normalized significand).
inline Wide wide_from_operand(const Operand& o) { return Wide{o.sign, o.exp, u128{o.sig} << 64}; }
inline Wide wide_neg(Wide a) {
  a.neg = !a.neg;
  return a;
}
inline Wide wide_abs(Wide a) {
  a.neg = false;
  return a;
}
inline Wide wide_scale(Wide a, int32_t n) {
  if (!a.is_zero()) a.exp += n;
  return a;
}

Wide wide_add(const Wide& a, const Wide& b);
inline Wide wide_sub(const Wide& a, const Wide& b) { return wide_add(a, wide_neg(b)); }
Wide wide_mul(const Wide& a, const Wide& b);
Wide wide_div(const Wide& a, const Wide& b);
Wide wide_div_small(const Wide& a, uint32_t n);  // a / n for 1 <= n < 2^32 (series terms)
Wide wide_sqrt(const Wide& a);  // a >= 0
// Compares magnitudes: -1, 0, 1.
int wide_cmp_abs(const Wide& a, const Wide& b);

// Constants with 128-bit significands.
Wide wide_pi();
Wide wide_ln2();
Wide wide_log2e();

// Rounds to a Float80 in ctx's rounding mode, raising PE (as the hardware does for every
// nonzero transcendental result, even exact ones; masked UE then follows for every
// denormal result), UE/OE as applicable.
Packed wide_round_f80(Ctx& c, const Wide& v);

}  // namespace emu::fpu::detail
