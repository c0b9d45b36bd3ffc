// CRC32 (CRC-32C accumulate step) and PCLMULQDQ against published check values and
// hand-worked products (simd_crc.h).
#include <catch2/catch.hpp>

#include <string_view>

#include "cpu/sem/simd_crc.h"

using namespace emu;
using namespace emu::simd;

TEST_CASE("crc32c check value of \"123456789\" is 0xE3069283", "[simd][crc]") {
  // The instruction is the bare accumulate step: the standard CRC-32C adds the
  // 0xFFFFFFFF initial value and the final inversion around it.
  const std::string_view msg = "123456789";
  uint32_t crc = 0xFFFFFFFF;
  for (char c : msg) crc = crc32c(crc, static_cast<uint8_t>(c), 1);
  CHECK(~crc == 0xE3069283u);

  // The wider forms consume the operand least significant byte first.
  uint64_t first8 = 0;
  for (unsigned i = 0; i < 8; ++i) first8 |= uint64_t{static_cast<uint8_t>(msg[i])} << (8 * i);
  crc = crc32c(0xFFFFFFFF, first8, 8);
  crc = crc32c(crc, static_cast<uint8_t>(msg[8]), 1);
  CHECK(~crc == 0xE3069283u);
  crc = crc32c(0xFFFFFFFF, first8 & 0xFFFFFFFF, 4);
  crc = crc32c(crc, (first8 >> 32) & 0xFFFF, 2);
  crc = crc32c(crc, first8 >> 48, 2);
  crc = crc32c(crc, static_cast<uint8_t>(msg[8]), 1);
  CHECK(~crc == 0xE3069283u);
}

TEST_CASE("crc32c of RFC 3720 test patterns", "[simd][crc]") {
  uint32_t zeros = 0xFFFFFFFF, ones = 0xFFFFFFFF;
  for (int i = 0; i < 4; ++i) {
    zeros = crc32c(zeros, 0, 8);
    ones = crc32c(ones, ~uint64_t{0}, 8);
  }
  CHECK(~zeros == 0x8A9136AAu);
  CHECK(~ones == 0x62A8AB43u);
}

TEST_CASE("pclmulqdq carry-less products and qword selection", "[simd][crc]") {
  // (x+1)(x+1) = x^2+1 without carries.
  CHECK(pclmulqdq(Vec128{{3, 0}}, Vec128{{3, 0}}, 0x00) == Vec128{{5, 0}});
  CHECK(pclmulqdq(Vec128{{0x8000000000000000, 0}}, Vec128{{2, 0}}, 0x00) == Vec128{{0, 1}});
  CHECK(pclmulqdq(Vec128{{~0ull, 0}}, Vec128{{~0ull, 0}}, 0x00) == Vec128{{0x5555555555555555, 0x5555555555555555}});
  const Vec128 a{{1, 0x10}}, b{{0x100, 7}};
  CHECK(pclmulqdq(a, b, 0x01) == Vec128{{0x1000, 0}});  // a.hi * b.lo
  CHECK(pclmulqdq(a, b, 0x10) == Vec128{{7, 0}});       // a.lo * b.hi
  CHECK(pclmulqdq(a, b, 0x11) == Vec128{{0x70, 0}});    // a.hi * b.hi
}
