// Helpers shared by the boot paths that start the CPU in flat 32-bit protected mode.
#include "bios/boot_entry.h"

#include "base/endian.h"

namespace emu {

bool write_flat_gdt(PhysicalMemory& memory, uint64_t addr, BootEntry& entry) {
  const uint64_t gdt[4] = {
      0,
      0,
      0x00cf9b000000ffffull,  // 0x10: code, base 0, limit 4 GiB, 32-bit, accessed
      0x00cf93000000ffffull,  // 0x18: data, base 0, limit 4 GiB, writable, accessed
  };
  uint8_t bytes[sizeof gdt];
  for (size_t i = 0; i < 4; i++) store_le64(bytes + 8 * i, gdt[i]);
  if (!memory.load_bytes(addr, bytes, sizeof bytes)) return false;
  entry.mode = BootEntry::Mode::Protected32;
  entry.gdt_base = addr;
  entry.gdt_limit = sizeof gdt - 1;
  entry.code_selector = 0x10;
  entry.data_selector = 0x18;
  return true;
}

}  // namespace emu
