// Conversions: between the three formats, to and from integers (with rounding mode or
// truncation, integer indefinite on NaN/overflow), and rounding to an integral value
// (FRNDINT, ROUNDSS/ROUNDSD).
#include "cpu/fpu/float_internal.h"
#include "cpu/fpu/softfloat.h"

namespace emu::fpu {
using namespace detail;

namespace {

bool nan_or_unsupported(const Operand& o) { return o.is_nan() || o.cls == Class::Unsupported; }

// Format conversion. `x87` selects x87 rules (no DAZ/FTZ); DE is raised for denormal
// single/double sources only (loading an extended value never signals DE).
template <class From, class To>
typename To::Bits convert_format(typename From::Bits a, bool x87, FloatStatus& st) {
  Ctx c(st);
  Format to = To::fmt;
  if (x87) to.sse = false;
  const Operand o = x87 ? From::unpack(a) : unpack_operand<From>(c, a);
  Packed r;
  if (nan_or_unsupported(o)) {
    r = propagate_nan1(c, to, o);
  } else {
    if (o.cls == Class::Denormal && From::fmt.sse) c.raise(flag::Denormal);
    // An x87 load (FLD m32/m64) converts a denormal even with DE unmasked (see
    // x87_load_written); SSE delivers nothing.
    if (c.pre_trap() && !x87) {
      r = packed_default_nan(to);
    } else if (o.cls == Class::Inf) {
      r = packed_inf(to, o.sign);
    } else if (o.cls == Class::Zero) {
      r = packed_zero(to, o.sign);
    } else {
      r = round_pack(c, to, to.sig_bits, o.sign, o.exp - 63, o.sig);
      if (x87 && (c.raised & ~c.masks & (flag::Overflow | flag::Underflow))) {
        // An x87 store with unmasked overflow/underflow writes nothing: no PE, no C1.
        c.raised &= static_cast<uint8_t>(~flag::Precision);
        c.c1 = false;
      }
    }
  }
  c.commit(st);
  return To::pack(r);
}

template <class F>
int64_t to_integer(typename F::Bits a, int width, bool truncate, bool x87, FloatStatus& st) {
  Ctx c(st);
  const Operand o = x87 ? F::unpack(a) : unpack_operand<F>(c, a);
  const int64_t indefinite = static_cast<int64_t>(~uint64_t{0} << (width - 1));
  int64_t result = indefinite;
  c.c1 = false;
  if (nan_or_unsupported(o) || o.cls == Class::Inf || (o.is_finite_nonzero() && o.exp >= 64)) {
    c.raise(flag::Invalid);
  } else if (o.cls == Class::Zero) {
    result = 0;
  } else {
    const Rounding r = truncate ? Rounding::TowardZero : c.rounding;
    const int shift = 63 - o.exp;
    bool inexact = false;
    const u128 kept = round_shift_right(u128{o.sig}, shift, r, o.sign, &inexact);
    const u128 limit = (u128{1} << (width - 1)) - (o.sign ? 0 : 1);
    if (kept > limit) {
      c.raise(flag::Invalid);
    } else {
      result = o.sign ? static_cast<int64_t>(0 - static_cast<uint64_t>(kept)) : static_cast<int64_t>(kept);
      if (inexact) {
        c.raise(flag::Precision);
        const u128 truncated = shift >= 128 ? 0 : (shift <= 0 ? u128{o.sig} << -shift : u128{o.sig} >> shift);
        c.c1 = kept != truncated;
      }
    }
  }
  c.commit(st);
  return result;
}

template <class F>
typename F::Bits from_integer(int64_t v, FloatStatus& st) {
  Ctx c(st);
  const bool neg = v < 0;
  const uint64_t mag = neg ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  const Packed r = mag == 0 ? packed_zero(F::fmt, false) : round_pack(c, F::fmt, F::fmt.sig_bits, neg, 0, mag);
  c.commit(st);
  return F::pack(r);
}

template <class F>
typename F::Bits round_integral(typename F::Bits a, Rounding r, bool suppress_inexact, FloatStatus& st) {
  Ctx c(st);
  const Operand o = unpack_operand<F>(c, a);
  Packed p;
  c.c1 = false;
  if (nan_or_unsupported(o)) {
    p = propagate_nan1(c, F::fmt, o);
  } else {
    // FRNDINT signals DE for a denormal; ROUNDSS/ROUNDSD do not.
    if (o.cls == Class::Denormal && !F::fmt.sse) c.raise(flag::Denormal);
    if (c.pre_trap()) {
      p = packed_default_nan(F::fmt);
    } else if (o.cls == Class::Inf) {
      p = packed_inf(F::fmt, o.sign);
    } else if (o.cls == Class::Zero) {
      p = packed_zero(F::fmt, o.sign);
    } else if (o.exp >= 63) {
      p = round_pack(c, F::fmt, F::fmt.sig_bits, o.sign, o.exp - 63, o.sig);  // already integral
    } else {
      bool inexact = false;
      const int shift = 63 - o.exp;
      const u128 kept = round_shift_right(u128{o.sig}, shift, r, o.sign, &inexact);
      p = kept == 0 ? packed_zero(F::fmt, o.sign) : round_pack(c, F::fmt, F::fmt.sig_bits, o.sign, 0, kept);
      const u128 truncated = shift >= 64 ? 0 : u128{o.sig >> shift};
      c.c1 = kept != truncated;
      if (inexact && !suppress_inexact) c.raise(flag::Precision);
    }
  }
  c.commit(st);
  return F::pack(p);
}

template <class F>
typename F::Bits round_sse(typename F::Bits a, uint8_t imm, FloatStatus& st) {
  const Rounding r = (imm & 4) ? st.rounding : static_cast<Rounding>(imm & 3);
  return round_integral<F>(a, r, (imm & 8) != 0, st);
}

}  // namespace

Float64 f32_to_f64(Float32 a, FloatStatus& st) { return convert_format<F32Traits, F64Traits>(a, false, st); }
Float32 f64_to_f32(Float64 a, FloatStatus& st) { return convert_format<F64Traits, F32Traits>(a, false, st); }
Float80 f32_to_f80(Float32 a, FloatStatus& st) { return convert_format<F32Traits, F80Traits>(a, true, st); }
Float80 f64_to_f80(Float64 a, FloatStatus& st) { return convert_format<F64Traits, F80Traits>(a, true, st); }
Float32 f80_to_f32(Float80 a, FloatStatus& st) { return convert_format<F80Traits, F32Traits>(a, true, st); }
Float64 f80_to_f64(Float80 a, FloatStatus& st) { return convert_format<F80Traits, F64Traits>(a, true, st); }

Float32 i32_to_f32(int32_t v, FloatStatus& st) { return from_integer<F32Traits>(v, st); }
Float32 i64_to_f32(int64_t v, FloatStatus& st) { return from_integer<F32Traits>(v, st); }
Float64 i32_to_f64(int32_t v, FloatStatus& st) { return from_integer<F64Traits>(v, st); }
Float64 i64_to_f64(int64_t v, FloatStatus& st) { return from_integer<F64Traits>(v, st); }
Float80 i64_to_f80(int64_t v) {
  FloatStatus st;
  return from_integer<F80Traits>(v, st);
}

int32_t f32_to_i32(Float32 a, bool truncate, FloatStatus& st) {
  return static_cast<int32_t>(to_integer<F32Traits>(a, 32, truncate, false, st));
}
int64_t f32_to_i64(Float32 a, bool truncate, FloatStatus& st) { return to_integer<F32Traits>(a, 64, truncate, false, st); }
int32_t f64_to_i32(Float64 a, bool truncate, FloatStatus& st) {
  return static_cast<int32_t>(to_integer<F64Traits>(a, 32, truncate, false, st));
}
int64_t f64_to_i64(Float64 a, bool truncate, FloatStatus& st) { return to_integer<F64Traits>(a, 64, truncate, false, st); }
int16_t f80_to_i16(Float80 a, bool truncate, FloatStatus& st) {
  return static_cast<int16_t>(to_integer<F80Traits>(a, 16, truncate, true, st));
}
int32_t f80_to_i32(Float80 a, bool truncate, FloatStatus& st) {
  return static_cast<int32_t>(to_integer<F80Traits>(a, 32, truncate, true, st));
}
int64_t f80_to_i64(Float80 a, bool truncate, FloatStatus& st) { return to_integer<F80Traits>(a, 64, truncate, true, st); }

Float32 f32_round_to_int(Float32 a, Rounding r, bool suppress, FloatStatus& st) { return round_integral<F32Traits>(a, r, suppress, st); }
Float64 f64_round_to_int(Float64 a, Rounding r, bool suppress, FloatStatus& st) { return round_integral<F64Traits>(a, r, suppress, st); }
Float32 f32_round_sse(Float32 a, uint8_t imm, FloatStatus& st) { return round_sse<F32Traits>(a, imm, st); }
Float64 f64_round_sse(Float64 a, uint8_t imm, FloatStatus& st) { return round_sse<F64Traits>(a, imm, st); }
Float80 f80_round_to_int(Float80 a, FloatStatus& st) { return round_integral<F80Traits>(a, st.rounding, false, st); }

}  // namespace emu::fpu
