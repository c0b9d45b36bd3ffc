// The one rounding routine of the library: turns an exact (or sticky-marked) binary
// value into a packed result of a format and precision, following IEEE 754 and the
// x86 specifics (tininess detected after rounding, x87 exponent bias on unmasked
// overflow/underflow, SSE flush-to-zero, C1 = rounded up).
#include "cpu/fpu/float_internal.h"

namespace emu::fpu::detail {

namespace {
struct Rounded {
  u128 kept;
  bool inexact;
  bool incremented;
};

Rounded round_right(u128 v, int shift, Rounding r, bool negative) {
  if (shift <= 0) return {v << -shift, false, false};
  u128 kept;
  bool half;
  bool sticky;
  if (shift > 128) {
    kept = 0;
    half = false;
    sticky = v != 0;
  } else if (shift == 128) {
    kept = 0;
    half = (v >> 127) != 0;
    sticky = (v << 1) != 0;
  } else {
    kept = v >> shift;
    const u128 half_bit = u128{1} << (shift - 1);
    half = (v & half_bit) != 0;
    sticky = (v & (half_bit - 1)) != 0;
  }
  const bool inexact = half || sticky;
  bool inc = false;
  switch (r) {
    case Rounding::NearestEven: inc = half && (sticky || (kept & 1) != 0); break;
    case Rounding::Down: inc = negative && inexact; break;
    case Rounding::Up: inc = !negative && inexact; break;
    case Rounding::TowardZero: inc = false; break;
  }
  return {kept + (inc ? 1 : 0), inexact, inc};
}
}  // namespace

u128 round_shift_right(u128 v, int shift, Rounding r, bool negative, bool* inexact) {
  Rounded k = round_right(v, shift, r, negative);
  *inexact = k.inexact;
  return k.kept;
}

Packed round_pack(Ctx& c, const Format& f, int prec, bool sign, int32_t exp2, u128 mant) {
  c.c1 = false;
  if (mant == 0) return packed_zero(f, sign);
  const int lz = clz128(mant);
  const u128 sig = mant << lz;
  int32_t exp = exp2 + 127 - lz;  // value = sig / 2^127 * 2^exp
  const int drop = 128 - prec;
  const uint64_t prec_ones = prec == 64 ? ~uint64_t{0} : (uint64_t{1} << prec) - 1;

  bool tiny = false;
  if (exp < f.emin) {
    // x86 detects tininess after rounding: would the result, rounded to `prec` bits
    // with an unbounded exponent, be below the smallest normal?
    const Rounded unbounded = round_right(sig, drop, c.rounding, sign);
    const bool carried = (unbounded.kept >> prec) != 0;
    tiny = !(carried && exp + 1 >= f.emin);
    if (tiny) {
      if (!(c.masks & flag::Underflow)) {
        // Unmasked: x87 delivers the result with the exponent biased up; SSE delivers
        // nothing (the same value is computed and the caller discards it).
        c.raise(flag::Underflow);
        exp += f.bias_adjust;
        tiny = false;
        if (exp < f.emin) {
          // Beyond the reach of the bias: the x87 delivers a signed zero.
          c.raise(flag::Precision);
          return packed_zero(f, sign);
        }
      } else if (f.sse && c.ftz) {
        c.raise(flag::Underflow | flag::Precision);
        return packed_zero(f, sign);
      }
    }
  }
  if (exp < f.emin) {
    const int32_t d = f.emin - exp;
    const int shift = d > 200 ? 200 : drop + static_cast<int>(d);
    const Rounded k = round_right(sig, shift, c.rounding, sign);
    if (k.inexact) {
      c.raise(flag::Precision);
      if (tiny) c.raise(flag::Underflow);
    }
    c.c1 = k.incremented;
    const uint64_t sig64 = static_cast<uint64_t>(k.kept) << (64 - prec);
    return Packed{sign, (sig64 >> 63) ? 1u : 0u, sig64};
  }

  Rounded k = round_right(sig, drop, c.rounding, sign);
  if ((k.kept >> prec) != 0) {
    k.kept >>= 1;
    ++exp;
  }
  if (exp > f.emax) {
    if (!(c.masks & flag::Overflow)) {
      c.raise(flag::Overflow);
      exp -= f.bias_adjust;
      if (exp > f.emax) {
        // Beyond the reach of the bias: the x87 delivers infinity in every rounding mode.
        c.raise(flag::Precision);
        c.c1 = true;
        return packed_inf(f, sign);
      }
    } else {
      c.raise(flag::Overflow | flag::Precision);
      const bool to_inf = c.rounding == Rounding::NearestEven || (c.rounding == Rounding::Up && !sign) ||
                          (c.rounding == Rounding::Down && sign);
      c.c1 = to_inf;
      if (to_inf) return packed_inf(f, sign);
      return Packed{sign, static_cast<uint32_t>(f.emax + f.bias), prec_ones << (64 - prec)};
    }
  }
  if (k.inexact) c.raise(flag::Precision);
  c.c1 = k.incremented;
  return Packed{sign, static_cast<uint32_t>(exp + f.bias), static_cast<uint64_t>(k.kept) << (64 - prec)};
}

}  // namespace emu::fpu::detail
