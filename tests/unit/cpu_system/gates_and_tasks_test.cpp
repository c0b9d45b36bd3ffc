// Call gate to CPL 0 with parameter copy and RETF to CPL 3, a 32-bit task switch by
// CALL and back by IRET (NT, back link, busy bits), and external interrupts/NMI from an
// InterruptSource (IF, STI shadow with HLT, NMI regardless of IF).
#include <catch2/catch.hpp>

#include "cpu/interrupt_source.h"
#include "memory/io_handler.h"
#include "tests/unit/cpu_system/system_machine.h"

using namespace emu;
using namespace emu::test;

TEST_CASE("32-bit call gate: CPL 3 -> 0 with two parameters, RETF 8 back", "[cpu_system]") {
  SystemMachine m;
  m.enter_protected32(3);
  m.put32(kTss + 4, 0x9000);
  m.put32(kTss + 8, 0x10);
  m.gate32(kGdt, 7, 0x08, 0x2000, 0xc, 3, 2);  // call gate 0x38
  m.code(0x2000, {0x8b, 0x44, 0x24, 0x08,  // mov eax, [esp+8]
                  0x8b, 0x5c, 0x24, 0x0c,  // mov ebx, [esp+12]
                  0x89, 0xe1,              // mov ecx, esp
                  0xca, 0x08, 0x00});      // retf 8
  m.code(0x5000, {0x6a, 0x11, 0x6a, 0x22, 0x9a, 0, 0, 0, 0, 0x38, 0x00,  // push; push; call 0x38:0
                  0xbf, 0x01, 0, 0, 0, 0xeb, 0xfe});
  m.s.rip = 0x5000;
  m.s.gpr[RSP] = 0x8000;
  m.cpu.run(40);
  CHECK(m.s.gpr[RAX] == 0x22);
  CHECK(m.s.gpr[RBX] == 0x11);
  CHECK(m.s.gpr[RCX] == 0x9000 - 24);
  CHECK(m.get(0x9000 - 4, 4) == 0x23);    // caller SS
  CHECK(m.get(0x9000 - 8, 4) == 0x7ff8);  // caller ESP
  CHECK(m.s.gpr[RDI] == 1);
  CHECK(m.s.cpl == 3);
  CHECK(m.s.gpr[RSP] == 0x8000);
  CHECK(m.s.seg[isa::SEG_CS].selector == 0x1b);
}

TEST_CASE("32-bit task switch: CALL to a TSS, IRET back through the back link", "[cpu_system]") {
  SystemMachine m;
  m.enter_protected32(0);
  const uint64_t tss2 = 0x3800;
  m.gdt(8, seg_desc(tss2, 0x67, 0x89, 0));  // available 32-bit TSS (0x40)
  m.put32(tss2 + 0x20, 0x6000);  // EIP
  m.put32(tss2 + 0x24, 0x2);     // EFLAGS
  m.put32(tss2 + 0x28, 0x55);    // EAX
  m.put32(tss2 + 0x38, 0x7000);  // ESP
  const uint16_t sels[6] = {0x10, 0x08, 0x10, 0x10, 0x10, 0x10};
  for (unsigned k = 0; k < 6; ++k) m.put32(tss2 + 0x48 + 4 * k, sels[k]);
  m.code(0x6000, {0x89, 0xc2, 0xb9, 0x77, 0, 0, 0, 0xcf});  // mov edx, eax; mov ecx, 0x77; iret
  m.code(0x5000, {0x9a, 0, 0, 0, 0, 0x40, 0x00, 0xbe, 0x01, 0, 0, 0, 0xeb, 0xfe});
  m.s.rip = 0x5000;
  m.s.gpr[RSP] = 0x8000;
  m.s.gpr[RAX] = 0x99;
  m.s.gpr[RCX] = 0x12;
  m.cpu.run(40);
  CHECK(m.s.gpr[RSI] == 1);
  CHECK(m.s.gpr[RAX] == 0x99);  // task 1's registers restored
  CHECK(m.s.gpr[RCX] == 0x12);
  CHECK(m.s.gpr[RDX] == 0);     // EDX came from TSS 1 too (saved as 0)
  CHECK(m.get(tss2 + 0x00, 2) == 0x28);    // back link to task 1
  CHECK(m.get(tss2 + 0x2c, 4) == 0x77);    // task 2's ECX saved on IRET
  CHECK(m.get(tss2 + 0x30, 4) == 0x55);    // EDX = EAX loaded from TSS 2
  CHECK(m.get(tss2 + 0x20, 4) == 0x6008);  // task 2's EIP after IRET
  CHECK(m.get(kTss + 0x20, 4) == 0x5007);  // task 1's EIP after the CALL
  CHECK(m.get(kGdt + 0x40 + 5, 1) == 0x89);  // task 2 no longer busy
  CHECK(m.get(kGdt + 0x28 + 5, 1) == 0x8b);  // task 1 busy
  CHECK(m.s.tr.selector == 0x28);
  CHECK((m.s.rflags & (1u << 14)) == 0);
}

