// Hand-worked cases for the integer SIMD arithmetic/compare/logic semantics (simd_int.h).
#include <catch2/catch.hpp>

#include "cpu/sem/simd_int.h"
#include "simd_test_vectors.h"

using namespace emu;
using namespace emu::simd;
using namespace emu::simd::test;

constexpr VecSize X = VecSize::Xmm;
constexpr VecSize M = VecSize::Mmx;

TEST_CASE("padd/psub wrap; saturating forms clamp", "[simd][int]") {
  CHECK(padd(bytes({0xFF, 0x7F}), bytes({0x01, 0x01}), Elem::B, X) == bytes({0x00, 0x80}));
  CHECK(padd(qwords(~0ull, 5), qwords(1, 6), Elem::Q, X) == qwords(0, 11));
  CHECK(psub(words({0, 5}), words({1, 2}), Elem::W, X) == words({0xFFFF, 3}));
  CHECK(padds(bytes({0x7F, 0x80, 0x10}), bytes({0x01, 0xFF, 0x10}), Elem::B, X) == bytes({0x7F, 0x80, 0x20}));
  CHECK(psubs(words({0x8000, 0x7FFF}), words({1, 0xFFFF}), Elem::W, X) == words({0x8000, 0x7FFF}));
  CHECK(paddus(bytes({0xF0, 0x01}), bytes({0x20, 0x01}), Elem::B, X) == bytes({0xFF, 0x02}));
  CHECK(psubus(words({0x10, 0x30}), words({0x20, 0x10}), Elem::W, X) == words({0, 0x20}));
}

TEST_CASE("MMX forms ignore and clear the high 64 bits", "[simd][int]") {
  const Vec128 a = qwords(0x0102030405060708, 0xDEADBEEFDEADBEEF);
  const Vec128 b = qwords(0x0101010101010101, 0x1111111111111111);
  CHECK(padd(a, b, Elem::B, M) == qwords(0x0203040506070809, 0));
  CHECK(pxor(a, b, M) == qwords(0x0003020504070609, 0));
  CHECK(pcmpeq(a, a, Elem::D, M) == qwords(~0ull, 0));
}

TEST_CASE("multiplies", "[simd][int]") {
  CHECK(pmull(words({0x1234, 0xFFFF}), words({0x0100, 0xFFFF}), Elem::W, X) == words({0x3400, 0x0001}));
  CHECK(pmull(dwords({0x10000, 7}), dwords({0x10000, 0xFFFFFFFF}), Elem::D, X) == dwords({0, 0xFFFFFFF9}));
  // 0x4000^2 = 0x1000_0000; -1 * 1 = 0xFFFF_FFFF; unsigned 0xFFFF^2 = 0xFFFE_0001.
  CHECK(pmulhw(words({0x4000, 0xFFFF}), words({0x4000, 1}), X) == words({0x1000, 0xFFFF}));
  CHECK(pmulhuw(words({0xFFFF, 0x4000}), words({0xFFFF, 0x4000}), X) == words({0xFFFE, 0x1000}));
  // 0.5 * 0.5 = 0.25 in Q15; -1.0 * -1.0 overflows to 0x8000.
  CHECK(pmulhrsw(words({0x4000, 0x8000, 0x0001}), words({0x4000, 0x8000, 0x4000}), X) ==
        words({0x2000, 0x8000, 0x0001}));
  CHECK(pmuludq(dwords({0xFFFFFFFF, 9, 3, 9}), dwords({0xFFFFFFFF, 9, 4, 9}), X) == qwords(0xFFFFFFFE00000001, 12));
  CHECK(pmuludq(dwords({2, 9, 3, 9}), dwords({5, 9, 4, 9}), M) == qwords(10, 0));
  CHECK(pmuldq(dwords({0xFFFFFFFF, 0, 0x80000000, 0}), dwords({5, 0, 2, 0})) ==
        qwords(0xFFFFFFFFFFFFFFFB, 0xFFFFFFFF00000000));
  // (-32768)^2 * 2 = 2^31 wraps to 0x8000_0000; 1*3 + 2*4 = 11.
  CHECK(pmaddwd(words({0x8000, 0x8000, 1, 2}), words({0x8000, 0x8000, 3, 4}), X) == dwords({0x80000000, 11}));
  // 255*127*2 saturates high; 255*(-128)*2 saturates low; 2*(-3) + 1*4 = -2.
  CHECK(pmaddubsw(bytes({0xFF, 0xFF, 0xFF, 0xFF, 2, 1}), bytes({0x7F, 0x7F, 0x80, 0x80, 0xFD, 4}), X) ==
        words({0x7FFF, 0x8000, 0xFFFE}));
}

