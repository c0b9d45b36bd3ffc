// Interpreter tests: programs run from guest RAM in 64-bit, 32-bit and real mode;
// lazy flags against SDM-defined results; precise exceptions (#DE, #GP, #UD, #PF on a
// fetch that crosses into an unmapped page); REP strings stopping at an iteration
// boundary; self-modifying code invalidating decoded blocks.
#include <catch2/catch.hpp>

#include <cstring>
#include <string_view>
#include <vector>

#include "cpu/cpu.h"
#include "cpu/cpuid.h"
#include "cpu/isa/opcode_table.h"

using namespace emu;

namespace {

constexpr uint64_t kCode = 0x1000;
constexpr uint64_t kData = 0x8000;
constexpr uint64_t kStackTop = 0x20000;

struct Machine {
  PhysicalMemory mem;
  Cpu cpu{mem};
  Machine() {
    mem.add_ram(0, 0x40000);
    cpu.set_flat_long_mode(3);
    cpu.state().gpr[RSP] = kStackTop;
  }
  void load(const std::vector<uint8_t>& code, uint64_t at = kCode) {
    mem.load_bytes(at, code.data(), code.size());
    cpu.state().rip = at;
  }
  RunResult run(uint64_t n = 1000) { return cpu.run(n); }
  uint64_t& r(unsigned i) { return cpu.state().gpr[i]; }
};

// A translator that maps linear = physical below `limit` and faults (#PF) above it.
struct LimitTranslator : AddressTranslator {
  uint64_t limit;
  explicit LimitTranslator(uint64_t l) : limit(l) {}
  Translation translate(uint64_t lin, Access a, unsigned cpl) override {
    if (lin < limit) return {true, lin, {}};
    Translation t;
    t.ok = false;
    t.fault.vector = kPF;
    t.fault.has_error_code = true;
    t.fault.error_code = (a == Access::Write ? kPfWrite : 0) | (a == Access::Fetch ? kPfFetch : 0) | (cpl == 3 ? kPfUser : 0);
    t.fault.fault_address = lin;
    return t;
  }
};

}  // namespace

TEST_CASE("interpreter: loop summing 1..100", "[interp]") {
  Machine m;
  // xor eax,eax; mov ecx,100; L: add eax,ecx; dec ecx; jnz L; hlt-free end: int3
  m.load({0x31, 0xc0, 0xb9, 100, 0, 0, 0, 0x01, 0xc8, 0xff, 0xc9, 0x75, 0xfa, 0xcc});
  RunResult res = m.run(10000);
  REQUIRE(res.reason == RunResult::Reason::Exception);
  CHECK(res.exception.vector == kBP);
  CHECK(res.exception.software);
  CHECK(m.r(RAX) == 5050);
  CHECK(m.r(RCX) == 0);
  CHECK(m.cpu.state().rip == kCode + 14);  // past the INT3
  CHECK(res.instructions == 2 + 3 * 100 + 1);
}

TEST_CASE("interpreter: instruction budget stops at an instruction boundary", "[interp]") {
  Machine m;
  m.load({0x48, 0xff, 0xc0, 0xeb, 0xfb});  // L: inc rax; jmp L
  RunResult res = m.run(7);
  CHECK(res.reason == RunResult::Reason::InstructionLimit);
  CHECK(res.instructions == 7);
  CHECK(m.r(RAX) == 4);
  CHECK(m.cpu.state().rip == kCode + 3);
}

TEST_CASE("lazy flags match the SDM definitions", "[flags]") {
  struct Case {
    std::vector<uint8_t> code;
    uint64_t rax, rbx;
    uint64_t expect_flags;  // CF PF AF ZF SF OF subset
  };
  using namespace emu::isa;
  const Case cases[] = {
      // add al, bl: 0x7f + 1 = 0x80: OF SF AF, PF clear (0x80 has one bit)
      {{0x00, 0xd8}, 0x7f, 0x01, FL_OF | FL_SF | FL_AF},
      // add al, bl: 0xff + 1 = 0: CF ZF AF PF
      {{0x00, 0xd8}, 0xff, 0x01, FL_CF | FL_ZF | FL_AF | FL_PF},
      // sub eax, ebx: 0 - 1 = 0xffffffff: CF SF AF PF
      {{0x29, 0xd8}, 0, 1, FL_CF | FL_SF | FL_AF | FL_PF},
      // sub rax, rbx: 0x8000000000000000 - 1: OF AF (result 0x7fff.. has PF: low byte 0xff even)
      {{0x48, 0x29, 0xd8}, 0x8000000000000000ull, 1, FL_OF | FL_AF | FL_PF},
      // and eax, ebx: 0xf0 & 0x0f = 0: ZF PF
      {{0x21, 0xd8}, 0xf0, 0x0f, FL_ZF | FL_PF},
      // neg eax (rax=1): CF SF AF PF
      {{0xf7, 0xd8}, 1, 0, FL_CF | FL_SF | FL_AF | FL_PF},
      // neg eax (rax=0): ZF PF, CF clear
      {{0xf7, 0xd8}, 0, 0, FL_ZF | FL_PF},
      // cmp ax, bx: 0x8000 - 0x0001 -> OF, AF (0x7fff)
      {{0x66, 0x39, 0xd8}, 0x8000, 1, FL_OF | FL_AF | FL_PF},
  };
  for (const Case& c : cases) {
    Machine m;
    std::vector<uint8_t> code = c.code;
    code.push_back(0xcc);
    m.load(code);
    m.r(RAX) = c.rax;
    m.r(RBX) = c.rbx;
    m.run();
    uint64_t f = read_rflags(m.cpu.state()) & FL_ARITH;
    INFO("code byte " << int(c.code[0]) << " rax " << c.rax);
    CHECK(f == c.expect_flags);
  }
}

