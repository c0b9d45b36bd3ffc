// Long mode: interrupt from CPL 3 through a 64-bit gate with IST and IRETQ back, #PF
// with CR2 and error code, #DF from a fault during delivery, triple fault, SYSCALL/
// SYSRET round trip, MSR #GP rules, far CALL from compatibility mode into 64-bit code.
#include <catch2/catch.hpp>

#include "tests/unit/cpu_system/system_machine.h"

using namespace emu;
using namespace emu::test;

TEST_CASE("long mode: INT 0x80 from CPL 3 on IST1, IRETQ back to CPL 3", "[cpu_system]") {
  SystemMachine m;
  m.enter_long64(3);
  m.put64(kTss + 0x24, 0x9008);  // IST1 (not 16-byte aligned: the CPU aligns it)
  m.gate64(0x80, 0x08, 0x2000, 0xe, 3, 1);
  m.code(0x2000, {0x48, 0x89, 0xe3,              // mov rbx, rsp
                  0x48, 0x8b, 0x4c, 0x24, 0x08,  // mov rcx, [rsp+8] (CS)
                  0x48, 0xcf});                  // iretq
  m.code(0x5000, {0xcd, 0x80, 0x49, 0xc7, 0xc7, 0x01, 0, 0, 0, 0xeb, 0xfe});
  m.s.rip = 0x5000;
  m.s.gpr[RSP] = 0x8000;
  m.s.rflags = 0x202;
  m.cpu.run(30);
  CHECK(m.s.gpr[RBX] == 0x9000 - 40);
  CHECK(m.s.gpr[RCX] == 0x2b);
  CHECK(m.get(0x9000 - 8, 8) == 0x23);    // SS
  CHECK(m.get(0x9000 - 16, 8) == 0x8000);  // RSP
  CHECK(m.get(0x9000 - 40, 8) == 0x5002);  // RIP after INT
  CHECK(m.s.gpr[R15] == 1);
  CHECK(m.s.cpl == 3);
  CHECK(m.s.gpr[RSP] == 0x8000);
  CHECK(m.s.seg[isa::SEG_CS].selector == 0x2b);
  CHECK(m.s.seg[isa::SEG_SS].selector == 0x23);
  CHECK((m.s.rflags & 0x200) != 0);
}

TEST_CASE("long mode: RSP0 from the TSS and SS = null at the privilege change", "[cpu_system]") {
  SystemMachine m;
  m.enter_long64(3);
  m.put64(kTss + 4, 0xa000);  // RSP0
  m.gate64(0x81, 0x08, 0x2000, 0xf, 3);  // trap gate: IF stays
  m.code(0x2000, {0x48, 0x89, 0xe3, 0xeb, 0xfe});  // mov rbx, rsp; jmp $
  m.code(0x5000, {0xcd, 0x81});
  m.s.rip = 0x5000;
  m.s.gpr[RSP] = 0x8000;
  m.s.rflags = 0x202;
  m.cpu.run(10);
  CHECK(m.s.gpr[RBX] == 0xa000 - 40);
  CHECK(m.s.seg[isa::SEG_SS].selector == 0);
  CHECK((m.s.rflags & 0x200) != 0);
}

TEST_CASE("long mode: #PF sets CR2 and pushes the error code", "[cpu_system]") {
  SystemMachine m;
  m.enter_long64(0);
  m.gate64(14, 0x08, 0x2000, 0xe, 0);
  m.code(0x2000, {0x58, 0x0f, 0x20, 0xd3, 0xf4});  // pop rax; mov rbx, cr2; hlt
  // mov rax, 0x40000000 (PDPT entry 1: not present); mov byte [rax], 1
  m.code(0x5000, {0x48, 0xb8, 0, 0, 0, 0x40, 0, 0, 0, 0, 0xc6, 0x00, 0x01});
  m.s.rip = 0x5000;
  m.s.gpr[RSP] = 0x8000;
  RunResult r = m.cpu.run(20);
  CHECK(r.reason == RunResult::Reason::Halted);
  CHECK(m.s.gpr[RAX] == 2);  // write, not present, supervisor
  CHECK(m.s.gpr[RBX] == 0x40000000);
  CHECK(m.s.cr2 == 0x40000000);
  CHECK(m.get(m.s.gpr[RSP], 8) == 0x500a);  // RIP of the faulting store
}

