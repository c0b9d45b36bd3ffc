// Unit tests for the Linux boot protocol loader, on synthetic bzImages built here and,
// when the guest images exist (EMU_IMAGE_DIR), on Debian's real kernel.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "base/endian.h"
#include "bios/linux_boot.h"

using namespace emu;

namespace {

constexpr uint64_t kRam = 64ull << 20;

std::vector<uint8_t> make_bzimage(uint16_t version = 0x020f, size_t kernel_bytes = 0x3000) {
  const unsigned setup_sects = 4;
  std::vector<uint8_t> img((setup_sects + 1) * 512 + kernel_bytes, 0);
  img[0x1f1] = setup_sects;
  store_le16(&img[0x1fe], 0xaa55);
  img[0x200] = 0xeb;
  img[0x201] = 0x66;  // header runs to 0x268
  std::memcpy(&img[0x202], "HdrS", 4);
  store_le16(&img[0x206], version);
  img[0x211] = 0x01;                     // LOADED_HIGH
  store_le32(&img[0x22c], 0x37ffffff);   // initrd_addr_max
  store_le32(&img[0x238], 2047);         // cmdline_size
  store_le32(&img[0x260], 0x200000);     // init_size
  for (size_t i = 0; i < kernel_bytes; i++) img[(setup_sects + 1) * 512 + i] = static_cast<uint8_t>(i * 7 + 1);
  return img;
}

E820Map pc_map(uint64_t ram = kRam) {
  return {{0, 0x9fc00, E820Type::Ram}, {0x9fc00, 0x400, E820Type::Reserved},
          {0xf0000, 0x10000, E820Type::Reserved}, {0x100000, ram - 0x100000, E820Type::Ram}};
}

struct Machine {
  PhysicalMemory mem;
  explicit Machine(uint64_t ram = kRam) { mem.add_ram(0, ram); }
};

}  // namespace

TEST_CASE("a bzImage is placed as the boot protocol says") {
  Machine m;
  auto img = make_bzimage();
  std::vector<uint8_t> initrd(10000, 0x5a);
  LinuxBootConfig cfg{"console=ttyS0 root=/dev/sda", initrd, pc_map(), 0xf5a40};
  auto r = load_linux_bzimage(m.mem, img, cfg, "vmlinuz");
  REQUIRE(r.ok);
  CHECK(r.protocol_version == 0x020f);
  CHECK(r.kernel_size == 0x3000);
  // Protected-mode code at 1 MiB.
  CHECK(m.mem.read(0x100000, 1) == 1);
  CHECK(m.mem.read(0x100001, 1) == 8);
  // Entry state: startup_32 with ESI at boot_params and the boot GDT's selectors.
  CHECK(r.entry.mode == BootEntry::Mode::Protected32);
  CHECK(r.entry.rip == 0x100000);
  CHECK(r.entry.gpr[kEsi] == LinuxBootLayout::kBootParams);
  CHECK(r.entry.code_selector == 0x10);
  CHECK(r.entry.data_selector == 0x18);
  CHECK(m.mem.read(LinuxBootLayout::kGdt + 0x10, 8) == 0x00cf9b000000ffffull);
  // boot_params: header copied and filled in.
  const uint64_t bp = LinuxBootLayout::kBootParams;
  CHECK(m.mem.read(bp + 0x202, 4) == 0x53726448);  // "HdrS"
  CHECK(m.mem.read(bp + 0x210, 1) == 0xff);        // type_of_loader
  CHECK((m.mem.read(bp + 0x211, 1) & 0x81) == 0x81);
  CHECK(m.mem.read(bp + 0x228, 4) == LinuxBootLayout::kCmdline);
  CHECK(m.mem.read(bp + 0x070, 8) == 0xf5a40);
  char cmd[64] = {};
  REQUIRE(m.mem.read_bytes(LinuxBootLayout::kCmdline, cmd, sizeof cmd - 1));
  CHECK(std::string(cmd) == "console=ttyS0 root=/dev/sda");
  // initrd: page aligned at the top of RAM (below initrd_addr_max), contents intact.
  const uint64_t rd = m.mem.read(bp + 0x218, 4);
  CHECK(rd == r.initrd_addr);
  CHECK(rd % 4096 == 0);
  CHECK(rd + initrd.size() <= kRam);
  CHECK(rd + initrd.size() > kRam - 4096);
  CHECK(m.mem.read(bp + 0x21c, 4) == initrd.size());
  CHECK(m.mem.read(rd + 9999, 1) == 0x5a);
  // e820 table.
  CHECK(m.mem.read(bp + 0x1e8, 1) == 4);
  CHECK(m.mem.read(bp + 0x2d0 + 3 * 20, 8) == 0x100000);
  CHECK(m.mem.read(bp + 0x2d0 + 3 * 20 + 8, 8) == kRam - 0x100000);
  CHECK(m.mem.read(bp + 0x2d0 + 3 * 20 + 16, 4) == 1);
}

TEST_CASE("the initrd stays below initrd_addr_max on big machines") {
  Machine m(2ull << 30);
  auto img = make_bzimage();
  store_le32(&img[0x22c], 0x0fffffff);
  std::vector<uint8_t> initrd(5000, 1);
  auto r = load_linux_bzimage(m.mem, img, {"", initrd, pc_map(2ull << 30), 0}, "k");
  REQUIRE(r.ok);
  CHECK(r.initrd_addr + initrd.size() <= 0x10000000);
}

