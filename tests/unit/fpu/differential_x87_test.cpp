// Differential test of the x87 side of the soft-float library against the host FPU:
// arithmetic under every rounding and precision control, masked and unmasked
// exceptions (biased results), loads/stores, integer stores, compares and FXAM,
// comparing ST(0), stored memory, exception flags, C0-C3 and ES. Skipped with a message
// on hosts that are not x86-64.
#include <catch2/catch.hpp>

#include <cinttypes>
#include <functional>

#include "cpu/fpu/softfloat.h"
#include "host_reference.h"
#include "random_values.h"
#include "tally.h"

using namespace emu::fpu;
using fputest::Rng;
using fputest::Tally;
using hostref::X87Op;

namespace {

constexpr uint16_t kCompareMask = flag::All | x87sw::ES | x87sw::C1;

uint16_t random_fcw(Rng& r) {
  uint16_t masks = flag::All;
  switch (r.below(8)) {
    case 0: masks = static_cast<uint16_t>(flag::All & ~(flag::Overflow | flag::Underflow)); break;
    case 1: masks = static_cast<uint16_t>(r.below(64)); break;
    default: break;
  }
  return static_cast<uint16_t>(0x0040 | masks | (r.below(4) << 8) | (r.below(4) << 10));
}

std::string show(Float80 v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04x:%016" PRIx64, v.sign_exp, v.signif);
  return buf;
}

using Binary = std::function<Float80(Float80, Float80, FloatStatus&)>;

// ST0 = op(a, b); compares the register result and the status word.
void run_register_op(const char* name, X87Op op, const Binary& ours, uint64_t seed, bool unary) {
  Rng rng(seed);
  Tally t(name);
  for (int i = 0; i < fputest::case_count(); ++i) {
    const Float80 a = fputest::random_f80(rng);
    const Float80 b = unary ? fputest::random_f80(rng) : fputest::related_f80(rng, a);
    const uint16_t fcw = random_fcw(rng);
    const hostref::X87Out h = hostref::x87(op, a, b, fcw);
    FloatStatus st = status_from_x87_control(fcw);
    Float80 got = ours(a, b, st);
    if (!x87_result_written(st.flags, st.masks)) got = a;
    const uint16_t sw = x87_status_merge(0, st);
    t.check(got == h.st0 && (sw & kCompareMask) == (h.fsw & kCompareMask), "a=%s b=%s fcw=%04x: host %s fsw %04x, ours %s fsw %04x",
            show(a).c_str(), show(b).c_str(), fcw, show(h.st0).c_str(), h.fsw & kCompareMask, show(got).c_str(), sw & kCompareMask);
  }
  t.summary();
  CHECK(t.bad() == 0);
}

#define SKIP_UNLESS_X86_HOST()                                                    \
  if (!hostref::available()) {                                                    \
    WARN("differential test skipped: the host is not x86-64 (no reference CPU)"); \
    return;                                                                       \
  }

}  // namespace

TEST_CASE("x87 arithmetic matches the host FPU", "[fpu][diff][x87]") {
  SKIP_UNLESS_X86_HOST();
  run_register_op("fadd", X87Op::Add, f80_add, 0x87000001, false);
  run_register_op("fsub", X87Op::Sub, f80_sub, 0x87000002, false);
  run_register_op("fmul", X87Op::Mul, f80_mul, 0x87000003, false);
  run_register_op("fdiv", X87Op::Div, f80_div, 0x87000004, false);
  run_register_op("fsqrt", X87Op::Sqrt, [](Float80 a, Float80, FloatStatus& s) { return f80_sqrt(a, s); }, 0x87000005, true);
  run_register_op("frndint", X87Op::Rndint, [](Float80 a, Float80, FloatStatus& s) { return f80_round_to_int(a, s); }, 0x87000006, true);
}

