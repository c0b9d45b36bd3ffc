// Engine tests, each program run in the interpreter and in the JIT (translating every
// block on its first run, and with the default hot threshold): self-modifying code
// (patch the next instruction, patch the running block, code written through another
// mapping then executed), a fault in the middle of a translated block, exact
// instruction budgets, and chaining statistics.
#include <catch2/catch.hpp>

#include <vector>

#include "cpu/cpu.h"
#include "cpu/jit/engine.h"

using namespace emu;

namespace {

constexpr uint64_t kCode = 0x1000;
constexpr uint64_t kMain = 0x3000;
constexpr uint64_t kStackTop = 0x20000;
constexpr uint64_t kAlias = 0x100000;  // linear kAlias + x maps to physical x

enum class Engine { Interp, JitFirstRun, JitHot };

// Identity below kAlias, an alias of low memory above it, #PF from kFaultAt up.
struct AliasTranslator : AddressTranslator {
  static constexpr uint64_t kFaultAt = 0x200000;
  Translation translate(uint64_t lin, Access a, unsigned cpl) override {
    if (lin < kAlias) return {true, lin, {}};
    if (lin < kFaultAt) return {true, lin - kAlias, {}};
    Translation t;
    t.ok = false;
    t.fault.vector = kPF;
    t.fault.has_error_code = true;
    t.fault.error_code = (a == Access::Write ? kPfWrite : 0) | (cpl == 3 ? kPfUser : 0);
    t.fault.fault_address = lin;
    return t;
  }
};

struct Machine {
  PhysicalMemory mem;
  Cpu cpu{mem};
  AliasTranslator tr;
  explicit Machine(Engine e) {
    mem.add_ram(0, 0x40000);
    cpu.set_flat_long_mode(3);
    cpu.set_translator(&tr);
    cpu.state().gpr[RSP] = kStackTop;
    if (e != Engine::Interp) REQUIRE(cpu.use_jit(true, e == Engine::JitFirstRun ? 0 : Cpu::kJitHotThreshold));
  }
  void load(const std::vector<uint8_t>& code, uint64_t at) { mem.load_bytes(at, code.data(), code.size()); }
  uint64_t& r(unsigned i) { return cpu.state().gpr[i]; }
};

const char* engine_name(Engine e) {
  return e == Engine::Interp ? "interp" : e == Engine::JitFirstRun ? "jit (first run)" : "jit (hot)";
}

void rel32(std::vector<uint8_t>& code, size_t field, int64_t value) {
  for (int k = 0; k < 4; ++k) code[field + k] = static_cast<uint8_t>(static_cast<uint64_t>(value) >> (8 * k));
}

}  // namespace

TEST_CASE("self-modifying code: patch the next instruction", "[jit][smc]") {
  const bool have_jit = Cpu::jit_available();
  for (Engine e : {Engine::Interp, Engine::JitFirstRun, Engine::JitHot}) {
    if (e != Engine::Interp && !have_jit) continue;
    INFO(engine_name(e));
    Machine m(e);
    // L: mov byte [rip+X], cl   (X: the immediate of the MOV right after it)
    //    mov eax, 0   ; add ebx, eax ; dec ecx ; jnz L ; int3
    // Every iteration patches the instruction that runs next in the same block.
    std::vector<uint8_t> code = {0x88, 0x0d, 0, 0, 0, 0, 0xb8, 0, 0, 0, 0, 0x01, 0xc3, 0xff, 0xc9, 0x75, 0xef, 0xcc};
    rel32(code, 2, 7 - 6);  // rip-relative from the end of the store (6) to the imm (7)
    m.load(code, kCode);
    m.cpu.state().rip = kCode;
    m.r(RCX) = 40;
    RunResult res = m.cpu.run(100000);
    REQUIRE(res.reason == RunResult::Reason::Exception);
    CHECK(res.exception.vector == kBP);
    CHECK(m.r(RBX) == 40 * 41 / 2);  // each iteration adds the ECX it just stored
    CHECK(res.instructions == 40 * 5 + 1);
  }
}

