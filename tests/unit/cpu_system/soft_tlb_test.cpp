// Soft TLB rules under real 4-level paging, in the interpreter and in the JIT (whose
// inline memory operands probe the TLB set of the block's CPL): the supervisor and user
// sets never lend each other permissions, a CR3 write keeps global translations and
// drops the others (data and code: the jump cache follows the same rule), a CR4.PGE
// toggle drops everything, and INVLPG drops the page in every set (the whole large page
// when it lies in one).
#include <catch2/catch.hpp>

#include <vector>

#include "tests/unit/cpu_system/system_machine.h"

using namespace emu;
using namespace emu::test;

namespace {

constexpr uint64_t kPt = 0x104000;       // page table of linear 0..2 MiB (4 KiB pages)
constexpr uint64_t kSyscallHlt = 0x2f00;  // LSTAR: the kernel halts on SYSCALL
constexpr uint64_t kPfHandler = 0x2800;   // #PF: pop rax (error code); mov rbx, cr2; hlt
constexpr uint64_t kP = 1, kRW = 2, kUS = 4, kPS = 0x80, kG = 0x100;

enum class Engine { Interp, Jit };

std::vector<Engine> available_engines() {
  if (!Cpu::jit_available()) return {Engine::Interp};
  return {Engine::Interp, Engine::Jit};
}

// 64-bit kernel at CPL 0 with the first 2 MiB mapped by 4 KiB pages (identity, user,
// writable unless a test changes them), SYSRET to 64-bit CPL 3, SYSCALL to an HLT.
struct PagedMachine : SystemMachine {
  explicit PagedMachine(Engine e) {
    enter_long64(0);
    put64(kPml4 + 0x2000, kPt | kP | kRW | kUS);
    for (uint64_t k = 0; k < 512; ++k) put64(kPt + 8 * k, (k << 12) | kP | kRW | kUS);
    s.cr4 |= 1u << 7;  // PGE
    sys.msr.star = (0x1bull << 48) | (0x08ull << 32);
    sys.msr.lstar = kSyscallHlt;
    put64(kTss + 4, 0x9000);  // RSP0
    gate64(14, 0x08, kPfHandler, 0xe, 0);
    code(kPfHandler, {0x58, 0x0f, 0x20, 0xd3, 0xf4});
    code(kSyscallHlt, {0xf4});
    s.gpr[RSP] = 0x8000;
    cpu.flush_tlb();
    if (e == Engine::Jit) REQUIRE(cpu.use_jit(true, 0));  // translate every block at once
  }
  void pte(uint64_t lin, uint64_t frame, uint64_t flags) { put64(kPt + 8 * (lin >> 12), frame | flags); }
  // Runs kernel code at `rip` until the HLT of SYSCALL or of the #PF handler.
  void run_kernel(uint64_t rip) {
    s.rip = rip;
    cpu.clear_halted();
    REQUIRE(cpu.run(1000).reason == RunResult::Reason::Halted);
  }
  uint32_t r32(unsigned r) { return static_cast<uint32_t>(s.gpr[r]); }
};

// Instruction bytes.
std::vector<uint8_t> load32(unsigned reg, uint32_t addr) {  // mov r32, [addr]
  return {0x8b, static_cast<uint8_t>(0x04 | reg << 3), 0x25, static_cast<uint8_t>(addr), static_cast<uint8_t>(addr >> 8),
          static_cast<uint8_t>(addr >> 16), static_cast<uint8_t>(addr >> 24)};
}
std::vector<uint8_t> store32(uint32_t addr, uint32_t v) {  // mov dword [addr], v
  return {0xc7, 0x04, 0x25, static_cast<uint8_t>(addr), static_cast<uint8_t>(addr >> 8), static_cast<uint8_t>(addr >> 16),
          static_cast<uint8_t>(addr >> 24), static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v >> 16),
          static_cast<uint8_t>(v >> 24)};
}
std::vector<uint8_t> invlpg(uint32_t addr) {  // invlpg [addr]
  return {0x0f, 0x01, 0x3c, 0x25, static_cast<uint8_t>(addr), static_cast<uint8_t>(addr >> 8),
          static_cast<uint8_t>(addr >> 16), static_cast<uint8_t>(addr >> 24)};
}
// mov ecx, user_rip ; mov r11d, 2 ; sysretq
std::vector<uint8_t> sysret_to(uint32_t user_rip) {
  return {0xb9, static_cast<uint8_t>(user_rip), static_cast<uint8_t>(user_rip >> 8), static_cast<uint8_t>(user_rip >> 16),
          static_cast<uint8_t>(user_rip >> 24), 0x41, 0xbb, 0x02, 0x00, 0x00, 0x00, 0x48, 0x0f, 0x07};
}
std::vector<uint8_t> jmp_rel32(uint32_t at, uint32_t target) {  // jmp target, encoded at `at`
  const uint32_t rel = target - (at + 5);
  return {0xe9, static_cast<uint8_t>(rel), static_cast<uint8_t>(rel >> 8), static_cast<uint8_t>(rel >> 16),
          static_cast<uint8_t>(rel >> 24)};
}
const std::vector<uint8_t> kSyscall = {0x0f, 0x05};
const std::vector<uint8_t> kHlt = {0xf4};

