// Unit tests for the multiboot v1 loader and the -bios firmware mapping, on images
// built here byte by byte.
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "base/endian.h"
#include "bios/firmware_rom.h"
#include "bios/multiboot.h"

using namespace emu;

namespace {

constexpr uint64_t kRam = 32ull << 20;

E820Map pc_map() {
  return {{0, 0x9fc00, E820Type::Ram}, {0x9fc00, 0x400, E820Type::Reserved}, {0x100000, kRam - 0x100000, E820Type::Ram}};
}

void put_header(std::vector<uint8_t>& img, size_t off, uint32_t flags) {
  store_le32(&img[off], 0x1badb002);
  store_le32(&img[off + 4], flags);
  store_le32(&img[off + 8], static_cast<uint32_t>(0u - 0x1badb002u - flags));
}

// An "a.out kludge" image: header at offset 64, loaded at 0x200000, 0x1000 bytes of bss.
std::vector<uint8_t> aout_image() {
  std::vector<uint8_t> img(0x800, 0);
  put_header(img, 64, 0x00010003);
  store_le32(&img[64 + 12], 0x200040);  // header_addr
  store_le32(&img[64 + 16], 0x200000);  // load_addr
  store_le32(&img[64 + 20], 0);         // load to end of file
  store_le32(&img[64 + 24], 0x201800);  // bss_end
  store_le32(&img[64 + 28], 0x200100);  // entry
  img[0x100] = 0xf4;
  img[0x7ff] = 0x77;
  return img;
}

}  // namespace

TEST_CASE("multiboot header search checks magic and checksum") {
  std::vector<uint8_t> img(9000, 0);
  CHECK_FALSE(find_multiboot_header(img));
  put_header(img, 8192, 3);  // beyond the first 8 KiB
  CHECK_FALSE(find_multiboot_header(img));
  put_header(img, 4096, 3);
  CHECK(find_multiboot_header(img) == 4096u);
  store_le32(&img[4096 + 8], 0);  // bad checksum
  CHECK_FALSE(find_multiboot_header(img));
}

TEST_CASE("an a.out-kludge multiboot image loads with info, modules and memory map") {
  PhysicalMemory mem;
  mem.add_ram(0, kRam);
  std::fill_n(mem.host_pointer(0x201000, 0x800, true), 0x800, 0xcc);  // bss must be cleared
  auto img = aout_image();
  std::vector<uint8_t> mod(5000, 0xab);
  MultibootConfig cfg{"kernel args", {{mod, "initrd.img x=1"}}, pc_map()};
  auto r = load_multiboot(mem, img, cfg, "mb.elf");
  INFO(r.error);
  REQUIRE(r.ok);
  CHECK(r.entry.mode == BootEntry::Mode::Protected32);
  CHECK(r.entry.rip == 0x200100);
  CHECK(r.entry.gpr[kEax] == 0x2badb002);
  const uint64_t mbi = r.entry.gpr[kEbx];
  CHECK(mem.read(0x200100, 1) == 0xf4);
  CHECK(mem.read(0x2007ff, 1) == 0x77);
  CHECK(mem.read(0x201000, 1) == 0);  // bss zeroed
  CHECK(mem.read(0x2017ff, 1) == 0);
  const uint32_t flags = static_cast<uint32_t>(mem.read(mbi, 4));
  CHECK((flags & 0x24d) == 0x24d);  // mem, cmdline, mods, mmap, loader name
  CHECK(mem.read(mbi + 4, 4) == 0x9fc00 / 1024);
  CHECK(mem.read(mbi + 8, 4) == (kRam - 0x100000) / 1024);
  char buf[32] = {};
  mem.read_bytes(mem.read(mbi + 16, 4), buf, 31);
  CHECK(std::string(buf) == "kernel args");
  CHECK(mem.read(mbi + 20, 4) == 1);
  const uint64_t mods = mem.read(mbi + 24, 4);
  const uint64_t mod_start = mem.read(mods, 4);
  CHECK(mod_start % 4096 == 0);
  CHECK(mod_start >= 0x202000);
  CHECK(mem.read(mods + 4, 4) == mod_start + 5000);
  CHECK(mem.read(mod_start + 4999, 1) == 0xab);
  mem.read_bytes(mem.read(mods + 8, 4), buf, 31);
  CHECK(std::string(buf) == "initrd.img x=1");
  CHECK(mem.read(mbi + 44, 4) == 3 * 24);
  const uint64_t mmap = mem.read(mbi + 48, 4);
  CHECK(mem.read(mmap, 4) == 20);
  CHECK(mem.read(mmap + 24 + 4, 8) == 0x9fc00);
  CHECK(mem.read(mmap + 24 + 20, 4) == 2);
}

