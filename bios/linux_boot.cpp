// Linux x86 boot protocol loader (see linux_boot.h). Field offsets are those of the
// setup header and struct boot_params in the kernel's arch/x86/include/uapi/asm/bootparam.h.
#include "bios/linux_boot.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "base/endian.h"
#include "base/log.h"

namespace emu {
namespace {

// Offsets into the setup header (relative to the start of the image / boot_params).
constexpr size_t kSetupSects = 0x1f1;
constexpr size_t kBootFlag = 0x1fe;
constexpr size_t kJump = 0x200;
constexpr size_t kHeaderMagic = 0x202;
constexpr size_t kVersion = 0x206;
constexpr size_t kVidMode = 0x1fa;
constexpr size_t kTypeOfLoader = 0x210;
constexpr size_t kLoadFlags = 0x211;
constexpr size_t kCode32Start = 0x214;
constexpr size_t kRamdiskImage = 0x218;
constexpr size_t kRamdiskSize = 0x21c;
constexpr size_t kHeapEndPtr = 0x224;
constexpr size_t kCmdLinePtr = 0x228;
constexpr size_t kInitrdAddrMax = 0x22c;
constexpr size_t kCmdlineSize = 0x238;
constexpr size_t kInitSize = 0x260;
// boot_params fields outside the header.
constexpr size_t kAcpiRsdpAddr = 0x070;
constexpr size_t kExtRamdiskImage = 0x0c0;
constexpr size_t kExtRamdiskSize = 0x0c4;
constexpr size_t kExtCmdLinePtr = 0x0c8;
constexpr size_t kE820Entries = 0x1e8;
constexpr size_t kE820Table = 0x2d0;
constexpr size_t kE820Max = 128;
constexpr size_t kBootParamsSize = 4096;

constexpr uint8_t kLoadedHigh = 0x01;
constexpr uint8_t kCanUseHeap = 0x80;

LinuxBootResult fail(const std::string& name, const std::string& why) {
  LinuxBootResult r;
  r.error = name + ": " + why;
  return r;
}

}  // namespace

bool is_linux_bzimage(std::span<const uint8_t> image) {
  return image.size() >= 0x210 && std::memcmp(&image[kHeaderMagic], "HdrS", 4) == 0;
}

LinuxBootResult load_linux_bzimage(PhysicalMemory& memory, std::span<const uint8_t> image,
                                   const LinuxBootConfig& config, const std::string& name) {
  if (image.size() < 0x264) return fail(name, "file too small to be a Linux kernel");
  if (!is_linux_bzimage(image)) return fail(name, "not a Linux kernel image (no \"HdrS\" setup header)");
  if (load_le16(&image[kBootFlag]) != 0xaa55) return fail(name, "bad boot sector signature in the setup header");

  const uint16_t version = load_le16(&image[kVersion]);
  if (version < 0x0206)
    return fail(name, "Linux boot protocol " + std::to_string(version >> 8) + "." + std::to_string(version & 0xff) +
                          " is too old (2.06 or newer is needed)");
  if (!(image[kLoadFlags] & kLoadedHigh)) return fail(name, "zImage (not loaded high) kernels are not supported");

  unsigned setup_sects = image[kSetupSects] ? image[kSetupSects] : 4;
  const uint64_t setup_size = (setup_sects + 1) * 512ull;
  if (setup_size >= image.size())
    return fail(name, "truncated: the setup header claims " + std::to_string(setup_size) + " bytes of setup code but the file has " +
                          std::to_string(image.size()));
  const uint64_t kernel_size = image.size() - setup_size;
  uint64_t init_size = load_le32(&image[kInitSize]);
  if (init_size < kernel_size) init_size = kernel_size;

  // Where RAM ends above 1 MiB decides whether the kernel and initrd fit.
  const uint64_t high_ram_end = e820_ram_end_containing(config.e820, LinuxBootLayout::kKernel);
  if (high_ram_end == 0 || LinuxBootLayout::kKernel + init_size > high_ram_end)
    return fail(name, "kernel needs " + std::to_string((init_size + (1 << 20) - 1) >> 20) +
                          " MiB above 1 MiB to decompress but the machine's memory is too small");

  const uint32_t cmdline_max = load_le32(&image[kCmdlineSize]);
  if (config.cmdline.size() > cmdline_max || config.cmdline.size() >= LinuxBootLayout::kCmdlineMax)
    return fail(name, "kernel command line is " + std::to_string(config.cmdline.size()) + " bytes, the kernel accepts at most " +
                          std::to_string(cmdline_max));

  // boot_params: zeroed, then the setup header copied from the image.
  std::vector<uint8_t> bp(kBootParamsSize, 0);
  const size_t header_end = std::min<size_t>(kJump + 2 + image[kJump + 1], kBootParamsSize);
  if (header_end > image.size()) return fail(name, "truncated setup header");
  std::memcpy(&bp[kSetupSects], &image[kSetupSects], header_end - kSetupSects);

  store_le16(&bp[kVidMode], 0xffff);  // "normal" text mode
  bp[kTypeOfLoader] = 0xff;           // undefined boot loader
  bp[kLoadFlags] = static_cast<uint8_t>((bp[kLoadFlags] | kCanUseHeap) & ~0x20 /* QUIET_FLAG off */);
  store_le16(&bp[kHeapEndPtr], 0xde00);  // heap end as the real-mode code would see it
  store_le32(&bp[kCode32Start], LinuxBootLayout::kKernel);
  store_le32(&bp[kCmdLinePtr], LinuxBootLayout::kCmdline);
  store_le32(&bp[kExtCmdLinePtr], 0);
  store_le64(&bp[kAcpiRsdpAddr], config.acpi_rsdp);

  LinuxBootResult result;
  if (!config.initrd.empty()) {
    // Highest page-aligned spot below initrd_addr_max and the end of RAM, above the kernel.
    uint64_t limit = std::min<uint64_t>(uint64_t{load_le32(&image[kInitrdAddrMax])} + 1, high_ram_end);
    const uint64_t size = config.initrd.size();
    if (size > limit || ((limit - size) & ~uint64_t{0xfff}) < LinuxBootLayout::kKernel + init_size)
      return fail(name, "initrd of " + std::to_string(size >> 20) + " MiB does not fit in memory below " +
                            std::to_string(limit >> 20) + " MiB next to the kernel (give more memory with -m)");
    const uint64_t addr = (limit - size) & ~uint64_t{0xfff};
    if (!memory.load_bytes(addr, config.initrd.data(), size)) return fail(name, "initrd placement outside RAM");
    store_le32(&bp[kRamdiskImage], static_cast<uint32_t>(addr));
    store_le32(&bp[kRamdiskSize], static_cast<uint32_t>(size));
    store_le32(&bp[kExtRamdiskImage], static_cast<uint32_t>(addr >> 32));
    store_le32(&bp[kExtRamdiskSize], static_cast<uint32_t>(size >> 32));
    result.initrd_addr = addr;
  }

  const size_t entries = std::min(config.e820.size(), kE820Max);
  bp[kE820Entries] = static_cast<uint8_t>(entries);
  const auto e820_bytes = e820_to_bytes(E820Map(config.e820.begin(), config.e820.begin() + entries));
  std::memcpy(&bp[kE820Table], e820_bytes.data(), e820_bytes.size());

  std::vector<uint8_t> cmdline(config.cmdline.begin(), config.cmdline.end());
  cmdline.push_back(0);
  if (!memory.load_bytes(LinuxBootLayout::kKernel, &image[setup_size], kernel_size) ||
      !memory.load_bytes(LinuxBootLayout::kBootParams, bp.data(), bp.size()) ||
      !memory.load_bytes(LinuxBootLayout::kCmdline, cmdline.data(), cmdline.size()))
    return fail(name, "the machine has no RAM where the boot protocol places the kernel");
  BootEntry& e = result.entry;
  if (!write_flat_gdt(memory, LinuxBootLayout::kGdt, e)) return fail(name, "no RAM for the boot GDT");
  e.rip = LinuxBootLayout::kKernel;  // startup_32
  e.gpr[kEsi] = LinuxBootLayout::kBootParams;
  result.ok = true;
  result.protocol_version = version;
  result.kernel_size = kernel_size;
  EMU_LOG(Boot, "boot: %s: Linux boot protocol %u.%02u, %llu KiB kernel at 0x%llx, initrd at 0x%llx\n", name.c_str(),
          version >> 8, version & 0xff, (unsigned long long)(kernel_size >> 10),
          (unsigned long long)LinuxBootLayout::kKernel, (unsigned long long)result.initrd_addr);
  return result;
}

}  // namespace emu
