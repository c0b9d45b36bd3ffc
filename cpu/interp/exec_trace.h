// `-d exec`: one "Trace" line per block as it starts running, like QEMU's exec log:
// which code runs it (the host address of its translation, or "interp"), the guest
// linear range, CS:RIP and the mode. Called from the interpreter's block loop and from
// the JIT engine's entry, lookup and link paths; jumps between chained blocks and
// inline jump-table hits bypass those, so only `-d exec,nochain` shows every block.
// Callers test log_enabled(LogCategory::Exec) first (one branch when it is off).
#pragma once
#include <cstdint>

namespace emu {
class Cpu;
namespace interp {
struct Block;
}

// `host` is the translation's entry, or null when the interpreter runs the block.
void log_exec_block(const Cpu& cpu, const interp::Block& b, const uint8_t* host);

}  // namespace emu
