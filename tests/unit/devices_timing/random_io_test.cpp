// Robustness: a guest may write anything to these ports. Random port traffic, random
// time steps and timer runs must never crash or hang (run under the sanitizers with
// -DEMU_SANITIZE=ON); afterwards every device still answers a reset.
#include <catch2/catch.hpp>

#include <cstdint>

#include "devices/clock.h"
#include "devices/i8254_pit.h"
#include "devices/i8259_pic.h"
#include "devices/mc146818_rtc.h"
#include "devices/port61.h"
#include "devices/uart_16550.h"
#include "memory/io_space.h"

TEST_CASE("random port traffic to the legacy devices is survivable") {
  emu::Clock clock(emu::ClockMode::Deterministic);
  emu::IoSpace io;
  emu::I8259Pic pic;
  emu::IrqLine irq0, irq4, irq8;
  emu::I8254Pit pit(clock, irq0);
  emu::Port61 port61(clock, pit);
  emu::Mc146818Rtc rtc(clock, irq8, int64_t{1'000'000'000});
  emu::Uart16550 uart(clock, irq4);
  pic.map_ports(io);
  io.map(0x40, 4, &pit, "pit");
  io.map(0x61, 1, &port61, "port61");
  io.map(0x70, 2, &rtc, "rtc");
  io.map(0x3f8, 8, &uart, "com1");
  irq0.connect(&pic, 0);
  irq4.connect(&pic, 4);
  irq8.connect(&pic, 8);

  const uint16_t ports[] = {0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1, 0x40, 0x41, 0x42, 0x43, 0x61, 0x70, 0x71,
                            0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff};
  uint64_t state = 0x9e3779b97f4a7c15ull;
  auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  unsigned acks = 0;
  for (int i = 0; i < 200000; i++) {
    uint64_t r = next();
    uint16_t port = ports[r % (sizeof ports / sizeof ports[0])];
    unsigned size = 1u << ((r >> 8) % 3);
    switch ((r >> 16) % 8) {
      case 0: case 1: case 2: io.write(port, size, static_cast<uint32_t>(r >> 32)); break;
      case 3: case 4: io.read(port, size); break;
      case 5: clock.advance((r >> 24) % 2'000'000); break;
      case 6: {
        uint8_t bytes[3] = {static_cast<uint8_t>(r >> 40), static_cast<uint8_t>(r >> 48), 0};
        uart.receive(bytes, (r >> 56) % 4);
        break;
      }
      default:
        if (pic.intr_pending()) {
          pic.acknowledge();
          acks++;
        }
        break;
    }
    clock.run_expired();
  }
  CHECK(acks > 0);
  CHECK(uart.rx_pending() < 200000 * 3);
  pic.reset();
  pit.reset();
  port61.reset();
  rtc.reset();
  uart.reset();
  CHECK_FALSE(pic.intr_pending());
}
