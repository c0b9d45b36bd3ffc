// Debian's stock kernel (EMU_IMAGE_DIR/vmlinuz, when the images are built): its payload
// decompresses on the host to an x86-64 vmlinux with a PVH note, whose segments load
// at CONFIG_PHYSICAL_START (16 MiB); prints the decompression and cache-hit times.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "base/endian.h"
#include "bios/kernel_cache.h"
#include "bios/pvh_boot.h"

using namespace emu;

namespace {

std::vector<uint8_t> load_debian_kernel() {
  const char* dir = std::getenv("EMU_IMAGE_DIR");
  if (!dir || !*dir) return {};
  std::ifstream f(std::string(dir) + "/vmlinuz", std::ios::binary);
  if (!f) return {};
  return {std::istreambuf_iterator<char>(f), {}};
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST_CASE("Debian's vmlinuz decompresses on the host and has a PVH entry") {
  const auto image = load_debian_kernel();
  if (image.empty()) {
    WARN("EMU_IMAGE_DIR/vmlinuz not found: skipping the Debian kernel checks");
    return;
  }
  const auto loc = locate_bzimage_payload(image, "vmlinuz");
  REQUIRE(loc.error == PayloadError::None);
  if (!payload_format_built_in(loc.format)) {
    WARN("Debian's kernel is " << payload_format_name(loc.format) << ", not built in: skipping");
    return;
  }
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = decompress_bzimage(image, "vmlinuz");
  const double decompress_s = seconds_since(t0);
  REQUIRE(r.ok());
  // The kernel build appends the uncompressed size to the payload (size_append).
  CHECK(r.data.size() == load_le32(&image[loc.offset + loc.length - 4]));

  const auto elf = parse_elf_kernel(r.data, "vmlinux");
  REQUIRE(elf.ok);
  CHECK(elf.is64);
  CHECK(elf.machine == 62);
  REQUIRE(elf.pvh_entry);  // Debian builds with CONFIG_PVH
  REQUIRE_FALSE(elf.segments.empty());
  // x86-64 vmlinux: loaded from CONFIG_PHYSICAL_START = 16 MiB, virtual = physical + __START_KERNEL_map.
  CHECK(elf.segments.front().paddr == 0x1000000);
  for (const auto& s : elf.segments) {
    if (s.vaddr >= 0xffffffff80000000ull) CHECK(s.vaddr - 0xffffffff80000000ull == s.paddr);
  }
  bool entry_inside = false;
  for (const auto& s : elf.segments) entry_inside |= *elf.pvh_entry >= s.paddr && *elf.pvh_entry < s.paddr + s.file_size;
  CHECK(entry_inside);

  // Loads into a 256 MiB machine; the entry bytes are the kernel's own.
  PhysicalMemory mem;
  mem.add_ram(0, 256ull << 20);
  const E820Map map = {{0, 0x9fc00, E820Type::Ram}, {0x100000, (256ull << 20) - 0x100000, E820Type::Ram}};
  const auto boot = load_pvh(mem, r.data, elf, {"console=ttyS0", {}, map, 0}, "vmlinux");
  REQUIRE(boot.ok);
  for (const auto& s : elf.segments)
    if (*elf.pvh_entry >= s.paddr && *elf.pvh_entry < s.paddr + s.file_size)
      CHECK(mem.read(*elf.pvh_entry, 4) == load_le32(&r.data[s.file_offset + (*elf.pvh_entry - s.paddr)]));

  // Cache: first call decompresses, the second is a hit.
  char tmpl[] = "/tmp/emu-kcache-deb-XXXXXX";
  REQUIRE(mkdtemp(tmpl));
  KernelCache cache(tmpl);
  auto miss = cache.get_or_decompress(image, "vmlinuz");
  REQUIRE(miss.ok());
  const auto t1 = std::chrono::steady_clock::now();
  auto hit = cache.get_or_decompress(image, "vmlinuz");
  const double hit_s = seconds_since(t1);
  CHECK(hit.hit);
  CHECK(hit.vmlinux == r.data);
  WARN("Debian kernel: " << payload_format_name(r.format) << " " << (loc.length >> 10) << " KiB -> " << (r.data.size() >> 10)
                         << " KiB vmlinux; host decompression " << decompress_s << " s, cache hit " << hit_s << " s");
  CHECK(std::system(("rm -rf '" + std::string(tmpl) + "'").c_str()) == 0);
}