TEST_CASE("x87 loads and stores of single/double match the host FPU", "[fpu][diff][x87]") {
  SKIP_UNLESS_X86_HOST();
  Rng rng(0x87000101);
  Tally load("fld m32/m64"), store("fst m32/m64");
  for (int i = 0; i < fputest::case_count(); ++i) {
    const uint16_t fcw = random_fcw(rng);
    // Loads: the operand's low bits are the memory image.
    const bool dbl = rng.coin();
    const uint64_t mem = dbl ? fputest::random_f64(rng) : fputest::random_f32(rng);
    const hostref::X87Out h = hostref::x87(dbl ? X87Op::LoadF64 : X87Op::LoadF32, Float80{mem, 0}, Float80{}, fcw);
    FloatStatus st = status_from_x87_control(fcw);
    const Float80 got = dbl ? f64_to_f80(mem, st) : f32_to_f80(static_cast<uint32_t>(mem), st);
    uint16_t sw = x87_status_merge(0, st);
    // An unmasked invalid load leaves the stack unchanged (ST0 is then b); a denormal one
    // is pushed even with DE unmasked.
    if (x87_load_written(st.flags, st.masks)) {
      load.check(got == h.st0 && (sw & kCompareMask) == (h.fsw & kCompareMask), "%s %016" PRIx64 " fcw=%04x: host %s fsw %04x, ours %s fsw %04x",
                 dbl ? "m64" : "m32", mem, fcw, show(h.st0).c_str(), h.fsw & kCompareMask, show(got).c_str(), sw & kCompareMask);
    } else {
      load.check((sw & kCompareMask) == (h.fsw & kCompareMask), "%s %016" PRIx64 " fcw=%04x (no load): host fsw %04x, ours %04x",
                 dbl ? "m64" : "m32", mem, fcw, h.fsw & kCompareMask, sw & kCompareMask);
    }

    Float80 a = fputest::random_f80(rng);
    if (rng.coin()) {  // exponents around the single/double ranges
      const int e = dbl ? 0x3FFF - 1100 + static_cast<int>(rng.below(2200)) : 0x3FFF - 170 + static_cast<int>(rng.below(340));
      a.sign_exp = static_cast<uint16_t>((a.sign_exp & 0x8000) | e);
    }
    const hostref::X87Out hs = hostref::x87(dbl ? X87Op::StoreF64 : X87Op::StoreF32, a, Float80{}, fcw);
    st = status_from_x87_control(fcw);
    uint64_t stored = dbl ? f80_to_f64(a, st) : (0xA5A5A5A500000000ull | f80_to_f32(a, st));
    if (!x87_store_written(st.flags, st.masks)) stored = 0xA5A5A5A5A5A5A5A5ull;
    sw = x87_status_merge(0, st);
    store.check(stored == hs.memory && (sw & kCompareMask) == (hs.fsw & kCompareMask),
                "%s a=%s fcw=%04x: host %016" PRIx64 " fsw %04x, ours %016" PRIx64 " fsw %04x", dbl ? "m64" : "m32", show(a).c_str(), fcw,
                hs.memory, hs.fsw & kCompareMask, stored, sw & kCompareMask);
  }
  load.summary();
  store.summary();
  CHECK(load.bad() == 0);
  CHECK(store.bad() == 0);
}

TEST_CASE("x87 integer stores (FIST, FISTTP) match the host FPU", "[fpu][diff][x87]") {
  SKIP_UNLESS_X86_HOST();
  Rng rng(0x87000201);
  Tally t("fist/fisttp");
  for (int i = 0; i < fputest::case_count(); ++i) {
    const uint16_t fcw = random_fcw(rng);
    Float80 a = fputest::random_f80(rng);
    if (rng.below(4) != 0) a.sign_exp = static_cast<uint16_t>((a.sign_exp & 0x8000) | (0x3FFF - 3 + rng.below(70)));
    const int kind = static_cast<int>(rng.below(4));
    static const X87Op ops[] = {X87Op::StoreI16, X87Op::StoreI32, X87Op::StoreI64, X87Op::StoreTruncI64};
    const hostref::X87Out h = hostref::x87(ops[kind], a, Float80{}, fcw);
    FloatStatus st = status_from_x87_control(fcw);
    uint64_t got;
    switch (kind) {
      case 0: got = 0xA5A5A5A5A5A50000ull | static_cast<uint16_t>(f80_to_i16(a, false, st)); break;
      case 1: got = 0xA5A5A5A500000000ull | static_cast<uint32_t>(f80_to_i32(a, false, st)); break;
      case 2: got = static_cast<uint64_t>(f80_to_i64(a, false, st)); break;
      default: got = static_cast<uint64_t>(f80_to_i64(a, true, st)); break;
    }
    if (!x87_store_written(st.flags, st.masks)) got = 0xA5A5A5A5A5A5A5A5ull;
    const uint16_t sw = x87_status_merge(0, st);
    t.check(got == h.memory && (sw & kCompareMask) == (h.fsw & kCompareMask), "kind %d a=%s fcw=%04x: host %016" PRIx64 " fsw %04x, ours %016" PRIx64 " fsw %04x",
            kind, show(a).c_str(), fcw, h.memory, h.fsw & kCompareMask, got, sw & kCompareMask);
  }
  t.summary();
  CHECK(t.bad() == 0);
}

