// CPU differential test driver: for every user-mode 64-bit form of the opcode table,
// generates random cases, runs each on the host CPU (NativeRunner) and in emu's
// interpreter from the same state, and compares GPRs, RIP, RFLAGS (minus the flags the
// table marks undefined for the form), the data region and the fault (vector, error
// code, CR2). Then the x87 escape encodings that have no form: both sides must raise #UD.
// Prints mismatches with the disassembled bytes and a state diff, and the coverage
// figure. Options: --cases N (per form), --seed S, --form MNEMONIC (all its forms),
// --x87 (only the D8-DF forms and encodings), --max-report K, --engine interp|jit|both
// (default both: each case runs on the host and in every selected engine, each engine
// compared with the host on its own). Exit status 1 on any mismatch.
// Per-form rules: RDRAND/RDSEED (random_destination.h), RCP/RSQRT (within the
// architectural error), CPUID/RDTSC (host-specific registers), FXSAVE's MXCSR_MASK, and
// INT1, whose host RIP may be the instruction's start on a VM (int1_trap_rip.h).
// The coverage figure counts the forms with at least one case compared with the host.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>

#include "cpu/cpu.h"
#include "cpu/isa/decoder.h"
#include "cpu/isa/disasm.h"
#include "tests/diff/cpu/case_generator.h"
#include "tests/diff/cpu/emu_runner.h"
#include "tests/diff/harness/snapshot_compare.h"

using namespace emu;
using namespace emu::diff;

namespace {

// RCP/RSQRT results: a lane of `emu` that is within 1.5 * 2^-12 relative error of the
// host's (same sign, both normal, or both bit-identical specials) takes the host's bits.
bool close_approximation(uint32_t host, uint32_t mine) {
  if (host == mine) return true;
  const uint32_t eh = (host >> 23) & 0xff, em = (mine >> 23) & 0xff;
  if ((host ^ mine) >> 31 || eh == 0 || em == 0 || eh == 0xff || em == 0xff) return false;
  float fh, fm;
  std::memcpy(&fh, &host, 4);
  std::memcpy(&fm, &mine, 4);
  const double rel = (static_cast<double>(fm) - fh) / fh;
  return rel <= 1.5 / 4096 && rel >= -1.5 / 4096;
}
void accept_approximations(const CpuSnapshot& host, CpuSnapshot& mine) {
  for (int r = 0; r < 16; ++r)
    for (int lane = 0; lane < 4; ++lane)
      if (close_approximation(host.xmm_u32(r, lane), mine.xmm_u32(r, lane))) mine.set_xmm_u32(r, lane, host.xmm_u32(r, lane));
}

}  // namespace

namespace {

struct Options {
  uint64_t cases = 50;
  uint64_t seed = 1;
  std::string form;
  unsigned max_report = 20;
  bool x87_only = false;
  std::string engine = "both";  // interp, jit or both
};

std::string disasm_bytes(const std::vector<uint8_t>& code) {
  isa::DecodedInsn d;
  std::string text = isa::hex_bytes(code.data(), code.size());
  if (isa::decode(code.data(), code.size(), 64, &d) == isa::DecodeStatus::Ok)
    text += "   " + isa::disassemble(d, kCodeBase);
  else
    text += "   (emu cannot decode)";
  return text;
}

// Differences between the native and emu results of one case; empty when they agree.
std::vector<std::string> compare(const GeneratedCase& g, const NativeResult& n, const NativeResult& e) {
  std::vector<std::string> diffs;
  if (outcome_differences(n, e, &diffs)) return diffs;
  CompareOptions opt;
  opt.x87 = true;
  opt.sse = true;
  opt.gpr_mask = g.gpr_mask;
  opt.rflags_mask = kCaseFlagsMask & ~uint64_t{n.outcome == NativeResult::Completed ? g.undefined_flags : 0u};
  for (auto& s : snapshot_differences(n.out, e.out, opt)) diffs.push_back(s);
  for (auto& s : data_differences(n.data, e.data)) diffs.push_back(s);
  return diffs;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int k = 1; k < argc; ++k) {
    std::string a = argv[k];
    auto next = [&]() -> const char* { return k + 1 < argc ? argv[++k] : ""; };
    if (a == "--cases") o.cases = std::strtoull(next(), nullptr, 0);
    else if (a == "--seed") o.seed = std::strtoull(next(), nullptr, 0);
    else if (a == "--form") o.form = next();
    else if (a == "--max-report") o.max_report = static_cast<unsigned>(std::strtoul(next(), nullptr, 0));
    else if (a == "--x87") o.x87_only = true;
    else if (a == "--engine") o.engine = next();
    else {
      std::fprintf(stderr, "usage: %s [--cases N] [--seed S] [--form MNEMONIC] [--x87] [--max-report K] [--engine interp|jit|both]\n", argv[0]);
      return 2;
    }
  }
  if (o.engine != "interp" && o.engine != "jit" && o.engine != "both") {
    std::fprintf(stderr, "cpu_diff: unknown engine '%s' (use interp, jit or both)\n", o.engine.c_str());
    return 2;
  }
  if (o.engine != "interp" && !Cpu::jit_available()) {
    std::printf("no JIT backend on this host: comparing the interpreter only\n");
    o.engine = "interp";
  }
  if (!NativeRunner::available()) {
    std::printf("native runner not available on this host: differential test skipped\n");
    return 0;
  }
  NativeRunner native;
  struct EngineRun {
    const char* name;
    std::unique_ptr<EmuRunner> runner;
  };
  std::vector<EngineRun> engines;
  if (o.engine != "jit") engines.push_back({"interp", std::make_unique<EmuRunner>(EmuRunner::Engine::Interp)});
  if (o.engine != "interp") engines.push_back({"jit", std::make_unique<EmuRunner>(EmuRunner::Engine::Jit)});
  CaseGenerator gen(o.seed);
  std::vector<FormInfo> forms = user_mode_forms();

