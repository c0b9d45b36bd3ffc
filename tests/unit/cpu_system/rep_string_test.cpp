// REP MOVS/STOS against element-by-element semantics (cpu/sem/string.h takes a bulk
// path per page): random overlapping copies and fills of every element size in both
// directions across page boundaries, a page fault part-way (RCX/RSI/RDI and memory
// exact), MMIO sources and destinations (element accesses, in order), stores into code
// (the overwritten instructions run new), 16-bit address wrap-around, segment limits,
// and the yield every 4096 iterations; in the interpreter and in the JIT.
#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>
#include <random>
#include <vector>

#include "tests/unit/cpu_system/system_machine.h"

using namespace emu;
using namespace emu::test;

namespace {

constexpr uint64_t kPt = 0x104000;  // page table of linear 0..2 MiB (4 KiB pages)
constexpr uint64_t kCode = 0x2000;
constexpr uint64_t kData = 0x40000, kDataEnd = 0x50000;  // 16 pages the cases work in
constexpr uint64_t kMmio = 0x300000;                      // an MMIO window (2 MiB page)

enum class Engine { Interp, Jit };

std::vector<Engine> available_engines() {
  if (!Cpu::jit_available()) return {Engine::Interp};
  return {Engine::Interp, Engine::Jit};
}
const char* name(Engine e) { return e == Engine::Jit ? "jit" : "interp"; }

// 64-bit CPL 0, the first 2 MiB identity-mapped by 4 KiB pages; exceptions end run().
struct LongMachine : SystemMachine {
  explicit LongMachine(Engine e) {
    enter_long64(0);
    put64(kPml4 + 0x2000, kPt | 7);
    for (uint64_t k = 0; k < 512; ++k) put64(kPt + 8 * k, (k << 12) | 7);
    cpu.exception_hook = nullptr;
    cpu.flush_tlb();
    if (e == Engine::Jit) REQUIRE(cpu.use_jit(true, 0));
  }
  void unmap(uint64_t lin) {
    put64(kPt + 8 * (lin >> 12), 0);
    cpu.flush_tlb();
  }
  RunResult run_at(uint64_t rip, const std::vector<uint8_t>& bytes, uint64_t budget = 100000) {
    code(rip, bytes);
    s.rip = rip;
    cpu.clear_halted();
    return cpu.run(budget);
  }
};

// What the element-by-element instruction does to a copy of memory (flat 64-bit
// addressing; `bad_page` is not present).
struct Expected {
  uint64_t rcx, rsi, rdi;
  std::optional<uint64_t> fault_address;
};
Expected reference(std::vector<uint8_t>& m, bool movs, unsigned sz, bool down, uint64_t rcx, uint64_t rsi, uint64_t rdi,
                   uint64_t rax, uint64_t bad_page) {
  auto fault_in = [&](uint64_t a) -> std::optional<uint64_t> {
    for (unsigned k = 0; k < sz; ++k)
      if (((a + k) & ~uint64_t{0xfff}) == bad_page) return std::max(a, bad_page);
    return std::nullopt;
  };
  for (; rcx != 0; --rcx) {
    uint8_t v[8];
    if (movs) {
      if (auto f = fault_in(rsi)) return {rcx, rsi, rdi, f};
      std::copy_n(m.begin() + static_cast<std::ptrdiff_t>(rsi), sz, v);
    } else {
      for (unsigned k = 0; k < sz; ++k) v[k] = static_cast<uint8_t>(rax >> (8 * k));
    }
    if (auto f = fault_in(rdi)) return {rcx, rsi, rdi, f};
    std::copy_n(v, sz, m.begin() + static_cast<std::ptrdiff_t>(rdi));
    if (movs) rsi = down ? rsi - sz : rsi + sz;
    rdi = down ? rdi - sz : rdi + sz;
  }
  return {rcx, rsi, rdi, std::nullopt};
}

// rep movs/stos of element size sz (64-bit mode), then HLT.
std::vector<uint8_t> rep_string(bool movs, unsigned sz) {
  std::vector<uint8_t> b;
  if (sz == 2) b.push_back(0x66);
  b.push_back(0xf3);
  if (sz == 8) b.push_back(0x48);
  b.push_back(static_cast<uint8_t>((movs ? 0xa4 : 0xaa) + (sz > 1 ? 1 : 0)));
  b.push_back(0xf4);
  return b;
}

std::vector<uint8_t> snapshot(LongMachine& m) {
  std::vector<uint8_t> v(kDataEnd);
  for (uint64_t a = 0; a < kDataEnd; ++a) v[a] = static_cast<uint8_t>(m.get(a, 1));
  return v;
}

void check_random_cases(Engine e, bool with_fault) {
  std::mt19937_64 rng(with_fault ? 7 : 3);
  for (int trial = 0; trial < 300; ++trial) {
    LongMachine m(e);
    const bool movs = rng() & 1, down = rng() & 1;
    const unsigned sz = 1u << (rng() % 4);
    const uint64_t count = 1 + rng() % (rng() & 1 ? 40 : 2500);
    // Starts near a page boundary in the middle of the data area, ranges that overlap.
    const uint64_t mid = kData + 0x8000;
    const uint64_t rdi = mid + (rng() % 64) - 32 + ((rng() % 3) - 1) * 0x1000;
    const uint64_t rsi = rng() % 3 == 0 ? rdi + (rng() % (4 * sz + 1)) - 2 * sz : mid - 0x2000 + rng() % 0x4000;
    const uint64_t rax = rng();
    for (uint64_t a = kData; a < kDataEnd; a += 8) m.put64(a, rng());
    uint64_t bad_page = ~uint64_t{0};
    if (with_fault) {
      const uint64_t from = (rng() & 1) && movs ? rsi : rdi;
      const int64_t dir = down ? -1 : 1;
      bad_page = (from + static_cast<uint64_t>(dir * static_cast<int64_t>(rng() % (count * sz + 1)))) & ~uint64_t{0xfff};
      m.unmap(bad_page);
    }
    std::vector<uint8_t> want = snapshot(m);
    const Expected x = reference(want, movs, sz, down, count, rsi, rdi, rax, bad_page);
    m.s.gpr[RCX] = count;
    m.s.gpr[RSI] = rsi;
    m.s.gpr[RDI] = rdi;
    m.s.gpr[RAX] = rax;
    if (down) m.s.rflags |= isa::FL_DF;
    INFO(name(e) << " trial " << trial << (movs ? " movs" : " stos") << " size " << sz << (down ? " down" : " up")
                 << " count " << count << std::hex << " rsi " << rsi << " rdi " << rdi << " bad " << bad_page);
    const RunResult r = m.run_at(kCode, rep_string(movs, sz));
    if (x.fault_address) {
      REQUIRE(r.reason == RunResult::Reason::Exception);
      CHECK(r.exception.vector == kPF);
      CHECK(m.s.cr2 == *x.fault_address);
      CHECK(m.s.rip == kCode);
    } else {
      REQUIRE(r.reason == RunResult::Reason::Halted);
    }
    CHECK(m.s.gpr[RCX] == x.rcx);
    CHECK(m.s.gpr[RDI] == x.rdi);
    if (movs) CHECK(m.s.gpr[RSI] == x.rsi);
    if (bad_page != ~uint64_t{0}) m.put64(kPt + 8 * (bad_page >> 12), bad_page | 7);  // to compare it
    const std::vector<uint8_t> got = snapshot(m);
    for (uint64_t a = kData; a < kDataEnd; ++a) {
      if (got[a] == want[a]) continue;
      INFO("first difference at " << std::hex << a);
      CHECK(got[a] == want[a]);
      break;
    }
  }
}

// Records MMIO accesses; reads return a pattern of the offset.
struct Recorder : IoHandler {
  struct Access {
    bool write;
    uint64_t offset;
    unsigned size;
    uint64_t value;
    bool operator==(const Access&) const = default;
  };
  std::vector<Access> log;
  uint64_t io_read(uint64_t offset, unsigned size) override {
    const uint64_t v = 0x0101010101010101ull * (offset & 0xff);
    log.push_back({false, offset, size, v});
    return v & (size == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * size)) - 1);
  }
  void io_write(uint64_t offset, unsigned size, uint64_t value) override { log.push_back({true, offset, size, value}); }
};

}  // namespace

