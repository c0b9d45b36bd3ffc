// Differential test of the SSE (single/double) side of the soft-float library against
// the host CPU: random operands, every MXCSR rounding mode, FTZ and DAZ, comparing
// result bits and exception flags. Skipped (with a message) on non-x86-64 hosts.
#include <catch2/catch.hpp>

#include <cinttypes>

#include "cpu/fpu/softfloat.h"
#include "host_reference.h"
#include "random_values.h"
#include "tally.h"

using namespace emu::fpu;
using fputest::Rng;
using fputest::Tally;
using hostref::SseOp;

namespace {

uint32_t random_mxcsr(Rng& r) {
  uint32_t m = mxcsr::Default | (r.below(4) << mxcsr::RoundingShift);
  if (r.below(4) == 0) m |= mxcsr::FTZ;
  if (r.below(4) == 0) m |= mxcsr::DAZ;
  return m;
}

struct OpF32 {
  const char* name;
  SseOp op;
  Float32 (*ours)(Float32, Float32, FloatStatus&);
};
struct OpF64 {
  const char* name;
  SseOp op;
  Float64 (*ours)(Float64, Float64, FloatStatus&);
};

#define SKIP_UNLESS_X86_HOST()                                                    \
  if (!hostref::available()) {                                                    \
    WARN("differential test skipped: the host is not x86-64 (no reference CPU)"); \
    return;                                                                       \
  }

}  // namespace

TEST_CASE("SSE single-precision arithmetic matches the host", "[fpu][diff]") {
  SKIP_UNLESS_X86_HOST();
  static const OpF32 ops[] = {
      {"addss", SseOp::Add, f32_add}, {"subss", SseOp::Sub, f32_sub}, {"mulss", SseOp::Mul, f32_mul},
      {"divss", SseOp::Div, f32_div}, {"minss", SseOp::Min, f32_min}, {"maxss", SseOp::Max, f32_max},
      {"sqrtss", SseOp::Sqrt, [](Float32 a, Float32, FloatStatus& s) { return f32_sqrt(a, s); }},
  };
  for (const auto& op : ops) {
    Rng rng(0x5EED0001 + static_cast<uint64_t>(op.op));
    Tally t(op.name);
    for (int i = 0; i < fputest::case_count(); ++i) {
      const uint32_t a = fputest::random_f32(rng);
      const uint32_t b = static_cast<uint32_t>(fputest::related_ieee(rng, a, 23, 8));
      const uint32_t csr = random_mxcsr(rng);
      uint32_t host_csr = csr;
      const uint32_t expect = hostref::sse_f32(op.op, a, b, host_csr);
      FloatStatus st = status_from_mxcsr(csr);
      const uint32_t got = op.ours(a, b, st);
      t.check(got == expect && st.flags == (host_csr & 0x3F), "a=%08x b=%08x mxcsr=%04x: host %08x flags %02x, ours %08x flags %02x", a, b,
              csr, expect, host_csr & 0x3F, got, st.flags);
    }
    t.summary();
    CHECK(t.bad() == 0);
  }
}

TEST_CASE("SSE double-precision arithmetic matches the host", "[fpu][diff]") {
  SKIP_UNLESS_X86_HOST();
  static const OpF64 ops[] = {
      {"addsd", SseOp::Add, f64_add}, {"subsd", SseOp::Sub, f64_sub}, {"mulsd", SseOp::Mul, f64_mul},
      {"divsd", SseOp::Div, f64_div}, {"minsd", SseOp::Min, f64_min}, {"maxsd", SseOp::Max, f64_max},
      {"sqrtsd", SseOp::Sqrt, [](Float64 a, Float64, FloatStatus& s) { return f64_sqrt(a, s); }},
  };
  for (const auto& op : ops) {
    Rng rng(0x5EED0101 + static_cast<uint64_t>(op.op));
    Tally t(op.name);
    for (int i = 0; i < fputest::case_count(); ++i) {
      const uint64_t a = fputest::random_f64(rng);
      const uint64_t b = fputest::related_ieee(rng, a, 52, 11);
      const uint32_t csr = random_mxcsr(rng);
      uint32_t host_csr = csr;
      const uint64_t expect = hostref::sse_f64(op.op, a, b, host_csr);
      FloatStatus st = status_from_mxcsr(csr);
      const uint64_t got = op.ours(a, b, st);
      t.check(got == expect && st.flags == (host_csr & 0x3F),
              "a=%016" PRIx64 " b=%016" PRIx64 " mxcsr=%04x: host %016" PRIx64 " flags %02x, ours %016" PRIx64 " flags %02x", a, b, csr,
              expect, host_csr & 0x3F, got, st.flags);
    }
    t.summary();
    CHECK(t.bad() == 0);
  }
}

