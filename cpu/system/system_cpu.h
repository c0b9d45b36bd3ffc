// The system half of one CPU: the state that is not in CpuState (MSRs, the paging
// translator, board hooks) and the glue that puts a Cpu into "system mode". Attaching a
// SystemCpu makes exceptions go through the IDT/IVT (instead of run() returning), lets
// run() take external interrupts from Cpu::interrupts, and enables the system
// instructions (cpu/sem/system_ops.h). Without one, a Cpu behaves as before (the
// differential tests rely on that).
#pragma once
#include <cstdint>
#include <functional>

#include "cpu/cpu.h"
#include "cpu/interrupt_source.h"
#include "cpu/system/paging.h"

namespace emu {

// Model-specific registers the CPU keeps itself (see cpu/system/msr.cpp).
struct MsrState {
  uint64_t star = 0, lstar = 0, cstar = 0, sfmask = 0;
  uint64_t kernel_gs_base = 0;
  uint64_t sysenter_cs = 0, sysenter_esp = 0, sysenter_eip = 0;
  uint64_t pat = 0x0007040600070406ull;
  uint64_t mtrr_def_type = 0;
  uint64_t mtrr_fixed[11] = {};
  uint64_t mtrr_var[16] = {};  // base/mask pairs for 8 variable ranges
  uint64_t misc_enable = 1;    // fast strings
  uint64_t apic_base = 0xfee00900;  // used when the board installs no hook
  uint64_t amd_syscfg = 0;          // AMD SYSCFG (0xc0010010): no MTRR DRAM/TOM2 extensions enabled
  uint64_t amd_hwcr = 0;            // AMD HWCR (0xc0010015)
};

// Callbacks into the board for what lives outside the CPU (the local APIC).
struct SystemHooks {
  std::function<uint64_t()> read_apic_base;
  std::function<bool(uint64_t)> write_apic_base;  // false: invalid value (#GP)
  std::function<uint64_t()> read_tsc_deadline;
  std::function<void(uint64_t)> write_tsc_deadline;
  std::function<uint8_t()> read_tpr;           // CR8 (4 bits)
  std::function<void(uint8_t)> write_tpr;
};

class SystemCpu {
 public:
  // Attaches to `cpu` (sets cpu.system, its translator, exception and interrupt hooks).
  explicit SystemCpu(Cpu& cpu);
  ~SystemCpu();
  SystemCpu(const SystemCpu&) = delete;
  SystemCpu& operator=(const SystemCpu&) = delete;

  Cpu& cpu() { return cpu_; }
  MsrState msr;
  SystemHooks hooks;
  SystemPaging& paging() { return paging_; }

  // Puts the CPU in the power-on state (real mode, CS:IP = F000:FFF0 with base FFFF0000).
  void reset();

  // Exception hook body: delivers `e` through the IDT, folding nested faults into #DF or
  // a triple fault (then returns false and run() reports TripleFault).
  bool deliver_exception(const CpuException& e);
  // External interrupt (INTR vector or NMI) at an instruction boundary.
  void deliver_external(uint8_t vector);
  // Cpu::interrupt_hook body: takes an NMI (unless blocked) or, when `intr_allowed`
  // (IF = 1, no interrupt shadow), a pending INTR from cpu.interrupts. True if delivered.
  bool poll_interrupts(bool intr_allowed);

  // Delivery in progress (for the double-fault rules); cleared on success.
  bool delivering = false;
  uint8_t delivering_vector = 0;
  bool delivering_external = false;
  bool delivering_benign = false;
  uint64_t software_rip = 0;  // RIP of the INT n/INT3/INTO being delivered (for faults)  // software interrupts and external events count as benign
  bool nmi_blocked = false;  // between NMI delivery and the next IRET

 private:
  Cpu& cpu_;
  SystemPaging paging_;
};

}  // namespace emu
