// Hand-worked IEEE 754 / Intel SDM edge cases for the soft-float library (no host
// reference needed, so these run on every host): rounding ties in every mode, signed
// zeros, overflow/underflow thresholds, precision control, DAZ/FTZ, NaN rules, integer
// and BCD conversions, FPREM quotient bits, and a few exact transcendental values.
#include <catch2/catch.hpp>

#include "cpu/fpu/softfloat.h"

using namespace emu::fpu;

namespace {

FloatStatus sse(Rounding r = Rounding::NearestEven, bool ftz = false, bool daz = false) {
  FloatStatus s;
  s.rounding = r;
  s.flush_to_zero = ftz;
  s.denormals_are_zero = daz;
  return s;
}
FloatStatus x87(Rounding r = Rounding::NearestEven, Precision p = Precision::Extended64, uint8_t masks = flag::All) {
  FloatStatus s;
  s.rounding = r;
  s.precision = p;
  s.masks = masks;
  return s;
}
constexpr Float80 F80(uint16_t se, uint64_t sig) { return Float80{sig, se}; }
constexpr Float80 kOne = F80(0x3FFF, 0x8000000000000000ull);
constexpr Float80 kIndefinite = F80(0xFFFF, 0xC000000000000000ull);
constexpr uint32_t kOneF = 0x3F800000, kMaxF = 0x7F7FFFFF, kInfF = 0x7F800000;

}  // namespace

TEST_CASE("single precision: a halfway sum rounds by mode", "[fpu]") {
  // 1 + 2^-24 is exactly half an ulp above 1.0 (ulp = 2^-23).
  const uint32_t half_ulp = 0x33800000;
  struct {
    Rounding r;
    uint32_t even_base, odd_base;
  } cases[] = {
      {Rounding::NearestEven, 0x3F800000, 0x3F800002},  // ties to even
      {Rounding::Up, 0x3F800001, 0x3F800002},
      {Rounding::Down, 0x3F800000, 0x3F800001},
      {Rounding::TowardZero, 0x3F800000, 0x3F800001},
  };
  for (const auto& c : cases) {
    FloatStatus s = sse(c.r);
    CHECK(f32_add(kOneF, half_ulp, s) == c.even_base);
    CHECK(s.flags == flag::Precision);
    s = sse(c.r);
    CHECK(f32_add(0x3F800001, half_ulp, s) == c.odd_base);
  }
  // Negative: -1 - 2^-24 rounds away from zero only toward -infinity.
  FloatStatus s = sse(Rounding::Down);
  CHECK(f32_sub(0xBF800000, half_ulp, s) == 0xBF800001);
  s = sse(Rounding::Up);
  CHECK(f32_sub(0xBF800000, half_ulp, s) == 0xBF800000);
}

TEST_CASE("signed zeros follow the rounding mode", "[fpu]") {
  FloatStatus s = sse();
  CHECK(f32_add(0x00000000, 0x80000000, s) == 0x00000000);
  CHECK(f32_sub(kOneF, kOneF, s) == 0x00000000);
  s = sse(Rounding::Down);
  CHECK(f32_add(0x00000000, 0x80000000, s) == 0x80000000);
  CHECK(f32_sub(kOneF, kOneF, s) == 0x80000000);
  CHECK(f32_add(0x80000000, 0x80000000, s) == 0x80000000);
  CHECK(s.flags == 0);
  s = sse();
  CHECK(f64_sqrt(0x8000000000000000ull, s) == 0x8000000000000000ull);  // sqrt(-0) = -0
  CHECK(f32_mul(0x80000000, kOneF, s) == 0x80000000);
  CHECK(s.flags == 0);
}

