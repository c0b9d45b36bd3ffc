// Hand-worked cases for PCMPESTRx/PCMPISTRx (simd_string.h): each aggregation mode,
// the polarities, index/mask output selection, explicit length handling and flags.
#include <catch2/catch.hpp>

#include "cpu/sem/simd_string.h"
#include "simd_test_vectors.h"

using namespace emu;
using namespace emu::simd;
using namespace emu::simd::test;

namespace {
// imm8 fields
constexpr uint8_t kUbyte = 0x00, kUword = 0x01, kSbyte = 0x02;
constexpr uint8_t kEqualAny = 0x00, kRanges = 0x04, kEqualEach = 0x08, kEqualOrdered = 0x0C;
constexpr uint8_t kNegative = 0x10, kMaskedNegative = 0x30;
constexpr uint8_t kMostSignificant = 0x40, kExpandedMask = 0x40;
}  // namespace

TEST_CASE("equal any: vowels in a string", "[simd][string]") {
  // "hello world": e at 1, o at 4 and 7.
  const StrCmpResult r = pcmpistr(text("aeiou"), text("hello world"), kUbyte | kEqualAny);
  CHECK(r.mask == qwords(0x92, 0));
  CHECK(r.index == 1);
  CHECK(r.cf);
  CHECK(r.zf);  // b ends inside the register
  CHECK(r.sf);  // a too
  CHECK_FALSE(r.of);
  CHECK(pcmpistr(text("aeiou"), text("hello world"), kUbyte | kEqualAny | kMostSignificant).index == 7);
  const StrCmpResult e = pcmpistr(text("aeiou"), text("hello world"), kUbyte | kEqualAny | kExpandedMask);
  CHECK(e.mask == bytes({0, 0xFF, 0, 0, 0xFF, 0, 0, 0xFF}));
}

TEST_CASE("ranges: letters", "[simd][string]") {
  const StrCmpResult r = pcmpistr(text("azAZ"), text("Hi, 9x"), kUbyte | kRanges);
  CHECK(r.mask == qwords(0x23, 0));  // H, i, x
  CHECK(r.of);
  // Signed bytes: 0x80 (-128) lies in [-128, -1], 0x7F does not.
  const StrCmpResult s = pcmpistr(bytes({0x80, 0xFF}), bytes({0x7F, 0x80, 0xC0, 0x01}), kSbyte | kRanges);
  CHECK(s.mask == qwords(0x6, 0));
  // Unsigned, the same bytes: [0x80, 0xFF] holds 0x80 and 0xC0 too.
  CHECK(pcmpistr(bytes({0x80, 0xFF}), bytes({0x7F, 0x80, 0xC0, 0x01}), kUbyte | kRanges).mask == qwords(0x6, 0));
  CHECK(pcmpistr(bytes({0x01, 0x7F}), bytes({0x7F, 0x80, 0xC0, 0x01}), kSbyte | kRanges).mask == qwords(0x9, 0));
}

TEST_CASE("equal each: strcmp idiom and polarities", "[simd][string]") {
  // Positions past both ends compare true; a valid element against an ended one false.
  const StrCmpResult r = pcmpistr(text("hello"), text("help"), kUbyte | kEqualEach);
  CHECK(r.mask == qwords(0xFFE7, 0));
  const StrCmpResult n = pcmpistr(text("hello"), text("help"), kUbyte | kEqualEach | kNegative);
  CHECK(n.mask == qwords(0x0018, 0));
  CHECK(n.index == 3);  // first difference
  // Masked negative only inverts the positions inside b's length (3 here).
  const StrCmpResult m = pcmpistr(text("abc"), text("abd"), kUbyte | kEqualEach | kMaskedNegative);
  CHECK(m.mask == qwords(0xFFFC, 0));
  CHECK(pcmpistr(text("abc"), text("abd"), kUbyte | kEqualEach | kNegative).mask == qwords(0x0004, 0));
  // Identical full-length strings: no result bit under negation, index = 16, CF = 0.
  const Vec128 full = text("0123456789abcdef");
  const StrCmpResult same = pcmpistr(full, full, kUbyte | kEqualEach | kNegative);
  CHECK(same.index == 16);
  CHECK_FALSE(same.cf);
  CHECK_FALSE(same.zf);
  CHECK_FALSE(same.sf);
}

TEST_CASE("equal ordered: substring search", "[simd][string]") {
  const StrCmpResult r = pcmpistr(text("lo"), text("hello lo"), kUbyte | kEqualOrdered);
  CHECK(r.mask == qwords(0x48, 0));  // at 3 and 6
  CHECK(r.index == 3);
  CHECK(pcmpistr(text("lo"), text("hello lo"), kUbyte | kEqualOrdered | kMostSignificant).index == 6);
  // A needle running past the register end still matches its in-register prefix.
  const Vec128 hay = text("xxxxxxxxxxxxxxab");
  CHECK(pcmpistr(text("abc"), hay, kUbyte | kEqualOrdered).mask == qwords(0x4000, 0));
  // Empty needle: every position matches.
  CHECK(pcmpistr(Vec128{}, text("abc"), kUbyte | kEqualOrdered).mask == qwords(0xFFFF, 0));
}

TEST_CASE("word elements", "[simd][string]") {
  const StrCmpResult r = pcmpistr(wtext("ab"), wtext("xaybzb"), kUword | kEqualAny);
  CHECK(r.mask == qwords(0x2A, 0));
  const StrCmpResult e = pcmpistr(wtext("ab"), wtext("xaybzb"), kUword | kEqualAny | kExpandedMask);
  CHECK(e.mask == words({0, 0xFFFF, 0, 0xFFFF, 0, 0xFFFF, 0, 0}));
  const StrCmpResult none = pcmpistr(wtext("q"), wtext("abc"), kUword | kEqualAny);
  CHECK(none.index == 8);
  CHECK_FALSE(none.cf);
}

TEST_CASE("explicit lengths: absolute value, saturated", "[simd][string]") {
  const Vec128 a = text("aaaa"), b = text("aaaaaaaa");
  // la = -3 acts as 3: equal each over 3 valid pairs, then a ended but b valid (false)
  // up to lb = 8, then both ended (true).
  const StrCmpResult r = pcmpestr(a, -3, b, 8, kUbyte | kEqualEach);
  CHECK(r.mask == qwords(0xFF07, 0));
  CHECK(r.sf);
  CHECK(r.zf);
  // Lengths beyond 16 saturate: no string ends inside the register.
  const StrCmpResult big = pcmpestr(a, 100, b, INT64_MIN, kUbyte | kEqualEach);
  CHECK_FALSE(big.sf);
  CHECK_FALSE(big.zf);
  CHECK(big.mask == qwords(0xFF0F, 0));  // bytes 0..3 ('a'), 8..15 (both 0) agree; 4..7 differ
  // Word format saturates at 8.
  CHECK_FALSE(pcmpestr(a, 8, b, 9, kUword | kEqualEach).sf);
  CHECK(pcmpestr(a, 7, b, 9, kUword | kEqualEach).sf);
  CHECK(pcmpstr_length(0xFFFFFFFF, false) == -1);
  CHECK(pcmpstr_length(0xFFFFFFFF, true) == 0xFFFFFFFF);
}
