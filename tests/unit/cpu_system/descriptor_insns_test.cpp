// Descriptor-table instructions: LTR (busy bit; a busy TSS is refused), LLDT with an
// LDT selector load, LAR/LSL/VERR/VERW results, SGDT, and control-register checks
// (reserved CR4 bits, PAE PDPTEs with reserved bits on MOV CR3).
#include <catch2/catch.hpp>

#include "tests/unit/cpu_system/system_machine.h"

using namespace emu;
using namespace emu::test;

namespace {
void install_gp_handler(SystemMachine& m) {
  m.gate32(kIdt, 13, 0x08, 0x2000, 0xe, 0);
  m.code(0x2000, {0x58, 0xbb, 13, 0, 0, 0, 0xf4});  // pop eax; mov ebx, 13; hlt
  m.s.gpr[RSP] = 0x8000;
}
void run_at(SystemMachine& m, const std::vector<uint8_t>& code) {
  m.code(0x5000, code);
  m.s.rip = 0x5000;
  m.cpu.run(50);
}
}  // namespace

TEST_CASE("LTR marks the TSS busy; loading a busy TSS raises #GP(sel)", "[cpu_system]") {
  SystemMachine m;
  m.enter_protected32();
  install_gp_handler(m);
  m.gdt(8, seg_desc(0x3800, 0x67, 0x89, 0));  // available TSS at 0x40
  run_at(m, {0x66, 0xb8, 0x40, 0x00, 0x0f, 0x00, 0xd8,  // mov ax, 0x40; ltr ax
             0x0f, 0x00, 0xc9,                          // str ecx
             0x0f, 0x00, 0xd8, 0xf4});                  // ltr ax again -> #GP(0x40)
  CHECK(m.get(kGdt + 0x40 + 5, 1) == 0x8b);
  CHECK((m.s.gpr[RCX] & 0xffff) == 0x40);
  CHECK(m.s.tr.base == 0x3800);
  CHECK(m.s.gpr[RBX] == 13);
  CHECK(m.s.gpr[RAX] == 0x40);
}

TEST_CASE("LLDT, then DS loads a data segment from the LDT", "[cpu_system]") {
  SystemMachine m;
  m.enter_protected32();
  install_gp_handler(m);
  const uint64_t ldt = 0x4000;
  m.gdt(8, seg_desc(ldt, 0x0f, 0x82, 0));                       // LDT descriptor at 0x40
  m.put64(ldt + 8, seg_desc(0x12340, 0xffff, kData0, 0x4));     // LDT entry 1: base 0x12340
  run_at(m, {0x66, 0xb8, 0x40, 0x00, 0x0f, 0x00, 0xd0,          // mov ax, 0x40; lldt ax
             0x66, 0xb8, 0x0c, 0x00, 0x8e, 0xd8,                // mov ax, 0x0c (LDT, index 1); mov ds, ax
             0x66, 0xb8, 0x14, 0x00, 0x8e, 0xc0, 0xf4});        // mov ax, 0x14 (LDT index 2: beyond limit) -> #GP
  CHECK(m.s.ldtr.base == ldt);
  CHECK(m.s.seg[isa::SEG_DS].base == 0x12340);
  CHECK(m.get(ldt + 8 + 5, 1) == 0x93);  // accessed
  CHECK(m.s.gpr[RBX] == 13);
  CHECK(m.s.gpr[RAX] == 0x14);
}

TEST_CASE("LAR/LSL/VERR/VERW report through ZF", "[cpu_system]") {
  SystemMachine m;
  m.enter_protected32(3);
  m.gdt(8, seg_desc(0, 0x12345, 0xf8, 0x4));  // execute-only code, DPL 3, limit 0x12345 (byte granular)
  // mov ax,0x43; lar ecx, ax; lsl edx, ax; verr ax -> setz bl; verw ax -> setz bh;
  // mov ax,0x08 (DPL 0 code); lar esi, ax -> setz al... (ZF clear)
  run_at(m, {0x66, 0xb8, 0x43, 0x00,
             0x0f, 0x02, 0xc8,          // lar ecx, eax
             0x0f, 0x03, 0xd0,          // lsl edx, eax
             0x0f, 0x00, 0xe0, 0x0f, 0x94, 0xc3,   // verr ax; setz bl
             0x0f, 0x00, 0xe8, 0x0f, 0x94, 0xc7,   // verw ax; setz bh
             0x66, 0xb8, 0x08, 0x00, 0x0f, 0x02, 0xf0, 0x0f, 0x94, 0xc0,  // lar esi, eax; setz al
             0xeb, 0xfe});
  CHECK(m.s.gpr[RCX] == 0x0040f800);  // access byte (accessed bit clear) and flags nibble
  CHECK(m.s.gpr[RDX] == 0x12345);
  CHECK((m.s.gpr[RBX] & 0xff) == 0);         // execute-only: not readable
  CHECK(((m.s.gpr[RBX] >> 8) & 0xff) == 0);  // not writable
  CHECK((m.s.gpr[RAX] & 0xff) == 0);         // DPL 0 descriptor invisible at CPL 3
}

TEST_CASE("CR4 reserved bits and invalid PAE PDPTEs raise #GP(0)", "[cpu_system]") {
  SystemMachine m;
  m.enter_protected32();
  install_gp_handler(m);
  SECTION("CR4 bit 30") {
    run_at(m, {0xb8, 0, 0, 0, 0x40, 0x0f, 0x22, 0xe0, 0xf4});
    CHECK(m.s.gpr[RBX] == 13);
    CHECK(m.s.cr4 == 0);
  }
  SECTION("MOV CR3 with a PDPTE that has reserved bits, under PAE paging") {
    // PAE paging with valid PDPTEs at 0x10000 (identity 2 MiB pages for the first GiB).
    m.put64(0x10000, 0x11000 | 1);
    for (uint64_t k = 0; k < 512; ++k) m.put64(0x11000 + 8 * k, (k << 21) | 0x83);
    m.put64(0x12000, 0x11000 | 1 | (1u << 1));  // bit 1 (R/W) is reserved in a PAE PDPTE
    m.s.cr4 = 1u << 5;
    m.s.cr3 = 0x10000;
    // mov eax, cr0; or eax, PG; mov cr0, eax; mov eax, 0x12000; mov cr3, eax; hlt
    run_at(m, {0x0f, 0x20, 0xc0, 0x0d, 0, 0, 0, 0x80, 0x0f, 0x22, 0xc0,
               0xb8, 0x00, 0x20, 0x01, 0x00, 0x0f, 0x22, 0xd8, 0xf4});
    CHECK((m.s.cr0 & kCr0PG) != 0);
    CHECK(m.s.gpr[RBX] == 13);
    CHECK(m.s.cr3 == 0x10000);
  }
}