TEST_CASE("overflow threshold depends on the rounding mode", "[fpu]") {
  const uint32_t two = 0x40000000;
  struct {
    Rounding r;
    uint32_t pos, neg;
  } cases[] = {
      {Rounding::NearestEven, kInfF, 0xFF800000},
      {Rounding::Up, kInfF, 0xFF7FFFFF},
      {Rounding::Down, kMaxF, 0xFF800000},
      {Rounding::TowardZero, kMaxF, 0xFF7FFFFF},
  };
  for (const auto& c : cases) {
    FloatStatus s = sse(c.r);
    CHECK(f32_mul(kMaxF, two, s) == c.pos);
    CHECK(s.flags == (flag::Overflow | flag::Precision));
    s = sse(c.r);
    CHECK(f32_mul(kMaxF | 0x80000000, two, s) == c.neg);
  }
  // FLT_MAX + half an ulp (2^103) is a tie that rounds to even = infinity in nearest mode;
  // just below it stays finite.
  FloatStatus s = sse();
  CHECK(f32_add(kMaxF, 0x73000000, s) == kInfF);
  s = sse();
  CHECK(f32_add(kMaxF, 0x72FFFFFF, s) == kMaxF);
  CHECK(s.flags == flag::Precision);
}

TEST_CASE("underflow: tininess after rounding, exact denormals are not underflow", "[fpu]") {
  const uint32_t half = 0x3F000000, min_normal = 0x00800000;
  FloatStatus s = sse();
  CHECK(f32_mul(min_normal, half, s) == 0x00400000);  // exact denormal
  CHECK(s.flags == 0);
  s = sse();
  CHECK(f32_mul(0x00000001, half, s) == 0x00000000);  // tie 0 / min denormal -> even (0)
  CHECK(s.flags == (flag::Denormal | flag::Underflow | flag::Precision));  // DE: denormal operand
  s = sse(Rounding::Up);
  CHECK(f32_mul(0x00000001, half, s) == 0x00000001);
  // min_normal * (1 - 2^-24) = 2^-126 - 2^-150 is a tie between the largest denormal
  // and min_normal -> rounds to min_normal (even), but with an unbounded exponent it is
  // 1.11..1b * 2^-127 (24 bits, exact), so it is tiny after rounding: UE + PE.
  s = sse();
  CHECK(f32_mul(min_normal, 0x3F7FFFFF, s) == min_normal);
  CHECK(s.flags == (flag::Underflow | flag::Precision));
  s = sse();
  CHECK(f64_mul(0x0010000000000000ull, 0x3FEFFFFFFFFFFFFFull, s) == 0x0010000000000000ull);
  CHECK(s.flags == (flag::Underflow | flag::Precision));
  // 2^-126 * (1 - 2^-25) needs 25 bits; rounded to 24 bits with an unbounded exponent it
  // becomes 2^-126 itself: not tiny, so only PE.
  s = sse();
  CHECK(f64_to_f32(0x380FFFFFF0000000ull, s) == min_normal);
  CHECK(s.flags == flag::Precision);
  s = sse();
  CHECK(f64_to_f32(0x380FFFFFE0000000ull, s) == min_normal);
  CHECK(s.flags == (flag::Underflow | flag::Precision));
}

TEST_CASE("FTZ flushes tiny results, DAZ zeroes denormal operands", "[fpu]") {
  FloatStatus s = sse(Rounding::NearestEven, true, false);
  CHECK(f32_mul(0x00800000, 0x3F000000, s) == 0x00000000);
  CHECK(s.flags == (flag::Underflow | flag::Precision));
  s = sse(Rounding::NearestEven, true, false);
  CHECK(f32_mul(0x80800000, 0x3F000000, s) == 0x80000000);
  // Without DAZ a denormal operand signals DE; with DAZ it reads as zero.
  s = sse();
  CHECK(f32_add(0x00000001, 0x00000000, s) == 0x00000001);
  CHECK(s.flags == flag::Denormal);
  s = sse(Rounding::NearestEven, false, true);
  CHECK(f32_add(0x00000001, 0x00000000, s) == 0x00000000);
  CHECK(s.flags == 0);
  s = sse(Rounding::NearestEven, false, true);
  CHECK(f64_max(0x0000000000000001ull, 0x8000000000000000ull, s) == 0x8000000000000000ull);
}

