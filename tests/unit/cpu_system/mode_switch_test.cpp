// Real-mode interrupts through the IVT and the boot-loader path real -> protected ->
// long mode (LGDT, MOV CR0, far JMP, PAE + EFER.LME + CR0.PG, far JMP to a 64-bit CS).
#include <catch2/catch.hpp>

#include "tests/unit/cpu_system/system_machine.h"

using namespace emu;
using namespace emu::test;

TEST_CASE("real mode: INT n through the IVT, IRET restores flags", "[cpu_system]") {
  SystemMachine m;
  m.put32(0x21 * 4, 0x00000600);                         // IVT[0x21] = 0000:0600
  m.code(0x500, {0xcd, 0x21, 0xf4});                     // int 0x21; hlt
  m.code(0x600, {0x9c, 0x5b, 0xb8, 0x34, 0x12, 0xcf});   // pushf; pop bx; mov ax,0x1234; iret
  m.s.rip = 0x500;
  m.s.gpr[RSP] = 0x7000;
  m.s.rflags = 0x202;
  RunResult r = m.cpu.run(100);
  CHECK(r.reason == RunResult::Reason::Halted);
  CHECK((m.s.gpr[RAX] & 0xffff) == 0x1234);
  CHECK((m.s.gpr[RBX] & 0x200) == 0);  // IF cleared inside the handler
  CHECK((m.s.rflags & 0x200) != 0);    // and restored by IRET
  CHECK(m.s.gpr[RSP] == 0x7000);
  CHECK(m.s.rip == 0x503);
  // The 16-bit frame: IP after the INT, CS, FLAGS.
  CHECK(m.get(0x7000 - 6, 2) == 0x502);
  CHECK(m.get(0x7000 - 4, 2) == 0);
  CHECK((m.get(0x7000 - 2, 2) & 0x200) != 0);
}

TEST_CASE("real mode: a fault (#DE) is delivered through the IVT with IP at the instruction", "[cpu_system]") {
  SystemMachine m;
  m.put32(0 * 4, 0x00000700);
  m.code(0x500, {0x31, 0xc9, 0xf7, 0xf1, 0xf4});  // xor cx,cx; div cx
  m.code(0x700, {0x5d, 0xf4});                    // pop bp (faulting IP); hlt
  m.s.rip = 0x500;
  m.s.gpr[RSP] = 0x7000;
  m.cpu.run(100);
  CHECK((m.s.gpr[RBP] & 0xffff) == 0x502);
}

TEST_CASE("boot path: real -> protected -> long mode", "[cpu_system]") {
  SystemMachine m;
  m.build_long_page_tables();
  m.gdt(1, seg_desc(0, 0xfffff, kCode0, kFlags32));
  m.gdt(2, seg_desc(0, 0xfffff, kData0, kFlags32));
  m.gdt(3, seg_desc(0, 0xfffff, kCode0, kFlags64));
  m.put16(0x7e00, 0x1f);
  m.put32(0x7e02, kGdt);
  m.code(0x7c00, {0x0f, 0x01, 0x16, 0x00, 0x7e,   // lgdt [0x7e00]
                  0x0f, 0x20, 0xc0,               // mov eax, cr0
                  0x66, 0x83, 0xc8, 0x01,         // or eax, 1
                  0x0f, 0x22, 0xc0,               // mov cr0, eax
                  0xea, 0x20, 0x7c, 0x08, 0x00}); // jmp 0x08:0x7c20
  m.code(0x7c20, {0x66, 0xb8, 0x10, 0x00,         // mov ax, 0x10
                  0x8e, 0xd8, 0x8e, 0xd0,         // mov ds, ax; mov ss, ax
                  0x0f, 0x20, 0xe0, 0x83, 0xc8, 0x20, 0x0f, 0x22, 0xe0,  // cr4 |= PAE
                  0xb8, 0x00, 0x00, 0x10, 0x00, 0x0f, 0x22, 0xd8,        // cr3 = 0x100000
                  0xb9, 0x80, 0x00, 0x00, 0xc0, 0x0f, 0x32,              // rdmsr EFER
                  0x0d, 0x00, 0x01, 0x00, 0x00, 0x0f, 0x30,              // |= LME; wrmsr
                  0x0f, 0x20, 0xc0, 0x0d, 0x00, 0x00, 0x00, 0x80, 0x0f, 0x22, 0xc0,  // cr0 |= PG
                  0xea, 0x80, 0x7c, 0x00, 0x00, 0x18, 0x00});            // jmp 0x18:0x7c80
  m.code(0x7c80, {0x48, 0xb8, 0x89, 0x67, 0x45, 0x23, 0x01, 0, 0, 0, 0xf4});  // mov rax, imm64; hlt
  m.s.rip = 0x7c00;
  RunResult r = m.cpu.run(200);
  REQUIRE(r.reason == RunResult::Reason::Halted);
  CHECK(m.s.gpr[RAX] == 0x123456789ull);
  CHECK((m.s.efer & kEferLMA) != 0);
  CHECK(m.cpu.mode64());
  CHECK(m.s.seg[isa::SEG_CS].selector == 0x18);
  CHECK(m.s.seg[isa::SEG_SS].selector == 0x10);
  CHECK(m.s.cpl == 0);
  // Loading a descriptor sets its accessed bit (type 0xa -> 0xb).
  CHECK(m.get(kGdt + 8 + 5, 1) == 0x9b);
  CHECK(m.get(kGdt + 16 + 5, 1) == 0x93);
}