TEST_CASE("files that are not bzImages are rejected with a clear error") {
  Machine m;
  std::vector<uint8_t> junk(4096, 0x90);
  auto r = load_linux_bzimage(m.mem, junk, {"", {}, pc_map(), 0}, "junk.bin");
  CHECK_FALSE(r.ok);
  CHECK(r.error == "junk.bin: not a Linux kernel image (no \"HdrS\" setup header)");

  std::vector<uint8_t> tiny(100, 0);
  r = load_linux_bzimage(m.mem, tiny, {"", {}, pc_map(), 0}, "tiny");
  CHECK(r.error == "tiny: file too small to be a Linux kernel");
}

TEST_CASE("a truncated kernel is rejected") {
  Machine m;
  auto img = make_bzimage();
  img.resize(0x700);  // shorter than the 5 sectors of setup the header claims
  auto r = load_linux_bzimage(m.mem, img, {"", {}, pc_map(), 0}, "cut");
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("truncated") != std::string::npos);
}

TEST_CASE("old protocols, oversize command lines and small memory are rejected") {
  Machine m;
  auto r = load_linux_bzimage(m.mem, make_bzimage(0x0204), {"", {}, pc_map(), 0}, "old");
  CHECK(r.error == "old: Linux boot protocol 2.4 is too old (2.06 or newer is needed)");

  r = load_linux_bzimage(m.mem, make_bzimage(), {std::string(3000, 'x'), {}, pc_map(), 0}, "k");
  CHECK(r.error == "k: kernel command line is 3000 bytes, the kernel accepts at most 2047");

  Machine small(2ull << 20);
  r = load_linux_bzimage(small.mem, make_bzimage(), {"", {}, pc_map(2ull << 20), 0}, "k");
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("memory is too small") != std::string::npos);

  std::vector<uint8_t> huge_initrd(70ull << 20);
  r = load_linux_bzimage(m.mem, make_bzimage(), {"", huge_initrd, pc_map(), 0}, "k");
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("initrd") != std::string::npos);
}

TEST_CASE("Debian's kernel from the image cache loads") {
  const char* dir = std::getenv("EMU_IMAGE_DIR");
  std::ifstream f(std::string(dir ? dir : "") + "/vmlinuz", std::ios::binary);
  if (!dir || !*dir || !f) {
    WARN("EMU_IMAGE_DIR/vmlinuz not available: the real-kernel check did not run");
    return;
  }
  std::vector<uint8_t> img((std::istreambuf_iterator<char>(f)), {});
  Machine m(512ull << 20);
  auto r = load_linux_bzimage(m.mem, img, {"console=ttyS0", {}, pc_map(512ull << 20), 0}, "vmlinuz");
  INFO(r.error);
  REQUIRE(r.ok);
  CHECK(r.protocol_version >= 0x020c);
}

TEST_CASE("the 32-bit entry follows the boot protocol's register and header rules") {
  Machine m;
  auto img = make_bzimage();
  img[0x211] |= 0x20;  // QUIET_FLAG set in the image: the loader clears it (decompressor messages on)
  auto r = load_linux_bzimage(m.mem, img, {"quiet", {}, pc_map(), 0}, "vmlinuz");
  REQUIRE(r.ok);
  // ESI = boot_params; EBP, EDI and EBX must be zero (Documentation/arch/x86/boot.rst).
  CHECK(r.entry.gpr[kEbp] == 0);
  CHECK(r.entry.gpr[kEdi] == 0);
  CHECK(r.entry.gpr[kEbx] == 0);
  const uint64_t bp = LinuxBootLayout::kBootParams;
  CHECK(m.mem.read(bp + 0x214, 4) == LinuxBootLayout::kKernel);  // code32_start = where the entry jumps
  CHECK(r.entry.rip == m.mem.read(bp + 0x214, 4));
  CHECK((m.mem.read(bp + 0x211, 1) & 0x20) == 0);
  CHECK(m.mem.read(bp + 0x1fa, 2) == 0xffff);  // vid_mode: normal
  CHECK(m.mem.read(bp + 0x224, 2) == 0xde00);  // heap_end_ptr with CAN_USE_HEAP
  CHECK(m.mem.read(bp + 0x0c8, 4) == 0);       // ext_cmd_line_ptr: the command line is below 4 GiB
  // No initrd: ramdisk fields stay zero.
  CHECK(r.initrd_addr == 0);
  CHECK(m.mem.read(bp + 0x218, 4) == 0);
  CHECK(m.mem.read(bp + 0x21c, 4) == 0);
  // The kernel's init_size (2 MiB) above 1 MiB fits the map; a 2 MiB + 1 byte machine is refused.
  Machine tight(0x100000 + 0x1fffff);
  r = load_linux_bzimage(tight.mem, make_bzimage(), {"", {}, pc_map(0x100000 + 0x1fffff), 0}, "k");
  CHECK_FALSE(r.ok);
  Machine fits(0x100000 + 0x200000);
  r = load_linux_bzimage(fits.mem, make_bzimage(), {"", {}, pc_map(0x100000 + 0x200000), 0}, "k");
  CHECK(r.ok);
}
