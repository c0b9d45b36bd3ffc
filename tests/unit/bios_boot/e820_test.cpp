// Unit tests for the E820 map helpers.
#include <catch2/catch.hpp>

#include "base/endian.h"
#include "bios/e820.h"

using namespace emu;

TEST_CASE("E820 RAM sums and region ends") {
  E820Map map = {{0, 0x9fc00, E820Type::Ram},
                 {0x9fc00, 0x400, E820Type::Reserved},
                 {0x100000, 0x7f00000, E820Type::Ram}};
  CHECK(e820_ram_below(map, 0x100000) == 0x9fc00);
  CHECK(e820_ram_below(map, 0x200000) == 0x9fc00 + 0x100000);
  CHECK(e820_ram_end_containing(map, 0x100000) == 0x8000000);
  CHECK(e820_ram_end_containing(map, 0x9fc00) == 0);
  auto bytes = e820_to_bytes(map);
  REQUIRE(bytes.size() == 60);
  CHECK(load_le64(&bytes[40]) == 0x100000);
  CHECK(load_le64(&bytes[48]) == 0x7f00000);
  CHECK(load_le32(&bytes[36]) == 2);
}