TEST_CASE("REP MOVS/STOS: random overlapping copies and fills match element-by-element results", "[cpu_system][string]") {
  for (Engine e : available_engines()) check_random_cases(e, false);
}

TEST_CASE("REP MOVS/STOS: a page fault part-way leaves exact RCX/RSI/RDI, CR2 and memory", "[cpu_system][string]") {
  for (Engine e : available_engines()) check_random_cases(e, true);
}

TEST_CASE("REP STOS/MOVS: MMIO destinations and sources get element accesses in order", "[cpu_system][string]") {
  for (Engine e : available_engines()) {
    INFO(name(e));
    LongMachine m(e);
    Recorder rec;
    m.mem.add_mmio(kMmio, 0x2000, &rec, "recorder");
    m.cpu.flush_tlb();
    // Fill from RAM into the window: 16 bytes in RAM first, then 4 dword writes.
    m.s.gpr[RDI] = kMmio - 16;
    m.s.gpr[RCX] = 8;
    m.s.gpr[RAX] = 0xa1b2c3d4;
    REQUIRE(m.run_at(kCode, rep_string(false, 4)).reason == RunResult::Reason::Halted);
    CHECK(m.get(kMmio - 16, 4) == 0xa1b2c3d4);
    CHECK(m.get(kMmio - 4, 4) == 0xa1b2c3d4);
    REQUIRE(rec.log.size() == 4);
    for (unsigned k = 0; k < 4; ++k) CHECK(rec.log[k] == Recorder::Access{true, 4u * k, 4, 0xa1b2c3d4});
    // Copy from the window into RAM, downwards: word reads at 6, 4, 2, 0.
    rec.log.clear();
    m.s.gpr[RSI] = kMmio + 6;
    m.s.gpr[RDI] = kData + 6;
    m.s.gpr[RCX] = 4;
    m.s.rflags |= isa::FL_DF;
    REQUIRE(m.run_at(kCode, rep_string(true, 2)).reason == RunResult::Reason::Halted);
    REQUIRE(rec.log.size() == 4);
    for (unsigned k = 0; k < 4; ++k) CHECK((!rec.log[k].write && rec.log[k].offset == 6 - 2 * k && rec.log[k].size == 2));
    CHECK(m.get(kData, 8) == 0x0606040402020000ull);
    CHECK(m.s.gpr[RSI] == kMmio - 2);
    CHECK(m.s.gpr[RDI] == kData - 2);
  }
}

