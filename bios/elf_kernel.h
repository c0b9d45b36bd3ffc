// An uncompressed Linux kernel as an ELF file (vmlinux, ELF64 or ELF32, x86): its
// loadable segments with their physical addresses and the PVH entry point announced
// by the Xen ELF note XEN_ELFNOTE_PHYS32_ENTRY. The file is untrusted: every offset
// and size is checked against it.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace emu {

struct ElfSegment {
  uint64_t paddr = 0;
  uint64_t vaddr = 0;
  uint64_t file_offset = 0;
  uint64_t file_size = 0;
  uint64_t mem_size = 0;  // >= file_size; the rest is zero-filled (bss)
};

struct ElfKernel {
  bool ok = false;
  std::string error;  // when !ok: one line naming the file
  bool is64 = false;
  uint16_t machine = 0;   // 62 = x86-64, 3 = i386
  uint64_t entry = 0;     // e_entry (a virtual address for vmlinux)
  std::vector<ElfSegment> segments;  // PT_LOAD with mem_size > 0, in file order
  std::optional<uint64_t> pvh_entry; // physical 32-bit entry from the Xen note
};

inline constexpr uint32_t kXenElfNotePhys32Entry = 18;

// True when `data` starts with the ELF magic.
bool is_elf(std::span<const uint8_t> data);
// Parses the headers. ok=false for anything malformed; a missing PVH note is not an
// error (pvh_entry stays empty).
ElfKernel parse_elf_kernel(std::span<const uint8_t> data, const std::string& name);

}  // namespace emu
