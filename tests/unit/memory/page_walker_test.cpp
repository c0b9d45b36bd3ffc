// Unit tests for the page-table walker: page tables are built by hand in guest RAM.
#include <catch2/catch.hpp>

#include "memory/page_walker.h"

using namespace emu;

namespace {

constexpr uint64_t P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80, G = 0x100, XD = 1ull << 63;

struct Fixture {
  PhysicalMemory mem;
  PagingContext ctx;
  Fixture() { mem.add_ram(0, 64ull << 20); }
  void put64(uint64_t addr, uint64_t v) { mem.write(addr, 8, v); }
  void put32(uint64_t addr, uint32_t v) { mem.write(addr, 4, v); }
  uint64_t get64(uint64_t addr) { return mem.read(addr, 8); }
  PageWalkResult walk(uint64_t lin, AccessKind k = AccessKind::Read, bool user = false) {
    PageAccess a;
    a.kind = k;
    a.user = user;
    return walk_page_tables(mem, ctx, lin, a);
  }
};

// 4-level tables: PML4 at 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000; maps linear
// 0x0000'7f12'3456'7000 (pml4 index 0xfe, pdpt 0x48, pd 0x1a2, pt 0x167) to 0x5000.
struct LongMode : Fixture {
  static constexpr uint64_t kLin = 0x00007f1234567000ull;
  LongMode() {
    ctx.mode = PagingMode::Long4;
    ctx.cr3 = 0x1000;
    ctx.nxe = true;
    put64(0x1000 + 8 * ((kLin >> 39) & 0x1ff), 0x2000 | P | RW | US);
    put64(0x2000 + 8 * ((kLin >> 30) & 0x1ff), 0x3000 | P | RW | US);
    put64(0x3000 + 8 * ((kLin >> 21) & 0x1ff), 0x4000 | P | RW | US);
    put64(pte_addr(), 0x5000 | P | RW | US);
  }
  static uint64_t pte_addr() { return 0x4000 + 8 * ((kLin >> 12) & 0x1ff); }
};

}  // namespace

TEST_CASE("no paging maps linear to physical") {
  Fixture f;
  auto t = f.walk(0x12345678);
  CHECK(t.ok);
  CHECK(t.paddr == 0x12345678);
}

TEST_CASE("4-level walk translates and sets accessed and dirty bits") {
  LongMode f;
  auto t = f.walk(LongMode::kLin + 0x123);
  REQUIRE(t.ok);
  CHECK(t.paddr == 0x5123);
  CHECK(t.page_size == 4096);
  CHECK((f.get64(LongMode::pte_addr()) & (A | D)) == A);
  CHECK((f.get64(0x1000 + 8 * 0xfe) & A) == A);
  t = f.walk(LongMode::kLin, AccessKind::Write);
  REQUIRE(t.ok);
  CHECK((f.get64(LongMode::pte_addr()) & D) == D);
  CHECK(t.dirty);
}

TEST_CASE("not-present entries give #PF with P=0 and the access bits") {
  LongMode f;
  f.put64(LongMode::pte_addr(), 0);
  auto t = f.walk(LongMode::kLin, AccessKind::Write, true);
  CHECK_FALSE(t.ok);
  CHECK(t.error_code == (pf::kWrite | pf::kUser));
  t = f.walk(0x1000);  // PML4 entry 0 not present
  CHECK_FALSE(t.ok);
  CHECK(t.error_code == 0);
  t = f.walk(0x1000, AccessKind::Execute);
  CHECK(t.error_code == pf::kFetch);  // I/D reported because NXE is on
}

