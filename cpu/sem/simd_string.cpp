// SSE4.2 string compare semantics (see simd_string.h and the Intel SDM vol. 2,
// "Programming with SSE4.2 string and text instructions").
#include "cpu/sem/simd_string.h"

#include <bit>

namespace emu::simd {
namespace {

enum Aggregation : unsigned { kEqualAny = 0, kRanges = 1, kEqualEach = 2, kEqualOrdered = 3 };

struct Format {
  unsigned count;  // 16 bytes or 8 words
  bool words;
  bool is_signed;

  explicit Format(uint8_t imm) : count(imm & 1 ? 8 : 16), words(imm & 1), is_signed(imm & 2) {}

  int32_t element(Vec128 v, unsigned i) const {
    if (words) return is_signed ? int32_t{v.get<int16_t>(i)} : int32_t{v.get<uint16_t>(i)};
    return is_signed ? int32_t{v.get<int8_t>(i)} : int32_t{v.get<uint8_t>(i)};
  }
  // Index of the first zero element, or count.
  unsigned implicit_length(Vec128 v) const {
    for (unsigned i = 0; i < count; ++i)
      if (element(v, i) == 0) return i;
    return count;
  }
  unsigned explicit_length(int64_t len) const {
    uint64_t mag = len < 0 ? uint64_t{0} - static_cast<uint64_t>(len) : static_cast<uint64_t>(len);
    return mag < count ? static_cast<unsigned>(mag) : count;
  }
};

// IntRes1: one bit per element position of b (bit i of a per position for equal each).
uint32_t aggregate(const Format& f, Vec128 a, unsigned la, Vec128 b, unsigned lb, unsigned mode) {
  uint32_t res = 0;
  for (unsigned j = 0; j < f.count; ++j) {
    bool bit = false;
    switch (mode) {
      case kEqualAny:
        for (unsigned i = 0; i < la && j < lb && !bit; ++i) bit = f.element(a, i) == f.element(b, j);
        break;
      case kRanges:
        for (unsigned i = 0; i + 1 < la && j < lb && !bit; i += 2) {
          int32_t v = f.element(b, j);
          bit = f.element(a, i) <= v && v <= f.element(a, i + 1);
        }
        break;
      case kEqualEach:
        if (j < la && j < lb) bit = f.element(a, j) == f.element(b, j);
        else bit = j >= la && j >= lb;
        break;
      case kEqualOrdered:
      default:
        // a (the needle) occurs in b starting at j; needle elements past the end of b's
        // register are not compared, an ended needle matches anything.
        bit = true;
        for (unsigned i = 0; i + j < f.count && i < la && bit; ++i)
          bit = j + i < lb && f.element(a, i) == f.element(b, j + i);
        break;
    }
    res |= uint32_t{bit} << j;
  }
  return res;
}

StrCmpResult finish(const Format& f, Vec128 a, unsigned la, Vec128 b, unsigned lb, uint8_t imm) {
  const uint32_t all = (uint32_t{1} << f.count) - 1;
  const uint32_t int_res1 = aggregate(f, a, la, b, lb, imm >> 2 & 3);
  uint32_t int_res2 = int_res1;
  switch (imm >> 4 & 3) {
    case 1: int_res2 = ~int_res1 & all; break;                           // negative polarity
    case 3: int_res2 = int_res1 ^ ((uint32_t{1} << lb) - 1); break;      // masked negative
    default: break;
  }

  StrCmpResult r{};
  if (int_res2 == 0) r.index = f.count;
  else r.index = (imm & 0x40) ? 31u - static_cast<unsigned>(std::countl_zero(int_res2))
                              : static_cast<unsigned>(std::countr_zero(int_res2));
  if (imm & 0x40) {
    for (unsigned i = 0; i < f.count; ++i) {
      if (!(int_res2 >> i & 1)) continue;
      if (f.words) r.mask.set<uint16_t>(i, 0xFFFF);
      else r.mask.set_byte(i, 0xFF);
    }
  } else {
    r.mask.q[0] = int_res2;
  }
  r.cf = int_res2 != 0;
  r.zf = lb < f.count;
  r.sf = la < f.count;
  r.of = int_res2 & 1;
  return r;
}

}  // namespace

StrCmpResult pcmpestr(Vec128 a, int64_t la, Vec128 b, int64_t lb, uint8_t imm) {
  const Format f(imm);
  return finish(f, a, f.explicit_length(la), b, f.explicit_length(lb), imm);
}

StrCmpResult pcmpistr(Vec128 a, Vec128 b, uint8_t imm) {
  const Format f(imm);
  return finish(f, a, f.implicit_length(a), b, f.implicit_length(b), imm);
}

}  // namespace emu::simd
