// Unit tests of the native runner: known snippets run on the host CPU, results checked
// against values worked out by hand from the Intel manual (SDM vol. 2 for each
// instruction, vol. 1 ch. 4/8/10 for the x87/SSE formats, vol. 3 ch. 6 for vectors).
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>

#include "tests/diff/harness/native_runner.h"
#include "tests/diff/harness/snapshot_compare.h"

using namespace emu::diff;

namespace {

#define REQUIRE_NATIVE()                                                        \
  do {                                                                          \
    if (!NativeRunner::available()) {                                           \
      WARN("native runner not available (" << NativeRunner::unavailable_reason()   \
                                             << "): test skipped");             \
      return;                                                                   \
    }                                                                           \
  } while (0)

constexpr uint64_t kStackTop = kDataBase + 0x800;

NativeCase make_case(std::vector<uint8_t> code, size_t data_size = 4096) {
  NativeCase c;
  c.code = std::move(code);
  c.in = CpuSnapshot::initial();
  c.in.gpr[RSP] = kStackTop;
  c.data.assign(data_size, 0);
  return c;
}

void put_double(std::vector<uint8_t>& data, size_t off, double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  emu::store_le64(data.data() + off, bits);
}

uint32_t f32_bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

NativeRunner& runner() {
  static NativeRunner r;
  return r;
}

}  // namespace

TEST_CASE("native runner: layout constants are consistent", "[native]") {
  auto stub = exit_stub_bytes(3);
  REQUIRE(stub.size() == kExitStubSize);
  CHECK(stub[0] == 0xE9);
  // jmp rel32 from the end of the stub (kCodeBase + 3 + 5) lands on kExitLanding.
  CHECK(kCodeBase + 3 + 5 + emu::load_le32(stub.data() + 1) == kExitLanding);
  CHECK(accessible_data_size(1) == 4096);
  CHECK(accessible_data_size(4096) == 4096);
  CHECK(accessible_data_size(0) == 0);
  CHECK(kCodeBase + kCodeSize <= kDataBase);
}

TEST_CASE("native runner: add rax, rbx sets result and flags", "[native]") {
  REQUIRE_NATIVE();
  auto c = make_case({0x48, 0x01, 0xD8});  // add rax, rbx
  SECTION("signed overflow into the sign bit") {
    c.in.gpr[RAX] = 0x7FFFFFFFFFFFFFFFull;
    c.in.gpr[RBX] = 1;
    c.in.gpr[R15] = 0x0123456789ABCDEFull;
    auto r = runner().run(c);
    REQUIRE(r.outcome == NativeResult::Completed);
    CHECK(r.out.gpr[RAX] == 0x8000000000000000ull);
    CHECK(r.out.gpr[RBX] == 1);
    CHECK(r.out.gpr[R15] == 0x0123456789ABCDEFull);
    CHECK(r.out.gpr[RSP] == kStackTop);
    CHECK(r.out.rip == kCodeBase + 3);
    // OF (pos+pos=neg), SF, AF (0xF+0x1 carries out of bit 3), PF (low byte 0x00); no CF, ZF.
    CHECK((r.out.rflags & kCaseFlagsMask) == (kFlagOF | kFlagSF | kFlagAF | kFlagPF));
  }
  SECTION("carry out to zero, DF kept, unsafe input flags dropped") {
    c.in.gpr[RAX] = ~0ull;
    c.in.gpr[RBX] = 1;
    c.in.rflags = ~0ull;  // asks for TF, AC, NT, ID...: must be ignored
    auto r = runner().run(c);
    REQUIRE(r.outcome == NativeResult::Completed);
    CHECK(r.out.gpr[RAX] == 0);
    CHECK((r.out.rflags & kCaseFlagsMask) == (kFlagCF | kFlagZF | kFlagAF | kFlagPF | kFlagDF));
    CHECK((r.out.rflags & (kFlagTF | kFlagAC | kFlagRF)) == 0);
    CHECK((r.out.rflags & kFlagIF) != 0);
  }
  SECTION("adc takes CF from the case") {
    c.code = {0x48, 0x11, 0xD8};  // adc rax, rbx
    c.in.gpr[RAX] = 5;
    c.in.gpr[RBX] = 7;
    c.in.rflags = kFlagCF;
    auto r = runner().run(c);
    REQUIRE(r.outcome == NativeResult::Completed);
    CHECK(r.out.gpr[RAX] == 13);
    c.in.rflags = 0;
    CHECK(runner().run(c).out.gpr[RAX] == 12);
  }
}

