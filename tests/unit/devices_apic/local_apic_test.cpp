// Unit tests for the local APIC: registers, priorities, EOI, timer modes, IPIs, LINT0.
#include <catch2/catch.hpp>

#include "devices/local_apic.h"

using namespace emu;

namespace {

struct Fixture {
  Clock clock{ClockMode::Deterministic};
  ApicBus bus;
  LocalApic apic{clock, bus, 0, true, [](uint64_t tsc) { return tsc / 2; }};  // TSC at 2 GHz
  int wakeups = 0;
  Fixture() {
    apic.on_interrupt = [this] { wakeups++; };
    reg(0xf0, 0x1ff);  // software enable, spurious vector 0xff
  }
  uint32_t reg(unsigned off) { return static_cast<uint32_t>(apic.io_read(off, 4)); }
  void reg(unsigned off, uint32_t v) { apic.io_write(off, 4, v); }
  void fixed(uint8_t vector, bool level = false) {
    ApicMessage m;
    m.vector = vector;
    m.level = level;
    m.destination = 0;
    bus.deliver(m);
  }
  void run_to(uint64_t ns) {
    clock.set_now(ns);
    clock.run_expired();
  }
};

}  // namespace

TEST_CASE("lapic: reset state and identification registers") {
  Fixture f;
  CHECK(f.apic.base_msr() == (0xfee00000u | 0x900));  // enabled, BSP
  CHECK(f.reg(0x30) == 0x00050014);
  CHECK(f.reg(0x20) == 0);
  CHECK((f.reg(0x320) & 0x10000) != 0);  // timer LVT masked
  CHECK(f.reg(0x350) == 0x700);          // LINT0: virtual wire
  f.reg(0x20, 0x05000000);
  CHECK(f.apic.id() == 5);
}

TEST_CASE("lapic: fixed interrupts are taken by priority; TPR and ISR hold lower ones") {
  Fixture f;
  f.fixed(0x41);
  f.fixed(0x62);
  CHECK(f.apic.interrupt_pending());
  CHECK(f.apic.acknowledge() == 0x62);
  CHECK(f.reg(0xa0) == 0x60);            // PPR from the in-service vector
  CHECK_FALSE(f.apic.interrupt_pending());  // 0x41 is a lower class than 0x62 in service
  CHECK((f.reg(0x100 + 0x30) & (1u << 2)) != 0);  // ISR bit 0x62 (word 3, bit 2)
  f.reg(0xb0, 0);                        // EOI
  CHECK(f.apic.interrupt_pending());
  f.apic.write_tpr(0x50);
  CHECK_FALSE(f.apic.interrupt_pending());
  CHECK(f.apic.acknowledge() == 0xff);   // spurious when nothing qualifies
  f.apic.write_tpr(0x30);
  CHECK(f.apic.acknowledge() == 0x41);
}

TEST_CASE("lapic: illegal vectors set ESR bits, latched by an ESR write") {
  Fixture f;
  f.fixed(5);
  CHECK_FALSE(f.apic.interrupt_pending());
  CHECK(f.reg(0x280) == 0);
  f.reg(0x280, 0);
  CHECK(f.reg(0x280) == 0x40);
  f.reg(0x300, 0x00004003);  // self-less fixed IPI with vector 3
  f.reg(0x280, 0);
  CHECK((f.reg(0x280) & 0x20) != 0);
}

TEST_CASE("lapic: level-triggered EOI is broadcast to the I/O APICs") {
  Fixture f;
  int eoi_vector = -1;
  f.bus.add_eoi_listener([&](uint8_t v) { eoi_vector = v; });
  f.fixed(0x80, true);
  CHECK(f.apic.acknowledge() == 0x80);
  CHECK((f.reg(0x180 + 0x40) & 1) == 1);  // TMR bit 0x80
  f.reg(0xb0, 0);
  CHECK(eoi_vector == 0x80);
}

TEST_CASE("lapic: one-shot and periodic timer from the virtual clock") {
  Fixture f;
  f.reg(0x3e0, 0x3);       // divide by 16
  f.reg(0x320, 0x20030);   // periodic, vector 0x30
  f.reg(0x380, 1000);      // 1000 ticks * 16 ns = 16 us
  f.run_to(8000);
  CHECK(f.reg(0x390) == 500);
  CHECK_FALSE(f.apic.interrupt_pending());
  f.run_to(16000);
  CHECK(f.apic.acknowledge() == 0x30);
  f.reg(0xb0, 0);
  f.run_to(16000 + 4000);
  CHECK(f.reg(0x390) == 750);
  f.run_to(32000);
  CHECK(f.apic.acknowledge() == 0x30);
  f.reg(0xb0, 0);
  // One-shot: counts to 0 once and stays there.
  f.reg(0x320, 0x00031);
  f.reg(0x3e0, 0xb);       // divide by 1
  f.reg(0x380, 100);
  f.run_to(32000 + 100);
  CHECK(f.apic.acknowledge() == 0x31);
  f.reg(0xb0, 0);
  f.run_to(40000);
  CHECK(f.reg(0x390) == 0);
  CHECK_FALSE(f.apic.interrupt_pending());
}

