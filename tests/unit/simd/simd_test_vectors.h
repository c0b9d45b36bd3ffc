// Builders for Vec128 test operands from element lists (element 0 first) for the
// hand-worked SIMD tests.
#pragma once
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <string_view>

#include "cpu/vec128.h"

namespace emu::simd::test {

template <typename T>
Vec128 elems(std::initializer_list<T> list) {
  Vec128 v;
  unsigned i = 0;
  for (T e : list) v.set<T>(i++, e);
  return v;
}
inline Vec128 bytes(std::initializer_list<uint8_t> l) { return elems<uint8_t>(l); }
inline Vec128 words(std::initializer_list<uint16_t> l) { return elems<uint16_t>(l); }
inline Vec128 dwords(std::initializer_list<uint32_t> l) { return elems<uint32_t>(l); }
inline Vec128 qwords(uint64_t lo, uint64_t hi) { return Vec128{{lo, hi}}; }

// Byte i = i + first (a recognisable pattern for shuffles).
inline Vec128 iota_bytes(uint8_t first) {
  Vec128 v;
  for (unsigned i = 0; i < 16; ++i) v.set_byte(i, static_cast<uint8_t>(first + i));
  return v;
}

// Up to 16 characters, zero-filled (the terminating NUL of PCMPISTRx operands).
inline Vec128 text(std::string_view s) {
  Vec128 v;
  for (unsigned i = 0; i < s.size() && i < 16; ++i) v.set_byte(i, static_cast<uint8_t>(s[i]));
  return v;
}
// Up to 8 characters as 16-bit elements, zero-filled.
inline Vec128 wtext(std::string_view s) {
  Vec128 v;
  for (unsigned i = 0; i < s.size() && i < 8; ++i) v.set<uint16_t>(i, static_cast<uint8_t>(s[i]));
  return v;
}

}  // namespace emu::simd::test

// Failure messages show vectors as high_low qwords in hex.
template <>
struct Catch::StringMaker<emu::Vec128> {
  static std::string convert(const emu::Vec128& v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%016llx_%016llx", static_cast<unsigned long long>(v.q[1]),
                  static_cast<unsigned long long>(v.q[0]));
    return buf;
  }
};