TEST_CASE("compatibility mode: far CALL into 64-bit code pushes at the flat RSP", "[cpu_system]") {
  SystemMachine m;
  m.enter_long64(0);
  m.gdt(8, seg_desc(0x20000, 0xffff, kCode0, 0));  // 16-bit code, base 0x20000
  m.gdt(9, seg_desc(0x30000, 0xffff, kData0, 0));  // 16-bit stack, base 0x30000
  m.load_cache(isa::SEG_CS, 0x40);
  m.load_cache(isa::SEG_SS, 0x48);
  m.cpu.refresh_mode();
  m.code(0x20000, {0x9a, 0x00, 0x60, 0x08, 0x00});  // call far 0x08:0x6000
  m.code(0x6000, {0xf4});                           // hlt (64-bit code)
  m.s.rip = 0;
  m.s.gpr[RSP] = 0x5800;
  RunResult r = m.cpu.run(20);
  CHECK(r.reason == RunResult::Reason::Halted);
  CHECK(m.s.seg[isa::SEG_CS].selector == 0x08);
  CHECK(m.s.gpr[RSP] == 0x57fc);
  CHECK(m.get(0x57fe, 2) == 0x40);  // CS, then the return IP below it, SS.base not added
  CHECK(m.get(0x57fc, 2) == 0x5);
  CHECK(m.get(0x30000 + 0x57fc, 4) == 0);
}

TEST_CASE("long mode: user access to a supervisor page is a protection #PF", "[cpu_system]") {
  SystemMachine m;
  m.enter_long64(3);
  m.put64(kTss + 4, 0xa000);
  m.put64(SystemMachine::kPml4 + 0x2000 + 8 * 1, (1ull << 21) | 0x83);  // 2-4 MiB: supervisor only
  m.gate64(14, 0x08, 0x2000, 0xe, 0);
  m.code(0x2000, {0x58, 0x0f, 0x20, 0xd3, 0xf4});
  m.code(0x5000, {0x48, 0xb8, 0, 0, 0x20, 0, 0, 0, 0, 0, 0x48, 0x8b, 0x08});  // mov rcx, [rax]
  m.s.rip = 0x5000;
  m.s.gpr[RSP] = 0x8000;
  m.cpu.run(20);
  CHECK(m.s.gpr[RAX] == (1u | 4u));  // present, read, user
  CHECK(m.s.gpr[RBX] == 0x200000);
}

TEST_CASE("long mode: a #GP whose gate is not present becomes #DF (error code 0)", "[cpu_system]") {
  SystemMachine m;
  m.enter_long64(0);
  m.gate64(8, 0x08, 0x2000, 0xe, 0);
  m.code(0x2000, {0x58, 0xbb, 0x08, 0, 0, 0, 0xf4});  // pop rax; mov ebx, 8; hlt
  m.put64(kIdt + 16 * 13, 0);                            // #GP gate absent
  m.code(0x5000, {0xb8, 0x80, 0, 0, 0, 0x8e, 0xd8});    // mov eax, 0x80; mov ds, ax
  m.s.rip = 0x5000;
  m.s.gpr[RSP] = 0x8000;
  m.s.gpr[RAX] = 0x55;
  RunResult r = m.cpu.run(20);
  CHECK(r.reason == RunResult::Reason::Halted);
  CHECK(m.s.gpr[RBX] == 8);
  CHECK(m.s.gpr[RAX] == 0);
}

TEST_CASE("long mode: faults with no usable IDT end in a triple fault", "[cpu_system]") {
  SystemMachine m;
  m.enter_long64(0);
  m.s.idtr.limit = 0;
  m.code(0x5000, {0x0f, 0x0b});  // ud2
  m.s.rip = 0x5000;
  m.s.gpr[RSP] = 0x8000;
  RunResult r = m.cpu.run(20);
  CHECK(r.reason == RunResult::Reason::TripleFault);
}

TEST_CASE("long mode: SYSCALL / SYSRET round trip with SFMASK", "[cpu_system]") {
  SystemMachine m;
  m.enter_long64(3);
  m.sys.msr.star = (0x1bull << 48) | (0x08ull << 32);
  m.sys.msr.lstar = 0x2000;
  m.sys.msr.sfmask = 0x200;
  m.code(0x2000, {0x48, 0x89, 0xcb,  // mov rbx, rcx
                  0x4c, 0x89, 0xda,  // mov rdx, r11
                  0x9c, 0x41, 0x59,  // pushfq; pop r9
                  0x0f, 0x01, 0xf8,  // swapgs
                  0x48, 0x0f, 0x07}); // sysretq
  m.code(0x5000, {0x0f, 0x05, 0x49, 0xc7, 0xc7, 0x01, 0, 0, 0, 0xeb, 0xfe});
  m.sys.msr.kernel_gs_base = 0x1234000;
  m.s.rip = 0x5000;
  m.s.gpr[RSP] = 0x8000;
  m.s.rflags = 0x202;
  m.cpu.run(30);
  CHECK(m.s.gpr[RBX] == 0x5002);
  CHECK((m.s.gpr[RDX] & 0x200) != 0);
  CHECK((m.s.gpr[R9] & 0x200) == 0);
  CHECK(m.s.gpr[R15] == 1);
  CHECK(m.s.cpl == 3);
  CHECK(m.s.seg[isa::SEG_CS].selector == 0x2b);
  CHECK(m.s.seg[isa::SEG_SS].selector == 0x23);
  CHECK((m.s.rflags & 0x200) != 0);
  CHECK(m.s.seg[isa::SEG_GS].base == 0x1234000);
}