TEST_CASE("user/supervisor and read/write rights combine across levels, with CR0.WP") {
  LongMode f;
  f.put64(0x3000 + 8 * ((LongMode::kLin >> 21) & 0x1ff), 0x4000 | P | US);  // PD entry read-only
  CHECK(f.walk(LongMode::kLin, AccessKind::Read, true).ok);
  auto t = f.walk(LongMode::kLin, AccessKind::Write, true);
  CHECK_FALSE(t.ok);
  CHECK(t.error_code == (pf::kPresent | pf::kWrite | pf::kUser));
  // Supervisor writes to read-only pages succeed unless CR0.WP.
  CHECK(f.walk(LongMode::kLin, AccessKind::Write, false).ok);
  f.ctx.wp = true;
  CHECK(f.walk(LongMode::kLin, AccessKind::Write, false).error_code == (pf::kPresent | pf::kWrite));
  // A supervisor-only PDPT entry hides the page from user mode.
  f.put64(0x2000 + 8 * ((LongMode::kLin >> 30) & 0x1ff), 0x3000 | P | RW);
  CHECK(f.walk(LongMode::kLin, AccessKind::Read, true).error_code == (pf::kPresent | pf::kUser));
  // Failed accesses do not set the dirty bit.
  CHECK((f.get64(LongMode::pte_addr()) & D) == D);  // set by the supervisor write above
}

TEST_CASE("NX, SMEP and SMAP") {
  LongMode f;
  f.put64(LongMode::pte_addr(), 0x5000 | P | RW | US | XD);
  CHECK(f.walk(LongMode::kLin).ok);
  auto t = f.walk(LongMode::kLin, AccessKind::Execute, true);
  CHECK(t.error_code == (pf::kPresent | pf::kUser | pf::kFetch));
  f.put64(LongMode::pte_addr(), 0x5000 | P | RW | US);
  CHECK(f.walk(LongMode::kLin, AccessKind::Execute, false).ok);
  f.ctx.smep = true;
  CHECK(f.walk(LongMode::kLin, AccessKind::Execute, false).error_code == (pf::kPresent | pf::kFetch));
  f.ctx.smap = true;
  CHECK_FALSE(f.walk(LongMode::kLin, AccessKind::Read, false).ok);
  PageAccess with_ac;
  with_ac.ac_flag = true;
  CHECK(walk_page_tables(f.mem, f.ctx, LongMode::kLin, with_ac).ok);
  with_ac.implicit_supervisor = true;
  CHECK_FALSE(walk_page_tables(f.mem, f.ctx, LongMode::kLin, with_ac).ok);
  // XD is a reserved bit when EFER.NXE is off.
  f.ctx.nxe = false;
  f.ctx.smap = f.ctx.smep = false;
  f.put64(LongMode::pte_addr(), 0x5000 | P | RW | US | XD);
  CHECK(f.walk(LongMode::kLin).error_code == (pf::kPresent | pf::kReserved));
}

TEST_CASE("large pages: 2 MiB, 1 GiB only when offered, reserved bits") {
  LongMode f;
  const uint64_t pde = 0x3000 + 8 * ((LongMode::kLin >> 21) & 0x1ff);
  f.put64(pde, 0x00600000 | P | RW | PS | G);
  f.ctx.pge = true;
  auto t = f.walk(LongMode::kLin + 0xabc);
  REQUIRE(t.ok);
  CHECK(t.page_size == (2u << 20));
  CHECK(t.paddr == 0x00600000 + ((LongMode::kLin & 0x1fffff) + 0xabc));
  CHECK(t.global);
  CHECK_FALSE(t.user);
  f.put64(pde, 0x00602000 | P | RW | PS);  // bit 13 set: reserved in a 2 MiB entry
  CHECK(f.walk(LongMode::kLin).error_code == (pf::kPresent | pf::kReserved));
  const uint64_t pdpte = 0x2000 + 8 * ((LongMode::kLin >> 30) & 0x1ff);
  f.put64(pdpte, 0x40000000 | P | RW | PS);
  CHECK(f.walk(LongMode::kLin).error_code == (pf::kPresent | pf::kReserved));
  f.ctx.gb_pages = true;
  t = f.walk(LongMode::kLin);
  REQUIRE(t.ok);
  CHECK(t.page_size == (1u << 30));
  CHECK(t.paddr == 0x40000000 + (LongMode::kLin & 0x3fffffff));
  // Address bits above MAXPHYADDR are reserved.
  f.put64(LongMode::pte_addr(), 0);
  f.put64(pdpte, 0x3000 | P | RW | US);
  f.put64(pde, 0x4000 | P | RW | US);
  f.put64(LongMode::pte_addr(), (1ull << 45) | 0x5000 | P);
  CHECK(f.walk(LongMode::kLin).error_code == (pf::kPresent | pf::kReserved));
}

