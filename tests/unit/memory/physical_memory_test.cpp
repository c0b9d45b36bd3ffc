// Unit tests for the guest physical address map.
#include <catch2/catch.hpp>

#include "memory/physical_memory.h"

using emu::PhysicalMemory;

namespace {
struct RecordingDevice : emu::IoHandler {
  uint64_t last_offset = 0, last_value = 0;
  unsigned last_size = 0;
  uint64_t io_read(uint64_t offset, unsigned size) override { return 0x1000 + offset + size; }
  void io_write(uint64_t offset, unsigned size, uint64_t value) override {
    last_offset = offset;
    last_size = size;
    last_value = value;
  }
};
}  // namespace

TEST_CASE("RAM reads back what was written, little-endian") {
  PhysicalMemory m;
  m.add_ram(0, 1 << 20);
  m.write(0x100, 4, 0x11223344);
  CHECK(m.read(0x100, 1) == 0x44);
  CHECK(m.read(0x101, 2) == 0x2233);
  CHECK(m.read(0x100, 8) == 0x11223344);
  m.write(0x200, 8, 0x8877665544332211ull);
  CHECK(m.read(0x200, 8) == 0x8877665544332211ull);
}

TEST_CASE("unmapped addresses read as all ones and ignore writes") {
  PhysicalMemory m;
  m.add_ram(0, 4096);
  CHECK(m.read(0x10000, 1) == 0xff);
  CHECK(m.read(0x10000, 4) == 0xffffffffu);
  CHECK(m.read(0x10000, 8) == ~0ull);
  m.write(0x10000, 4, 1);  // must not crash
  CHECK(m.host_pointer(0x10000, 1, false) == nullptr);
}

TEST_CASE("an access straddling the end of RAM is assembled byte by byte") {
  PhysicalMemory m;
  m.add_ram(0, 4096);
  m.write(4094, 2, 0xabcd);
  CHECK(m.read(4094, 4) == 0xffffabcdu);
}

TEST_CASE("ROM ignores writes; loaders can fill it") {
  PhysicalMemory m;
  const uint8_t data[3] = {1, 2, 3};
  m.add_rom(0xf0000, data, sizeof data);
  CHECK(m.read(0xf0000, 2) == 0x0201);
  CHECK(m.read(0xf0003, 1) == 0xff);
  m.write(0xf0000, 1, 9);
  CHECK(m.read(0xf0000, 1) == 1);
  CHECK_FALSE(m.write_bytes(0xf0000, data, 1));
  CHECK(m.load_bytes(0xf0001, data, 1));
  CHECK(m.read(0xf0001, 1) == 1);
}

TEST_CASE("MMIO regions dispatch with region-relative offsets and override RAM") {
  PhysicalMemory m;
  m.add_ram(0, 1 << 20);
  RecordingDevice dev;
  m.add_mmio(0x80000, 0x1000, &dev, "dev");
  CHECK(m.read(0x80010, 4) == 0x1000 + 0x10 + 4);
  m.write(0x80020, 2, 0xbeef);
  CHECK(dev.last_offset == 0x20);
  CHECK(dev.last_size == 2);
  CHECK(dev.last_value == 0xbeef);
  CHECK(m.host_pointer(0x80000, 1, false) == nullptr);
  m.remove_mmio(&dev);
  CHECK(m.read(0x80010, 4) == 0);
}

TEST_CASE("byte copies refuse ranges that leave RAM and copy nothing then") {
  PhysicalMemory m;
  m.add_ram(0, 8192);
  uint8_t buf[16] = {};
  for (int i = 0; i < 16; i++) buf[i] = uint8_t(i + 1);
  CHECK_FALSE(m.write_bytes(8190, buf, 16));
  CHECK(m.read(8190, 1) == 0);
  CHECK(m.write_bytes(100, buf, 16));
  uint8_t back[16];
  CHECK(m.read_bytes(100, back, 16));
  CHECK(back[15] == 16);
  CHECK_FALSE(m.read_bytes(~0ull - 4, back, 16));
}

TEST_CASE("a host pointer never runs from RAM into an MMIO window laid over it; removal restores RAM") {
  PhysicalMemory m;
  uint8_t* ram = m.add_ram(0, 0x10000);
  RecordingDevice dev;
  m.add_mmio(0x8000, 0x1000, &dev, "dev");
  CHECK(m.find(0x8800)->kind == PhysicalMemory::Kind::Mmio);
  CHECK(m.find(0x9000)->kind == PhysicalMemory::Kind::Ram);
  CHECK(m.host_pointer(0x7000, 0x1000, true) == ram + 0x7000);
  CHECK(m.host_pointer(0x7000, 0x1001, true) == nullptr);  // its last byte is MMIO
  CHECK(m.host_pointer(0x8000, 8, false) == nullptr);
  CHECK(m.host_pointer(0x9000, 0x7000, true) == ram + 0x9000);
  CHECK(m.host_pointer(0x9000, 0x7001, true) == nullptr);  // past the end of RAM
  m.write(0x7ffc, 4, 0x44332211);
  const uint64_t straddling = m.read(0x7ffc, 8);  // bytes 4..7 from the device, not the RAM under it (zero)
  CHECK((straddling & 0xffffffffu) == 0x44332211u);
  CHECK((straddling >> 32) != 0);
  m.remove_mmio(&dev);
  CHECK(m.find(0x8800)->kind == PhysicalMemory::Kind::Ram);
  CHECK(m.host_pointer(0x7000, 0x2000, true) == ram + 0x7000);
}