TEST_CASE("average and sums of absolute differences", "[simd][int]") {
  CHECK(pavg(bytes({0xFF, 1, 0}), bytes({0xFF, 2, 0}), Elem::B, X) == bytes({0xFF, 2, 0}));
  CHECK(pavg(words({0xFFFF, 3}), words({0xFFFE, 4}), Elem::W, X) == words({0xFFFF, 4}));
  const Vec128 a = iota_bytes(0);  // 0..15
  CHECK(psadbw(a, Vec128{}, X) == qwords(0 + 1 + 2 + 3 + 4 + 5 + 6 + 7, 8 + 9 + 10 + 11 + 12 + 13 + 14 + 15));
  CHECK(psadbw(bytes({0, 255}), bytes({255, 0}), M) == qwords(510, 0));
  // MPSADBW: a = 0..15; block of b = {0,0,0,0}: sum (i..i+3) = 4i+6.
  Vec128 want0, want4, want1;
  for (unsigned i = 0; i < 8; ++i) {
    want0.set<uint16_t>(i, static_cast<uint16_t>(4 * i + 6));
    want4.set<uint16_t>(i, static_cast<uint16_t>(4 * (i + 4) + 6));
    want1.set<uint16_t>(i, static_cast<uint16_t>(i == 0 ? 4 : 4 * i + 2));  // |i+k-1| summed
  }
  const Vec128 b = bytes({0, 0, 0, 0, 1, 1, 1, 1});
  CHECK(mpsadbw(a, b, 0) == want0);
  CHECK(mpsadbw(a, b, 4) == want4);
  CHECK(mpsadbw(a, b, 1) == want1);
}

TEST_CASE("min/max by signedness and width; compares", "[simd][int]") {
  CHECK(pmins(bytes({0x80, 1}), bytes({0x7F, 2}), Elem::B, X) == bytes({0x80, 1}));
  CHECK(pminu(bytes({0x80, 1}), bytes({0x7F, 2}), Elem::B, X) == bytes({0x7F, 1}));
  CHECK(pmaxs(dwords({0x80000000, 5}), dwords({0, 4}), Elem::D, X) == dwords({0, 5}));
  CHECK(pmaxu(dwords({0x80000000, 5}), dwords({0, 4}), Elem::D, X) == dwords({0x80000000, 5}));
  CHECK(pmaxu(words({0xFFFF}), words({1}), Elem::W, X) == words({0xFFFF}));
  CHECK(pcmpeq(dwords({1, 2, 3, 4}), dwords({1, 0, 3, 0}), Elem::D, X) == dwords({~0u, 0, ~0u, 0}));
  CHECK(pcmpgt(qwords(0x8000000000000000, 1), qwords(0, ~0ull), Elem::Q, X) == qwords(0, ~0ull));
  CHECK(pcmpgt(bytes({0x01, 0x80, 0x7F}), bytes({0xFF, 0x7F, 0x7F}), Elem::B, X) == bytes({0xFF, 0, 0}));
}

TEST_CASE("bitwise logic", "[simd][int]") {
  const Vec128 a = qwords(0xFF00FF00FF00FF00, 0x0F0F0F0F0F0F0F0F), b = qwords(0x0FF00FF00FF00FF0, 0xFFFF);
  CHECK(pand(a, b, X) == qwords(0x0F000F000F000F00, 0x0F0F));
  CHECK(pandn(a, b, X) == qwords(0x00F000F000F000F0, 0xF0F0));
  CHECK(por(a, b, X) == qwords(0xFFF0FFF0FFF0FFF0, 0x0F0F0F0F0F0FFFFF));
  CHECK(pxor(a, b, X) == qwords(0xF0F0F0F0F0F0F0F0, 0x0F0F0F0F0F0FF0F0));
}

TEST_CASE("pabs, psign", "[simd][int]") {
  CHECK(pabs(bytes({0x80, 0xFB, 5, 0}), Elem::B, X) == bytes({0x80, 5, 5, 0}));
  CHECK(pabs(dwords({0xFFFFFFFF, 0x80000000}), Elem::D, X) == dwords({1, 0x80000000}));
  CHECK(psign(words({5, 5, 5, 0x8000}), words({0xFFFF, 0, 7, 0x8000}), Elem::W, X) == words({0xFFFB, 0, 5, 0x8000}));
}

TEST_CASE("horizontal add/sub and minimum position", "[simd][int]") {
  const Vec128 a = words({1, 2, 3, 4, 5, 6, 7, 8}), b = words({10, 20, 30, 40, 50, 60, 70, 80});
  CHECK(phadd(a, b, Elem::W, X) == words({3, 7, 11, 15, 30, 70, 110, 150}));
  CHECK(phsub(a, b, Elem::W, X) == words({0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFF6, 0xFFF6, 0xFFF6, 0xFFF6}));
  CHECK(phadd(a, b, Elem::W, M) == words({3, 7, 30, 70}));
  CHECK(phadd(dwords({1, 2, 3, 4}), dwords({5, 6, 7, 8}), Elem::D, X) == dwords({3, 7, 11, 15}));
  CHECK(phaddsw(words({0x7FFF, 1, 0x8000, 0xFFFF}), words({0}), X) == words({0x7FFF, 0x8000}));
  CHECK(phsubsw(words({0x8000, 1}), words({0}), M) == words({0x8000}));
  CHECK(phminposuw(words({5, 3, 9, 3, 7, 8, 9, 10})) == words({3, 1}));
  CHECK(phminposuw(words({0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0})) == words({0, 7}));
}
