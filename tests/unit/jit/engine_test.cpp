// Engine tests, each program run in the interpreter and in the JIT (translating every
// block on its first run, and with the default hot threshold): self-modifying code
// (patch the next instruction, patch the running block, code written through another
// mapping then executed), a fault in the middle of a translated block, exact
// instruction budgets, chaining statistics, the inline soft-TLB memory operands
// (hits, misses, page-crossing, faults, stores to code pages), and the jump table
// probed inline at calls across pages and returns (hits, remapped and dropped code,
// slots made stale by CR3 writes revalidated only for an unchanged mapping),
// block-level flag liveness and guest registers cached in host registers (directed
// cases and random blocks), and per family of inline forms the same program's state
// against the interpreter (incl. rotates' Rot flag records, counts in CL, MUL/DIV and
// #DE, CMPXCHG, BT*, BSF/BSR).
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

// Identity below kAlias, an alias of low memory above it (moved up by `remap`), #PF
// from kFaultAt up.
struct AliasTranslator : AddressTranslator {
  static constexpr uint64_t kFaultAt = 0x200000;
  uint64_t remap = 0;
  uint64_t swap = 0;  // e.g. 0x1000: alias pages trade places in pairs (not contiguous)
  uint64_t moved_page = ~uint64_t{0}, moved_to = 0;  // one linear page mapped elsewhere
  Translation translate(uint64_t lin, Access a, unsigned cpl) override {
    if ((lin & ~uint64_t{0xfff}) == moved_page) return {true, moved_to | (lin & 0xfff), {}};
    if (lin < kAlias) return {true, lin, {}};
    if (lin < kFaultAt) return {true, ((lin - kAlias) ^ swap) + remap, {}};
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

// The interpreter, plus the two JIT tiers where the host has a JIT backend.
std::vector<Engine> available_engines() {
  if (!Cpu::jit_available()) return {Engine::Interp};
  return {Engine::Interp, Engine::JitFirstRun, Engine::JitHot};
}

const char* engine_name(Engine e) {
  return e == Engine::Interp ? "interp" : e == Engine::JitFirstRun ? "jit (first run)" : "jit (hot)";
}

void rel32(std::vector<uint8_t>& code, size_t field, int64_t value) {
  for (int k = 0; k < 4; ++k) code[field + k] = static_cast<uint8_t>(static_cast<uint64_t>(value) >> (8 * k));
}

}  // namespace

TEST_CASE("self-modifying code: patch the next instruction", "[jit][smc]") {
  for (Engine e : available_engines()) {
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
  for (Engine e : available_engines()) {
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
  for (Engine e : available_engines()) {
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

TEST_CASE("self-modifying code: code replaced by device DMA (PhysicalMemory::write_bytes), then executed", "[jit][smc]") {
  for (Engine e : available_engines()) {
    INFO(engine_name(e));
    Machine m(e);
    // L: mov eax, 1 ; add ebx, eax ; dec ecx ; jnz L ; int3 -- run hot, then a "DMA"
    // rewrites the MOV's immediate (as a disk read into a page-cache page would).
    std::vector<uint8_t> code = {0xb8, 1, 0, 0, 0, 0x01, 0xc3, 0xff, 0xc9, 0x75, 0xf5, 0xcc};
    m.load(code, kCode);
    for (const uint8_t imm : {1, 7}) {
      if (imm != 1) REQUIRE(m.mem.write_bytes(kCode + 1, &imm, 1));
      m.cpu.state().rip = kCode;
      m.r(RBX) = 0;
      m.r(RCX) = 50;
      RunResult res = m.cpu.run(100000);
      REQUIRE(res.reason == RunResult::Reason::Exception);
      CHECK(m.r(RBX) == 50u * imm);
    }
  }
}

TEST_CASE("a fault in the middle of a translated block leaves the state at that instruction", "[jit]") {
  for (Engine e : available_engines()) {
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
  // L: add rax, rcx ; imul rax, rax, 3 ; push rax ; pop rbx ; xor rbx, rcx ; dec ecx ; jnz L ; int3
  const std::vector<uint8_t> code = {0x48, 0x01, 0xc8, 0x48, 0x6b, 0xc0, 0x03, 0x50, 0x5b,
                                     0x48, 0x31, 0xcb, 0xff, 0xc9, 0x75, 0xf0, 0xcc};
  for (uint64_t budget : {1ull, 6ull, 7ull, 100ull, 1001ull, 3333ull}) {
    CpuState want;
    for (Engine e : available_engines()) {
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
  for (Engine e : available_engines()) {
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

// ---- inline soft-TLB memory operands (MOV/ALU with 32/64-bit memory operands) ----

namespace {

// Runs `code` at kCode in every engine from the same start state (set by `init`) and
// checks registers, flags and low memory against the interpreter.
// `min_inline_memory`: instructions that must have got the inline memory path.
template <class Init>
void check_against_interpreter(const std::vector<uint8_t>& code, uint64_t budget, uint64_t min_inline_memory, Init init) {
  CpuState want;
  std::vector<uint64_t> want_mem;
  uint64_t want_insns = 0;
  for (Engine e : available_engines()) {
    INFO(engine_name(e));
    Machine m(e);
    m.load(code, kCode);
    m.cpu.state().rip = kCode;
    init(m);
    RunResult res = m.cpu.run(budget);
    std::vector<uint64_t> mem;
    for (uint64_t a = 0; a < 0x40000; a += 8) mem.push_back(m.mem.read(a, 8));
    if (e == Engine::Interp) {
      want = m.cpu.state();
      want_mem = mem;
      want_insns = res.instructions;
      continue;
    }
    CHECK(res.instructions == want_insns);
    CHECK(m.cpu.state().rip == want.rip);
    for (int k = 0; k < 16; ++k) CHECK(m.r(k) == want.gpr[k]);
    for (int k = 0; k < 16; ++k) CHECK(m.cpu.state().xmm[k] == want.xmm[k]);
    CHECK(read_rflags(m.cpu.state()) == read_rflags(want));
    CHECK(mem == want_mem);
    if (e == Engine::JitFirstRun) CHECK(m.cpu.jit_engine()->stats().insns_inline_memory >= min_inline_memory);
  }
}

// The tests' data: 64-bit words from 0x10000 up to `end`, each its address times a
// large odd constant (distinct, both signs, all bit positions).
void fill_words(Machine& m, uint64_t end) {
  for (uint64_t a = 0x10000; a < end; a += 8) m.mem.write(a, 8, a * 0x9e3779b97f4a7c15ull);
}

// Instructions of `code` left to handlers (translated without inline code) after a short
// run with every block translated at once: `init` sets the state, then RDI = 3 (the
// tests' loop counter). Call only where the host has a JIT.
template <class Init>
uint64_t handler_insns(const std::vector<uint8_t>& code, Init init) {
  Machine m(Engine::JitFirstRun);
  m.load(code, kCode);
  m.cpu.state().rip = kCode;
  init(m);
  m.r(RDI) = 3;
  m.cpu.run(100000);
  const auto& st = m.cpu.jit_engine()->stats();
  return st.insns_translated - st.insns_inline;
}

struct FaultCase {
  const char* name;
  std::vector<uint8_t> code;  // inc eax ; inc eax ; <access> ; inc eax ; <next address> ; jmp L
  uint64_t rsi, rdx, rbp;
  uint8_t vector;
  uint64_t retired;  // instructions before the faulting access
  bool write = false;  // a #PF reports a write
  uint64_t cr0_set = 0;  // CR0 bits set before the run (TS: SSE forms raise #NM)
};

// Runs a FaultCase in every engine: the exception, RIP at the access, the instructions
// retired before it, and CR2 and the error code's write bit for a #PF.
void check_fault_case(const FaultCase& c) {
  for (Engine e : available_engines()) {
    INFO(c.name << ", " << engine_name(e));
    Machine m(e);
    m.load(c.code, kCode);
    m.cpu.state().rip = kCode;
    m.cpu.state().cr0 |= c.cr0_set;
    m.r(RSI) = c.rsi;
    m.r(RDX) = c.rdx;
    m.r(RBP) = c.rbp;
    RunResult res = m.cpu.run(100000);
    REQUIRE(res.reason == RunResult::Reason::Exception);
    CHECK(res.exception.vector == c.vector);
    CHECK(m.cpu.state().rip == kCode + 4);
    CHECK(res.instructions == c.retired);
    CHECK(m.r(RAX) == (c.retired - 2) / 6 * 3 + 2);
    if (c.vector == kPF) {
      CHECK(m.cpu.state().cr2 == AliasTranslator::kFaultAt);  // (a crossing access: the faulting page's first byte)
      CHECK(((res.exception.error_code & kPfWrite) != 0) == c.write);  // RMW faults as a write
    }
  }
}

}  // namespace

TEST_CASE("inline memory operands: hits, misses and page-crossing accesses match the interpreter", "[jit][tlb]") {
  // L: mov eax,[rsi] ; add [rsi+8],rax ; mov [rsi+rdi*4+16],ecx ; cmp qword [rsi+24],5
  //    mov rbx,[rsi+0x7f8] ; sub ebx,[rsi+0x7fe] ; mov [rsi+0x7fa],rbx ; add [rsi+0x7fd],ebx
  //    (page-crossing for about half of the RSI values)
  //    mov dword [rsi+32],0x12345678 ; mov qword [rsi+40],-7 ; test [rsi+4],ecx
  //    xor r9,[rsi+8] ; or [rsi+12],r10d ; and r10,[rsi+rdi*8+0x100]
  //    mov r11d,fs:[rdi*8] ; add fs:[0xff9],r11 (crosses) ; mov r13,gs:[rcx*4]
  //    add [rip+X],ecx ; mov r8,[rip+X] ; cmp [rsi+0x600],r8d
  //    pushfq ; pop r14 ; add r12,r14 ; add rsi,0x263 ; inc edi ; and edi,15 ; dec ecx ; jnz L ; int3
  // RSI walks linear alias pages (each first touch misses the TLB), FS points at the alias
  // range, GS at identity-mapped memory, X is the data page after the code.
  const std::vector<uint8_t> code = {
      0x8b, 0x06, 0x48, 0x01, 0x46, 0x08, 0x89, 0x4c, 0xbe, 0x10, 0x48, 0x83, 0x7e, 0x18, 0x05, 0x48, 0x8b, 0x9e,
      0xf8, 0x07, 0x00, 0x00, 0x2b, 0x9e, 0xfe, 0x07, 0x00, 0x00, 0x48, 0x89, 0x9e, 0xfa, 0x07, 0x00, 0x00, 0x01,
      0x9e, 0xfd, 0x07, 0x00, 0x00, 0xc7, 0x46, 0x20, 0x78, 0x56, 0x34, 0x12, 0x48, 0xc7, 0x46, 0x28, 0xf9, 0xff,
      0xff, 0xff, 0x85, 0x4e, 0x04, 0x4c, 0x33, 0x4e, 0x08, 0x44, 0x09, 0x56, 0x0c, 0x4c, 0x23, 0x94, 0xfe, 0x00,
      0x01, 0x00, 0x00, 0x64, 0x44, 0x8b, 0x1c, 0xfd, 0x00, 0x00, 0x00, 0x00, 0x64, 0x4c, 0x01, 0x1c, 0x25, 0xf9,
      0x0f, 0x00, 0x00, 0x65, 0x4c, 0x8b, 0x2c, 0x8d, 0x00, 0x00, 0x00, 0x00, 0x01, 0x0d, 0x94, 0x17, 0x00, 0x00,
      0x4c, 0x8b, 0x05, 0x8d, 0x17, 0x00, 0x00, 0x44, 0x39, 0x86, 0x00, 0x06, 0x00, 0x00, 0x9c, 0x41, 0x5e, 0x4d,
      0x01, 0xf4, 0x48, 0x81, 0xc6, 0x63, 0x02, 0x00, 0x00, 0xff, 0xc7, 0x83, 0xe7, 0x0f, 0xff, 0xc9, 0x0f, 0x85,
      0x6c, 0xff, 0xff, 0xff, 0xcc};
  check_against_interpreter(code, 100000, 20, [](Machine& m) {
    fill_words(m, 0x40000);
    m.r(RSI) = kAlias + 0x21000;
    m.r(RCX) = 200;
    m.r(R10) = 0x5a5a5a5a5a5a5a5aull;
    m.cpu.state().seg[isa::SEG_FS].base = kAlias + 0x10000;
    m.cpu.state().seg[isa::SEG_GS].base = 0x18000;
  });
}

TEST_CASE("inline memory operands at the last bytes of a page and crossing it match the interpreter", "[jit][tlb]") {
  // Base+disp (folded into the host access), constant (absolute, RIP-relative), GS+constant
  // and stack addresses ending exactly at a page's end (hits) or crossing it by 1..7 bytes:
  //   mov rax,[rsi+0xff8] ; mov ebx,[rsi+0xffc] ; movzx edx,word [rsi+0xffe] ; movzx edi,byte [rsi+0xfff]
  //   mov r8,[rsi+0xff9] ; mov r9d,[rsi+0xffd] ; movzx r10d,word [rsi+0xfff]            (cross)
  //   mov [rsi+0x1ff8],rax ; mov [rsi+0x1ffd],ebx (cross) ; mov [rsi+0x1fff],dl
  //   add [rsi+0x2fff],dx (cross) ; add [rsi+0x2ffe],dx
  //   mov r11,[A+0x30ff8] ; mov r12,[A+0x30ffc] (cross) ; mov [A+0x31ffe],r11d (cross) ; mov [A+0x31ff8],r12
  //   mov r13,gs:[0xff8] ; mov r14,gs:[0x1ffa] (cross)
  //   push rax ; pop r15 ; push r15 ; pop rbp          (RSP = page + 4: each crosses)
  //   add rax,[rip -> 0x1ffc] (cross) ; add rbx,[rip -> 0x1ff8] ; int3
  // A = kAlias. Run with the alias pages swapped in pairs (a crossing access that used
  // the first page's host pointer for both would read the wrong bytes) and identity.
  const std::vector<uint8_t> code = {
      0x48, 0x8b, 0x86, 0xf8, 0x0f, 0x00, 0x00, 0x8b, 0x9e, 0xfc, 0x0f, 0x00, 0x00, 0x0f, 0xb7, 0x96, 0xfe, 0x0f,
      0x00, 0x00, 0x0f, 0xb6, 0xbe, 0xff, 0x0f, 0x00, 0x00, 0x4c, 0x8b, 0x86, 0xf9, 0x0f, 0x00, 0x00, 0x44, 0x8b,
      0x8e, 0xfd, 0x0f, 0x00, 0x00, 0x44, 0x0f, 0xb7, 0x96, 0xff, 0x0f, 0x00, 0x00, 0x48, 0x89, 0x86, 0xf8, 0x1f,
      0x00, 0x00, 0x89, 0x9e, 0xfd, 0x1f, 0x00, 0x00, 0x88, 0x96, 0xff, 0x1f, 0x00, 0x00, 0x66, 0x01, 0x96, 0xff,
      0x2f, 0x00, 0x00, 0x66, 0x01, 0x96, 0xfe, 0x2f, 0x00, 0x00, 0x4c, 0x8b, 0x1c, 0x25, 0xf8, 0x0f, 0x13, 0x00,
      0x4c, 0x8b, 0x24, 0x25, 0xfc, 0x0f, 0x13, 0x00, 0x44, 0x89, 0x1c, 0x25, 0xfe, 0x1f, 0x13, 0x00, 0x4c, 0x89,
      0x24, 0x25, 0xf8, 0x1f, 0x13, 0x00, 0x65, 0x4c, 0x8b, 0x2c, 0x25, 0xf8, 0x0f, 0x00, 0x00, 0x65, 0x4c, 0x8b,
      0x34, 0x25, 0xfa, 0x1f, 0x00, 0x00, 0x50, 0x41, 0x5f, 0x41, 0x57, 0x5d, 0x48, 0x03, 0x05, 0x6b, 0x0f, 0x00,
      0x00, 0x48, 0x03, 0x1d, 0x60, 0x0f, 0x00, 0x00, 0xcc};
  for (uint64_t base : {kAlias, uint64_t{0}}) {
    INFO("base " << base);
    check_against_interpreter(code, 1000, 20, [base](Machine& m) {
      fill_words(m, 0x40000);
      m.tr.swap = 0x1000;
      m.r(RSI) = base + 0x21000;
      m.r(RSP) = base + 0x32004;
      m.cpu.state().seg[isa::SEG_GS].base = base + 0x18000;
    });
  }
}

TEST_CASE("inline memory operands: a TLB refill to another host page moves the accesses with it", "[jit][tlb]") {
  // L: mov rax,[rsi] ; mov [rsi-8],rax ; add rbx,rax ; dec ecx ; jnz L ; int3
  // RSI: the last qword of an alias page; between two runs the page is remapped to
  // another physical page and the entry dropped (INVLPG), so the refilled entry's
  // addend must point at the new host page.
  const std::vector<uint8_t> code = {0x48, 0x8b, 0x06, 0x48, 0x89, 0x46, 0xf8, 0x48, 0x01, 0xc3,
                                     0xff, 0xc9, 0x75, 0xf2, 0xcc};
  for (Engine e : available_engines()) {
    INFO(engine_name(e));
    Machine m(e);
    m.load(code, kCode);
    fill_words(m, 0x40000);
    const uint64_t lin = kAlias + 0x21ff8;
    for (uint64_t remap : {uint64_t{0}, uint64_t{0x10000}, uint64_t{0x8000}}) {
      INFO("remap " << remap);
      if (remap) {
        m.tr.remap = remap;
        m.cpu.flush_tlb_page(lin);
      }
      const uint64_t phys = lin - kAlias + remap;
      const uint64_t v = m.mem.read(phys, 8);
      m.cpu.state().rip = kCode;
      m.r(RSI) = lin;
      m.r(RCX) = 40;
      m.r(RBX) = 0;
      RunResult res = m.cpu.run(100000);
      REQUIRE(res.reason == RunResult::Reason::Exception);
      CHECK(res.exception.vector == kBP);
      CHECK(m.r(RBX) == 40 * v);
      CHECK(m.mem.read(phys - 8, 8) == v);
    }
    // The first physical page kept its last store (the later runs went elsewhere).
    CHECK(m.mem.read(0x21ff0, 8) == m.mem.read(0x21ff8, 8));
  }
}

TEST_CASE("inline memory operands: a fault leaves the state at the faulting instruction", "[jit][tlb]") {
  const uint64_t noncanonical = 0x0000800000000000ull;
  const FaultCase cases[] = {
      // add rdx,[rsi] ; add rsi,0x1000: #PF on a load after 30 pages
      {"load #PF", {0xff, 0xc0, 0xff, 0xc0, 0x48, 0x03, 0x16, 0xff, 0xc0, 0x48, 0x81, 0xc6, 0x00, 0x10, 0x00, 0x00, 0xeb, 0xee},
       AliasTranslator::kFaultAt - 30 * 0x1000, 0, 0, kPF, 30 * 6 + 2},
      // add [rsi],eax ; add rsi,0x1000: #PF on a read-modify-write
      {"rmw #PF", {0xff, 0xc0, 0xff, 0xc0, 0x01, 0x06, 0xff, 0xc0, 0x48, 0x81, 0xc6, 0x00, 0x10, 0x00, 0x00, 0xeb, 0xef},
       AliasTranslator::kFaultAt - 30 * 0x1000, 0, 0, kPF, 30 * 6 + 2, true},
      // add [rsi],al (byte read-modify-write) ; add rsi,0x1000
      {"byte rmw #PF", {0xff, 0xc0, 0xff, 0xc0, 0x00, 0x06, 0xff, 0xc0, 0x48, 0x81, 0xc6, 0x00, 0x10, 0x00, 0x00, 0xeb, 0xef},
       AliasTranslator::kFaultAt - 30 * 0x1000, 0, 0, kPF, 30 * 6 + 2, true},
      // movzx r8d,word [rsi] ; add rsi,0x1000
      {"word load #PF", {0xff, 0xc0, 0xff, 0xc0, 0x44, 0x0f, 0xb7, 0x06, 0xff, 0xc0, 0x48, 0x81, 0xc6, 0x00, 0x10, 0x00, 0x00, 0xeb, 0xed},
       AliasTranslator::kFaultAt - 30 * 0x1000, 0, 0, kPF, 30 * 6 + 2},
      // setb [rsi] (the condition from the INC before it) ; add rsi,0x1000
      {"setcc store #PF", {0xff, 0xc0, 0xff, 0xc0, 0x0f, 0x92, 0x06, 0xff, 0xc0, 0x48, 0x81, 0xc6, 0x00, 0x10, 0x00, 0x00, 0xeb, 0xee},
       AliasTranslator::kFaultAt - 30 * 0x1000, 0, 0, kPF, 30 * 6 + 2, true},
      // mov r8,[rsi] ; mov rsi,rdx: #GP on the second iteration (non-canonical)
      {"load #GP", {0xff, 0xc0, 0xff, 0xc0, 0x4c, 0x8b, 0x06, 0xff, 0xc0, 0x48, 0x89, 0xd6, 0xeb, 0xf2},
       kAlias + 0x21000, noncanonical, 0, kGP, 6 + 2},
      // the same with the last byte past the canonical boundary (first byte canonical)
      {"load #GP (last byte)", {0xff, 0xc0, 0xff, 0xc0, 0x4c, 0x8b, 0x06, 0xff, 0xc0, 0x48, 0x89, 0xd6, 0xeb, 0xf2},
       kAlias + 0x21000, 0x00007ffffffffffcull, 0, kGP, 6 + 2},
      // mov r8,[rbp] ; mov rbp,rdx: #SS (stack segment)
      {"load #SS", {0xff, 0xc0, 0xff, 0xc0, 0x4c, 0x8b, 0x45, 0x00, 0xff, 0xc0, 0x48, 0x89, 0xd5, 0xeb, 0xf1},
       0, noncanonical, kAlias + 0x21000, kSS, 6 + 2},
  };
  for (const FaultCase& c : cases) check_fault_case(c);
}

TEST_CASE("inline dword stores to code pages invalidate translated blocks", "[jit][tlb][smc]") {
  for (Engine e : available_engines()) {
    INFO(engine_name(e));
    {
      // The running block: L: mov dword [rip+X],ecx (the imm of the next MOV) ;
      // mov eax,0 ; add ebx,eax ; dec ecx ; jnz L ; int3
      Machine m(e);
      m.load({0x89, 0x0d, 0x01, 0x00, 0x00, 0x00, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x01, 0xc3, 0xff, 0xc9, 0x75, 0xef, 0xcc},
             kCode);
      m.cpu.state().rip = kCode;
      m.r(RCX) = 40;
      RunResult res = m.cpu.run(100000);
      REQUIRE(res.reason == RunResult::Reason::Exception);
      CHECK(res.exception.vector == kBP);
      CHECK(m.r(RBX) == 40 * 41 / 2);
      CHECK(res.instructions == 40 * 5 + 1);
    }
    {
      // A later block on another page: f (kCode): mov eax,0 ; ret
      // main: L: call f ; add ebx,eax ; mov dword [kCode+1],ecx ; dec ecx ; jnz L ; int3
      Machine m(e);
      m.load({0xb8, 0, 0, 0, 0, 0xc3}, kCode);
      m.load({0xe8, 0xfb, 0xdf, 0xff, 0xff, 0x01, 0xc3, 0x89, 0x0c, 0x25, 0x01, 0x10, 0x00, 0x00, 0xff, 0xc9, 0x75,
              0xee, 0xcc},
             kMain);
      m.cpu.state().rip = kMain;
      m.r(RCX) = 40;
      RunResult res = m.cpu.run(100000);
      REQUIRE(res.reason == RunResult::Reason::Exception);
      CHECK(res.exception.vector == kBP);
      CHECK(m.r(RBX) == 40 * 41 / 2 - 1);
      CHECK(res.instructions == 40 * 7 + 1);
      if (e == Engine::JitFirstRun) CHECK(m.cpu.jit_engine()->stats().translations_dropped >= 39);
    }
  }
}

TEST_CASE("inline conditions, 8/16-bit and high-byte operands, MOVZX/MOVSX, INC/DEC/NEG/NOT match the interpreter", "[jit]") {
  // Each iteration takes new operands from an LCG (IMUL, then ROR), then per flag
  // producer at 8/16/32/64 bits
  // (CMP ADD SUB AND ADC SBB INC DEC NEG TEST, AH..BH among the operands) SETcc into
  // memory / CMOVcc / Jcc: the first right after it (its operands still in registers),
  // later ones from the lazy record; BT and SHL before a Jcc and a SETC.
  //   L: imul r15,r15,0x2545f491 ; add r15,0x3b9aca07 ; mov rax,r15 ; mov rdx,r15 ; ror rdx,29
  //      cmp al,dl ; setb [rsi] ; setl [rsi+1] ; setle [rsi+2] ; seto [rsi+3]
  //      add ah,dh ; seto [rsi+4] ; setbe [rsi+5] ; setp [rsi+6] ; sets [rsi+7]
  //      sub cx,dx ; jg 1f ; inc byte [rsi+8]
  //   1: mov ebx,eax ; and ebx,edx ; setnz [rsi+9] ; setge [rsi+10] ; cmovs ebx,edx ; cmovo bx,ax
  //      mov [rsi+12],ebx ; adc rax,rdx ; setc [rsi+16] ; seto [rsi+17] ; setnbe [rsi+18]
  //      sbb edx,eax ; setb [rsi+19] ; setle [rsi+20] ; inc dl ; setc [rsi+21] ; seto [rsi+22]
  //      setz [rsi+23] ; mov [rsi+24],dx ; dec word [rsi+24] ; seta [rsi+26] ; sets [rsi+27]
  //      mov r8,rax ; neg r8 ; setc [rsi+28] ; setl [rsi+29] ; movzx ecx,ah ; movsx r9,dl
  //      movsx r10d,word [rsi+24] ; movsxd r11,eax ; mov [rsi+32],rcx ; mov [rsi+40],r9
  //      mov [rsi+48],r10 ; not r9b ; xor r9b,cl ; mov [rsi+56],r11 ; mov [rsi+30],r9b
  //      mov ebx,edx ; test bh,ch ; cmove eax,edx ; setnp [rsi+31]
  //      cmp eax,edx ; mov ecx,5 ; jae 2f ; or byte [rsi+11],0x80
  //   2: bt eax,3 ; jc 3f ; xor word [rsi+14],0x1234
  //   3: shl edx,1 ; setc [rsi+15] ; cmovl r12,r15 ; sub r13b,al ; cmovnle r14d,eax
  //      adc r13,r14 ; sbb bh,al ; mov [rsi+8],bh ; add rsi,64 ; dec edi ; jnz L ; int3
  const std::vector<uint8_t> code = {
      0x4d, 0x69, 0xff, 0x91, 0xf4, 0x45, 0x25, 0x49, 0x81, 0xc7, 0x07, 0xca, 0x9a, 0x3b, 0x4c, 0x89, 0xf8, 0x4c,
      0x89, 0xfa, 0x48, 0xc1, 0xca, 0x1d, 0x38, 0xd0, 0x0f, 0x92, 0x06, 0x0f, 0x9c, 0x46, 0x01, 0x0f, 0x9e, 0x46,
      0x02, 0x0f, 0x90, 0x46, 0x03, 0x00, 0xf4, 0x0f, 0x90, 0x46, 0x04, 0x0f, 0x96, 0x46, 0x05, 0x0f, 0x9a, 0x46,
      0x06, 0x0f, 0x98, 0x46, 0x07, 0x66, 0x29, 0xd1, 0x7f, 0x03, 0xfe, 0x46, 0x08, 0x89, 0xc3, 0x21, 0xd3, 0x0f,
      0x95, 0x46, 0x09, 0x0f, 0x9d, 0x46, 0x0a, 0x0f, 0x48, 0xda, 0x66, 0x0f, 0x40, 0xd8, 0x89, 0x5e, 0x0c, 0x48,
      0x11, 0xd0, 0x0f, 0x92, 0x46, 0x10, 0x0f, 0x90, 0x46, 0x11, 0x0f, 0x97, 0x46, 0x12, 0x19, 0xc2, 0x0f, 0x92,
      0x46, 0x13, 0x0f, 0x9e, 0x46, 0x14, 0xfe, 0xc2, 0x0f, 0x92, 0x46, 0x15, 0x0f, 0x90, 0x46, 0x16, 0x0f, 0x94,
      0x46, 0x17, 0x66, 0x89, 0x56, 0x18, 0x66, 0xff, 0x4e, 0x18, 0x0f, 0x97, 0x46, 0x1a, 0x0f, 0x98, 0x46, 0x1b,
      0x49, 0x89, 0xc0, 0x49, 0xf7, 0xd8, 0x0f, 0x92, 0x46, 0x1c, 0x0f, 0x9c, 0x46, 0x1d, 0x0f, 0xb6, 0xcc, 0x4c,
      0x0f, 0xbe, 0xca, 0x44, 0x0f, 0xbf, 0x56, 0x18, 0x4c, 0x63, 0xd8, 0x48, 0x89, 0x4e, 0x20, 0x4c, 0x89, 0x4e,
      0x28, 0x4c, 0x89, 0x56, 0x30, 0x41, 0xf6, 0xd1, 0x41, 0x30, 0xc9, 0x4c, 0x89, 0x5e, 0x38, 0x44, 0x88, 0x4e,
      0x1e, 0x89, 0xd3, 0x84, 0xef, 0x0f, 0x44, 0xc2, 0x0f, 0x9b, 0x46, 0x1f, 0x39, 0xd0, 0xb9, 0x05, 0x00, 0x00,
      0x00, 0x73, 0x04, 0x80, 0x4e, 0x0b, 0x80, 0x0f, 0xba, 0xe0, 0x03, 0x72, 0x06, 0x66, 0x81, 0x76, 0x0e, 0x34,
      0x12, 0xd1, 0xe2, 0x0f, 0x92, 0x46, 0x0f, 0x4d, 0x0f, 0x4c, 0xe7, 0x41, 0x28, 0xc5, 0x44, 0x0f, 0x4f, 0xf0,
      0x4d, 0x11, 0xf5, 0x18, 0xc7, 0x88, 0x7e, 0x08, 0x48, 0x83, 0xc6, 0x40, 0xff, 0xcf, 0x0f, 0x85, 0xf0, 0xfe,
      0xff, 0xff, 0xcc};
  const auto init = [](Machine& m) {
    m.r(RSI) = 0x10000;
    m.r(RDI) = 1000;
    m.r(R15) = 0x0123456789abcdefull;
  };
  check_against_interpreter(code, 1000000, 30, init);
  // Every instruction but INT3 has inline code.
  if (Cpu::jit_available()) CHECK(handler_insns(code, init) == 1);
}

TEST_CASE("inline PUSH/POP/CALL/RET/JMP match the interpreter", "[jit]") {
  //   L: push rax ; push 0x12 ; push -0x1234567 ; push qword [rsi+8] ; push r9w ; pop r10w
  //      pop qword [rsi+16] ; pop rcx ; pop qword [rsp] (address after the increment) ; pop r8
  //      add rax,rcx ; call f ; add rdx,rax ; lea r11,[rip+g] ; call r11 ; call qword [rsi+24]
  //      jmp 1f ; int3
  //   1: lea r11,[rip+2f] ; jmp r11 ; int3
  //   2: add rsi,8 ; dec edi ; jnz L ; int3
  //   f: push rbx ; mov rbx,rsp ; inc rax ; pop rbx ; ret
  //   g: add rax,3 ; ret 8          (the stack moves up 8 bytes per iteration)
  const std::vector<uint8_t> code = {
      0x50, 0x6a, 0x12, 0x68, 0x99, 0xba, 0xdc, 0xfe, 0xff, 0x76, 0x08, 0x66, 0x41, 0x51, 0x66, 0x41, 0x5a, 0x8f,
      0x46, 0x10, 0x59, 0x8f, 0x04, 0x24, 0x41, 0x58, 0x48, 0x01, 0xc8, 0xe8, 0x27, 0x00, 0x00, 0x00, 0x48, 0x01,
      0xc2, 0x4c, 0x8d, 0x1d, 0x26, 0x00, 0x00, 0x00, 0x41, 0xff, 0xd3, 0xff, 0x56, 0x18, 0xeb, 0x01, 0xcc, 0x4c,
      0x8d, 0x1d, 0x04, 0x00, 0x00, 0x00, 0x41, 0xff, 0xe3, 0xcc, 0x48, 0x83, 0xc6, 0x08, 0xff, 0xcf, 0x75, 0xb8,
      0xcc, 0x53, 0x48, 0x89, 0xe3, 0x48, 0xff, 0xc0, 0x5b, 0xc3, 0x48, 0x83, 0xc0, 0x03, 0xc2, 0x08, 0x00};
  const auto init = [](Machine& m) {
    for (uint64_t a = 0x10000; a < 0x18000; a += 8) m.mem.write(a, 8, kCode + 0x49);  // f, for call [rsi+24]
    m.r(RSI) = 0x10000;
    m.r(RDI) = 500;
    m.r(RAX) = 0x1111;
    m.r(R9) = 0xabcdef;
    m.r(RSP) = 0x18000;
  };
  check_against_interpreter(code, 1000000, 10, init);
  // Every instruction but the final INT3 has inline code.
  if (Cpu::jit_available()) CHECK(handler_insns(code, init) == 1);
}

TEST_CASE("inline stack accesses and RET: faults leave the state at the instruction", "[jit]") {
  for (Engine e : available_engines()) {
    INFO(engine_name(e));
    {
      // L: inc eax ; pop rcx ; jmp L   (the third POP reads at kFaultAt: #PF, RSP unchanged)
      Machine m(e);
      m.load({0xff, 0xc0, 0x59, 0xeb, 0xfb}, kCode);
      m.cpu.state().rip = kCode;
      m.r(RSP) = AliasTranslator::kFaultAt - 16;
      RunResult res = m.cpu.run(100000);
      REQUIRE(res.reason == RunResult::Reason::Exception);
      CHECK(res.exception.vector == kPF);
      CHECK(res.instructions == 7);
      CHECK(m.cpu.state().rip == kCode + 2);
      CHECK(m.r(RSP) == AliasTranslator::kFaultAt);
      CHECK(m.r(RAX) == 3);
      CHECK(m.cpu.state().cr2 == AliasTranslator::kFaultAt);
    }
    {
      // mov rax,0x0000800000000000 ; push rax ; inc ecx ; ret   (#GP: non-canonical target)
      Machine m(e);
      m.load({0x48, 0xb8, 0, 0, 0, 0, 0, 0x80, 0, 0, 0x50, 0xff, 0xc1, 0xc3}, kCode);
      m.cpu.state().rip = kCode;
      RunResult res = m.cpu.run(100000);
      REQUIRE(res.reason == RunResult::Reason::Exception);
      CHECK(res.exception.vector == kGP);
      CHECK(res.instructions == 3);
      CHECK(m.cpu.state().rip == kCode + 13);
      CHECK(m.r(RSP) == kStackTop - 8);
      CHECK(m.r(RCX) == 1);
    }
  }
}

TEST_CASE("inline SHL/SHR/SAR by constants (lazy flags) match the interpreter", "[jit]") {
  //   L: imul r15,r15,0x2545f491 ; add r15,0x3b9aca07 ; mov rax,r15 ; mov rdx,r15 ; mov ecx,r15d
  //      shl eax,7 ; setc [rsi] ; seto [rsi+1] ; shr dx,1 ; setc [rsi+2] ; seto [rsi+3]
  //      sar ah,5 ; setc [rsi+4] ; sets [rsi+5] ; sar rdx,63 ; setz [rsi+6]
  //      shl bl,9 (count past the width) ; adc bl,0
  //      shr r8d,0 (no flags: the ADC's record must stay) ; setc [rsi+7]
  //      shl byte [rsi+8],3 ; setp [rsi+9] ; sar word [rsi+10],17 ; cmovc r9,rax
  //      shr r10,cl (a handler) ; setc [rsi+12] ; mov [rsi+16],rax ; mov [rsi+24],rdx
  //      add rsi,32 ; dec edi ; jnz L ; int3
  const std::vector<uint8_t> code = {
      0x4d, 0x69, 0xff, 0x91, 0xf4, 0x45, 0x25, 0x49, 0x81, 0xc7, 0x07, 0xca, 0x9a, 0x3b, 0x4c, 0x89, 0xf8, 0x4c,
      0x89, 0xfa, 0x44, 0x89, 0xf9, 0xc1, 0xe0, 0x07, 0x0f, 0x92, 0x06, 0x0f, 0x90, 0x46, 0x01, 0x66, 0xd1, 0xea,
      0x0f, 0x92, 0x46, 0x02, 0x0f, 0x90, 0x46, 0x03, 0xc0, 0xfc, 0x05, 0x0f, 0x92, 0x46, 0x04, 0x0f, 0x98, 0x46,
      0x05, 0x48, 0xc1, 0xfa, 0x3f, 0x0f, 0x94, 0x46, 0x06, 0xc0, 0xe3, 0x09, 0x80, 0xd3, 0x00, 0x41, 0xc1, 0xe8,
      0x00, 0x0f, 0x92, 0x46, 0x07, 0xc0, 0x66, 0x08, 0x03, 0x0f, 0x9a, 0x46, 0x09, 0x66, 0xc1, 0x7e, 0x0a, 0x11,
      0x4c, 0x0f, 0x42, 0xc8, 0x49, 0xd3, 0xea, 0x0f, 0x92, 0x46, 0x0c, 0x48, 0x89, 0x46, 0x10, 0x48, 0x89, 0x56,
      0x18, 0x48, 0x83, 0xc6, 0x20, 0xff, 0xcf, 0x75, 0x8b, 0xcc};
  const auto init = [](Machine& m) {
    fill_words(m, 0x20000);
    m.r(RSI) = 0x10000;
    m.r(RDI) = 1000;
    m.r(R8) = 0xffffffff00000005ull;
    m.r(R10) = 0x8000000000000001ull;
  };
  check_against_interpreter(code, 1000000, 4, init);
  // Every instruction but INT3 has inline code (the SHR by CL too).
  if (Cpu::jit_available()) CHECK(handler_insns(code, init) == 1);
}

TEST_CASE("inline ROL/ROR (Rot flag records) and SHL/SHR/SAR by CL match the interpreter", "[jit]") {
  // Counts: constants (1, 7, 8 on a byte: a full turn still sets CF/OF, 63) and CL from
  // the LCG (0..255, so masked counts 0, 1, width-1 and past the width all occur; a zero
  // count keeps every flag); the rotates' CF/OF land over a known producer (ADD), an
  // unknown one, a record left by SAHF (flags in RFLAGS) and each other; SF/ZF/PF/AF
  // must survive them (PUSHFQ, SETcc, ADC/SBB/CMOVC read them).
  //   L: imul r15,r15,0x2545f491 ; add r15,0x3b9aca07 ; mov rax,r15 ; mov rdx,r15
  //      mov rcx,r15 ; shr rcx,40 ; mov rbx,r15 ; ror rbx,17 ; add ebx,edx
  //      rol eax,7 ; pushfq ; pop r8 ; mov [rsi],r8 ; ror dx,1 ; setc/seto/setz/sets/setp [rsi+8..12]
  //      rol bl,cl ; pushfq ; pop r8 ; mov [rsi+16],r8 ; ror rax,cl ; adc r9,0
  //      rol r10d,cl ; ror r10d,13 ; xor r10d,eax (dead rotate flags)
  //      ror qword [rsi+24],cl ; pushfq ; pop r8 ; mov [rsi+32],r8
  //      rol byte [rsi+40],3 ; ror word [rsi+42],cl ; rol r13,63 ; seto [rsi+44]
  //      ror r14b,8 ; setc [rsi+45] ; shl edx,cl ; setc/seto/sets [rsi+48..50]
  //      shr rbx,cl ; pushfq ; pop r8 ; mov [rsi+56],r8 ; sar r11w,cl ; cmovc r12,rax
  //      shl byte [rsi+64],cl ; pushfq ; pop r8 ; mov [rsi+72],r8 ; sar dword [rsi+76],cl
  //      mov ecx,0 ; cmp eax,edx ; rol eax,cl ; shl edx,cl ; pushfq ; pop r8 ; mov [rsi+80],r8
  //      mov ah,dl ; sahf ; ror eax,9 ; pushfq ; pop r8 ; mov [rsi+88],r8
  //      mov ecx,r15d ; shr ecx,3 ; sahf ; rol rdx,cl ; sbb eax,0 ; mov [rsi+96],rax
  //      mov [rsi+104],rdx ; add rsi,112 ; dec edi ; jnz L ; int3
  const std::vector<uint8_t> code = {
      0x4d, 0x69, 0xff, 0x91, 0xf4, 0x45, 0x25, 0x49, 0x81, 0xc7, 0x07, 0xca, 0x9a, 0x3b, 0x4c, 0x89, 0xf8, 0x4c,
      0x89, 0xfa, 0x4c, 0x89, 0xf9, 0x48, 0xc1, 0xe9, 0x28, 0x4c, 0x89, 0xfb, 0x48, 0xc1, 0xcb, 0x11, 0x01, 0xd3,
      0xc1, 0xc0, 0x07, 0x9c, 0x41, 0x58, 0x4c, 0x89, 0x06, 0x66, 0xd1, 0xca, 0x0f, 0x92, 0x46, 0x08, 0x0f, 0x90,
      0x46, 0x09, 0x0f, 0x94, 0x46, 0x0a, 0x0f, 0x98, 0x46, 0x0b, 0x0f, 0x9a, 0x46, 0x0c, 0xd2, 0xc3, 0x9c, 0x41,
      0x58, 0x4c, 0x89, 0x46, 0x10, 0x48, 0xd3, 0xc8, 0x49, 0x83, 0xd1, 0x00, 0x41, 0xd3, 0xc2, 0x41, 0xc1, 0xca,
      0x0d, 0x41, 0x31, 0xc2, 0x48, 0xd3, 0x4e, 0x18, 0x9c, 0x41, 0x58, 0x4c, 0x89, 0x46, 0x20, 0xc0, 0x46, 0x28,
      0x03, 0x66, 0xd3, 0x4e, 0x2a, 0x49, 0xc1, 0xc5, 0x3f, 0x0f, 0x90, 0x46, 0x2c, 0x41, 0xc0, 0xce, 0x08, 0x0f,
      0x92, 0x46, 0x2d, 0xd3, 0xe2, 0x0f, 0x92, 0x46, 0x30, 0x0f, 0x90, 0x46, 0x31, 0x0f, 0x98, 0x46, 0x32, 0x48,
      0xd3, 0xeb, 0x9c, 0x41, 0x58, 0x4c, 0x89, 0x46, 0x38, 0x66, 0x41, 0xd3, 0xfb, 0x4c, 0x0f, 0x42, 0xe0, 0xd2,
      0x66, 0x40, 0x9c, 0x41, 0x58, 0x4c, 0x89, 0x46, 0x48, 0xd3, 0x7e, 0x4c, 0xb9, 0x00, 0x00, 0x00, 0x00, 0x39,
      0xd0, 0xd3, 0xc0, 0xd3, 0xe2, 0x9c, 0x41, 0x58, 0x4c, 0x89, 0x46, 0x50, 0x88, 0xd4, 0x9e, 0xc1, 0xc8, 0x09,
      0x9c, 0x41, 0x58, 0x4c, 0x89, 0x46, 0x58, 0x44, 0x89, 0xf9, 0xc1, 0xe9, 0x03, 0x9e, 0x48, 0xd3, 0xc2, 0x83,
      0xd8, 0x00, 0x48, 0x89, 0x46, 0x60, 0x48, 0x89, 0x56, 0x68, 0x48, 0x83, 0xc6, 0x70, 0xff, 0xcf, 0x0f, 0x85,
      0x12, 0xff, 0xff, 0xff, 0xcc};
  const auto init = [](Machine& m) {
    fill_words(m, 0x30000);
    m.r(RSI) = 0x10000;
    m.r(RDI) = 1000;
    m.r(R15) = 0x0123456789abcdefull;
    m.r(R13) = 0x4000000000000001ull;
    m.r(R14) = 0x81;
  };
  check_against_interpreter(code, 1000000, 6, init);
  // Handlers: the seven PUSHFQ, the two SAHF and INT3 (SAR of memory by CL ran out of
  // scratch registers before guest registers were cached in host registers).
  if (Cpu::jit_available()) CHECK(handler_insns(code, init) == 10);
}

TEST_CASE("inline MUL/IMUL/DIV/IDIV (one operand) match the interpreter", "[jit]") {
  // Per LCG value, at 8/16/32/64 bits with register and memory operands: MUL/IMUL (CF/OF,
  // the lazy SF/ZF/PF of the low half), DIV/IDIV with dividends that fit, IDIV of
  // 128-bit dividends (rDX not rAX's sign: the handler's path, which completes).
  //   L: imul r15,r15,0x2545f491 ; add r15,0x3b9aca07 ; mov rax,r15 ; mov rbx,r15 ; ror rbx,21
  //      mul rbx ; mov [rsi],rax ; mov [rsi+8],rdx ; setc [rsi+16] ; seto [rsi+17]
  //      mov rax,r15 ; imul rbx ; mov [rsi+24],rdx ; pushfq ; pop r8 ; mov [rsi+32],r8
  //      mov eax,r15d ; mul ebx ; seto [rsi+40] ; mov [rsi+44],edx ; imul bx ; setc [rsi+41]
  //      mov [rsi+48],dx ; mul bl ; seto [rsi+42] ; mov [rsi+50],ax ; imul byte [rsi+1]
  //      setc [rsi+43] ; mov [rsi+52],ax ; imul dword [rsi+4] ; mov [rsi+56],rdx
  //      mov rax,r15 ; mul qword [rsi+8] ; sets [rsi+54]
  //      mov rcx,rbx ; or rcx,1 ; mov rax,r15 ; xor edx,edx ; div rcx ; mov [rsi+64],rax ; mov [rsi+72],rdx
  //      mov rcx,rbx ; or rcx,r9 ; mov rdx,r15 ; shr rdx,40 ; mov rax,rbx ; div rcx ; (store)
  //      mov rax,r15 ; cqo ; idiv rcx ; (store) ; mov rax,rbx ; mov rdx,r15 ; shr rdx,44 ; idiv rcx
  //      (store) ; mov rax,rbx ; neg rcx ; mov rdx,r15 ; sar rdx,44 ; idiv rcx ; (store)
  //      mov eax,r15d ; mov edx,ebx ; and edx,0x3fffffff ; mov ecx,ebx ; or ecx,0x40004000 ; div ecx
  //      (store) ; mov eax,r15d ; cdq ; idiv ecx ; (store) ; mov ax,r15w ; cwd ; idiv cx ; (store)
  //      mov ax,r15w ; and ah,0x3f ; mov cl,bl ; or cl,0x40 ; div cl ; (store)
  //      mov ax,r15w ; mov dx,bx ; and dx,0x3fff ; or cx,0x4000 ; div cx ; (store)
  //      mov eax,r15d ; cbw ; and byte [rsi+3],0x7f ; or byte [rsi+3],1 ; idiv byte [rsi+3] ; (store)
  //      mov eax,ebx ; cdq ; idiv dword [rsi+4] ; (store) ; add rsi,240 ; dec edi ; jnz L ; int3
  const std::vector<uint8_t> code = {
      0x4d, 0x69, 0xff, 0x91, 0xf4, 0x45, 0x25, 0x49, 0x81, 0xc7, 0x07, 0xca, 0x9a, 0x3b, 0x4c, 0x89, 0xf8, 0x4c,
      0x89, 0xfb, 0x48, 0xc1, 0xcb, 0x15, 0x48, 0xf7, 0xe3, 0x48, 0x89, 0x06, 0x48, 0x89, 0x56, 0x08, 0x0f, 0x92,
      0x46, 0x10, 0x0f, 0x90, 0x46, 0x11, 0x4c, 0x89, 0xf8, 0x48, 0xf7, 0xeb, 0x48, 0x89, 0x56, 0x18, 0x9c, 0x41,
      0x58, 0x4c, 0x89, 0x46, 0x20, 0x44, 0x89, 0xf8, 0xf7, 0xe3, 0x0f, 0x90, 0x46, 0x28, 0x89, 0x56, 0x2c, 0x66,
      0xf7, 0xeb, 0x0f, 0x92, 0x46, 0x29, 0x66, 0x89, 0x56, 0x30, 0xf6, 0xe3, 0x0f, 0x90, 0x46, 0x2a, 0x66, 0x89,
      0x46, 0x32, 0xf6, 0x6e, 0x01, 0x0f, 0x92, 0x46, 0x2b, 0x66, 0x89, 0x46, 0x34, 0xf7, 0x6e, 0x04, 0x48, 0x89,
      0x56, 0x38, 0x4c, 0x89, 0xf8, 0x48, 0xf7, 0x66, 0x08, 0x0f, 0x98, 0x46, 0x36, 0x48, 0x89, 0xd9, 0x48, 0x83,
      0xc9, 0x01, 0x4c, 0x89, 0xf8, 0x31, 0xd2, 0x48, 0xf7, 0xf1, 0x48, 0x89, 0x46, 0x40, 0x48, 0x89, 0x56, 0x48,
      0x48, 0x89, 0xd9, 0x4c, 0x09, 0xc9, 0x4c, 0x89, 0xfa, 0x48, 0xc1, 0xea, 0x28, 0x48, 0x89, 0xd8, 0x48, 0xf7,
      0xf1, 0x48, 0x89, 0x46, 0x50, 0x48, 0x89, 0x56, 0x58, 0x4c, 0x89, 0xf8, 0x48, 0x99, 0x48, 0xf7, 0xf9, 0x48,
      0x89, 0x46, 0x60, 0x48, 0x89, 0x56, 0x68, 0x48, 0x89, 0xd8, 0x4c, 0x89, 0xfa, 0x48, 0xc1, 0xea, 0x2c, 0x48,
      0xf7, 0xf9, 0x48, 0x89, 0x46, 0x70, 0x48, 0x89, 0x56, 0x78, 0x48, 0x89, 0xd8, 0x48, 0xf7, 0xd9, 0x4c, 0x89,
      0xfa, 0x48, 0xc1, 0xfa, 0x2c, 0x48, 0xf7, 0xf9, 0x48, 0x89, 0x86, 0x80, 0x00, 0x00, 0x00, 0x48, 0x89, 0x96,
      0x88, 0x00, 0x00, 0x00, 0x44, 0x89, 0xf8, 0x89, 0xda, 0x81, 0xe2, 0xff, 0xff, 0xff, 0x3f, 0x89, 0xd9, 0x81,
      0xc9, 0x00, 0x40, 0x00, 0x40, 0xf7, 0xf1, 0x48, 0x89, 0x86, 0x90, 0x00, 0x00, 0x00, 0x48, 0x89, 0x96, 0x98,
      0x00, 0x00, 0x00, 0x44, 0x89, 0xf8, 0x99, 0xf7, 0xf9, 0x48, 0x89, 0x86, 0xa0, 0x00, 0x00, 0x00, 0x48, 0x89,
      0x96, 0xa8, 0x00, 0x00, 0x00, 0x66, 0x44, 0x89, 0xf8, 0x66, 0x99, 0x66, 0xf7, 0xf9, 0x48, 0x89, 0x86, 0xb0,
      0x00, 0x00, 0x00, 0x48, 0x89, 0x96, 0xb8, 0x00, 0x00, 0x00, 0x66, 0x44, 0x89, 0xf8, 0x80, 0xe4, 0x3f, 0x88,
      0xd9, 0x80, 0xc9, 0x40, 0xf6, 0xf1, 0x48, 0x89, 0x86, 0xc0, 0x00, 0x00, 0x00, 0x66, 0x44, 0x89, 0xf8, 0x66,
      0x89, 0xda, 0x66, 0x81, 0xe2, 0xff, 0x3f, 0x66, 0x81, 0xc9, 0x00, 0x40, 0x66, 0xf7, 0xf1, 0x48, 0x89, 0x86,
      0xc8, 0x00, 0x00, 0x00, 0x48, 0x89, 0x96, 0xd0, 0x00, 0x00, 0x00, 0x44, 0x89, 0xf8, 0x66, 0x98, 0x80, 0x66,
      0x03, 0x7f, 0x80, 0x4e, 0x03, 0x01, 0xf6, 0x7e, 0x03, 0x48, 0x89, 0x86, 0xd8, 0x00, 0x00, 0x00, 0x89, 0xd8,
      0x99, 0xf7, 0x7e, 0x04, 0x48, 0x89, 0x86, 0xe0, 0x00, 0x00, 0x00, 0x48, 0x89, 0x96, 0xe8, 0x00, 0x00, 0x00,
      0x48, 0x81, 0xc6, 0xf0, 0x00, 0x00, 0x00, 0xff, 0xcf, 0x0f, 0x85, 0x53, 0xfe, 0xff, 0xff, 0xcc};
  const auto init = [](Machine& m) {
    fill_words(m, 0x40000);
    m.r(RSI) = 0x10000;
    m.r(RDI) = 700;
    m.r(R9) = uint64_t{1} << 62;
    m.r(R15) = 0x0123456789abcdefull;
  };
  check_against_interpreter(code, 1000000, 4, init);
  // Handlers: PUSHFQ and INT3.
  if (Cpu::jit_available()) CHECK(handler_insns(code, init) == 2);
}

TEST_CASE("inline DIV/IDIV: #DE leaves the state at the instruction", "[jit]") {
  // L: inc rbx ; mov rax,rbx ; mov rdx,rbx ; shr rdx,5 ; <divide> ; jmp L
  // The dividend grows until the quotient no longer fits (or the divisor is zero).
  struct Case {
    const char* name;
    std::vector<uint8_t> insn;
    uint64_t rcx;
  };
  const std::vector<Case> cases = {
      {"div ecx", {0xf7, 0xf1}, 2},        {"div rcx", {0x48, 0xf7, 0xf1}, 2},
      {"idiv rcx (128-bit dividends)", {0x48, 0xf7, 0xf9}, 2}, {"idiv ecx", {0xf7, 0xf9}, 2},
      {"div cl", {0xf6, 0xf1}, 2},         {"idiv rcx by -1", {0x48, 0xf7, 0xf9}, ~uint64_t{0}},
      {"idiv word [rdi] (zero)", {0x66, 0xf7, 0x3f}, 0}, {"idiv cl by zero", {0xf6, 0xf9}, 0x100},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    std::vector<uint8_t> code = {0x48, 0xff, 0xc3, 0x48, 0x89, 0xd8, 0x48, 0x89, 0xda, 0x48, 0xc1, 0xea, 0x05};
    code.insert(code.end(), c.insn.begin(), c.insn.end());
    code.push_back(0xeb);
    code.push_back(static_cast<uint8_t>(-static_cast<int>(code.size() + 1)));
    const auto init = [&](Machine& m) {
      m.r(RCX) = c.rcx;
      m.r(RDI) = 0x10000;
    };
    check_against_interpreter(code, 100000, 0, init);
    Machine m(Engine::Interp);
    m.load(code, kCode);
    m.cpu.state().rip = kCode;
    init(m);
    RunResult res = m.cpu.run(100000);
    REQUIRE(res.reason == RunResult::Reason::Exception);
    CHECK(res.exception.vector == kDE);
  }
  // INT64_MIN / -1 (64-bit: the host's own #DE case; 32-bit: edx:eax = INT64_MIN).
  //   mov rax,r8 ; cqo ; idiv rcx ; int3      mov rax,r8 ; mov rdx,r8 ; shr rdx,32 ; idiv ecx ; int3
  const std::vector<std::pair<std::vector<uint8_t>, uint64_t>> min_cases = {
      {{0x4c, 0x89, 0xc0, 0x48, 0x99, 0x48, 0xf7, 0xf9, 0xcc}, 5},
      {{0x4c, 0x89, 0xc0, 0x4c, 0x89, 0xc2, 0x48, 0xc1, 0xea, 0x20, 0xf7, 0xf9, 0xcc}, 10}};
  for (const auto& [code, at] : min_cases) {
    const auto init = [](Machine& m) {
      m.r(RCX) = ~uint64_t{0};
      m.r(R8) = uint64_t{1} << 63;
    };
    check_against_interpreter(code, 100000, 0, init);
    for (Engine e : available_engines()) {
      Machine m(e);
      m.load(code, kCode);
      m.cpu.state().rip = kCode;
      init(m);
      RunResult res = m.cpu.run(100000);
      REQUIRE(res.reason == RunResult::Reason::Exception);
      CHECK(res.exception.vector == kDE);
      CHECK(m.cpu.state().rip == kCode + at);
    }
  }
}

TEST_CASE("inline CMPXCHG, BT/BTS/BTR/BTC and BSWAP match the interpreter", "[jit]") {
  // CMPXCHG equal and not (chosen by a bit of the LCG) at 8/16/32/64 bits, register and
  // memory destinations, LOCK, rAX as the destination, a 32-bit register destination
  // whose upper half must survive a failed compare; BT* by register and immediate on
  // registers and memory (CF, OF and the kept SF/ZF/AF/PF), a bit string in memory
  // (the handler); BSWAP r32/r64/r16.
  //   L: imul r15,r15,0x2545f491 ; add r15,0x3b9aca07 ; mov rax,r15 ; mov rbx,r15 ; ror rbx,33
  //      mov rdx,r15 ; shr rdx,7 ; mov r8,rbx ; bt r15,5 ; cmovc r8,rax ; cmpxchg r8,rdx
  //      setz [rsi] ; setc [rsi+1] ; sets [rsi+2] ; mov [rsi+8],r8 ; mov r10,rbx ; bt r15,6
  //      cmovc r10,rax ; cmpxchg r10d,edx ; seto [rsi+3] ; mov [rsi+16],r10 ; mov [rsi+24],rax
  //      mov rax,r15 ; mov r11,rbx ; bt r15,7 ; cmovc r11,rax ; mov [rsi+32],r11
  //      cmpxchg [rsi+32],edx ; setz [rsi+4] ; lock cmpxchg [rsi+40],rdx ; setbe [rsi+5]
  //      cmpxchg [rsi+48],dl ; setl [rsi+6] ; mov ecx,r15d ; cmpxchg ax,cx ; cmpxchg eax,ecx
  //      pushfq ; pop r9 ; mov [rsi+56],r9 ; mov [rsi+64],rax ; mov rcx,r15 ; shr rcx,50
  //      add ebx,edx ; bt rbx,rcx ; pushfq ; pop r9 ; mov [rsi+72],r9 ; bts ebx,37 ; setc [rsi+7]
  //      btr r10w,cx ; seto [rsi+80] ; btc qword [rsi+88],63 ; sbb r12,r10 ; bt dword [rsi+96],5
  //      setc [rsi+81] ; bts [rsi+104],rcx ; setc [rsi+82] ; lock btr dword [rsi+108],9
  //      bswap eax ; bswap r10 ; mov [rsi+112],rax ; mov [rsi+120],r10 ; mov [rsi+128],rbx
  //      bswap r11w ; mov [rsi+136],r11 ; add rsi,144 ; dec edi ; jnz L ; int3
  const std::vector<uint8_t> code = {
      0x4d, 0x69, 0xff, 0x91, 0xf4, 0x45, 0x25, 0x49, 0x81, 0xc7, 0x07, 0xca, 0x9a, 0x3b, 0x4c, 0x89, 0xf8, 0x4c,
      0x89, 0xfb, 0x48, 0xc1, 0xcb, 0x21, 0x4c, 0x89, 0xfa, 0x48, 0xc1, 0xea, 0x07, 0x49, 0x89, 0xd8, 0x49, 0x0f,
      0xba, 0xe7, 0x05, 0x4c, 0x0f, 0x42, 0xc0, 0x49, 0x0f, 0xb1, 0xd0, 0x0f, 0x94, 0x06, 0x0f, 0x92, 0x46, 0x01,
      0x0f, 0x98, 0x46, 0x02, 0x4c, 0x89, 0x46, 0x08, 0x49, 0x89, 0xda, 0x49, 0x0f, 0xba, 0xe7, 0x06, 0x4c, 0x0f,
      0x42, 0xd0, 0x41, 0x0f, 0xb1, 0xd2, 0x0f, 0x90, 0x46, 0x03, 0x4c, 0x89, 0x56, 0x10, 0x48, 0x89, 0x46, 0x18,
      0x4c, 0x89, 0xf8, 0x49, 0x89, 0xdb, 0x49, 0x0f, 0xba, 0xe7, 0x07, 0x4c, 0x0f, 0x42, 0xd8, 0x4c, 0x89, 0x5e,
      0x20, 0x0f, 0xb1, 0x56, 0x20, 0x0f, 0x94, 0x46, 0x04, 0xf0, 0x48, 0x0f, 0xb1, 0x56, 0x28, 0x0f, 0x96, 0x46,
      0x05, 0x0f, 0xb0, 0x56, 0x30, 0x0f, 0x9c, 0x46, 0x06, 0x44, 0x89, 0xf9, 0x66, 0x0f, 0xb1, 0xc8, 0x0f, 0xb1,
      0xc8, 0x9c, 0x41, 0x59, 0x4c, 0x89, 0x4e, 0x38, 0x48, 0x89, 0x46, 0x40, 0x4c, 0x89, 0xf9, 0x48, 0xc1, 0xe9,
      0x32, 0x01, 0xd3, 0x48, 0x0f, 0xa3, 0xcb, 0x9c, 0x41, 0x59, 0x4c, 0x89, 0x4e, 0x48, 0x0f, 0xba, 0xeb, 0x25,
      0x0f, 0x92, 0x46, 0x07, 0x66, 0x41, 0x0f, 0xb3, 0xca, 0x0f, 0x90, 0x46, 0x50, 0x48, 0x0f, 0xba, 0x7e, 0x58,
      0x3f, 0x4d, 0x19, 0xd4, 0x0f, 0xba, 0x66, 0x60, 0x05, 0x0f, 0x92, 0x46, 0x51, 0x48, 0x0f, 0xab, 0x4e, 0x68,
      0x0f, 0x92, 0x46, 0x52, 0xf0, 0x0f, 0xba, 0x76, 0x6c, 0x09, 0x0f, 0xc8, 0x49, 0x0f, 0xca, 0x48, 0x89, 0x46,
      0x70, 0x4c, 0x89, 0x56, 0x78, 0x48, 0x89, 0x9e, 0x80, 0x00, 0x00, 0x00, 0x66, 0x41, 0x0f, 0xcb, 0x4c, 0x89,
      0x9e, 0x88, 0x00, 0x00, 0x00, 0x48, 0x81, 0xc6, 0x90, 0x00, 0x00, 0x00, 0xff, 0xcf, 0x0f, 0x85, 0xf0, 0xfe,
      0xff, 0xff, 0xcc};
  const auto init = [](Machine& m) {
    fill_words(m, 0x40000);
    m.r(RSI) = 0x10000;
    m.r(RDI) = 1000;
    m.r(R15) = 0x0123456789abcdefull;
  };
  check_against_interpreter(code, 1000000, 8, init);
  // Handlers: the two PUSHFQ, BTS into a bit string and INT3.
  if (Cpu::jit_available()) CHECK(handler_insns(code, init) == 4);
}

TEST_CASE("inline BSF/BSR match the interpreter", "[jit]") {
  // Sources from the LCG shifted right by 0..63 (so every index occurs), zero one time in
  // eight (the destination keeps its old value, incl. a 32-bit one's upper half).
  //   L: imul r15,r15,0x2545f491 ; add r15,0x3b9aca07 ; mov rbx,r15 ; mov rcx,r15 ; shr rcx,58
  //      shr rbx,cl ; test r15b,0x38 ; cmovz rbx,r13 ; mov rax,r12 ; mov rdx,r12 ; mov r8,r12
  //      bsf rax,rbx ; setz [rsi] ; bsr edx,ebx ; setnz [rsi+1] ; bsf r8w,bx ; pushfq ; pop r9
  //      mov [rsi+8],r9 ; bsr r10,[rsi+16] ; setz [rsi+2] ; mov [rsi+24],rax ; mov [rsi+32],rdx
  //      mov [rsi+40],r8 ; mov [rsi+48],r10 ; add rsi,56 ; dec edi ; jnz L ; int3
  const std::vector<uint8_t> code = {
      0x4d, 0x69, 0xff, 0x91, 0xf4, 0x45, 0x25, 0x49, 0x81, 0xc7, 0x07, 0xca, 0x9a, 0x3b, 0x4c, 0x89, 0xfb, 0x4c,
      0x89, 0xf9, 0x48, 0xc1, 0xe9, 0x3a, 0x48, 0xd3, 0xeb, 0x41, 0xf6, 0xc7, 0x38, 0x49, 0x0f, 0x44, 0xdd, 0x4c,
      0x89, 0xe0, 0x4c, 0x89, 0xe2, 0x4d, 0x89, 0xe0, 0x48, 0x0f, 0xbc, 0xc3, 0x0f, 0x94, 0x06, 0x0f, 0xbd, 0xd3,
      0x0f, 0x95, 0x46, 0x01, 0x66, 0x44, 0x0f, 0xbc, 0xc3, 0x9c, 0x41, 0x59, 0x4c, 0x89, 0x4e, 0x08, 0x4c, 0x0f,
      0xbd, 0x56, 0x10, 0x0f, 0x94, 0x46, 0x02, 0x48, 0x89, 0x46, 0x18, 0x48, 0x89, 0x56, 0x20, 0x4c, 0x89, 0x46,
      0x28, 0x4c, 0x89, 0x56, 0x30, 0x48, 0x83, 0xc6, 0x38, 0xff, 0xcf, 0x75, 0x99, 0xcc};
  const auto init = [](Machine& m) {
    for (uint64_t a = 0x10000; a < 0x30000; a += 8) m.mem.write(a, 8, a % 24 == 0 ? 0 : a * 0x9e3779b97f4a7c15ull);
    m.r(RSI) = 0x10000;
    m.r(RDI) = 1000;
    m.r(R12) = 0xfedcba9876543210ull;
    m.r(R15) = 0x0123456789abcdefull;
  };
  check_against_interpreter(code, 1000000, 1, init);
  // Handlers: PUSHFQ and INT3.
  if (Cpu::jit_available()) CHECK(handler_insns(code, init) == 2);
}

TEST_CASE("inline XCHG/XADD/CBW/CWD/NOP match the interpreter", "[jit]") {
  //   L: imul r15,r15,0x2545f491 ; mov rax,r15 ; mov rdx,r15 ; ror rdx,31 ; xchg eax,edx
  //      xchg [rsi],ecx ; xadd [rsi+8],rax ; setc [rsi+16] ; xadd bl,dl ; seto [rsi+17]
  //      cdqe ; cqo ; mov [rsi+24],rdx ; cwd ; cbw ; nop dword [rax+rax] ; mov [rsi+32],rdx
  //      add rsi,40 ; dec edi ; jnz L ; int3
  const std::vector<uint8_t> code = {
      0x4d, 0x69, 0xff, 0x91, 0xf4, 0x45, 0x25, 0x4c, 0x89, 0xf8, 0x4c, 0x89, 0xfa, 0x48, 0xc1, 0xca, 0x1f, 0x92,
      0x87, 0x0e, 0x48, 0x0f, 0xc1, 0x46, 0x08, 0x0f, 0x92, 0x46, 0x10, 0x0f, 0xc0, 0xd3, 0x0f, 0x90, 0x46, 0x11,
      0x48, 0x98, 0x48, 0x99, 0x48, 0x89, 0x56, 0x18, 0x66, 0x99, 0x66, 0x98, 0x0f, 0x1f, 0x04, 0x00, 0x48, 0x89,
      0x56, 0x20, 0x48, 0x83, 0xc6, 0x28, 0xff, 0xcf, 0x75, 0xc0, 0xcc};
  const auto init = [](Machine& m) {
    fill_words(m, 0x20000);
    m.r(RSI) = 0x10000;
    m.r(RDI) = 1000;
    m.r(R15) = 0x0123456789abcdefull;
  };
  check_against_interpreter(code, 1000000, 4, init);
  // Every instruction but INT3 has inline code (ROR too).
  if (Cpu::jit_available()) CHECK(handler_insns(code, init) == 1);
}

TEST_CASE("cached guest registers lent to values: overwritten while the old value is still needed", "[jit][regs]") {
  // The emitter lends a cached register's host register to the values read from it and
  // renames results into the cache: XCHG/XADD/CMPXCHG write a register whose old value
  // is still needed (the other operand, the flag record), the same register twice as
  // operands, conditions read the record's operands after a MOV wrote one of them,
  // PUSH RSP, AH written over a lent RAX, and more live guest registers than the cache
  // holds at first.
  //   L: imul r15,r15,0x2545f491 ; mov rax,r15 ; mov rbx,r14 ; xchg rbx,rax ; xadd rax,rbx
  //      adc rcx,rax ; xchg ecx,edx ; add rdx,rdx ; sub rdx,rcx ; mov rcx,rdx ; cmovb rax,rcx
  //      mov r8,rdx ; sub r8,r9 ; mov r9,r8 ; sbb r10,r9 ; cmpxchg rbx,rdx ; cmpxchg rax,rax
  //      sete [rsi] ; lea r11,[r11+r12*2+7] ; add r12,r11 ; push rsp ; pop rbp ; sub rbp,rsp
  //      mov r13d,eax ; add r13,r13 ; xchg r13d,r13d ; xadd r12d,r12d ; mov ah,cl
  //      add r14,rax ; xor r14,r13 ; sub r15,r14 ; xadd r15,r15 ; mov [rsi+8],r15
  //      add r8,r9 ; add r9,r10 ; add r10,r11 ; add r11,r12 ; add r12,r13 ; add r13,r14
  //      add r14,rbp ; add rbp,rbx ; add rbx,rcx ; adc rcx,rdx ; dec edi ; jnz L ; int3
  const std::vector<uint8_t> code = {
      0x4d, 0x69, 0xff, 0x91, 0xf4, 0x45, 0x25, 0x4c, 0x89, 0xf8, 0x4c, 0x89, 0xf3, 0x48, 0x93, 0x48, 0x0f, 0xc1,
      0xd8, 0x48, 0x11, 0xc1, 0x87, 0xd1, 0x48, 0x01, 0xd2, 0x48, 0x29, 0xca, 0x48, 0x89, 0xd1, 0x48, 0x0f, 0x42,
      0xc1, 0x49, 0x89, 0xd0, 0x4d, 0x29, 0xc8, 0x4d, 0x89, 0xc1, 0x4d, 0x19, 0xca, 0x48, 0x0f, 0xb1, 0xd3, 0x48,
      0x0f, 0xb1, 0xc0, 0x0f, 0x94, 0x06, 0x4f, 0x8d, 0x5c, 0x63, 0x07, 0x4d, 0x01, 0xdc, 0x54, 0x5d, 0x48, 0x29,
      0xe5, 0x41, 0x89, 0xc5, 0x4d, 0x01, 0xed, 0x45, 0x87, 0xed, 0x45, 0x0f, 0xc1, 0xe4, 0x88, 0xcc, 0x49, 0x01,
      0xc6, 0x4d, 0x31, 0xee, 0x4d, 0x29, 0xf7, 0x4d, 0x0f, 0xc1, 0xff, 0x4c, 0x89, 0x7e, 0x08, 0x4d, 0x01, 0xc8,
      0x4d, 0x01, 0xd1, 0x4d, 0x01, 0xda, 0x4d, 0x01, 0xe3, 0x4d, 0x01, 0xec, 0x4d, 0x01, 0xf5, 0x49, 0x01, 0xee,
      0x48, 0x01, 0xdd, 0x48, 0x01, 0xcb, 0x48, 0x11, 0xd1, 0xff, 0xcf, 0x0f, 0x85, 0x71, 0xff, 0xff, 0xff, 0xcc};
  const auto init = [](Machine& m) {
    fill_words(m, 0x20000);
    m.r(RSI) = 0x10000;
    m.r(RDI) = 2000;
    m.r(R15) = 0x0123456789abcdefull;
    m.r(R14) = 0xfedcba9876543210ull;
    m.r(R9) = 0x8000000000000001ull;
  };
  check_against_interpreter(code, 1000000, 2, init);
  if (Cpu::jit_available()) CHECK(handler_insns(code, init) == 1);  // INT3
}

TEST_CASE("conditions from the producer's registers: memory slow paths, handlers and helpers in between", "[jit][flags][regs]") {
  // The host redoes a CMP/SUB/ADC from the registers still holding its operands unless
  // something wrote them or made a call since: page-crossing loads (slow-path calls)
  // and an inline SSE form (MOVQ xmm, whose fallback calls the handler: the record is
  // stored first) between producer and condition; 32-bit IDIV (many
  // temporaries: cache registers lent to the pool).
  //   L: imul r15,r15,0x2545f491 ; mov rax,r15 ; ror r15,17 ; mov rbx,r15 ; cmp rax,rbx
  //      mov rcx,[rsi+0xffd] ; cmovb r10,rcx ; sub r8,rax ; mov rdx,[rsi+0xff9] ; adc r9,rdx
  //      cmp r9,r8 ; movq xmm0,rax ; setb [rsi+16] ; add r11,rax ; mov r12,r11 ; mov r11,rbx
  //      cmovo r13,r12 ; mov r14d,r9d ; imul r14d,r13d ; mov eax,r14d ; cdq ; or ecx,1
  //      idiv ecx ; add rbp,rax ; add rbp,rdx ; mov [rsi+24],rbp ; dec edi ; jnz L ; int3
  const std::vector<uint8_t> code = {
      0x4d, 0x69, 0xff, 0x91, 0xf4, 0x45, 0x25, 0x4c, 0x89, 0xf8, 0x49, 0xc1, 0xcf, 0x11, 0x4c, 0x89, 0xfb,
      0x48, 0x39, 0xd8, 0x48, 0x8b, 0x8e, 0xfd, 0x0f, 0x00, 0x00, 0x4c, 0x0f, 0x42, 0xd1, 0x49, 0x29, 0xc0,
      0x48, 0x8b, 0x96, 0xf9, 0x0f, 0x00, 0x00, 0x49, 0x11, 0xd1, 0x4d, 0x39, 0xc1, 0x66, 0x48, 0x0f, 0x6e,
      0xc0, 0x0f, 0x92, 0x46, 0x10, 0x49, 0x01, 0xc3, 0x4d, 0x89, 0xdc, 0x49, 0x89, 0xdb, 0x4d, 0x0f, 0x40,
      0xec, 0x45, 0x89, 0xce, 0x45, 0x0f, 0xaf, 0xf5, 0x44, 0x89, 0xf0, 0x99, 0x83, 0xc9, 0x01, 0xf7, 0xf9,
      0x48, 0x01, 0xc5, 0x48, 0x01, 0xd5, 0x48, 0x89, 0x6e, 0x18, 0xff, 0xcf, 0x75, 0x9d, 0xcc};
  const auto init = [](Machine& m) {
    fill_words(m, 0x20000);
    m.r(RSI) = 0x10000;
    m.r(RDI) = 2000;
    m.r(R15) = 0x0123456789abcdefull;
  };
  check_against_interpreter(code, 1000000, 4, init);
  if (Cpu::jit_available()) CHECK(handler_insns(code, init) == 1);  // INT3
}

TEST_CASE("a flag record kept in registers across an inline SSE form whose fallback runs the handler", "[jit][flags][sse]") {
  // The page-crossing 16-byte load of every second iteration takes the SSE fallback (a
  // handler call that clobbers caller-saved registers) between ADD and the ADC that
  // reads its carry.
  //      mov ecx,0xff8
  //   L: add r8,rdi ; movdqu xmm0,[rsi+rcx] ; adc r9,r8 ; pxor xmm1,xmm0
  //      xor ecx,0xff0 ; dec edi ; jnz L ; int3
  const std::vector<uint8_t> code = {0xb9, 0xf8, 0x0f, 0x00, 0x00, 0x49, 0x01, 0xf8, 0xf3, 0x0f, 0x6f, 0x04, 0x0e,
                                     0x4d, 0x11, 0xc1, 0x66, 0x0f, 0xef, 0xc8, 0x81, 0xf1, 0xf0, 0x0f, 0x00, 0x00,
                                     0xff, 0xcf, 0x75, 0xe7, 0xcc};
  const auto init = [](Machine& m) {
    fill_words(m, 0x20000);
    m.r(RSI) = 0x10000;
    m.r(RDI) = 1000;
    m.r(R8) = 0xfffffffffffff000ull;  // ADD carries now and then
    m.r(R9) = 0x1234;
  };
  check_against_interpreter(code, 1000000, 1, init);
  if (Cpu::jit_available()) CHECK(handler_insns(code, init) == 1);  // INT3
}

TEST_CASE("the last flag record kept in registers is stored before handlers, rotates, CL shifts and faults", "[jit][flags]") {
  // A flag record is stored in CpuState::lf only where something may read it: PUSHFQ
  // (a handler), ROL (a Rot record over it), SHL by CL (a zero count keeps it), a
  // memory access's slow path, the block's end.
  //   L: imul r8,r8,0x2545f491 ; add rax,r8 ; mov rcx,r8 ; shr rcx,62 ; sub rbx,r8
  //      shl rdx,cl ; pushfq ; pop r9 ; add r10,r9 ; cmp rax,rbx ; rol r11,5 ; pushfq
  //      pop r9 ; add r10,r9 ; adc r12,rax ; mov r13,rbx ; mov [rsi],r13 ; dec edi ; jnz L
  //      int3
  const std::vector<uint8_t> code = {
      0x4d, 0x69, 0xc0, 0x91, 0xf4, 0x45, 0x25, 0x4c, 0x01, 0xc0, 0x4c, 0x89, 0xc1, 0x48, 0xc1, 0xe9,
      0x3e, 0x4c, 0x29, 0xc3, 0x48, 0xd3, 0xe2, 0x9c, 0x41, 0x59, 0x4d, 0x01, 0xca, 0x48, 0x39, 0xd8,
      0x49, 0xc1, 0xc3, 0x05, 0x9c, 0x41, 0x59, 0x4d, 0x01, 0xca, 0x49, 0x11, 0xc4, 0x49, 0x89, 0xdd,
      0x4c, 0x89, 0x2e, 0xff, 0xcf, 0x75, 0xc9, 0xcc};
  const auto init = [](Machine& m) {
    m.r(RSI) = 0x10000;
    m.r(RDI) = 3000;
    m.r(R8) = 0x0123456789abcdefull;
    m.r(RDX) = 0x8000000000000001ull;
  };
  check_against_interpreter(code, 1000000, 1, init);
  // A #PF on the load after 30 pages: the ADD's record, stored by the slow path.
  //   L: imul r8,r8,0x2545f491 ; add rax,r8 ; mov rcx,[rsi] ; lea rsi,[rsi+0x1000] ; jmp L
  const std::vector<uint8_t> faulting = {0x4d, 0x69, 0xc0, 0x91, 0xf4, 0x45, 0x25, 0x4c, 0x01, 0xc0, 0x48,
                                         0x8b, 0x0e, 0x48, 0x8d, 0xb6, 0x00, 0x10, 0x00, 0x00, 0xeb, 0xea};
  check_against_interpreter(faulting, 1000000, 1, [](Machine& m) {
    m.r(RSI) = AliasTranslator::kFaultAt - 30 * 0x1000;
    m.r(R8) = 0x0123456789abcdefull;
  });
}

TEST_CASE("jump table: returns and calls across pages hit inline; remapping and dropping code invalidate", "[jit]") {
  for (Engine e : available_engines()) {
    INFO(engine_name(e));
    Machine m(e);
    // kMain: L: call F ; dec ecx ; jnz L ; int3   -- F on another page (through the
    // alias), so both the call and the return go through the jump table.
    constexpr uint64_t kF = kAlias + 0x5000;
    std::vector<uint8_t> main = {0xe8, 0, 0, 0, 0, 0xff, 0xc9, 0x75, 0xf7, 0xcc};
    rel32(main, 1, static_cast<int64_t>(kF - (kMain + 5)));
    m.load(main, kMain);
    m.load({0x83, 0xc0, 0x01, 0xc3}, 0x5000);  // F: add eax, 1 ; ret
    m.load({0x83, 0xc0, 0x64, 0xc3}, 0x6000);  // F after the remap: add eax, 100 ; ret
    auto run_loop = [&] {
      m.cpu.state().rip = kMain;
      m.r(RAX) = 0;
      m.r(RCX) = 500;
      REQUIRE(m.cpu.run(100000).reason == RunResult::Reason::Exception);
      return m.r(RAX);
    };
    CHECK(run_loop() == 500);
    const uint32_t mode = m.cpu.state().mode_key();
    jit::Engine* jit = m.cpu.jit_engine();
    if (jit) {
      // 1000 indirect transfers; the C++ lookup only saw the first few of them.
      CHECK(jit->stats().lookup_hits + jit->stats().lookup_misses < 50);
      CHECK(jit->jump_table().find(kF, mode) != nullptr);
      CHECK(jit->jump_table().find(kMain + 5, mode) != nullptr);
    }
    // A new mapping of F's page (the guest rewrote its page table, then flushed).
    m.tr.remap = 0x1000;
    m.cpu.flush_tlb();
    if (jit) CHECK(jit->jump_table().find(kF, mode) == nullptr);
    CHECK(run_loop() == 50000);
    // F's code rewritten under it: its translation (and its jump-table slot) is dropped.
    if (jit) REQUIRE(jit->jump_table().find(kF, mode) != nullptr);
    const uint8_t imm = 7;
    REQUIRE(m.mem.write_bytes(0x6002, &imm, 1));
    if (jit) CHECK(jit->jump_table().find(kF, mode) == nullptr);
    CHECK(run_loop() == 3500);
  }
}

TEST_CASE("CR3 writes: stale jump-table slots run again only while their page maps to the same code", "[jit]") {
  for (Engine e : available_engines()) {
    INFO(engine_name(e));
    Machine m(e);
    // As above: kMain calls F through the alias (another page), F returns.
    constexpr uint64_t kF = kAlias + 0x5000;
    std::vector<uint8_t> main = {0xe8, 0, 0, 0, 0, 0xff, 0xc9, 0x75, 0xf7, 0xcc};
    rel32(main, 1, static_cast<int64_t>(kF - (kMain + 5)));
    m.load(main, kMain);
    m.load({0x83, 0xc0, 0x01, 0xc3}, 0x5000);  // F in the first address space: add eax, 1 ; ret
    m.load({0x83, 0xc0, 0x64, 0xc3}, 0x6000);  // F in the second: add eax, 100 ; ret
    auto run_loop = [&] {
      m.cpu.state().rip = kMain;
      m.r(RAX) = 0;
      m.r(RCX) = 500;
      REQUIRE(m.cpu.run(100000).reason == RunResult::Reason::Exception);
      return m.r(RAX);
    };
    jit::Engine* jit = m.cpu.jit_engine();
    CHECK(run_loop() == 500);
    // A CR3 write that keeps the mapping (a process switched back to): the stale slots
    // are revalidated, with no block lookups.
    m.cpu.flush_tlb_nonglobal();
    const uint64_t revalidated = jit ? jit->stats().revalidated : 0;
    CHECK(run_loop() == 500);
    if (jit) CHECK(jit->stats().revalidated > revalidated);
    // A CR3 write to an address space mapping F's linear page to other code: the old
    // translation must never run.
    for (int round = 0; round < 3; ++round) {
      m.tr.remap = 0x1000;
      m.cpu.flush_tlb_nonglobal();
      CHECK(run_loop() == 50000);
      m.tr.remap = 0;
      m.cpu.flush_tlb_nonglobal();
      CHECK(run_loop() == 500);
    }
    // The same after a full flush (stale global slots are checked as well).
    m.tr.remap = 0x1000;
    m.cpu.flush_tlb();
    CHECK(run_loop() == 50000);
  }
}

TEST_CASE("a block running on into a second page is not reused once that page maps elsewhere", "[jit]") {
  // kAlias+0x4ffc: mov eax,0x11223344 (its last immediate byte on the next page) ; int3.
  // Block lookups find blocks by their first page; the second is remapped to physical
  // 0x7000 (where the byte is 0x55) and a CR3-like flush follows.
  for (Engine e : available_engines()) {
    INFO(engine_name(e));
    Machine m(e);
    m.load({0xb8, 0x44, 0x33, 0x22}, 0x4ffc);
    m.load({0x11, 0xcc}, 0x5000);
    m.load({0x55, 0xcc}, 0x7000);
    auto run_once = [&] {
      m.cpu.state().rip = kAlias + 0x4ffc;
      REQUIRE(m.cpu.run(1000).reason == RunResult::Reason::Exception);  // INT3
      return m.r(RAX);
    };
    for (int round = 0; round < 3; ++round) {
      m.tr.moved_page = ~uint64_t{0};
      m.cpu.flush_tlb_nonglobal();
      CHECK(run_once() == 0x11223344);
      m.tr.moved_page = kAlias + 0x5000;
      m.tr.moved_to = 0x7000;
      m.cpu.flush_tlb_nonglobal();
      CHECK(run_once() == 0x55223344);
    }
  }
}

// ---- block-level flag liveness and guest registers cached in host registers ----

TEST_CASE("flag records dropped across several instructions: conditions read the right producer", "[jit][flags]") {
  //   L: imul r15,r15,0x2545f491 ; add r15,0x3b9aca07 ; mov rax,r15 ; mov rdx,r15 ; bswap rdx
  //      add rax,rdx (dead: the SUB below overwrites it) ; mov rcx,rax ; lea rbx,[rax+rdx*2+7]
  //      mov r8d,ecx ; movzx r9d,al ; xor r10d,r9d (dead) ; shl r9,3 (dead) ; sub rcx,rbx (dead)
  //      mov r10,rcx ; not r10 ; cmp r8,r9 ; setb [rsi] ; seto [rsi+1] ; sets [rsi+2] ; setp [rsi+3]
  //      adc r11,rax (dead: NEG) ; mov r12,r11 ; neg r13 ; cmovl r12,rax ; mov [rsi+8],r12
  //      add r14,rdx (kept: INC reads its CF) ; mov rbx,r14 ; inc rbx ; setc [rsi+4] ; setz [rsi+5]
  //      add rax,rcx (dead) ; lea rcx,[rax+1] ; sub rcx,rdx ; add rsi,16 ; dec edi ; jnz L ; int3
  const std::vector<uint8_t> code = {
      0x4d, 0x69, 0xff, 0x91, 0xf4, 0x45, 0x25, 0x49, 0x81, 0xc7, 0x07, 0xca, 0x9a, 0x3b, 0x4c, 0x89, 0xf8, 0x4c,
      0x89, 0xfa, 0x48, 0x0f, 0xca, 0x48, 0x01, 0xd0, 0x48, 0x89, 0xc1, 0x48, 0x8d, 0x5c, 0x50, 0x07, 0x41, 0x89,
      0xc8, 0x44, 0x0f, 0xb6, 0xc8, 0x45, 0x31, 0xca, 0x49, 0xc1, 0xe1, 0x03, 0x48, 0x29, 0xd9, 0x49, 0x89, 0xca,
      0x49, 0xf7, 0xd2, 0x4d, 0x39, 0xc8, 0x0f, 0x92, 0x06, 0x0f, 0x90, 0x46, 0x01, 0x0f, 0x98, 0x46, 0x02, 0x0f,
      0x9a, 0x46, 0x03, 0x49, 0x11, 0xc3, 0x4d, 0x89, 0xdc, 0x49, 0xf7, 0xdd, 0x4c, 0x0f, 0x4c, 0xe0, 0x4c, 0x89,
      0x66, 0x08, 0x49, 0x01, 0xd6, 0x4c, 0x89, 0xf3, 0x48, 0xff, 0xc3, 0x0f, 0x92, 0x46, 0x04, 0x0f, 0x94, 0x46,
      0x05, 0x48, 0x01, 0xc8, 0x48, 0x8d, 0x48, 0x01, 0x48, 0x29, 0xd1, 0x48, 0x83, 0xc6, 0x10, 0xff, 0xcf, 0x75,
      0x81, 0xcc};
  const auto init = [](Machine& m) {
    m.r(RSI) = 0x10000;
    m.r(RDI) = 1000;
    m.r(R15) = 0x0123456789abcdefull;
  };
  check_against_interpreter(code, 1000000, 2, init);
  if (!Cpu::jit_available()) return;
  Machine m(Engine::JitFirstRun);
  m.load(code, kCode);
  m.cpu.state().rip = kCode;
  init(m);
  m.cpu.run(1000000);
  // The loop body's block (after the BSWAP): ADD, XOR, SHL, SUB, ADC and the last ADD.
  CHECK(m.cpu.jit_engine()->stats().flag_records_dropped >= 6);
}

TEST_CASE("flag records stay when a memory access (a possible fault) comes before the overwrite", "[jit][flags]") {
  //   L: add rax,rbx (kept: the load may fault) ; mov rcx,rax ; lea rdx,[rcx+1] ; add r8,[rsi]
  //      sub rax,rdx (dropped) ; add rdx,rcx (dropped) ; mov r9,rdx ; sub r9,rax (kept: a load follows)
  //      mov r10,rdx ; mov r11,[rsi+8] ; add rsi,0x1000 ; jmp L
  // RSI walks up to the faulting range: the #PF at the first load sees the first ADD's flags.
  const std::vector<uint8_t> code = {0x48, 0x01, 0xd8, 0x48, 0x89, 0xc1, 0x48, 0x8d, 0x51, 0x01, 0x4c, 0x03, 0x06, 0x48,
                                     0x29, 0xd0, 0x48, 0x01, 0xca, 0x49, 0x89, 0xd1, 0x49, 0x29, 0xc1, 0x49, 0x89, 0xd2,
                                     0x4c, 0x8b, 0x5e, 0x08, 0x48, 0x81, 0xc6, 0x00, 0x10, 0x00, 0x00, 0xeb, 0xd7};
  for (const uint64_t rbx : {0x8000000000000001ull, 0x7fffffffffffff00ull, 0x1ull}) {
    INFO("rbx " << rbx);
    check_against_interpreter(code, 100000, 2, [rbx](Machine& m) {
      m.r(RSI) = AliasTranslator::kFaultAt - 30 * 0x1000;
      m.r(RAX) = 0x0123456789abcdefull;
      m.r(RBX) = rbx;
    });
  }
}

TEST_CASE("cached guest registers: partial writes, AH..BH, 32-bit zero extension, handlers in between", "[jit][regs]") {
  //   L: imul r15,r15,0x2545f491 ; add r15,0x3b9aca07 ; mov rax,r15 ; mov rbx,r15
  //      bswap rbx (a handler: reads and writes a register just written inline) ; mov rcx,rax ; mov rdx,rbx
  //      mov al,dl ; mov ah,cl ; add bh,al ; mov cx,bx ; sub dl,ah ; add edx,eax ; mov r8d,ebx
  //      xchg ah,bl ; mov r9,rcx ; or r9d,0x80000000 ; movsx r10d,dl ; mov r10w,ax ; movzx ebp,ch
  //      bswap ecx (handler) ; stosq (handler: reads RAX, reads and writes RDI)
  //      add r12,rax ; add r13,rbx ; xor r12,rcx ; add r13,rdx ; sub r12,r8 ; add r13,r9
  //      xor r12,r10 ; add r13,rbp (more guest registers than host ones) ; mov dword [rsi],0
  //      mov r11d,-5 ; mov rbp,-7 ; mov [rsi],rax ; mov [rsi+8],rbx ; add [rsi+8],r11
  //      push rbx ; push rcx ; pop rax ; pop rdx ; lea rsi,[rsi+16] ; dec r14d ; jnz L ; int3
  const std::vector<uint8_t> code = {
      0x4d, 0x69, 0xff, 0x91, 0xf4, 0x45, 0x25, 0x49, 0x81, 0xc7, 0x07, 0xca, 0x9a, 0x3b, 0x4c, 0x89, 0xf8, 0x4c,
      0x89, 0xfb, 0x48, 0x0f, 0xcb, 0x48, 0x89, 0xc1, 0x48, 0x89, 0xda, 0x88, 0xd0, 0x88, 0xcc, 0x00, 0xc7, 0x66,
      0x89, 0xd9, 0x28, 0xe2, 0x01, 0xc2, 0x41, 0x89, 0xd8, 0x86, 0xdc, 0x49, 0x89, 0xc9, 0x41, 0x81, 0xc9, 0x00,
      0x00, 0x00, 0x80, 0x44, 0x0f, 0xbe, 0xd2, 0x66, 0x41, 0x89, 0xc2, 0x0f, 0xb6, 0xed, 0x0f, 0xc9, 0x48, 0xab,
      0x49, 0x01, 0xc4, 0x49, 0x01, 0xdd, 0x49, 0x31, 0xcc, 0x49, 0x01, 0xd5, 0x4d, 0x29, 0xc4, 0x4d, 0x01, 0xcd,
      0x4d, 0x31, 0xd4, 0x49, 0x01, 0xed, 0xc7, 0x06, 0x00, 0x00, 0x00, 0x00, 0x41, 0xbb, 0xfb, 0xff, 0xff, 0xff,
      0x48, 0xc7, 0xc5, 0xf9, 0xff, 0xff, 0xff, 0x48, 0x89, 0x06, 0x48, 0x89, 0x5e, 0x08, 0x4c, 0x01, 0x5e, 0x08,
      0x53, 0x51, 0x58, 0x5a, 0x48, 0x8d, 0x76, 0x10, 0x41, 0xff, 0xce, 0x0f, 0x85, 0x71, 0xff, 0xff, 0xff, 0xcc};
  for (const uint64_t budget : {1000000ull, 777ull, 12345ull}) {  // (also stopped in the middle of blocks)
    INFO("budget " << budget);
    check_against_interpreter(code, budget, 4, [](Machine& m) {
      m.r(RSI) = 0x10000;
      m.r(RDI) = 0x28000;
      m.r(R14) = 1000;
      m.r(R15) = 0x0123456789abcdefull;
      m.r(RBP) = 0xffffffff00000000ull;
      m.r(R11) = 0x5555555555555555ull;
    });
  }
}

TEST_CASE("cached guest registers: a memory fault mid-block sees the dirty registers", "[jit][regs]") {
  //   L: inc eax ; mov rbx,rax ; add rcx,rbx ; mov r8w,cx ; mov bh,al ; lea r9,[rcx+rbx]
  //      mov r12d,r9d ; mov r10,[rsi] ; inc eax ; mov [rsi+rdx],r12 ; add rsi,0x1000 ; jmp L
  // The load faults after 30 pages (RDX = 0), or the store after 20 (RDX = 10 pages).
  const std::vector<uint8_t> code = {0xff, 0xc0, 0x48, 0x89, 0xc3, 0x48, 0x01, 0xd9, 0x66, 0x41, 0x89, 0xc8, 0x88,
                                     0xc7, 0x4c, 0x8d, 0x0c, 0x19, 0x45, 0x89, 0xcc, 0x4c, 0x8b, 0x16, 0xff, 0xc0,
                                     0x4c, 0x89, 0x24, 0x16, 0x48, 0x81, 0xc6, 0x00, 0x10, 0x00, 0x00, 0xeb, 0xd9};
  for (const uint64_t rdx : {uint64_t{0}, uint64_t{10 * 0x1000}}) {
    INFO("rdx " << rdx);
    check_against_interpreter(code, 100000, 2, [rdx](Machine& m) {
      m.r(RSI) = AliasTranslator::kFaultAt - 30 * 0x1000;
      m.r(RDX) = rdx;
      m.r(RAX) = 0xfffffffffffffff0ull;
      m.r(RCX) = 0x123456789ull;
      m.r(R12) = 0xdeadbeefdeadbeefull;
    });
  }
}

TEST_CASE("cached guest registers: a store that ends the block writes them back", "[jit][regs][smc]") {
  for (Engine e : available_engines()) {
    INFO(engine_name(e));
    // L: inc edx ; mov r8,rdx ; mov dword [rip+X],ecx (the imm of the next MOV) ;
    //    mov eax,0 ; add ebx,eax ; add r8,rbx ; dec ecx ; jnz L ; int3
    Machine m(e);
    m.load({0xff, 0xc2, 0x49, 0x89, 0xd0, 0x89, 0x0d, 0x01, 0x00, 0x00, 0x00, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x01,
            0xc3, 0x49, 0x01, 0xd8, 0xff, 0xc9, 0x75, 0xe7, 0xcc},
           kCode);
    m.cpu.state().rip = kCode;
    m.r(RCX) = 40;
    RunResult res = m.cpu.run(100000);
    REQUIRE(res.reason == RunResult::Reason::Exception);
    CHECK(res.exception.vector == kBP);
    CHECK(m.r(RBX) == 40 * 41 / 2);
    CHECK(m.r(RDX) == 40);
    CHECK(m.r(R8) == 40 + 40 * 41 / 2);
    CHECK(res.instructions == 40 * 8 + 1);
  }
}

namespace {

// A random straight-line program over the inline forms (ALU at 8/16/32/64 bits with
// AH..BH, INC/DEC/NEG/NOT, shifts, IMUL, LEA, SETcc/CMOVcc/ADC/SBB reading flags, loads,
// stores and read-modify-writes at [rsi+d8], Jcc +0) with handlers (BSWAP, PUSHFQ+POP)
// in between, ending in INT3. RSP and RSI are never operands.
std::vector<uint8_t> random_block(uint64_t& seed, unsigned n) {
  auto next = [&](unsigned m) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<unsigned>((seed >> 33) % m);
  };
  static constexpr uint8_t kRegs[] = {0, 1, 2, 3, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  auto gpr = [&] { return kRegs[next(sizeof kRegs)]; };
  std::vector<uint8_t> c;
  // REX (W, reg, rm) when needed (or forced), then the opcode bytes and a register ModRM.
  auto rr = [&](bool w, bool force_rex, std::initializer_list<uint8_t> opc, unsigned reg, unsigned rm) {
    const uint8_t rex = static_cast<uint8_t>(0x40 | (w ? 8 : 0) | (reg & 8 ? 4 : 0) | (rm & 8 ? 1 : 0));
    if (rex != 0x40 || force_rex) c.push_back(rex);
    for (uint8_t b : opc) c.push_back(b);
    c.push_back(static_cast<uint8_t>(0xc0 | (reg & 7) << 3 | (rm & 7)));
  };
  auto mem = [&](bool w, uint8_t opc, unsigned reg) {  // op reg, [rsi+d8] / op [rsi+d8], reg
    c.push_back(static_cast<uint8_t>(0x40 | (w ? 8 : 0) | (reg & 8 ? 4 : 0)));
    c.push_back(opc);
    c.push_back(static_cast<uint8_t>(0x46 | (reg & 7) << 3));
    c.push_back(static_cast<uint8_t>(8 * next(16)));
  };
  static constexpr uint8_t kAlu[] = {0x01, 0x09, 0x11, 0x19, 0x21, 0x29, 0x31, 0x39, 0x85, 0x89};
  for (unsigned k = 0; k < n; ++k) {
    const uint8_t alu = kAlu[next(sizeof kAlu)];
    switch (next(16)) {
      case 0: case 1: rr(true, false, {alu}, gpr(), gpr()); break;
      case 2: rr(false, false, {alu}, gpr(), gpr()); break;
      case 3: c.push_back(0x66); rr(false, false, {alu}, gpr(), gpr()); break;
      case 4: rr(false, true, {static_cast<uint8_t>(alu - 1)}, gpr(), gpr()); break;  // low bytes
      case 5: rr(false, false, {static_cast<uint8_t>(alu - 1)}, next(8), next(8)); break;  // AL..BH
      case 6: rr(next(2), false, {0xff}, next(2), gpr()); break;  // INC/DEC
      case 7: rr(true, false, {0xf7}, 2 + next(2), gpr()); break;  // NOT/NEG
      case 8: rr(next(2), false, {0xc1}, std::initializer_list<unsigned>{4, 5, 7}.begin()[next(3)], gpr()); c.push_back(static_cast<uint8_t>(next(70))); break;
      case 9: rr(true, false, {0x0f, 0xaf}, gpr(), gpr()); break;  // IMUL
      case 10: rr(false, true, {0x0f, static_cast<uint8_t>(0x90 + next(16))}, 0, gpr()); break;  // SETcc
      case 11: rr(next(2), false, {0x0f, static_cast<uint8_t>(0x40 + next(16))}, gpr(), gpr()); break;  // CMOVcc
      case 12: mem(next(2), std::initializer_list<uint8_t>{0x89, 0x8b, 0x03, 0x01, 0x29, 0x39}.begin()[next(6)], gpr()); break;
      case 13: {  // lea r, [base + index*4 + d8]
        const unsigned r = gpr(), b = gpr(), x = gpr();
        c.push_back(static_cast<uint8_t>(0x48 | (r & 8 ? 4 : 0) | (x & 8 ? 2 : 0) | (b & 8 ? 1 : 0)));
        c.push_back(0x8d);
        c.push_back(static_cast<uint8_t>(0x44 | (r & 7) << 3));
        c.push_back(static_cast<uint8_t>(0x80 | (x & 7) << 3 | (b & 7)));
        c.push_back(static_cast<uint8_t>(next(256)));
        break;
      }
      case 14: c.push_back(static_cast<uint8_t>(0x70 + next(16))); c.push_back(0); break;  // Jcc +0
      default:
        if (next(2)) {  // BSWAP r64
          const unsigned r = gpr();
          c.push_back(r & 8 ? 0x49 : 0x48);
          c.push_back(0x0f);
          c.push_back(static_cast<uint8_t>(0xc8 + (r & 7)));
        } else {  // PUSHFQ ; POP r
          const unsigned r = gpr();
          c.push_back(0x9c);
          if (r & 8) c.push_back(0x41);
          c.push_back(static_cast<uint8_t>(0x58 + (r & 7)));
        }
        break;
    }
  }
  c.push_back(0xcc);
  return c;
}

}  // namespace

TEST_CASE("random blocks of inline and handler instructions match the interpreter (flags, cached registers, faults)", "[jit][flags][regs]") {
  uint64_t seed = 0x5eed;
  for (int round = 0; round < 150; ++round) {
    const std::vector<uint8_t> code = random_block(seed, 12 + round % 40);
    const bool fault = round % 5 == 4;  // the first memory access faults
    INFO("round " << round);
    uint64_t init_seed = seed;
    check_against_interpreter(code, 100000, 0, [&](Machine& m) {
      uint64_t x = init_seed;
      for (int k = 0; k < 16; ++k) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        m.r(k) = k % 3 ? x : x >> (k * 3);
      }
      m.r(RSP) = kStackTop;
      m.r(RSI) = fault ? AliasTranslator::kFaultAt : 0x10000;
      m.cpu.state().lf.op = FlagOp::None;
      m.cpu.state().rflags = 0x202 | (init_seed & 0x8d5);  // (random arithmetic flags)
    });
  }
}

// ---- SSE2 forms over the emitter's 128-bit values (cpu/sem/sse.h) ----

TEST_CASE("inline SSE2 moves and integer ops match the interpreter", "[jit][sse]") {
  // L: movdqu xmm0,[rsi] ; movdqa xmm1,[rbx] ; pxor xmm2,xmm2 ; pcmpeqb xmm2,xmm0
  //    pminub xmm1,xmm0 ; por xmm3,xmm1 ; pand xmm4,xmm0 ; pandn xmm9,xmm1 ; psubb xmm3,xmm0
  //    paddd xmm4,xmm1 ; paddq xmm10,xmm0 ; pcmpgtd xmm11,xmm1 ; pcmpeqw xmm12,[rbx+16]
  //    punpcklbw xmm5,xmm0 ; punpckhqdq xmm13,xmm1 ; pshufd xmm6,xmm0,0x1b ; pmovmskb eax,xmm2
  //    add r8,rax ; movd xmm7,ecx ; movq xmm14,r8 ; movd r9d,xmm0 ; movq r10,xmm1
  //    movq xmm8,[rsi+8] ; movd xmm15,[rsi+4] ; movq [rdx],xmm3 ; movd [rdx+8],xmm4
  //    movdqu [rdx+16],xmm0 ; movaps [rbx+32],xmm5 ; movups xmm11,[rsi+5] ; xorps xmm12,xmm0
  //    movq xmm13,xmm6 ; add r11,r9 ; add rsi,0x263 ; add rdx,0x131 ; add rbx,0x40
  //    dec edi ; jnz L ; int3
  // RSI walks linear alias pages (first touches miss the TLB: the fallback runs the
  // handler) and its 16-byte loads cross pages now and then; RDX's stores too.
  const std::vector<uint8_t> code = {
      0xf3, 0x0f, 0x6f, 0x06, 0x66, 0x0f, 0x6f, 0x0b, 0x66, 0x0f, 0xef, 0xd2, 0x66, 0x0f, 0x74, 0xd0, 0x66, 0x0f, 0xda,
      0xc8, 0x66, 0x0f, 0xeb, 0xd9, 0x66, 0x0f, 0xdb, 0xe0, 0x66, 0x44, 0x0f, 0xdf, 0xc9, 0x66, 0x0f, 0xf8, 0xd8, 0x66,
      0x0f, 0xfe, 0xe1, 0x66, 0x44, 0x0f, 0xd4, 0xd0, 0x66, 0x44, 0x0f, 0x66, 0xd9, 0x66, 0x44, 0x0f, 0x75, 0x63, 0x10,
      0x66, 0x0f, 0x60, 0xe8, 0x66, 0x44, 0x0f, 0x6d, 0xe9, 0x66, 0x0f, 0x70, 0xf0, 0x1b, 0x66, 0x0f, 0xd7, 0xc2, 0x49,
      0x01, 0xc0, 0x66, 0x0f, 0x6e, 0xf9, 0x66, 0x4d, 0x0f, 0x6e, 0xf0, 0x66, 0x41, 0x0f, 0x7e, 0xc1, 0x66, 0x49, 0x0f,
      0x7e, 0xca, 0xf3, 0x44, 0x0f, 0x7e, 0x46, 0x08, 0x66, 0x44, 0x0f, 0x6e, 0x7e, 0x04, 0x66, 0x0f, 0xd6, 0x1a, 0x66,
      0x0f, 0x7e, 0x62, 0x08, 0xf3, 0x0f, 0x7f, 0x42, 0x10, 0x0f, 0x29, 0x6b, 0x20, 0x44, 0x0f, 0x10, 0x5e, 0x05, 0x44,
      0x0f, 0x57, 0xe0, 0xf3, 0x44, 0x0f, 0x7e, 0xee, 0x4d, 0x01, 0xcb, 0x48, 0x81, 0xc6, 0x63, 0x02, 0x00, 0x00, 0x48,
      0x81, 0xc2, 0x31, 0x01, 0x00, 0x00, 0x48, 0x83, 0xc3, 0x40, 0xff, 0xcf, 0x0f, 0x85, 0x56, 0xff, 0xff, 0xff, 0xcc};
  const auto init = [](Machine& m) {
    fill_words(m, 0x40000);
    m.r(RSI) = kAlias + 0x21000;
    m.r(RBX) = 0x28000;
    m.r(RDX) = 0x10000;
    m.r(RDI) = 200;
    m.r(RCX) = 0x87654321;
    for (unsigned k = 0; k < 16; ++k) m.cpu.state().xmm[k] = Vec128{{k * 0x0123456789abcdefull, ~k * 0x1f2e3d4c5b6a7988ull}};
  };
  check_against_interpreter(code, 1000000, 10, init);
  // Every instruction but INT3 has inline code.
  if (Cpu::jit_available()) CHECK(handler_insns(code, init) == 1);
}

TEST_CASE("inline SSE2 saturating/multiplying/packing ops, shuffles, shifts by immediates, PSHUFB/PALIGNR match the interpreter", "[jit][sse]") {
  // L: movdqu xmm0,[rsi] ; movdqu xmm1,[rsi+16] ; paddsb xmm2,xmm0 ; psubusw xmm3,xmm1
  //    pmullw xmm4,xmm0 ; pmulhw xmm5,xmm1 ; pmuludq xmm6,xmm0 ; pmaddwd xmm7,xmm1
  //    psadbw xmm8,xmm0 ; pavgb xmm9,xmm1 ; pminsw xmm10,xmm0 ; pmaxsw xmm11,xmm1
  //    packsswb xmm12,xmm0 ; packssdw xmm13,xmm1 ; packuswb xmm14,xmm0 ; pshufhw xmm15,xmm1,0x4e
  //    pshuflw xmm2,xmm0,0xb1 ; unpcklps xmm3,xmm1 ; unpckhpd xmm4,xmm0 ; psrlw xmm5,3
  //    psrad xmm6,7 ; psllq xmm7,33 ; psrldq xmm8,5 ; pslldq xmm9,11 ; psraw xmm10,20
  //    pshufb xmm11,xmm0 ; palignr xmm12,xmm1,7 ; palignr xmm13,xmm1,20 (SSSE3, where the host has it)
  //    pxor xmm0,xmm2 ; movdqa [rbx],xmm0 ; add rsi,0x1e5 ; add rbx,0x10 ; dec edi ; jnz L ; int3
  const std::vector<uint8_t> code = {
      0xf3, 0x0f, 0x6f, 0x06, 0xf3, 0x0f, 0x6f, 0x4e, 0x10, 0x66, 0x0f, 0xec, 0xd0, 0x66, 0x0f, 0xd9, 0xd9, 0x66,
      0x0f, 0xd5, 0xe0, 0x66, 0x0f, 0xe5, 0xe9, 0x66, 0x0f, 0xf4, 0xf0, 0x66, 0x0f, 0xf5, 0xf9, 0x66, 0x44, 0x0f,
      0xf6, 0xc0, 0x66, 0x44, 0x0f, 0xe0, 0xc9, 0x66, 0x44, 0x0f, 0xea, 0xd0, 0x66, 0x44, 0x0f, 0xee, 0xd9, 0x66,
      0x44, 0x0f, 0x63, 0xe0, 0x66, 0x44, 0x0f, 0x6b, 0xe9, 0x66, 0x44, 0x0f, 0x67, 0xf0, 0xf3, 0x44, 0x0f, 0x70,
      0xf9, 0x4e, 0xf2, 0x0f, 0x70, 0xd0, 0xb1, 0x0f, 0x14, 0xd9, 0x66, 0x0f, 0x15, 0xe0, 0x66, 0x0f, 0x71, 0xd5,
      0x03, 0x66, 0x0f, 0x72, 0xe6, 0x07, 0x66, 0x0f, 0x73, 0xf7, 0x21, 0x66, 0x41, 0x0f, 0x73, 0xd8, 0x05, 0x66,
      0x41, 0x0f, 0x73, 0xf9, 0x0b, 0x66, 0x41, 0x0f, 0x71, 0xe2, 0x14, 0x66, 0x44, 0x0f, 0x38, 0x00, 0xd8, 0x66,
      0x44, 0x0f, 0x3a, 0x0f, 0xe1, 0x07, 0x66, 0x44, 0x0f, 0x3a, 0x0f, 0xe9, 0x14, 0x66, 0x0f, 0xef, 0xc2, 0x66,
      0x0f, 0x7f, 0x03, 0x48, 0x81, 0xc6, 0xe5, 0x01, 0x00, 0x00, 0x48, 0x83, 0xc3, 0x10, 0xff, 0xcf, 0x0f, 0x85,
      0x5a, 0xff, 0xff, 0xff, 0xcc};
  const auto init = [](Machine& m) {
    fill_words(m, 0x40000);
    m.r(RSI) = kAlias + 0x21000;
    m.r(RBX) = 0x30000;
    m.r(RDI) = 300;
    for (unsigned k = 0; k < 16; ++k) m.cpu.state().xmm[k] = Vec128{{k * 0x8123456789abcdefull, ~k * 0x1f2e3d4c5b6a7988ull}};
  };
  check_against_interpreter(code, 1000000, 3, init);
#if defined(__x86_64__)  // (the x86-64 backend translates the SSSE3 forms where the host has them)
  if (Cpu::jit_available()) CHECK(handler_insns(code, init) == (__builtin_cpu_supports("ssse3") ? 1 : 4));
#endif
}

TEST_CASE("inline SSE2 forms: faults and #NM leave the state at the instruction", "[jit][sse]") {
  // inc eax ; inc eax ; <SSE access of [rsi]> ; inc eax ; add rsi,0x1000 ; jmp L
  const auto loop = [](uint8_t p, uint8_t op) {
    return std::vector<uint8_t>{0xff, 0xc0, 0xff, 0xc0, p, 0x0f, op, 0x06, 0xff, 0xc0, 0x48, 0x81, 0xc6, 0x00, 0x10, 0x00, 0x00, 0xeb, 0xed};
  };
  const uint64_t before_fault = AliasTranslator::kFaultAt - 30 * 0x1000;
  const FaultCase cases[] = {
      {"movdqu load #PF", loop(0xf3, 0x6f), before_fault, 0, 0, kPF, 30 * 6 + 2},
      {"movdqu store #PF", loop(0xf3, 0x7f), before_fault, 0, 0, kPF, 30 * 6 + 2, true},
      {"pcmpeqb load #PF", loop(0x66, 0x74), before_fault, 0, 0, kPF, 30 * 6 + 2},
      // 16-byte accesses crossing into the faulting page
      {"movdqu load #PF (crossing)", loop(0xf3, 0x6f), before_fault - 8, 0, 0, kPF, 30 * 6 + 2},
      {"movdqu store #PF (crossing)", loop(0xf3, 0x7f), before_fault - 8, 0, 0, kPF, 30 * 6 + 2, true, 0},
      {"movdqa misaligned #GP", loop(0x66, 0x6f), kAlias + 0x21008, 0, 0, kGP, 2},
      {"movdqu #NM (CR0.TS)", loop(0xf3, 0x6f), kAlias + 0x21000, 0, 0, kNM, 2, false, 1u << 3},
  };
  for (const FaultCase& c : cases) check_fault_case(c);
}

TEST_CASE("inline LEAVE (64- and 16-bit) matches the interpreter; its fault is at the instruction", "[jit]") {
  // L: push rbp ; mov rbp,rsp ; sub rsp,0x20 ; mov [rbp-8],rdi ; add [rbp-8],rcx ; mov rax,[rbp-8]
  //    leave ; add r8,rax ; lea rbp,[rsp-16] ; mov [rbp],dx ; leave (66: pops BP) ; lea rsp,[rsp+14]
  //    add r9,rbp ; add dx,0x1357 ; dec edi ; jnz L ; int3
  const std::vector<uint8_t> code = {
      0x55, 0x48, 0x89, 0xe5, 0x48, 0x83, 0xec, 0x20, 0x48, 0x89, 0x7d, 0xf8, 0x48, 0x01, 0x4d, 0xf8, 0x48, 0x8b, 0x45,
      0xf8, 0xc9, 0x49, 0x01, 0xc0, 0x48, 0x8d, 0x6c, 0x24, 0xf0, 0x66, 0x89, 0x55, 0x00, 0x66, 0xc9, 0x48, 0x8d, 0x64,
      0x24, 0x0e, 0x49, 0x01, 0xe9, 0x66, 0x81, 0xc2, 0x57, 0x13, 0xff, 0xcf, 0x75, 0xcc, 0xcc};
  const auto init = [](Machine& m) {
    m.r(RDI) = 500;
    m.r(RCX) = 0x1122334455667788ull;
    m.r(RDX) = 0xfedcba98;
    m.r(RBP) = 0x7777;
  };
  check_against_interpreter(code, 1000000, 5, init);
  if (Cpu::jit_available()) CHECK(handler_insns(code, init) == 1);
  // inc eax ; inc eax ; leave ; inc eax ; mov rbp,rdx ; jmp L: #SS on the second LEAVE
  // (non-canonical RBP).
  const FaultCase leave_ss{"leave #SS", {0xff, 0xc0, 0xff, 0xc0, 0xc9, 0xff, 0xc0, 0x48, 0x89, 0xd5, 0xeb, 0xf4},
                           0, 0x0000800000000000ull, kAlias + 0x21000, kSS, 6 + 2};
  check_fault_case(leave_ss);
}
