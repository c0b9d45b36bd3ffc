// Hand-worked cases for extract/insert, blends, sign masks, PMOVSX/ZX and PTEST
// (simd_element.h).
#include <catch2/catch.hpp>

#include "cpu/sem/simd_element.h"
#include "simd_test_vectors.h"

using namespace emu;
using namespace emu::simd;
using namespace emu::simd::test;

TEST_CASE("pextr/pinsr use the index modulo the element count", "[simd][element]") {
  const Vec128 a = iota_bytes(0x30);
  CHECK(pextr(a, 0x1F, Elem::B, VecSize::Xmm) == 0x3F);
  CHECK(pextr(a, 9, Elem::W, VecSize::Xmm) == 0x3332);  // word 1
  CHECK(pextr(a, 5, Elem::W, VecSize::Mmx) == 0x3332);  // MMX: word 1 of 4
  CHECK(pextr(a, 3, Elem::D, VecSize::Xmm) == 0x3F3E3D3C);
  CHECK(pextr(a, 1, Elem::Q, VecSize::Xmm) == 0x3F3E3D3C3B3A3938);
  CHECK(pinsr(Vec128{}, 0xAABBCCDD11, 6, Elem::D, VecSize::Xmm) == dwords({0, 0, 0xBBCCDD11, 0}));
  CHECK(pinsr(qwords(1, 2), 0xFFFF, 7, Elem::W, VecSize::Mmx) == qwords(0xFFFF000000000001, 0));
  CHECK(pinsr(Vec128{}, 0x1FF, 15, Elem::B, VecSize::Xmm) == qwords(0, 0xFF00000000000000));
}

TEST_CASE("blends", "[simd][element]") {
  const Vec128 a = words({0, 1, 2, 3, 4, 5, 6, 7}), b = words({10, 11, 12, 13, 14, 15, 16, 17});
  CHECK(blend(a, b, 0x0F, Elem::W) == words({10, 11, 12, 13, 4, 5, 6, 7}));
  CHECK(blend(a, b, 0xA5, Elem::W) == words({10, 1, 12, 3, 4, 15, 6, 17}));
  CHECK(blend(qwords(1, 2), qwords(3, 4), 2, Elem::Q) == qwords(1, 4));
  CHECK(blend(dwords({1, 2, 3, 4}), dwords({5, 6, 7, 8}), 0xF9, Elem::D) == dwords({5, 2, 3, 8}));
  CHECK(blendv(bytes({1, 2, 3}), bytes({4, 5, 6}), bytes({0x80, 0x7F, 0xFF}), Elem::B) == bytes({4, 2, 6}));
  CHECK(blendv(dwords({1, 2, 3, 4}), dwords({5, 6, 7, 8}), dwords({0x80000000, 0x7FFFFFFF, 0, 0xFFFFFFFF}),
               Elem::D) == dwords({5, 2, 3, 8}));
  CHECK(blendv(qwords(1, 2), qwords(3, 4), qwords(0x7FFFFFFFFFFFFFFF, 0x8000000000000000), Elem::Q) == qwords(1, 4));
}

TEST_CASE("sign-bit masks", "[simd][element]") {
  CHECK(movmsk(bytes({0x80, 0x7F, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80}), Elem::B, VecSize::Xmm) ==
        0x8005);
  CHECK(movmsk(qwords(0x8080808080808080, ~0ull), Elem::B, VecSize::Mmx) == 0xFF);
  CHECK(movmsk(dwords({0x80000000, 0x7FFFFFFF, 0, 0xFFFFFFFF}), Elem::D, VecSize::Xmm) == 0x9);
  CHECK(movmsk(qwords(1, 0x8000000000000000), Elem::Q, VecSize::Xmm) == 0x2);
}

TEST_CASE("pmovsx/pmovzx", "[simd][element]") {
  const Vec128 src = bytes({0x80, 0x7F, 0xFF, 0x01, 0x11, 0x22, 0x33, 0x44});
  CHECK(pmovsx(src, Elem::B, Elem::W) == words({0xFF80, 0x007F, 0xFFFF, 0x0001, 0x11, 0x22, 0x33, 0x44}));
  CHECK(pmovzx(src, Elem::B, Elem::W) == words({0x80, 0x7F, 0xFF, 0x01, 0x11, 0x22, 0x33, 0x44}));
  CHECK(pmovsx(src, Elem::B, Elem::Q) == qwords(0xFFFFFFFFFFFFFF80, 0x7F));
  CHECK(pmovzx(src, Elem::W, Elem::Q) == qwords(0x7F80, 0x01FF));
  CHECK(pmovsx(dwords({0x80000000, 5}), Elem::D, Elem::Q) == qwords(0xFFFFFFFF80000000, 5));
}

TEST_CASE("ptest sets ZF and CF", "[simd][element]") {
  PtestFlags f = ptest(qwords(0xF0, 0), qwords(0x0F, 0));
  CHECK(f.zf);
  CHECK_FALSE(f.cf);
  f = ptest(qwords(~0ull, ~0ull), qwords(0x1234, 1));
  CHECK_FALSE(f.zf);
  CHECK(f.cf);
  f = ptest(qwords(0, 1), qwords(0, 3));  // common bit 0 of the high half, bit 1 not in a
  CHECK_FALSE(f.zf);
  CHECK_FALSE(f.cf);
  f = ptest(Vec128{}, Vec128{});
  CHECK(f.zf);
  CHECK(f.cf);
}
