// PCI configuration mechanism #1, BAR sizing and decoding, i440FX/PIIX3 identity and
// PIRQ routing, driven through ports 0xCF8/0xCFC as a guest would.
#include <catch2/catch.hpp>

#include "devices/i440fx_host.h"
#include "devices/pci_bus.h"
#include "devices/pci_device.h"
#include "devices/piix3_isa.h"
#include "memory/io_space.h"
#include "memory/physical_memory.h"
#include "test_io.h"

using namespace emu;

namespace {

struct Register : IoHandler {
  uint64_t value = 0x1234;
  uint64_t last_offset = ~0ull;
  uint64_t io_read(uint64_t offset, unsigned) override {
    last_offset = offset;
    return value;
  }
  void io_write(uint64_t offset, unsigned, uint64_t v) override {
    last_offset = offset;
    value = v;
  }
};

// A device with one BAR of each kind and INTA.
struct TestDevice : PciDevice {
  Register io_regs, mmio_regs, mmio64_regs;
  TestDevice() : PciDevice("test", 0x1af4, 0x1000, 0x02, 0x00) {
    declare_io_bar(0, 0x20, &io_regs);
    declare_mem32_bar(1, 0x1000, &mmio_regs);
    declare_mem64_bar(2, 0x4000, &mmio64_regs, true);
    set_interrupt_pin(1);
  }
  using PciDevice::add_capability;
  using PciDevice::set_cfg8;
};

struct Rig {
  IoSpace io;
  PhysicalMemory mem;
  PciBus bus{&io, &mem};
  I440fxHost host;
  Piix3Isa isa;
  TestDevice dev;
  Rig() {
    io.map(PciBus::kConfigPortBase, PciBus::kConfigPortCount, &bus, "pci-config");
    bus.attach(&host, 0, 0);
    bus.attach(&isa, 1, 0);
    bus.attach(&dev, 3, 0);
    bus.set_intx_router(&isa);
  }
  void select(unsigned slot, unsigned fn, unsigned reg) {
    io.write(0xcf8, 4, 0x80000000u | (slot << 11) | (fn << 8) | (reg & 0xfc));
  }
  uint32_t cfg_read(unsigned slot, unsigned fn, unsigned reg, unsigned size) {
    select(slot, fn, reg);
    return io.read(static_cast<uint16_t>(0xcfc + (reg & 3)), size);
  }
  void cfg_write(unsigned slot, unsigned fn, unsigned reg, unsigned size, uint32_t v) {
    select(slot, fn, reg);
    io.write(static_cast<uint16_t>(0xcfc + (reg & 3)), size, v);
  }
};

}  // namespace

TEST_CASE("CONFIG_ADDRESS is a dword register with reserved low bits", "[pci]") {
  Rig r;
  r.io.write(0xcf8, 4, 0x80001813u);
  CHECK(r.io.read(0xcf8, 4) == 0x80001810u);
  // Byte accesses to 0xCF8 do not reach CONFIG_ADDRESS.
  r.io.write(0xcf8, 1, 0);
  CHECK(r.io.read(0xcf8, 4) == 0x80001810u);
}

TEST_CASE("chipset identity and absent functions", "[pci]") {
  Rig r;
  CHECK(r.cfg_read(0, 0, 0, 4) == 0x12378086u);
  CHECK(r.cfg_read(1, 0, 0, 4) == 0x70008086u);
  CHECK(r.cfg_read(1, 0, 0x0a, 2) == 0x0601);  // ISA bridge
  CHECK(r.cfg_read(0, 0, 0x0a, 2) == 0x0600);  // host bridge
  CHECK((r.cfg_read(1, 0, 0x0e, 1) & 0x80) == 0x80);  // multifunction
  CHECK((r.cfg_read(0, 0, 0x0e, 1) & 0x80) == 0);
  CHECK(r.cfg_read(2, 0, 0, 4) == 0xffffffffu);
  CHECK(r.cfg_read(1, 1, 0, 2) == 0xffffu);
  CHECK(r.cfg_read(31, 7, 0, 1) == 0xffu);
  // Enable bit clear: nothing answers.
  r.io.write(0xcf8, 4, 0x00000000u);
  CHECK(r.io.read(0xcfc, 4) == 0xffffffffu);
  // Bus 1 does not exist.
  r.io.write(0xcf8, 4, 0x80010000u);
  CHECK(r.io.read(0xcfc, 4) == 0xffffffffu);
}

TEST_CASE("byte and word access at any offset of the data window", "[pci]") {
  Rig r;
  CHECK(r.cfg_read(0, 0, 0x00, 1) == 0x86);
  CHECK(r.cfg_read(0, 0, 0x01, 1) == 0x80);
  CHECK(r.cfg_read(0, 0, 0x02, 2) == 0x1237);
  CHECK(r.cfg_read(0, 0, 0x03, 1) == 0x12);
  CHECK(r.cfg_read(0, 0, 0x01, 2) == 0x3780);
}