TEST_CASE("an ELF32 multiboot image loads by its program headers") {
  std::vector<uint8_t> img(0x400, 0);
  std::memcpy(img.data(), "\x7f" "ELF", 4);
  img[4] = 1;                      // ELFCLASS32
  img[5] = 1;                      // little-endian
  store_le16(&img[16], 2);         // ET_EXEC
  store_le16(&img[18], 3);         // EM_386
  store_le32(&img[24], 0x300010);  // entry
  store_le32(&img[28], 52);        // phoff
  store_le16(&img[42], 32);
  store_le16(&img[44], 1);
  uint8_t* ph = &img[52];
  store_le32(ph, 1);               // PT_LOAD
  store_le32(ph + 4, 0x200);       // offset
  store_le32(ph + 12, 0x300000);   // paddr
  store_le32(ph + 16, 0x100);      // filesz
  store_le32(ph + 20, 0x2000);     // memsz
  put_header(img, 0x100, 0x3);
  img[0x210] = 0x90;
  PhysicalMemory mem;
  mem.add_ram(0, kRam);
  auto r = load_multiboot(mem, img, {"", {}, pc_map()}, "k.elf");
  INFO(r.error);
  REQUIRE(r.ok);
  CHECK(r.entry.rip == 0x300010);
  CHECK(mem.read(0x300010, 1) == 0x90);
  CHECK(r.load_end == 0x302000);
}

TEST_CASE("bad multiboot images get clear errors") {
  PhysicalMemory mem;
  mem.add_ram(0, kRam);
  std::vector<uint8_t> none(4096, 0);
  CHECK(load_multiboot(mem, none, {"", {}, pc_map()}, "x").error == "x: no multiboot header in the first 8 KiB");
  auto video = aout_image();
  put_header(video, 64, 0x00010007);  // requires a video mode
  CHECK(load_multiboot(mem, video, {"", {}, pc_map()}, "v").error.find("unsupported features") != std::string::npos);
  auto far = aout_image();
  store_le32(&far[64 + 12], 0x7ff00040);
  store_le32(&far[64 + 16], 0x7ff00000);  // beyond RAM
  store_le32(&far[64 + 24], 0);
  CHECK(load_multiboot(mem, far, {"", {}, pc_map()}, "f").error.find("does not fit") != std::string::npos);
}

TEST_CASE("-bios maps the firmware at the top of 4 GiB and its tail below 1 MiB") {
  PhysicalMemory mem;
  mem.add_ram(0, kRam);
  std::vector<uint8_t> rom(256 * 1024, 0);
  rom[0] = 0x11;
  rom[rom.size() - 16] = 0xea;  // the reset vector's far jump
  auto r = map_firmware_rom(mem, rom, "bios.bin");
  REQUIRE(r.ok);
  CHECK(mem.read(0xfffffff0, 1) == 0xea);
  CHECK(mem.read(0xfffc0000, 1) == 0x11);
  CHECK(mem.read(0xffff0, 1) == 0xea);   // low alias of the last 128 KiB
  CHECK(mem.read(0xe0000, 1) == 0x00);
  std::vector<uint8_t> odd(1000, 0);
  CHECK(map_firmware_rom(mem, odd, "odd.bin").error.find("multiple of 64 KiB") != std::string::npos);
}
