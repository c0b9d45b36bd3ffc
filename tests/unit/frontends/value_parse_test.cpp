// Unit tests for sizes, numbers and on/off values of QEMU-style options.
#include <catch2/catch.hpp>

#include "frontends/value_parse.h"

using emu::frontend::format_size;
using emu::frontend::parse_on_off;
using emu::frontend::parse_size;
using emu::frontend::parse_uint;

TEST_CASE("sizes: plain numbers use the default unit, suffixes are powers of 1024") {
  const uint64_t MiB = 1024 * 1024;
  CHECK(parse_size("512", MiB) == 512 * MiB);
  CHECK(parse_size("512M", 1) == 512 * MiB);
  CHECK(parse_size("512m", 1) == 512 * MiB);
  CHECK(parse_size("1G", MiB) == 1024 * MiB);
  CHECK(parse_size("64k", MiB) == 65536);
  CHECK(parse_size("2T", 1) == uint64_t{2} << 40);
  CHECK(parse_size("100B", MiB) == 100);
  CHECK(parse_size("0", MiB) == 0);
}

TEST_CASE("sizes: malformed or overflowing text is rejected") {
  CHECK_FALSE(parse_size("", 1));
  CHECK_FALSE(parse_size("M", 1));
  CHECK_FALSE(parse_size("banana", 1));
  CHECK_FALSE(parse_size("12Q", 1));
  CHECK_FALSE(parse_size("-5", 1));
  CHECK_FALSE(parse_size("1.5G", 1));
  CHECK_FALSE(parse_size(" 5", 1));
  CHECK_FALSE(parse_size("18446744073709551616", 1));  // 2^64
  CHECK_FALSE(parse_size("17179869184G", 1));          // 2^34 GiB = 2^64 bytes
  CHECK(parse_size("18446744073709551615", 1) == UINT64_MAX);
}

TEST_CASE("numbers: decimal and 0x hex") {
  CHECK(parse_uint("0") == 0u);
  CHECK(parse_uint("42") == 42u);
  CHECK(parse_uint("0xf4") == 0xf4u);
  CHECK(parse_uint("0X04") == 4u);
  CHECK(parse_uint("0xffffffffffffffff") == UINT64_MAX);
  CHECK_FALSE(parse_uint("0x"));
  CHECK_FALSE(parse_uint("0x1g"));
  CHECK_FALSE(parse_uint("0x10000000000000000"));
  CHECK_FALSE(parse_uint("4two"));
  CHECK_FALSE(parse_uint(""));
}

TEST_CASE("on/off switches") {
  CHECK(parse_on_off("on") == true);
  CHECK(parse_on_off("yes") == true);
  CHECK(parse_on_off("off") == false);
  CHECK(parse_on_off("false") == false);
  CHECK_FALSE(parse_on_off("maybe"));
  CHECK_FALSE(parse_on_off(""));
}

TEST_CASE("sizes are printed in the largest exact binary unit") {
  CHECK(format_size(16 * 1024 * 1024) == "16 MiB");
  CHECK(format_size(uint64_t{64} << 30) == "64 GiB");
  CHECK(format_size(1536 * 1024) == "1536 KiB");
  CHECK(format_size(100) == "100 B");
}