TEST_CASE("inc/dec keep CF; adc/sbb use it", "[flags]") {
  Machine m;
  // stc; inc eax; (CF must stay 1) adc ebx, 0 ; int3
  m.load({0xf9, 0xff, 0xc0, 0x83, 0xd3, 0x00, 0xcc});
  m.r(RAX) = 0xffffffff;
  m.r(RBX) = 5;
  m.run();
  CHECK(m.r(RAX) == 0);
  CHECK(m.r(RBX) == 6);
}

TEST_CASE("precise exceptions leave the state at the faulting instruction", "[interp]") {
  SECTION("#DE") {
    Machine m;
    m.load({0x48, 0xff, 0xc1, 0x48, 0xf7, 0xf3});  // inc rcx; div rbx
    m.r(RAX) = 7;
    m.r(RBX) = 0;
    RunResult res = m.run();
    REQUIRE(res.reason == RunResult::Reason::Exception);
    CHECK(res.exception.vector == kDE);
    CHECK(m.cpu.state().rip == kCode + 3);
    CHECK(m.r(RAX) == 7);
    CHECK(m.r(RCX) == 1);
    CHECK(res.instructions == 1);
  }
  SECTION("#GP on a non-canonical address") {
    Machine m;
    m.load({0x48, 0x89, 0x03});  // mov [rbx], rax
    m.r(RBX) = 0x0000800000000000ull;
    RunResult res = m.run();
    REQUIRE(res.reason == RunResult::Reason::Exception);
    CHECK(res.exception.vector == kGP);
    CHECK(res.exception.error_code == 0);
    CHECK(m.cpu.state().rip == kCode);
  }
  SECTION("#SS on a non-canonical stack address") {
    Machine m;
    m.load({0x50});  // push rax
    m.r(RSP) = 0x0000800000000004ull;
    RunResult res = m.run();
    REQUIRE(res.reason == RunResult::Reason::Exception);
    CHECK(res.exception.vector == kSS);
    CHECK(m.r(RSP) == 0x0000800000000004ull);
  }
  SECTION("#UD for UD2 and for an encoding without a form") {
    Machine m;
    m.load({0x0f, 0x0b});
    RunResult res = m.run();
    CHECK(res.exception.vector == kUD);
    m.load({0x0f, 0x04});  // no instruction (reloaded over the decoded UD2: must not run stale code)
    res = m.run();
    CHECK(res.exception.vector == kUD);
  }
  SECTION("privileged instruction at CPL 3") {
    Machine m;
    m.load({0xf4});  // hlt
    RunResult res = m.run();
    CHECK(res.exception.vector == kGP);
    m.load({0xfa});  // cli with IOPL 0
    res = m.run();
    CHECK(res.exception.vector == kGP);
  }
  SECTION("#PF on an instruction crossing into an unmapped page; push faults change nothing") {
    Machine m;
    LimitTranslator tr(0x3000);
    m.cpu.set_translator(&tr);
    // mov eax, imm32 placed so the immediate crosses into page 0x3000.
    m.load({0x90, 0xb8, 1, 2, 3, 4}, 0x3000 - 3);
    RunResult res = m.run();
    REQUIRE(res.reason == RunResult::Reason::Exception);
    CHECK(res.exception.vector == kPF);
    CHECK(res.exception.fault_address == 0x3000);
    CHECK((res.exception.error_code & kPfFetch));
    CHECK(m.cpu.state().rip == 0x3000 - 2);  // the NOP ran, the MOV faulted
    CHECK(m.cpu.state().cr2 == 0x3000);
  }
}

