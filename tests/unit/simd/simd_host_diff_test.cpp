// Randomized differential test of the SIMD semantics against the host CPU's own
// MMX/SSE..SSE4.2/PCLMUL instructions (host_sse_reference.cpp). Skipped, with a message,
// on hosts that are not x86-64 or lack SSE4.2/SSSE3/PCLMUL.
#include <catch2/catch.hpp>

#include <string>

#include "cpu/sem/simd.h"
#include "host_sse_reference.h"
#include "simd_random_inputs.h"

using namespace emu;
using namespace emu::simd;
using emu::simd::test::hex;
using emu::simd::test::RandomInputs;

namespace {

constexpr uint64_t kSeed = 0x5EED51D0ull;
constexpr int kBinaryTrials = 3000;
constexpr int kImmTrials = 48;     // per imm8 value
constexpr int kStringTrials = 160;  // per imm8 value and form

bool reference_or_skip() {
  if (host_ref::host_reference_available()) return true;
  WARN("SKIPPED: the host is not x86-64 with SSE4.2, SSSE3 and PCLMUL; no host reference");
  return false;
}

std::string str(const StrCmpResult& r) {
  return "index=" + std::to_string(r.index) + " mask=" + hex(r.mask) + " cf=" + std::to_string(r.cf) +
         " zf=" + std::to_string(r.zf) + " sf=" + std::to_string(r.sf) + " of=" + std::to_string(r.of);
}
bool same(const StrCmpResult& x, const StrCmpResult& y) {
  return x.index == y.index && x.mask == y.mask && x.cf == y.cf && x.zf == y.zf && x.sf == y.sf && x.of == y.of;
}

}  // namespace

TEST_CASE("simd vs host: two-operand instructions (XMM and MMX)", "[simd][host]") {
  if (!reference_or_skip()) return;
  RandomInputs in(kSeed);
  long checked = 0;
  for (const auto& c : host_ref::binary_cases()) {
    for (int t = 0; t < kBinaryTrials; ++t) {
      const Vec128 a = in.vec();
      const Vec128 b = c.b_kind == host_ref::Operand::ShiftCount ? in.shift_count() : in.vec();
      const Vec128 want = c.host(a, b), got = c.emu(a, b);
      ++checked;
      if (got != want) {
        FAIL_CHECK(c.name << " a=" << hex(a) << " b=" << hex(b) << " host=" << hex(want) << " emu=" << hex(got));
        break;
      }
    }
  }
  CHECK(checked >= 150L * kBinaryTrials);
}

TEST_CASE("simd vs host: every imm8 of the immediate forms", "[simd][host]") {
  if (!reference_or_skip()) return;
  RandomInputs in(kSeed + 1);
  long checked = 0;
  for (const auto& c : host_ref::imm_cases()) {
    bool ok = true;
    for (unsigned imm = 0; imm < 256 && ok; ++imm) {
      for (int t = 0; t < kImmTrials; ++t) {
        const Vec128 a = in.vec(), b = in.vec();
        const Vec128 want = c.host[imm](a, b), got = c.emu(a, b, static_cast<uint8_t>(imm));
        ++checked;
        if (got != want) {
          FAIL_CHECK(c.name << " imm=" << imm << " a=" << hex(a) << " b=" << hex(b) << " host=" << hex(want)
                            << " emu=" << hex(got));
          ok = false;
          break;
        }
      }
    }
  }
  CHECK(checked == static_cast<long>(host_ref::imm_cases().size()) * 256 * kImmTrials);
}

TEST_CASE("simd vs host: element extract and insert", "[simd][host]") {
  if (!reference_or_skip()) return;
  RandomInputs in(kSeed + 2);
  for (const auto& c : host_ref::lane_cases()) {
    for (unsigned idx = 0; idx < c.count; ++idx) {
      for (int t = 0; t < 200; ++t) {
        const Vec128 a = in.vec();
        const uint64_t value = in.u64();
        const uint8_t imm = static_cast<uint8_t>(idx);
        REQUIRE(c.host_extract[idx](a) == pextr(a, imm, c.elem, c.size));
        if (std::string(c.name) == "extractps") continue;  // extract only
        const Vec128 want = c.host_insert[idx](a, value), got = pinsr(a, value, imm, c.elem, c.size);
        INFO(c.name << " index=" << idx << " a=" << hex(a) << " value=" << value);
        REQUIRE(hex(got) == hex(want));
      }
    }
  }
}

