// CRC-32C accumulate and carry-less multiply semantics (see simd_crc.h).
#include "cpu/sem/simd_crc.h"

#include <array>

namespace emu::simd {
namespace {

constexpr uint32_t kCastagnoliReflected = 0x82F63B78u;

constexpr std::array<uint32_t, 256> make_crc_table() {
  std::array<uint32_t, 256> t{};
  for (uint32_t v = 0; v < 256; ++v) {
    uint32_t c = v;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ ((c & 1) ? kCastagnoliReflected : 0);
    t[v] = c;
  }
  return t;
}
constexpr std::array<uint32_t, 256> kCrcTable = make_crc_table();

}  // namespace

uint32_t crc32c(uint32_t crc, uint64_t data, unsigned bytes) {
  for (unsigned i = 0; i < bytes && i < 8; ++i) {
    uint8_t byte = static_cast<uint8_t>(data >> (8 * i));
    crc = (crc >> 8) ^ kCrcTable[(crc ^ byte) & 0xFF];
  }
  return crc;
}

Vec128 pclmulqdq(Vec128 a, Vec128 b, uint8_t imm) {
  const uint64_t x = a.q[imm & 1];
  const uint64_t y = b.q[imm >> 4 & 1];
  uint64_t lo = 0, hi = 0;
  for (unsigned i = 0; i < 64; ++i) {
    if (!(y >> i & 1)) continue;
    lo ^= x << i;
    if (i != 0) hi ^= x >> (64 - i);
  }
  return Vec128{{lo, hi}};
}

}  // namespace emu::simd
