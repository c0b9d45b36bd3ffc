// The legacy devices wired together as the PC board does: PIT on IRQ0, UART on IRQ4,
// RTC on IRQ8 through the slave PIC; checks the vectors a CPU would receive.
#include <catch2/catch.hpp>

#include "devices/clock.h"
#include "devices/i8254_pit.h"
#include "devices/i8259_pic.h"
#include "devices/mc146818_rtc.h"
#include "devices/port61.h"
#include "devices/uart_16550.h"
#include "memory/io_space.h"

namespace {

struct LegacyBoard {
  emu::Clock clock{emu::ClockMode::Deterministic};
  emu::IoSpace io;
  emu::I8259Pic pic;
  emu::IrqLine irq0, irq4, irq8;
  emu::I8254Pit pit{clock, irq0};
  emu::Port61 port61{clock, pit};
  emu::Mc146818Rtc rtc{clock, irq8, int64_t{0}};
  emu::Uart16550 uart{clock, irq4};
  unsigned wakeups = 0;
  LegacyBoard() {
    pic.map_ports(io);
    io.map(0x40, 4, &pit, "pit");
    io.map(0x61, 1, &port61, "port61");
    io.map(0x70, 2, &rtc, "rtc");
    io.map(0x3f8, 8, &uart, "com1");
    irq0.connect(&pic, 0);
    irq4.connect(&pic, 4);
    irq8.connect(&pic, 8);
    pic.on_intr_change = [this](bool on) { wakeups += on; };
    const uint8_t init[][2] = {{0x20, 0x11}, {0x21, 0x30}, {0x21, 0x04}, {0x21, 0x01},
                               {0xa0, 0x11}, {0xa1, 0x38}, {0xa1, 0x02}, {0xa1, 0x01}};
    for (auto& w : init) io.write(w[0], 1, w[1]);
  }
  // The CPU is halted: skip to the next timer until INTR rises or `limit` passes.
  bool halt_until_intr(uint64_t limit) {
    while (!pic.intr_pending() && clock.next_deadline() <= limit) {
      clock.idle_skip_to(clock.next_deadline());
      clock.run_expired();
    }
    return pic.intr_pending();
  }
};

}  // namespace

TEST_CASE("PIT, RTC and UART interrupts arrive at the CPU with the right vectors") {
  LegacyBoard b;
  // PIT at 100 Hz (mode 2).
  b.io.write(0x43, 1, 0x34);
  b.io.write(0x40, 1, 11932 & 0xff);
  b.io.write(0x40, 1, 11932 >> 8);
  REQUIRE(b.halt_until_intr(20'000'000));
  CHECK(b.clock.now() == emu::I8254Pit::ns_of_tick(11932));
  CHECK(b.pic.acknowledge() == 0x30);
  b.io.write(0x20, 1, 0x20);
  // Mask the PIT, enable the RTC update interrupt: it comes through the slave.
  b.io.write(0x21, 1, 0x01);
  b.io.write(0x70, 1, 0x0b);
  b.io.write(0x71, 1, 0x12);
  REQUIRE(b.halt_until_intr(2'000'000'000));
  CHECK(b.clock.now() == 1'000'000'000);
  CHECK(b.pic.acknowledge() == 0x38);
  b.io.write(0x70, 1, 0x0c);
  CHECK((b.io.read(0x71, 1) & 0x90) == 0x90);
  b.io.write(0xa0, 1, 0x20);
  b.io.write(0x20, 1, 0x20);
  b.io.write(0x70, 1, 0x0b);
  b.io.write(0x71, 1, 0x02);
  // UART receive interrupt on IRQ4 (OUT2 on, RX interrupt enabled).
  b.io.write(0x3fc, 1, 0x08);
  b.io.write(0x3f9, 1, 0x01);
  CHECK_FALSE(b.pic.intr_pending());
  const uint8_t ch = 'k';
  b.uart.receive(&ch, 1);
  CHECK(b.pic.intr_pending());
  CHECK(b.pic.acknowledge() == 0x34);
  CHECK(b.io.read(0x3f8, 1) == 'k');
  b.io.write(0x20, 1, 0x20);
  CHECK_FALSE(b.pic.intr_pending());
  CHECK(b.wakeups == 3);
}
