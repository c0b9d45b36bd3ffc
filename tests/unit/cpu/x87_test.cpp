// Unit tests of the x87 semantics and FXSAVE/FXRSTOR through the interpreter: expected
// values are the architectural ones from the Intel SDM (init values, stack-fault bits,
// indefinite encodings, image layouts), not outputs of the implementation.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "cpu/cpu.h"
#include "memory/physical_memory.h"

using namespace emu;

namespace {

constexpr uint64_t kCode = 0x1000, kData = 0x30000;
constexpr unsigned kRax = 0, kRbx = 3;

struct X87Machine {
  PhysicalMemory mem;
  Cpu cpu{mem};
  X87Machine() {
    mem.add_ram(0, 0x40000);
    cpu.set_flat_long_mode(3);
    cpu.state().gpr[4] = 0x20000;
    cpu.state().gpr[kRbx] = kData;
  }
  // Each snippet gets fresh code bytes (host-side loads do not invalidate decoded blocks).
  RunResult run(std::vector<uint8_t> code) {
    code.push_back(0xcc);  // INT3 ends the snippet
    const uint64_t at = kCode + 0x100 * snippets++;
    mem.load_bytes(at, code.data(), code.size());
    cpu.state().rip = at;
    return cpu.run(1000);
  }
  unsigned snippets = 0;
  uint64_t data(unsigned off, unsigned size) { return mem.read(kData + off, size); }
  X87State& x87() { return cpu.state().x87; }
};

bool stopped_at_int3(const RunResult& r) {
  return r.reason == RunResult::Reason::Exception && r.exception.vector == kBP;
}

}  // namespace

TEST_CASE("x87: 1 + 1 stored as a double is 2.0", "[x87]") {
  X87Machine m;
  // FLD1; FLD1; FADDP ST(1),ST; FSTP qword [rbx]
  REQUIRE(stopped_at_int3(m.run({0xd9, 0xe8, 0xd9, 0xe8, 0xde, 0xc1, 0xdd, 0x1b})));
  CHECK(m.data(0, 8) == 0x4000000000000000ull);
  CHECK(m.x87().ftw == 0xffff);  // stack empty again
  CHECK(m.x87().top() == 0);
}

TEST_CASE("x87: FNINIT state, FNSTCW and FNSTSW AX", "[x87]") {
  X87Machine m;
  m.x87().fcw = 0x0000;
  m.x87().fsw = 0x3fff;
  m.cpu.state().gpr[kRax] = 0xffffffffffffffffull;
  // FNINIT; FNSTCW [rbx]; FNSTSW AX
  REQUIRE(stopped_at_int3(m.run({0xdb, 0xe3, 0xd9, 0x3b, 0xdf, 0xe0})));
  CHECK(m.data(0, 2) == 0x037f);
  CHECK(m.cpu.state().gpr[kRax] == 0xffffffffffff0000ull);
  CHECK(m.x87().ftw == 0xffff);
}

TEST_CASE("x87: stack overflow and underflow (masked) give the indefinite", "[x87]") {
  X87Machine m;
  SECTION("ninth push overflows: IE, SF, C1=1") {
    std::vector<uint8_t> code;
    for (int k = 0; k < 9; ++k) code.insert(code.end(), {0xd9, 0xe8});  // FLD1 x 9
    REQUIRE(stopped_at_int3(m.run(code)));
    CHECK((m.x87().fsw & 0x3ff) == (0x200 | 0x40 | 0x01));
    CHECK(m.x87().st[m.x87().top()].sign_exp == 0xffff);
    CHECK(m.x87().st[m.x87().top()].signif == 0xc000000000000000ull);
  }
  SECTION("FADD ST0,ST1 on an empty stack underflows: IE, SF, C1=0") {
    REQUIRE(stopped_at_int3(m.run({0xdb, 0xe3, 0xd8, 0xc1})));
    CHECK((m.x87().fsw & 0x3ff) == (0x40 | 0x01));
    CHECK(m.x87().st[0].sign_exp == 0xffff);  // TOP 0: ST0 is R0
    CHECK(m.x87().st[0].signif == 0xc000000000000000ull);
  }
  SECTION("FISTP of an empty register stores the integer indefinite") {
    REQUIRE(stopped_at_int3(m.run({0xdb, 0xe3, 0xdb, 0x1b})));  // FNINIT; FISTP dword [rbx]
    CHECK(m.data(0, 4) == 0x80000000u);
  }
}

TEST_CASE("x87: unmasked invalid sets ES/B and #MF arrives at FWAIT (CR0.NE)", "[x87]") {
  X87Machine m;
  m.cpu.state().cr0 |= 0x20;  // NE
  m.mem.write(kData, 2, 0x037e);  // IE unmasked
  // FNINIT; FLDCW [rbx]; FLD ST(3) (empty: underflow); FWAIT
  RunResult r = m.run({0xdb, 0xe3, 0xd9, 0x2b, 0xd9, 0xc3, 0x9b});
  REQUIRE(r.reason == RunResult::Reason::Exception);
  CHECK(r.exception.vector == kMF);
  CHECK(m.cpu.state().rip == kCode + 6);  // at the FWAIT (first snippet)
  CHECK((m.x87().fsw & 0x80c1) == 0x80c1);  // B, ES, SF, IE
  CHECK(m.x87().top() == 0);              // nothing was pushed
}

