// Unit tests of the snapshot/data comparison helpers used by differential tests.
#include <catch2/catch.hpp>

#include "tests/diff/harness/snapshot_compare.h"

using namespace emu::diff;

TEST_CASE("snapshot compare: equal snapshots have no differences", "[compare]") {
  auto a = CpuSnapshot::initial();
  a.gpr[RDX] = 5;
  auto b = a;
  CHECK(snapshot_differences(a, b).empty());
}

TEST_CASE("snapshot compare: each compared part is reported by name", "[compare]") {
  auto a = CpuSnapshot::initial();
  auto b = a;
  b.gpr[R9] = 1;
  b.rflags |= kFlagZF;
  b.set_xmm(3, 0, 7);
  b.set_st(2, 0x8000000000000000ull, 0x3FFF);
  auto d = snapshot_differences(a, b);
  REQUIRE(d.size() == 4);
  CHECK(d[0].rfind("r9:", 0) == 0);
  CHECK(d[1].find("rflags") != std::string::npos);
  CHECK(d[1].find("ZF") != std::string::npos);
  CHECK(d[2].rfind("st2:", 0) == 0);
  CHECK(d[3].rfind("xmm3:", 0) == 0);
}

TEST_CASE("snapshot compare: options leave out what the test does not define", "[compare]") {
  auto a = CpuSnapshot::initial();
  auto b = a;
  b.rflags |= kFlagAF | kFlagRF;  // RF is outside the default mask anyway
  b.gpr[RSP] += 8;
  b.set_st(5, 123, 0);            // ST5 empty in both (tag word 0)
  emu::store_le64(b.fxsave + 8, 0x1234);  // FIP
  CompareOptions opt;
  opt.rflags_mask = kCaseFlagsMask & ~kFlagAF;
  opt.gpr_mask = static_cast<uint16_t>(~(1u << RSP));
  opt.x87_empty_regs = false;
  CHECK(snapshot_differences(a, b, opt).empty());
  opt.x87_pointers = true;
  CHECK(snapshot_differences(a, b, opt).size() == 1);
  opt.x87_empty_regs = true;
  CHECK(snapshot_differences(a, b, opt).size() == 2);
}

TEST_CASE("snapshot compare: a valid ST register is compared even when empty ones are not", "[compare]") {
  auto a = CpuSnapshot::initial();
  a.set_fsw(6 << 11);  // TOP = 6: ST1 is physical register 7
  a.set_ftw(0x80);
  auto b = a;
  b.set_st(1, 1, 0);
  CompareOptions opt;
  opt.x87_empty_regs = false;
  auto d = snapshot_differences(a, b, opt);
  REQUIRE(d.size() == 1);
  CHECK(d[0].rfind("st1:", 0) == 0);
}

TEST_CASE("data compare: reports the differing ranges with addresses", "[compare]") {
  std::vector<uint8_t> e(64, 0), a(64, 0);
  a[10] = 0xAA;
  a[11] = 0xBB;
  a[40] = 1;
  auto d = data_differences(e, a, 0x1000);
  REQUIRE(d.size() == 2);
  CHECK(d[0] == "data[0x100a..+2]: expected 0000 actual aabb");
  CHECK(d[1] == "data[0x1028..+1]: expected 00 actual 01");
  a.resize(65);
  CHECK(data_differences(e, a).front().rfind("data size", 0) == 0);
}

TEST_CASE("format_snapshot names registers and flags", "[compare]") {
  auto s = CpuSnapshot::initial();
  s.gpr[R15] = 0xABCDEF;
  s.rflags |= kFlagCF;
  auto t = format_snapshot(s);
  CHECK(t.find("r15=0000000000abcdef") != std::string::npos);
  CHECK(t.find("CF") != std::string::npos);
  CHECK(t.find("fcw=037f") != std::string::npos);
}