TEST_CASE("long mode: SYSRET to a non-canonical RCX raises #GP at CPL 0", "[cpu_system]") {
  SystemMachine m;
  m.enter_long64(0);
  m.sys.msr.star = (0x1bull << 48) | (0x08ull << 32);
  m.gate64(13, 0x08, 0x2000, 0xe, 0);
  m.code(0x2000, {0x58, 0xbb, 13, 0, 0, 0, 0xf4});
  m.code(0x5000, {0x48, 0x0f, 0x07});
  m.s.rip = 0x5000;
  m.s.gpr[RSP] = 0x8000;
  m.s.gpr[RCX] = 0x0000800000000000ull;
  m.cpu.run(20);
  CHECK(m.s.gpr[RBX] == 13);
  CHECK(m.s.cpl == 0);
}

TEST_CASE("MSRs: stored values, unknown MSR and invalid PAT raise #GP(0)", "[cpu_system]") {
  SystemMachine m;
  m.enter_long64(0);
  m.gate64(13, 0x08, 0x2000, 0xe, 0);
  m.code(0x2000, {0x58, 0xbb, 13, 0, 0, 0, 0xf4});
  m.s.gpr[RSP] = 0x8000;
  SECTION("LSTAR round trip") {
    // mov ecx, 0xc0000082; mov eax, 0x11223344; mov edx, 0xffffffff; wrmsr; xor eax,eax; rdmsr; hlt
    m.code(0x5000, {0xb9, 0x82, 0, 0, 0xc0, 0xb8, 0x44, 0x33, 0x22, 0x11, 0xba, 0xff, 0xff, 0xff, 0xff,
                    0x0f, 0x30, 0x31, 0xc0, 0x31, 0xd2, 0x0f, 0x32, 0xf4});
    m.s.rip = 0x5000;
    m.cpu.run(20);
    CHECK(m.sys.msr.lstar == 0xffffffff11223344ull);
    CHECK(m.s.gpr[RAX] == 0x11223344);
    CHECK(m.s.gpr[RDX] == 0xffffffff);
  }
  SECTION("unknown MSR") {
    m.code(0x5000, {0xb9, 0x45, 0x23, 0x01, 0x00, 0x0f, 0x32, 0xf4});
    m.s.rip = 0x5000;
    m.cpu.run(20);
    CHECK(m.s.gpr[RBX] == 13);
  }
  SECTION("PAT entry type 2 is reserved") {
    m.code(0x5000, {0xb9, 0x77, 0x02, 0, 0, 0xb8, 0x02, 0, 0, 0, 0x31, 0xd2, 0x0f, 0x30, 0xf4});
    m.s.rip = 0x5000;
    m.cpu.run(20);
    CHECK(m.s.gpr[RBX] == 13);
    CHECK(m.sys.msr.pat == 0x0007040600070406ull);
  }
}

TEST_CASE("long mode: demand paging — user #PF, handler maps the page, IRETQ retries", "[cpu_system]") {
  SystemMachine m;
  m.enter_long64(3);
  m.put64(kTss + 4, 0xa000);  // RSP0
  const uint64_t pt = 0x104000;
  m.put64(SystemMachine::kPml4 + 0x2000 + 8 * 2, pt | 7);  // 4-6 MiB through a page table, all absent
  m.gate64(14, 0x08, 0x2000, 0xe, 0);
  m.code(0x2000, {0x48, 0xc7, 0x04, 0x25, 0x00, 0x40, 0x10, 0x00, 0x07, 0x00, 0x30, 0x00,  // mov qword [pt], 0x300007
                  0x0f, 0x01, 0x38,   // invlpg [rax]
                  0x5b,               // pop rbx (error code)
                  0x48, 0xcf});       // iretq
  m.code(0x5000, {0x48, 0xb8, 0, 0, 0x40, 0, 0, 0, 0, 0,     // mov rax, 0x400000
                  0x48, 0xc7, 0x00, 0x2a, 0, 0, 0,           // mov qword [rax], 42
                  0x49, 0xc7, 0xc7, 0x01, 0, 0, 0, 0xeb, 0xfe});
  m.s.rip = 0x5000;
  m.s.gpr[RSP] = 0x8000;
  m.cpu.run(40);
  CHECK(m.s.gpr[RBX] == (2u | 4u));  // write, user, not present
  CHECK(m.s.cr2 == 0x400000);
  CHECK(m.get(0x300000, 8) == 42);
  CHECK(m.s.gpr[R15] == 1);
  CHECK(m.s.cpl == 3);
  CHECK((m.get(pt, 8) & 0x60) == 0x60);  // accessed and dirty set by the retried store
}
