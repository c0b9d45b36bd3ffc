// Exception and interrupt delivery through the IVT (real mode), the protected-mode IDT
// (16/32-bit interrupt/trap gates, task gates, privilege change with the stack from the
// TSS) and the long-mode IDT (64-bit gates, IST, RSP0..2, aligned frames), and IRET in
// all its forms. SDM vol. 3A ch. 6, AMD APM vol. 2 ch. 8.
#pragma once
#include <cstdint>

#include "cpu/cpu.h"

namespace emu::sys {

struct Event {
  uint8_t vector = 0;
  bool has_error = false;
  uint32_t error = 0;
  bool software = false;  // INT n/INT3/INTO: gate-DPL check, RIP already past the insn
  bool external = false;  // hardware interrupt or fault during its delivery (EXT bit)
};

// Delivers the event with the current state; may raise (the caller folds that into #DF).
void deliver_event(Cpu& cpu, const Event& ev);

// IRET/IRETD/IRETQ with operand size osz (next_rip: saved in the TSS by a task return).
void interrupt_return(Cpu& cpu, unsigned osz, uint64_t next_rip);

// Exception classes for the double-fault rules (SDM table 6-5).
enum class FaultClass : uint8_t { Benign, Contributory, PageFault, DoubleFault };
FaultClass classify(uint8_t vector);

// RFLAGS bits.
inline constexpr uint64_t kFlagTF = 1u << 8, kFlagIF = 1u << 9, kFlagNT = 1u << 14, kFlagRF = 1u << 16,
                          kFlagVM = 1u << 17, kFlagAC = 1u << 18, kFlagVIF = 1u << 19, kFlagVIP = 1u << 20,
                          kFlagID = 1u << 21, kFlagIOPL = 3u << 12;

}  // namespace emu::sys
