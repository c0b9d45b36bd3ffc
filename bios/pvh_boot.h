// The PVH boot path for an ELF vmlinux (Xen's PVH ABI, which Linux implements in
// arch/x86/platform/pvh/): the PT_LOAD segments are loaded at their physical
// addresses, an hvm_start_info (version 1) describes the command line, the initrd as
// module 0, the ACPI RSDP and the memory map, and the CPU enters the note's
// PHYS32_ENTRY in 32-bit protected mode, paging off, with EBX = &start_info.
#pragma once
#include <cstdint>
#include <span>
#include <string>

#include "bios/boot_entry.h"
#include "bios/e820.h"
#include "bios/elf_kernel.h"
#include "memory/physical_memory.h"

namespace emu {

struct PvhBootConfig {
  std::string cmdline;
  std::span<const uint8_t> initrd;  // empty when there is no initrd
  E820Map e820;                     // must describe the RAM present in `memory`
  uint64_t acpi_rsdp = 0;           // 0: none (the kernel then scans the BIOS area)
};

// Where the loader puts its structures (all below 1 MiB; kernel segments must lie above).
struct PvhBootLayout {
  static constexpr uint64_t kGdt = 0x1000;
  static constexpr uint64_t kStartInfo = 0x2000;   // struct hvm_start_info, 56 bytes
  static constexpr uint64_t kModlist = 0x2100;     // struct hvm_modlist_entry[1], 32 bytes
  static constexpr uint64_t kMemmap = 0x3000;      // struct hvm_memmap_table_entry[], 24 bytes each
  static constexpr uint64_t kMemmapMax = 1024;     // entries (ends below kCmdline)
  static constexpr uint64_t kCmdline = 0x20000;
  static constexpr uint64_t kCmdlineMax = 0x10000;
  static constexpr uint64_t kLowestKernelAddr = 0x100000;
};

// hvm_start_info layout (xen/include/public/arch-x86/hvm/start_info.h).
struct HvmStartInfo {
  static constexpr uint32_t kMagic = 0x336ec578;
  static constexpr size_t kSize = 56;
  static constexpr size_t kOffMagic = 0, kOffVersion = 4, kOffFlags = 8, kOffNrModules = 12, kOffModlist = 16,
                          kOffCmdline = 24, kOffRsdp = 32, kOffMemmap = 40, kOffMemmapEntries = 48;
  static constexpr size_t kModlistEntrySize = 32;  // paddr, size, cmdline_paddr, reserved
  static constexpr size_t kMemmapEntrySize = 24;   // addr, size, type, reserved
};

struct PvhBootResult {
  bool ok = false;
  std::string error;  // when !ok: one line naming the file
  BootEntry entry;
  uint64_t start_info_addr = 0;
  uint64_t kernel_end = 0;   // first byte above the highest loaded segment
  uint64_t initrd_addr = 0;  // 0 if none
};

// Loads `vmlinux` (already parsed into `elf`, which must have a pvh_entry) into
// `memory`. Checks every segment against the memory map; writes nothing the guest
// could use to escape a buffer.
PvhBootResult load_pvh(PhysicalMemory& memory, std::span<const uint8_t> vmlinux, const ElfKernel& elf,
                       const PvhBootConfig& config, const std::string& name);

}  // namespace emu