namespace {
struct FakePins : InterruptSource {
  bool intr = false, nmi = false;
  uint8_t vector = 0x30;
  int acks = 0;
  int polls = 0;  // intr_pending() calls
  bool intr_pending() override {
    ++polls;
    return intr;
  }
  uint8_t acknowledge() override {
    ++acks;
    intr = false;
    return vector;
  }
  bool take_nmi() override {
    bool n = nmi;
    nmi = false;
    return n;
  }
};
}  // namespace

TEST_CASE("external interrupts: STI; HLT wakes on INTR, IF=0 stays halted, NMI ignores IF", "[cpu_system]") {
  SystemMachine m;
  FakePins pins;
  m.cpu.interrupts = &pins;
  m.enter_protected32(0);
  m.gate32(kIdt, 0x30, 0x08, 0x2000, 0xe, 0);
  m.gate32(kIdt, 2, 0x08, 0x2100, 0xe, 0);
  m.code(0x2000, {0x46, 0xcf});  // inc esi; iret
  m.code(0x2100, {0x47, 0xcf});  // inc edi; iret
  m.s.gpr[RSP] = 0x8000;

  SECTION("STI; HLT") {
    m.code(0x5000, {0xfb, 0xf4, 0xbd, 0x01, 0, 0, 0, 0xeb, 0xfe});  // sti; hlt; mov ebp,1; jmp $
    m.s.rip = 0x5000;
    RunResult r = m.cpu.run(10);
    CHECK(r.reason == RunResult::Reason::Halted);
    CHECK(m.s.gpr[RSI] == 0);
    pins.intr = true;
    m.cpu.run(10);
    CHECK(pins.acks == 1);
    CHECK(m.s.gpr[RSI] == 1);
    CHECK(m.s.gpr[RBP] == 1);
  }
  SECTION("IF = 0: INTR is not taken, NMI is") {
    m.code(0x5000, {0xfa, 0xf4, 0xbd, 0x01, 0, 0, 0, 0xeb, 0xfe});  // cli; hlt; ...
    m.s.rip = 0x5000;
    pins.intr = true;
    RunResult r = m.cpu.run(10);
    CHECK(r.reason == RunResult::Reason::Halted);
    CHECK(pins.acks == 0);
    pins.nmi = true;
    m.cpu.run(10);
    CHECK(m.s.gpr[RDI] == 1);
    CHECK(m.s.gpr[RBP] == 1);
    CHECK(pins.acks == 0);
  }
}

namespace {
// An MMIO register whose write raises INTR and tells the CPU, as the board's APIC does.
struct IrqRaiser : IoHandler {
  FakePins& pins;
  Cpu& cpu;
  IrqRaiser(FakePins& p, Cpu& c) : pins(p), cpu(c) {}
  uint64_t io_read(uint64_t, unsigned) override { return 0; }
  void io_write(uint64_t, unsigned, uint64_t) override {
    pins.intr = true;
    cpu.signal_interrupt();
  }
};
}  // namespace

