// Differential test of emu's interpreter against the host CPU in 32-bit compatibility
// mode and 16-bit protected mode: for every form of the opcode table valid there, random
// cases (mode_case_generator.h) run natively (NativeRunner, NativeCase::mode) and in emu
// (EmuRunner in the same mode); GPRs (low 32 bits; SP only in 16-bit mode), EIP, segment
// selectors, EFLAGS minus the form's undefined flags, x87/SSE registers, the data region and the fault are
// compared. Prints mismatches and, per mode, forms covered, cases and mismatches.
// Options: --cases N (per form and mode), --seed S, --mode 32|16 (default both),
// --form MNEMONIC, --max-report K. Exit status 1 on any mismatch. INT1's host RIP may be
// the instruction's start on a VM (tests/diff/cpu/int1_trap_rip.h). A form counts as
// covered when at least one of its cases was compared with the host.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include "cpu/isa/decoder.h"
#include "cpu/isa/disasm.h"
#include "tests/diff/cpu/emu_runner.h"
#include "tests/diff/harness/snapshot_compare.h"
#include "tests/diff/modes/mode_case_generator.h"

using namespace emu;
using namespace emu::diff;

namespace {

struct Options {
  uint64_t cases = 4;
  uint64_t seed = 1;
  int mode = 0;  // 0 both, else 32 or 16
  std::string form;
  unsigned max_report = 20;
};

std::string disasm_bytes(const std::vector<uint8_t>& code, CpuMode mode) {
  isa::DecodedInsn d;
  std::string text = isa::hex_bytes(code.data(), code.size());
  if (isa::decode(code.data(), code.size(), mode_bits(mode), &d) == isa::DecodeStatus::Ok)
    text += "   " + isa::disassemble(d, code_entry_ip(mode));
  else
    text += "   (emu cannot decode)";
  return text;
}

// Only what the mode defines: EAX..EDI's low 32 bits (SP's low 16 with a 16-bit stack,
// whose ESP[31:16] the host kernel does not preserve), a 32-bit EIP.
void normalize(CpuMode mode, CpuSnapshot& s) {
  for (int k = 0; k < 8; ++k) s.gpr[k] &= 0xffffffffu;
  if (mode == CpuMode::Prot16) s.gpr[RSP] &= 0xffff;
  s.rip &= 0xffffffffu;
}

// RCP/RSQRT lanes within 1.5 * 2^-12 relative error of the host's take the host's bits.
void accept_approximations(const CpuSnapshot& host, CpuSnapshot& mine) {
  for (int r = 0; r < 8; ++r)
    for (int lane = 0; lane < 4; ++lane) {
      const uint32_t a = host.xmm_u32(r, lane), b = mine.xmm_u32(r, lane);
      float fa, fb;
      std::memcpy(&fa, &a, 4);
      std::memcpy(&fb, &b, 4);
      const uint32_t ea = (a >> 23) & 0xff, eb = (b >> 23) & 0xff;
      if (a == b || ((a ^ b) >> 31) || ea == 0 || eb == 0 || ea == 0xff || eb == 0xff) continue;
      const double rel = (static_cast<double>(fb) - fa) / fa;
      if (rel <= 1.5 / 4096 && rel >= -1.5 / 4096) mine.set_xmm_u32(r, lane, a);
    }
}

std::vector<std::string> compare(const ModeCase& g, NativeResult& n, NativeResult& e) {
  std::vector<std::string> diffs;
  if (outcome_differences(n, e, &diffs)) return diffs;
  normalize(g.c.mode, n.out);
  normalize(g.c.mode, e.out);
  for (uint32_t k = 0; k < g.host_specific_len; ++k) {
    const size_t at = g.host_specific_offset + k;
    if (at < n.data.size() && at < e.data.size()) e.data[at] = n.data[at];
  }
  if (g.approx_xmm) accept_approximations(n.out, e.out);
  accept_random_destination(g.random_dest, n, e);
  CompareOptions opt;
  opt.gpr_mask = g.gpr_mask;
  opt.seg_mask = 0x3f;
  opt.rflags_mask = kCaseFlagsMask & ~uint64_t{n.outcome == NativeResult::Completed ? g.undefined_flags : 0u};
  for (auto& s : snapshot_differences(n.out, e.out, opt)) diffs.push_back(s);
  for (auto& s : data_differences(n.data, e.data)) diffs.push_back(s);
  return diffs;
}

struct ModeTotals {
  uint64_t cases = 0, mismatches = 0, skipped = 0;
  size_t forms = 0, exercised = 0, legacy_forms = 0, legacy_exercised = 0, not_implemented = 0;
  uint64_t int1_rip_at = 0, int1_rip_after = 0;  // host INT1 reports (int1_trap_rip.h)
  std::map<std::string, uint64_t> mismatch_by_form;
  std::string not_covered;
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int k = 1; k < argc; ++k) {
    const std::string a = argv[k];
    auto next = [&]() -> const char* { return k + 1 < argc ? argv[++k] : ""; };
    if (a == "--cases") o.cases = std::strtoull(next(), nullptr, 0);
    else if (a == "--seed") o.seed = std::strtoull(next(), nullptr, 0);
    else if (a == "--mode") o.mode = std::atoi(next());
    else if (a == "--form") o.form = next();
    else if (a == "--max-report") o.max_report = static_cast<unsigned>(std::strtoul(next(), nullptr, 0));
    else {
      std::fprintf(stderr, "usage: %s [--cases N] [--seed S] [--mode 32|16] [--form MNEMONIC] [--max-report K]\n", argv[0]);
      return 2;
    }
  }
  if (o.mode != 0 && o.mode != 32 && o.mode != 16) {
    std::fprintf(stderr, "%s: --mode must be 32 or 16, not %d\n", argv[0], o.mode);
    return 2;
  }
  if (!NativeRunner::available()) {
    std::printf("native runner not available on this host: differential test skipped (%s)\n",
                NativeRunner::unavailable_reason().c_str());
    return 0;
  }
  NativeRunner native;
  EmuRunner emu_runner;
  ModeCaseGenerator gen(o.seed);
  uint64_t reported = 0, total_mismatches = 0;
  std::vector<ModeCase> cases;
  std::vector<NativeCase> native_cases;
  std::vector<NativeResult> expected;
  NativeResult er;
  for (CpuMode mode : {CpuMode::Compat32, CpuMode::Prot16}) {
    if (o.mode != 0 && static_cast<unsigned>(o.mode) != mode_bits(mode)) continue;
    ModeTotals t;
    const std::vector<ModeForm> forms = mode_forms(mode);
    for (const ModeForm& mf : forms) {
      const isa::Form& f = isa::kForms[mf.form];
      if (!o.form.empty() && o.form != f.mnemonic) continue;
      ++t.forms;
      t.legacy_forms += (f.attrs & isa::I64) ? 1 : 0;
      if (mf.plan == ModePlan::NotImplemented) {
        ++t.not_implemented;
        t.not_covered += std::string(t.not_covered.empty() ? "" : ", ") + f.mnemonic + " " + f.operand_text;
        continue;
      }
      cases.clear();
      native_cases.clear();
      for (uint64_t n = 0; n < o.cases * 3 && cases.size() < o.cases; ++n) {
        ModeCase g;
        if (gen.generate(mf.form, mode, &g)) cases.push_back(std::move(g));
      }
      for (const ModeCase& g : cases) native_cases.push_back(g.c);
      native.run_batch(native_cases, expected);
      bool compared = false;
      for (size_t k = 0; k < cases.size(); ++k) {
        NativeResult& nr = expected[k];
        if (nr.outcome == NativeResult::Timeout || nr.outcome == NativeResult::RunnerCrashed ||
            (nr.outcome == NativeResult::Fault && nr.vector == -1)) {
          ++t.skipped;
          continue;
        }
        switch (accept_int1_host_rip(cases[k].int1, nr)) {
          case Int1HostRip::AtInstruction: ++t.int1_rip_at; break;
          case Int1HostRip::AfterInstruction: ++t.int1_rip_after; break;
          default: break;
        }
        emu_runner.run(cases[k].c, er);
        ++t.cases;
        compared = true;
        const std::vector<std::string> d = compare(cases[k], nr, er);
        if (d.empty()) continue;
        ++t.mismatches;
        ++t.mismatch_by_form[std::string(f.mnemonic) + " " + f.operand_text];
        if (reported < o.max_report) {
          ++reported;
          std::printf("MISMATCH %s %s %s: %s\n", mode_name(mode), f.mnemonic, f.operand_text,
                      disasm_bytes(cases[k].c.code, mode).c_str());
          for (auto& s : d) std::printf("    %s\n", s.c_str());
          std::printf("    in:");
          for (int r = 0; r < 8; ++r)
            std::printf(" %s=%#llx", gpr_name(r), static_cast<unsigned long long>(cases[k].c.in.gpr[r]));
          std::printf(" flags=%#llx\n", static_cast<unsigned long long>(cases[k].c.in.rflags));
        }
      }
      if (compared) ++t.exercised;
      if (compared && (f.attrs & isa::I64)) ++t.legacy_exercised;
    }
    std::printf("\n%s mode: cases compared %llu, mismatches %llu, skipped (host timeout/unknown fault) %llu\n",
                mode_name(mode), static_cast<unsigned long long>(t.cases),
                static_cast<unsigned long long>(t.mismatches), static_cast<unsigned long long>(t.skipped));
    for (auto& [name, count] : t.mismatch_by_form)
      std::printf("  mismatching form: %-28s %llu\n", name.c_str(), static_cast<unsigned long long>(count));
    if (t.int1_rip_at + t.int1_rip_after)
      std::printf("  INT1: host #DB RIP after the instruction %llu times, at its start (VM re-injection) %llu times\n",
                  static_cast<unsigned long long>(t.int1_rip_after), static_cast<unsigned long long>(t.int1_rip_at));
    std::printf("%s mode coverage: %zu / %zu forms valid in the mode exercised (%zu not implemented)\n",
                mode_name(mode), t.exercised, t.forms, t.not_implemented);
    std::printf("  of them invalid in 64-bit mode (BCD, PUSHA/POPA, BOUND, INTO, LES/LDS, ...): %zu / %zu\n",
                t.legacy_exercised, t.legacy_forms);
    if (!t.not_covered.empty()) std::printf("  not covered: %s\n", t.not_covered.c_str());
    total_mismatches += t.mismatches;
  }
  return total_mismatches ? 1 : 0;
}
