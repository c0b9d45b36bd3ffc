// `-d exec` trace lines (see exec_trace.h).
#include "cpu/interp/exec_trace.h"

#include <cinttypes>

#include "base/log.h"
#include "cpu/cpu.h"
#include "cpu/flags.h"
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


// `-d cpu`: registers, RFLAGS (lazy flags evaluated), segments, control registers.
void log_cpu_state(const CpuState& s) {
  static const char* const kGpr[16] = {"RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
                                       "R8 ", "R9 ", "R10", "R11", "R12", "R13", "R14", "R15"};
  for (unsigned k = 0; k < 16; k += 4)
    log_printf("%s=%016" PRIx64 " %s=%016" PRIx64 " %s=%016" PRIx64 " %s=%016" PRIx64 "\n", kGpr[k], s.gpr[k],
               kGpr[k + 1], s.gpr[k + 1], kGpr[k + 2], s.gpr[k + 2], kGpr[k + 3], s.gpr[k + 3]);
  log_printf("RIP=%016" PRIx64 " RFL=%08" PRIx64 " CPL=%u\n", s.rip, read_rflags(s), unsigned{s.cpl});
  static const char* const kSeg[6] = {"ES", "CS", "SS", "DS", "FS", "GS"};
  for (unsigned k = 0; k < 6; ++k)
    log_printf("%s =%04x %016" PRIx64 " %08x %04x\n", kSeg[k], s.seg[k].selector, s.seg[k].base, s.seg[k].limit,
               s.seg[k].attr);
  log_printf("CR0=%08" PRIx64 " CR2=%016" PRIx64 " CR3=%016" PRIx64 " CR4=%08" PRIx64 " EFER=%08" PRIx64 "\n", s.cr0,
             s.cr2, s.cr3, s.cr4, s.efer);
}

}  // namespace

void log_exec_block(const Cpu& cpu, const interp::Block& b, const uint8_t* host) {
  const CpuState& s = cpu.state();
  if (log_enabled(LogCategory::Cpu)) log_cpu_state(s);
  if (!log_enabled(LogCategory::Exec)) return;
  char where[24] = "interp";
  if (host) std::snprintf(where, sizeof where, "%p", static_cast<const void*>(host));
  // One CPU so far (no SMP): its index is 0.
  log_printf("Trace 0: %s [%016" PRIx64 "..%016" PRIx64 ") %04x:%016" PRIx64 " %s cpl%u%s %zu insns\n", where,
             b.linear, b.linear + b.bytes, s.seg[isa::SEG_CS].selector, s.rip,
             mode_name(b.mode, (s.rflags & sys::kFlagVM) != 0), (b.mode >> 8) & 3, (b.mode & (1u << 10)) ? " pg" : "",
             b.insns.size());
}

}  // namespace emu