TEST_CASE("SSE conversions between single and double match the host", "[fpu][diff]") {
  SKIP_UNLESS_X86_HOST();
  Rng rng(0x5EED0201);
  Tally up("cvtss2sd"), down("cvtsd2ss");
  for (int i = 0; i < fputest::case_count(); ++i) {
    const uint32_t a = fputest::random_f32(rng);
    uint64_t d = fputest::random_f64(rng);
    if (rng.coin()) {  // doubles near the single-precision range and thresholds
      const uint64_t e = 1023 - 160 + rng.below(300);
      d = (d & 0x800FFFFFFFFFFFFFull) | (e << 52);
    }
    const uint32_t csr = random_mxcsr(rng);
    uint32_t hc = csr;
    const uint64_t e1 = hostref::sse_cvtss2sd(a, hc);
    FloatStatus st = status_from_mxcsr(csr);
    const uint64_t g1 = f32_to_f64(a, st);
    up.check(g1 == e1 && st.flags == (hc & 0x3F), "a=%08x mxcsr=%04x: host %016" PRIx64 " flags %02x, ours %016" PRIx64 " flags %02x", a,
             csr, e1, hc & 0x3F, g1, st.flags);
    hc = csr;
    const uint32_t e2 = hostref::sse_cvtsd2ss(d, hc);
    st = status_from_mxcsr(csr);
    const uint32_t g2 = f64_to_f32(d, st);
    down.check(g2 == e2 && st.flags == (hc & 0x3F), "a=%016" PRIx64 " mxcsr=%04x: host %08x flags %02x, ours %08x flags %02x", d, csr, e2,
               hc & 0x3F, g2, st.flags);
  }
  up.summary();
  down.summary();
  CHECK(up.bad() == 0);
  CHECK(down.bad() == 0);
}