TEST_CASE("SSE NaN rules: first operand wins, SNaN quieted, invalid gives the indefinite", "[fpu]") {
  FloatStatus s = sse();
  CHECK(f32_add(0x7F800001, kOneF, s) == 0x7FC00001);  // SNaN quieted
  CHECK(s.flags == flag::Invalid);
  s = sse();
  CHECK(f32_add(0x7FC00001, 0xFFC00002, s) == 0x7FC00001);  // first source
  CHECK(s.flags == 0);
  s = sse();
  CHECK(f32_add(kOneF, 0xFF800005, s) == 0xFFC00005);  // the only NaN, quieted
  s = sse();
  CHECK(f32_div(0, 0, s) == 0xFFC00000);
  CHECK(s.flags == flag::Invalid);
  s = sse();
  CHECK(f64_sub(0x7FF0000000000000ull, 0x7FF0000000000000ull, s) == 0xFFF8000000000000ull);
  s = sse();
  CHECK(f64_sqrt(0xBFF0000000000000ull, s) == 0xFFF8000000000000ull);
  CHECK(s.flags == flag::Invalid);
  s = sse();
  CHECK(f32_div(kOneF, 0x80000000, s) == 0xFF800000);
  CHECK(s.flags == flag::DivideByZero);
}

TEST_CASE("SSE min/max return the second operand for NaNs and zero pairs", "[fpu]") {
  FloatStatus s = sse();
  CHECK(f32_min(0x00000000, 0x80000000, s) == 0x80000000);
  CHECK(f32_min(0x80000000, 0x00000000, s) == 0x00000000);
  CHECK(f32_max(0x00000000, 0x80000000, s) == 0x80000000);
  CHECK(s.flags == 0);
  CHECK(f32_min(0x7FC00000, kOneF, s) == kOneF);
  CHECK(f32_min(kOneF, 0x7F800001, s) == 0x7F800001);  // SNaN returned unquieted
  CHECK(s.flags == flag::Invalid);
  s = sse();
  CHECK(f64_min(0x3FF0000000000000ull, 0x4000000000000000ull, s) == 0x3FF0000000000000ull);
  CHECK(f64_max(0x3FF0000000000000ull, 0x4000000000000000ull, s) == 0x4000000000000000ull);
}

TEST_CASE("correctly rounded division and square root", "[fpu]") {
  FloatStatus s = sse();
  CHECK(f64_div(0x3FF0000000000000ull, 0x4008000000000000ull, s) == 0x3FD5555555555555ull);  // 1/3
  s = sse(Rounding::Up);
  CHECK(f64_div(0x3FF0000000000000ull, 0x4008000000000000ull, s) == 0x3FD5555555555556ull);
  s = sse();
  CHECK(f64_sqrt(0x4000000000000000ull, s) == 0x3FF6A09E667F3BCDull);  // sqrt(2)
  CHECK(s.flags == flag::Precision);
  s = sse();
  CHECK(f32_sqrt(0x41100000, s) == 0x40400000);  // sqrt(9) = 3 exactly
  CHECK(s.flags == 0);
}

