// 128-bit-significand working precision for the transcendental functions.
#include "cpu/fpu/wide_float.h"

namespace emu::fpu::detail {

Wide wide_from_u128(bool neg, u128 v, int32_t exp2) {
  if (v == 0) return Wide{};
  const int lz = clz128(v);
  return Wide{neg, exp2 + 127 - lz, v << lz};
}

int wide_cmp_abs(const Wide& a, const Wide& b) {
  if (a.is_zero() || b.is_zero()) return (a.is_zero() ? 0 : 1) - (b.is_zero() ? 0 : 1);
  if (a.exp != b.exp) return a.exp < b.exp ? -1 : 1;
  if (a.m != b.m) return a.m < b.m ? -1 : 1;
  return 0;
}

Wide wide_add(const Wide& a, const Wide& b) {
  if (a.is_zero()) return b;
  if (b.is_zero()) return a;
  const bool a_big = wide_cmp_abs(a, b) >= 0;
  const Wide& big = a_big ? a : b;
  const Wide& small = a_big ? b : a;
  const int32_t d = big.exp - small.exp;
  const u128 sm = shift_right_sticky(small.m, d > 200 ? 200 : static_cast<int>(d));
  if (big.neg == small.neg) {
    const u128 sum = ((big.m >> 1) + (sm >> 1) + ((big.m & sm) & 1)) | ((big.m ^ sm) & 1);
    return wide_from_u128(big.neg, sum, big.exp - 126);
  }
  return wide_from_u128(big.neg, big.m - sm, big.exp - 127);
}

Wide wide_mul(const Wide& a, const Wide& b) {
  if (a.is_zero() || b.is_zero()) return Wide{};
  const uint64_t a0 = static_cast<uint64_t>(a.m), a1 = static_cast<uint64_t>(a.m >> 64);
  const uint64_t b0 = static_cast<uint64_t>(b.m), b1 = static_cast<uint64_t>(b.m >> 64);
  const u128 p00 = u128{a0} * b0, p01 = u128{a0} * b1, p10 = u128{a1} * b0, p11 = u128{a1} * b1;
  const u128 mid = (p00 >> 64) + static_cast<uint64_t>(p01) + static_cast<uint64_t>(p10);
  const u128 hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
  const uint64_t lo_top = static_cast<uint64_t>(mid);  // bits 64..127 of the 256-bit product
  const bool lost = lo_top != 0 || static_cast<uint64_t>(p00) != 0;
  // product = hi * 2^128 + ..., value = product * 2^(a.exp + b.exp - 254); lost bits
  // are kept as a sticky bit 0.
  if (hi >> 127) return Wide{a.neg != b.neg, a.exp + b.exp + 1, hi | (lost ? 1 : 0)};
  const bool lost_below = (lo_top << 1) != 0 || static_cast<uint64_t>(p00) != 0;
  return Wide{a.neg != b.neg, a.exp + b.exp, (hi << 1) | (lo_top >> 63) | (lost_below ? 1 : 0)};
}

Wide wide_div(const Wide& a, const Wide& b) {
  if (a.is_zero() || b.is_zero()) return Wide{};
  u128 r = a.m;
  int32_t e = a.exp - b.exp;
  bool top = false;
  if (r < b.m) {
    top = (r >> 127) != 0;
    r <<= 1;
    e -= 1;
  }
  u128 q = 0;
  for (int i = 0; i < 128; ++i) {
    const bool bit = top || r >= b.m;
    if (bit) r -= b.m;
    q = (q << 1) | (bit ? 1 : 0);
    top = (r >> 127) != 0;
    r <<= 1;
  }
  return Wide{a.neg != b.neg, e, q | ((r != 0 || top) ? 1 : 0)};  // sticky remainder
}

Wide wide_div_small(const Wide& a, uint32_t n) {
  if (a.is_zero() || n == 1) return a;
  // m / n = q1 + r1 / n; 64 more quotient bits come from (r1 << 64) / n.
  const u128 q1 = a.m / n;
  const u128 r1 = a.m % n;
  const u128 q2 = (r1 << 64) / n;
  const bool rest = ((r1 << 64) % n) != 0;
  const int lz = clz128(q1);  // 1..32 since 2 <= n < 2^32
  const u128 m = (q1 << lz) | (q2 >> (64 - lz));
  const bool lost = static_cast<uint64_t>(q2 << lz) != 0 || rest;
  // value = (q1 * 2^64 + q2) * 2^(exp - 127 - 64) = m * 2^(exp - 127 - lz)
  return Wide{a.neg, a.exp - lz, m | (lost ? 1 : 0)};
}

namespace {
// floor(sqrt(v)) for v < 2^128.
uint64_t isqrt128(u128 v) {
  u128 rem = 0, root = 0;
  for (int j = 63; j >= 0; --j) {
    rem = (rem << 2) | ((v >> (2 * j)) & 3);
    const u128 trial = (root << 2) | 1;
    if (rem >= trial) {
      rem -= trial;
      root = (root << 1) | 1;
    } else {
      root <<= 1;
    }
  }
  return static_cast<uint64_t>(root);
}
}  // namespace

Wide wide_sqrt(const Wide& a) {
  if (a.is_zero()) return Wide{};
  // value = m * 2^(exp-127); pick an even power of two.
  const int32_t e2 = a.exp - 127;
  const bool odd = (e2 % 2) != 0;
  const u128 m = odd ? a.m >> 1 : a.m;
  const int32_t half = (odd ? e2 + 1 : e2) / 2;
  Wide s = wide_from_u128(false, isqrt128(m), half);  // 63+ correct bits
  const Wide abs_a = wide_abs(a);
  for (int i = 0; i < 2; ++i) s = wide_scale(wide_add(s, wide_div(abs_a, s)), -1);
  return s;
}

// Truncated to 128 bits with bit 0 set as the sticky bit of the (nonzero) rest.
Wide wide_pi() {
  return Wide{false, 1, (u128{0xC90FDAA22168C234ull} << 64) | 0xC4C6628B80DC1CD1ull};
}
Wide wide_ln2() {
  return Wide{false, -1, (u128{0xB17217F7D1CF79ABull} << 64) | 0xC9E3B39803F2F6AFull};
}
Wide wide_log2e() {
  return Wide{false, 0, (u128{0xB8AA3B295C17F0BBull} << 64) | 0xBE87FED0691D3E89ull};
}

Packed wide_round_f80(Ctx& c, const Wide& v) {
  if (v.is_zero()) return packed_zero(kF80, v.neg);
  const Packed p = round_pack(c, kF80, 64, v.neg, v.exp - 127, v.m);
  c.raise(flag::Precision);  // the hardware flags every such result as inexact
  // ... so a denormal result is a tiny inexact one: UE even when the value is exact
  // (FYL2XP1 with x = 3 and a denormal y gives exactly 2y, with UE).
  if (p.exp == 0 && (c.masks & flag::Underflow)) c.raise(flag::Underflow);
  return p;
}

}  // namespace emu::fpu::detail
