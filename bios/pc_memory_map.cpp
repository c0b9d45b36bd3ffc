// PC memory layout and E820 map (see pc_memory_map.h).
#include "bios/pc_memory_map.h"

#include <algorithm>

namespace emu {

PcMemoryMap make_pc_memory_map(uint64_t ram_bytes, uint64_t bios_rom_bytes) {
  PcMemoryMap m;
  m.ram_bytes = ram_bytes;
  m.low_ram = std::min(ram_bytes, PcMemoryMap::kLowRamLimit);
  m.high_ram = ram_bytes - m.low_ram;
  m.acpi_base = m.low_ram - PcMemoryMap::kAcpiSize;

  auto& e = m.e820;
  e.push_back({0, PcMemoryMap::kEbdaStart, E820Type::Ram});
  e.push_back({PcMemoryMap::kEbdaStart, 0xa0000 - PcMemoryMap::kEbdaStart, E820Type::Reserved});
  e.push_back({PcMemoryMap::kBiosAreaStart, 0x100000 - PcMemoryMap::kBiosAreaStart, E820Type::Reserved});
  e.push_back({0x100000, m.acpi_base - 0x100000, E820Type::Ram});
  e.push_back({m.acpi_base, PcMemoryMap::kAcpiSize, E820Type::Acpi});
  if (bios_rom_bytes) e.push_back({PcMemoryMap::kHighRamStart - bios_rom_bytes, bios_rom_bytes, E820Type::Reserved});
  if (m.high_ram) e.push_back({PcMemoryMap::kHighRamStart, m.high_ram, E820Type::Ram});
  return m;
}

}  // namespace emu
