// Tests of the assembled PC board: small guest programs (multiboot images built here
// byte by byte) run on the CPU and talk to the devices through their ports.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "base/endian.h"
#include "devices/pc_board.h"

using namespace emu;

namespace {

// A multiboot image (a.out kludge) loaded at 1 MiB whose code starts at 1 MiB + 0x40.
std::vector<uint8_t> multiboot_image(const std::vector<uint8_t>& code) {
  std::vector<uint8_t> img(0x40 + code.size(), 0);
  const uint32_t flags = 0x00010003;
  store_le32(&img[0], 0x1badb002);
  store_le32(&img[4], flags);
  store_le32(&img[8], static_cast<uint32_t>(0u - 0x1badb002u - flags));
  store_le32(&img[12], 0x100000);  // header_addr
  store_le32(&img[16], 0x100000);  // load_addr
  store_le32(&img[20], 0);         // load_end: whole file
  store_le32(&img[24], 0);         // no bss
  store_le32(&img[28], 0x100040);  // entry
  std::copy(code.begin(), code.end(), img.begin() + 0x40);
  return img;
}

struct StringBackend : CharBackend {
  std::string out;
  void write(const uint8_t* data, size_t len) override { out.append(reinterpret_cast<const char*>(data), len); }
};

}  // namespace

TEST_CASE("board: a multiboot program prints on debugcon and COM1 and exits through isa-debug-exit") {
  std::string debugcon;
  StringBackend serial;
  PcBoardConfig cfg;
  cfg.ram_bytes = 64ull << 20;
  cfg.com1 = &serial;
  cfg.debugcon = [&](uint8_t c) { debugcon += static_cast<char>(c); };
  cfg.debug_exit = std::make_pair(uint16_t{0xf4}, uint16_t{4});
  cfg.clock_mode = ClockMode::Deterministic;
  PcBoard board(cfg);
  const std::vector<uint8_t> code = {
      0x66, 0xba, 0xe9, 0x00,  // mov dx, 0xe9
      0xb0, 'O', 0xee,         // mov al, 'O'; out dx, al
      0xb0, 'K', 0xee,         // mov al, 'K'; out dx, al
      0x66, 0xba, 0xf8, 0x03,  // mov dx, 0x3f8
      0xb0, 'h', 0xee,         // mov al, 'h'; out dx, al
      0xb0, 'i', 0xee,         // mov al, 'i'; out dx, al
      0x66, 0xba, 0xf4, 0x00,  // mov dx, 0xf4
      0xb8, 0x10, 0, 0, 0,     // mov eax, 0x10
      0xef,                    // out dx, eax
      0xf4,                    // hlt (not reached)
  };
  auto img = multiboot_image(code);
  std::string error;
  REQUIRE(board.boot_multiboot(img, {}, "", "test.mb", &error));
  BoardExit e = board.run();
  INFO(e.message);
  CHECK(e.kind == BoardExit::Kind::PoweredOff);
  CHECK(e.status == 0x21);
  CHECK(debugcon == "OK");
  CHECK(serial.out == "hi");
}

TEST_CASE("board: the multiboot magic and memory map reach the guest, fw_cfg and CMOS answer") {
  PcBoardConfig cfg;
  cfg.ram_bytes = 64ull << 20;
  cfg.debug_exit = std::make_pair(uint16_t{0xf4}, uint16_t{4});
  cfg.clock_mode = ClockMode::Deterministic;
  PcBoard board(cfg);
  // Exit status = low byte of (EAX == 0x2badb002) + 2 * (fw_cfg signature byte 'Q').
  const std::vector<uint8_t> code = {
      0x3d, 0x02, 0xb0, 0xad, 0x2b,  // cmp eax, 0x2badb002
      0x0f, 0x94, 0xc3,              // sete bl
      0x66, 0xba, 0x10, 0x05,        // mov dx, 0x510
      0x66, 0x31, 0xc0,              // xor ax, ax
      0x66, 0xef,                    // out dx, ax (select signature)
      0x42,                          // inc edx (0x511)
      0xec,                          // in al, dx
      0x00, 0xc3,                    // add bl, al  (bl = 1 + 'Q')
      0x88, 0xd8,                    // mov al, bl
      0x66, 0xba, 0xf4, 0x00,        // mov dx, 0xf4
      0xee,                          // out dx, al
  };
  auto img = multiboot_image(code);
  std::string error;
  REQUIRE(board.boot_multiboot(img, {}, "", "test.mb", &error));
  BoardExit e = board.run();
  INFO(e.message);
  CHECK(e.kind == BoardExit::Kind::PoweredOff);
  CHECK(e.status == ((('Q' + 1) << 1) | 1));
}

TEST_CASE("board: memory map, ACPI RSDP and a firmware image's reset vector") {
  PcBoardConfig cfg;
  cfg.ram_bytes = 256ull << 20;
  cfg.bios_rom_bytes = 64 * 1024;
  cfg.clock_mode = ClockMode::Deterministic;
  PcBoard board(cfg);
  char sig[9] = {};
  REQUIRE(board.memory().read_bytes(board.rsdp_address(), sig, 8));
  CHECK(std::string(sig) == "RSD PTR ");
  std::vector<uint8_t> rom(64 * 1024, 0xf4);  // hlt everywhere
  std::string error;
  REQUIRE(board.boot_firmware(rom, "bios.bin", &error));
  CHECK(board.cpu().state().rip == 0xfff0);
  CHECK(board.cpu().state().seg[1].base == 0xffff0000u);
  CHECK(board.memory().read(0xfffffff0, 1) == 0xf4);
  BoardExit e = board.run();
  INFO(e.message);  // the ROM halts with interrupts off
  CHECK(e.kind == BoardExit::Kind::GuestStopped);
  std::vector<uint8_t> bad(1000, 0);
  CHECK_FALSE(board.boot_firmware(bad, "bad.bin", &error));
  CHECK(error.find("bad.bin") == 0);
}