TEST_CASE("native runner: stores reach the data region", "[native]") {
  REQUIRE_NATIVE();
  auto c = make_case({0x48, 0x89, 0x04, 0x24,   // mov [rsp], rax
                      0x53,                     // push rbx
                      0x59},                    // pop rcx
                     100);
  std::fill(c.data.begin(), c.data.end(), 0xAB);
  c.in.gpr[RSP] = kDataBase + 0x100;
  c.in.gpr[RAX] = 0x1122334455667788ull;
  c.in.gpr[RBX] = 0xCAFEF00Dull;
  auto r = runner().run(c);
  REQUIRE(r.outcome == NativeResult::Completed);
  REQUIRE(r.data.size() == 4096);
  CHECK(emu::load_le64(r.data.data() + 0x100) == 0x1122334455667788ull);
  CHECK(emu::load_le64(r.data.data() + 0xF8) == 0xCAFEF00Dull);  // push wrote below rsp
  CHECK(r.out.gpr[RCX] == 0xCAFEF00Dull);
  CHECK(r.out.gpr[RSP] == kDataBase + 0x100);
  CHECK(r.data[0] == 0xAB);
  CHECK(r.data[99] == 0xAB);
  CHECK(r.data[100] == 0);  // zero fill after the case's bytes
  CHECK(r.data[4095] == 0);

  // The next case starts from its own data again, not from the previous result.
  auto c2 = make_case({0x48, 0x8B, 0x04, 0x24});  // mov rax, [rsp]
  c2.in.gpr[RSP] = kDataBase + 0x100;
  auto r2 = runner().run(c2);
  REQUIRE(r2.outcome == NativeResult::Completed);
  CHECK(r2.out.gpr[RAX] == 0);
}

TEST_CASE("native runner: accessible data size follows the case", "[native]") {
  REQUIRE_NATIVE();
  auto c = make_case({0x48, 0x89, 0x03}, 8192);  // mov [rbx], rax
  c.in.gpr[RBX] = kDataBase + 0x1800;
  c.in.gpr[RAX] = 42;
  auto r = runner().run(c);
  REQUIRE(r.outcome == NativeResult::Completed);
  REQUIRE(r.data.size() == 8192);
  CHECK(r.data[0x1800] == 42);
  c.data.resize(4096);
  r = runner().run(c);
  REQUIRE(r.outcome == NativeResult::Fault);
  CHECK(r.vector == 14);
  CHECK(r.fault_address == kDataBase + 0x1800);
  CHECK((r.error_code & 0x7) == 0x6);  // user, write, not present
}

TEST_CASE("native runner: div by zero gives #DE at the div", "[native]") {
  REQUIRE_NATIVE();
  auto c = make_case({0x90, 0x48, 0xF7, 0xF1});  // nop; div rcx
  c.in.gpr[RAX] = 100;
  c.in.gpr[RDX] = 0;
  c.in.gpr[RCX] = 0;
  auto r = runner().run(c);
  REQUIRE(r.outcome == NativeResult::Fault);
  CHECK(r.signal == SIGFPE);
  CHECK(r.vector == 0);
  CHECK(r.out.rip == kCodeBase + 1);
  CHECK(r.out.gpr[RAX] == 100);
}

TEST_CASE("native runner: ud2 gives #UD", "[native]") {
  REQUIRE_NATIVE();
  auto r = runner().run(make_case({0x90, 0x90, 0x0F, 0x0B}));
  REQUIRE(r.outcome == NativeResult::Fault);
  CHECK(r.signal == SIGILL);
  CHECK(r.vector == 6);
  CHECK(r.out.rip == kCodeBase + 2);
}

TEST_CASE("native runner: bad addresses give #PF or #GP at the access", "[native]") {
  REQUIRE_NATIVE();
  auto c = make_case({0x90, 0x48, 0x8B, 0x03});  // nop; mov rax, [rbx]
  SECTION("inaccessible part of the data region") {
    c.in.gpr[RBX] = kDataBase + 0x80000;
    auto r = runner().run(c);
    REQUIRE(r.outcome == NativeResult::Fault);
    CHECK(r.signal == SIGSEGV);
    CHECK(r.vector == 14);
    CHECK(r.fault_address == kDataBase + 0x80000);
    CHECK((r.error_code & 0x7) == 0x4);  // user read of a not-present page
    CHECK(r.out.rip == kCodeBase + 1);
  }
  SECTION("just outside the regions") {
    for (uint64_t addr : {kCodeBase - 8, kCodeBase + kCodeSize, kDataBase - 8, kDataBase + kDataSize}) {
      INFO("address " << addr);
      c.in.gpr[RBX] = addr;
      auto r = runner().run(c);
      REQUIRE(r.outcome == NativeResult::Fault);
      CHECK(r.vector == 14);
      CHECK(r.fault_address == addr);
    }
  }
  SECTION("page zero") {
    c.in.gpr[RBX] = 0x10;
    auto r = runner().run(c);
    REQUIRE(r.outcome == NativeResult::Fault);
    CHECK(r.vector == 14);
    CHECK(r.fault_address == 0x10);
  }
  SECTION("non-canonical address") {
    c.in.gpr[RBX] = 0x8000000000000000ull;
    auto r = runner().run(c);
    REQUIRE(r.outcome == NativeResult::Fault);
    CHECK(r.signal == SIGSEGV);
    CHECK(r.vector == 13);
    CHECK(r.error_code == 0);
    CHECK(r.out.rip == kCodeBase + 1);
  }
  SECTION("non-canonical stack address gives #SS") {
    c.code = {0x90, 0x48, 0x8B, 0x04, 0x24};  // nop; mov rax, [rsp]
    c.in.gpr[RSP] = 0x8000000000000000ull;
    auto r = runner().run(c);
    REQUIRE(r.outcome == NativeResult::Fault);
    CHECK(r.signal == SIGBUS);
    CHECK(r.vector == 12);
    CHECK(r.out.rip == kCodeBase + 1);
  }
  SECTION("write to the read-only code region") {
    c.code = {0x88, 0x03};  // mov [rbx], al
    c.in.gpr[RBX] = kCodeBase;
    auto r = runner().run(c);
    REQUIRE(r.outcome == NativeResult::Fault);
    CHECK(r.vector == 14);
    CHECK(r.fault_address == kCodeBase);
    CHECK((r.error_code & 0x7) == 0x7);  // user write, protection violation
  }
  SECTION("jump to an unmapped address") {
    c.code = {0xFF, 0xE3};  // jmp rbx
    c.in.gpr[RBX] = 0x1000;
    auto r = runner().run(c);
    REQUIRE(r.outcome == NativeResult::Fault);
    CHECK(r.vector == 14);
    CHECK(r.out.rip == 0x1000);
    CHECK((r.error_code & 0x10) != 0);  // instruction fetch
  }
}

