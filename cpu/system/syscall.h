// Fast system calls: SYSCALL/SYSRET (STAR/LSTAR/CSTAR/SFMASK), SYSENTER/SYSEXIT
// (SYSENTER_CS/ESP/EIP) and SWAPGS. Each takes the instruction's length-adjusted next
// RIP and operand size from the semantic wrapper.
#pragma once
#include <cstdint>

#include "cpu/cpu.h"

namespace emu::sys {

void syscall(Cpu& cpu, uint64_t next_rip);
void sysret(Cpu& cpu, unsigned osz);
void sysenter(Cpu& cpu);
void sysexit(Cpu& cpu, unsigned osz);
void swapgs(Cpu& cpu);

}  // namespace emu::sys
