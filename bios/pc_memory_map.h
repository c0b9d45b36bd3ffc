// The physical memory layout of emu's PC and the E820 map that describes it to the
// guest: conventional memory, the EBDA and BIOS areas, RAM below the PCI hole, the
// ACPI tables at the top of low RAM, the firmware ROM at the top of 4 GiB, and RAM
// above 4 GiB when there is more than fits below the hole.
#pragma once
#include <cstdint>

#include "bios/e820.h"

namespace emu {

struct PcMemoryMap {
  static constexpr uint64_t kLowRamLimit = 0xe0000000;  // the PCI hole starts here at the latest
  static constexpr uint64_t kEbdaStart = 0x9fc00;
  static constexpr uint64_t kBiosAreaStart = 0xe0000;   // reserved: ROM shadow / RSDP area
  static constexpr uint64_t kHighRamStart = 1ull << 32;
  static constexpr uint64_t kAcpiSize = 0x20000;        // reserved for ACPI tables at the top of low RAM

  uint64_t ram_bytes = 0;
  uint64_t low_ram = 0;    // bytes of RAM at [0, low_ram)
  uint64_t high_ram = 0;   // bytes of RAM at [4 GiB, 4 GiB + high_ram)
  uint64_t acpi_base = 0;  // ACPI tables live at [acpi_base, low_ram)
  E820Map e820;
};

// ram_bytes must be at least 2 MiB (the caller validates user input). `bios_rom_bytes`
// is the size of a firmware image mapped below 4 GiB (0 for none).
PcMemoryMap make_pc_memory_map(uint64_t ram_bytes, uint64_t bios_rom_bytes = 0);

}  // namespace emu
