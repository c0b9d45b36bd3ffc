// Multiboot v1 (the GNU Multiboot Specification 0.6.96) for `-kernel` of a multiboot
// image: finds the header in the first 8 KiB, loads the image by the header's address
// fields or its ELF32 program headers, builds the multiboot information structure
// (memory sizes, command line, modules, memory map) and returns the entry state:
// 32-bit protected mode, paging off, EAX = 0x2BADB002, EBX = the info structure.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bios/boot_entry.h"
#include "bios/e820.h"
#include "memory/physical_memory.h"

namespace emu {

struct MultibootModule {
  std::span<const uint8_t> data;
  std::string cmdline;
};

struct MultibootConfig {
  std::string cmdline;
  std::vector<MultibootModule> modules;  // e.g. -initrd "file args,file2"
  E820Map e820;
};

struct MultibootLayout {
  static constexpr uint64_t kGdt = 0x1000;
  static constexpr uint64_t kInfo = 0x9000;     // info struct, module list, strings, mmap
  static constexpr uint64_t kInfoMax = 0x7000;  // bytes available from kInfo
};

struct MultibootResult {
  bool ok = false;
  std::string error;
  BootEntry entry;
  uint64_t load_start = 0, load_end = 0;  // physical range the image occupies (incl. bss)
};

// Offset of a valid multiboot header within the first 8 KiB, if there is one.
std::optional<size_t> find_multiboot_header(std::span<const uint8_t> image);

MultibootResult load_multiboot(PhysicalMemory& memory, std::span<const uint8_t> image,
                               const MultibootConfig& config, const std::string& name);

}  // namespace emu