TEST_CASE("native runner: hlt, int n and int3 in user mode", "[native]") {
  REQUIRE_NATIVE();
  auto r = runner().run(make_case({0x90, 0xF4}));  // nop; hlt
  REQUIRE(r.outcome == NativeResult::Fault);
  CHECK(r.signal == SIGSEGV);
  CHECK(r.vector == 13);
  CHECK(r.out.rip == kCodeBase + 1);

  // int 0x21: the IDT gate has DPL 0, so #GP with error code = vector*8 + 2 (IDT bit).
  r = runner().run(make_case({0xCD, 0x21}));
  REQUIRE(r.outcome == NativeResult::Fault);
  CHECK(r.vector == 13);
  CHECK(r.error_code == 0x21 * 8 + 2);
  CHECK(r.out.rip == kCodeBase);

  r = runner().run(make_case({0x90, 0xCC, 0x90}));  // int3 is a trap: RIP after it
  REQUIRE(r.outcome == NativeResult::Fault);
  CHECK(r.signal == SIGTRAP);
  CHECK(r.vector == 3);
  CHECK(r.out.rip == kCodeBase + 2);
}

TEST_CASE("native runner: TF set by popfq single-steps one instruction", "[native]") {
  REQUIRE_NATIVE();
  auto r = runner().run(make_case({0x9C,                                            // pushfq
                                   0x48, 0x81, 0x0C, 0x24, 0x00, 0x01, 0x00, 0x00,  // or qword [rsp], 0x100
                                   0x9D,                                            // popfq: TF=1
                                   0x90,                                            // nop (executes)
                                   0x90}));                                         // #DB trap before this
  REQUIRE(r.outcome == NativeResult::Fault);
  CHECK(r.signal == SIGTRAP);
  CHECK(r.vector == 1);
  CHECK(r.out.rip == kCodeBase + 11);
  CHECK((r.out.rflags & kFlagTF) != 0);
  // TF does not stick to the runner.
  CHECK(runner().run(make_case({0x90, 0x90})).outcome == NativeResult::Completed);
}

TEST_CASE("native runner: endless loop times out, next case runs", "[native]") {
  REQUIRE_NATIVE();
  auto c = make_case({0x48, 0xFF, 0xC0, 0xEB, 0xFB});  // 1: inc rax; jmp 1b
  auto r = runner().run(c);
  REQUIRE(r.outcome == NativeResult::Timeout);
  CHECK(r.out.gpr[RAX] > 1000);
  CHECK((r.out.rip == kCodeBase || r.out.rip == kCodeBase + 3));
  const int spawns = runner().spawn_count();
  auto ok = make_case({0x48, 0x01, 0xD8});
  ok.in.gpr[RAX] = 2;
  ok.in.gpr[RBX] = 3;
  r = runner().run(ok);
  REQUIRE(r.outcome == NativeResult::Completed);
  CHECK(r.out.gpr[RAX] == 5);
  CHECK(runner().spawn_count() == spawns);  // a timeout does not cost a respawn
}

TEST_CASE("native runner: syscalls from the snippet are blocked", "[native]") {
  REQUIRE_NATIVE();
  const int spawns = runner().spawn_count();
  auto c = make_case({0x0F, 0x05});  // syscall with rax = 62 (kill), rdi = 0
  c.in.gpr[RAX] = 62;
  auto r = runner().run(c);
  REQUIRE(r.outcome == NativeResult::Fault);
  CHECK(r.signal == SIGSYS);
  CHECK(r.vector == -1);
  CHECK(runner().run(make_case({0x90})).outcome == NativeResult::Completed);
  CHECK(runner().spawn_count() == spawns);
}