TEST_CASE("lapic: TSC-deadline mode") {
  Fixture f;
  f.reg(0x320, 0x40040);  // TSC-deadline, vector 0x40
  f.apic.write_tsc_deadline(20000);  // = 10000 ns with the 2 GHz TSC
  f.run_to(9999);
  CHECK_FALSE(f.apic.interrupt_pending());
  f.run_to(10000);
  CHECK(f.apic.acknowledge() == 0x40);
  CHECK(f.apic.tsc_deadline() == 0);
  f.reg(0x380, 5);  // initial count is ignored in this mode
  CHECK(f.reg(0x380) == 0);
}

TEST_CASE("lapic: self IPIs and destination matching") {
  Fixture f;
  f.reg(0x300, 0x00040050);  // shorthand self, fixed, vector 0x50
  CHECK(f.apic.acknowledge() == 0x50);
  f.reg(0xb0, 0);
  f.reg(0xd0, 0x02000000);  // logical ID bit 1 (flat model)
  ApicMessage m;
  m.vector = 0x60;
  m.logical = true;
  m.destination = 0x01;
  CHECK_FALSE(f.bus.deliver(m));
  m.destination = 0x03;
  CHECK(f.bus.deliver(m));
  CHECK(f.apic.acknowledge() == 0x60);
}

TEST_CASE("lapic: LINT0 passes the PIC's INTR as ExtINT; LINT1 raises NMI") {
  Fixture f;
  f.apic.extint_acknowledge = [] { return uint8_t{0x08}; };
  f.apic.set_lint(0, true);
  CHECK(f.apic.interrupt_pending());
  CHECK(f.apic.acknowledge() == 0x08);
  f.apic.set_lint(0, false);
  CHECK_FALSE(f.apic.interrupt_pending());
  f.apic.set_lint(1, true);
  CHECK(f.apic.take_nmi());
  CHECK_FALSE(f.apic.take_nmi());
  // Masking LINT0 stops the virtual wire.
  f.reg(0x350, 0x10700);
  f.apic.set_lint(0, true);
  CHECK_FALSE(f.apic.interrupt_pending());
}

TEST_CASE("lapic: the APIC base MSR rejects reserved bits and x2APIC; disabling resets") {
  Fixture f;
  CHECK_FALSE(f.apic.write_base_msr(0xfee00000ull | 0x800 | (1ull << 50)));
  CHECK_FALSE(f.apic.write_base_msr(0xfee00000ull | 0xc00));
  f.fixed(0x70);
  CHECK(f.apic.write_base_msr(0xfee00000ull));  // globally disabled
  CHECK_FALSE(f.apic.hardware_enabled());
  CHECK(f.reg(0xf0) == 0xff);
  CHECK(f.apic.write_base_msr(0xfed00000ull | 0x800));
  CHECK(f.apic.base_address() == 0xfed00000ull);
  CHECK((f.apic.base_msr() & 0x100) != 0);  // BSP bit is read-only
}

// on_interrupt is the CPU's only cue to poll (Cpu::signal_interrupt): it must fire on
// every change that can make an interrupt deliverable, and the CPU then finds it pending.
TEST_CASE("lapic: on_interrupt fires whenever an interrupt may have become deliverable") {
  Fixture f;
  auto signalled = [&f](auto&& change) {
    const int before = f.wakeups;
    change();
    return f.wakeups > before;
  };
  CHECK(signalled([&] { f.fixed(0x62); }));  // accepted from the bus
  CHECK(f.apic.acknowledge() == 0x62);
  f.fixed(0x41);  // held back by 0x62 in service
  CHECK_FALSE(f.apic.interrupt_pending());
  CHECK(signalled([&] { f.reg(0xb0, 0); }));  // EOI lets 0x41 through
  CHECK(f.apic.interrupt_pending());
  f.apic.write_tpr(0x50);
  CHECK_FALSE(f.apic.interrupt_pending());
  CHECK(signalled([&] { f.apic.write_tpr(0x30); }));  // lowering the TPR (MOV CR8)
  CHECK(f.apic.interrupt_pending());
  CHECK(signalled([&] { f.reg(0x80, 0x20); }));  // the same through the TPR register
  CHECK(f.apic.acknowledge() == 0x41);
  f.reg(0xb0, 0);
  // The PIC's INTR on LINT0 (ExtINT) and NMI on LINT1.
  CHECK(signalled([&] { f.apic.set_lint(0, true); }));
  CHECK(f.apic.interrupt_pending());
  f.apic.set_lint(0, false);
  CHECK(signalled([&] { f.apic.set_lint(1, true); }));
  CHECK(f.apic.take_nmi());
  // Unmasking LINT0 while the PIC holds INTR high.
  f.reg(0x350, 0x10700);
  f.apic.set_lint(0, true);
  CHECK_FALSE(f.apic.interrupt_pending());
  CHECK(signalled([&] { f.reg(0x350, 0x700); }));
  CHECK(f.apic.interrupt_pending());
  // Globally disabled, LINT0 is the INTR pin again.
  CHECK(signalled([&] { f.apic.write_base_msr(0xfee00000ull); }));
  CHECK(f.apic.interrupt_pending());
  // Nothing deliverable: no signal (a TPR write with nothing pending).
  f.apic.set_lint(0, false);
  CHECK_FALSE(signalled([&] { f.apic.write_tpr(0x10); }));
}
