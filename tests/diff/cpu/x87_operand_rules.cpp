// See x87_operand_rules.h.
#include "tests/diff/cpu/x87_operand_rules.h"

#include <algorithm>
#include <iterator>

#include "base/endian.h"
#include "cpu/fpu/softfloat.h"

namespace emu::diff {

namespace {

// x87 transcendentals: AMD's results err by up to 0.15 ulp, so where the exact result lies
// within 3/16 ulp of a rounding boundary the last bit and C1 are the CPU model's choice
// (cpu/fpu/README.md). Such operands are redrawn, so every compared result has a single
// right answer; tests/unit/fpu covers that band with values recorded on the host.
void redraw_model_specific_operands(CpuSnapshot& s, std::string_view handler, std::mt19937_64& rng) {
  using fpu::X87Transcendental;
  static constexpr struct {
    std::string_view handler;
    X87Transcendental op;
  } kTranscendentals[] = {
      {"x87_f2xm1", X87Transcendental::F2xm1},     {"x87_fyl2x", X87Transcendental::Fyl2x},
      {"x87_fptan", X87Transcendental::Fptan},     {"x87_fpatan", X87Transcendental::Fpatan},
      {"x87_fyl2xp1", X87Transcendental::Fyl2xp1}, {"x87_fsincos", X87Transcendental::Fsincos},
      {"x87_fsin", X87Transcendental::Fsin},       {"x87_fcos", X87Transcendental::Fcos},
  };
  const auto* entry = std::find_if(std::begin(kTranscendentals), std::end(kTranscendentals),
                                   [&](const auto& t) { return t.handler == handler; });
  if (entry == std::end(kTranscendentals)) return;
  const X87Transcendental op = entry->op;
  auto st = [&](int k) { return fpu::Float80{load_le64(s.st(k)), load_le16(s.st(k) + 8)}; };
  const auto rc = static_cast<fpu::Rounding>((s.fcw() >> 10) & 3);
  for (int attempt = 0; attempt < 400 && fpu::f80_transcendental_near_boundary(op, st(0), st(1), rc); ++attempt) {
    uint16_t sign_exp = st(0).sign_exp;
    if (attempt >= 8) {  // tiny arguments (sin x ~ x, cos x ~ 1) are always in the band
      const unsigned e = op == X87Transcendental::F2xm1 ? 0x3ffe - rng() % 30 : 0x3fff - 20 + rng() % 24;
      sign_exp = static_cast<uint16_t>((sign_exp & 0x8000) | e);
    }
    s.set_st(0, rng() | (uint64_t{1} << 63), sign_exp);
  }
}

}  // namespace

void apply_x87_operand_rules(CpuSnapshot& s, std::string_view handler, std::mt19937_64& rng) {
  // F2XM1 is defined for |ST(0)| <= 1 only, FYL2XP1 for |ST(0)| < 1 - sqrt(2)/2 (both
  // undefined beyond): keep ST(0) inside.
  if (handler == "x87_f2xm1" || handler == "x87_fyl2xp1") {
    const unsigned top_exp = handler == "x87_f2xm1" ? 0x3ffe : 0x3ffc;
    const uint16_t sign = (rng() & 1) ? 0x8000 : 0;
    s.set_st(0, rng() | (uint64_t{1} << 63), static_cast<uint16_t>((top_exp - rng() % 70) | sign));
  }
  redraw_model_specific_operands(s, handler, rng);
}

}  // namespace emu::diff
