// PVH loader (see pvh_boot.h). Entry state per Xen's docs/misc/pvh.pandoc: 32-bit
// protected mode, paging off, flat 4 GiB CS (execute/read) and DS/ES/SS (read/write),
// EBX = physical address of hvm_start_info, other registers undefined (zero here).
#include "bios/pvh_boot.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "base/endian.h"
#include "base/log.h"

namespace emu {
namespace {

PvhBootResult fail(const std::string& name, const std::string& why) {
  PvhBootResult r;
  r.error = name + ": " + why;
  return r;
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

bool segment_in_ram(const E820Map& e820, uint64_t addr, uint64_t size) {
  const uint64_t end = e820_ram_end_containing(e820, addr);
  return end != 0 && size <= end - addr;
}

}  // namespace

PvhBootResult load_pvh(PhysicalMemory& memory, std::span<const uint8_t> vmlinux, const ElfKernel& elf,
                       const PvhBootConfig& config, const std::string& name) {
  if (!elf.ok) return fail(name, "not a parsed ELF kernel");
  if (!elf.pvh_entry) return fail(name, "no PVH entry (Xen PHYS32_ENTRY ELF note)");
  if (config.cmdline.size() >= PvhBootLayout::kCmdlineMax)
    return fail(name, "kernel command line is " + std::to_string(config.cmdline.size()) + " bytes, at most " +
                          std::to_string(PvhBootLayout::kCmdlineMax - 1) + " fit");
  if (config.e820.size() > PvhBootLayout::kMemmapMax) return fail(name, "memory map has too many entries");

  uint64_t kernel_end = 0;
  bool entry_in_segment = false;
  for (const ElfSegment& s : elf.segments) {
    if (s.paddr < PvhBootLayout::kLowestKernelAddr)
      return fail(name, "ELF segment at physical " + hex(s.paddr) + " lies below 1 MiB");
    if (!segment_in_ram(config.e820, s.paddr, s.mem_size))
      return fail(name, "kernel segment at " + std::to_string(s.paddr >> 20) + " MiB (" + std::to_string(s.mem_size >> 10) +
                            " KiB) does not fit in the machine's RAM (give more memory with -m)");
    if (s.file_offset > vmlinux.size() || s.file_size > vmlinux.size() - s.file_offset)
      return fail(name, "ELF segment lies outside the file");
    kernel_end = std::max(kernel_end, s.paddr + s.mem_size);
    if (*elf.pvh_entry >= s.paddr && *elf.pvh_entry - s.paddr < s.file_size) entry_in_segment = true;
  }
  if (!entry_in_segment) return fail(name, "PVH entry point is not inside a loaded segment");
  if (*elf.pvh_entry > 0xffffffffull) return fail(name, "PVH entry point is above 4 GiB");

  for (const ElfSegment& s : elf.segments) {
    if (!memory.load_bytes(s.paddr, vmlinux.data() + s.file_offset, s.file_size))
      return fail(name, "kernel segment placement outside RAM");
    const uint64_t bss = s.mem_size - s.file_size;
    if (bss) {
      uint8_t* p = memory.host_pointer(s.paddr + s.file_size, bss, true);
      if (!p) {
        const std::vector<uint8_t> zeros(bss, 0);
        if (!memory.load_bytes(s.paddr + s.file_size, zeros.data(), bss)) return fail(name, "kernel bss outside RAM");
      } else {
        std::fill(p, p + bss, uint8_t{0});
      }
    }
  }

  PvhBootResult result;
  std::vector<uint8_t> info(HvmStartInfo::kSize, 0);
  store_le32(&info[HvmStartInfo::kOffMagic], HvmStartInfo::kMagic);
  store_le32(&info[HvmStartInfo::kOffVersion], 1);
  store_le32(&info[HvmStartInfo::kOffFlags], 0);
  store_le64(&info[HvmStartInfo::kOffRsdp], config.acpi_rsdp);

  std::vector<uint8_t> cmdline(config.cmdline.begin(), config.cmdline.end());
  cmdline.push_back(0);
  if (!memory.load_bytes(PvhBootLayout::kCmdline, cmdline.data(), cmdline.size()))
    return fail(name, "no RAM for the command line");
  store_le64(&info[HvmStartInfo::kOffCmdline], PvhBootLayout::kCmdline);

  if (!config.initrd.empty()) {
    // Highest page-aligned spot below 4 GiB and the end of the RAM above the kernel.
    const uint64_t ram_end = e820_ram_end_containing(config.e820, kernel_end - 1);
    const uint64_t limit = std::min<uint64_t>(ram_end, 1ull << 32);
    const uint64_t size = config.initrd.size();
    if (size > limit || ((limit - size) & ~uint64_t{0xfff}) < kernel_end)
      return fail(name, "initrd of " + std::to_string(size >> 20) + " MiB does not fit in memory next to the kernel (give more memory with -m)");
    const uint64_t addr = (limit - size) & ~uint64_t{0xfff};
    if (!memory.load_bytes(addr, config.initrd.data(), size)) return fail(name, "initrd placement outside RAM");
    uint8_t mod[HvmStartInfo::kModlistEntrySize] = {};
    store_le64(mod + 0, addr);
    store_le64(mod + 8, size);
    if (!memory.load_bytes(PvhBootLayout::kModlist, mod, sizeof mod)) return fail(name, "no RAM for the module list");
    store_le32(&info[HvmStartInfo::kOffNrModules], 1);
    store_le64(&info[HvmStartInfo::kOffModlist], PvhBootLayout::kModlist);
    result.initrd_addr = addr;
  }

  std::vector<uint8_t> memmap(config.e820.size() * HvmStartInfo::kMemmapEntrySize, 0);
  for (size_t i = 0; i < config.e820.size(); i++) {
    uint8_t* e = &memmap[i * HvmStartInfo::kMemmapEntrySize];
    store_le64(e, config.e820[i].addr);
    store_le64(e + 8, config.e820[i].size);
    store_le32(e + 16, static_cast<uint32_t>(config.e820[i].type));  // Xen's memmap types equal E820's
  }
  if (!memmap.empty() && !memory.load_bytes(PvhBootLayout::kMemmap, memmap.data(), memmap.size()))
    return fail(name, "no RAM for the memory map");
  store_le64(&info[HvmStartInfo::kOffMemmap], PvhBootLayout::kMemmap);
  store_le32(&info[HvmStartInfo::kOffMemmapEntries], static_cast<uint32_t>(config.e820.size()));

  if (!memory.load_bytes(PvhBootLayout::kStartInfo, info.data(), info.size())) return fail(name, "no RAM for hvm_start_info");
  BootEntry& e = result.entry;
  if (!write_flat_gdt(memory, PvhBootLayout::kGdt, e)) return fail(name, "no RAM for the boot GDT");
  e.rip = *elf.pvh_entry;
  e.gpr[kEbx] = PvhBootLayout::kStartInfo;
  result.ok = true;
  result.start_info_addr = PvhBootLayout::kStartInfo;
  result.kernel_end = kernel_end;
  EMU_LOG(Boot, "boot: %s: PVH entry 0x%llx, %zu segments up to 0x%llx, start_info at 0x%llx, initrd at 0x%llx\n",
          name.c_str(), (unsigned long long)e.rip, elf.segments.size(), (unsigned long long)kernel_end,
          (unsigned long long)result.start_info_addr, (unsigned long long)result.initrd_addr);
  return result;
}

}  // namespace emu
