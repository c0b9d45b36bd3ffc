// Internal building blocks of the soft-float library (not for use outside cpu/fpu):
// the per-operation context, operand classification for the three formats, and the
// single rounding routine every operation ends in.
#pragma once
#include <cstdint>

#include "cpu/fpu/float_types.h"

namespace emu::fpu::detail {

using u128 = unsigned __int128;

inline int clz64(uint64_t v) { return v ? __builtin_clzll(v) : 64; }
inline int clz128(u128 v) {
  uint64_t hi = static_cast<uint64_t>(v >> 64);
  return hi ? __builtin_clzll(hi) : 64 + clz64(static_cast<uint64_t>(v));
}
// Shift right, ORing every bit shifted out into bit 0 ("sticky").
inline u128 shift_right_sticky(u128 v, int n) {
  if (n <= 0) return v;
  if (n >= 128) return v != 0 ? 1 : 0;
  u128 lost = v & ((u128{1} << n) - 1);
  return (v >> n) | (lost != 0 ? 1 : 0);
}

// One operation's environment and the exceptions it raises.
struct Ctx {
  Rounding rounding;
  Precision precision;
  bool ftz;
  bool daz;
  uint8_t masks;
  uint8_t raised = 0;
  bool c1 = false;

  explicit Ctx(const FloatStatus& s)
      : rounding(s.rounding), precision(s.precision), ftz(s.flush_to_zero), daz(s.denormals_are_zero),
        masks(s.masks) {}
  void raise(uint8_t f) { raised |= f; }
  // An unmasked invalid/denormal/divide-by-zero exception stops the operation.
  bool pre_trap() const { return (raised & ~masks & flag::PreComputation) != 0; }
  void commit(FloatStatus& s) const {
    s.flags |= raised;
    s.c1 = c1;
  }
};

// Parameters of one binary format.
struct Format {
  int32_t emin;         // smallest normal unbiased exponent
  int32_t emax;         // largest unbiased exponent
  int32_t bias;
  int sig_bits;         // significand precision including the integer bit
  int32_t bias_adjust;  // x87 exponent wrap for unmasked overflow/underflow
  uint32_t exp_all_ones;
  bool sse;             // DAZ/FTZ apply; SSE NaN rules
};
constexpr Format kF32{-126, 127, 127, 24, 192, 0xFF, true};
constexpr Format kF64{-1022, 1023, 1023, 53, 1536, 0x7FF, true};
constexpr Format kF80{-16382, 16383, 16383, 64, 24576, 0x7FFF, false};

enum class Class : uint8_t { Zero, Normal, Denormal, Inf, QNaN, SNaN, Unsupported };

// A classified operand. Normal/Denormal: value = sig * 2^(exp-63) with sig normalized
// (bit 63 set). NaN: sig is the payload aligned so bit 63 is the integer bit and bit 62
// the quiet bit (so a NaN converts between formats by keeping the top bits).
struct Operand {
  Class cls;
  bool sign;
  int32_t exp;
  uint64_t sig;
  bool is_nan() const { return cls == Class::QNaN || cls == Class::SNaN; }
  bool is_finite_nonzero() const { return cls == Class::Normal || cls == Class::Denormal; }
};

// A rounded result ready to pack: biased exponent (0 = denormal/zero, all ones =
// inf/NaN) and the significand with the integer bit at bit 63 (0 for denormals).
struct Packed {
  bool sign;
  uint32_t exp;
  uint64_t sig;
};

Operand unpack_f32(Float32 v);
Operand unpack_f64(Float64 v);
Operand unpack_f80(Float80 v);
Float32 pack_f32(Packed p);
Float64 pack_f64(Packed p);
Float80 pack_f80(Packed p);

// Rounds sign * mant * 2^exp2 (mant != 0; bit 0 may carry a sticky bit) to `prec` bits
// of significand in format `f`, handling denormals, overflow, underflow, FTZ and the
// x87 unmasked-exception exponent bias; sets PE/UE/OE and c1 in ctx.
Packed round_pack(Ctx& c, const Format& f, int prec, bool sign, int32_t exp2, u128 mant);

// Rounds an unsigned value right by `shift` bits in the given mode (for sign `negative`),
// returning the kept part after rounding; sets *inexact.
u128 round_shift_right(u128 v, int shift, Rounding r, bool negative, bool* inexact);

Packed packed_zero(const Format& f, bool sign);
Packed packed_inf(const Format& f, bool sign);
Packed packed_nan(const Format& f, bool sign, uint64_t sig);
Packed packed_default_nan(const Format& f);
// Quiets a NaN operand into a packed result.
inline Packed quiet_nan(const Format& f, const Operand& o) {
  return Packed{o.sign, f.exp_all_ones, o.sig | (uint64_t{1} << 62) | (uint64_t{1} << 63)};
}

// Precision (in bits) of an x87 arithmetic result under precision control.
inline int x87_precision_bits(Precision p) {
  switch (p) {
    case Precision::Single24: return 24;
    case Precision::Double53: return 53;
    default: return 64;
  }
}

// Format traits used by the templated operations.
struct F32Traits {
  using Bits = Float32;
  static constexpr const Format& fmt = kF32;
  static Operand unpack(Bits v) { return unpack_f32(v); }
  static Bits pack(Packed p) { return pack_f32(p); }
};
struct F64Traits {
  using Bits = Float64;
  static constexpr const Format& fmt = kF64;
  static Operand unpack(Bits v) { return unpack_f64(v); }
  static Bits pack(Packed p) { return pack_f64(p); }
};
struct F80Traits {
  using Bits = Float80;
  static constexpr const Format& fmt = kF80;
  static Operand unpack(Bits v) { return unpack_f80(v); }
  static Bits pack(Packed p) { return pack_f80(p); }
};

// Unpacks an operand of an SSE format applying DAZ (denormal -> signed zero, no DE).
template <class F>
Operand unpack_operand(const Ctx& c, typename F::Bits v) {
  Operand o = F::unpack(v);
  if (F::fmt.sse && c.daz && o.cls == Class::Denormal) o.cls = Class::Zero;
  return o;
}

// NaN result of a two-operand operation where at least one operand is a NaN or an
// unsupported x87 encoding; raises IE as the x86 rules require.
Packed propagate_nan2(Ctx& c, const Format& f, const Operand& a, const Operand& b);
// Same for one operand.
Packed propagate_nan1(Ctx& c, const Format& f, const Operand& a);

}  // namespace emu::fpu::detail