TEST_CASE("x87 compares and FXAM match the host FPU", "[fpu][diff][x87]") {
  SKIP_UNLESS_X86_HOST();
  Rng rng(0x87000301);
  Tally cmp("fcom/fucom"), xam("fxam");
  constexpr uint16_t kCond = x87sw::C0 | x87sw::C2 | x87sw::C3;
  for (int i = 0; i < fputest::case_count(); ++i) {
    const uint16_t fcw = random_fcw(rng);
    const Float80 a = fputest::random_f80(rng);
    const Float80 b = rng.below(4) == 0 ? a : fputest::related_f80(rng, a);
    const bool signaling = rng.coin();
    const hostref::X87Out h = hostref::x87(signaling ? X87Op::Com : X87Op::Ucom, a, b, fcw);
    FloatStatus st = status_from_x87_control(fcw);
    const Ordering o = f80_compare(a, b, signaling, st);
    uint16_t cond = 0;
    switch (o) {
      case Ordering::Less: cond = x87sw::C0; break;
      case Ordering::Equal: cond = x87sw::C3; break;
      case Ordering::Greater: cond = 0; break;
      case Ordering::Unordered: cond = kCond; break;
    }
    // The condition codes are set even when IE/DE are unmasked.
    const uint16_t sw = static_cast<uint16_t>(x87_status_merge(0, st) | cond);
    const uint16_t m = kCompareMask | kCond;
    cmp.check((sw & m) == (h.fsw & m), "a=%s b=%s sig%d fcw=%04x: host fsw %04x, ours %04x", show(a).c_str(), show(b).c_str(), signaling, fcw,
              h.fsw & m, sw & m);

    const hostref::X87Out hx = hostref::x87(X87Op::Xam, a, b, fcw);
    const uint16_t mx = kCond | x87sw::C1;
    const uint16_t gx = f80_examine(a, false);
    xam.check((hx.fsw & mx) == gx, "a=%s: host %04x ours %04x", show(a).c_str(), hx.fsw & mx, gx);
  }
  cmp.summary();
  xam.summary();
  CHECK(cmp.bad() == 0);
  CHECK(xam.bad() == 0);
}

