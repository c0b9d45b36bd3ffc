// `-bios ROM`: maps a firmware image as on a real PC — at the top of the 4 GiB
// address space, with its last 128 KiB (or all of it, if smaller) also visible below
// 1 MiB (0xE0000/0xF0000) — so the CPU starts it from the reset vector in real mode.
#pragma once
#include <cstdint>
#include <span>
#include <string>

#include "memory/physical_memory.h"

namespace emu {

struct FirmwareResult {
  bool ok = false;
  std::string error;
};

FirmwareResult map_firmware_rom(PhysicalMemory& memory, std::span<const uint8_t> rom, const std::string& name);

}  // namespace emu