TEST_CASE("SSE integer conversions match the host", "[fpu][diff]") {
  SKIP_UNLESS_X86_HOST();
  Rng rng(0x5EED0301);
  Tally to_int("cvt(t)s{s,d}2si"), from_int("cvtsi2s{s,d}");
  for (int i = 0; i < fputest::case_count(); ++i) {
    const uint32_t csr = random_mxcsr(rng);
    const int width = rng.coin() ? 32 : 64;
    const bool trunc = rng.coin();
    // Floats near the integer range edges, small values and random ones.
    uint32_t a = fputest::random_f32(rng);
    uint64_t d = fputest::random_f64(rng);
    if (rng.coin()) {
      a = (a & 0x807FFFFFu) | ((127u + rng.below(66) - 2) << 23);
      d = (d & 0x800FFFFFFFFFFFFFull) | ((1023ull + rng.below(66) - 2) << 52);
    }
    uint32_t hc = csr;
    int64_t e = hostref::sse_f32_to_int(a, width, trunc, hc);
    FloatStatus st = status_from_mxcsr(csr);
    int64_t g = width == 32 ? f32_to_i32(a, trunc, st) : f32_to_i64(a, trunc, st);
    to_int.check(g == e && st.flags == (hc & 0x3F), "f32 %08x w%d t%d mxcsr=%04x: host %" PRId64 " flags %02x, ours %" PRId64 " flags %02x",
                 a, width, trunc, csr, e, hc & 0x3F, g, st.flags);
    hc = csr;
    e = hostref::sse_f64_to_int(d, width, trunc, hc);
    st = status_from_mxcsr(csr);
    g = width == 32 ? f64_to_i32(d, trunc, st) : f64_to_i64(d, trunc, st);
    to_int.check(g == e && st.flags == (hc & 0x3F),
                 "f64 %016" PRIx64 " w%d t%d mxcsr=%04x: host %" PRId64 " flags %02x, ours %" PRId64 " flags %02x", d, width, trunc, csr, e,
                 hc & 0x3F, g, st.flags);

    int64_t v = static_cast<int64_t>(rng.next() >> rng.below(64));
    if (rng.coin()) v = -v;
    if (width == 32) v = static_cast<int32_t>(v);
    hc = csr;
    const uint32_t ef = hostref::sse_int_to_f32(v, width, hc);
    st = status_from_mxcsr(csr);
    const uint32_t gf = width == 32 ? i32_to_f32(static_cast<int32_t>(v), st) : i64_to_f32(v, st);
    from_int.check(ef == gf && st.flags == (hc & 0x3F), "%" PRId64 " -> f32 mxcsr=%04x: host %08x flags %02x, ours %08x flags %02x", v, csr,
                   ef, hc & 0x3F, gf, st.flags);
    hc = csr;
    const uint64_t ed = hostref::sse_int_to_f64(v, width, hc);
    st = status_from_mxcsr(csr);
    const uint64_t gd = width == 32 ? i32_to_f64(static_cast<int32_t>(v), st) : i64_to_f64(v, st);
    from_int.check(ed == gd && st.flags == (hc & 0x3F),
                   "%" PRId64 " -> f64 mxcsr=%04x: host %016" PRIx64 " flags %02x, ours %016" PRIx64 " flags %02x", v, csr, ed, hc & 0x3F, gd,
                   st.flags);
  }
  to_int.summary();
  from_int.summary();
  CHECK(to_int.bad() == 0);
  CHECK(from_int.bad() == 0);
}

TEST_CASE("SSE4.1 ROUNDSS/ROUNDSD match the host", "[fpu][diff]") {
  SKIP_UNLESS_X86_HOST();
  if (!hostref::has_sse41()) {
    WARN("ROUNDSS differential test skipped: host has no SSE4.1");
    return;
  }
  Rng rng(0x5EED0401);
  Tally t("roundss/roundsd");
  for (int i = 0; i < fputest::case_count(); ++i) {
    const uint32_t csr = random_mxcsr(rng);
    const unsigned imm = rng.below(16);
    uint32_t a = fputest::random_f32(rng);
    uint64_t d = fputest::random_f64(rng);
    if (rng.coin()) {
      a = (a & 0x807FFFFFu) | ((127u + rng.below(30) - 4) << 23);
      d = (d & 0x800FFFFFFFFFFFFFull) | ((1023ull + rng.below(60) - 4) << 52);
    }
    uint32_t hc = csr;
    const uint32_t e = hostref::sse_round_f32(a, imm, hc);
    FloatStatus st = status_from_mxcsr(csr);
    const uint32_t g = f32_round_sse(a, static_cast<uint8_t>(imm), st);
    t.check(g == e && st.flags == (hc & 0x3F), "f32 %08x imm %u mxcsr=%04x: host %08x flags %02x, ours %08x flags %02x", a, imm, csr, e,
            hc & 0x3F, g, st.flags);
    hc = csr;
    const uint64_t ed = hostref::sse_round_f64(d, imm, hc);
    st = status_from_mxcsr(csr);
    const uint64_t gd = f64_round_sse(d, static_cast<uint8_t>(imm), st);
    t.check(gd == ed && st.flags == (hc & 0x3F),
            "f64 %016" PRIx64 " imm %u mxcsr=%04x: host %016" PRIx64 " flags %02x, ours %016" PRIx64 " flags %02x", d, imm, csr, ed, hc & 0x3F,
            gd, st.flags);
  }
  t.summary();
  CHECK(t.bad() == 0);
}