TEST_CASE("MOV CR0: PG without PE and long mode without PAE raise #GP", "[cpu_system]") {
  SystemMachine m;
  m.enter_protected32();
  m.gate32(kIdt, 13, 0x08, 0x2000, 0xe, 0);
  m.code(0x2000, {0x58, 0xf4});  // pop eax; hlt
  m.s.gpr[RSP] = 0x8000;
  // Enable LME without PAE, then PG: #GP(0) and CR0/EFER unchanged.
  m.s.efer = kEferLME;
  m.code(0x5000, {0x0f, 0x20, 0xc0, 0x0d, 0x00, 0x00, 0x00, 0x80, 0x0f, 0x22, 0xc0, 0xf4});
  m.s.rip = 0x5000;
  m.s.gpr[RAX] = 0xdead;
  m.cpu.run(100);
  CHECK(m.get(0x8000 - 12, 4) == 0x5008);  // faulting EIP: the MOV CR0
  CHECK((m.s.cr0 & kCr0PG) == 0);
  CHECK((m.s.efer & kEferLMA) == 0);
  CHECK(m.s.gpr[RAX] == 0);  // error code 0
}

TEST_CASE("real mode: far CALL and RETF", "[cpu_system]") {
  SystemMachine m;
  m.code(0x500, {0x9a, 0x00, 0x01, 0x60, 0x00, 0xf4});  // call 0x0060:0x0100; hlt
  m.code(0x700, {0xb8, 0x34, 0x12, 0xcb});              // mov ax, 0x1234; retf
  m.s.rip = 0x500;
  m.s.gpr[RSP] = 0x7000;
  RunResult r = m.cpu.run(20);
  CHECK(r.reason == RunResult::Reason::Halted);
  CHECK((m.s.gpr[RAX] & 0xffff) == 0x1234);
  CHECK(m.s.rip == 0x506);
  CHECK(m.s.seg[isa::SEG_CS].base == 0);
  CHECK(m.s.gpr[RSP] == 0x7000);
  CHECK(m.get(0x7000 - 2, 2) == 0);      // pushed CS
  CHECK(m.get(0x7000 - 4, 2) == 0x505);  // pushed IP
}

TEST_CASE("protected -> real mode through a 16-bit code segment", "[cpu_system]") {
  SystemMachine m;
  m.enter_protected32();
  m.gdt(6, seg_desc(0, 0xffff, kCode0, 0));  // 16-bit code, 0x30
  m.code(0x5000, {0xea, 0x00, 0x51, 0x00, 0x00, 0x30, 0x00});  // jmp 0x30:0x5100
  m.code(0x5100, {0x0f, 0x20, 0xc0, 0x66, 0x83, 0xe0, 0xfe, 0x0f, 0x22, 0xc0,  // clear CR0.PE
                  0xea, 0x00, 0x52, 0x00, 0x00});                            // jmp 0000:5200
  m.code(0x5200, {0xb8, 0x00, 0x10, 0x8e, 0xd8, 0xf4});  // mov ax, 0x1000; mov ds, ax; hlt
  m.s.rip = 0x5000;
  m.s.gpr[RSP] = 0x8000;
  RunResult r = m.cpu.run(40);
  CHECK(r.reason == RunResult::Reason::Halted);
  CHECK((m.s.cr0 & kCr0PE) == 0);
  CHECK(m.s.code_bits() == 16);
  CHECK(m.s.seg[isa::SEG_CS].selector == 0);
  CHECK(m.s.seg[isa::SEG_DS].base == 0x10000);
  CHECK(m.s.rip == 0x5206);
}
