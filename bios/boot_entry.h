// The CPU state a boot path hands over: which mode to start in, where, and with which
// registers. Boot loaders in bios/ fill it; the board applies it to the CPU. It is
// plain data so that bios/ needs nothing from cpu/.
#pragma once
#include <array>
#include <cstdint>

#include "memory/physical_memory.h"

namespace emu {

struct BootEntry {
  enum class Mode {
    Reset,        // the CPU's reset state (firmware runs from the reset vector)
    Protected32,  // 32-bit protected mode, flat segments from the loader's GDT, paging off
  };
  Mode mode = Mode::Reset;
  uint64_t rip = 0;
  // General registers in encoding order: EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI.
  std::array<uint64_t, 8> gpr{};
  // For Protected32: the GDT the loader wrote into guest memory and the selectors to load.
  uint64_t gdt_base = 0;
  uint16_t gdt_limit = 0;
  uint16_t code_selector = 0;
  uint16_t data_selector = 0;
};

enum BootGpr { kEax = 0, kEcx, kEdx, kEbx, kEsp, kEbp, kEsi, kEdi };

// Writes a GDT with flat 4 GiB 32-bit code (selector 0x10) and data (0x18) descriptors
// at `addr` — the layout the Linux boot protocol names __BOOT_CS/__BOOT_DS — and
// points `entry` at it in Protected32 mode. False if `addr` is not RAM.
bool write_flat_gdt(PhysicalMemory& memory, uint64_t addr, BootEntry& entry);

}  // namespace emu
