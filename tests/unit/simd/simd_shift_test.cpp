// Hand-worked cases for the SIMD shifts (simd_shift.h), including counts >= width.
#include <catch2/catch.hpp>

#include "cpu/sem/simd_shift.h"
#include "simd_test_vectors.h"

using namespace emu;
using namespace emu::simd;
using namespace emu::simd::test;

TEST_CASE("element shifts, in-range counts", "[simd][shift]") {
  CHECK(psll(words({0x1234, 0x8001}), 4, Elem::W, VecSize::Xmm) == words({0x2340, 0x0010}));
  CHECK(psrl(dwords({0x80000000, 0x10}), 4, Elem::D, VecSize::Xmm) == dwords({0x08000000, 0x1}));
  CHECK(psra(words({0x8000, 0x7FF0}), 4, Elem::W, VecSize::Xmm) == words({0xF800, 0x07FF}));
  CHECK(psll(qwords(1, 3), 63, Elem::Q, VecSize::Xmm) == qwords(0x8000000000000000, 0x8000000000000000));
  CHECK(psrl(qwords(0xF0, 0xDEAD), 4, Elem::Q, VecSize::Mmx) == qwords(0xF, 0));
}

TEST_CASE("element shifts, counts at or above the width", "[simd][shift]") {
  CHECK(psll(words({0xFFFF}), 16, Elem::W, VecSize::Xmm) == Vec128{});
  CHECK(psrl(qwords(~0ull, ~0ull), 64, Elem::Q, VecSize::Xmm) == Vec128{});
  // The register form uses all 64 count bits: 2^32 is not 0.
  CHECK(psll(dwords({1, 1, 1, 1}), uint64_t{1} << 32, Elem::D, VecSize::Xmm) == Vec128{});
  CHECK(psra(words({0x8000, 0x7FFF}), 100, Elem::W, VecSize::Xmm) == words({0xFFFF, 0}));
  CHECK(psra(dwords({0x80000000, 1}), ~0ull, Elem::D, VecSize::Xmm) == dwords({0xFFFFFFFF, 0}));
  CHECK(shift_count(qwords(17, 99)) == 17);
}

TEST_CASE("byte shifts of the whole register", "[simd][shift]") {
  const Vec128 a = iota_bytes(1);  // 1..16
  CHECK(pslldq(a, 3) == bytes({0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}));
  CHECK(psrldq(a, 14) == bytes({15, 16}));
  CHECK(pslldq(a, 16) == Vec128{});
  CHECK(psrldq(a, 255) == Vec128{});
  CHECK(psrldq(a, 0) == a);
}
