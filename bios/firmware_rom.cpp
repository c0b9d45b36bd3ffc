// Firmware ROM mapping for -bios (see firmware_rom.h).
#include "bios/firmware_rom.h"

#include <algorithm>

#include "base/log.h"

namespace emu {

FirmwareResult map_firmware_rom(PhysicalMemory& memory, std::span<const uint8_t> rom, const std::string& name) {
  FirmwareResult r;
  constexpr uint64_t kMax = 16ull << 20;
  if (rom.empty() || rom.size() % 65536 != 0 || rom.size() > kMax) {
    r.error = name + ": a firmware image must be a non-empty multiple of 64 KiB, at most 16 MiB (this one is " +
              std::to_string(rom.size()) + " bytes)";
    return r;
  }
  memory.add_rom((uint64_t{1} << 32) - rom.size(), rom.data(), rom.size(), "bios");
  const size_t low = std::min<size_t>(rom.size(), 128 * 1024);
  memory.add_rom(0x100000 - low, rom.data() + rom.size() - low, low, "isa-bios");
  EMU_LOG(Boot, "boot: %s: %zu KiB firmware at 0x%llx\n", name.c_str(), rom.size() >> 10,
          (unsigned long long)((uint64_t{1} << 32) - rom.size()));
  r.ok = true;
  return r;
}

}  // namespace emu
