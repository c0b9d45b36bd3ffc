// A 128-bit SIMD register value (XMM, or an MMX value in the low half), stored as two
// little-endian 64-bit lanes. Lane accessors are endian-neutral: element i of width W
// is bits [i*W, (i+1)*W) of the 128-bit little-endian value, on every host.
#pragma once
#include <cstdint>

namespace emu {

struct Vec128 {
  uint64_t q[2] = {0, 0};

  template <typename T>
  T get(unsigned i) const {
    constexpr unsigned bits = sizeof(T) * 8;
    if constexpr (bits == 64) {
      return static_cast<T>(q[i]);
    } else {
      unsigned bit = i * bits;
      return static_cast<T>(q[bit / 64] >> (bit % 64));
    }
  }
  template <typename T>
  void set(unsigned i, T v) {
    constexpr unsigned bits = sizeof(T) * 8;
    if constexpr (bits == 64) {
      q[i] = static_cast<uint64_t>(v);
    } else {
      unsigned bit = i * bits;
      uint64_t mask = ((uint64_t{1} << bits) - 1) << (bit % 64);
      q[bit / 64] = (q[bit / 64] & ~mask) | ((static_cast<uint64_t>(v) << (bit % 64)) & mask);
    }
  }
  uint8_t byte(unsigned i) const { return get<uint8_t>(i); }
  void set_byte(unsigned i, uint8_t v) { set<uint8_t>(i, v); }
  bool operator==(const Vec128&) const = default;
};

}  // namespace emu