TEST_CASE("integer conversions: rounding, truncation and the integer indefinite", "[fpu]") {
  FloatStatus s = sse();
  CHECK(f32_to_i32(0x40200000, false, s) == 2);   // 2.5 -> 2 (even)
  CHECK(f32_to_i32(0x40600000, false, s) == 4);   // 3.5 -> 4
  CHECK(f32_to_i32(0xC0200000, false, s) == -2);  // -2.5 -> -2
  CHECK(f32_to_i32(0xC02CCCCD, true, s) == -2);   // CVTT: -2.7 -> -2
  CHECK(s.flags == flag::Precision);
  s = sse();
  CHECK(f32_to_i32(0x4F000000, false, s) == INT32_MIN);  // 2^31 out of range
  CHECK(s.flags == flag::Invalid);
  s = sse();
  CHECK(f32_to_i32(0xCF000000, false, s) == INT32_MIN);  // -2^31 fits exactly
  CHECK(s.flags == 0);
  CHECK(f64_to_i64(0x7FF8000000000000ull, true, s) == INT64_MIN);
  CHECK(s.flags == flag::Invalid);
  s = sse(Rounding::Up);
  CHECK(i64_to_f32(0x7FFFFFFFFFFFFFFFll, s) == 0x5F000000);  // 2^63 after rounding
  CHECK(s.flags == flag::Precision);
  s = x87();
  CHECK(f80_to_i16(F80(0x400E, 0x8000000000000000ull), false, s) == INT16_MIN);  // 32768
  CHECK(s.flags == flag::Invalid);
  s = x87();
  CHECK(f80_to_i16(F80(0xC00E, 0x8000000000000000ull), false, s) == -32768);
  CHECK(s.flags == 0);
}

TEST_CASE("x87 precision control rounds the significand but keeps the exponent range", "[fpu]") {
  const Float80 tiny_step = F80(0x3FFF - 24, 0x8000000000000000ull);  // 2^-24
  FloatStatus s = x87(Rounding::NearestEven, Precision::Single24);
  CHECK(f80_add(kOne, tiny_step, s) == kOne);  // tie at 24 bits -> even
  CHECK(s.flags == flag::Precision);
  s = x87(Rounding::Up, Precision::Single24);
  CHECK(f80_add(kOne, tiny_step, s) == F80(0x3FFF, 0x8000010000000000ull));
  CHECK(s.c1);
  s = x87(Rounding::NearestEven, Precision::Double53);
  CHECK(f80_add(kOne, tiny_step, s) == F80(0x3FFF, 0x8000008000000000ull));  // exact at 53 bits
  CHECK(s.flags == 0);
  // 2^-200 * 2^-200 is far below the single range but normal in the 15-bit exponent.
  const Float80 p = F80(0x3FFF - 200, 0x8000000000000000ull);
  s = x87(Rounding::NearestEven, Precision::Single24);
  CHECK(f80_mul(p, p, s) == F80(0x3FFF - 400, 0x8000000000000000ull));
  CHECK(s.flags == 0);
}

TEST_CASE("x87 masked and unmasked overflow/underflow", "[fpu]") {
  const Float80 max = F80(0x7FFE, 0xFFFFFFFFFFFFFFFFull), two = F80(0x4000, 0x8000000000000000ull);
  FloatStatus s = x87();
  CHECK(f80_mul(max, two, s) == F80(0x7FFF, 0x8000000000000000ull));
  CHECK(s.flags == (flag::Overflow | flag::Precision));
  CHECK(s.c1);
  // Unmasked: the exponent is wrapped by 3 * 2^13.
  s = x87(Rounding::NearestEven, Precision::Extended64, flag::All & ~flag::Overflow);
  CHECK(f80_mul(max, two, s) == F80(0x7FFF - 0x6000, 0xFFFFFFFFFFFFFFFFull));
  CHECK(s.flags == flag::Overflow);
  CHECK(x87_result_written(s.flags, s.masks));
  CHECK_FALSE(x87_store_written(s.flags, s.masks));
  const Float80 min_normal = F80(0x0001, 0x8000000000000000ull), half = F80(0x3FFE, 0x8000000000000000ull);
  s = x87(Rounding::NearestEven, Precision::Extended64, flag::All & ~flag::Underflow);
  CHECK(f80_mul(min_normal, half, s) == F80(0x6000, 0x8000000000000000ull));
  CHECK(s.flags == flag::Underflow);
  s = x87();
  CHECK(f80_mul(min_normal, half, s) == F80(0x0000, 0x4000000000000000ull));  // exact denormal
  CHECK(s.flags == 0);
}

