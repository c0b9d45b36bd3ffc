// The BIOS E820 memory map: what the guest is told about its physical address space.
// The board builds it from its memory layout; boot paths hand it to the guest
// (Linux boot_params, multiboot info, PVH start info, fw_cfg's etc/e820).
#pragma once
#include <cstdint>
#include <vector>

namespace emu {

enum class E820Type : uint32_t { Ram = 1, Reserved = 2, Acpi = 3, Nvs = 4, Unusable = 5 };

struct E820Entry {
  uint64_t addr;
  uint64_t size;
  E820Type type;
};

using E820Map = std::vector<E820Entry>;

// Total bytes of usable RAM below `limit` (for the multiboot mem_lower/mem_upper fields).
uint64_t e820_ram_below(const E820Map& map, uint64_t limit);
// The end of the usable RAM region that contains `addr` (0 if addr is not in RAM).
uint64_t e820_ram_end_containing(const E820Map& map, uint64_t addr);
// Serialises as the 20-byte little-endian entries the BIOS interface and Linux use.
std::vector<uint8_t> e820_to_bytes(const E820Map& map);

}  // namespace emu
