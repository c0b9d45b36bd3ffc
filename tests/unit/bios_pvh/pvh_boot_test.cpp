// The PVH loader: segments at their physical addresses (bss zeroed), hvm_start_info
// fields as Xen's start_info.h lays them out, the memory map, the initrd module, the
// command line, and the 32-bit entry state the PVH ABI prescribes.
#include <catch2/catch.hpp>

#include "base/endian.h"
#include "bios/pvh_boot.h"
#include "test_images.h"

using namespace emu;
using namespace emu::test;

namespace {

constexpr uint64_t kRam = 64ull << 20;

E820Map pc_map(uint64_t ram = kRam) {
  return {{0, 0x9fc00, E820Type::Ram},
          {0x9fc00, 0x400, E820Type::Reserved},
          {0xf0000, 0x10000, E820Type::Reserved},
          {0x100000, ram - 0x100000 - 0x20000, E820Type::Ram},
          {ram - 0x20000, 0x20000, E820Type::Acpi}};
}

struct Kernel {
  std::vector<TestSegment> segs{{0x1000000, sample_bytes(0x3000, 5), 0x6000}, {0x1200000, sample_bytes(0x1000, 6), 0x1000}};
  std::vector<uint8_t> file;
  ElfKernel elf;
  explicit Kernel(std::optional<uint64_t> entry = 0x1000200) {
    TestElfOptions o;
    o.pvh_entry = entry;
    file = make_elf_kernel(segs, o);
    elf = parse_elf_kernel(file, "vmlinux");
  }
};

}  // namespace

TEST_CASE("PVH boot: segments, start_info, memmap, module, cmdline and entry state") {
  PhysicalMemory mem;
  mem.add_ram(0, kRam);
  // Dirty the bss area first: the loader must zero it, not rely on fresh RAM.
  std::vector<uint8_t> junk(0x3000, 0xee);
  REQUIRE(mem.load_bytes(0x1003000, junk.data(), junk.size()));

  Kernel k;
  REQUIRE(k.elf.ok);
  const std::vector<uint8_t> initrd = sample_bytes(100000, 9);
  const PvhBootConfig cfg{"console=ttyS0 quiet", initrd, pc_map(), 0xf5a40};
  const auto r = load_pvh(mem, k.file, k.elf, cfg, "vmlinux");
  REQUIRE(r.ok);

  // Segments at their physical addresses, bss zero.
  std::vector<uint8_t> got(0x3000);
  REQUIRE(mem.read_bytes(0x1000000, got.data(), got.size()));
  CHECK(got == k.segs[0].bytes);
  REQUIRE(mem.read_bytes(0x1003000, got.data(), 0x3000));
  CHECK(std::all_of(got.begin(), got.end(), [](uint8_t b) { return b == 0; }));
  CHECK(mem.read(0x1200000, 4) == load_le32(k.segs[1].bytes.data()));
  CHECK(r.kernel_end == 0x1201000);

  // Entry: PHYS32_ENTRY, protected mode, flat GDT, EBX = start_info.
  CHECK(r.entry.mode == BootEntry::Mode::Protected32);
  CHECK(r.entry.rip == 0x1000200);
  CHECK(r.entry.gpr[kEbx] == r.start_info_addr);
  CHECK(r.entry.code_selector == 0x10);
  CHECK(r.entry.data_selector == 0x18);
  CHECK(mem.read(r.entry.gdt_base + 0x10, 8) == 0x00cf9b000000ffffull);

  // hvm_start_info, offsets from xen/include/public/arch-x86/hvm/start_info.h.
  const uint64_t si = r.start_info_addr;
  CHECK(mem.read(si + 0, 4) == 0x336ec578);  // XEN_HVM_START_MAGIC_VALUE
  CHECK(mem.read(si + 4, 4) == 1);           // version 1: has the memory map
  CHECK(mem.read(si + 8, 4) == 0);           // flags
  CHECK(mem.read(si + 12, 4) == 1);          // nr_modules
  CHECK(mem.read(si + 32, 8) == 0xf5a40);    // rsdp_paddr
  CHECK(mem.read(si + 48, 4) == 5);          // memmap_entries

  // Command line, NUL-terminated.
  const uint64_t cmd = mem.read(si + 24, 8);
  std::string cmdline;
  for (uint64_t a = cmd; mem.read(a, 1) != 0 && cmdline.size() < 100; a++) cmdline += static_cast<char>(mem.read(a, 1));
  CHECK(cmdline == "console=ttyS0 quiet");

  // Module 0: the initrd, page-aligned, above the kernel, inside RAM, bytes intact.
  const uint64_t mod = mem.read(si + 16, 8);
  const uint64_t initrd_addr = mem.read(mod + 0, 8);
  CHECK(initrd_addr == r.initrd_addr);
  CHECK(mem.read(mod + 8, 8) == initrd.size());
  CHECK(mem.read(mod + 16, 8) == 0);  // no module command line
  CHECK(initrd_addr % 4096 == 0);
  CHECK(initrd_addr >= r.kernel_end);
  CHECK(initrd_addr + initrd.size() <= kRam - 0x20000);
  std::vector<uint8_t> initrd_back(initrd.size());
  REQUIRE(mem.read_bytes(initrd_addr, initrd_back.data(), initrd_back.size()));
  CHECK(initrd_back == initrd);

  // Memory map: hvm_memmap_table_entry {addr, size, type, reserved}, same order as E820.
  const uint64_t mm = mem.read(si + 40, 8);
  for (size_t i = 0; i < cfg.e820.size(); i++) {
    INFO("entry " << i);
    CHECK(mem.read(mm + 24 * i + 0, 8) == cfg.e820[i].addr);
    CHECK(mem.read(mm + 24 * i + 8, 8) == cfg.e820[i].size);
    CHECK(mem.read(mm + 24 * i + 16, 4) == static_cast<uint32_t>(cfg.e820[i].type));
    CHECK(mem.read(mm + 24 * i + 20, 4) == 0);
  }
  // The structures do not overlap each other.
  CHECK(mm >= mod + 32);
  CHECK(cmd >= mm + 24 * cfg.e820.size());
}