TEST_CASE("IDs are read-only, status error bits are RW1C", "[pci]") {
  Rig r;
  r.cfg_write(3, 0, 0, 4, 0);
  CHECK(r.cfg_read(3, 0, 0, 4) == 0x10001af4u);
  r.dev.set_cfg8(0x07, 0x30);  // the device signalled target/master abort
  r.cfg_write(3, 0, 0x06, 2, 0x1000);  // clear only "received target abort"
  CHECK(r.cfg_read(3, 0, 0x07, 1) == 0x20);
  r.cfg_write(3, 0, 0x06, 2, 0x0000);  // writing zero leaves it
  CHECK(r.cfg_read(3, 0, 0x07, 1) == 0x20);
}

TEST_CASE("BAR sizing returns the size mask and type bits", "[pci]") {
  Rig r;
  r.cfg_write(3, 0, 0x10, 4, 0xffffffffu);
  CHECK(r.cfg_read(3, 0, 0x10, 4) == 0x0000ffe1u);  // 32-byte I/O (16-bit decode)
  r.cfg_write(3, 0, 0x14, 4, 0xffffffffu);
  CHECK(r.cfg_read(3, 0, 0x14, 4) == 0xfffff000u);  // 4 KiB memory, 32-bit
  r.cfg_write(3, 0, 0x18, 4, 0xffffffffu);
  r.cfg_write(3, 0, 0x1c, 4, 0xffffffffu);
  CHECK(r.cfg_read(3, 0, 0x18, 4) == 0xffffc00cu);  // 16 KiB, 64-bit, prefetchable
  CHECK(r.cfg_read(3, 0, 0x1c, 4) == 0xffffffffu);
  // Unused BARs and the ROM BAR read zero even after writing ones.
  r.cfg_write(3, 0, 0x20, 4, 0xffffffffu);
  CHECK(r.cfg_read(3, 0, 0x20, 4) == 0);
  r.cfg_write(3, 0, 0x30, 4, 0xffffffffu);
  CHECK(r.cfg_read(3, 0, 0x30, 4) == 0);
}

TEST_CASE("command register enables map and unmap the BARs", "[pci]") {
  Rig r;
  r.cfg_write(3, 0, 0x10, 4, 0xc000);
  r.cfg_write(3, 0, 0x14, 4, 0xfebf0000u);
  r.cfg_write(3, 0, 0x18, 4, 0x00000000u);
  r.cfg_write(3, 0, 0x1c, 4, 0x00000001u);  // 0x1_0000_0000
  // Decoding off: the ports and addresses are unclaimed.
  CHECK(r.io.read(0xc004, 2) == 0xffff);
  CHECK(r.mem.read(0xfebf0010, 4) == 0xffffffffu);

  r.cfg_write(3, 0, 0x04, 2, pci::kCmdIo);
  CHECK(r.io.read(0xc004, 2) == 0x1234);
  CHECK(r.dev.io_regs.last_offset == 4);
  CHECK(r.mem.read(0xfebf0010, 4) == 0xffffffffu);

  r.cfg_write(3, 0, 0x04, 2, pci::kCmdIo | pci::kCmdMemory);
  r.mem.write(0xfebf0010, 4, 0xabcd);
  CHECK(r.dev.mmio_regs.value == 0xabcd);
  CHECK(r.dev.mmio_regs.last_offset == 0x10);
  r.mem.write(0x100000008ull, 4, 0x77);
  CHECK(r.dev.mmio64_regs.value == 0x77);
  CHECK(r.dev.mmio64_regs.last_offset == 8);

  // Moving a BAR while decoding is on remaps it.
  r.cfg_write(3, 0, 0x10, 4, 0xd000);
  CHECK(r.io.read(0xc004, 2) == 0xffff);
  CHECK(r.io.read(0xd000, 2) == 0x1234);

  r.cfg_write(3, 0, 0x04, 2, 0);
  CHECK(r.io.read(0xd000, 2) == 0xffff);
  CHECK(r.mem.read(0xfebf0010, 4) == 0xffffffffu);
  CHECK_FALSE(r.dev.bar_mapped(0));
}

TEST_CASE("a BAR placed over another device's ports stays unmapped", "[pci]") {
  Rig r;
  Register other;
  r.io.map(0xc000, 0x10, &other, "other");
  r.cfg_write(3, 0, 0x10, 4, 0xc000);
  r.cfg_write(3, 0, 0x04, 2, pci::kCmdIo);  // must not throw
  CHECK_FALSE(r.dev.bar_mapped(0));
  r.cfg_write(3, 0, 0x10, 4, 0xc100);
  CHECK(r.dev.bar_mapped(0));
}