TEST_CASE("REP MOVSB stops at an iteration boundary and resumes", "[interp][string]") {
  Machine m;
  for (unsigned k = 0; k < 10000; ++k) {
    uint8_t b = static_cast<uint8_t>(k * 7);
    m.mem.write_bytes(kData + k, &b, 1);
  }
  m.load({0xf3, 0xa4, 0xcc});  // rep movsb; int3
  m.r(RSI) = kData;
  m.r(RDI) = kData + 0x10000;
  m.r(RCX) = 10000;
  RunResult res = m.run(1);
  CHECK(res.reason == RunResult::Reason::InstructionLimit);
  CHECK(m.cpu.state().rip == kCode);  // still at the REP instruction
  CHECK(m.r(RCX) > 0);
  CHECK(m.r(RCX) < 10000);
  CHECK(m.r(RSI) == kData + (10000 - m.r(RCX)));
  res = m.run(100);
  CHECK(res.exception.vector == kBP);
  CHECK(m.r(RCX) == 0);
  std::vector<uint8_t> out(10000);
  m.mem.read_bytes(kData + 0x10000, out.data(), out.size());
  bool same = true;
  for (unsigned k = 0; k < 10000; ++k) same = same && out[k] == static_cast<uint8_t>(k * 7);
  CHECK(same);
}

TEST_CASE("REPNE SCASB finds a byte; STD walks down", "[interp][string]") {
  Machine m;
  const char text[] = "hello, world";
  m.mem.write_bytes(kData, text, sizeof text);
  m.load({0xf2, 0xae, 0xcc});  // repne scasb
  m.r(RAX) = 'w';
  m.r(RDI) = kData;
  m.r(RCX) = 100;
  m.run();
  CHECK(m.r(RDI) == kData + 8);  // one past the 'w' at index 7
  CHECK(m.r(RCX) == 100 - 8);
  CHECK(flag_zf(m.cpu.state()));

  Machine n;
  n.load({0xfd, 0xf3, 0xaa, 0xfc, 0xcc});  // std; rep stosb; cld
  n.r(RAX) = 0xab;
  n.r(RDI) = kData + 9;
  n.r(RCX) = 10;
  n.run();
  uint8_t buf[10];
  n.mem.read_bytes(kData, buf, 10);
  for (uint8_t b : buf) CHECK(b == 0xab);
  CHECK(n.r(RDI) == kData - 1);
}

TEST_CASE("self-modifying code invalidates decoded blocks", "[interp][smc]") {
  Machine m;
  // 0: mov eax, 1          b8 01 00 00 00
  // 5: mov byte [rip+X], 2 c6 05 <rel32> 02   (patches the immediate of the MOV at 13)
  // 12: nop                90
  // 13: mov ebx, 9         bb 09 00 00 00
  // 18: int3               cc
  std::vector<uint8_t> code = {0xb8, 1, 0, 0, 0, 0xc6, 0x05, 0, 0, 0, 0, 0x02, 0x90, 0xbb, 9, 0, 0, 0, 0xcc};
  // rel32 is relative to the end of the c6 instruction (offset 12); target offset 14.
  code[7] = 14 - 12;
  m.load(code);
  RunResult res = m.run();
  CHECK(res.exception.vector == kBP);
  CHECK(m.r(RBX) == 2);  // the patched value, not the decoded 9

  // Run the same code again after patching it from outside through the CPU path:
  // a second program stores to the cached block's bytes.
  Machine k;
  std::vector<uint8_t> body = {0xb8, 0x11, 0, 0, 0, 0xcc};  // mov eax, 0x11; int3
  k.load(body);
  k.run();
  CHECK(k.r(RAX) == 0x11);
  // mov byte [kCode+1], 0x22 ; int3   (placed elsewhere)
  std::vector<uint8_t> patch = {0xc6, 0x04, 0x25, uint8_t(kCode + 1), uint8_t((kCode + 1) >> 8), 0, 0, 0x22, 0xcc};
  k.load(patch, 0x5000);
  k.run();
  k.cpu.state().rip = kCode;
  k.run();
  CHECK(k.r(RAX) == 0x22);
}

TEST_CASE("call/ret, push/pop and the stack", "[interp]") {
  Machine m;
  // call f; int3; f: push rbx; pop rcx; ret
  m.load({0xe8, 0x01, 0, 0, 0, 0xcc, 0x53, 0x59, 0xc3});
  m.r(RBX) = 0x1234;
  RunResult res = m.run();
  CHECK(res.exception.vector == kBP);
  CHECK(m.r(RCX) == 0x1234);
  CHECK(m.r(RSP) == kStackTop);
  CHECK(m.cpu.state().rip == kCode + 6);
}