TEST_CASE("self-modifying code: patch the running block", "[jit][smc]") {
  const bool have_jit = Cpu::jit_available();
  for (Engine e : {Engine::Interp, Engine::JitFirstRun, Engine::JitHot}) {
    if (e != Engine::Interp && !have_jit) continue;
    INFO(engine_name(e));
    Machine m(e);
    // L: add eax, 1           83 c0 01   (its immediate is patched from iteration 30 on)
    //    cmp ecx, 30 ; jne S  83 f9 1e 75 07
    //    mov byte [rip-X], 0x10   (the add's immediate, already executed in this block)
    // S: dec ecx ; jnz L ; int3
    std::vector<uint8_t> code = {0x83, 0xc0, 0x01, 0x83, 0xf9, 0x1e, 0x75, 0x07, 0xc6, 0x05, 0, 0, 0, 0, 0x10,
                                 0xff, 0xc9, 0x75, 0xed, 0xcc};
    rel32(code, 10, 2 - 15);
    m.load(code, kCode);
    m.cpu.state().rip = kCode;
    m.r(RCX) = 100;
    RunResult res = m.cpu.run(100000);
    REQUIRE(res.reason == RunResult::Reason::Exception);
    CHECK(res.exception.vector == kBP);
    // ECX 100..30 add 1 (71 times), ECX 29..1 add 0x10 (29 times).
    CHECK(m.r(RAX) == 71 + 29 * 0x10);
  }
}

TEST_CASE("self-modifying code: code written through another mapping, then executed", "[jit][smc]") {
  const bool have_jit = Cpu::jit_available();
  for (Engine e : {Engine::Interp, Engine::JitFirstRun, Engine::JitHot}) {
    if (e != Engine::Interp && !have_jit) continue;
    INFO(engine_name(e));
    Machine m(e);
    // f (at kCode): mov eax, 0 ; ret
    m.load({0xb8, 0, 0, 0, 0, 0xc3}, kCode);
    // main: L: call f ; add ebx, eax ; mov [kAlias + kCode + 1], cl ; dec ecx ; jnz L ; int3
    std::vector<uint8_t> main = {0xe8, 0, 0, 0, 0, 0x01, 0xc3, 0x88, 0x0c, 0x25, 0, 0, 0, 0, 0xff, 0xc9, 0x75, 0xee, 0xcc};
    rel32(main, 1, static_cast<int64_t>(kCode) - static_cast<int64_t>(kMain + 5));
    rel32(main, 10, static_cast<int64_t>(kAlias + kCode + 1));
    m.load(main, kMain);
    m.cpu.state().rip = kMain;
    m.r(RCX) = 40;
    RunResult res = m.cpu.run(100000);
    REQUIRE(res.reason == RunResult::Reason::Exception);
    CHECK(res.exception.vector == kBP);
    // f returns what the previous iteration stored: 0, then 40, 39, ..., 2.
    CHECK(m.r(RBX) == 40 * 41 / 2 - 1);
    CHECK(m.r(RCX) == 0);
    CHECK(res.instructions == 40 * 7 + 1);
  }
}

TEST_CASE("a fault in the middle of a translated block leaves the state at that instruction", "[jit]") {
  const bool have_jit = Cpu::jit_available();
  for (Engine e : {Engine::Interp, Engine::JitFirstRun, Engine::JitHot}) {
    if (e != Engine::Interp && !have_jit) continue;
    INFO(engine_name(e));
    Machine m(e);
    // L: inc eax ; inc eax ; mov [rsi], eax ; inc eax ; add rsi, rdx ; jmp L
    // RSI walks up by 0x1000 per iteration until it reaches the faulting range.
    m.load({0xff, 0xc0, 0xff, 0xc0, 0x89, 0x06, 0xff, 0xc0, 0x48, 0x01, 0xd6, 0xeb, 0xf3}, kCode);
    m.cpu.state().rip = kCode;
    m.r(RSI) = AliasTranslator::kFaultAt - 30 * 0x1000;
    m.r(RDX) = 0x1000;
    RunResult res = m.cpu.run(100000);
    REQUIRE(res.reason == RunResult::Reason::Exception);
    CHECK(res.exception.vector == kPF);
    CHECK(m.cpu.state().rip == kCode + 4);
    CHECK(m.r(RAX) == 30 * 3 + 2);
    CHECK(res.instructions == 30 * 6 + 2);  // the faulting store did not retire
    CHECK(m.cpu.state().cr2 == AliasTranslator::kFaultAt);
  }
}