TEST_CASE("legacy 32-bit paging with 4 KiB and 4 MiB pages") {
  Fixture f;
  f.ctx.mode = PagingMode::Legacy32;
  f.ctx.cr3 = 0x1000;
  const uint32_t lin = 0xc0123456;
  f.put32(0x1000 + 4 * (lin >> 22), 0x2000 | P | RW);
  f.put32(0x2000 + 4 * ((lin >> 12) & 0x3ff), 0x7000 | P | RW);
  auto t = f.walk(lin);
  REQUIRE(t.ok);
  CHECK(t.paddr == 0x7456);
  CHECK((f.mem.read(0x2000 + 4 * ((lin >> 12) & 0x3ff), 4) & A) == A);
  CHECK(f.walk(lin, AccessKind::Read, true).error_code == (pf::kPresent | pf::kUser));
  // 4 MiB pages only with CR4.PSE; PSE-36 high address bits.
  f.put32(0x1000 + 4 * (lin >> 22), 0x00800000 | (1u << 13) | P | RW | PS);
  f.ctx.pse = true;
  t = f.walk(lin);
  REQUIRE(t.ok);
  CHECK(t.paddr == 0x100800000ull + (lin & 0x3fffff));
  f.put32(0x1000 + 4 * (lin >> 22), 0x00800000 | (1u << 21) | P | RW | PS);
  CHECK(f.walk(lin).error_code == (pf::kPresent | pf::kReserved));
  // Without NXE or SMEP, 32-bit paging never reports instruction fetches.
  f.put32(0x1000, 0);
  CHECK(f.walk(0x1000, AccessKind::Execute).error_code == 0);
}

TEST_CASE("PAE paging with PDPTE registers") {
  Fixture f;
  f.ctx.mode = PagingMode::Pae;
  f.ctx.cr3 = 0x1000;
  f.ctx.nxe = true;
  const uint32_t lin = 0xc0345678;  // PDPT index 3, PD index 0x1a, PT index 0x145
  f.put64(0x1000 + 8 * 3, 0x2000 | P);
  f.put64(0x2000 + 8 * ((lin >> 21) & 0x1ff), 0x3000 | P | RW | US);
  f.put64(0x3000 + 8 * ((lin >> 12) & 0x1ff), 0x9000 | P | RW | US | XD);
  REQUIRE(load_pae_pdptes(f.mem, f.ctx));
  auto t = f.walk(lin, AccessKind::Read, true);
  REQUIRE(t.ok);
  CHECK(t.paddr == 0x9678);
  CHECK_FALSE(t.executable);
  CHECK(f.walk(0x00001000).error_code == 0);  // PDPTE 0 not present
  // Reserved bits in a present PDPTE make MOV CR3 fail (#GP).
  f.put64(0x1000, 0x2000 | P | RW);
  CHECK_FALSE(load_pae_pdptes(f.mem, f.ctx));
}

TEST_CASE("page tables pointing outside RAM fault instead of crashing") {
  LongMode f;
  f.put64(0x1000 + 8 * ((LongMode::kLin >> 39) & 0x1ff), 0xfff000000ull | P | RW);
  auto t = f.walk(LongMode::kLin);
  CHECK_FALSE(t.ok);
  CHECK((t.error_code & pf::kReserved) == pf::kReserved);
}