TEST_CASE("x87 NaN rules and unsupported encodings", "[fpu]") {
  FloatStatus s = x87();
  const Float80 q1 = F80(0x7FFF, 0xC000000000000001ull), q2 = F80(0xFFFF, 0xC000000000000002ull);
  CHECK(f80_add(q1, q2, s) == q2);  // larger significand
  CHECK(f80_add(q2, q1, s) == q2);
  CHECK(s.flags == 0);
  const Float80 snan = F80(0x7FFF, 0x8000000000000009ull);
  CHECK(f80_mul(snan, kOne, s) == F80(0x7FFF, 0xC000000000000009ull));
  CHECK(s.flags == flag::Invalid);
  s = x87();
  CHECK(f80_add(F80(0x7FFF, 0), kOne, s) == kIndefinite);  // pseudo-infinity
  CHECK(s.flags == flag::Invalid);
  s = x87();
  CHECK(f80_add(F80(0x4000, 0x4000000000000000ull), kOne, s) == kIndefinite);  // unnormal
  s = x87();
  CHECK(f80_add(F80(0x0000, 0x8000000000000000ull), F80(0, 0), s) == F80(0x0001, 0x8000000000000000ull));
  CHECK(s.flags == flag::Denormal);
  s = x87(Rounding::NearestEven, Precision::Extended64, flag::All & ~flag::Invalid);
  f80_sqrt(F80(0xBFFF, 0x8000000000000000ull), s);
  CHECK_FALSE(x87_result_written(s.flags, s.masks));
}

TEST_CASE("x87 compare, FXAM, FXTRACT, FSCALE", "[fpu]") {
  FloatStatus s = x87();
  CHECK(f80_compare(kOne, F80(0x4000, 0x8000000000000000ull), false, s) == Ordering::Less);
  CHECK(f80_compare(F80(0x0000, 0), F80(0x8000, 0), false, s) == Ordering::Equal);
  CHECK(f80_compare(F80(0xFFFF, 0x8000000000000000ull), kOne, false, s) == Ordering::Less);  // -inf
  CHECK(s.flags == 0);
  CHECK(f80_compare(F80(0x7FFF, 0xC000000000000000ull), kOne, false, s) == Ordering::Unordered);
  CHECK(s.flags == 0);  // FUCOM: QNaN is quiet
  CHECK(f80_compare(F80(0x7FFF, 0xC000000000000000ull), kOne, true, s) == Ordering::Unordered);
  CHECK(s.flags == flag::Invalid);  // FCOM: any NaN signals

  CHECK(f80_examine(kOne, false) == x87sw::C2);
  CHECK(f80_examine(F80(0x8000, 0), false) == (x87sw::C3 | x87sw::C1));
  CHECK(f80_examine(F80(0x0000, 1), false) == (x87sw::C3 | x87sw::C2));
  CHECK(f80_examine(F80(0x7FFF, 0x8000000000000000ull), false) == (x87sw::C2 | x87sw::C0));
  CHECK(f80_examine(F80(0x7FFF, 0xC000000000000000ull), false) == x87sw::C0);
  CHECK(f80_examine(F80(0x4000, 0x4000000000000000ull), false) == 0);  // unnormal: unsupported
  CHECK(f80_examine(kOne, true) == (x87sw::C3 | x87sw::C0));

  s = x87();
  const Extracted e = f80_extract(F80(0x4002, 0xA000000000000000ull), s);  // 10 = 1.25 * 2^3
  CHECK(e.exponent == F80(0x4000, 0xC000000000000000ull));
  CHECK(e.significand == F80(0x3FFF, 0xA000000000000000ull));
  s = x87();
  const Extracted z = f80_extract(F80(0x8000, 0), s);
  CHECK(z.exponent == F80(0xFFFF, 0x8000000000000000ull));
  CHECK(s.flags == flag::DivideByZero);

  s = x87();  // 1.5 * 2^trunc(3.7) = 12
  CHECK(f80_scale(F80(0x3FFF, 0xC000000000000000ull), F80(0x4000, 0xECCCCCCCCCCCCCCDull), s) == F80(0x4002, 0xC000000000000000ull));
  CHECK(s.flags == 0);
}

