// Multiboot v1 loader (see multiboot.h).
#include "bios/multiboot.h"

#include <algorithm>
#include <cstring>

#include "base/endian.h"
#include "base/log.h"

namespace emu {
namespace {

constexpr uint32_t kHeaderMagic = 0x1badb002;
constexpr uint32_t kBootMagic = 0x2badb002;
constexpr uint32_t kFlagAoutKludge = 1u << 16;
constexpr uint32_t kSupportedRequired = 0x3;  // page-align modules, memory info (video: not supported)

// Info structure flags.
constexpr uint32_t kInfoMem = 1u << 0;
constexpr uint32_t kInfoCmdline = 1u << 2;
constexpr uint32_t kInfoMods = 1u << 3;
constexpr uint32_t kInfoMmap = 1u << 6;
constexpr uint32_t kInfoLoaderName = 1u << 9;

MultibootResult fail(const std::string& name, const std::string& why) {
  MultibootResult r;
  r.error = name + ": " + why;
  return r;
}

// Copies [offset, offset+filesz) of the image to paddr and zero-fills up to memsz.
bool place(PhysicalMemory& memory, std::span<const uint8_t> image, uint64_t offset, uint64_t filesz,
           uint64_t paddr, uint64_t memsz) {
  if (offset > image.size() || filesz > image.size() - offset || memsz < filesz) return false;
  if (paddr + memsz < paddr || paddr + memsz > (uint64_t{1} << 32)) return false;
  if (filesz && !memory.load_bytes(paddr, &image[offset], filesz)) return false;
  std::vector<uint8_t> zeros(memsz - filesz, 0);
  return zeros.empty() || memory.load_bytes(paddr + filesz, zeros.data(), zeros.size());
}

// Appends bytes to the info area, returning their guest address (0 when full).
struct InfoArea {
  std::vector<uint8_t> bytes;
  uint64_t add(const void* p, size_t n, size_t align = 4) {
    size_t at = (bytes.size() + align - 1) / align * align;
    if (at + n > MultibootLayout::kInfoMax) return 0;
    bytes.resize(at + n);
    std::memcpy(&bytes[at], p, n);
    return MultibootLayout::kInfo + at;
  }
  uint64_t add_string(const std::string& s) { return add(s.c_str(), s.size() + 1, 1); }
};

}  // namespace

std::optional<size_t> find_multiboot_header(std::span<const uint8_t> image) {
  const size_t limit = std::min<size_t>(image.size(), 8192);
  for (size_t off = 0; off + 12 <= limit; off += 4) {
    const uint32_t magic = load_le32(&image[off]);
    const uint32_t flags = load_le32(&image[off + 4]);
    const uint32_t checksum = load_le32(&image[off + 8]);
    if (magic == kHeaderMagic && static_cast<uint32_t>(magic + flags + checksum) == 0) return off;
  }
  return std::nullopt;
}

MultibootResult load_multiboot(PhysicalMemory& memory, std::span<const uint8_t> image,
                               const MultibootConfig& config, const std::string& name) {
  auto header = find_multiboot_header(image);
  if (!header) return fail(name, "no multiboot header in the first 8 KiB");
  const size_t h = *header;
  const uint32_t flags = load_le32(&image[h + 4]);
  if (flags & 0xffff & ~kSupportedRequired)
    return fail(name, "multiboot image requires unsupported features (header flags 0x" +
                          [&] { char b[16]; std::snprintf(b, sizeof b, "%x", flags); return std::string(b); }() + ")");

  MultibootResult result;
  uint64_t entry = 0;
  if (flags & kFlagAoutKludge) {
    if (h + 32 > image.size()) return fail(name, "truncated multiboot header");
    const uint32_t header_addr = load_le32(&image[h + 12]);
    const uint32_t load_addr = load_le32(&image[h + 16]);
    uint32_t load_end = load_le32(&image[h + 20]);
    const uint32_t bss_end = load_le32(&image[h + 24]);
    entry = load_le32(&image[h + 28]);
    if (header_addr < load_addr || header_addr - load_addr > h)
      return fail(name, "inconsistent multiboot header addresses");
    const uint64_t file_offset = h - (header_addr - load_addr);
    const uint64_t file_bytes = load_end ? uint64_t{load_end} - load_addr : image.size() - file_offset;
    if (load_end && load_end < load_addr) return fail(name, "multiboot load_end_addr below load_addr");
    const uint64_t mem_end = bss_end ? std::max<uint64_t>(bss_end, load_addr + file_bytes) : load_addr + file_bytes;
    if (!place(memory, image, file_offset, file_bytes, load_addr, mem_end - load_addr))
      return fail(name, "multiboot image does not fit the file or the machine's memory");
    result.load_start = load_addr;
    result.load_end = mem_end;
  } else {
    // ELF32 executable.
    if (image.size() < 52 || std::memcmp(image.data(), "\x7f" "ELF", 4) != 0)
      return fail(name, "multiboot header without address fields, and not an ELF file");
    if (image[4] != 1) return fail(name, "multiboot v1 needs an ELF32 image (this is ELF64: try a PVH or bzImage kernel)");
    if (load_le16(&image[18]) != 3) return fail(name, "ELF image is not for i386");
    entry = load_le32(&image[24]);
    const uint32_t phoff = load_le32(&image[28]);
    const uint16_t phentsize = load_le16(&image[42]);
    const uint16_t phnum = load_le16(&image[44]);
    if (phentsize < 32 || phoff > image.size() || uint64_t{phnum} * phentsize > image.size() - phoff)
      return fail(name, "corrupt ELF program headers");
    uint64_t lo = ~uint64_t{0}, hi = 0;
    for (unsigned i = 0; i < phnum; i++) {
      const uint8_t* ph = &image[phoff + i * phentsize];
      if (load_le32(ph) != 1) continue;  // PT_LOAD
      const uint32_t offset = load_le32(ph + 4), paddr = load_le32(ph + 12);
      const uint32_t filesz = load_le32(ph + 16), memsz = load_le32(ph + 20);
      if (!place(memory, image, offset, filesz, paddr, memsz))
        return fail(name, "ELF segment does not fit the file or the machine's memory");
      lo = std::min<uint64_t>(lo, paddr);
      hi = std::max<uint64_t>(hi, uint64_t{paddr} + memsz);
    }
    if (hi == 0) return fail(name, "ELF image has no loadable segments");
    result.load_start = lo;
    result.load_end = hi;
  }

  // Modules go page-aligned after the image.
  InfoArea info;
  info.bytes.resize(88);  // the info structure itself comes first
  uint64_t next = (result.load_end + 0xfff) & ~uint64_t{0xfff};
  std::vector<uint8_t> mod_list;
  for (const auto& mod : config.modules) {
    if (!memory.load_bytes(next, mod.data.data(), mod.data.size()))
      return fail(name, "multiboot module does not fit in memory");
    uint8_t entry_bytes[16] = {};
    store_le32(entry_bytes, static_cast<uint32_t>(next));
    store_le32(entry_bytes + 4, static_cast<uint32_t>(next + mod.data.size()));
    store_le32(entry_bytes + 8, static_cast<uint32_t>(info.add_string(mod.cmdline)));
    mod_list.insert(mod_list.end(), entry_bytes, entry_bytes + 16);
    next = (next + mod.data.size() + 0xfff) & ~uint64_t{0xfff};
  }
  std::vector<uint8_t> mmap;
  for (const auto& e : config.e820) {
    uint8_t b[24];
    store_le32(b, 20);
    store_le64(b + 4, e.addr);
    store_le64(b + 12, e.size);
    store_le32(b + 20, static_cast<uint32_t>(e.type));
    mmap.insert(mmap.end(), b, b + 24);
  }

  uint8_t* mbi = info.bytes.data();
  uint32_t info_flags = kInfoMem | kInfoCmdline | kInfoMmap | kInfoLoaderName;
  store_le32(mbi + 4, static_cast<uint32_t>(std::min<uint64_t>(e820_ram_below(config.e820, 0xa0000) >> 10, 640)));
  store_le32(mbi + 8, static_cast<uint32_t>((e820_ram_end_containing(config.e820, 0x100000) - 0x100000) >> 10));
  const uint64_t cmdline = info.add_string(config.cmdline);
  const uint64_t loader = info.add_string("emu");
  const uint64_t mmap_addr = mmap.empty() ? 0 : info.add(mmap.data(), mmap.size());
  uint64_t mods_addr = 0;
  if (!mod_list.empty()) {
    mods_addr = info.add(mod_list.data(), mod_list.size());
    info_flags |= kInfoMods;
  }
  if (!cmdline || !loader || (!mmap.empty() && !mmap_addr) || (!mod_list.empty() && !mods_addr))
    return fail(name, "multiboot information does not fit (too many modules or too long command lines)");
  mbi = info.bytes.data();  // the vector may have moved
  store_le32(mbi + 0, info_flags);
  store_le32(mbi + 16, static_cast<uint32_t>(cmdline));
  store_le32(mbi + 20, static_cast<uint32_t>(config.modules.size()));
  store_le32(mbi + 24, static_cast<uint32_t>(mods_addr));
  store_le32(mbi + 44, static_cast<uint32_t>(mmap.size()));
  store_le32(mbi + 48, static_cast<uint32_t>(mmap_addr));
  store_le32(mbi + 64, static_cast<uint32_t>(loader));
  if (!memory.load_bytes(MultibootLayout::kInfo, info.bytes.data(), info.bytes.size()))
    return fail(name, "no RAM for the multiboot information");

  if (!write_flat_gdt(memory, MultibootLayout::kGdt, result.entry)) return fail(name, "no RAM for the boot GDT");
  result.entry.rip = entry;
  result.entry.gpr[kEax] = kBootMagic;
  result.entry.gpr[kEbx] = MultibootLayout::kInfo;
  result.ok = true;
  EMU_LOG(Boot, "boot: %s: multiboot image at 0x%llx-0x%llx, entry 0x%llx\n", name.c_str(),
          (unsigned long long)result.load_start, (unsigned long long)result.load_end, (unsigned long long)entry);
  return result;
}

}  // namespace emu