TEST_CASE("simd vs host: blendv, movmsk, ptest, crc32", "[simd][host]") {
  if (!reference_or_skip()) return;
  RandomInputs in(kSeed + 3);
  for (int t = 0; t < kBinaryTrials; ++t) {
    const Vec128 a = in.vec(), b = in.vec(), m = in.vec();
    for (Elem e : {Elem::B, Elem::D, Elem::Q}) {
      INFO("blendv elem=" << bytes_of(e) << " a=" << hex(a) << " b=" << hex(b) << " mask=" << hex(m));
      REQUIRE(hex(blendv(a, b, m, e)) == hex(host_ref::blendv(a, b, m, e)));
      INFO("movmsk");
      REQUIRE(movmsk(a, e, VecSize::Xmm) == host_ref::movmsk(a, e, VecSize::Xmm));
    }
    REQUIRE(movmsk(a, Elem::B, VecSize::Mmx) == host_ref::movmsk(a, Elem::B, VecSize::Mmx));

    // ptest: sparse operands so that both flags are often set.
    const Vec128 sa{{a.q[0] & m.q[0], a.q[1] & m.q[1]}};
    const Vec128 sb = in.below(3) == 0 ? Vec128{{sa.q[0] & b.q[0], sa.q[1] & b.q[1]}}
                                       : Vec128{{b.q[0] & ~m.q[0] & a.q[0], b.q[1] & ~m.q[1]}};
    const PtestFlags want = host_ref::ptest(sa, sb), got = ptest(sa, sb);
    INFO("ptest a=" << hex(sa) << " b=" << hex(sb));
    REQUIRE(got.zf == want.zf);
    REQUIRE(got.cf == want.cf);

    const uint32_t crc = static_cast<uint32_t>(in.u64());
    const uint64_t data = in.u64();
    for (unsigned bytes : {1u, 2u, 4u, 8u}) REQUIRE(crc32c(crc, data, bytes) == host_ref::crc32(crc, data, bytes));
  }
}

TEST_CASE("simd vs host: PCMPESTRx and PCMPISTRx for every imm8", "[simd][host]") {
  if (!reference_or_skip()) return;
  RandomInputs in(kSeed + 4);
  long checked = 0;
  // How often each outcome occurs, so the generator is known to exercise them all.
  long cf[2] = {0, 0}, zf[2] = {0, 0}, sf[2] = {0, 0}, of[2] = {0, 0}, partial_index = 0;
  for (unsigned imm = 0; imm < 256; ++imm) {
    const bool words = imm & 1;
    for (int t = 0; t < kStringTrials; ++t) {
      Vec128 a = in.string(words);
      const Vec128 b = in.string(words);
      if (in.below(4) == 0) a = palignr(b, b, static_cast<uint8_t>(in.below(8) * (words ? 2 : 1)), VecSize::Xmm);
      const int32_t la = in.length(), lb = in.length();
      const uint8_t i8 = static_cast<uint8_t>(imm);

      const StrCmpResult want_e = host_ref::pcmpestr_table()[imm](a, la, b, lb);
      const StrCmpResult got_e = pcmpestr(a, la, b, lb, i8);
      const StrCmpResult want_i = host_ref::pcmpistr_table()[imm](a, b);
      const StrCmpResult got_i = pcmpistr(a, b, i8);
      checked += 2;
      for (const StrCmpResult* r : {&want_e, &want_i}) {
        ++cf[r->cf], ++zf[r->zf], ++sf[r->sf], ++of[r->of];
        partial_index += r->index != 0 && r->index < (words ? 8u : 16u);
      }
      if (!same(want_e, got_e)) {
        FAIL("pcmpestr imm=" << imm << " a=" << hex(a) << " la=" << la << " b=" << hex(b) << " lb=" << lb
                             << "\n host: " << str(want_e) << "\n emu:  " << str(got_e));
      }
      if (!same(want_i, got_i)) {
        FAIL("pcmpistr imm=" << imm << " a=" << hex(a) << " b=" << hex(b) << "\n host: " << str(want_i)
                             << "\n emu:  " << str(got_i));
      }
    }
  }
  CHECK(checked == 2L * 256 * kStringTrials);
  const long tenth = checked / 10;
  INFO("cf " << cf[0] << "/" << cf[1] << " zf " << zf[0] << "/" << zf[1] << " sf " << sf[0] << "/" << sf[1]
             << " of " << of[0] << "/" << of[1] << " index in 1..count-1: " << partial_index);
  CHECK((cf[0] > tenth && cf[1] > tenth && zf[0] > tenth && zf[1] > tenth && sf[0] > tenth && sf[1] > tenth &&
         of[0] > tenth && of[1] > tenth && partial_index > tenth));
}
