// AML encodings checked against the ACPI 6.x grammar (section 20.2) and resource
// descriptor layouts (section 6.4), byte for byte.
#include <catch2/catch.hpp>

#include "bios/aml_builder.h"

using namespace emu;
using aml::Bytes;

TEST_CASE("integers use the shortest encoding", "[aml]") {
  CHECK(aml::integer(0) == Bytes{0x00});             // ZeroOp
  CHECK(aml::integer(1) == Bytes{0x01});             // OneOp
  CHECK(aml::integer(~0ull) == Bytes{0xff});         // OnesOp
  CHECK(aml::integer(2) == Bytes{0x0a, 0x02});       // BytePrefix
  CHECK(aml::integer(0xff) == Bytes{0x0a, 0xff});
  CHECK(aml::integer(0x100) == Bytes{0x0b, 0x00, 0x01});  // WordPrefix
  CHECK(aml::integer(0x12345) == Bytes{0x0c, 0x45, 0x23, 0x01, 0x00});  // DWordPrefix
  CHECK(aml::integer(0x100000000ull) == Bytes{0x0e, 0, 0, 0, 0, 1, 0, 0, 0});  // QWordPrefix
}

TEST_CASE("PkgLength encodings", "[aml]") {
  CHECK(aml::pkg_length(0) == Bytes{0x01});
  CHECK(aml::pkg_length(62) == Bytes{0x3f});
  // 63 body bytes + 2 length bytes = 65 = 0x41: lead byte 0x41 (1 follow byte, low
  // nibble 1), then 0x04.
  CHECK(aml::pkg_length(63) == Bytes{0x41, 0x04});
  CHECK(aml::pkg_length(0xffd) == Bytes{0x4f, 0xff});  // 0xfff total, the 2-byte maximum
  CHECK(aml::pkg_length(0xffe) == Bytes{0x81, 0x00, 0x01});  // 0x1001 total
}

TEST_CASE("name strings and strings", "[aml]") {
  CHECK(aml::name_string("_HID") == Bytes{'_', 'H', 'I', 'D'});
  CHECK(aml::name_string("ISA") == Bytes{'I', 'S', 'A', '_'});
  CHECK(aml::name_string("\\_SB") == Bytes{'\\', '_', 'S', 'B', '_'});
  CHECK(aml::name_string("^PCI0") == Bytes{'^', 'P', 'C', 'I', '0'});
  CHECK(aml::name_string("\\_SB.PCI0") == Bytes{'\\', 0x2e, '_', 'S', 'B', '_', 'P', 'C', 'I', '0'});
  CHECK(aml::name_string("_SB.PCI0.ISA") ==
        Bytes{0x2f, 3, '_', 'S', 'B', '_', 'P', 'C', 'I', '0', 'I', 'S', 'A', '_'});
  CHECK(aml::name_string("") == Bytes{0x00});
  CHECK_THROWS(aml::name_string("TOOLONG"));
  CHECK_THROWS(aml::name_string("1ABC"));
  CHECK(aml::string("ab") == Bytes{0x0d, 'a', 'b', 0});
}

TEST_CASE("EISA IDs", "[aml]") {
  // PNP0A03 compresses to 0x41D0 0x0A03, stored as bytes 41 D0 0A 03.
  CHECK(aml::eisa_id("PNP0A03") == Bytes{0x0c, 0x41, 0xd0, 0x0a, 0x03});
  CHECK(aml::eisa_id("PNP0501") == Bytes{0x0c, 0x41, 0xd0, 0x05, 0x01});
  CHECK_THROWS(aml::eisa_id("PNP0A0"));
}

TEST_CASE("named objects, packages, methods, devices", "[aml]") {
  CHECK(aml::name("_UID", aml::integer(1)) == Bytes{0x08, '_', 'U', 'I', 'D', 0x01});
  CHECK(aml::package({aml::integer(0), aml::integer(5)}) == Bytes{0x12, 0x05, 0x02, 0x00, 0x0a, 0x05});
  CHECK(aml::buffer({0xaa, 0xbb}) == Bytes{0x11, 0x05, 0x0a, 0x02, 0xaa, 0xbb});
  CHECK(aml::method("_STA", 0, false, aml::return_value(aml::integer(0x0f))) ==
        Bytes{0x14, 0x09, '_', 'S', 'T', 'A', 0x00, 0xa4, 0x0a, 0x0f});
  CHECK(aml::method("FOO", 2, true, {}) == Bytes{0x14, 0x06, 'F', 'O', 'O', '_', 0x0a});
  CHECK(aml::device("DEV", {}) == Bytes{0x5b, 0x82, 0x05, 'D', 'E', 'V', '_'});
  CHECK(aml::scope("\\", {}) == Bytes{0x10, 0x03, '\\', 0x00});
}

TEST_CASE("resource descriptors", "[aml]") {
  CHECK(aml::io(0x3f8, 0x3f8, 0, 8) == Bytes{0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x00, 0x08});
  CHECK(aml::irq_no_flags({4}) == Bytes{0x22, 0x10, 0x00});
  CHECK(aml::irq_no_flags({1, 12}) == Bytes{0x22, 0x02, 0x10});
  // Interrupt(ResourceConsumer, Level, ActiveHigh, Shared) {11}: flags 0x09.
  CHECK(aml::extended_interrupt(true, true, true, {11}) == Bytes{0x89, 0x06, 0x00, 0x09, 0x01, 0x0b, 0, 0, 0});
  // Edge, active-low, exclusive: flags 0x07.
  CHECK(aml::extended_interrupt(false, false, false, {16, 17}) ==
        Bytes{0x89, 0x0a, 0x00, 0x07, 0x02, 0x10, 0, 0, 0, 0x11, 0, 0, 0});
  CHECK(aml::memory32_fixed(0xfed00000u, 0x400, false) ==
        Bytes{0x86, 0x09, 0x00, 0x00, 0x00, 0x00, 0xd0, 0xfe, 0x00, 0x04, 0x00, 0x00});
  Bytes bus = aml::word_bus_number(0, 0xff);
  CHECK(bus == Bytes{0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00, 0, 0, 0x00, 0x00, 0xff, 0x00, 0, 0, 0x00, 0x01});
  Bytes wio = aml::word_io(0x0d00, 0xffff);
  REQUIRE(wio.size() == 16);
  CHECK(wio[3] == 1);     // I/O range
  CHECK(wio[5] == 0x03);  // entire range
  CHECK(wio[14] == 0x00);  // length 0xf300
  CHECK(wio[15] == 0xf3);
  Bytes dm = aml::dword_memory(0xa0000, 0xbffff, true, true);
  REQUIRE(dm.size() == 3 + 23);
  CHECK(dm[0] == 0x87);
  CHECK(dm[5] == 0x03);  // cacheable, read-write
  CHECK(dm[22] == 0x00);  // length 0x20000 at offset 22..25
  CHECK(dm[23] == 0x00);
  CHECK(dm[24] == 0x02);
  Bytes qm = aml::qword_memory(0x100000000ull, 0x1ffffffffull, false, true);
  REQUIRE(qm.size() == 3 + 43);
  CHECK(qm[0] == 0x8a);
  CHECK_THROWS(aml::word_io(0, 0xffff));  // length 0x10000 does not fit a word
  // Template: Buffer(size) { descriptors, End Tag 79 00 }.
  CHECK(aml::resource_template({aml::irq_no_flags({8})}) ==
        Bytes{0x11, 0x08, 0x0a, 0x05, 0x22, 0x00, 0x01, 0x79, 0x00});
}
