// Unit tests for the PC memory layout and its E820 map.
#include <catch2/catch.hpp>

#include "bios/pc_memory_map.h"

using namespace emu;

TEST_CASE("512 MiB: all RAM below the hole, ACPI tables at its top") {
  auto m = make_pc_memory_map(512ull << 20);
  CHECK(m.low_ram == 512ull << 20);
  CHECK(m.high_ram == 0);
  CHECK(m.acpi_base == (512ull << 20) - PcMemoryMap::kAcpiSize);
  CHECK(e820_ram_below(m.e820, 1ull << 40) == (512ull << 20) - PcMemoryMap::kAcpiSize - 0x60400);
  CHECK(e820_ram_end_containing(m.e820, 0x100000) == m.acpi_base);
  CHECK(m.e820.back().type == E820Type::Acpi);
}

TEST_CASE("6 GiB: RAM split around the PCI hole, firmware ROM reserved") {
  auto m = make_pc_memory_map(6ull << 30, 256 * 1024);
  CHECK(m.low_ram == 0xe0000000ull);
  CHECK(m.high_ram == (6ull << 30) - 0xe0000000ull);
  const auto& hi = m.e820.back();
  CHECK(hi.addr == 1ull << 32);
  CHECK(hi.type == E820Type::Ram);
  const auto& rom = m.e820[m.e820.size() - 2];
  CHECK(rom.addr == (1ull << 32) - 256 * 1024);
  CHECK(rom.type == E820Type::Reserved);
  // No two entries overlap and they are in address order.
  for (size_t i = 1; i < m.e820.size(); i++) CHECK(m.e820[i - 1].addr + m.e820[i - 1].size <= m.e820[i].addr);
}