TEST_CASE("FPREM and FPREM1 remainders and quotient bits", "[fpu]") {
  const Float80 ten = i64_to_f80(10), eleven = i64_to_f80(11), three = i64_to_f80(3);
  FloatStatus s = x87();
  Remainder r = f80_prem(ten, three, false, s);  // 10 = 3*3 + 1
  CHECK(r.value == kOne);
  CHECK(r.quotient_low == 3);
  CHECK(remainder_condition_bits(r) == (x87sw::C3 | x87sw::C1));
  r = f80_prem(eleven, three, false, s);  // 11 = 3*3 + 2
  CHECK(r.value == i64_to_f80(2));
  r = f80_prem(eleven, three, true, s);  // IEEE: 11 = 4*3 - 1
  CHECK(r.value == i64_to_f80(-1));
  CHECK(r.quotient_low == 4);
  CHECK(remainder_condition_bits(r) == x87sw::C0);
  CHECK(s.flags == 0);
  // Exponent difference >= 64: partial remainder, C2 set.
  r = f80_prem(F80(0x3FFF + 100, 0x8000000000000000ull), three, false, s);
  CHECK(r.incomplete);
  CHECK(remainder_condition_bits(r) == x87sw::C2);
  // Invalid: infinity dividend or zero divisor.
  s = x87();
  CHECK(f80_prem(kOne, F80(0, 0), false, s).value == kIndefinite);
  CHECK(s.flags == flag::Invalid);
}

TEST_CASE("packed BCD store and load", "[fpu]") {
  FloatStatus s = x87();
  const auto b = f80_to_bcd(i64_to_f80(-1234), s);
  const std::array<uint8_t, 10> expect{0x34, 0x12, 0, 0, 0, 0, 0, 0, 0, 0x80};
  CHECK(b == expect);
  CHECK(bcd_to_f80(expect) == i64_to_f80(-1234));
  s = x87();  // 2.5 rounds to 2 in nearest mode, PE
  CHECK(f80_to_bcd(F80(0x4000, 0xA000000000000000ull), s)[0] == 0x02);
  CHECK(s.flags == flag::Precision);
  s = x87();  // 10^18 has 19 digits
  const auto big = f80_to_bcd(i64_to_f80(1000000000000000000ll), s);
  const std::array<uint8_t, 10> indefinite{0, 0, 0, 0, 0, 0, 0, 0xC0, 0xFF, 0xFF};
  CHECK(big == indefinite);
  CHECK(s.flags == flag::Invalid);
  const std::array<uint8_t, 10> nines{0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0};
  CHECK(bcd_to_f80(nines) == i64_to_f80(999999999999999999ll));
}

TEST_CASE("round to integral in every mode, with and without the precision exception", "[fpu]") {
  const uint32_t two_and_half = 0x40200000, minus_two_and_half = 0xC0200000;
  FloatStatus s = sse();
  CHECK(f32_round_sse(two_and_half, 0, s) == 0x40000000);         // nearest even: 2
  CHECK(f32_round_sse(minus_two_and_half, 1, s) == 0xC0400000);   // down: -3
  CHECK(f32_round_sse(two_and_half, 2, s) == 0x40400000);         // up: 3
  CHECK(f32_round_sse(minus_two_and_half, 3, s) == 0xC0000000);   // truncate: -2
  CHECK(s.flags == flag::Precision);
  s = sse();
  CHECK(f32_round_sse(two_and_half, 8, s) == 0x40000000);  // PE suppressed
  CHECK(s.flags == 0);
  s = sse(Rounding::Up);
  CHECK(f32_round_sse(0x3E800000, 4, s) == kOneF);  // 0.25 with MXCSR.RC = up
  CHECK(f32_round_sse(0xBE800000, 4, s) == 0x80000000);  // -0.25 up -> -0
  s = x87(Rounding::NearestEven);
  CHECK(f80_round_to_int(F80(0x4000, 0xE000000000000000ull), s) == i64_to_f80(4));  // 3.5 -> 4
  CHECK(s.c1);
}