TEST_CASE("external interrupts: polled only when signalled; a device's signal is taken at the next block boundary",
          "[cpu_system]") {
  for (bool jit : {false, true}) {
    if (jit && !Cpu::jit_available()) continue;
    INFO((jit ? "jit" : "interp"));
    SystemMachine m;
    if (jit) REQUIRE(m.cpu.use_jit(true, 0));  // translate every block on its first run
    FakePins pins;
    IrqRaiser raiser(pins, m.cpu);
    m.mem.add_mmio(0xf0000000u, 0x1000, &raiser, "irq-raiser");
    m.cpu.interrupts = &pins;
    m.enter_protected32(0);
    m.gate32(kIdt, 0x30, 0x08, 0x2000, 0xe, 0);
    m.code(0x2000, {0x89, 0xee, 0xcf});  // mov esi, ebp; iret
    // sti; mov ecx, 300; L: dec ecx; jnz L; mov [0xf0000000], eax; mov ebp, 1; jmp M
    // M: mov ebp, 2; jmp $
    m.code(0x5000, {0xfb, 0xb9, 0x2c, 0x01, 0, 0, 0x49, 0x75, 0xfd, 0xa3, 0, 0, 0, 0xf0, 0xbd, 0x01, 0, 0, 0, 0xeb, 0x00,
                    0xbd, 0x02, 0, 0, 0, 0xeb, 0xfe});
    m.s.rip = 0x5000;
    m.s.gpr[RSP] = 0x8000;
    m.s.gpr[RSI] = 0xff;
    m.cpu.run(2000);
    CHECK(pins.acks == 1);
    CHECK(m.s.gpr[RSI] == 1);  // taken after the storing block, before the next one
    CHECK(m.s.gpr[RBP] == 2);
    // Run start, STI (and its shadow), the device, after the delivery, IRET: not 300 loops.
    CHECK(pins.polls <= 8);
  }
}

TEST_CASE("#DF through a task gate switches to the double-fault task", "[cpu_system]") {
  SystemMachine m;
  m.enter_protected32(0);
  const uint64_t tss2 = 0x3800;
  m.gdt(8, seg_desc(tss2, 0x67, 0x89, 0));
  m.put32(tss2 + 0x20, 0x6000);
  m.put32(tss2 + 0x24, 0x2);
  m.put32(tss2 + 0x38, 0x7000);
  const uint16_t sels[6] = {0x10, 0x08, 0x10, 0x10, 0x10, 0x10};
  for (unsigned k = 0; k < 6; ++k) m.put32(tss2 + 0x48 + 4 * k, sels[k]);
  m.gate32(kIdt, 8, 0x40, 0, 0x5, 0);  // task gate
  m.put64(kIdt + 8 * 13, 0);           // #GP gate absent: #GP -> #NP -> #DF
  m.code(0x6000, {0x58, 0xf4});        // pop eax (error code); hlt
  m.code(0x5000, {0x66, 0xb8, 0x80, 0x00, 0x8e, 0xd8});  // mov ax, 0x80; mov ds, ax (beyond the GDT)
  m.s.rip = 0x5000;
  m.s.gpr[RSP] = 0x8000;
  m.s.gpr[RAX] = 0x1111;
  RunResult r = m.cpu.run(20);
  CHECK(r.reason == RunResult::Reason::Halted);
  CHECK(m.s.tr.selector == 0x40);
  CHECK(m.s.gpr[RAX] == 0);
  CHECK(m.s.gpr[RSP] == 0x7000);
  CHECK((m.s.rflags & (1u << 14)) != 0);   // NT
  CHECK(m.get(tss2, 2) == 0x28);           // back link
  CHECK(m.get(kTss + 0x20, 4) == 0x5004);  // the faulting MOV DS
}
