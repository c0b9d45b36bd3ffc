// Unit tests for the i8259A PIC pair, driven through its I/O ports as a guest would.
#include <catch2/catch.hpp>

#include <vector>

#include "devices/i8259_pic.h"
#include "memory/io_space.h"

namespace {

struct PicFixture {
  emu::IoSpace io;
  emu::I8259Pic pic;
  std::vector<bool> intr_changes;
  PicFixture() {
    pic.map_ports(io);
    pic.on_intr_change = [this](bool v) { intr_changes.push_back(v); };
  }
  void out(uint16_t port, uint8_t v) { io.write(port, 1, v); }
  uint8_t in(uint16_t port) { return static_cast<uint8_t>(io.read(port, 1)); }
  // Linux's init_8259A: vectors 0x30 (master) and 0x38 (slave), cascade on IR2.
  void init_linux(bool master_aeoi = false) {
    out(0x20, 0x11);
    out(0x21, 0x30);
    out(0x21, 0x04);
    out(0x21, master_aeoi ? 0x03 : 0x01);
    out(0xa0, 0x11);
    out(0xa1, 0x38);
    out(0xa1, 0x02);
    out(0xa1, 0x01);
  }
  void eoi_master() { out(0x20, 0x20); }
  void eoi_slave() { out(0xa0, 0x20); }
  void pulse(unsigned irq) {
    pic.set_irq_level(irq, true);
    pic.set_irq_level(irq, false);
  }
  uint8_t read_isr(uint16_t cmd) {
    out(cmd, 0x0b);
    uint8_t v = in(cmd);
    out(cmd, 0x0a);
    return v;
  }
};

}  // namespace

TEST_CASE_METHOD(PicFixture, "PIC init sequence, delivery, ISR and EOI") {
  init_linux();
  CHECK(in(0x21) == 0x00);  // ICW1 cleared the mask
  CHECK_FALSE(pic.intr_pending());
  pulse(0);
  CHECK(pic.intr_pending());
  REQUIRE(intr_changes == std::vector<bool>{true});
  CHECK(in(0x20) == 0x01);  // IRR
  CHECK(pic.acknowledge() == 0x30);
  CHECK_FALSE(pic.intr_pending());
  CHECK(in(0x20) == 0x00);         // IRR cleared by INTA (edge)
  CHECK(read_isr(0x20) == 0x01);   // in service
  eoi_master();
  CHECK(read_isr(0x20) == 0x00);
}

TEST_CASE_METHOD(PicFixture, "PIC mask register blocks and releases requests") {
  init_linux();
  out(0x21, 0x02);
  CHECK(in(0x21) == 0x02);
  pulse(1);
  CHECK_FALSE(pic.intr_pending());
  CHECK(in(0x20) == 0x02);  // request still latched in IRR
  out(0x21, 0x00);
  CHECK(pic.intr_pending());
  CHECK(pic.acknowledge() == 0x31);
}

TEST_CASE_METHOD(PicFixture, "PIC fixed priorities and nesting") {
  init_linux();
  pulse(3);
  pulse(1);
  CHECK(pic.acknowledge() == 0x31);
  // IRQ3 has lower priority than IRQ1 in service: held off.
  CHECK_FALSE(pic.intr_pending());
  // IRQ0 has higher priority: it nests.
  pulse(0);
  CHECK(pic.intr_pending());
  CHECK(pic.acknowledge() == 0x30);
  CHECK(read_isr(0x20) == 0x03);
  eoi_master();  // non-specific EOI clears the highest in service: IRQ0
  CHECK(read_isr(0x20) == 0x02);
  CHECK_FALSE(pic.intr_pending());
  eoi_master();
  CHECK(pic.intr_pending());
  CHECK(pic.acknowledge() == 0x33);
}

TEST_CASE_METHOD(PicFixture, "PIC specific EOI and rotation") {
  init_linux();
  pulse(4);
  CHECK(pic.acknowledge() == 0x34);
  out(0x20, 0x60 | 4);  // specific EOI for IR4
  CHECK(read_isr(0x20) == 0);
  // Set priority: IR4 lowest, so IR5 becomes the highest priority.
  out(0x20, 0xc0 | 4);
  pulse(0);
  pulse(5);
  CHECK(pic.acknowledge() == 0x35);
  // Rotate on non-specific EOI: IR5 becomes lowest, IR6.. IR0 highest next.
  out(0x20, 0xa0);
  CHECK(pic.acknowledge() == 0x30);
}