TEST_CASE("REP STOS over the following instructions: they run as written", "[cpu_system][string]") {
  for (Engine e : available_engines()) {
    INFO(name(e));
    LongMachine m(e);
    // mov rdi, kCode+16 ; mov al, 0x90 ; mov ecx, 5 ; rep stosb ; mov eax, 0x11111111 ; hlt
    const uint32_t target = static_cast<uint32_t>(kCode + 16);
    m.s.gpr[RAX] = 0;
    const RunResult r = m.run_at(kCode, {0x48, 0xc7, 0xc7, static_cast<uint8_t>(target), static_cast<uint8_t>(target >> 8), 0, 0,
                                         0xb0, 0x90, 0xb9, 5, 0, 0, 0, 0xf3, 0xaa, 0xb8, 0x11, 0x11, 0x11, 0x11, 0xf4});
    REQUIRE(r.reason == RunResult::Reason::Halted);
    CHECK(m.s.gpr[RAX] == 0x90);
  }
}

TEST_CASE("REP MOVS into a page of code that ran: the new code runs", "[cpu_system][string]") {
  for (Engine e : available_engines()) {
    INFO(name(e));
    LongMachine m(e);
    const uint64_t other = 0x5000;
    for (int k = 0; k < 3; ++k) {  // hot enough for every tier
      REQUIRE(m.run_at(other, {0xb8, 1, 0, 0, 0, 0xf4}).reason == RunResult::Reason::Halted);
      CHECK(m.s.gpr[RAX] == 1);
    }
    m.code(kData, {0xb8, 2, 0, 0, 0, 0xf4});
    m.s.gpr[RSI] = kData;
    m.s.gpr[RDI] = other;
    m.s.gpr[RCX] = 6;
    REQUIRE(m.run_at(kCode, rep_string(true, 1)).reason == RunResult::Reason::Halted);
    m.s.rip = other;
    m.cpu.clear_halted();
    REQUIRE(m.cpu.run(100).reason == RunResult::Reason::Halted);
    CHECK(m.s.gpr[RAX] == 2);
  }
}

TEST_CASE("REP STOS yields every 4096 iterations with RIP at the instruction", "[cpu_system][string]") {
  for (Engine e : available_engines()) {
    INFO(name(e));
    LongMachine m(e);
    m.s.gpr[RDI] = kData;
    m.s.gpr[RCX] = 10000;
    m.s.gpr[RAX] = 0x5a;
    m.run_at(kCode, rep_string(false, 1), 1);
    CHECK(m.s.rip == kCode);
    CHECK(m.s.gpr[RCX] == 10000 - 4096);
    CHECK(m.s.gpr[RDI] == kData + 4096);
    CHECK(m.get(kData + 4095, 1) == 0x5a);
    CHECK(m.get(kData + 4096, 1) != 0x5a);
    m.cpu.clear_halted();
    REQUIRE(m.cpu.run(100).reason == RunResult::Reason::Halted);
    CHECK(m.s.gpr[RCX] == 0);
    CHECK(m.get(kData + 9999, 1) == 0x5a);
  }
}

