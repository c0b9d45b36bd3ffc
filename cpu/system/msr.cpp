// MSR reads and writes (see msr.h).
#include "cpu/system/msr.h"

#include <mutex>
#include <unordered_set>

#include "base/log.h"
#include "cpu/system/control_regs.h"
#include "cpu/system/system_cpu.h"

namespace emu::sys {

using namespace msr_index;

// `-d unimp`: the first access to each unknown MSR (they then raise #GP(0)).
static void log_unknown_msr(const char* what, uint32_t index, uint64_t value) {
  if (!log_enabled(LogCategory::Unimp)) return;
  static std::mutex mutex;
  static std::unordered_set<uint64_t> seen;
  std::lock_guard<std::mutex> lock(mutex);
  if (!seen.insert(uint64_t{index} << 1 | (what[0] == 'w')).second) return;
  if (what[0] == 'w')
    log_printf("unimp: %s 0x%08x value 0x%llx (#GP)\n", what, index, (unsigned long long)value);
  else
    log_printf("unimp: %s 0x%08x (#GP)\n", what, index);
}

static bool valid_pat(uint64_t v) {
  for (int k = 0; k < 8; ++k) {
    unsigned t = (v >> (8 * k)) & 0xff;
    if (t == 2 || t == 3 || t > 7) return false;
  }
  return true;
}

static uint64_t* fixed_mtrr(MsrState& m, uint32_t index) {
  if (index == kMtrrFix64k) return &m.mtrr_fixed[0];
  if (index == kMtrrFix16k0) return &m.mtrr_fixed[1];
  if (index == kMtrrFix16k1) return &m.mtrr_fixed[2];
  if (index >= kMtrrFix4kFirst && index <= kMtrrFix4kLast) return &m.mtrr_fixed[3 + (index - kMtrrFix4kFirst)];
  if (index >= kMtrrPhysBase0 && index < kMtrrPhysBase0 + 16) return &m.mtrr_var[index - kMtrrPhysBase0];
  return nullptr;
}

bool read_msr(Cpu& cpu, uint32_t index, uint64_t* v) {
  CpuState& s = cpu.state();
  MsrState& m = cpu.system->msr;
  SystemHooks& h = cpu.system->hooks;
  switch (index) {
    case kTsc: *v = cpu.read_tsc(); return true;
    case kApicBase: *v = h.read_apic_base ? h.read_apic_base() : m.apic_base; return true;
    case kMtrrCap: *v = 0x508; return true;  // 8 variable ranges, fixed ranges, write-combining
    case kSysenterCs: *v = m.sysenter_cs; return true;
    case kSysenterEsp: *v = m.sysenter_esp; return true;
    case kSysenterEip: *v = m.sysenter_eip; return true;
    case kMcgCap: case kMcgStatus: *v = 0; return true;
    case kMiscEnable: *v = m.misc_enable; return true;
    case kPat: *v = m.pat; return true;
    case kMtrrDefType: *v = m.mtrr_def_type; return true;
    case kTscDeadline: *v = h.read_tsc_deadline ? h.read_tsc_deadline() : 0; return true;
    case kEfer: *v = s.efer; return true;
    case kStar: *v = m.star; return true;
    case kLstar: *v = m.lstar; return true;
    case kCstar: *v = m.cstar; return true;
    case kSfmask: *v = m.sfmask; return true;
    case kFsBase: *v = s.seg[isa::SEG_FS].base; return true;
    case kGsBase: *v = s.seg[isa::SEG_GS].base; return true;
    case kKernelGsBase: *v = m.kernel_gs_base; return true;
    case kTscAux: *v = s.tsc_aux; return true;
    case kAmdSyscfg: *v = m.amd_syscfg; return true;  // Linux's MTRR set-up reads it unguarded
    case kAmdHwcr: *v = m.amd_hwcr; return true;
    case kAmdIntPendingMsg: *v = 0; return true;  // no C1E: Linux's erratum-400 check reads it unguarded
    default:
      if (uint64_t* p = fixed_mtrr(m, index)) {
        *v = *p;
        return true;
      }
      log_unknown_msr("rdmsr", index, 0);
      return false;
  }
}

bool write_msr(Cpu& cpu, uint32_t index, uint64_t v) {
  CpuState& s = cpu.state();
  MsrState& m = cpu.system->msr;
  SystemHooks& h = cpu.system->hooks;
  switch (index) {
    case kTsc: return true;  // the guest TSC follows the board clock (RDTSC agrees); writes are ignored
    case kApicBase:
      if (h.write_apic_base) return h.write_apic_base(v);
      m.apic_base = v;
      return true;
    case kSysenterCs: m.sysenter_cs = v & 0xffff; return true;
    case kSysenterEsp: if (!Cpu::is_canonical(v)) return false; m.sysenter_esp = v; return true;
    case kSysenterEip: if (!Cpu::is_canonical(v)) return false; m.sysenter_eip = v; return true;
    case kMcgStatus: return v == 0;
    case kMiscEnable: m.misc_enable = v; return true;
    case kPat:
      if (!valid_pat(v)) return false;
      m.pat = v;
      return true;
    case kMtrrDefType:
      if (v & ~uint64_t{0xcff}) return false;
      m.mtrr_def_type = v;
      return true;
    case kTscDeadline:
      if (h.write_tsc_deadline) h.write_tsc_deadline(v);
      return true;
    case kEfer: write_efer(cpu, v); return true;
    case kStar: m.star = v; return true;
    case kLstar: if (!Cpu::is_canonical(v)) return false; m.lstar = v; return true;
    case kCstar: if (!Cpu::is_canonical(v)) return false; m.cstar = v; return true;
    case kSfmask: m.sfmask = v & 0xffffffffu; return true;
    case kFsBase: if (!Cpu::is_canonical(v)) return false; s.seg[isa::SEG_FS].base = v; return true;
    case kGsBase: if (!Cpu::is_canonical(v)) return false; s.seg[isa::SEG_GS].base = v; return true;
    case kKernelGsBase: if (!Cpu::is_canonical(v)) return false; m.kernel_gs_base = v; return true;
    case kTscAux: if (v >> 32) return false; s.tsc_aux = v; return true;
    case kAmdSyscfg: m.amd_syscfg = v; return true;  // memory-type/DRAM routing bits: no effect here
    case kAmdHwcr: m.amd_hwcr = v; return true;  // K8 configuration bits (Linux sets FFDIS); no effect here
    case kAmdIntPendingMsg: return true;  // the C1E/SMI message bits: nothing to enable
    default:
      if (uint64_t* p = fixed_mtrr(m, index)) {
        *p = v;
        return true;
      }
      log_unknown_msr("wrmsr", index, v);
      return false;
  }
}

}  // namespace emu::sys