TEST_CASE("instruction budgets are exact in every engine", "[jit]") {
  const bool have_jit = Cpu::jit_available();
  // L: add rax, rcx ; imul rax, rax, 3 ; push rax ; pop rbx ; xor rbx, rcx ; dec ecx ; jnz L ; int3
  const std::vector<uint8_t> code = {0x48, 0x01, 0xc8, 0x48, 0x6b, 0xc0, 0x03, 0x50, 0x5b,
                                     0x48, 0x31, 0xcb, 0xff, 0xc9, 0x75, 0xf0, 0xcc};
  for (uint64_t budget : {1ull, 6ull, 7ull, 100ull, 1001ull, 3333ull}) {
    CpuState want;
    for (Engine e : {Engine::Interp, Engine::JitFirstRun, Engine::JitHot}) {
      if (e != Engine::Interp && !have_jit) continue;
      INFO(engine_name(e) << ", budget " << budget);
      Machine m(e);
      m.load(code, kCode);
      m.cpu.state().rip = kCode;
      m.r(RCX) = 1000;
      uint64_t done = 0;
      // Run the budget in two calls to restart in the middle of blocks.
      for (uint64_t part : {budget / 2, budget - budget / 2}) done += m.cpu.run(part).instructions;
      CHECK(done == budget);
      if (e == Engine::Interp) {
        want = m.cpu.state();
        continue;
      }
      CHECK(m.cpu.state().rip == want.rip);
      for (int k = 0; k < 16; ++k) CHECK(m.r(k) == want.gpr[k]);
    }
  }
}

TEST_CASE("hot loops are translated and chained; invalidation unlinks", "[jit]") {
  if (!Cpu::jit_available()) return;
  Machine m(Engine::JitHot);
  // Same code as "patch the running block": the loop links to itself, the patch drops
  // the translation (and its self-link), the new block is hot again later.
  std::vector<uint8_t> code = {0x83, 0xc0, 0x01, 0x83, 0xf9, 0x1e, 0x75, 0x07, 0xc6, 0x05, 0, 0, 0, 0, 0x10,
                               0xff, 0xc9, 0x75, 0xed, 0xcc};
  rel32(code, 10, 2 - 15);
  m.load(code, kCode);
  m.cpu.state().rip = kCode;
  m.r(RCX) = 100;
  m.cpu.run(100000);
  CHECK(m.r(RAX) == 71 + 29 * 0x10);
  const jit::JitStats& s = m.cpu.jit_engine()->stats();
  CHECK(s.blocks_translated >= 2);
  CHECK(s.chains_linked >= 1);
  CHECK(s.chains_unlinked >= 1);
  CHECK(s.translations_dropped >= 1);
}

TEST_CASE("inline translations and dropped flag records match the interpreter", "[jit]") {
  if (!Cpu::jit_available()) return;
  // L: add rax, rbx ; sub ecx, 5 ; xor rdx, rax ; and r8d, 0x7fff ; or r9, -2 ; cmp rax, rcx
  //    setb r10b (reads the CMP's flags; the earlier records are dead)
  //    lea r11, [rax + rbx*4 + 0x10] ; lea r12, [rip + 0x100] ; mov r13d, eax ; mov r14, 0x12345
  //    test edx, edx ; pushfq ; pop r15 ; add rbx, r15 ; dec rsi ; jnz L ; int3
  const std::vector<uint8_t> code = {
      0x48, 0x01, 0xd8, 0x83, 0xe9, 0x05, 0x48, 0x31, 0xc2, 0x41, 0x81, 0xe0, 0xff, 0x7f, 0x00, 0x00,
      0x49, 0x83, 0xc9, 0xfe, 0x48, 0x39, 0xc8, 0x41, 0x0f, 0x92, 0xc2, 0x4c, 0x8d, 0x5c, 0x98, 0x10,
      0x4c, 0x8d, 0x25, 0x00, 0x01, 0x00, 0x00, 0x41, 0x89, 0xc5, 0x49, 0xc7, 0xc6, 0x45, 0x23, 0x01,
      0x00, 0x85, 0xd2, 0x9c, 0x41, 0x5f, 0x4c, 0x01, 0xfb, 0x48, 0xff, 0xce, 0x75, 0xc2, 0xcc};
  REQUIRE(code[code.size() - 2] == 0xc2);  // jnz back to offset 0
  CpuState want;
  for (Engine e : {Engine::Interp, Engine::JitFirstRun, Engine::JitHot}) {
    INFO(engine_name(e));
    Machine m(e);
    m.load(code, kCode);
    m.cpu.state().rip = kCode;
    m.r(RAX) = 0x123456789abcdefull;
    m.r(RBX) = 0xfedcba9876543210ull;
    m.r(RCX) = 0x80000003;
    m.r(RSI) = 200;
    RunResult res = m.cpu.run(100000);
    REQUIRE(res.reason == RunResult::Reason::Exception);
    CHECK(res.exception.vector == kBP);
    if (e == Engine::Interp) {
      want = m.cpu.state();
      continue;
    }
    CHECK(m.cpu.state().rip == want.rip);
    for (int k = 0; k < 16; ++k) CHECK(m.r(k) == want.gpr[k]);
    CHECK(read_rflags(m.cpu.state()) == read_rflags(want));
  }
}
