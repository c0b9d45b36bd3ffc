// Hand-worked cases for packs, unpacks, shuffles, PALIGNR and INSERTPS (simd_shuffle.h).
#include <catch2/catch.hpp>

#include "cpu/sem/simd_shuffle.h"
#include "simd_test_vectors.h"

using namespace emu;
using namespace emu::simd;
using namespace emu::simd::test;

constexpr VecSize X = VecSize::Xmm;
constexpr VecSize M = VecSize::Mmx;

TEST_CASE("packs saturate; a fills the low half", "[simd][shuffle]") {
  // 256 -> 127, -300 -> -128, 5, -1; b's words go to bytes 8..15.
  CHECK(packss(words({0x0100, 0xFED4, 5, 0xFFFF}), words({0x7F}), Elem::W, X) ==
        bytes({0x7F, 0x80, 5, 0xFF, 0, 0, 0, 0, 0x7F}));
  CHECK(packus(words({0xFFFF, 300, 0x80}), words({}), Elem::W, X) == bytes({0, 0xFF, 0x80}));
  CHECK(packss(dwords({40000, 0xFFFF0000}), dwords({1}), Elem::D, X) == words({0x7FFF, 0x8000, 0, 0, 1}));
  CHECK(packus(dwords({70000, 0xFFFFFFFF, 0xFFFF}), dwords({}), Elem::D, X) == words({0xFFFF, 0, 0xFFFF}));
  // MMX: 4 words of a then 4 of b.
  CHECK(packss(words({1, 2, 3, 4, 99}), words({5, 6, 7, 8}), Elem::W, M) == bytes({1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST_CASE("unpacks interleave", "[simd][shuffle]") {
  const Vec128 a = iota_bytes(0x00), b = iota_bytes(0x10);
  CHECK(punpckl(a, b, Elem::B, X) == bytes({0, 0x10, 1, 0x11, 2, 0x12, 3, 0x13, 4, 0x14, 5, 0x15, 6, 0x16, 7, 0x17}));
  CHECK(punpckh(a, b, Elem::W, X) == words({0x0908, 0x1918, 0x0B0A, 0x1B1A, 0x0D0C, 0x1D1C, 0x0F0E, 0x1F1E}));
  CHECK(punpckl(a, b, Elem::Q, X) == qwords(a.q[0], b.q[0]));
  CHECK(punpckh(a, b, Elem::Q, X) == qwords(a.q[1], b.q[1]));
  CHECK(punpckh(a, b, Elem::B, M) == bytes({4, 0x14, 5, 0x15, 6, 0x16, 7, 0x17}));
  CHECK(punpckl(a, b, Elem::D, M) == dwords({0x03020100, 0x13121110}));
}

TEST_CASE("pshufd/pshuflw/pshufhw/pshufw", "[simd][shuffle]") {
  const Vec128 d = dwords({10, 11, 12, 13});
  CHECK(pshufd(d, 0x1B) == dwords({13, 12, 11, 10}));
  CHECK(pshufd(d, 0x00) == dwords({10, 10, 10, 10}));
  const Vec128 w = words({0, 1, 2, 3, 4, 5, 6, 7});
  CHECK(pshuflw(w, 0x1B) == words({3, 2, 1, 0, 4, 5, 6, 7}));
  CHECK(pshufhw(w, 0x1B) == words({0, 1, 2, 3, 7, 6, 5, 4}));
  CHECK(pshufw(w, 0xE4) == words({0, 1, 2, 3}));  // identity; high half cleared
  CHECK(pshufw(w, 0x55) == words({1, 1, 1, 1}));
}

TEST_CASE("pshufb", "[simd][shuffle]") {
  const Vec128 a = iota_bytes(0x40);
  CHECK(pshufb(a, bytes({0x0F, 0x80, 0x00, 0x1F, 0xFF, 0x05}), X) ==
        bytes({0x4F, 0x00, 0x40, 0x4F, 0x00, 0x45, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40}));
  // MMX: index mod 8.
  CHECK(pshufb(a, bytes({0x0F, 0x80, 0x09, 0, 0, 0, 0, 0}), M) == bytes({0x47, 0, 0x41, 0x40, 0x40, 0x40, 0x40, 0x40}));
}

TEST_CASE("palignr shifts the concatenation a:b", "[simd][shuffle]") {
  const Vec128 a = iota_bytes(16), b = iota_bytes(0);  // a:b holds bytes 0..31
  CHECK(palignr(a, b, 5, X) == iota_bytes(5));
  CHECK(palignr(a, b, 20, X) == bytes({20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31}));
  CHECK(palignr(a, b, 32, X) == Vec128{});
  CHECK(palignr(a, b, 0, X) == b);
  // MMX: a:b is 16 bytes, a = 8..15 (low qword of iota 8), b = 0..7.
  const Vec128 am = iota_bytes(8), bm = iota_bytes(0);
  CHECK(palignr(am, bm, 3, M) == bytes({3, 4, 5, 6, 7, 8, 9, 10}));
  CHECK(palignr(am, bm, 12, M) == bytes({12, 13, 14, 15}));
  CHECK(palignr(am, bm, 16, M) == Vec128{});
}

TEST_CASE("shufps/shufpd, dups, insertps", "[simd][shuffle]") {
  const Vec128 a = dwords({0xA0, 0xA1, 0xA2, 0xA3}), b = dwords({0xB0, 0xB1, 0xB2, 0xB3});
  CHECK(shufps(a, b, 0x4E) == dwords({0xA2, 0xA3, 0xB0, 0xB1}));  // 01 00 11 10
  CHECK(shufpd(qwords(1, 2), qwords(3, 4), 1) == qwords(2, 3));
  CHECK(shufpd(qwords(1, 2), qwords(3, 4), 2) == qwords(1, 4));
  CHECK(movsldup(a) == dwords({0xA0, 0xA0, 0xA2, 0xA2}));
  CHECK(movshdup(a) == dwords({0xA1, 0xA1, 0xA3, 0xA3}));
  CHECK(movddup(qwords(7, 8)) == qwords(7, 7));
  // src dword 2 into dword 1, then dword 3 zeroed.
  CHECK(insertps_reg(a, b, (2 << 6) | (1 << 4) | 0x8) == dwords({0xA0, 0xB2, 0xA2, 0}));
  CHECK(insertps(a, 0x1234, (3 << 4) | 0x1) == dwords({0, 0xA1, 0xA2, 0x1234}));
}
