// EFLAGS.TF single-step (SDM vol. 3 17.3.1.4): a #DB trap after every instruction that
// started with TF set, RIP after it and DR6.BS set; POPF/IRET setting TF trap only after
// the following instruction; MOV SS delays the trap by one instruction; INT n clears TF.
#include <catch2/catch.hpp>

#include "tests/unit/cpu_system/system_machine.h"

using namespace emu;
using namespace emu::test;

namespace {

// #DB handler: records the trap's return EIP at 0x6000 + 4 * ecx, counts in ECX, IRETD.
void install_db_handler(SystemMachine& m) {
  m.gate32(kIdt, 1, 0x08, 0x2000, 0xe, 0);
  m.code(0x2000, {0x8b, 0x14, 0x24,                          // mov edx, [esp]
                  0x89, 0x14, 0x8d, 0x00, 0x60, 0x00, 0x00,  // mov [ecx*4+0x6000], edx
                  0x41, 0xcf});                              // inc ecx; iretd
}

std::vector<uint32_t> trap_rips(SystemMachine& m) {
  std::vector<uint32_t> v;
  for (uint64_t k = 0; k < m.s.gpr[RCX]; ++k) v.push_back(static_cast<uint32_t>(m.get(0x6000 + 4 * k, 4)));
  return v;
}

const std::vector<uint8_t> kSetTf = {0x9c, 0x81, 0x0c, 0x24, 0x00, 0x01, 0x00, 0x00, 0x9d};  // pushfd; or [esp],0x100; popfd
const std::vector<uint8_t> kClearTf = {0x9c, 0x81, 0x24, 0x24, 0xff, 0xfe, 0xff, 0xff, 0x9d};  // pushfd; and [esp],~0x100; popfd

void run(SystemMachine& m, std::vector<uint8_t> body) {
  std::vector<uint8_t> code = kSetTf;
  code.insert(code.end(), body.begin(), body.end());
  code.insert(code.end(), kClearTf.begin(), kClearTf.end());
  code.insert(code.end(), {0xeb, 0xfe});  // jmp $
  m.code(0x5000, code);
  m.s.rip = 0x5000;
  m.s.gpr[RSP] = 0x8000;
  m.s.gpr[RCX] = 0;
  m.cpu.run(200);
}

}  // namespace

TEST_CASE("single-step: a #DB trap after each instruction run with TF set", "[cpu_system]") {
  SystemMachine m;
  m.enter_protected32();
  install_db_handler(m);
  m.s.rflags = 0x2;
  // 0x5009: nop, 0x500a: inc eax, 0x500b: inc eax, 0x500c: pushfd ... popfd at 0x5014.
  run(m, {0x90, 0x40, 0x40});
  // No trap after the POPF that set TF; one after each body instruction and each
  // instruction of the clearing sequence (the POPF that clears TF started with it set).
  CHECK(trap_rips(m) == std::vector<uint32_t>{0x500a, 0x500b, 0x500c, 0x500d, 0x5014, 0x5015});
  CHECK(m.s.gpr[RAX] == 2);
  CHECK((m.s.dr[6] & kDr6SingleStep) != 0);
  CHECK((m.s.rflags & 0x100) == 0);
  CHECK(m.s.rip == 0x5015);  // spinning on jmp $ with TF clear
}

TEST_CASE("single-step: MOV SS delays the trap past the next instruction", "[cpu_system]") {
  SystemMachine m;
  m.enter_protected32();
  install_db_handler(m);
  m.s.rflags = 0x2;
  m.s.gpr[RAX] = 0x10;
  run(m, {0x8e, 0xd0, 0x90});  // mov ss, ax (0x5009); nop (0x500b)
  const std::vector<uint32_t> rips = trap_rips(m);
  REQUIRE(rips.size() >= 1);
  CHECK(rips[0] == 0x500c);  // none at 0x500b: after MOV SS
}

TEST_CASE("single-step: INT n clears TF for the handler, no trap after the INT", "[cpu_system]") {
  SystemMachine m;
  m.enter_protected32();
  install_db_handler(m);
  m.gate32(kIdt, 0x40, 0x08, 0x2800, 0xe, 0);
  m.code(0x2800, {0x43, 0xcf});  // inc ebx; iretd (runs with TF clear: no traps inside)
  m.s.rflags = 0x2;
  m.s.gpr[RBX] = 0;
  run(m, {0xcd, 0x40, 0x90});  // int 0x40 (0x5009); nop (0x500b)
  CHECK(m.s.gpr[RBX] == 1);
  const std::vector<uint32_t> rips = trap_rips(m);
  REQUIRE(rips.size() >= 1);
  // The IRETD restores TF: the first trap is after the NOP that follows the INT.
  CHECK(rips[0] == 0x500c);
}
