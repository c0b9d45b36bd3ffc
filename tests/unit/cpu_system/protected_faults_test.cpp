// Protected mode: segment-load faults with their error codes (#GP/#NP/#SS, SDM vol. 3A
// 6.13 and the MOV/POP Sreg pseudo-code), INT n gate DPL checks and interrupt delivery
// with a privilege change (stack from the TSS).
#include <catch2/catch.hpp>

#include "tests/unit/cpu_system/system_machine.h"

using namespace emu;
using namespace emu::test;

namespace {

// Every vector's handler: pop eax (error code); mov ebx, vector; hlt.
void install_handlers(SystemMachine& m) {
  for (unsigned v : {10u, 11u, 12u, 13u}) {
    uint32_t h = 0x2000 + v * 16;
    m.gate32(kIdt, v, 0x08, h, 0xe, 0);
    m.code(h, {0x58, 0xbb, static_cast<uint8_t>(v), 0, 0, 0, 0xf4});
  }
}

struct Fault { unsigned vector; uint32_t error; };

Fault run_fault(SystemMachine& m, std::vector<uint8_t> code) {
  m.code(0x5000, code);
  m.s.rip = 0x5000;
  m.s.gpr[RBX] = 0xff;
  m.cpu.run(50);
  return {static_cast<unsigned>(m.s.gpr[RBX]), static_cast<uint32_t>(m.s.gpr[RAX])};
}

}  // namespace

TEST_CASE("protected mode: data/stack segment loads fault with the selector", "[cpu_system]") {
  SystemMachine m;
  m.enter_protected32();
  install_handlers(m);
  m.gdt(8, seg_desc(0, 0xfffff, 0x12, kFlags32));  // data, not present (0x40)
  m.gdt(9, seg_desc(0, 0xfffff, 0x12, kFlags32));  // stack candidate, not present (0x48)
  m.s.gpr[RSP] = 0x8000;

  SECTION("selector beyond the GDT limit") {
    m.s.gdtr.limit = 0x4f;
    Fault f = run_fault(m, {0x66, 0xb8, 0x80, 0x00, 0x8e, 0xd8});  // mov ax,0x80; mov ds,ax
    CHECK(f.vector == 13);
    CHECK(f.error == 0x80);
  }
  SECTION("data segment not present: #NP(sel)") {
    Fault f = run_fault(m, {0x66, 0xb8, 0x40, 0x00, 0x8e, 0xd8});
    CHECK(f.vector == 11);
    CHECK(f.error == 0x40);
  }
  SECTION("SS with RPL/DPL 3 at CPL 0: #GP(sel without RPL)") {
    Fault f = run_fault(m, {0x66, 0xb8, 0x23, 0x00, 0x8e, 0xd0});
    CHECK(f.vector == 13);
    CHECK(f.error == 0x20);
  }
  SECTION("null SS in 32-bit mode: #GP(0)") {
    Fault f = run_fault(m, {0x66, 0x31, 0xc0, 0x8e, 0xd0});
    CHECK(f.vector == 13);
    CHECK(f.error == 0);
  }
  SECTION("SS not present: #SS(sel)") {
    Fault f = run_fault(m, {0x66, 0xb8, 0x48, 0x00, 0x8e, 0xd0});
    CHECK(f.vector == 12);
    CHECK(f.error == 0x48);
  }
  SECTION("system descriptor in DS: #GP(sel)") {
    Fault f = run_fault(m, {0x66, 0xb8, 0x28, 0x00, 0x8e, 0xd8});
    CHECK(f.vector == 13);
    CHECK(f.error == 0x28);
  }
  SECTION("null DS loads (and is unusable)") {
    Fault f = run_fault(m, {0x66, 0x31, 0xc0, 0x8e, 0xd8, 0xbb, 0x77, 0, 0, 0, 0xf4});
    CHECK(f.vector == 0x77);
    CHECK(m.s.seg[isa::SEG_DS].selector == 0);
  }
}

