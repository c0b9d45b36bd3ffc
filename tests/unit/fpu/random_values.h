// Random floating-point operands for the differential tests: a mix of special values,
// denormals, values near the overflow/underflow thresholds, short significands (exact
// results and rounding ties) and ordinary values, plus the case count
// (EMU_FPU_CASES, default 20000 per operation).
#pragma once
#include <cstdint>
#include <cstdlib>

#include "cpu/fpu/float_types.h"

namespace fputest {

inline int case_count() {
  if (const char* s = std::getenv("EMU_FPU_CASES")) {
    const long n = std::strtol(s, nullptr, 10);
    if (n > 0) return static_cast<int>(n);
  }
  return 20000;
}

struct Rng {
  uint64_t state;
  explicit Rng(uint64_t seed) : state(seed) {}
  uint64_t next() {  // splitmix64
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(next() % n); }
  bool coin() { return (next() & 1) != 0; }
};

// Random significand bits (frac_bits wide): random, short (low bits zero), or runs.
inline uint64_t random_fraction(Rng& r, int frac_bits) {
  const uint64_t mask = frac_bits == 64 ? ~0ull : (1ull << frac_bits) - 1;
  uint64_t f = r.next();
  switch (r.below(6)) {
    case 0: f &= ~0ull << r.below(static_cast<uint32_t>(frac_bits)); break;  // short significand
    case 1: f |= ~0ull >> r.below(64); break;                                // trailing ones
    case 2: f >>= r.below(64); break;                                        // leading zeros
    default: break;
  }
  return f & mask;
}

// An IEEE value with `frac_bits` fraction bits and `exp_bits` exponent bits.
inline uint64_t random_ieee(Rng& r, int frac_bits, int exp_bits) {
  const uint64_t emax = (1ull << exp_bits) - 1;
  const uint64_t bias = emax >> 1;
  const uint64_t sign = r.next() & 1;
  uint64_t e;
  uint64_t f = random_fraction(r, frac_bits);
  switch (r.below(16)) {
    case 0: e = 0; f = r.coin() ? 0 : f; break;                      // zero or denormal
    case 1: e = 0; break;                                            // denormal (or zero)
    case 2: e = emax; f = r.below(3) == 0 ? 0 : f; break;            // inf / NaN
    case 3: e = 1 + r.below(3); break;                               // near min normal
    case 4: e = emax - 1 - r.below(3); break;                        // near max
    case 5: e = bias + r.below(8) - 4; f = r.coin() ? 0 : f; break;  // near 1, often exact
    case 6: case 7: e = 1 + r.next() % (emax - 1); break;           // anywhere
    default: e = bias - 30 + r.below(60); break;                     // moderate
  }
  return (sign << (frac_bits + exp_bits)) | (e << frac_bits) | f;
}

inline uint32_t random_f32(Rng& r) { return static_cast<uint32_t>(random_ieee(r, 23, 8)); }
inline uint64_t random_f64(Rng& r) { return random_ieee(r, 52, 11); }

// A second operand related to the first: same or nearby exponent (cancellation,
// alignment), or independent.
inline uint64_t related_ieee(Rng& r, uint64_t a, int frac_bits, int exp_bits) {
  if (r.below(3) == 0) return random_ieee(r, frac_bits, exp_bits);
  const uint64_t emask = (1ull << exp_bits) - 1;
  const int64_t e = static_cast<int64_t>((a >> frac_bits) & emask) + static_cast<int64_t>(r.below(2 * frac_bits + 6)) -
                    (frac_bits + 3);
  const uint64_t ec = e < 0 ? 0 : (e > static_cast<int64_t>(emask) ? emask : static_cast<uint64_t>(e));
  uint64_t f = random_fraction(r, frac_bits);
  if (r.below(4) == 0) f = (a ^ (1ull << r.below(static_cast<uint32_t>(frac_bits)))) & ((1ull << frac_bits) - 1);
  const uint64_t sign = r.coin() ? (a >> (frac_bits + exp_bits)) & 1 : r.next() & 1;
  return (sign << (frac_bits + exp_bits)) | (ec << frac_bits) | f;
}

// An 80-bit value; unsupported encodings (integer bit clear) are rare unless asked for.
inline emu::fpu::Float80 random_f80(Rng& r, bool unsupported = true) {
  const uint64_t sign = r.next() & 1;
  uint64_t e;
  uint64_t sig = random_fraction(r, 63) | (1ull << 63);
  switch (r.below(16)) {
    case 0: e = 0; sig = r.coin() ? 0 : (sig & ~(1ull << 63)); break;  // zero or denormal
    case 1: e = 0; sig &= r.below(8) == 0 ? ~0ull : ~(1ull << 63); break;  // (pseudo-)denormal
    case 2: e = 0x7FFF; sig = r.below(3) == 0 ? (1ull << 63) : sig; break;
    case 3: e = 1 + r.below(3); break;
    case 4: e = 0x7FFE - r.below(3); break;
    case 5: e = 0x3FFF + r.below(8) - 4; if (r.coin()) sig &= ~0ull << 40; break;
    case 6: e = 1 + r.next() % 0x7FFE; break;
    case 7: e = 0x3FFF - 200 + r.below(400); break;
    default: e = 0x3FFF - 30 + r.below(60); break;
  }
  if (unsupported && e != 0 && r.below(64) == 0) sig &= ~(1ull << 63);
  return emu::fpu::Float80{sig, static_cast<uint16_t>((sign << 15) | e)};
}

inline emu::fpu::Float80 related_f80(Rng& r, emu::fpu::Float80 a) {
  if (r.below(3) == 0) return random_f80(r);
  int e = static_cast<int>(a.exponent()) + static_cast<int>(r.below(140)) - 70;
  e = e < 1 ? 1 : (e > 0x7FFE ? 0x7FFE : e);
  uint64_t sig = random_fraction(r, 63) | (1ull << 63);
  if (r.below(4) == 0) sig = a.signif ^ (1ull << r.below(63));
  const uint16_t sign = r.coin() ? (a.sign_exp & 0x8000) : static_cast<uint16_t>((r.next() & 1) << 15);
  return emu::fpu::Float80{sig, static_cast<uint16_t>(sign | e)};
}

}  // namespace fputest