TEST_CASE("capability list is linked from 0x34", "[pci]") {
  Rig r;
  uint8_t a = r.dev.add_capability(0x05, 14);  // MSI
  uint8_t b = r.dev.add_capability(0x01, 8);   // power management
  CHECK(a >= 0x40);
  CHECK(b >= a + 14);
  CHECK((r.cfg_read(3, 0, 0x06, 2) & pci::kStatusCapList) != 0);
  CHECK(r.cfg_read(3, 0, 0x34, 1) == a);
  CHECK(r.cfg_read(3, 0, a, 1) == 0x05);
  CHECK(r.cfg_read(3, 0, a + 1, 1) == b);
  CHECK(r.cfg_read(3, 0, b, 1) == 0x01);
  CHECK(r.cfg_read(3, 0, b + 1, 1) == 0);
}

TEST_CASE("PIRQ routing delivers INTx to the programmed ISA IRQ", "[pci]") {
  Rig r;
  test::RecordingIrqSink isa, gsi;
  r.isa.set_isa_irq_sink(&isa);
  r.isa.set_pirq_gsi_sink(&gsi, 16);
  // Slot 3 INTA is wired to PIRQC on the i440FX board.
  CHECK(Piix3Isa::pirq_for(3 << 3, 0) == 2);
  CHECK(Piix3Isa::pirq_for(1 << 3, 0) == 0);
  CHECK(r.cfg_read(1, 0, 0x60, 4) == 0x80808080u);  // all disabled at reset
  CHECK(r.dev.config_read(0x3d, 1) == 1);
  r.dev.set_irq(true);
  CHECK(isa.events.empty());  // routing disabled
  CHECK(gsi.level[18]);
  r.cfg_write(1, 0, 0x62, 1, 11);  // guest programs PIRQC -> IRQ 11
  CHECK(isa.level[11]);
  CHECK(r.isa.isa_irq_for(3 << 3, 0) == 11);
  CHECK((r.dev.config_read(0x06, 2) & pci::kStatusIntx) != 0);
  r.dev.set_irq(false);
  CHECK_FALSE(isa.level[11]);
  CHECK_FALSE(gsi.level[18]);
  // INTx disable masks the pin but the status bit still shows it.
  r.cfg_write(3, 0, 0x04, 2, pci::kCmdIntxDisable);
  r.dev.set_irq(true);
  CHECK_FALSE(isa.level[11]);
  CHECK((r.dev.config_read(0x06, 2) & pci::kStatusIntx) != 0);
  r.cfg_write(3, 0, 0x04, 2, 0);
  CHECK(isa.level[11]);
  // Re-routing moves the asserted level.
  r.cfg_write(1, 0, 0x62, 1, 10);
  CHECK_FALSE(isa.level[11]);
  CHECK(isa.level[10]);
  r.isa.set_pirq_route(2, 0x80);
  CHECK_FALSE(isa.level[10]);
}

TEST_CASE("i440FX stores PAM and SMRAM registers", "[pci]") {
  Rig r;
  int changes = 0;
  r.host.pam_changed = [&] { changes++; };
  CHECK(r.cfg_read(0, 0, 0x72, 1) == I440fxHost::kSmramReset);
  r.cfg_write(0, 0, 0x59, 1, 0x30);
  r.cfg_write(0, 0, 0x5a, 2, 0x3311);
  CHECK(r.host.pam(0) == 0x30);
  CHECK(r.host.pam(1) == 0x11);
  CHECK(r.host.pam(2) == 0x33);
  CHECK(changes == 2);
  r.bus.reset();
  CHECK(r.host.pam(0) == 0);
}

TEST_CASE("a destroyed device unplugs itself and releases its BARs and INTx", "[pci]") {
  Rig r;
  test::RecordingIrqSink isa;
  r.isa.set_isa_irq_sink(&isa);
  r.isa.set_pirq_route(3, 5);  // slot 4 INTA is wired to PIRQD
  {
    TestDevice extra;
    r.bus.attach(&extra, 4, 0);
    r.cfg_write(4, 0, 0x10, 4, 0xe000);
    r.cfg_write(4, 0, 0x04, 2, pci::kCmdIo);
    CHECK(r.io.read(0xe000, 2) == 0x1234);
    extra.set_irq(true);
    CHECK(isa.level[5]);
  }
  CHECK_FALSE(isa.level[5]);
  CHECK(r.io.read(0xe000, 2) == 0xffff);
  CHECK(r.cfg_read(4, 0, 0, 4) == 0xffffffffu);
  r.bus.reset();  // must not touch the destroyed device
}