std::vector<uint8_t> cat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

}  // namespace

TEST_CASE("soft TLB: a supervisor entry for a U=0 page does not let CPL 3 read it", "[cpu_system][tlb]") {
  for (Engine e : available_engines()) {
    INFO((e == Engine::Jit ? "jit" : "interp"));
    PagedMachine m(e);
    m.pte(0x30000, 0x30000, kP | kRW);  // supervisor only
    m.put32(0x30000, 0x1234);
    m.code(0x2000, cat({load32(RDX, 0x30000), sysret_to(0x5000)}));
    m.code(0x5000, cat({load32(RSI, 0x30000), kSyscall}));
    m.run_kernel(0x2000);
    CHECK(m.r32(RDX) == 0x1234);
    CHECK(m.r32(RSI) == 0);
    CHECK(m.r32(RAX) == (kPfPresent | kPfUser));
    CHECK(m.r32(RBX) == 0x30000);
  }
}

TEST_CASE("soft TLB: a supervisor write entry (CR0.WP = 0) does not let CPL 3 write a read-only page", "[cpu_system][tlb]") {
  for (Engine e : available_engines()) {
    INFO((e == Engine::Jit ? "jit" : "interp"));
    PagedMachine m(e);
    m.pte(0x31000, 0x31000, kP | kUS);  // read-only for everyone, but WP = 0
    m.code(0x2000, cat({store32(0x31000, 0x77), sysret_to(0x5000)}));
    m.code(0x5000, cat({load32(RDI, 0x31000), store32(0x31000, 0x88), kSyscall}));
    m.run_kernel(0x2000);
    CHECK(m.r32(RDI) == 0x77);
    CHECK(m.get(0x31000, 4) == 0x77);
    CHECK(m.r32(RAX) == (kPfPresent | kPfWrite | kPfUser));
    CHECK(m.r32(RBX) == 0x31000);
  }
}

