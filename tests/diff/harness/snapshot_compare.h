// Comparison and printing of CpuSnapshots and data regions for differential tests:
// lists every difference between an expected (native) and an actual (emu) state in a
// readable form, honouring which parts a test wants compared.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tests/diff/harness/native_runner.h"

namespace emu::diff {

struct CompareOptions {
  uint64_t rflags_mask = kCaseFlagsMask;  // RFLAGS bits compared (drop undefined flags here)
  uint16_t gpr_mask = 0xFFFF;             // bit i set: compare gpr[i]
  bool rip = true;
  bool x87 = true;            // FCW, FSW, abridged FTW, ST0-7 (80 bits each)
  bool x87_empty_regs = true; // also compare ST(i) whose tag is empty
  bool x87_pointers = false;  // FOP, FIP, FDP (host-dependent on AMD; off by default)
  bool sse = true;            // MXCSR (not MXCSR_MASK) and XMM0-15
  uint16_t fsw_mask = 0xFFFF; // FSW bits compared (e.g. drop C0-C3 where undefined)
  uint8_t seg_mask = 0;       // bit i set: compare seg[i] (ES CS SS DS FS GS)
};

// Names of the differences ("rax: expected 0x1 actual 0x2", ...); empty when equal.
std::vector<std::string> snapshot_differences(const CpuSnapshot& expected, const CpuSnapshot& actual,
                                              const CompareOptions& opt = {});

// Differing byte ranges of two memory images based at `base` (at most max_reports
// entries, plus a size mismatch entry if the lengths differ).
std::vector<std::string> data_differences(std::span<const uint8_t> expected, std::span<const uint8_t> actual,
                                          uint64_t base = kDataBase, size_t max_reports = 8);

// Multi-line dump of a snapshot (GPRs, RIP, RFLAGS, x87 and SSE state).
std::string format_snapshot(const CpuSnapshot& s);

// Name of gpr[i] ("rax", "r8", ...).
const char* gpr_name(int i);

}  // namespace emu::diff
