// Protected-mode I/O permission (SDM vol. 1 19.5): IN/OUT/INS/OUTS at CPL > IOPL go
// through the TSS I/O permission bitmap (32-bit and 64-bit TSS), virtual-8086 code always
// does; and the IOPL-sensitive PUSHF/POPF/INT n of virtual-8086 mode (#GP(0) below IOPL 3).
#include <catch2/catch.hpp>

#include "tests/unit/cpu_system/system_machine.h"

using namespace emu;
using namespace emu::test;

namespace {

constexpr uint32_t kMapBase = 0x68;            // I/O map base in the TSS (right after it)
constexpr uint32_t kTssLimit = kMapBase + 0x2000;  // the whole 64 Ki-port bitmap + 1 byte

// #GP handler: pop eax (error code); mov ebx, 13; hlt. Also the 64-bit one (pop rax).
void install_gp_handler(SystemMachine& m, bool long_mode) {
  m.code(0x2000, {0x58, 0xbb, 13, 0, 0, 0, 0xf4});
  if (long_mode) m.gate64(13, 0x08, 0x2000, 0xe, 0);
  else m.gate32(kIdt, 13, 0x08, 0x2000, 0xe, 0);
}

// Gives the task a TSS long enough for a full bitmap (every port allowed).
void big_tss(SystemMachine& m, unsigned gdt_index, uint32_t limit = kTssLimit) {
  m.gdt(gdt_index, seg_desc(kTss, limit, 0x8b, 0));
  m.s.tr = sys::make_cache(static_cast<uint16_t>(gdt_index * 8),
                           sys::Descriptor{static_cast<uint32_t>(m.get(kGdt + gdt_index * 8, 4)),
                                           static_cast<uint32_t>(m.get(kGdt + gdt_index * 8 + 4, 4)), 0});
  m.put16(kTss + 0x66, kMapBase);
  for (uint32_t k = 0; k < 0x2000; ++k) m.put8(kTss + kMapBase + k, 0);
  m.put8(kTss + kMapBase + 0x2000, 0xff);
}
void deny_port(SystemMachine& m, uint16_t port) {
  const uint64_t at = kTss + kMapBase + port / 8;
  m.put8(at, static_cast<uint8_t>(m.get(at, 1) | (1u << (port & 7))));
}

// Runs `code` (then `jmp $`: HLT would fault at CPL 3) from `rip` with the state reset to
// `start` (a fault leaves the CPU halted at CPL 0 in the handler); returns EBX (13 after
// the #GP handler, else what the code left there; it starts at 0xff).
unsigned run_from(SystemMachine& m, const CpuState& start, std::vector<uint8_t> code, uint64_t rip, uint64_t rsp) {
  code.insert(code.end(), {0xeb, 0xfe});
  m.s = start;
  m.cpu.clear_halted();
  m.cpu.refresh_mode();
  m.cpu.flush_tlb();
  m.code(0x5000, code);
  m.s.rip = rip;
  m.s.gpr[RBX] = 0xff;
  m.s.gpr[RAX] = 0xdead;
  m.s.gpr[RSP] = rsp;
  m.cpu.run(50);
  return static_cast<unsigned>(m.s.gpr[RBX]);
}
// Runs `code` at 0x5000; true if it faulted with #GP(0).
bool gp0(SystemMachine& m, const CpuState& start, std::vector<uint8_t> code) {
  return run_from(m, start, std::move(code), 0x5000, 0x8000) == 13 && m.s.gpr[RAX] == 0;
}

}  // namespace

