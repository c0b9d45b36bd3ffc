// RDMSR/WRMSR: the model-specific registers Linux touches (EFER, SYSCALL and SYSENTER
// MSRs, FS/GS/KERNEL_GS bases, TSC, TSC_AUX, APIC base and TSC deadline through board
// hooks, PAT, MTRRs, MISC_ENABLE, and the AMD K8 ones Linux reads without a fault
// handler: SYSCFG, HWCR, INT_PENDING_MSG). Unknown MSRs raise #GP(0), as on hardware without
// them (Linux probes optional MSRs with rdmsr_safe/wrmsr_safe); `-d unimp` logs each
// unknown index once.
#pragma once
#include <cstdint>

#include "cpu/cpu.h"

namespace emu::sys {

namespace msr_index {
inline constexpr uint32_t kTsc = 0x10, kApicBase = 0x1b, kMtrrCap = 0xfe, kSysenterCs = 0x174,
                          kSysenterEsp = 0x175, kSysenterEip = 0x176, kMcgCap = 0x179, kMcgStatus = 0x17a,
                          kMiscEnable = 0x1a0, kMtrrPhysBase0 = 0x200, kMtrrFix64k = 0x250,
                          kMtrrFix16k0 = 0x258, kMtrrFix16k1 = 0x259, kMtrrFix4kFirst = 0x268,
                          kMtrrFix4kLast = 0x26f, kPat = 0x277, kMtrrDefType = 0x2ff, kTscDeadline = 0x6e0,
                          kEfer = 0xc0000080, kStar = 0xc0000081, kLstar = 0xc0000082, kCstar = 0xc0000083,
                          kSfmask = 0xc0000084, kFsBase = 0xc0000100, kGsBase = 0xc0000101,
                          kKernelGsBase = 0xc0000102, kTscAux = 0xc0000103, kAmdSyscfg = 0xc0010010,
                          kAmdHwcr = 0xc0010015,
                          kAmdIntPendingMsg = 0xc0010055;
}

// Returns false for an unknown MSR or an invalid value (the caller raises #GP(0)).
bool read_msr(Cpu& cpu, uint32_t index, uint64_t* value);
bool write_msr(Cpu& cpu, uint32_t index, uint64_t value);

}  // namespace emu::sys
