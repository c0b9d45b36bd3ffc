// Classification (unpacking) and packing of the three x86 binary formats, and the
// canonical special values (zeros, infinities, the "real indefinite" default NaN).
#include "cpu/fpu/float_internal.h"

namespace emu::fpu::detail {

namespace {
// Shared unpacking of the IEEE interchange formats with a hidden integer bit.
Operand unpack_ieee(uint64_t bits, int frac_bits, int exp_bits, int32_t bias) {
  const uint64_t frac = bits & ((uint64_t{1} << frac_bits) - 1);
  const uint32_t e = static_cast<uint32_t>(bits >> frac_bits) & ((1u << exp_bits) - 1);
  const bool sign = (bits >> (frac_bits + exp_bits)) & 1;
  const uint32_t all_ones = (1u << exp_bits) - 1;
  const uint64_t aligned = frac << (63 - frac_bits);  // fraction just below bit 63
  if (e == 0) {
    if (frac == 0) return {Class::Zero, sign, 0, 0};
    const int s = clz64(aligned);
    return {Class::Denormal, sign, 1 - bias - s, aligned << s};
  }
  if (e == all_ones) {
    if (frac == 0) return {Class::Inf, sign, 0, 0};
    const bool quiet = (aligned >> 62) & 1;
    return {quiet ? Class::QNaN : Class::SNaN, sign, 0, aligned | (uint64_t{1} << 63)};
  }
  return {Class::Normal, sign, static_cast<int32_t>(e) - bias, aligned | (uint64_t{1} << 63)};
}

uint64_t pack_ieee(Packed p, int frac_bits, int exp_bits) {
  const uint64_t frac = (p.sig >> (63 - frac_bits)) & ((uint64_t{1} << frac_bits) - 1);
  return (uint64_t{p.sign} << (frac_bits + exp_bits)) | (uint64_t{p.exp} << frac_bits) | frac;
}
}  // namespace

Operand unpack_f32(Float32 v) { return unpack_ieee(v, 23, 8, 127); }
Operand unpack_f64(Float64 v) { return unpack_ieee(v, 52, 11, 1023); }

Operand unpack_f80(Float80 v) {
  const uint32_t e = v.exponent();
  const bool sign = v.sign();
  const bool integer_bit = (v.signif >> 63) != 0;
  if (e == 0) {
    if (v.signif == 0) return {Class::Zero, sign, 0, 0};
    // Denormals and pseudo-denormals (integer bit set) both have the value
    // signif * 2^(-16382-63); the latter are accepted as denormal operands.
    const int s = clz64(v.signif);
    return {Class::Denormal, sign, -16382 - s, v.signif << s};
  }
  if (!integer_bit) return {Class::Unsupported, sign, 0, v.signif};  // pseudo-NaN/inf, unnormal
  if (e == 0x7FFF) {
    if ((v.signif << 1) == 0) return {Class::Inf, sign, 0, 0};
    const bool quiet = (v.signif >> 62) & 1;
    return {quiet ? Class::QNaN : Class::SNaN, sign, 0, v.signif};
  }
  return {Class::Normal, sign, static_cast<int32_t>(e) - 16383, v.signif};
}

Float32 pack_f32(Packed p) { return static_cast<Float32>(pack_ieee(p, 23, 8)); }
Float64 pack_f64(Packed p) { return pack_ieee(p, 52, 11); }
Float80 pack_f80(Packed p) {
  return Float80{p.sig, static_cast<uint16_t>((p.sign ? 0x8000 : 0) | (p.exp & 0x7FFF))};
}

Packed packed_zero(const Format&, bool sign) { return Packed{sign, 0, 0}; }
Packed packed_inf(const Format& f, bool sign) { return Packed{sign, f.exp_all_ones, uint64_t{1} << 63}; }
Packed packed_nan(const Format& f, bool sign, uint64_t sig) { return Packed{sign, f.exp_all_ones, sig}; }
// Real indefinite: negative quiet NaN with an all-zero payload.
Packed packed_default_nan(const Format& f) { return Packed{true, f.exp_all_ones, uint64_t{3} << 62}; }

}  // namespace emu::fpu::detail