TEST_CASE("I/O bitmap: CPL 3 above IOPL in 32-bit protected mode", "[cpu_system]") {
  SystemMachine m;
  m.enter_protected32(3);
  install_gp_handler(m, false);
  m.put32(kTss + 4, 0x9000);  // ESP0
  m.put32(kTss + 8, 0x10);    // SS0
  big_tss(m, 5);
  m.s.rflags = 0x2;  // IOPL 0
  m.s.gpr[RDX] = 0x87;
  m.s.gpr[RDI] = 0x6000;
  m.s.gpr[RSI] = 0x6000;
  CpuState start = m.s;

  SECTION("ports whose bits are clear are allowed") {
    CHECK_FALSE(gp0(m, start, {0xe4, 0x80}));              // in al, 0x80
    CHECK_FALSE(gp0(m, start, {0xe6, 0x80}));              // out 0x80, al
    CHECK_FALSE(gp0(m, start, {0x66, 0xed}));              // in ax, dx (0x87, 0x88)
  }
  SECTION("a set bit refuses the port: #GP(0)") {
    deny_port(m, 0x80);
    CHECK(gp0(m, start, {0xe4, 0x80}));
    CHECK(gp0(m, start, {0xe6, 0x80}));
    CHECK_FALSE(gp0(m, start, {0xe4, 0x81}));
  }
  SECTION("every byte of a wider access is checked, across a bitmap byte") {
    deny_port(m, 0x88);
    CHECK_FALSE(gp0(m, start, {0xec}));      // in al, dx: 0x87 only
    CHECK(gp0(m, start, {0x66, 0xed}));      // in ax, dx: 0x87..0x88
    CHECK(gp0(m, start, {0xed}));            // in eax, dx: 0x87..0x8a
  }
  SECTION("INS/OUTS use the bitmap too") {
    CHECK_FALSE(gp0(m, start, {0x6e}));  // outsb
    deny_port(m, 0x87);
    CHECK(gp0(m, start, {0x6e}));
    CHECK(gp0(m, start, {0x6c}));  // insb
  }
  SECTION("the bitmap must lie within the TSS limit (two bytes are read)") {
    big_tss(m, 5, kMapBase + 0x0f);  // bitmap bytes 0..0x0f: ports 0..0x7f
    start.tr = m.s.tr;
    CHECK_FALSE(gp0(m, start, {0xe4, 0x70}));
    CHECK(gp0(m, start, {0xe4, 0x78}));  // its byte (0x0f) is in, the second one read is not
    CHECK(gp0(m, start, {0xe4, 0x80}));
  }
  SECTION("a TSS shorter than 104 bytes has no bitmap") {
    big_tss(m, 5, 0x60);
    start.tr = m.s.tr;
    CHECK(gp0(m, start, {0xe4, 0x80}));
  }
  SECTION("IOPL 3 allows every port without the bitmap") {
    deny_port(m, 0x80);
    start.rflags = 0x3002;
    CHECK_FALSE(gp0(m, start, {0xe4, 0x80}));
  }
}

TEST_CASE("I/O bitmap: 64-bit TSS at CPL 3", "[cpu_system]") {
  SystemMachine m;
  m.enter_long64(3);
  install_gp_handler(m, true);
  m.put64(kTss + 4, 0x9000);  // RSP0
  big_tss(m, 6);
  m.gdt(7, 0);
  m.s.rflags = 0x2;
  const CpuState start = m.s;
  CHECK_FALSE(gp0(m, start, {0xe4, 0x80}));
  deny_port(m, 0x80);
  CHECK(gp0(m, start, {0xe4, 0x80}));
  CHECK(m.s.cpl == 0);
}

TEST_CASE("virtual-8086 mode: IOPL-sensitive instructions and the I/O bitmap", "[cpu_system]") {
  SystemMachine m;
  m.enter_protected32(0);
  install_gp_handler(m, false);
  m.put32(kTss + 4, 0x9000);  // ESP0
  m.put32(kTss + 8, 0x10);    // SS0
  big_tss(m, 5);
  m.gate32(kIdt, 0x41, 0x08, 0x2800, 0xe, 3);
  m.code(0x2800, {0xbb, 0x41, 0, 0, 0, 0xf4});  // mov ebx, 0x41; hlt
  const CpuState start = m.s;

  // Enters virtual-8086 mode at 0500:0000 (linear 0x5000) through IRETD, runs `code`.
  auto run_v86 = [&](std::vector<uint8_t> code, unsigned iopl) {
    m.code(0x4000, {0xcf});  // iretd
    const uint32_t frame[] = {0x0000, 0x0500, 0x20002u | (iopl << 12), 0x1000, 0x0700, 0, 0, 0, 0};
    for (unsigned k = 0; k < 9; ++k) m.put32(0x7000 + 4 * k, frame[k]);
    return run_from(m, start, std::move(code), 0x4000, 0x7000);
  };

  SECTION("IRETD enters virtual-8086 mode; code runs at CPL 3 with real-mode addressing") {
    CHECK(run_v86({0xbb, 0x34, 0x12}, 3) == 0x1234);  // mov bx, 0x1234
  }
  SECTION("PUSHF/POPF/INT n below IOPL 3: #GP(0)") {
    CHECK(run_v86({0x9c}, 0) == 13);
    CHECK(m.s.gpr[RAX] == 0);
    CHECK(run_v86({0x9d}, 2) == 13);
    CHECK(run_v86({0xcd, 0x41}, 0) == 13);
    CHECK(run_v86({0xcc}, 0) == 13);  // INT3 too
  }
  SECTION("with IOPL 3 they run (INT n goes through the IDT)") {
    CHECK(run_v86({0x9c, 0x9d, 0xbb, 0x01, 0x00}, 3) == 1);
    CHECK(run_v86({0xcd, 0x41}, 3) == 0x41);
  }
  SECTION("I/O in virtual-8086 mode always consults the bitmap, even with IOPL 3") {
    CHECK(run_v86({0xe4, 0x80, 0xbb, 0x01, 0x00}, 3) == 1);
    deny_port(m, 0x80);
    CHECK(run_v86({0xe4, 0x80}, 3) == 13);
  }
}