TEST_CASE("SSE compares (COMISS/UCOMISS/CMPSS and double forms) match the host", "[fpu][diff]") {
  SKIP_UNLESS_X86_HOST();
  Rng rng(0x5EED0501);
  Tally comi("comis/ucomis"), cmp("cmpss/cmpsd");
  auto rflags = [](Ordering o) -> unsigned {
    switch (o) {
      case Ordering::Less: return 0x01;
      case Ordering::Equal: return 0x40;
      case Ordering::Greater: return 0x00;
      case Ordering::Unordered: return 0x45;
    }
    return 0;
  };
  for (int i = 0; i < fputest::case_count(); ++i) {
    const uint32_t csr = random_mxcsr(rng);
    const bool sig = rng.coin();
    const unsigned imm = rng.below(8);
    const uint32_t a = fputest::random_f32(rng);
    const uint32_t b = rng.below(4) == 0 ? a : static_cast<uint32_t>(fputest::related_ieee(rng, a, 23, 8));
    const uint64_t c = fputest::random_f64(rng);
    const uint64_t d = rng.below(4) == 0 ? c : fputest::related_ieee(rng, c, 52, 11);

    uint32_t hc = csr;
    unsigned e = hostref::sse_comi_f32(a, b, sig, hc);
    FloatStatus st = status_from_mxcsr(csr);
    unsigned g = rflags(f32_compare(a, b, sig, st));
    comi.check(g == e && st.flags == (hc & 0x3F), "f32 %08x %08x sig%d: host %02x flags %02x, ours %02x flags %02x", a, b, sig, e, hc & 0x3F,
               g, st.flags);
    hc = csr;
    e = hostref::sse_comi_f64(c, d, sig, hc);
    st = status_from_mxcsr(csr);
    g = rflags(f64_compare(c, d, sig, st));
    comi.check(g == e && st.flags == (hc & 0x3F), "f64 %016" PRIx64 " %016" PRIx64 " sig%d: host %02x flags %02x, ours %02x flags %02x", c,
               d, sig, e, hc & 0x3F, g, st.flags);

    hc = csr;
    bool eb = hostref::sse_cmp_f32(a, b, imm, hc);
    st = status_from_mxcsr(csr);
    bool gb = f32_compare_predicate(a, b, imm, st);
    cmp.check(gb == eb && st.flags == (hc & 0x3F), "f32 %08x %08x imm %u: host %d flags %02x, ours %d flags %02x", a, b, imm, eb, hc & 0x3F,
              gb, st.flags);
    hc = csr;
    eb = hostref::sse_cmp_f64(c, d, imm, hc);
    st = status_from_mxcsr(csr);
    gb = f64_compare_predicate(c, d, imm, st);
    cmp.check(gb == eb && st.flags == (hc & 0x3F), "f64 %016" PRIx64 " %016" PRIx64 " imm %u: host %d flags %02x, ours %d flags %02x", c, d,
              imm, eb, hc & 0x3F, gb, st.flags);
  }
  comi.summary();
  cmp.summary();
  CHECK(comi.bad() == 0);
  CHECK(cmp.bad() == 0);
}