TEST_CASE("x87 FXTRACT, FSCALE, FPREM, FPREM1 and FBSTP match the host FPU", "[fpu][diff][x87]") {
  SKIP_UNLESS_X86_HOST();
  Rng rng(0x87000401);
  Tally xtract("fxtract"), scale("fscale"), prem("fprem/fprem1"), bcd("fbstp");
  constexpr uint16_t kCond = x87sw::C0 | x87sw::C1 | x87sw::C2 | x87sw::C3;
  for (int i = 0; i < fputest::case_count(); ++i) {
    const uint16_t fcw = random_fcw(rng);
    const Float80 a = fputest::random_f80(rng);

    hostref::X87Out h = hostref::x87(X87Op::Xtract, a, Float80{}, fcw);
    FloatStatus st = status_from_x87_control(fcw);
    const Extracted e = f80_extract(a, st);
    uint16_t sw = x87_status_merge(0, st);
    if (x87_result_written(st.flags, st.masks)) {
      xtract.check(e.significand == h.st0 && e.exponent == h.st1 && (sw & kCompareMask) == (h.fsw & kCompareMask),
                   "a=%s: host %s %s fsw %04x, ours %s %s fsw %04x", show(a).c_str(), show(h.st1).c_str(), show(h.st0).c_str(),
                   h.fsw & kCompareMask, show(e.exponent).c_str(), show(e.significand).c_str(), sw & kCompareMask);
    } else {
      xtract.check((sw & kCompareMask) == (h.fsw & kCompareMask) && h.st0 == a, "a=%s (not written): host %s fsw %04x, ours fsw %04x",
                   show(a).c_str(), show(h.st0).c_str(), h.fsw & kCompareMask, sw & kCompareMask);
    }

    Float80 b = fputest::random_f80(rng);
    if (rng.coin()) b = i64_to_f80(static_cast<int64_t>(rng.below(40000)) - 20000);
    h = hostref::x87(X87Op::Scale, a, b, fcw);
    st = status_from_x87_control(fcw);
    Float80 got = f80_scale(a, b, st);
    if (!x87_result_written(st.flags, st.masks)) got = a;
    sw = x87_status_merge(0, st);
    scale.check(got == h.st0 && (sw & kCompareMask) == (h.fsw & kCompareMask), "a=%s b=%s fcw=%04x: host %s fsw %04x, ours %s fsw %04x",
                show(a).c_str(), show(b).c_str(), fcw, show(h.st0).c_str(), h.fsw & kCompareMask, show(got).c_str(), sw & kCompareMask);

    const Float80 d = fputest::related_f80(rng, a);
    const bool ieee = rng.coin();
    h = hostref::x87(ieee ? X87Op::Prem1 : X87Op::Prem, a, d, fcw);
    st = status_from_x87_control(fcw);
    const Remainder r = f80_prem(a, d, ieee, st);
    got = x87_result_written(st.flags, st.masks) ? r.value : a;
    sw = static_cast<uint16_t>((x87_status_merge(0, st) & ~x87sw::C1) | remainder_condition_bits(r));
    const uint16_t m = (flag::All | x87sw::ES | kCond);
    prem.check(got == h.st0 && (sw & m) == (h.fsw & m), "%s a=%s b=%s fcw=%04x: host %s fsw %04x, ours %s fsw %04x", ieee ? "fprem1" : "fprem",
               show(a).c_str(), show(d).c_str(), fcw, show(h.st0).c_str(), h.fsw & m, show(got).c_str(), sw & m);

    Float80 v = a;
    if (rng.below(4) != 0) v.sign_exp = static_cast<uint16_t>((v.sign_exp & 0x8000) | (0x3FFF - 3 + rng.below(66)));
    h = hostref::x87(X87Op::StoreBcd, v, Float80{}, fcw);
    st = status_from_x87_control(fcw);
    const auto packed = f80_to_bcd(v, st);
    uint64_t lo = 0;
    for (int k = 7; k >= 0; --k) lo = lo << 8 | packed[static_cast<size_t>(k)];
    uint16_t hi = static_cast<uint16_t>(packed[8] | packed[9] << 8);
    if (!x87_store_written(st.flags, st.masks)) {
      lo = 0xA5A5A5A5A5A5A5A5ull;
      hi = 0xA5A5;
    }
    sw = x87_status_merge(0, st);
    bcd.check(lo == h.memory && hi == h.memory_hi && (sw & kCompareMask) == (h.fsw & kCompareMask),
              "a=%s fcw=%04x: host %04x%016" PRIx64 " fsw %04x, ours %04x%016" PRIx64 " fsw %04x", show(v).c_str(), fcw, h.memory_hi, h.memory,
              h.fsw & kCompareMask, hi, lo, sw & kCompareMask);
    if (lo != 0xA5A5A5A5A5A5A5A5ull && !(st.flags & flag::Invalid)) {
      // FBLD of what FBSTP stored gives back the rounded integer exactly.
      FloatStatus rs;
      rs.rounding = status_from_x87_control(fcw).rounding;
      const Float80 back = bcd_to_f80(packed);
      const Float80 rounded = f80_round_to_int(v, rs);
      bcd.check(back == rounded || (back.signif == 0 && rounded.signif == 0), "fbld(fbstp(%s)) = %s, frndint %s", show(v).c_str(),
                show(back).c_str(), show(rounded).c_str());
    }
  }
  xtract.summary();
  scale.summary();
  prem.summary();
  bcd.summary();
  CHECK(xtract.bad() == 0);
  CHECK(scale.bad() == 0);
  CHECK(prem.bad() == 0);
  CHECK(bcd.bad() == 0);
}

TEST_CASE("x87 FLDxx constants match the host FPU in every rounding mode", "[fpu][diff][x87]") {
  SKIP_UNLESS_X86_HOST();
  static const std::pair<X87Op, X87Constant> consts[] = {{X87Op::LdL2T, X87Constant::Log2Ten},
                                                         {X87Op::LdL2E, X87Constant::Log2E},
                                                         {X87Op::LdPi, X87Constant::Pi},
                                                         {X87Op::LdLG2, X87Constant::Log10Two},
                                                         {X87Op::LdLN2, X87Constant::LnTwo}};
  for (const auto& [op, k] : consts) {
    for (unsigned rc = 0; rc < 4; ++rc) {
      const hostref::X87Out h = hostref::x87(op, Float80{}, Float80{}, static_cast<uint16_t>(0x037F | rc << 10));
      const Float80 got = f80_constant(k, static_cast<Rounding>(rc));
      INFO("constant " << static_cast<int>(k) << " rc " << rc << ": host " << show(h.st0) << " ours " << show(got));
      CHECK(got == h.st0);
    }
  }
}