  uint64_t host_cases = 0, run_cases = 0, mismatches = 0, skipped = 0, reported = 0;
  size_t exercised = 0, not_implemented = 0, selected = 0;
  uint64_t int1_rip_at = 0, int1_rip_after = 0;  // host INT1 reports (int1_trap_rip.h)
  std::map<std::string, uint64_t> mismatch_by_form;
  NativeResult nr, er;
  // Runs one case on the host and in every selected engine; false if the host could not run it.
  auto run_case = [&](const GeneratedCase& g, const std::string& name, bool x87) {
    native.run(g.c, nr);
    if (nr.outcome == NativeResult::Timeout || nr.outcome == NativeResult::RunnerCrashed || (nr.vector == -1 && nr.outcome == NativeResult::Fault)) {
      ++skipped;
      return false;
    }
    ++host_cases;
    switch (accept_int1_host_rip(g.int1, nr)) {
      case Int1HostRip::AtInstruction: ++int1_rip_at; break;
      case Int1HostRip::AfterInstruction: ++int1_rip_after; break;
      default: break;
    }
    for (EngineRun& eng : engines) {
      eng.runner->run(g.c, er);
      ++run_cases;
      for (uint32_t k = 0; k < g.host_specific_len; ++k) {  // not compared: see GeneratedCase
        const size_t at = g.host_specific_offset + k;
        if (at < nr.data.size() && at < er.data.size()) er.data[at] = nr.data[at];
      }
      if (g.approx_xmm) accept_approximations(nr.out, er.out);
      accept_random_destination(g.random_dest, nr, er);
      std::vector<std::string> d = compare(g, nr, er);
      if (d.empty()) continue;
      ++mismatches;
      ++mismatch_by_form[std::string(eng.name) + ": " + name];
      if (reported < o.max_report) {
        ++reported;
        std::printf("MISMATCH (%s) %s: %s\n", eng.name, name.c_str(), disasm_bytes(g.c.code).c_str());
        for (auto& s : d) std::printf("    %s\n", s.c_str());
        if (x87) {  // show the input stack
          std::printf("    in: fcw %#x fsw %#x ftw %#x", g.c.in.fcw(), g.c.in.fsw(), g.c.in.ftw());
          for (int k = 0; k < 8; ++k) std::printf(" R%d=%04x:%016llx", k, load_le16(g.c.in.st(k) + 8), static_cast<unsigned long long>(load_le64(g.c.in.st(k))));
          std::printf("\n");
        }
      }
    }
    return true;
  };
  for (const FormInfo& fi : forms) {
    const isa::Form& f = isa::kForms[fi.form];
    const bool x87 = f.map == isa::Map::M1 && f.opcode >= 0xd8 && f.opcode <= 0xdf;
    if (!o.form.empty() && o.form != f.mnemonic) continue;
    if (o.x87_only && !x87) continue;
    ++selected;
    if (fi.plan == FormPlan::NotImplemented) { ++not_implemented; continue; }
    bool compared = false;
    const std::string name = std::string(f.mnemonic) + " " + f.operand_text;
    for (uint64_t n = 0; n < o.cases; ++n) {
      GeneratedCase g;
      if (!gen.generate(fi.form, &g)) continue;
      if (run_case(g, name, x87)) compared = true;
    }
    if (compared) ++exercised;
  }
  // The x87 encodings without a form: the host must raise #UD for them as emu does.
  if (o.form.empty()) {
    const auto unlisted = x87_unlisted_encodings();
    const uint64_t before = mismatches, cases_before = run_cases;
    for (const auto& code : unlisted)
      for (uint64_t n = 0; n < std::min<uint64_t>(o.cases, 20); ++n) {
        GeneratedCase g;
        if (gen.generate_encoding(code, &g)) run_case(g, "x87 unlisted " + isa::hex_bytes(code.data(), code.size()), true);
      }
    std::printf("x87 encodings without a form (#UD expected): %zu encodings, %llu cases, %llu mismatches\n", unlisted.size(),
                static_cast<unsigned long long>(run_cases - cases_before), static_cast<unsigned long long>(mismatches - before));
  }
  std::printf("\nengines: %s\n", o.engine.c_str());
  std::printf("cases run on the host: %llu; compared (each engine with the host): %llu, mismatches: %llu, skipped (host timeout/unknown fault): %llu\n",
              static_cast<unsigned long long>(host_cases), static_cast<unsigned long long>(run_cases),
              static_cast<unsigned long long>(mismatches), static_cast<unsigned long long>(skipped));
  for (auto& [name, count] : mismatch_by_form) std::printf("  mismatching form: %-28s %llu\n", name.c_str(), static_cast<unsigned long long>(count));
  if (int1_rip_at + int1_rip_after)
    std::printf("INT1: host #DB RIP after the instruction %llu times, at its start (VM re-injection) %llu times\n",
                static_cast<unsigned long long>(int1_rip_after), static_cast<unsigned long long>(int1_rip_at));
  std::printf("coverage: %zu / %zu %s forms exercised (%zu not implemented yet)\n", exercised, selected,
              o.x87_only ? "x87" : "user-mode", not_implemented);
  return mismatches ? 1 : 0;
}
