// Unit tests for the I/O APIC: register access, edge and level delivery, Remote IRR/EOI.
#include <catch2/catch.hpp>

#include "devices/ioapic.h"
#include "devices/local_apic.h"

using namespace emu;

namespace {

struct Fixture {
  Clock clock{ClockMode::Deterministic};
  ApicBus bus;
  LocalApic apic{clock, bus, 0, true, [](uint64_t t) { return t; }};
  IoApic ioapic{bus, 1};
  Fixture() { apic.io_write(0xf0, 4, 0x1ff); }
  void write_reg(uint8_t index, uint32_t v) {
    ioapic.io_write(0x00, 4, index);
    ioapic.io_write(0x10, 4, v);
  }
  uint32_t read_reg(uint8_t index) {
    ioapic.io_write(0x00, 4, index);
    return static_cast<uint32_t>(ioapic.io_read(0x10, 4));
  }
};

}  // namespace

TEST_CASE("ioapic: identification and reset state") {
  Fixture f;
  CHECK(f.read_reg(0) == 0x01000000);
  CHECK(f.read_reg(1) == 0x00170020);
  CHECK(f.read_reg(0x10) == 0x10000);  // masked
  f.write_reg(0x11, 0xff000000);
  CHECK(f.read_reg(0x11) == 0xff000000);
  f.write_reg(1, 0x12345678);  // read-only
  CHECK(f.read_reg(1) == 0x00170020);
}

TEST_CASE("ioapic: edge-triggered pins deliver once per rising edge") {
  Fixture f;
  f.write_reg(0x10 + 2 * 2, 0x30);  // pin 2 -> vector 0x30, edge, physical dest 0
  f.write_reg(0x10 + 2 * 2 + 1, 0);
  f.ioapic.set_irq_level(2, true);
  CHECK(f.apic.acknowledge() == 0x30);
  f.apic.io_write(0xb0, 4, 0);
  f.ioapic.set_irq_level(2, true);  // still high: no new edge
  CHECK_FALSE(f.apic.interrupt_pending());
  f.ioapic.set_irq_level(2, false);
  f.ioapic.set_irq_level(2, true);
  CHECK(f.apic.acknowledge() == 0x30);
}

TEST_CASE("ioapic: level-triggered pins hold Remote IRR until EOI and refire while asserted") {
  Fixture f;
  f.ioapic.set_irq_level(9, true);  // wire high = inactive for an active-low pin
  f.write_reg(0x10 + 2 * 9, 0x8000 | 0x2000 | 0x49);  // pin 9: level, active low, vector 0x49
  CHECK_FALSE(f.apic.interrupt_pending());
  f.ioapic.set_irq_level(9, false);  // asserted
  CHECK((f.read_reg(0x10 + 2 * 9) & 0x4000) != 0);  // Remote IRR
  CHECK(f.apic.acknowledge() == 0x49);
  f.apic.io_write(0xb0, 4, 0);  // EOI broadcast: still asserted, so it fires again
  CHECK(f.apic.acknowledge() == 0x49);
  f.ioapic.set_irq_level(9, true);  // deasserted
  f.apic.io_write(0xb0, 4, 0);
  CHECK((f.read_reg(0x10 + 2 * 9) & 0x4000) == 0);
  CHECK_FALSE(f.apic.interrupt_pending());
}

TEST_CASE("ioapic: masked pins do not deliver; unmasking an asserted level pin does") {
  Fixture f;
  f.write_reg(0x10 + 2 * 5, 0x18055);  // masked, level, vector 0x55
  f.ioapic.set_irq_level(5, true);
  CHECK_FALSE(f.apic.interrupt_pending());
  f.write_reg(0x10 + 2 * 5, 0x08055);
  CHECK(f.apic.acknowledge() == 0x55);
  // The EOI register clears Remote IRR too.
  f.ioapic.set_irq_level(5, false);
  f.ioapic.io_write(0x40, 4, 0x55);
  CHECK((f.read_reg(0x10 + 2 * 5) & 0x4000) == 0);
}