TEST_CASE("x87 NaN propagation (SNaN/QNaN pairs, equal significands) matches the host FPU", "[fpu][diff][x87]") {
  SKIP_UNLESS_X86_HOST();
  Rng rng(0x87000501);
  Tally t("x87 NaN pairs");
  for (int i = 0; i < 4000; ++i) {
    auto nan = [&](bool quiet) {
      uint64_t payload = rng.below(3) == 0 ? 0x1234 : (rng.next() & 0x3FFFFFFFFFFFFFFFull);
      if (!quiet && payload == 0) payload = 1;
      return Float80{0x8000000000000000ull | (quiet ? 0x4000000000000000ull : 0) | payload,
                     static_cast<uint16_t>((rng.coin() ? 0x8000 : 0) | 0x7FFF)};
    };
    Float80 a = nan(rng.coin());
    Float80 b = rng.below(4) == 0 ? fputest::random_f80(rng) : nan(rng.coin());
    if (rng.below(3) == 0) b.signif = a.signif;  // equal significands
    if (rng.coin()) std::swap(a, b);
    static const X87Op ops[] = {X87Op::Add, X87Op::Sub, X87Op::Mul, X87Op::Div};
    static const Binary fns[] = {f80_add, f80_sub, f80_mul, f80_div};
    const unsigned k = rng.below(4);
    const hostref::X87Out h = hostref::x87(ops[k], a, b, 0x037F);
    FloatStatus st = status_from_x87_control(0x037F);
    const Float80 got = fns[k](a, b, st);
    const uint16_t sw = x87_status_merge(0, st);
    t.check(got == h.st0 && (sw & kCompareMask) == (h.fsw & kCompareMask), "op %u a=%s b=%s: host %s fsw %04x, ours %s fsw %04x", k,
            show(a).c_str(), show(b).c_str(), show(h.st0).c_str(), h.fsw & kCompareMask, show(got).c_str(), sw & kCompareMask);
  }
  t.summary();
  CHECK(t.bad() == 0);
}

TEST_CASE("x87 arithmetic and compares with m32/m64 memory operands match the host FPU", "[fpu][diff][x87]") {
  SKIP_UNLESS_X86_HOST();
  Rng rng(0x87000601);
  Tally t("fadds/fsubrs/fmull/fdivl"), cmp("fcoms/fcoml");
  constexpr uint16_t kCond = x87sw::C0 | x87sw::C2 | x87sw::C3;
  struct Form {
    X87Op op;
    X87Arith arith;
    bool dbl;
  };
  static const Form forms[] = {{X87Op::AddM32, X87Arith::Add, false},
                               {X87Op::SubRM32, X87Arith::SubR, false},
                               {X87Op::MulM64, X87Arith::Mul, true},
                               {X87Op::DivM64, X87Arith::Div, true}};
  for (int i = 0; i < fputest::case_count(); ++i) {
    const uint16_t fcw = random_fcw(rng);
    const Float80 a = fputest::random_f80(rng);
    const Form& f = forms[rng.below(4)];
    const uint64_t m = f.dbl ? fputest::random_f64(rng) : fputest::random_f32(rng);
    hostref::X87Out h = hostref::x87(f.op, a, Float80{m, 0}, fcw);
    FloatStatus st = status_from_x87_control(fcw);
    Float80 got = f.dbl ? f80_arith_m64(f.arith, a, m, st) : f80_arith_m32(f.arith, a, static_cast<uint32_t>(m), st);
    if (!x87_result_written(st.flags, st.masks)) got = a;
    uint16_t sw = x87_status_merge(0, st);
    t.check(got == h.st0 && (sw & kCompareMask) == (h.fsw & kCompareMask), "op %d a=%s m=%016" PRIx64 " fcw=%04x: host %s fsw %04x, ours %s fsw %04x",
            static_cast<int>(f.op), show(a).c_str(), m, fcw, show(h.st0).c_str(), h.fsw & kCompareMask, show(got).c_str(), sw & kCompareMask);

    h = hostref::x87(f.dbl ? X87Op::ComM64 : X87Op::ComM32, a, Float80{m, 0}, fcw);
    st = status_from_x87_control(fcw);
    const Ordering o = f.dbl ? f80_compare_m64(a, m, true, st) : f80_compare_m32(a, static_cast<uint32_t>(m), true, st);
    const uint16_t cond = o == Ordering::Less ? x87sw::C0 : o == Ordering::Equal ? x87sw::C3 : o == Ordering::Greater ? 0 : kCond;
    sw = static_cast<uint16_t>(x87_status_merge(0, st) | cond);
    const uint16_t mask = kCompareMask | kCond;
    cmp.check((sw & mask) == (h.fsw & mask), "a=%s m=%016" PRIx64 " fcw=%04x: host fsw %04x, ours %04x", show(a).c_str(), m, fcw, h.fsw & mask,
              sw & mask);
  }
  t.summary();
  cmp.summary();
  CHECK(t.bad() == 0);
  CHECK(cmp.bad() == 0);
}
