// ELF vmlinux parsing: PT_LOAD segments and the Xen PHYS32_ENTRY note, on synthetic
// ELF64/ELF32 kernels, and rejection of malformed headers.
#include <catch2/catch.hpp>

#include "base/endian.h"
#include "bios/elf_kernel.h"
#include "test_images.h"

using namespace emu;
using namespace emu::test;

namespace {

std::vector<TestSegment> two_segments() {
  return {{0x1000000, sample_bytes(0x3000, 1), 0x5000}, {0x1400000, sample_bytes(0x800, 2), 0x800}};
}

}  // namespace

TEST_CASE("ELF64 kernel: segments and the PVH note") {
  TestElfOptions o;
  o.pvh_entry = 0x1000040;
  const auto elf = make_elf_kernel(two_segments(), o);
  const auto k = parse_elf_kernel(elf, "vmlinux");
  REQUIRE(k.ok);
  CHECK(k.is64);
  CHECK(k.machine == 62);
  CHECK(k.entry == 0xffffffff81000000ull);
  REQUIRE(k.segments.size() == 2);
  CHECK(k.segments[0].paddr == 0x1000000);
  CHECK(k.segments[0].vaddr == 0xffffffff81000000ull);
  CHECK(k.segments[0].file_size == 0x3000);
  CHECK(k.segments[0].mem_size == 0x5000);
  CHECK(k.segments[1].paddr == 0x1400000);
  // The segment's file bytes are where the header says.
  const auto expected = two_segments()[1].bytes;
  CHECK(std::equal(expected.begin(), expected.end(), elf.begin() + static_cast<ptrdiff_t>(k.segments[1].file_offset)));
  REQUIRE(k.pvh_entry);
  CHECK(*k.pvh_entry == 0x1000040);
}

TEST_CASE("the PVH note is found with an 8-byte descriptor, in ELF32, and through sections") {
  TestElfOptions o;
  o.pvh_entry = 0x1000123;
  o.pvh_desc_size = 8;
  CHECK(parse_elf_kernel(make_elf_kernel(two_segments(), o), "k").pvh_entry == std::optional<uint64_t>(0x1000123));

  o.pvh_desc_size = 4;
  o.is64 = false;
  const auto k32 = parse_elf_kernel(make_elf_kernel(two_segments(), o), "k");
  REQUIRE(k32.ok);
  CHECK_FALSE(k32.is64);
  CHECK(k32.machine == 3);
  CHECK(k32.pvh_entry == std::optional<uint64_t>(0x1000123));

  o.is64 = true;
  o.note_in_section_only = true;
  CHECK(parse_elf_kernel(make_elf_kernel(two_segments(), o), "k").pvh_entry == std::optional<uint64_t>(0x1000123));
}

TEST_CASE("a kernel without the note parses with no PVH entry") {
  const auto k = parse_elf_kernel(make_elf_kernel(two_segments(), {}), "k");
  REQUIRE(k.ok);
  CHECK_FALSE(k.pvh_entry);
}

TEST_CASE("malformed ELF files are rejected with the file name") {
  TestElfOptions o;
  o.pvh_entry = 0x1000000;
  const auto good = make_elf_kernel(two_segments(), o);

  auto truncated = good;
  truncated.resize(truncated.size() / 2);  // segment data now runs past the end
  auto k = parse_elf_kernel(truncated, "/boot/vmlinux");
  CHECK_FALSE(k.ok);
  CHECK(k.error.find("/boot/vmlinux") != std::string::npos);

  auto bad_phoff = good;
  store_le64(&bad_phoff[32], 0xfffffffffffffff0ull);
  CHECK_FALSE(parse_elf_kernel(bad_phoff, "k").ok);

  auto bad_machine = good;
  store_le16(&bad_machine[18], 183);  // aarch64
  CHECK(parse_elf_kernel(bad_machine, "k").error.find("not x86") != std::string::npos);

  auto small_memsz = good;
  store_le64(&small_memsz[64 + 40], 0x10);  // first PT_LOAD: memsz < filesz
  CHECK_FALSE(parse_elf_kernel(small_memsz, "k").ok);

  auto wrapping = good;
  store_le64(&wrapping[64 + 24], 0xfffffffffffff000ull);  // paddr + memsz wraps
  CHECK_FALSE(parse_elf_kernel(wrapping, "k").ok);

  CHECK_FALSE(parse_elf_kernel(std::vector<uint8_t>{0x7f, 'E', 'L', 'F', 2}, "k").ok);
  CHECK_FALSE(parse_elf_kernel(std::vector<uint8_t>(100, 0), "k").ok);
  CHECK_FALSE(is_elf(std::vector<uint8_t>(3, 0x7f)));
}

TEST_CASE("a note with sizes running past its segment is ignored, not read") {
  TestElfOptions o;
  o.pvh_entry = 0x1000000;
  auto elf = make_elf_kernel(two_segments(), o);
  // The note phdr is the third; shrink its filesz so the Xen note is cut in half.
  uint8_t* ph = &elf[64 + 2 * 56];
  REQUIRE(load_le32(ph) == 4);
  store_le64(ph + 32, 24 + 12 + 2);
  auto k = parse_elf_kernel(elf, "k");
  REQUIRE(k.ok);
  // Only the section header still describes the whole note area.
  CHECK(k.pvh_entry == std::optional<uint64_t>(0x1000000));
  // Break the section too: no entry, no crash.
  const uint64_t shoff = load_le64(&elf[40]);
  store_le64(&elf[shoff + 64 + 32], 1u << 30);
  CHECK_FALSE(parse_elf_kernel(elf, "k").pvh_entry);
}
