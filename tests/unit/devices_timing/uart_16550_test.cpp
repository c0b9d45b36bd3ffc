// Unit tests for the 16550A UART: Linux 8250 probe and start-up checks, FIFO and
// timeout interrupts, IIR priorities, THRE semantics, loopback, backlog, OUT2 gating.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "devices/clock.h"
#include "devices/uart_16550.h"
#include "memory/io_space.h"

namespace {

struct BufferBackend : emu::CharBackend {
  std::string out;
  std::vector<bool> breaks;
  void write(const uint8_t* data, size_t len) override { out.append(reinterpret_cast<const char*>(data), len); }
  void send_break(bool on) override { breaks.push_back(on); }
};

struct LevelSink : emu::IrqSink {
  bool level = false;
  void set_irq_level(unsigned, bool v) override { level = v; }
};

constexpr uint16_t kBase = 0x3f8;
enum : uint16_t { RBR = 0, THR = 0, IER = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

struct UartFixture {
  emu::Clock clock{emu::ClockMode::Deterministic};
  emu::IrqLine irq4;
  LevelSink sink;
  BufferBackend backend;
  emu::Uart16550 uart{clock, irq4, &backend};
  emu::IoSpace io;
  UartFixture() {
    irq4.connect(&sink, 4);
    io.map(kBase, 8, &uart, "com1");
  }
  void out(uint16_t reg, uint8_t v) { io.write(static_cast<uint16_t>(kBase + reg), 1, v); }
  uint8_t in(uint16_t reg) { return static_cast<uint8_t>(io.read(static_cast<uint16_t>(kBase + reg), 1)); }
  void push(const std::string& s) { uart.receive(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }
  void run_for(uint64_t ns) {
    uint64_t end = clock.now() + ns;
    while (clock.next_deadline() <= end) {
      clock.idle_skip_to(clock.next_deadline());
      clock.run_expired();
    }
    clock.set_now(end);
  }
};

}  // namespace

TEST_CASE_METHOD(UartFixture, "UART passes Linux 8250 autoconfig as a 16550A") {
  // Scratch test through IER (drivers/tty/serial/8250/8250_port.c autoconfig).
  uint8_t saved_ier = in(IER);
  out(IER, 0);
  CHECK((in(IER) & 0x0f) == 0);
  out(IER, 0x0f);
  CHECK((in(IER) & 0x0f) == 0x0f);
  out(IER, saved_ier);
  uint8_t save_mcr = in(MCR), save_lcr = in(LCR);
  // Loopback test: RTS|OUT2 come back as CTS|DCD.
  out(MCR, 0x10 | 0x0a);
  CHECK((in(MSR) & 0xf0) == 0x90);
  out(MCR, save_mcr);
  out(LCR, 0xbf);
  out(FCR, 0);  // EFR on enhanced parts; FCR here
  out(LCR, 0);
  out(FCR, 0x01);
  CHECK((in(IIR) >> 6) == 3);  // FIFO present: 16550A
  // autoconfig_16550a: not an ST16C650 (EFR under LCR=0x80/0xBF must not read 0).
  out(LCR, 0x80);
  CHECK(in(IIR) != 0);
  out(LCR, 0xbf);
  CHECK(in(IIR) != 0);
  // Not a National SuperIO: IIR bit 4 must not track MCR LOOP under LCR=0xE0.
  out(LCR, 0);
  uint8_t status1 = in(MCR);
  out(LCR, 0xe0);
  uint8_t status2 = in(2);
  CHECK(((status1 ^ status2) & 0x10) == 0);
  out(LCR, 0);
  out(MCR, status1 ^ 0x10);
  out(LCR, 0xe0);
  status2 = in(2);
  out(LCR, 0);
  out(MCR, status1);
  CHECK(((status1 ^ status2) & 0x10) == 0);
  // Not a 16750: 64-byte FIFO bit (IIR bit 5) never appears.
  out(FCR, 0x01 | 0x20);
  uint8_t s1 = in(IIR) >> 5;
  out(FCR, 0x01);
  out(LCR, 0x80);
  out(FCR, 0x01 | 0x20);
  uint8_t s2 = in(IIR) >> 5;
  out(FCR, 0x01);
  out(LCR, 0);
  CHECK_FALSE((s1 == 6 && s2 == 7));
  // Not an XScale UART: IER bit 6 (UUE) reads back 0.
  out(IER, 0x40);
  CHECK((in(IER) & 0x40) == 0);
  out(IER, 0);
  out(LCR, save_lcr);
  // Scratch register holds a value.
  out(SCR, 0xa5);
  CHECK(in(SCR) == 0xa5);
  CHECK(in(LSR) != 0xff);
}

TEST_CASE_METHOD(UartFixture, "UART THRE interrupt as Linux's start-up tests expect") {
  out(FCR, 0x07);
  out(MCR, 0x0b);  // DTR, RTS, OUT2
  // serial8250_do_startup: enabling THRI on an idle port must produce a THRE interrupt.
  out(IER, 0x02);
  CHECK((in(LSR) & 0x40) != 0);   // TEMT
  CHECK(sink.level);
  CHECK(in(IIR) == 0xc2);
  CHECK(in(IIR) == 0xc1);         // reading IIR cleared it
  CHECK_FALSE(sink.level);
  out(IER, 0);
  out(IER, 0x02);                 // re-enabling raises it again
  CHECK(in(IIR) == 0xc2);
  // Every transmitted byte leaves THR empty again.
  out(THR, 'x');
  CHECK(sink.level);
  CHECK(in(IIR) == 0xc2);
  CHECK_FALSE(sink.level);
  out(IER, 0);
  out(THR, 'y');
  CHECK_FALSE(sink.level);        // reported only while enabled
  CHECK(backend.out == "xy");
}

TEST_CASE_METHOD(UartFixture, "UART output goes to the backend in order; divisor latch") {
  out(LCR, 0x83);
  out(0, 0x01);
  out(1, 0x00);
  CHECK(in(0) == 0x01);
  CHECK(in(1) == 0x00);
  out(LCR, 0x03);
  for (char ch : std::string("hello, world\n")) out(THR, static_cast<uint8_t>(ch));
  CHECK(backend.out == "hello, world\n");
  out(LCR, 0x43);  // break on
  out(LCR, 0x03);
  CHECK(backend.breaks == std::vector<bool>{true, false});
}

TEST_CASE_METHOD(UartFixture, "UART RX FIFO trigger level and character timeout") {
  out(LCR, 0x80);
  out(0, 1);  // 115200 baud: a character (10 bits) is 86.8 us
  out(LCR, 0x03);
  out(FCR, 0x81);  // FIFO on, trigger at 8 bytes (Linux's setting for a 16550A)
  out(MCR, 0x08);
  out(IER, 0x01);
  push("abcde");
  CHECK((in(LSR) & 0x01) != 0);
  CHECK(in(IIR) == 0xc1);  // below the trigger level: no interrupt yet
  CHECK_FALSE(sink.level);
  run_for(4 * 86'805 - 1000);
  CHECK_FALSE(sink.level);
  run_for(2000);  // four character times without activity
  CHECK(sink.level);
  CHECK(in(IIR) == 0xcc);
  CHECK(in(RBR) == 'a');  // reading restarts the timeout
  CHECK(in(IIR) == 0xc1);
  CHECK_FALSE(sink.level);
  std::string rest;
  while (in(LSR) & 0x01) rest += static_cast<char>(in(RBR));
  CHECK(rest == "bcde");
  run_for(10'000'000);
  CHECK(in(IIR) == 0xc1);  // empty FIFO: no timeout
  push("0123456789");
  CHECK(in(IIR) == 0xc4);  // at/above the trigger level
  CHECK(sink.level);
  // Clearing the RX FIFO drops its contents.
  out(FCR, 0x83);
  CHECK((in(LSR) & 0x01) == 0);
  CHECK(in(IIR) == 0xc1);
}

TEST_CASE_METHOD(UartFixture, "UART keeps a backlog beyond the FIFO and loses nothing") {
  out(FCR, 0x01);
  std::string sent;
  for (int i = 0; i < 1000; i++) sent += static_cast<char>('A' + i % 26);
  push(sent);
  CHECK(uart.rx_pending() == 1000);
  std::string got;
  while ((in(LSR) & 0x01) && got.size() < 2000) got += static_cast<char>(in(RBR));
  CHECK(got == sent);
  CHECK(uart.rx_pending() == 0);
  // Without FIFO (16450 mode) the same holds, one holding register at a time.
  out(FCR, 0x00);
  push("xyz");
  got.clear();
  while ((in(LSR) & 0x01) && got.size() < 10) got += static_cast<char>(in(RBR));
  CHECK(got == "xyz");
}

TEST_CASE_METHOD(UartFixture, "UART interrupt priorities: line status > RX > THRE > modem status") {
  out(FCR, 0x01);  // trigger level 1
  out(MCR, 0x08);
  uart.set_modem_inputs(false, true, false, true);  // CTS dropped: modem status delta
  uart.receive_break();                              // BI + a zero byte
  out(IER, 0x0f);                                    // also makes THRE pending
  CHECK(in(IIR) == 0xc6);
  CHECK((in(LSR) & 0x10) != 0);  // BI, cleared by reading LSR
  CHECK(in(IIR) == 0xc4);
  CHECK(in(RBR) == 0);
  CHECK(in(IIR) == 0xc2);  // reported (and thereby cleared)
  CHECK(in(IIR) == 0xc0);
  uint8_t msr = in(MSR);
  CHECK((msr & 0x01) != 0);  // delta CTS
  CHECK((msr & 0xf0) == 0xa0);  // DSR and DCD still on
  CHECK(in(IIR) == 0xc1);
  CHECK_FALSE(sink.level);
}

TEST_CASE_METHOD(UartFixture, "UART loopback returns data and modem lines internally") {
  out(MCR, 0x10);
  CHECK((in(MSR) & 0xf0) == 0x00);
  out(THR, 'Q');
  CHECK(backend.out.empty());
  CHECK((in(LSR) & 0x01) != 0);
  CHECK(in(RBR) == 'Q');
  out(MCR, 0x10 | 0x01);  // DTR -> DSR
  CHECK(in(MSR) == (0x20 | 0x02));
  out(MCR, 0x10 | 0x04);  // OUT1 -> RI; DTR dropped
  CHECK(in(MSR) == (0x40 | 0x02));
  out(MCR, 0x10);  // RI trailing edge
  CHECK(in(MSR) == 0x04);
  out(MCR, 0x00);
  CHECK((in(MSR) & 0xf0) == 0xb0);  // back to the host's lines
}

TEST_CASE_METHOD(UartFixture, "UART IRQ is gated by OUT2 and off in loopback") {
  out(IER, 0x02);  // THRE pending
  CHECK(in(IIR) == 0x02);  // FIFO off: no 0xC0 bits
  out(IER, 0);
  out(IER, 0x02);
  CHECK_FALSE(sink.level);  // OUT2 off
  out(MCR, 0x08);
  CHECK(sink.level);
  out(MCR, 0x18);  // loopback forces OUT2 inactive
  CHECK_FALSE(sink.level);
  out(MCR, 0x08);
  CHECK(sink.level);
  uart.reset();
  CHECK_FALSE(sink.level);
  CHECK(in(IER) == 0);
  CHECK(in(IIR) == 0x01);
  CHECK(in(LSR) == 0x60);
}
