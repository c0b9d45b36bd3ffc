// Control and debug registers: MOV to/from CR0/CR2/CR3/CR4/CR8 and DR0-DR7, CLTS, LMSW,
// SMSW, INVLPG, and the mode transitions they cause (paging on/off, EFER.LMA), with the
// #GP rules of SDM vol. 3A 2.5 and the TLB/code-cache flushes that keep translations right.
#pragma once
#include <cstdint>

#include "cpu/cpu.h"

namespace emu::sys {

inline constexpr uint64_t kCr0MP = 1u << 1, kCr0EM = 1u << 2, kCr0TS = 1u << 3, kCr0ET = 1u << 4,
                          kCr0NE = 1u << 5, kCr0WP = 1u << 16, kCr0AM = 1u << 18, kCr0NW = 1u << 29,
                          kCr0CD = 1u << 30;
inline constexpr uint64_t kCr4PSE = 1u << 4, kCr4PAE = 1u << 5, kCr4PGE = 1u << 7;
inline constexpr uint64_t kCr4PCIDE = 1u << 17, kCr4SMEP = 1u << 20, kCr4SMAP = 1u << 21;
// CR4 bits this CPU accepts: VME PVI TSD DE PSE PAE MCE PGE PCE OSFXSR OSXMMEXCPT.
inline constexpr uint64_t kCr4Supported = 0x7ff;
// The soft TLB relies on these being off: its supervisor set ignores EFLAGS.AC (SMAP)
// and a CR3 write drops all non-global entries (no PCID tags).
static_assert(!(kCr4Supported & (kCr4SMAP | kCr4PCIDE)), "SMAP/PCID need TLB support (cpu/cpu.h)");
inline constexpr uint64_t kEferSCE = 1u << 0, kEferNXE = 1u << 11;

uint64_t read_cr(Cpu& cpu, unsigned n);
void write_cr(Cpu& cpu, unsigned n, uint64_t v);
void write_cr0(Cpu& cpu, uint64_t v);
void write_cr3(Cpu& cpu, uint64_t v);
void write_cr4(Cpu& cpu, uint64_t v);
// WRMSR to EFER.
void write_efer(Cpu& cpu, uint64_t v);
uint64_t read_dr(Cpu& cpu, unsigned n);
void write_dr(Cpu& cpu, unsigned n, uint64_t v);
void invalidate_page(Cpu& cpu, uint64_t linear);

}  // namespace emu::sys
