// The Linux x86 boot protocol (Documentation/arch/x86/boot.rst) for `-kernel bzImage`
// with no firmware: checks the setup header, places the protected-mode kernel, the
// command line, the initrd and a filled boot_params ("zero page") in guest memory,
// and returns the 32-bit protected-mode entry state the protocol requires.
#pragma once
#include <cstdint>
#include <span>
#include <string>

#include "bios/boot_entry.h"
#include "bios/e820.h"
#include "memory/physical_memory.h"

namespace emu {

struct LinuxBootConfig {
  std::string cmdline;
  std::span<const uint8_t> initrd;  // empty when there is no initrd
  E820Map e820;                     // must describe the RAM present in `memory`
  uint64_t acpi_rsdp = 0;           // 0: the kernel scans the BIOS area itself
};

// Where the loader puts things (all below 1 MiB except the kernel and the initrd).
struct LinuxBootLayout {
  static constexpr uint64_t kGdt = 0x1000;
  static constexpr uint64_t kBootParams = 0x7000;
  static constexpr uint64_t kCmdline = 0x20000;
  static constexpr uint64_t kCmdlineMax = 0x10000;
  static constexpr uint64_t kKernel = 0x100000;
};

struct LinuxBootResult {
  bool ok = false;
  std::string error;  // when !ok: one line naming the problem
  BootEntry entry;
  uint16_t protocol_version = 0;
  uint64_t kernel_size = 0;    // bytes of protected-mode code loaded at kKernel
  uint64_t initrd_addr = 0;    // where the initrd went (0 if none)
};

// True when `image` starts with a Linux setup header ("HdrS" at 0x202).
bool is_linux_bzimage(std::span<const uint8_t> image);

// Loads the bzImage into `memory` as the boot protocol says. `name` is the file name,
// used in error messages. Never trusts the image: sizes are checked against the file
// and the memory map.
LinuxBootResult load_linux_bzimage(PhysicalMemory& memory, std::span<const uint8_t> image,
                                   const LinuxBootConfig& config, const std::string& name);

}  // namespace emu
