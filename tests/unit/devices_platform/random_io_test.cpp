// Guest-untrusted input: random port traffic to every device of this group must never
// crash, hang or throw, and the devices must still work afterwards.
#include <catch2/catch.hpp>

#include <random>

#include "devices/acpi_pm.h"
#include "devices/debug_exit.h"
#include "devices/fw_cfg.h"
#include "devices/i440fx_host.h"
#include "devices/i8042.h"
#include "devices/pci_bus.h"
#include "devices/pci_device.h"
#include "devices/piix3_isa.h"
#include "devices/reset_control.h"
#include "memory/io_space.h"
#include "memory/physical_memory.h"
#include "test_io.h"

using namespace emu;

namespace {
struct Sink : IoHandler {
  uint64_t io_read(uint64_t, unsigned) override { return 0; }
  void io_write(uint64_t, unsigned, uint64_t) override {}
};
struct Nic : PciDevice {
  Sink io_bar, mem_bar, mem64_bar;
  Nic() : PciDevice("nic", 0x8086, 0x100e, 0x02, 0x00) {
    declare_io_bar(1, 0x40, &io_bar);
    declare_mem32_bar(0, 0x20000, &mem_bar);
    declare_mem64_bar(2, 0x1000, &mem64_bar);
    set_interrupt_pin(1);
  }
};
}  // namespace

TEST_CASE("random port I/O to the platform devices", "[fuzz]") {
  IoSpace io;
  PhysicalMemory mem;
  mem.add_ram(0, 1 << 20);
  RecordingMachineControl mc;
  test::RecordingIrqSink pic;
  uint64_t now = 0;
  PciBus bus(&io, &mem);
  I440fxHost host;
  Piix3Isa isa;
  Nic nic;
  ResetControl rc(&mc);
  AcpiPm pm([&] { return now; }, &mc);
  Ps2Keyboard kbd;
  Ps2Mouse mouse;
  I8042 kbc(&kbd, &mouse, &mc);
  FwCfg fw;
  fw.add_file("etc/e820", std::vector<uint8_t>(40, 1));
  bus.attach(&host, 0, 0);
  bus.attach(&isa, 1, 0);
  bus.attach(&nic, 3, 0);
  bus.set_intx_router(&isa);
  bus.set_reset_control_port(&rc);
  isa.set_isa_irq_sink(&pic);
  io.map(0xcf8, 8, &bus, "pci");
  io.map(0x600, AcpiPm::kPortCount, &pm, "pm");
  io.map(0x60, 1, &kbc, "kbd-data");
  io.map(0x64, 1, &kbc.command_port(), "kbd-cmd");
  io.map(0x510, 2, &fw, "fw_cfg");
  pm.sci().connect(&pic, 9);
  kbc.keyboard_irq().connect(&pic, 1);
  kbc.mouse_irq().connect(&pic, 12);

  std::mt19937_64 rng(12345);
  const uint16_t ports[] = {0xcf8, 0xcf9, 0xcfa, 0xcfb, 0xcfc, 0xcfd, 0xcfe, 0xcff, 0x600, 0x601, 0x602,
                            0x604, 0x605, 0x608, 0x60b, 0x620, 0x60,  0x64,  0x510, 0x511};
  for (int i = 0; i < 300000; i++) {
    uint16_t port = ports[rng() % std::size(ports)];
    unsigned size = 1u << (rng() % 3);
    uint32_t value = static_cast<uint32_t>(rng());
    if (port == 0xcf8 && (rng() & 1)) value |= 0x80000000u;  // mostly enabled config cycles
    if (port == 0x604) value &= ~(1u << 13);  // no sleep requests, to keep going
    now += rng() % 100000;
    if (rng() & 1) io.write(port, size, value);
    else io.read(port, size);
    if (i % 1000 == 0) {
      kbd.press(static_cast<uint16_t>(rng() % 0x100), rng() & 1);
      mouse.move(static_cast<int>(rng() % 2001) - 1000, static_cast<int>(rng() % 2001) - 1000,
                 static_cast<int>(rng() % 21) - 10, static_cast<uint8_t>(rng()));
      nic.set_irq(rng() & 1);
    }
  }
  // Everything still answers correctly.
  kbc.reset();
  kbd.reset();
  io.write(0x64, 1, 0xaa);
  CHECK(io.read(0x60, 1) == 0x55);
  io.write(0xcf8, 4, 0x80000000u);
  CHECK(io.read(0xcfc, 4) == 0x12378086u);
  io.write(0x510, 2, 0);
  CHECK(io.read(0x511, 1) == 'Q');
}