TEST_CASE("native runner: a snippet that wrecks the runner is contained", "[native]") {
  REQUIRE_NATIVE();
  NativeRunner own;
  // mov rax, &abort; jmp rax: the runner process runs abort(), which is not allowed to
  // make its syscalls, so the runner dies.
  std::vector<uint8_t> code = {0x48, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xE0};
  emu::store_le64(code.data() + 2, reinterpret_cast<uint64_t>(&std::abort));
  auto r = own.run(make_case(code));
  CHECK(r.outcome == NativeResult::RunnerCrashed);
  CHECK(own.spawn_count() == 1);
  auto ok = make_case({0x48, 0xFF, 0xC0});  // inc rax
  r = own.run(ok);
  REQUIRE(r.outcome == NativeResult::Completed);
  CHECK(r.out.gpr[RAX] == 1);
  CHECK(own.spawn_count() == 2);
}

TEST_CASE("native runner: segment loads and mode switches do not break the runner", "[native]") {
  REQUIRE_NATIVE();
  const int spawns = runner().spawn_count();
  SECTION("null and data selectors loaded into FS and GS") {
    auto r = runner().run(make_case({0x31, 0xC0,          // xor eax, eax
                                     0x8E, 0xE0,          // mov fs, ax
                                     0x8E, 0xE8,          // mov gs, ax
                                     0x8C, 0xD0,          // mov ax, ss (a valid data selector)
                                     0x8E, 0xE0,          // mov fs, ax
                                     0xB9, 1, 0, 0, 0}));  // mov ecx, 1
    REQUIRE(r.outcome == NativeResult::Completed);
    CHECK(r.out.gpr[RCX] == 1);
  }
  SECTION("far return into 32-bit compatibility mode, then #UD there") {
    auto r = runner().run(make_case({0x6A, 0x23,                               // push 0x23 (user 32-bit CS)
                                     0x48, 0x8D, 0x05, 0x03, 0x00, 0x00, 0x00,  // lea rax, [rip+3]
                                     0x50,                                     // push rax
                                     0x48, 0xCB,                               // retfq
                                     0x0F, 0x0B}));                            // ud2 (compat mode)
    REQUIRE(r.outcome == NativeResult::Fault);
    CHECK(r.vector == 6);
    CHECK(r.out.rip == kCodeBase + 12);
  }
  // The runner's own TLS and code segment are intact: the next cases still run in it.
  auto r = runner().run(make_case({0x48, 0xFF, 0xC0}));
  REQUIRE(r.outcome == NativeResult::Completed);
  CHECK(r.out.gpr[RAX] == 1);
  r = runner().run(make_case({0x0F, 0x0B}));
  CHECK(r.vector == 6);
  CHECK(runner().spawn_count() == spawns);
}

TEST_CASE("native runner: a wedged runner is killed by the watchdog and replaced", "[native]") {
  REQUIRE_NATIVE();
  NativeRunner own;
  own.set_watchdog_ms(500);
  REQUIRE(own.run(make_case({0x90})).outcome == NativeResult::Completed);
  REQUIRE(own.runner_pid() > 0);
  kill(own.runner_pid(), SIGSTOP);  // a runner that never answers
  auto r = own.run(make_case({0x90}));
  CHECK(r.outcome == NativeResult::RunnerCrashed);
  r = own.run(make_case({0x48, 0xFF, 0xC1}));  // inc rcx
  REQUIRE(r.outcome == NativeResult::Completed);
  CHECK(r.out.gpr[RCX] == 1);
  CHECK(own.spawn_count() == 2);
}

TEST_CASE("native runner: x87 fld1; fld1; faddp gives ST0 = 2.0", "[native]") {
  REQUIRE_NATIVE();
  auto r = runner().run(make_case({0xD9, 0xE8, 0xD9, 0xE8, 0xDE, 0xC1}));
  REQUIRE(r.outcome == NativeResult::Completed);
  // 2.0 in extended precision: explicit integer bit set, exponent 0x3FFF + 1.
  CHECK(r.out.st_mantissa(0) == 0x8000000000000000ull);
  CHECK(r.out.st_sign_exp(0) == 0x4000);
  CHECK(((r.out.fsw() >> 11) & 7) == 7);  // one net push: TOP = 7
  CHECK(r.out.ftw() == 0x80);             // physical register 7 valid
  CHECK(r.out.fcw() == 0x037F);
}

