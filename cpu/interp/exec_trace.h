// `-d exec`: one "Trace" line per block as it starts running, like QEMU's exec log:
// which code runs it (the host address of its translation, or "interp"), the guest
// linear range, CS:RIP and the mode. Called from the interpreter's block loop and from
// the JIT engine's entry, lookup and link paths; jumps between chained blocks and
// inline jump-table hits bypass those, so only `-d exec,nochain` shows every block. (As
// in QEMU, a translated block that leaves at its entry check — instruction budget,
// pending interrupt — before running anything is logged again when it is re-entered.)
// `-d cpu` adds the CPU state before each such block. Callers test
// exec_trace_enabled() first (one branch when both are off).
#pragma once
#include <cstdint>

#include "base/log.h"

namespace emu {
class Cpu;
namespace interp {
struct Block;
}

inline bool exec_trace_enabled() {
  return (g_log_mask & (static_cast<uint32_t>(LogCategory::Exec) | static_cast<uint32_t>(LogCategory::Cpu))) != 0;
}

// `host` is the translation's entry, or null when the interpreter runs the block.
void log_exec_block(const Cpu& cpu, const interp::Block& b, const uint8_t* host);

}  // namespace emu
