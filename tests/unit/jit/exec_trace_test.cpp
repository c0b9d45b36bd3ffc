// `-d exec` trace lines from the interpreter and the JIT: a loop that calls a function
// (a direct jump, a call and a return per iteration) logs one line per block in the
// interpreter and, with `nochain`, in the JIT too (chaining and the inline jump-table
// probe off, every block comes back through the engine); with chaining the JIT's
// linked jumps and jump-table hits skip the log. The lines name the block's host code
// or "interp", its linear range, CS:RIP and the mode.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/log.h"
#include "cpu/cpu.h"

using namespace emu;

namespace {

constexpr uint64_t kCode = 0x1000;
constexpr unsigned kIterations = 40;

// The log in a temporary file while it lives; the mask and stderr restored after.
class CapturedLog {
 public:
  explicit CapturedLog(uint32_t mask) {
    char name[] = "/tmp/emu-exec-trace-XXXXXX";
    const int fd = mkstemp(name);
    REQUIRE(fd >= 0);
    close(fd);
    path_ = name;
    REQUIRE(set_log_file(path_));
    set_log_mask(mask);
  }
  ~CapturedLog() {
    set_log_mask(0);
    set_log_file("");
    std::remove(path_.c_str());
  }
  std::vector<std::string> lines() {
    set_log_file("");  // flushes and closes it
    std::ifstream in(path_);
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }

 private:
  std::string path_;
};

enum class Engine { Interp, Jit };

struct Result {
  std::vector<std::string> lines;
  std::string cs_prefix;  // "0033:" as the trace prints CS
};

//        mov ecx, 40
//     L: call F
//        dec ecx ; jnz L
//        int3
//     F: ret
Result run_traced(Engine engine, uint32_t mask) {
  CapturedLog log(mask);  // before the engine is made: it reads `nochain` then
  PhysicalMemory mem;
  mem.add_ram(0, 0x10000);
  Cpu cpu(mem);
  cpu.set_flat_long_mode(3);
  cpu.state().gpr[RSP] = 0x8000;
  if (engine == Engine::Jit) REQUIRE(cpu.use_jit(true));
  const std::vector<uint8_t> code = {0xb9, kIterations, 0, 0, 0,  // 0x1000 mov ecx, 40
                                     0xe8, 0x05, 0, 0, 0,         // 0x1005 call 0x100f
                                     0xff, 0xc9,                  // 0x100a dec ecx
                                     0x75, 0xf7,                  // 0x100c jnz 0x1005
                                     0xcc,                        // 0x100e int3
                                     0xc3};                       // 0x100f ret
  mem.load_bytes(kCode, code.data(), code.size());
  cpu.state().rip = kCode;
  const RunResult r = cpu.run(100000);
  REQUIRE(r.reason == RunResult::Reason::Exception);
  CHECK(r.exception.vector == kBP);
  char cs[8];
  std::snprintf(cs, sizeof cs, "%04x:", cpu.state().seg[isa::SEG_CS].selector);
  return {log.lines(), cs};
}

size_t count_containing(const std::vector<std::string>& lines, const std::string& what) {
  size_t n = 0;
  for (const auto& l : lines) n += l.find(what) != std::string::npos;
  return n;
}

// Blocks per run: [mov; call] once, [ret] and [dec; jnz] 40 times, [call] 39 times, [int3].
constexpr size_t kBlocksRun = 1 + 2 * kIterations + (kIterations - 1) + 1;

}  // namespace

TEST_CASE("-d exec: the interpreter logs every block it runs", "[exec_trace]") {
  const Result r = run_traced(Engine::Interp, static_cast<uint32_t>(LogCategory::Exec));
  REQUIRE(r.lines.size() == kBlocksRun);
  CHECK(r.lines[0] == "Trace 0: interp [0000000000001000..000000000000100a) " + r.cs_prefix +
                          "0000000000001000 long64 cpl3 pg 2 insns");
  CHECK(count_containing(r.lines, "Trace 0: interp [") == kBlocksRun);
  CHECK(count_containing(r.lines, "[000000000000100f..0000000000001010) " + r.cs_prefix + "000000000000100f") == kIterations);
  CHECK(r.lines.back().find("[000000000000100e..000000000000100f)") != std::string::npos);
}

TEST_CASE("-d exec,nochain: the JIT logs every block too, from its host code once hot", "[exec_trace][jit]") {
  if (!Cpu::jit_available()) return;  // no backend on this host: nothing to translate
  const Result r = run_traced(Engine::Jit, static_cast<uint32_t>(LogCategory::Exec) | static_cast<uint32_t>(LogCategory::NoChain));
  REQUIRE(r.lines.size() == kBlocksRun);
  // The blocks of the loop ran 40 times: translated at their 16th run, host code after.
  const size_t interp = count_containing(r.lines, "Trace 0: interp [");
  const size_t host = count_containing(r.lines, "Trace 0: 0x");
  CHECK(interp + host == kBlocksRun);
  CHECK(host >= 3 * (kIterations - Cpu::kJitHotThreshold));
  CHECK(count_containing(r.lines, "[000000000000100f..0000000000001010) " + r.cs_prefix + "000000000000100f") == kIterations);
}

TEST_CASE("-d exec with chaining: linked jumps and jump-table hits skip the log", "[exec_trace][jit]") {
  if (!Cpu::jit_available()) return;
  const Result r = run_traced(Engine::Jit, static_cast<uint32_t>(LogCategory::Exec));
  // The interpreted runs before translation are all there; most translated ones are not.
  CHECK(r.lines.size() > 3 * (Cpu::kJitHotThreshold - 1));
  CHECK(r.lines.size() < kBlocksRun - kIterations);
}

TEST_CASE("-d cpu: the CPU state before each block", "[exec_trace]") {
  const Result r = run_traced(Engine::Interp, static_cast<uint32_t>(LogCategory::Cpu));
  CHECK(count_containing(r.lines, "Trace 0:") == 0);  // exec not asked for
  CHECK(count_containing(r.lines, "RIP=") == kBlocksRun);
  REQUIRE(r.lines.size() >= 14);
  // Before the first block: RCX not loaded yet; before the second (the call's target,
  // the RET): ECX = 40 and the return address pushed.
  CHECK(r.lines[0].rfind("RAX=0000000000000000 RCX=0000000000000000 ", 0) == 0);
  CHECK(r.lines[4] == "RIP=0000000000001000 RFL=00000002 CPL=3");
  CHECK(r.lines[6].rfind("CS =" + r.cs_prefix.substr(0, 4) + " 0000000000000000 ", 0) == 0);
  CHECK(r.lines[11].rfind("CR0=", 0) == 0);
  CHECK(r.lines[12].rfind("RAX=0000000000000000 RCX=0000000000000028 ", 0) == 0);
  CHECK(r.lines[16] == "RIP=000000000000100f RFL=00000002 CPL=3");
}
