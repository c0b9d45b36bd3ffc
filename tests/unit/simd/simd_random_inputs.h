// Random and edge-biased operand generators for the SIMD differential test.
#pragma once
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>

#include "cpu/vec128.h"

namespace emu::simd::test {

class RandomInputs {
 public:
  explicit RandomInputs(uint64_t seed) : rng_(seed) {}

  uint64_t u64() { return rng_(); }
  unsigned below(unsigned n) { return static_cast<unsigned>(rng_() % n); }

  // Elements of a random width, each either random or an edge value of that width
  // (0, 1, 2, -1, signed min/max and their neighbours).
  Vec128 vec() {
    if (below(8) == 0) return Vec128{{u64(), u64()}};
    static constexpr unsigned widths[] = {1, 2, 4, 8};
    const unsigned w = widths[below(4)];
    const unsigned bits = w * 8;
    const uint64_t all = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
    const uint64_t smin = uint64_t{1} << (bits - 1);
    const uint64_t edges[] = {0, 1, 2, all, smin, smin - 1, smin + 1, all - 1};
    Vec128 v;
    for (unsigned i = 0; i < 16 / w; ++i) {
      uint64_t e = below(2) ? u64() & all : edges[below(8)];
      for (unsigned k = 0; k < w; ++k) v.set_byte(i * w + k, static_cast<uint8_t>(e >> (8 * k)));
    }
    return v;
  }

  // A shift count operand: mostly around the element widths, sometimes huge.
  Vec128 shift_count() {
    static constexpr uint64_t special[] = {0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 255, 256};
    uint64_t c;
    switch (below(5)) {
      case 0: c = special[below(sizeof special / sizeof special[0])]; break;
      case 1: c = below(256); break;
      case 2: c = u64(); break;
      case 3: c = (uint64_t{1} << (32 + below(32))) + below(8); break;
      default: c = below(70); break;
    }
    return Vec128{{c, u64()}};
  }

  // A string operand for PCMPxSTRx: a small alphabet (so elements often match), NULs
  // at random places, and the range/sign edges.
  Vec128 string(bool words) {
    Vec128 v;
    const unsigned nul_one_in = 4 + below(20);
    if (words) {
      static constexpr uint16_t alphabet[] = {'a', 'b', 'c', 'z', 0x8000, 0x7FFF, 0xFFFF, 0x0100};
      for (unsigned i = 0; i < 8; ++i) {
        uint16_t e = below(nul_one_in) == 0 ? 0 : (below(4) ? alphabet[below(8)] : static_cast<uint16_t>(u64()));
        v.set<uint16_t>(i, e);
      }
    } else {
      static constexpr uint8_t alphabet[] = {'a', 'b', 'c', 'z', 0x80, 0x7F, 0xFF, 0x01};
      for (unsigned i = 0; i < 16; ++i) {
        uint8_t e = below(nul_one_in) == 0 ? 0 : (below(4) ? alphabet[below(8)] : static_cast<uint8_t>(u64()));
        v.set_byte(i, e);
      }
    }
    return v;
  }

  // An explicit PCMPESTRx length (EAX/EDX value): small of either sign, or extreme.
  int32_t length() {
    static constexpr int32_t special[] = {INT32_MIN, INT32_MIN + 1, INT32_MAX, -17, -16, -9, -8, 8, 9, 16, 17, 0};
    if (below(4) == 0) return special[below(sizeof special / sizeof special[0])];
    return static_cast<int32_t>(below(41)) - 20;
  }

 private:
  std::mt19937_64 rng_;
};

inline std::string hex(Vec128 v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx_%016llx", static_cast<unsigned long long>(v.q[1]),
                static_cast<unsigned long long>(v.q[0]));
  return buf;
}

}  // namespace emu::simd::test