TEST_CASE("control and status word helpers", "[fpu]") {
  const FloatStatus m = status_from_mxcsr(0x1F80 | mxcsr::FTZ | mxcsr::DAZ | (3u << mxcsr::RoundingShift));
  CHECK(m.rounding == Rounding::TowardZero);
  CHECK(m.flush_to_zero);
  CHECK(m.denormals_are_zero);
  CHECK(m.masks == flag::All);
  FloatStatus s = m;
  s.flags = flag::Precision;
  CHECK(mxcsr_merge_flags(0x1F81, s) == 0x1FA1);
  const FloatStatus x = status_from_x87_control(0x027F ^ flag::Overflow);  // PC=53, OE unmasked
  CHECK(x.precision == Precision::Double53);
  CHECK(x.rounding == Rounding::NearestEven);
  CHECK(x.masks == (flag::All & ~flag::Overflow));
  s = x;
  s.flags = flag::Overflow | flag::Precision;
  s.c1 = true;
  CHECK(x87_status_merge(0, s) == (flag::Overflow | flag::Precision | x87sw::C1 | x87sw::ES | x87sw::B));
}

TEST_CASE("FLDxx constants and exact transcendental values", "[fpu]") {
  CHECK(f80_constant(X87Constant::Pi, Rounding::NearestEven) == F80(0x4000, 0xC90FDAA22168C235ull));
  CHECK(f80_constant(X87Constant::Pi, Rounding::Down) == F80(0x4000, 0xC90FDAA22168C234ull));
  CHECK(f80_constant(X87Constant::LnTwo, Rounding::NearestEven) == F80(0x3FFE, 0xB17217F7D1CF79ACull));
  CHECK(f80_constant(X87Constant::One, Rounding::Up) == kOne);
  FloatStatus s = x87();
  CHECK(f80_sin(F80(0, 0), s).value == F80(0, 0));
  CHECK(f80_cos(F80(0x8000, 0), s).value == kOne);
  CHECK(s.flags == 0);
  // atan2(1, 1) = pi/4 rounds like pi.
  CHECK(f80_fpatan(kOne, kOne, s) == F80(0x3FFE, 0xC90FDAA22168C235ull));
  // 3 * log2(8) = 9 exactly, in every rounding mode.
  for (unsigned rc = 0; rc < 4; ++rc) {
    s = x87(static_cast<Rounding>(rc));
    CHECK(f80_fyl2x(i64_to_f80(8), i64_to_f80(3), s) == i64_to_f80(9));
  }
  // Out of range operands leave the value alone and set C2.
  s = x87();
  const Float80 huge = F80(0x3FFF + 63, 0x8000000000000000ull);
  const TrigResult t = f80_sin(huge, s);
  CHECK(t.out_of_range);
  CHECK(t.value == huge);
  // log2(0) * finite: divide by zero; log2(negative): invalid.
  s = x87();
  CHECK(f80_fyl2x(F80(0, 0), kOne, s) == F80(0xFFFF, 0x8000000000000000ull));
  CHECK(s.flags == flag::DivideByZero);
  s = x87();
  CHECK(f80_fyl2x(F80(0xBFFF, 0x8000000000000000ull), kOne, s) == kIndefinite);
  CHECK(s.flags == flag::Invalid);
}