TEST_CASE_METHOD(PicFixture, "PIC cascade: slave interrupts go through master IR2") {
  init_linux();
  pulse(10);
  CHECK(pic.intr_pending());
  CHECK(pic.acknowledge() == 0x3a);
  CHECK(read_isr(0x20) == 0x04);
  CHECK(read_isr(0xa0) == 0x04);
  // A second slave request of lower priority waits for the slave EOI.
  pulse(12);
  CHECK_FALSE(pic.intr_pending());
  eoi_slave();
  CHECK_FALSE(pic.intr_pending());  // master IR2 still in service
  eoi_master();
  CHECK(pic.intr_pending());
  CHECK(pic.acknowledge() == 0x3c);
  // Masking IR2 on the master hides all slave interrupts.
  eoi_slave();
  eoi_master();
  out(0x21, 0x04);
  pulse(8);
  CHECK_FALSE(pic.intr_pending());
  out(0x21, 0x00);
  CHECK(pic.acknowledge() == 0x38);
}

TEST_CASE_METHOD(PicFixture, "PIC spurious IRQ7 and IRQ15") {
  init_linux();
  // Nothing pending: the master answers with IR7 and sets no ISR bit.
  CHECK(pic.acknowledge() == 0x37);
  CHECK(read_isr(0x20) == 0);
  // A level-triggered slave request that goes away before INTA: IRQ15 spurious,
  // the master's IR2 is in service (Linux EOIs the master only).
  out(0x4d1, 0x08);  // IRQ11 level
  pic.set_irq_level(11, true);
  CHECK(pic.intr_pending());
  pic.set_irq_level(11, false);
  CHECK(pic.acknowledge() == 0x3f);
  CHECK(read_isr(0xa0) == 0);
  CHECK(read_isr(0x20) == 0x04);
}

TEST_CASE_METHOD(PicFixture, "PIC edge versus level triggering via ELCR") {
  init_linux();
  CHECK(in(0x4d0) == 0);
  out(0x4d0, 0xff);
  CHECK(in(0x4d0) == 0xf8);  // IRQ0-2 cannot be level triggered
  out(0x4d1, 0xff);
  CHECK(in(0x4d1) == 0xde);  // nor IRQ8 and IRQ13
  out(0x4d0, 0x20);           // IRQ5 level, IRQ4 edge
  // Edge: a held-high line interrupts once.
  pic.set_irq_level(4, true);
  CHECK(pic.acknowledge() == 0x34);
  eoi_master();
  CHECK_FALSE(pic.intr_pending());
  pic.set_irq_level(4, false);
  // Level: interrupts again after EOI while the line stays high, stops when it drops.
  pic.set_irq_level(5, true);
  CHECK(pic.acknowledge() == 0x35);
  eoi_master();
  CHECK(pic.intr_pending());
  CHECK(pic.acknowledge() == 0x35);
  pic.set_irq_level(5, false);
  eoi_master();
  CHECK_FALSE(pic.intr_pending());
  CHECK(in(0x20) == 0);
}

TEST_CASE_METHOD(PicFixture, "PIC auto-EOI leaves ISR clear") {
  init_linux(/*master_aeoi=*/true);
  pulse(3);
  CHECK(pic.acknowledge() == 0x33);
  CHECK(read_isr(0x20) == 0);
  pulse(4);  // lower priority than IR3, but nothing is in service
  CHECK(pic.acknowledge() == 0x34);
}

TEST_CASE_METHOD(PicFixture, "PIC poll mode") {
  init_linux();
  out(0x20, 0x0c);         // OCW3 poll
  CHECK(in(0x20) == 0x00);  // nothing pending
  pulse(6);
  out(0x20, 0x0c);
  CHECK(in(0x20) == 0x86);
  CHECK(read_isr(0x20) == 0x40);
  CHECK_FALSE(pic.intr_pending());
}

TEST_CASE_METHOD(PicFixture, "PIC special mask mode lets lower priorities through") {
  init_linux();
  pulse(3);
  CHECK(pic.acknowledge() == 0x33);
  pulse(5);
  CHECK_FALSE(pic.intr_pending());
  out(0x21, 0x08);  // mask IR3 (in service)
  out(0x20, 0x68);  // OCW3: set special mask mode
  CHECK(pic.intr_pending());
  CHECK(pic.acknowledge() == 0x35);
  out(0x20, 0x48);  // clear special mask mode
  CHECK(read_isr(0x20) == 0x28);
}

TEST_CASE_METHOD(PicFixture, "PIC re-initialization clears state; reset clears everything") {
  init_linux();
  out(0x21, 0xff);
  pulse(1);
  out(0x20, 0x11);  // ICW1: edge requests are dropped, mask cleared
  out(0x21, 0x08);
  out(0x21, 0x04);
  out(0x21, 0x01);
  CHECK(in(0x21) == 0);
  CHECK_FALSE(pic.intr_pending());
  pulse(1);
  CHECK(pic.acknowledge() == 0x09);
  pic.reset();
  CHECK(pic.isr(0) == 0);
  CHECK(pic.irr(0) == 0);
}