TEST_CASE("RCPSS/RSQRTSS: specials match the host, values within the architectural error", "[fpu][diff]") {
  SKIP_UNLESS_X86_HOST();
  Rng rng(0x5EED0601);
  Tally t("rcpss/rsqrtss");
  for (int i = 0; i < fputest::case_count(); ++i) {
    const uint32_t a = fputest::random_f32(rng);
    const bool rsqrt = rng.coin();
    uint32_t csr = random_mxcsr(rng);
    const uint32_t h = hostref::sse_f32(rsqrt ? SseOp::Rsqrt : SseOp::Rcp, a, 0, csr);
    const uint32_t g = rsqrt ? f32_rsqrt_approx(a) : f32_rcp_approx(a);
    const uint32_t exp_h = (h >> 23) & 0xFF, exp_g = (g >> 23) & 0xFF;
    const uint32_t exp_a = (a >> 23) & 0xFF;
    bool ok;
    if (exp_h == 0 || exp_g == 0 || exp_h == 0xFF || exp_g == 0xFF) {
      // Zeros, infinities, NaNs: identical, except in the band where flushing a tiny
      // reciprocal is implementation-dependent (|a| near 2^126).
      ok = h == g || (!rsqrt && exp_a >= 252 && exp_a <= 253);
    } else {
      // Both approximate 1/a (1/sqrt(a)) within 1.5 * 2^-12: they differ by < 3 * 2^-12.
      const int64_t diff = static_cast<int64_t>(h) - static_cast<int64_t>(g);
      ok = (h >> 31) == (g >> 31) && (diff < 0 ? -diff : diff) <= (3 << 11) + 1;
    }
    t.check(ok && (csr & 0x3F) == 0, "%s a=%08x: host %08x (flags %02x), ours %08x", rsqrt ? "rsqrt" : "rcp", a, h, csr & 0x3F, g);
  }
  t.summary();
  CHECK(t.bad() == 0);
}

TEST_CASE("FMA3 scalar fused multiply-add matches the host", "[fpu][diff]") {
  SKIP_UNLESS_X86_HOST();
  if (!hostref::has_fma()) {
    WARN("FMA differential test skipped: host has no FMA3");
    return;
  }
  Rng rng(0x5EED0701);
  Tally t("vfmadd213ss/sd");
  for (int i = 0; i < fputest::case_count(); ++i) {
    const uint32_t csr = random_mxcsr(rng);
    const uint32_t a = fputest::random_f32(rng), b = fputest::random_f32(rng);
    // The addend near the product's magnitude (cancellation) or anywhere.
    uint32_t c = fputest::random_f32(rng);
    if (rng.coin()) {
      const int e = static_cast<int>((a >> 23) & 0xFF) + static_cast<int>((b >> 23) & 0xFF) - 127 + static_cast<int>(rng.below(6)) - 3;
      if (e > 0 && e < 255) c = (c & 0x807FFFFFu) | (static_cast<uint32_t>(e) << 23);
    }
    uint32_t hc = csr;
    const uint32_t e32 = hostref::fma_f32(a, b, c, hc);
    FloatStatus st = status_from_mxcsr(csr);
    const uint32_t g32 = f32_fma(b, a, c, st);
    t.check(g32 == e32 && st.flags == (hc & 0x3F), "f32 a=%08x b=%08x c=%08x mxcsr=%04x: host %08x flags %02x, ours %08x flags %02x", a, b, c,
            csr, e32, hc & 0x3F, g32, st.flags);

    const uint64_t x = fputest::random_f64(rng), y = fputest::random_f64(rng);
    uint64_t z = fputest::random_f64(rng);
    if (rng.coin()) {
      const int e = static_cast<int>((x >> 52) & 0x7FF) + static_cast<int>((y >> 52) & 0x7FF) - 1023 + static_cast<int>(rng.below(6)) - 3;
      if (e > 0 && e < 2047) z = (z & 0x800FFFFFFFFFFFFFull) | (static_cast<uint64_t>(e) << 52);
    }
    hc = csr;
    const uint64_t e64 = hostref::fma_f64(x, y, z, hc);
    st = status_from_mxcsr(csr);
    const uint64_t g64 = f64_fma(y, x, z, st);
    t.check(g64 == e64 && st.flags == (hc & 0x3F),
            "f64 a=%016" PRIx64 " b=%016" PRIx64 " c=%016" PRIx64 " mxcsr=%04x: host %016" PRIx64 " flags %02x, ours %016" PRIx64 " flags %02x", x,
            y, z, csr, e64, hc & 0x3F, g64, st.flags);
  }
  t.summary();
  CHECK(t.bad() == 0);
}
