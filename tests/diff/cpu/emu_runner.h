// The emu side of the CPU differential tests: runs a NativeCase (same code bytes, exit
// stub and data at the same addresses, same page permissions as the native runner) in
// the interpreter or the JIT and reports the result in the native runner's terms.
#pragma once
#include <memory>

#include "tests/diff/harness/native_runner.h"

namespace emu::diff {

class EmuRunner {
 public:
  enum class Engine { Interp, Jit };
  // The JIT runner translates every block on its first run (no interpreted warm-up).
  explicit EmuRunner(Engine engine = Engine::Interp);
  ~EmuRunner();
  // Runs the case with an instruction budget; a snippet still running then is a Timeout.
  void run(const NativeCase& c, NativeResult& r, uint64_t max_instructions = 100000);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace emu::diff
