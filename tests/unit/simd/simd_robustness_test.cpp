// Out-of-range controls never index outside a Vec128: every imm8 of the indexed
// functions wraps as the instructions do, and enum values outside the defined set fall
// back to the XMM / quadword forms (run under -fsanitize=address,undefined to see any
// stray access).
#include <catch2/catch.hpp>

#include "cpu/sem/simd.h"
#include "simd_test_vectors.h"

using namespace emu;
using namespace emu::simd;
using namespace emu::simd::test;

TEST_CASE("indexed functions wrap every imm8", "[simd][robust]") {
  const Vec128 a = iota_bytes(0x50);
  for (unsigned imm = 0; imm < 256; ++imm) {
    const uint8_t i = static_cast<uint8_t>(imm);
    CHECK(pextr(a, i, Elem::B, VecSize::Xmm) == 0x50u + (imm & 15));
    CHECK(pextr(a, i, Elem::W, VecSize::Mmx) == pextr(a, static_cast<uint8_t>(imm & 3), Elem::W, VecSize::Xmm));
    CHECK(pinsr(a, 0xEE, i, Elem::B, VecSize::Xmm).byte(imm & 15) == 0xEE);
    CHECK(pinsr(a, 0xEE, i, Elem::B, VecSize::Mmx).q[1] == 0);
  }
}

TEST_CASE("enum values outside the defined set", "[simd][robust]") {
  const Vec128 a = iota_bytes(1), b = iota_bytes(0x81);
  const auto bad_size = static_cast<VecSize>(3);
  const auto bad_elem = static_cast<Elem>(5);
  CHECK(padd(a, b, Elem::B, bad_size) == padd(a, b, Elem::B, VecSize::Xmm));
  CHECK(pshufb(a, b, bad_size) == pshufb(a, b, VecSize::Xmm));
  CHECK(palignr(a, b, 17, bad_size) == palignr(a, b, 17, VecSize::Xmm));
  CHECK(padd(a, b, bad_elem, VecSize::Xmm) == padd(a, b, Elem::Q, VecSize::Xmm));
  CHECK(pmovsx(a, Elem::Q, Elem::B) == Vec128{});  // not an instruction
  CHECK(crc32c(0, ~0ull, 100) == crc32c(0, ~0ull, 8));
}