TEST_CASE("PVH boot without an initrd has no modules") {
  PhysicalMemory mem;
  mem.add_ram(0, kRam);
  Kernel k;
  const auto r = load_pvh(mem, k.file, k.elf, {"", {}, pc_map(), 0}, "vmlinux");
  REQUIRE(r.ok);
  CHECK(mem.read(r.start_info_addr + 12, 4) == 0);
  CHECK(mem.read(r.start_info_addr + 16, 8) == 0);
  CHECK(r.initrd_addr == 0);
}

TEST_CASE("PVH boot refuses what it cannot do, naming the file") {
  PhysicalMemory mem;
  mem.add_ram(0, 16ull << 20);  // the kernel's segments at 16 MiB do not fit
  Kernel k;
  auto r = load_pvh(mem, k.file, k.elf, {"", {}, pc_map(16ull << 20), 0}, "/boot/vmlinux-big");
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("/boot/vmlinux-big") != std::string::npos);
  CHECK(r.error.find("-m") != std::string::npos);

  PhysicalMemory mem2;
  mem2.add_ram(0, kRam);
  Kernel no_note(std::nullopt);
  r = load_pvh(mem2, no_note.file, no_note.elf, {"", {}, pc_map(), 0}, "k");
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("PVH") != std::string::npos);

  Kernel outside(0x5000000);  // entry not inside any segment
  CHECK_FALSE(load_pvh(mem2, outside.file, outside.elf, {"", {}, pc_map(), 0}, "k").ok);

  const std::vector<uint8_t> huge_initrd(60u << 20, 1);
  CHECK_FALSE(load_pvh(mem2, k.file, k.elf, {"", huge_initrd, pc_map(), 0}, "k").ok);

  CHECK_FALSE(load_pvh(mem2, k.file, k.elf, {std::string(PvhBootLayout::kCmdlineMax, 'x'), {}, pc_map(), 0}, "k").ok);

  // A segment below 1 MiB would overwrite the loader's own structures.
  Kernel low;
  low.segs[0].paddr = 0x2000;
  TestElfOptions o;
  o.pvh_entry = 0x2000;
  low.file = make_elf_kernel(low.segs, o);
  low.elf = parse_elf_kernel(low.file, "k");
  CHECK_FALSE(load_pvh(mem2, low.file, low.elf, {"", {}, pc_map(), 0}, "k").ok);
}