TEST_CASE("native runner: x87 state from the case is loaded", "[native]") {
  REQUIRE_NATIVE();
  auto c = make_case({0xD9, 0xE8, 0xDE, 0xC1});  // fld1; faddp st(1), st
  // One value on the stack: ST0 = 3.0 in physical register 7 (TOP = 7).
  c.in.set_fsw(7 << 11);
  c.in.set_ftw(0x80);
  c.in.set_st(0, 0xC000000000000000ull, 0x4000);  // 3.0
  auto r = runner().run(c);
  REQUIRE(r.outcome == NativeResult::Completed);
  CHECK(r.out.st_mantissa(0) == 0x8000000000000000ull);  // 4.0
  CHECK(r.out.st_sign_exp(0) == 0x4001);
  CHECK(((r.out.fsw() >> 11) & 7) == 7);
}

TEST_CASE("native runner: SSE addps changes XMM0", "[native]") {
  REQUIRE_NATIVE();
  auto c = make_case({0x0F, 0x58, 0xC1});  // addps xmm0, xmm1
  const float a[4] = {1.0f, 2.0f, 3.0f, 4.0f}, b[4] = {0.5f, -2.0f, 10.0f, 0.25f};
  for (int i = 0; i < 4; ++i) {
    c.in.set_xmm_u32(0, i, f32_bits(a[i]));
    c.in.set_xmm_u32(1, i, f32_bits(b[i]));
  }
  c.in.set_xmm(15, 0x1111, 0x2222);
  auto r = runner().run(c);
  REQUIRE(r.outcome == NativeResult::Completed);
  CHECK(r.out.xmm_u32(0, 0) == f32_bits(1.5f));
  CHECK(r.out.xmm_u32(0, 1) == f32_bits(0.0f));
  CHECK(r.out.xmm_u32(0, 2) == f32_bits(13.0f));
  CHECK(r.out.xmm_u32(0, 3) == f32_bits(4.25f));
  CHECK(r.out.xmm_u32(1, 1) == f32_bits(-2.0f));
  CHECK(r.out.xmm_lo(15) == 0x1111);
  CHECK(r.out.xmm_hi(15) == 0x2222);
}

TEST_CASE("native runner: YMM upper halves do not leak between cases", "[native]") {
  REQUIRE_NATIVE();
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx")) {
    WARN("host has no AVX: test skipped");
    return;
  }
#endif
  const std::vector<uint8_t> insert = {0xC4, 0xE3, 0x7D, 0x18, 0xC1, 0x01};   // vinsertf128 ymm0, ymm0, xmm1, 1
  const std::vector<uint8_t> extract = {0xC4, 0xE3, 0x7D, 0x19, 0xC2, 0x01};  // vextractf128 xmm2, ymm0, 1
  auto c = make_case(insert);
  c.code.insert(c.code.end(), extract.begin(), extract.end());
  c.in.set_xmm(1, 0x1111222233334444ull, 0x5555666677778888ull);
  auto r = runner().run(c);
  REQUIRE(r.outcome == NativeResult::Completed);
  CHECK(r.out.xmm_lo(2) == 0x1111222233334444ull);
  CHECK(r.out.xmm_hi(2) == 0x5555666677778888ull);
  c = make_case(extract);
  c.in.set_xmm(2, 1, 2);
  r = runner().run(c);
  REQUIRE(r.outcome == NativeResult::Completed);
  CHECK(r.out.xmm_lo(2) == 0);  // the previous case's upper half is gone
  CHECK(r.out.xmm_hi(2) == 0);
}

TEST_CASE("native runner: MXCSR rounding mode applies to cvtsd2si", "[native]") {
  REQUIRE_NATIVE();
  auto c = make_case({0xF2, 0x48, 0x0F, 0x2D, 0xC0});  // cvtsd2si rax, xmm0
  auto convert = [&](double v, uint32_t mxcsr) {
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    c.in.set_xmm(0, bits, 0);
    c.in.set_mxcsr(mxcsr);
    auto r = runner().run(c);
    REQUIRE(r.outcome == NativeResult::Completed);
    CHECK(r.out.mxcsr() == (mxcsr | 0x20));  // PE: 2.5 is inexact as an integer
    return static_cast<int64_t>(r.out.gpr[RAX]);
  };
  CHECK(convert(2.5, 0x1F80) == 2);   // nearest even
  CHECK(convert(2.5, 0x3F80) == 2);   // down
  CHECK(convert(2.5, 0x5F80) == 3);   // up
  CHECK(convert(-2.5, 0x3F80) == -3);
  CHECK(convert(-2.5, 0x7F80) == -2); // toward zero
  CHECK(convert(3.5, 0x1F80) == 4);
}

TEST_CASE("native runner: reserved MXCSR bits are dropped, not faulting", "[native]") {
  REQUIRE_NATIVE();
  auto c = make_case({0x90});
  c.in.set_mxcsr(0xFFFF1F80u);
  auto r = runner().run(c);
  REQUIRE(r.outcome == NativeResult::Completed);
  // Only the architectural bits 0..15 survive (AMD's misaligned-SSE bit 17 included).
  CHECK(r.out.mxcsr() == 0x1F80);
}