TEST_CASE("CMPSS predicates including the VEX range 8-31", "[fpu]") {
  const uint32_t one = kOneF, two = 0x40000000, qnan = 0x7FC00000, snan = 0x7F800001;
  struct Case {
    unsigned imm;
    uint32_t a, b;
    bool result;
    uint8_t flags;
  } cases[] = {
      {0, one, one, true, 0},            // EQ_OQ
      {0, qnan, one, false, 0},          // quiet: QNaN does not signal
      {0, snan, one, false, flag::Invalid},
      {1, one, two, true, 0},            // LT_OS
      {1, qnan, one, false, flag::Invalid},  // signaling on QNaN
      {3, qnan, one, true, 0},           // UNORD_Q
      {4, qnan, one, true, 0},           // NEQ_UQ
      {5, two, one, true, 0},            // NLT_US
      {7, one, two, true, 0},            // ORD_Q
      {8, qnan, one, true, 0},           // EQ_UQ
      {11, one, one, false, 0},          // FALSE_OQ
      {12, one, two, true, 0},           // NEQ_OQ
      {12, qnan, one, false, 0},
      {13, two, two, true, 0},           // GE_OS on ordered operands
      {13, qnan, one, false, flag::Invalid},
      {15, qnan, one, true, 0},          // TRUE_UQ
      {16, qnan, one, false, flag::Invalid},  // EQ_OS: bit 4 makes EQ signaling
      {17, qnan, one, false, 0},         // LT_OQ: bit 4 makes LT quiet
      {31, qnan, one, true, flag::Invalid},   // TRUE_US
  };
  for (const auto& c : cases) {
    FloatStatus s = sse();
    INFO("imm " << c.imm);
    CHECK(f32_compare_predicate(c.a, c.b, c.imm, s) == c.result);
    CHECK(s.flags == c.flags);
  }
}

TEST_CASE("RCPSS/RSQRTSS special cases", "[fpu]") {
  CHECK(f32_rcp_approx(0x40000000) == 0x3F000000);    // 1/2
  CHECK(f32_rcp_approx(0x80000000) == 0xFF800000);    // 1/-0 = -inf
  CHECK(f32_rcp_approx(0x00000005) == 0x7F800000);    // denormal reads as zero
  CHECK(f32_rcp_approx(0x7F000000) == 0x00000000);    // 1/2^127 is tiny: flushed
  CHECK(f32_rcp_approx(0xFF800000) == 0x80000000);    // 1/-inf = -0
  CHECK(f32_rcp_approx(0x7F800001) == 0x7FC00001);    // SNaN quieted, no exception
  CHECK(f32_rsqrt_approx(0x40800000) == 0x3F000000);  // 1/sqrt(4)
  CHECK(f32_rsqrt_approx(0xBF800000) == 0xFFC00000);  // negative: indefinite
  CHECK(f32_rsqrt_approx(0x80000000) == 0xFF800000);  // -0: -inf
}

TEST_CASE("FMA rounds once", "[fpu]") {
  // (1 + 2^-23)(1 - 2^-23) - 1 = -2^-46 exactly; separate multiply and add would give 0.
  FloatStatus s = sse();
  CHECK(f32_fma(0x3F800001, 0x3F7FFFFE, 0xBF800000, s) == 0xA8800000);
  CHECK(s.flags == 0);
  CHECK(f32_fma(0x3F800001, 0x3F7FFFFE, 0x3F800000, s, true, false) == 0x28800000);  // VFNMADD: 1 - product
  FloatStatus m = sse();
  CHECK(f32_add(f32_mul(0x3F800001, 0x3F7FFFFE, m), 0xBF800000, m) == 0x00000000);
  // NaN order a, b, c; 0 * inf + c is invalid.
  s = sse();
  CHECK(f64_fma(0x3FF0000000000000ull, 0x7FF8000000000002ull, 0x7FF8000000000003ull, s) == 0x7FF8000000000002ull);
  CHECK(f64_fma(0, 0x7FF0000000000000ull, 0x3FF0000000000000ull, s) == 0xFFF8000000000000ull);
  CHECK(s.flags == flag::Invalid);
}
