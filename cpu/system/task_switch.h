// Hardware task switch through a 32-bit (or 16-bit) TSS: JMP/CALL to a TSS descriptor or
// task gate, interrupts through task gates, IRET with NT set (SDM vol. 3A ch. 7).
// Saves the current task's registers into its TSS, loads the new one (CR3, LDT, segment
// registers with their checks), and maintains busy bits, NT and the back link.
#pragma once
#include <cstdint>

#include "cpu/cpu.h"

namespace emu::sys {

enum class TaskSwitchSource : uint8_t { Jump, Call, Interrupt, Iret };

// `sel` selects a TSS descriptor or a task gate (resolved here).
void task_switch(Cpu& cpu, uint16_t sel, TaskSwitchSource source, bool ext);

}  // namespace emu::sys