TEST_CASE("native runner: x87 control word rounding applies to fistp", "[native]") {
  REQUIRE_NATIVE();
  auto c = make_case({0xDD, 0x04, 0x24,           // fld qword [rsp]
                      0xDF, 0x7C, 0x24, 0x08});   // fistp qword [rsp+8]
  auto round = [&](double v, uint16_t fcw) {
    put_double(c.data, kStackTop - kDataBase, v);
    c.in.set_fcw(fcw);
    auto r = runner().run(c);
    REQUIRE(r.outcome == NativeResult::Completed);
    CHECK(r.out.fcw() == fcw);
    return static_cast<int64_t>(emu::load_le64(r.data.data() + (kStackTop - kDataBase) + 8));
  };
  CHECK(round(2.5, 0x037F) == 2);
  CHECK(round(2.5, 0x0B7F) == 3);   // RC = up
  CHECK(round(-2.5, 0x077F) == -3); // RC = down
  CHECK(round(-2.5, 0x0F7F) == -2); // RC = chop
}

TEST_CASE("native runner: unmasked FP exceptions give #MF and #XM", "[native]") {
  REQUIRE_NATIVE();
  SECTION("x87 divide by zero is reported at the next waiting instruction") {
    auto c = make_case({0xD9, 0xE8,   // fld1
                        0xD9, 0xEE,   // fldz
                        0xDE, 0xF9,   // fdivp: 1/0, ZE pending
                        0x90,         // nop
                        0x9B});       // fwait: #MF here
    c.in.set_fcw(0x037B);             // ZM cleared
    auto r = runner().run(c);
    REQUIRE(r.outcome == NativeResult::Fault);
    CHECK(r.signal == SIGFPE);
    CHECK(r.vector == 16);
    CHECK(r.out.rip == kCodeBase + 7);
    CHECK((r.out.fsw() & 0x0084) == 0x0084);  // ZE and ES
  }
  SECTION("SSE divide by zero faults at the instruction") {
    auto c = make_case({0x90, 0x0F, 0x5E, 0xC1});  // nop; divps xmm0, xmm1
    c.in.set_xmm_u32(0, 0, f32_bits(1.0f));
    c.in.set_mxcsr(0x1F80 & ~0x0200u);  // ZM cleared
    auto r = runner().run(c);
    REQUIRE(r.outcome == NativeResult::Fault);
    CHECK(r.signal == SIGFPE);
    CHECK(r.vector == 19);
    CHECK(r.out.rip == kCodeBase + 1);
    CHECK(r.out.xmm_u32(0, 0) == f32_bits(1.0f));  // destination unchanged
  }
}

TEST_CASE("native runner: alignment check gives #AC", "[native]") {
  REQUIRE_NATIVE();
  auto c = make_case({0x9C,                                      // pushfq
                      0x48, 0x81, 0x0C, 0x24, 0x00, 0x00, 0x04, 0x00,  // or qword [rsp], 0x40000
                      0x9D,                                      // popfq (AC=1)
                      0x8B, 0x44, 0x24, 0x01});                  // mov eax, [rsp+1]
  auto r = runner().run(c);
  REQUIRE(r.outcome == NativeResult::Fault);
  CHECK(r.signal == SIGBUS);
  CHECK(r.vector == 17);
  CHECK(r.out.rip == kCodeBase + 10);
  CHECK((r.out.rflags & kFlagAC) != 0);
  // The runner is fine afterwards: AC does not leak into the next case.
  auto next = runner().run(make_case({0x8B, 0x44, 0x24, 0x01}));
  CHECK(next.outcome == NativeResult::Completed);
}

TEST_CASE("native runner: batches give each case its own result", "[native]") {
  REQUIRE_NATIVE();
  std::vector<NativeCase> cases;
  for (int i = 0; i < 600; ++i) {
    // lea rax, [rax+rbx]; mov [rsp], rax; ud2 every 7th case; jmp $ once
    auto c = make_case({0x48, 0x8D, 0x04, 0x18, 0x48, 0x89, 0x04, 0x24}, 4096 * (1 + i % 3));
    c.in.gpr[RAX] = static_cast<uint64_t>(i);
    c.in.gpr[RBX] = 1000;
    c.data[0] = static_cast<uint8_t>(i);
    if (i % 7 == 3) c.code.insert(c.code.begin(), {0x0F, 0x0B});
    if (i == 500) c.code = {0xEB, 0xFE};
    cases.push_back(std::move(c));
  }
  std::vector<NativeResult> results;
  runner().run_batch(cases, results);
  REQUIRE(results.size() == cases.size());
  for (int i = 0; i < 600; ++i) {
    INFO("case " << i);
    const auto& r = results[i];
    if (i == 500) {
      CHECK(r.outcome == NativeResult::Timeout);
    } else if (i % 7 == 3) {
      CHECK(r.outcome == NativeResult::Fault);
      CHECK(r.vector == 6);
      CHECK(r.out.gpr[RAX] == static_cast<uint64_t>(i));
    } else {
      REQUIRE(r.outcome == NativeResult::Completed);
      CHECK(r.out.gpr[RAX] == static_cast<uint64_t>(i) + 1000);
      REQUIRE(r.data.size() == 4096u * (1 + i % 3));
      CHECK(emu::load_le64(r.data.data() + (kStackTop - kDataBase)) == static_cast<uint64_t>(i) + 1000);
      CHECK(r.data[0] == static_cast<uint8_t>(i));
    }
  }
}