TEST_CASE("REP STOSB/MOVSW with 16-bit addressing wrap DI and SI at 64 KiB", "[cpu_system][string]") {
  SystemMachine m;
  m.enter_protected32(0);
  m.cpu.exception_hook = nullptr;
  for (uint64_t a = 0; a < 0x20; ++a) m.put8(a, 0xee);
  for (uint64_t a = 0xffe0; a < 0x10020; ++a) m.put8(a, 0xee);
  // addr16 rep stosb: DI 0xfff0, CX 0x20 (the upper halves of EDI and ECX stay).
  m.s.gpr[RDI] = 0x1234fff0;
  m.s.gpr[RCX] = 0xabcd0020;
  m.s.gpr[RAX] = 0x77;
  m.code(kCode, {0x67, 0xf3, 0xaa, 0xf4});
  m.s.rip = kCode;
  REQUIRE(m.cpu.run(100).reason == RunResult::Reason::Halted);
  CHECK(m.s.gpr[RDI] == 0x12340010);
  CHECK(m.s.gpr[RCX] == 0xabcd0000);
  CHECK(m.get(0xfff0, 8) == 0x7777777777777777ull);
  CHECK(m.get(0x0008, 8) == 0x7777777777777777ull);
  CHECK(m.get(0x0010, 1) == 0xee);
  CHECK(m.get(0x10000, 1) == 0xee);
  // addr16 o16 rep movsw downwards from SI 2 to DI 0x8002: SI wraps to 0xfffe.
  m.put16(0x0002, 0x1111);
  m.put16(0x0000, 0x2222);
  m.put16(0xfffe, 0x3333);
  m.put16(0xfffc, 0x4444);
  m.s.gpr[RSI] = 0x2;
  m.s.gpr[RDI] = 0x8002;
  m.s.gpr[RCX] = 4;
  m.s.rflags |= isa::FL_DF;
  m.code(kCode, {0x67, 0x66, 0xf3, 0xa5, 0xf4});
  m.s.rip = kCode;
  m.cpu.clear_halted();
  REQUIRE(m.cpu.run(100).reason == RunResult::Reason::Halted);
  CHECK(m.get(0x7ffc, 8) == 0x1111222233334444ull);
  CHECK(m.s.gpr[RSI] == 0xfffa);
  CHECK(m.s.gpr[RDI] == 0x7ffa);
}

TEST_CASE("REP STOSD/MOVSB stop with #GP(0) at the segment limit, the elements before it done", "[cpu_system][string]") {
  SystemMachine m;
  m.enter_protected32(0);
  m.cpu.exception_hook = nullptr;
  m.gdt(6, seg_desc(0, 0x2fff, kData0, 0x4));  // byte-granular limit 0x2fff
  m.load_cache(isa::SEG_ES, 0x30);
  m.cpu.refresh_mode();
  m.s.gpr[RDI] = 0x2fe0;
  m.s.gpr[RCX] = 16;
  m.s.gpr[RAX] = 0xdeadbeef;
  m.code(0x1000, {0xf3, 0xab, 0xf4});
  m.s.rip = 0x1000;
  RunResult r = m.cpu.run(100);
  REQUIRE(r.reason == RunResult::Reason::Exception);
  CHECK(r.exception.vector == kGP);
  CHECK(m.s.rip == 0x1000);
  CHECK(m.s.gpr[RCX] == 8);
  CHECK(m.s.gpr[RDI] == 0x3000);
  CHECK(m.get(0x2ffc, 4) == 0xdeadbeef);
  CHECK(m.get(0x3000, 4) != 0xdeadbeef);
  // The source's limit (DS), copying upwards: two bytes, then #GP(0).
  m.load_cache(isa::SEG_DS, 0x30);
  m.load_cache(isa::SEG_ES, 0x10);
  m.cpu.refresh_mode();
  m.put16(0x2ffe, 0x4241);
  m.s.gpr[RSI] = 0x2ffe;
  m.s.gpr[RDI] = 0x8000;
  m.s.gpr[RCX] = 4;
  m.code(0x1000, {0xf3, 0xa4, 0xf4});
  m.s.rip = 0x1000;
  r = m.cpu.run(100);
  REQUIRE(r.reason == RunResult::Reason::Exception);
  CHECK(r.exception.vector == kGP);
  CHECK(m.s.gpr[RCX] == 2);
  CHECK(m.s.gpr[RSI] == 0x3000);
  CHECK(m.s.gpr[RDI] == 0x8002);
  CHECK(m.get(0x8000, 2) == 0x4241);
  // Downwards from inside the limit: every byte is within it.
  m.s.gpr[RSI] = 0x2fff;
  m.s.gpr[RCX] = 4;
  m.s.rflags |= isa::FL_DF;
  m.s.rip = 0x1000;
  r = m.cpu.run(100);
  REQUIRE(r.reason == RunResult::Reason::Halted);
  CHECK(m.s.gpr[RSI] == 0x2ffb);
  CHECK(m.s.gpr[RDI] == 0x7ffe);
}