TEST_CASE("x87: with an exception pending, FLDCW/FLDENV/FRSTOR wait and the FN* forms do not", "[x87]") {
  // SDM 8.6 (and the host): FNSTSW/FNSTCW/FNSTENV/FNSAVE/FNCLEX/FNINIT skip the check,
  // every other x87 instruction, control ones included, raises #MF first.
  struct Probe {
    std::vector<uint8_t> code;
    bool waits;
  };
  const Probe probes[] = {{{0xd9, 0x2b}, true},  {{0xd9, 0x23}, true},  {{0xdd, 0x23}, true},
                          {{0xd9, 0xd0}, true},  {{0xdf, 0xe0}, false}, {{0xd9, 0x3b}, false},
                          {{0xd9, 0x33}, false}, {{0xdb, 0xe2}, false}, {{0xdb, 0xe3}, false}};
  for (const Probe& p : probes) {
    X87Machine m;
    m.cpu.state().cr0 |= 0x20;  // NE
    m.x87().fcw = 0x037e;       // IE unmasked
    m.x87().fsw = 0x8081;       // IE pending: ES, B
    INFO("opcode " << int(p.code[0]) << " " << int(p.code[1]));
    RunResult r = m.run(p.code);
    if (p.waits) {
      REQUIRE(r.reason == RunResult::Reason::Exception);
      CHECK(r.exception.vector == kMF);
      CHECK(m.cpu.state().rip == kCode);
    } else {
      CHECK(stopped_at_int3(r));
    }
  }
}

TEST_CASE("x87: #NM with CR0.TS; FWAIT only with MP", "[x87]") {
  X87Machine m;
  m.cpu.state().cr0 |= 0x8;  // TS
  RunResult r = m.run({0xd9, 0xe8});
  REQUIRE(r.reason == RunResult::Reason::Exception);
  CHECK(r.exception.vector == kNM);
  CHECK(stopped_at_int3(m.run({0x9b})));  // MP clear: FWAIT runs
  m.cpu.state().cr0 |= 0x2;
  r = m.run({0x9b});
  CHECK(r.exception.vector == kNM);
}

TEST_CASE("x87: FCOMI, FISTP rounding, FBSTP", "[x87]") {
  X87Machine m;
  SECTION("FLD1; FLDZ; FCOMI: 0 < 1 sets CF only") {
    REQUIRE(stopped_at_int3(m.run({0xd9, 0xe8, 0xd9, 0xee, 0xdb, 0xf1})));
    uint64_t fl = read_rflags(m.cpu.state());
    CHECK((fl & 0x45) == 0x01);
  }
  SECTION("FLDPI; FISTP dword rounds to 3") {
    REQUIRE(stopped_at_int3(m.run({0xd9, 0xeb, 0xdb, 0x1b})));
    CHECK(m.data(0, 4) == 3);
  }
  SECTION("FILD word -1234; FBSTP stores packed BCD with the sign byte") {
    m.mem.write(kData, 2, static_cast<uint16_t>(-1234));
    REQUIRE(stopped_at_int3(m.run({0xdf, 0x03, 0xdf, 0x33})));
    CHECK(m.data(0, 2) == 0x1234);
    CHECK(m.data(2, 4) == 0);
    CHECK(m.data(9, 1) == 0x80);
  }
}

TEST_CASE("x87: FNSTENV 32-bit image and the full tag word", "[x87]") {
  X87Machine m;
  // FNINIT; FLD1; FLDZ; FNSTENV [rbx]
  REQUIRE(stopped_at_int3(m.run({0xdb, 0xe3, 0xd9, 0xe8, 0xd9, 0xee, 0xd9, 0x33})));
  CHECK((m.data(0, 2)) == 0x037f);
  CHECK((m.data(4, 2) >> 11 & 7) == 6);  // TOP
  // R7 = 1.0 (valid, 00), R6 = +0 (zero, 01), others empty (11).
  CHECK(m.data(8, 2) == 0x1fff);
  CHECK((m.x87().fcw & 0x3f) == 0x3f);  // all exceptions masked afterwards
}

TEST_CASE("FXSAVE/FXRSTOR layout, round trip and #GP", "[x87][fxsave]") {
  X87Machine m;
  m.cpu.state().xmm[0].q[0] = 0x1122334455667788ull;
  m.cpu.state().xmm[15].q[1] = 0x99aabbccddeeff00ull;
  m.cpu.state().mxcsr = 0x1f80 | 0x6000;
  // FNINIT; FLD1; FXSAVE [rbx]
  REQUIRE(stopped_at_int3(m.run({0xdb, 0xe3, 0xd9, 0xe8, 0x0f, 0xae, 0x03})));
  CHECK(m.data(0, 2) == 0x037f);
  CHECK(m.data(4, 1) == 0x80);  // abridged tag: R7 valid
  CHECK(m.data(24, 4) == 0x7f80);
  CHECK(m.data(32, 8) == 0x8000000000000000ull);  // ST0 = 1.0
  CHECK(m.data(40, 2) == 0x3fff);
  CHECK(m.data(160, 8) == 0x1122334455667788ull);
  CHECK(m.data(160 + 16 * 15 + 8, 8) == 0x99aabbccddeeff00ull);

  m.cpu.state().xmm[0].q[0] = 0;
  m.cpu.state().mxcsr = 0x1f80;
  REQUIRE(stopped_at_int3(m.run({0xdb, 0xe3, 0x0f, 0xae, 0x0b})));  // FNINIT; FXRSTOR [rbx]
  CHECK(m.cpu.state().xmm[0].q[0] == 0x1122334455667788ull);
  CHECK(m.cpu.state().mxcsr == 0x7f80u);
  CHECK(m.x87().top() == 7);
  CHECK(m.x87().ftw == 0x3fff);

  m.mem.write(kData + 24, 4, 0x10000);  // reserved MXCSR bit
  RunResult r = m.run({0x0f, 0xae, 0x0b});
  CHECK(r.exception.vector == kGP);
  m.cpu.state().gpr[kRbx] = kData + 8;  // misaligned image
  r = m.run({0x0f, 0xae, 0x03});
  CHECK(r.exception.vector == kGP);
}
