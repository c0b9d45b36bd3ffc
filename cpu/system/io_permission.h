// Protected-mode I/O permission (SDM vol. 1 19.5): IN/OUT/INS/OUTS are allowed when CPL
// <= IOPL outside virtual-8086 mode; otherwise (and always in virtual-8086 mode) every
// bit of the accessed ports in the TSS's I/O permission bitmap must be clear.
#pragma once
#include <cstdint>

namespace emu {
class Cpu;
}

namespace emu::sys {

// Whether the current task's I/O permission bitmap allows ports port..port+size-1: the
// TSS must be a 32/64-bit one at least 104 bytes long, and the two bytes holding the
// ports' bits (at the I/O map base + port / 8) must lie within its limit with the bits
// clear. Reads the TSS as implicit supervisor accesses (may raise #PF).
bool io_bitmap_allows(Cpu& cpu, uint16_t port, unsigned size);

}  // namespace emu::sys