TEST_CASE("native runner: a crash inside a batch costs only that case", "[native]") {
  REQUIRE_NATIVE();
  NativeRunner own;
  std::vector<uint8_t> crash = {0x48, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xE0};  // jmp to abort()
  emu::store_le64(crash.data() + 2, reinterpret_cast<uint64_t>(&std::abort));
  std::vector<NativeCase> cases;
  for (int i = 0; i < 10; ++i) {
    auto c = make_case(i == 4 ? crash : std::vector<uint8_t>{0x48, 0xFF, 0xC0});  // inc rax
    c.in.gpr[RAX] = static_cast<uint64_t>(i);
    cases.push_back(std::move(c));
  }
  std::vector<NativeResult> results;
  own.run_batch(cases, results);
  for (int i = 0; i < 10; ++i) {
    INFO("case " << i);
    if (i == 4) {
      CHECK(results[i].outcome == NativeResult::RunnerCrashed);
    } else {
      REQUIRE(results[i].outcome == NativeResult::Completed);
      CHECK(results[i].out.gpr[RAX] == static_cast<uint64_t>(i) + 1);
    }
  }
  CHECK(own.spawn_count() == 2);
}

TEST_CASE("native runner: results do not depend on the cases run before", "[native]") {
  REQUIRE_NATIVE();
  // Random short sequences; the same cases in reverse order must give identical results
  // (no register, x87, SSE, flag or memory state carries over between cases).
  const std::vector<std::vector<uint8_t>> insns = {
      {0x48, 0x01, 0xD8},        // add rax, rbx
      {0x48, 0x0F, 0xAF, 0xC3},  // imul rax, rbx
      {0x48, 0xF7, 0xF3},        // div rbx (sometimes #DE)
      {0x0F, 0x58, 0xC1},        // addps xmm0, xmm1
      {0xF2, 0x48, 0x0F, 0x2D, 0xC0},  // cvtsd2si rax, xmm0
      {0xD9, 0xE8},              // fld1
      {0xDE, 0xC1},              // faddp
      {0x48, 0x89, 0x04, 0x24},  // mov [rsp], rax
      {0x48, 0x0F, 0xC1, 0x03},  // xadd [rbx], rax (usually #PF)
      {0x0F, 0x0B},              // ud2
  };
  std::mt19937_64 rng(12345);
  std::vector<NativeCase> cases;
  for (int i = 0; i < 300; ++i) {
    auto c = make_case({});
    const int n = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < n; ++k) {
      const auto& insn = insns[rng() % insns.size()];
      c.code.insert(c.code.end(), insn.begin(), insn.end());
    }
    for (int r = 0; r < 16; ++r)
      if (r != RSP) c.in.gpr[r] = rng() >> (rng() % 64);
    c.in.rflags = rng();
    c.in.set_mxcsr(0x1F80 | static_cast<uint32_t>((rng() % 4) << 13));
    c.in.set_fcw(static_cast<uint16_t>(0x037F | ((rng() % 4) << 10)));
    for (int x = 0; x < 16; ++x) c.in.set_xmm(x, rng(), rng());
    for (auto& byte : c.data) byte = static_cast<uint8_t>(rng());
    cases.push_back(std::move(c));
  }
  std::vector<NativeResult> forward, backward;
  runner().run_batch(cases, forward);
  std::vector<NativeCase> reversed(cases.rbegin(), cases.rend());
  runner().run_batch(reversed, backward);
  int completed = 0, faulted = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& a = forward[i];
    const auto& b = backward[cases.size() - 1 - i];
    INFO("case " << i << ": " << describe(a) << " vs " << describe(b));
    REQUIRE(a.outcome == b.outcome);
    CHECK(a.vector == b.vector);
    CHECK(a.error_code == b.error_code);
    CHECK(a.fault_address == b.fault_address);
    CompareOptions all;
    all.rflags_mask = ~0ull;
    const auto diffs = snapshot_differences(a.out, b.out, all);
    CHECK(diffs.empty());
    CHECK(data_differences(a.data, b.data).empty());
    completed += a.outcome == NativeResult::Completed;
    faulted += a.outcome == NativeResult::Fault;
  }
  CHECK(completed > 50);  // the mix exercises both paths
  CHECK(faulted > 50);
}

