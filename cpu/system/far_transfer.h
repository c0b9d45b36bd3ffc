// Far JMP, CALL and RET in real, protected and long mode: direct code-segment
// transfers, call gates (16/32/64-bit) with privilege change, stack switch and parameter
// copy, TSS/task-gate targets (task switch), and RETF to an outer privilege level.
// SDM vol. 3A 5.8, vol. 2 (CALL, JMP, RET).
#pragma once
#include <cstdint>

#include "cpu/cpu.h"

namespace emu::sys {

// `next_rip`: RIP after the instruction (pushed by CALL); `osz`: operand size.
void far_jump(Cpu& cpu, uint16_t sel, uint64_t offset, unsigned osz, uint64_t next_rip);
void far_call(Cpu& cpu, uint16_t sel, uint64_t offset, unsigned osz, uint64_t next_rip);
void far_return(Cpu& cpu, unsigned osz, uint16_t pop_bytes);

}  // namespace emu::sys
