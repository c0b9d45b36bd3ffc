// Bus-master DMA of the PIIX3 IDE function as ata_piix drives it: PRD table setup,
// READ/WRITE DMA (EXT) with multi-entry tables, the BMIDE status bits, the start-
// before-command order a BIOS may use, and guest errors (a PRD or a PRD table outside
// RAM, a table shorter than the transfer, the wrong direction) that set the error bit
// and fail the command without touching host memory.
#include <catch2/catch.hpp>

#include "devices/ide/ata_disk.h"
#include "ide_rig.h"

using namespace emu;
using namespace emu::test;

namespace {
constexpr uint64_t kDiskSectors = 4096;
constexpr uint16_t kBm = IdeRig::kBmBase;
constexpr uint32_t kTable = 0x8000;

struct DmaRig : IdeRig {
  TempFile file;
  DmaRig() {
    file.write(pattern_image(kDiskSectors * 512));
    ide.attach(0, 0, std::make_unique<AtaDisk>(RawImage::open(file.path, false)));
  }
  // libata's order: PRD address, direction, clear status bits, command, start.
  void setup(bool to_memory) {
    io.write(kBm + 4, 4, kTable);
    outb(kBm + 0, to_memory ? PiixIde::kBmCmdToMemory : 0);
    outb(kBm + 2, PiixIde::kBmStError | PiixIde::kBmStInterrupt);
  }
  void start(bool to_memory) { outb(kBm + 0, static_cast<uint8_t>((to_memory ? PiixIde::kBmCmdToMemory : 0) | 1)); }
  void stop() { outb(kBm + 0, 0); }
};
}  // namespace

TEST_CASE("DMA: READ DMA scatters into a three-entry PRD table", "[ide][dma]") {
  DmaRig r;
  r.prd(kTable, 0, 0x10000, 2048, false);
  r.prd(kTable, 1, 0x20000, 4096, false);
  r.prd(kTable, 2, 0x30002, 2048, true);
  r.setup(true);
  r.lba28(0xC8, 64, 16);
  REQUIRE(r.sink.rises[14] == 0);  // nothing moves before the bus master starts
  r.start(true);
  REQUIRE(r.sink.rises[14] == 1);
  uint8_t st = r.inb(kBm + 2);
  REQUIRE((st & PiixIde::kBmStInterrupt) != 0);
  REQUIRE((st & PiixIde::kBmStError) == 0);
  REQUIRE((st & PiixIde::kBmStActive) == 0);
  r.stop();
  REQUIRE(r.inb(0x1F7) == 0x50);
  uint64_t base = 64 * 512;
  for (unsigned i = 0; i < 2048; i++) REQUIRE(r.ram[0x10000 + i] == pattern_byte(base + i));
  for (unsigned i = 0; i < 4096; i++) REQUIRE(r.ram[0x20000 + i] == pattern_byte(base + 2048 + i));
  for (unsigned i = 0; i < 2048; i++) REQUIRE(r.ram[0x30002 + i] == pattern_byte(base + 6144 + i));
  REQUIRE(r.ram[0x10000 + 2048] == 0);
  REQUIRE(r.ram[0x30002 + 2048] == 0);
  r.outb(kBm + 2, PiixIde::kBmStInterrupt);  // write 1 to clear
  REQUIRE((r.inb(kBm + 2) & PiixIde::kBmStInterrupt) == 0);
}

TEST_CASE("DMA: WRITE DMA EXT gathers from memory into the image", "[ide][dma]") {
  DmaRig r;
  for (unsigned i = 0; i < 0x1000; i++) r.ram[0x40000 + i] = static_cast<uint8_t>(i ^ 0x5A);
  for (unsigned i = 0; i < 0x400; i++) r.ram[0x50000 + i] = static_cast<uint8_t>(0xC0 + (i & 0xF));
  r.prd(kTable, 0, 0x40000, 0x1000, false);
  r.prd(kTable, 1, 0x50000, 0x400, true);
  r.setup(false);
  r.lba48(0x35, 3000, 10);
  r.start(false);
  REQUIRE(r.sink.rises[14] == 1);
  REQUIRE((r.inb(kBm + 2) & (PiixIde::kBmStError | PiixIde::kBmStInterrupt)) == PiixIde::kBmStInterrupt);
  r.stop();
  REQUIRE(r.inb(0x1F7) == 0x50);
  r.outb(0x1F7, 0xEA);  // FLUSH CACHE EXT
  REQUIRE(r.inb(0x1F7) == 0x50);
  auto f = r.file.read();
  for (unsigned i = 0; i < 0x1000; i++) REQUIRE(f[3000 * 512 + i] == static_cast<uint8_t>(i ^ 0x5A));
  for (unsigned i = 0; i < 0x400; i++) REQUIRE(f[3000 * 512 + 0x1000 + i] == static_cast<uint8_t>(0xC0 + (i & 0xF)));
  REQUIRE(f[3010 * 512] == pattern_byte(3010 * 512));
}

TEST_CASE("DMA: a 64 KiB PRD (count 0) and start before the command (BIOS order)", "[ide][dma]") {
  DmaRig r;
  r.prd(kTable, 0, 0x100000, 0, true);  // 0 means 64 KiB
  r.setup(true);
  r.start(true);
  REQUIRE((r.inb(kBm + 2) & PiixIde::kBmStActive) != 0);
  r.lba28(0xC8, 128, 128);
  REQUIRE(r.sink.rises[14] == 1);
  REQUIRE((r.inb(kBm + 2) & PiixIde::kBmStError) == 0);
  for (unsigned i = 0; i < 65536; i += 511) REQUIRE(r.ram[0x100000 + i] == pattern_byte(128 * 512 + i));
}

