// Unit tests for I/O port dispatch.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "memory/io_space.h"

namespace {
struct Echo : emu::IoHandler {
  uint64_t written = 0;
  uint64_t io_read(uint64_t offset, unsigned size) override { return offset * 0x10 + size; }
  void io_write(uint64_t offset, unsigned size, uint64_t value) override { written = offset << 32 | value; }
};
}  // namespace

TEST_CASE("I/O ports dispatch to the claiming device with relative offsets") {
  emu::IoSpace io;
  Echo e;
  io.map(0x3f8, 8, &e, "uart");
  CHECK(io.read(0x3fa, 1) == 0x21);
  io.write(0x3fd, 1, 0x55);
  CHECK(e.written == ((uint64_t{5} << 32) | 0x55));
}

TEST_CASE("unclaimed ports read all ones by width") {
  emu::IoSpace io;
  CHECK(io.read(0x80, 1) == 0xff);
  CHECK(io.read(0x80, 2) == 0xffff);
  CHECK(io.read(0x80, 4) == 0xffffffffu);
  io.write(0x80, 1, 0);
}

TEST_CASE("overlapping port ranges are rejected") {
  emu::IoSpace io;
  Echo a, b;
  io.map(0x60, 1, &a, "a");
  CHECK_THROWS_AS(io.map(0x60, 2, &b, "b"), std::logic_error);
  io.unmap(&a);
  io.map(0x60, 2, &b, "b");
  CHECK(io.read(0x61, 1) == 0x11);
}