TEST_CASE("soft TLB: a CR3 write keeps global pages and drops the others, in both sets; CR4.PGE toggle drops all",
          "[cpu_system][tlb]") {
  for (Engine e : available_engines()) {
    INFO((e == Engine::Jit ? "jit" : "interp"));
    PagedMachine m(e);
    constexpr uint32_t kGlobal = 0x32000, kLocal = 0x33000, kUserCode = 0x6000;
    m.pte(kGlobal, 0x32000, kP | kRW | kUS | kG);
    m.pte(kLocal, 0x33000, kP | kRW | kUS);
    m.put32(0x32000, 0x1111);
    m.put32(0x33000, 0x2222);
    m.put32(0x34000, 0x3333);
    m.put32(0x35000, 0x4444);
    // User code at kUserCode: frame 0x6000 sets EBP = 1, frame 0x7000 sets EBP = 2.
    m.code(0x6000, cat({{0xbd, 1, 0, 0, 0}, kSyscall}));
    m.code(0x7000, cat({{0xbd, 2, 0, 0, 0}, kSyscall}));
    // 0x5000 / 0x5100: read both pages, then jump to the user code page.
    m.code(0x2000, cat({load32(RAX, kGlobal), load32(RDX, kLocal), sysret_to(0x5000)}));
    m.code(0x5000, cat({load32(RSI, kGlobal), load32(RDI, kLocal), jmp_rel32(0x500e, kUserCode)}));
    m.run_kernel(0x2000);
    CHECK(m.r32(RAX) == 0x1111);
    CHECK(m.r32(RDX) == 0x2222);
    CHECK(m.r32(RSI) == 0x1111);
    CHECK(m.r32(RDI) == 0x2222);
    CHECK(m.r32(RBP) == 1);

    // New mappings; only a CR3 write follows. The global one stays cached (stale).
    m.pte(kGlobal, 0x34000, kP | kRW | kUS | kG);
    m.pte(kLocal, 0x35000, kP | kRW | kUS);
    m.pte(kUserCode, 0x7000, kP | kRW | kUS);
    m.code(0x2100, cat({{0x0f, 0x20, 0xd8, 0x0f, 0x22, 0xd8},  // mov rax, cr3 ; mov cr3, rax
                        load32(RAX, kGlobal), load32(RDX, kLocal), sysret_to(0x5100)}));
    m.code(0x5100, cat({load32(RSI, kGlobal), load32(RDI, kLocal), jmp_rel32(0x510e, kUserCode)}));
    m.run_kernel(0x2100);
    CHECK(m.r32(RAX) == 0x1111);
    CHECK(m.r32(RDX) == 0x4444);
    CHECK(m.r32(RSI) == 0x1111);
    CHECK(m.r32(RDI) == 0x4444);
    CHECK(m.r32(RBP) == 2);  // the user code page was remapped: no stale block

    // Turning CR4.PGE off and on drops global pages too.
    m.code(0x2200, cat({{0x0f, 0x20, 0xe0, 0x48, 0x0f, 0xba, 0xf0, 0x07, 0x0f, 0x22, 0xe0,  // mov rax,cr4; btr rax,7; mov cr4,rax
                         0x48, 0x0f, 0xba, 0xe8, 0x07, 0x0f, 0x22, 0xe0},                 // bts rax,7; mov cr4,rax
                        load32(RAX, kGlobal), kHlt}));
    m.run_kernel(0x2200);
    CHECK(m.r32(RAX) == 0x3333);
  }
}

TEST_CASE("soft TLB: INVLPG drops the page in both sets, and the whole large page it lies in", "[cpu_system][tlb]") {
  for (Engine e : available_engines()) {
    INFO((e == Engine::Jit ? "jit" : "interp"));
    PagedMachine m(e);
    constexpr uint32_t kPage = 0x32000, kUserCode = 0x6000;
    constexpr uint32_t kLarge = 0x201f00;  // in the 2 MiB page at 0x200000 (global)
    m.put64(SystemMachine::kPml4 + 0x2000 + 8, 0x200000 | kP | kRW | kUS | kPS | kG);
    m.pte(kPage, 0x32000, kP | kRW | kUS | kG);
    m.put32(0x32000, 0x1111);
    m.put32(0x34000, 0x3333);
    m.put32(0x201f00, 0xaaaa);
    m.put32(0x001f00, 0xbbbb);
    m.code(0x6000, cat({{0xbd, 1, 0, 0, 0}, kSyscall}));
    m.code(0x7000, cat({{0xbd, 2, 0, 0, 0}, kSyscall}));
    m.code(0x2000, cat({load32(RAX, kPage), load32(RDX, kLarge), sysret_to(0x5000)}));
    m.code(0x5000, cat({load32(RSI, kPage), jmp_rel32(0x5007, kUserCode)}));
    m.run_kernel(0x2000);
    CHECK(m.r32(RAX) == 0x1111);
    CHECK(m.r32(RDX) == 0xaaaa);
    CHECK(m.r32(RSI) == 0x1111);
    CHECK(m.r32(RBP) == 1);

    m.pte(kPage, 0x34000, kP | kRW | kUS | kG);
    m.pte(kUserCode, 0x7000, kP | kRW | kUS);
    m.put64(SystemMachine::kPml4 + 0x2000 + 8, 0x000000 | kP | kRW | kUS | kPS | kG);
    // INVLPG of the data page and of the code page: the large page stays cached (stale).
    m.code(0x2100, cat({invlpg(kPage), invlpg(kUserCode), load32(RAX, kPage), load32(RDX, kLarge), sysret_to(0x5000)}));
    m.run_kernel(0x2100);
    CHECK(m.r32(RAX) == 0x3333);
    CHECK(m.r32(RDX) == 0xaaaa);
    CHECK(m.r32(RSI) == 0x3333);
    CHECK(m.r32(RBP) == 2);
    // INVLPG of another 4 KiB of the large page drops all of it.
    m.code(0x2200, cat({invlpg(0x200000), load32(RDX, kLarge), kHlt}));
    m.run_kernel(0x2200);
    CHECK(m.r32(RDX) == 0xbbbb);
  }
}