TEST_CASE("DMA: a PRD pointing outside RAM sets the error bit and fails the command", "[ide][dma]") {
  DmaRig r;
  r.prd(kTable, 0, 0x10000, 512, false);
  r.prd(kTable, 1, 0xF0000000u, 512, true);  // nothing there
  r.setup(true);
  r.lba28(0xC8, 0, 2);
  r.start(true);
  uint8_t st = r.inb(kBm + 2);
  REQUIRE((st & PiixIde::kBmStError) != 0);
  REQUIRE((st & PiixIde::kBmStActive) == 0);
  REQUIRE((r.inb(0x1F7) & ata::kStatusErr) != 0);
  REQUIRE(r.inb(0x1F1) == ata::kErrorAbrt);
  r.stop();
  // The device is usable afterwards.
  r.setup(true);
  r.prd(kTable, 0, 0x10000, 1024, true);
  r.lba28(0xC8, 0, 2);
  r.start(true);
  REQUIRE((r.inb(kBm + 2) & PiixIde::kBmStError) == 0);
  REQUIRE(r.inb(0x1F7) == 0x50);
  REQUIRE(r.ram[0x10000 + 1023] == pattern_byte(1023));
}

TEST_CASE("DMA: PRD table outside RAM, too short, or running past RAM's end", "[ide][dma]") {
  DmaRig r;
  SECTION("table address outside RAM") {
    r.setup(true);
    r.io.write(kBm + 4, 4, 0xFFFFFFF8u);
    r.lba28(0xC8, 0, 1);
    r.start(true);
  }
  SECTION("table shorter than the transfer") {
    r.prd(kTable, 0, 0x10000, 512, true);
    r.setup(true);
    r.lba28(0xC8, 0, 4);
    r.start(true);
  }
  SECTION("buffer crossing the end of RAM") {
    r.prd(kTable, 0, (16u << 20) - 256, 512, true);
    r.setup(false);
    r.lba28(0xCA, 0, 1);
    r.start(false);
  }
  SECTION("direction does not match the command") {
    r.prd(kTable, 0, 0x10000, 512, true);
    r.setup(false);
    r.lba28(0xC8, 0, 1);
    r.start(false);
  }
  SECTION("a table without an end marker is walked at most 8192 entries") {
    for (unsigned i = 0; i < 9000; i++) r.prd(kTable, i, 0x200000, 2, false);
    r.setup(true);
    r.lba28(0xC8, 0, 0);  // 256 sectors would need 65536 entries of 2 bytes
    r.start(true);
  }
  REQUIRE((r.inb(kBm + 2) & PiixIde::kBmStError) != 0);
  REQUIRE((r.inb(0x1F7) & ata::kStatusErr) != 0);
  REQUIRE(r.sink.rises[14] == 1);
}

TEST_CASE("DMA: nothing moves while PCI bus mastering is disabled", "[ide][dma]") {
  DmaRig r;
  r.bus.config_write((1 << 3) | 1, 0x04, 2, 0x0001);
  r.prd(kTable, 0, 0x10000, 512, true);
  r.setup(true);
  r.lba28(0xC8, 5, 1);
  r.start(true);
  REQUIRE(r.sink.rises[14] == 0);
  REQUIRE(r.ram[0x10000] == 0);
}

TEST_CASE("PIIX IDE: PCI identity and legacy-mode programming interface", "[ide][pci]") {
  IdeRig r;
  uint8_t devfn = (1 << 3) | 1;
  REQUIRE(r.bus.config_read(devfn, 0x00, 2) == 0x8086);
  REQUIRE(r.bus.config_read(devfn, 0x02, 2) == 0x7010);
  REQUIRE(r.bus.config_read(devfn, 0x09, 1) == 0x80);
  REQUIRE(r.bus.config_read(devfn, 0x0A, 1) == 0x01);
  REQUIRE(r.bus.config_read(devfn, 0x0B, 1) == 0x01);
  REQUIRE((r.bus.config_read(devfn, 0x20, 4) & ~0xFu) == IdeRig::kBmBase);
  REQUIRE((r.bus.config_read(devfn, 0x20, 4) & 1) == 1);  // I/O BAR
  // IDE decode enable (IDETIM bit 15) on both channels, as ata_piix checks.
  REQUIRE((r.bus.config_read(devfn, 0x41, 1) & 0x80) != 0);
  REQUIRE((r.bus.config_read(devfn, 0x43, 1) & 0x80) != 0);
  r.bus.config_write(devfn, 0x20, 4, 0xFFFFFFFF);
  REQUIRE((r.bus.config_read(devfn, 0x20, 4) & 0xFFFF) == 0xFFF1);  // 16 ports
}

TEST_CASE("DMA: a DMA command abandoned for a PIO command moves no stale data", "[ide][dma]") {
  DmaRig r;
  r.prd(kTable, 0, 0x10000, 512, true);
  r.setup(true);
  r.lba28(0xC8, 9, 1);  // never started
  r.lba28(0x20, 10, 1);  // PIO read instead
  REQUIRE(r.inb(0x1F7) == 0x58);
  auto d = r.read_data(0x1F0, 512);
  REQUIRE(d[0] == pattern_byte(10 * 512));
  r.outb(kBm + 2, PiixIde::kBmStError | PiixIde::kBmStInterrupt);  // the PIO interrupt set it
  r.start(true);
  REQUIRE(r.ram[0x10000] == 0);
  REQUIRE((r.inb(kBm + 2) & (PiixIde::kBmStError | PiixIde::kBmStInterrupt)) == 0);
  // SRST also drops a pending DMA command.
  r.stop();
  r.lba28(0xC8, 9, 1);
  r.outb(0x3F6, 0x04);
  r.outb(0x3F6, 0x00);
  r.start(true);
  REQUIRE(r.ram[0x10000] == 0);
}