TEST_CASE("protected mode: INT n from CPL 3 switches to the TSS stack; DPL check", "[cpu_system]") {
  SystemMachine m;
  m.enter_protected32(3);
  install_handlers(m);
  m.put32(kTss + 4, 0x9000);  // ESP0
  m.put32(kTss + 8, 0x10);    // SS0
  m.gate32(kIdt, 0x40, 0x08, 0x2800, 0xe, 0);  // DPL 0: INT 0x40 from CPL 3 is refused
  m.gate32(kIdt, 0x41, 0x08, 0x2800, 0xe, 3);
  m.code(0x2800, {0x89, 0xe1, 0xf4});  // mov ecx, esp; hlt
  m.s.gpr[RSP] = 0x8000;
  m.s.rflags = 0x202;

  SECTION("gate DPL < CPL: #GP(vector*8+2)") {
    Fault f = run_fault(m, {0xcd, 0x40});
    CHECK(f.vector == 13);
    CHECK(f.error == 0x40 * 8 + 2);
    CHECK(m.s.cpl == 0);
    // The #GP frame is on the ring-0 stack: SS, ESP, EFLAGS, CS, EIP of the INT (a fault).
    CHECK(m.get(0x9000 - 4, 4) == 0x23);
    CHECK(m.get(0x9000 - 8, 4) == 0x8000);
    CHECK(m.get(0x9000 - 16, 4) == 0x1b);
    CHECK(m.get(0x9000 - 20, 4) == 0x5000);
  }
  SECTION("INT1 (ICEBP) skips the gate-DPL check: #DB through the DPL-0 gate, a trap") {
    m.gate32(kIdt, 1, 0x08, 0x2800, 0xe, 0);
    m.code(0x5000, {0xf1});
    m.s.rip = 0x5000;
    m.cpu.run(20);
    CHECK(m.s.cpl == 0);
    CHECK(m.s.gpr[RCX] == 0x9000 - 20);
    CHECK(m.get(0x9000 - 20, 4) == 0x5001);  // EIP after INT1
  }
  SECTION("DPL 3 gate: handler on the TSS stack, frame with the return address") {
    m.code(0x5000, {0xcd, 0x41});
    m.s.rip = 0x5000;
    m.cpu.run(20);
    CHECK(m.s.cpl == 0);
    CHECK(m.s.gpr[RCX] == 0x9000 - 20);
    CHECK(m.get(0x9000 - 20, 4) == 0x5002);  // a trap: EIP after INT
    CHECK((m.get(0x9000 - 12, 4) & 0x200) != 0);
    CHECK((m.s.rflags & 0x200) == 0);  // interrupt gate clears IF
    CHECK(m.s.seg[isa::SEG_SS].selector == 0x10);
  }
}

TEST_CASE("protected mode: far JMP and gate targets beyond the code segment's limit", "[cpu_system]") {
  SystemMachine m;
  m.enter_protected32();
  install_handlers(m);
  m.gdt(6, seg_desc(0, 0x5fff, kCode0, 0x4));  // 0x30: 32-bit code, limit 0x5fff (bytes)
  m.s.gpr[RSP] = 0x8000;

  SECTION("far JMP inside the limit runs there") {
    m.code(0x5ff0, {0xbb, 0x66, 0, 0, 0, 0xf4});  // mov ebx, 0x66; hlt
    Fault f = run_fault(m, {0xea, 0xf0, 0x5f, 0, 0, 0x30, 0});
    CHECK(f.vector == 0x66);
    CHECK(m.s.seg[isa::SEG_CS].selector == 0x30);
  }
  SECTION("far JMP beyond the limit: #GP(0) at the JMP, CS unchanged") {
    Fault f = run_fault(m, {0xea, 0x00, 0x60, 0, 0, 0x30, 0});
    CHECK(f.vector == 13);
    CHECK(f.error == 0);
    CHECK(m.get(0x8000 - 12, 4) == 0x5000);  // the #GP frame's EIP: the JMP
    CHECK(m.get(0x8000 - 8, 4) == 0x08);
  }
  SECTION("interrupt gate whose offset is beyond its code segment: #GP(0)") {
    m.gate32(kIdt, 0x42, 0x30, 0x7000, 0xe, 0);
    Fault f = run_fault(m, {0xcd, 0x42});
    CHECK(f.vector == 13);
    CHECK(f.error == 0);
  }
}