TEST_CASE("native runner: throughput", "[native][bench]") {
  REQUIRE_NATIVE();
  auto c = make_case({0x48, 0x01, 0xD8, 0x48, 0x89, 0x04, 0x24});  // add rax, rbx; mov [rsp], rax
  NativeResult r;
  const int n = 20000;
  auto start = std::chrono::steady_clock::now();
  uint64_t sum = 0;
  for (int i = 0; i < n; ++i) {
    c.in.gpr[RAX] = static_cast<uint64_t>(i);
    c.in.gpr[RBX] = 1000;
    runner().run(c, r);
    sum += r.out.gpr[RAX];
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(r.outcome == NativeResult::Completed);
  CHECK(sum == static_cast<uint64_t>(n) * (n - 1) / 2 + 1000ull * n);
  std::printf("native runner: run(): %d cases in %.3f s = %.0f cases/s\n", n, s, n / s);

  // Batches of 256 with reused result buffers, as a differential test would run them.
  std::vector<NativeCase> cases(256, c);
  std::vector<NativeResult> results;
  uint64_t sum_b = 0;
  start = std::chrono::steady_clock::now();
  for (int base = 0; base < n; base += 256) {
    const int count = std::min(256, n - base);
    cases.resize(static_cast<size_t>(count), c);
    for (int i = 0; i < count; ++i) cases[i].in.gpr[RAX] = static_cast<uint64_t>(base + i);
    runner().run_batch(cases, results);
    for (const auto& rb : results) sum_b += rb.out.gpr[RAX];
  }
  const double sb = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(sum_b == sum);
  std::printf("native runner: run_batch(): %d cases in %.3f s = %.0f cases/s\n", n, sb, n / sb);
}

TEST_CASE("native runner: 32-bit compatibility mode and 16-bit protected mode cases", "[native][modes]") {
  REQUIRE_NATIVE();
  SECTION("32-bit: 48 is DEC eAX, 32-bit push, flat data at kDataBase") {
    NativeCase c = make_case({0x48,                          // dec eax (a REX prefix in 64-bit mode)
                              0x53,                          // push ebx
                              0xA1, 0x00, 0x01, 0x10, 0x10});  // mov eax, [kDataBase + 0x100]
    c.mode = CpuMode::Compat32;
    c.in.gpr[RBX] = 0x11223344;
    emu::store_le32(c.data.data() + 0x100, 0xCAFEF00D);
    auto r = runner().run(c);
    REQUIRE(r.outcome == NativeResult::Completed);
    CHECK(r.out.rip == kCodeBase + 7);
    CHECK((r.out.gpr[RAX] & 0xffffffffu) == 0xCAFEF00D);
    CHECK((r.out.gpr[RSP] & 0xffffffffu) == kStackTop - 4);
    CHECK(emu::load_le32(r.data.data() + 0x800 - 4) == 0x11223344);
  }
  SECTION("32-bit: a fault reports EIP") {
    NativeCase c = make_case({0x90, 0x0F, 0x0B});  // nop; ud2
    c.mode = CpuMode::Compat32;
    auto r = runner().run(c);
    REQUIRE(r.outcome == NativeResult::Fault);
    CHECK(r.vector == 6);
    CHECK(r.out.rip == kCodeBase + 1);
  }
  SECTION("16-bit: IP-relative offsets, 16-bit stack and [bx+si] addressing in the LDT segments") {
    NativeCase c = make_case({0x50,              // push ax (16-bit stack: SP only)
                              0x8B, 0x08,        // mov cx, [bx+si]
                              0x66, 0x40});      // inc eax
    c.mode = CpuMode::Prot16;
    c.in.gpr[RSP] = 0x800;
    c.in.gpr[RAX] = 0x1234ffff;
    c.in.gpr[RBX] = 0xffff0100;  // only BX counts
    c.in.gpr[RSI] = 0x20;
    emu::store_le16(c.data.data() + 0x120, 0xBEEF);
    auto r = runner().run(c);
    REQUIRE(r.outcome == NativeResult::Completed);
    CHECK(r.out.rip == 5);
    CHECK((r.out.gpr[RSP] & 0xffff) == 0x7fe);
    CHECK(emu::load_le16(r.data.data() + 0x7fe) == 0xffff);
    CHECK((r.out.gpr[RCX] & 0xffff) == 0xBEEF);
    CHECK((r.out.gpr[RAX] & 0xffffffffu) == 0x12350000);
  }
  SECTION("16-bit: an offset beyond the 64 KiB data segment raises #GP(0)") {
    NativeCase c = make_case({0x67, 0x8B, 0x00});  // mov ax, [eax]
    c.mode = CpuMode::Prot16;
    c.in.gpr[RSP] = 0x800;
    c.in.gpr[RAX] = 0x10000;
    auto r = runner().run(c);
    REQUIRE(r.outcome == NativeResult::Fault);
    CHECK(r.vector == 13);
    CHECK(r.error_code == 0);
    CHECK(r.out.rip == 0);
  }
  // Back in 64-bit mode afterwards.
  auto r = runner().run(make_case({0x48, 0xFF, 0xC0}));  // inc rax
  REQUIRE(r.outcome == NativeResult::Completed);
  CHECK(r.out.gpr[RAX] == 1);
}
