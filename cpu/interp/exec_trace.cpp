// `-d exec` trace lines (see exec_trace.h).
#include "cpu/interp/exec_trace.h"

#include <cinttypes>

#include "base/log.h"
#include "cpu/cpu.h"
#include "cpu/interp/block_cache.h"
#include "cpu/system/interrupts.h"

namespace emu {

namespace {

// The mode a block was decoded for, from its mode key (CpuState::mode_key) and EFLAGS.VM.
const char* mode_name(uint32_t key, bool vm86) {
  const unsigned bits = key & 0xff;
  if (key & (1u << 12)) return bits == 64 ? "long64" : bits == 32 ? "compat32" : "compat16";
  if (!(key & (1u << 11))) return "real16";
  if (vm86) return "vm86";
  return bits == 32 ? "prot32" : "prot16";
}

}  // namespace

void log_exec_block(const Cpu& cpu, const interp::Block& b, const uint8_t* host) {
  const CpuState& s = cpu.state();
  char where[24] = "interp";
  if (host) std::snprintf(where, sizeof where, "%p", static_cast<const void*>(host));
  // One CPU so far (no SMP): its index is 0.
  log_printf("Trace 0: %s [%016" PRIx64 "..%016" PRIx64 ") %04x:%016" PRIx64 " %s cpl%u%s %zu insns\n", where,
             b.linear, b.linear + b.bytes, s.seg[isa::SEG_CS].selector, s.rip,
             mode_name(b.mode, (s.rflags & sys::kFlagVM) != 0), (b.mode >> 8) & 3, (b.mode & (1u << 10)) ? " pg" : "",
             b.insns.size());
}

}  // namespace emu