TEST_CASE("32-bit protected mode and 16-bit real mode programs", "[interp]") {
  SECTION("32-bit: pusha/popa and inc via 0x40") {
    Machine m;
    m.cpu.set_flat_protected_mode(0);
    m.r(RSP) = kStackTop;
    m.load({0x40, 0x60, 0x31, 0xc0, 0x61, 0xcc});  // inc eax; pusha; xor eax,eax; popa; int3
    m.r(RAX) = 41;
    m.run();
    CHECK(m.r(RAX) == 42);
    CHECK(m.r(RSP) == kStackTop);
  }
  SECTION("real mode: segment arithmetic") {
    Machine m;
    m.cpu.set_real_mode();
    // mov ax, 0x100; mov ds, ax; mov byte [0x10], 0x5a; int3
    m.load({0xb8, 0x00, 0x01, 0x8e, 0xd8, 0xc6, 0x06, 0x10, 0x00, 0x5a, 0xcc});
    m.run();
    uint8_t b = 0;
    m.mem.read_bytes(0x1000 + 0x10, &b, 1);
    CHECK(b == 0x5a);
    CHECK(m.cpu.state().seg[3].base == 0x1000);
  }
  SECTION("BCD: DAA after adding packed decimals") {
    Machine m;
    m.cpu.set_flat_protected_mode(0);
    m.load({0x04, 0x38, 0x27, 0xcc});  // add al, 0x38; daa  (0x49 + 0x38 = 87 decimal)
    m.r(RAX) = 0x49;
    m.run();
    CHECK((m.r(RAX) & 0xff) == 0x87);
  }
}

TEST_CASE("CPUID advertises what is implemented", "[cpuid]") {
  Machine m;
  m.load({0x0f, 0xa2, 0xcc});
  m.r(RAX) = 1;
  m.run();
  CHECK((m.r(RDX) & (1u << 25)) != 0);  // SSE
  CHECK((m.r(RDX) & (1u << 26)) != 0);  // SSE2
  CHECK((m.r(RDX) & 1u) != 0);          // x87 FPU
  CHECK((m.r(RDX) & (1u << 24)) != 0);  // FXSR
  // SSE3, SSSE3, SSE4.1, SSE4.2 (cpu/sem/sse4.h), not MONITOR/MWAIT (bit 3: #UD).
  CHECK((m.r(RCX) & 1u) != 0);
  CHECK((m.r(RCX) & (1u << 3)) == 0);
  CHECK((m.r(RCX) & (1u << 9)) != 0);
  CHECK((m.r(RCX) & (1u << 19)) != 0);
  CHECK((m.r(RCX) & (1u << 20)) != 0);
  // One form of each advertised extension is in the table with semantics.
  for (std::string_view mn : {"HADDPS", "LDDQU", "PSHUFB", "PALIGNR", "ROUNDPS", "PTEST", "PCMPISTRI", "PCMPGTQ"}) {
    bool implemented = false;
    for (const isa::Form& f : isa::kForms)
      if (f.mnemonic == mn && !(f.attrs & isa::UD)) implemented = true;
    CHECK(implemented);
  }
  CHECK((m.r(RDX) & (1u << 15)) != 0);  // CMOV
  CHECK((m.r(RCX) & (1u << 23)) != 0);  // POPCNT
}

TEST_CASE("RDRAND and RDSEED: random values, CF=1, other arithmetic flags clear; advertised", "[cpuid]") {
  // RDRAND RAX; RDRAND ECX; RDSEED DX (66); RDSEED R9 (REX.W); INT3
  Machine m;
  m.load({0x48, 0x0f, 0xc7, 0xf0, 0x0f, 0xc7, 0xf1, 0x66, 0x0f, 0xc7, 0xfa, 0x49, 0x0f, 0xc7, 0xf9, 0xcc});
  m.r(RCX) = ~uint64_t{0};
  m.r(RDX) = 0x1122334455660000ull;
  m.cpu.state().rflags = 2 | isa::FL_ARITH;
  m.run();
  CHECK((read_rflags(m.cpu.state()) & isa::FL_ARITH) == isa::FL_CF);
  CHECK(m.r(RCX) >> 32 == 0);                          // 32-bit destination zero-extended
  CHECK(m.r(RDX) >> 16 == 0x112233445566ull);          // 16-bit destination keeps the rest
  CHECK(m.r(RAX) != m.r(R9));                          // 2^-64 chance of a false failure
  CHECK(cpuid_query(1, 0).ecx & (1u << 30));           // RDRAND
  CHECK(cpuid_query(0, 0).eax >= 7);
  CHECK(cpuid_query(7, 0).ebx & (1u << 18));           // RDSEED
  CHECK(cpuid_query(7, 1).ebx == 0);
}
