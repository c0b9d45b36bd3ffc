// x87-only operations that are not plain IEEE arithmetic: FXAM, FBLD/FBSTP packed BCD,
// FXTRACT, FSCALE, FPREM/FPREM1 and the FLDxx constants.
#include <cstddef>

#include "cpu/fpu/float_internal.h"
#include "cpu/fpu/softfloat.h"

namespace emu::fpu {
using namespace detail;

namespace {
bool nan_or_unsupported(const Operand& o) { return o.is_nan() || o.cls == Class::Unsupported; }
Float80 f80(Packed p) { return pack_f80(p); }
}  // namespace

uint16_t f80_examine(Float80 a, bool empty) {
  const uint16_t c1 = a.sign() ? x87sw::C1 : 0;
  if (empty) return c1 | x87sw::C3 | x87sw::C0;
  switch (unpack_f80(a).cls) {
    case Class::Unsupported: return c1;
    case Class::QNaN:
    case Class::SNaN: return c1 | x87sw::C0;
    case Class::Normal: return c1 | x87sw::C2;
    case Class::Inf: return c1 | x87sw::C2 | x87sw::C0;
    case Class::Zero: return c1 | x87sw::C3;
    case Class::Denormal: return c1 | x87sw::C3 | x87sw::C2;
  }
  return c1;
}

// --- packed BCD ---------------------------------------------------------------------------
std::array<uint8_t, 10> f80_to_bcd(Float80 a, FloatStatus& st) {
  Ctx c(st);
  const Operand o = unpack_f80(a);
  std::array<uint8_t, 10> out{};
  // Packed BCD indefinite: FFFF C000 0000 0000 0000.
  std::array<uint8_t, 10> indefinite{};
  indefinite[7] = 0xC0;
  indefinite[8] = 0xFF;
  indefinite[9] = 0xFF;
  constexpr uint64_t kMax = 999999999999999999ull;
  uint64_t value = 0;
  bool ok = true;
  if (nan_or_unsupported(o) || o.cls == Class::Inf || (o.is_finite_nonzero() && o.exp >= 64)) {
    ok = false;
  } else if (o.is_finite_nonzero()) {
    const int shift = 63 - o.exp;
    bool inexact = false;
    const u128 kept = round_shift_right(u128{o.sig}, shift, c.rounding, o.sign, &inexact);
    if (kept > kMax) {
      ok = false;
    } else {
      value = static_cast<uint64_t>(kept);
      if (inexact) {
        c.raise(flag::Precision);
        const u128 truncated = shift >= 128 ? 0 : (shift <= 0 ? u128{o.sig} << -shift : u128{o.sig} >> shift);
        c.c1 = kept != truncated;
      }
    }
  }
  if (!ok) {
    c.raise(flag::Invalid);
    c.commit(st);
    return indefinite;
  }
  for (int i = 0; i < 9; ++i) {
    const unsigned lo = static_cast<unsigned>(value % 10);
    value /= 10;
    const unsigned hi = static_cast<unsigned>(value % 10);
    value /= 10;
    out[static_cast<size_t>(i)] = static_cast<uint8_t>(hi << 4 | lo);
  }
  out[9] = o.sign ? 0x80 : 0x00;
  c.commit(st);
  return out;
}

Float80 bcd_to_f80(const std::array<uint8_t, 10>& bcd) {
  uint64_t value = 0;
  for (int i = 8; i >= 0; --i) {
    value = value * 10 + (bcd[static_cast<size_t>(i)] >> 4);
    value = value * 10 + (bcd[static_cast<size_t>(i)] & 15);
  }
  const bool neg = (bcd[9] & 0x80) != 0;
  if (value == 0) return Float80{0, static_cast<uint16_t>(neg ? 0x8000 : 0)};
  const Float80 r = i64_to_f80(static_cast<int64_t>(value));
  return neg ? f80_chs(r) : r;
}

// --- FXTRACT --------------------------------------------------------------------------------
Extracted f80_extract(Float80 a, FloatStatus& st) {
  Ctx c(st);
  const Operand o = unpack_f80(a);
  Extracted r;
  if (nan_or_unsupported(o)) {
    const Float80 n = f80(propagate_nan1(c, kF80, o));
    r = {n, n};
  } else if (o.cls == Class::Zero) {
    c.raise(flag::DivideByZero);
    r = {f80(packed_inf(kF80, true)), a};
  } else if (o.cls == Class::Inf) {
    r = {f80(packed_inf(kF80, false)), a};
  } else {
    if (o.cls == Class::Denormal) c.raise(flag::Denormal);
    const Float80 sig{o.sig, static_cast<uint16_t>((o.sign ? 0x8000 : 0) | 0x3FFF)};
    r = {i64_to_f80(o.exp), sig};
  }
  c.c1 = false;
  c.commit(st);
  return r;
}

// --- FSCALE ---------------------------------------------------------------------------------
Float80 f80_scale(Float80 a, Float80 b, FloatStatus& st) {
  Ctx c(st);
  const Operand oa = unpack_f80(a), ob = unpack_f80(b);
  Packed r;
  if (nan_or_unsupported(oa) || nan_or_unsupported(ob)) {
    r = propagate_nan2(c, kF80, oa, ob);
  } else {
    if (oa.cls == Class::Denormal || ob.cls == Class::Denormal) c.raise(flag::Denormal);
    if (ob.cls == Class::Inf) {
      if ((!ob.sign && oa.cls == Class::Zero) || (ob.sign && oa.cls == Class::Inf)) {
        c.raise(flag::Invalid);
        r = packed_default_nan(kF80);
      } else if (!ob.sign) {
        r = packed_inf(kF80, oa.sign);
      } else {
        r = packed_zero(kF80, oa.sign);
      }
    } else if (oa.cls == Class::Inf) {
      r = packed_inf(kF80, oa.sign);
    } else if (oa.cls == Class::Zero) {
      r = packed_zero(kF80, oa.sign);
    } else {
      // trunc(b), clamped far beyond any exponent that can still round to a finite value.
      int64_t n = 0;
      if (ob.cls != Class::Zero && ob.exp >= 0) {
        n = ob.exp >= 20 ? (int64_t{1} << 20) : static_cast<int64_t>(ob.sig >> (63 - ob.exp));
        if (ob.sign) n = -n;
      }
      r = c.pre_trap() ? packed_default_nan(kF80)
                       : round_pack(c, kF80, 64, oa.sign, oa.exp - 63 + static_cast<int32_t>(n), oa.sig);
    }
  }
  c.commit(st);
  return f80(r);
}

// --- FPREM / FPREM1 -------------------------------------------------------------------------
Remainder f80_prem(Float80 a, Float80 b, bool ieee, FloatStatus& st) {
  Ctx c(st);
  const Operand oa = unpack_f80(a), ob = unpack_f80(b);
  Remainder r;
  r.value = a;
  if (nan_or_unsupported(oa) || nan_or_unsupported(ob)) {
    r.value = f80(propagate_nan2(c, kF80, oa, ob));
  } else if (oa.cls == Class::Inf || ob.cls == Class::Zero) {
    c.raise(flag::Invalid);
    r.value = f80(packed_default_nan(kF80));
  } else {
    if (oa.cls == Class::Denormal || ob.cls == Class::Denormal) c.raise(flag::Denormal);
    if (oa.cls == Class::Zero || c.pre_trap()) {
      // remainder is the dividend itself (quotient 0)
    } else if (ob.cls == Class::Inf) {
      // The dividend, normalized (a denormal result may underflow).
      r.value = f80(round_pack(c, kF80, 64, oa.sign, oa.exp - 63, oa.sig));
    } else {
      const int32_t d = oa.exp - ob.exp;
      bool negative = oa.sign;
      u128 rem;
      int32_t rem_exp2 = ob.exp - 63;  // remainder = rem * 2^rem_exp2
      uint64_t q = 0;
      if (d < 64) {
        if (d < 0) {
          // |a| < |b|: quotient 0 (FPREM1 may still round it to 1 when d == -1).
          rem = u128{oa.sig};
          rem_exp2 = oa.exp - 63;
          if (ieee && d == -1 && oa.sig > ob.sig) {
            // a - b with |a| in (|b|/2, |b|): remainder = b - a, sign flipped; quotient 1.
            rem = (u128{ob.sig} << 1) - oa.sig;
            negative = !negative;
            q = 1;
          }
        } else {
          const u128 num = u128{oa.sig} << d;
          u128 quot = num / ob.sig;
          rem = num % ob.sig;
          if (ieee) {
            const u128 twice = rem << 1;
            if (twice > ob.sig || (twice == ob.sig && (quot & 1))) {
              rem = u128{ob.sig} - rem;
              negative = !negative;
              ++quot;
            }
          }
          q = static_cast<uint64_t>(quot);
        }
        r.quotient_low = static_cast<uint8_t>(q & 7);
      } else {
        // Partial reduction (C2 = 1): divide by b * 2^(d - n) with n in [32, 63] chosen as
        // 32 + d mod 32, so the next exponent difference is a multiple-of-32 step smaller.
        const int32_t n = 32 + d % 32;
        const int32_t shift = d - n;  // divide by b * 2^shift
        const u128 num = u128{oa.sig} << n;
        rem = num % ob.sig;
        rem_exp2 = ob.exp - 63 + shift;
        r.incomplete = true;  // C0, C1, C3 are cleared in this case
        r.quotient_low = 0;
      }
      r.value = rem == 0 ? Float80{0, static_cast<uint16_t>(oa.sign ? 0x8000 : 0)}
                         : f80(round_pack(c, kF80, 64, negative, rem_exp2, rem));
    }
  }
  c.c1 = false;
  c.commit(st);
  return r;
}

uint16_t remainder_condition_bits(const Remainder& r) {
  uint16_t sw = 0;
  if (r.incomplete) sw |= x87sw::C2;
  if (r.quotient_low & 4) sw |= x87sw::C0;
  if (r.quotient_low & 2) sw |= x87sw::C3;
  if (r.quotient_low & 1) sw |= x87sw::C1;
  return sw;
}

// --- constants ------------------------------------------------------------------------------
Float80 f80_constant(X87Constant k, Rounding r) {
  struct Value {
    uint64_t hi, lo;  // 128-bit significand, integer bit at bit 127
    uint16_t exp;     // biased exponent
  };
  static constexpr Value kValues[] = {
      {0x8000000000000000ull, 0, 0x3FFF},                      // 1
      {0xD49A784BCD1B8AFEull, 0x492BF6FF4DAFDB4Cull, 0x4000},  // log2(10)
      {0xB8AA3B295C17F0BBull, 0xBE87FED0691D3E88ull, 0x3FFF},  // log2(e)
      {0xC90FDAA22168C234ull, 0xC4C6628B80DC1CD1ull, 0x4000},  // pi
      {0x9A209A84FBCFF798ull, 0x8F8959AC0B7C9178ull, 0x3FFD},  // log10(2)
      {0xB17217F7D1CF79ABull, 0xC9E3B39803F2F6AFull, 0x3FFE},  // ln(2)
  };
  if (k == X87Constant::Zero) return Float80{0, 0};
  const Value& v = kValues[static_cast<int>(k)];
  // Rounded by RC from the exact value (FLDLG2 in nearest mode rounds up, so the
  // hardware does not round a 66-bit tie to even here).
  const u128 sig = (u128{v.hi} << 64) | v.lo;
  bool inexact = false;
  u128 kept = round_shift_right(sig, 64, r, false, &inexact);
  uint16_t exp = v.exp;
  if (kept >> 64) {
    kept >>= 1;
    ++exp;
  }
  return Float80{static_cast<uint64_t>(kept), exp};
}

}  // namespace emu::fpu
