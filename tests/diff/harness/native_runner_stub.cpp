// Native runner for hosts that cannot run x86-64 code natively (anything but x86-64
// Linux): available() is false and run() reports RunnerCrashed; tests skip.
#include "tests/diff/harness/native_runner.h"

namespace emu::diff {

struct NativeRunner::Impl {};

NativeRunner::NativeRunner() = default;
NativeRunner::~NativeRunner() = default;
bool NativeRunner::available() { return false; }
std::string NativeRunner::unavailable_reason() { return "native execution needs an x86-64 Linux host"; }
int NativeRunner::spawn_count() const { return 0; }
int NativeRunner::runner_pid() const { return -1; }
void NativeRunner::set_watchdog_ms(int) {}

NativeResult NativeRunner::run(const NativeCase& c) {
  NativeResult r;
  run(c, r);
  return r;
}

void NativeRunner::run(const NativeCase& c, NativeResult& r) {
  r = NativeResult{};
  r.out = c.in;
}

void NativeRunner::run_batch(std::span<const NativeCase> cases, std::vector<NativeResult>& results) {
  results.resize(cases.size());
  for (size_t i = 0; i < cases.size(); ++i) run(cases[i], results[i]);
}

}  // namespace emu::diff
