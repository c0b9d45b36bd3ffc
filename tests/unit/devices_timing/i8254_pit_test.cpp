// Unit tests for the i8254 PIT and port 0x61, on a deterministic clock: counts are
// checked against ticks = ns * 1193182 / 1e9, OUT edges and IRQ0 timing against the
// 8254 data sheet's mode descriptions, and Linux's TSC calibration loops.
#include <catch2/catch.hpp>

#include <vector>

#include "devices/clock.h"
#include "devices/i8254_pit.h"
#include "devices/port61.h"
#include "memory/io_space.h"

namespace {

using emu::I8254Pit;

struct EdgeCounter : emu::IrqSink {
  std::vector<uint64_t> rise_times;
  emu::Clock* clock = nullptr;
  bool level = false;
  void set_irq_level(unsigned, bool v) override {
    if (v && !level) rise_times.push_back(clock->now());
    level = v;
  }
};

struct PitFixture {
  emu::Clock clock{emu::ClockMode::Deterministic};
  emu::IrqLine irq0;
  EdgeCounter sink;
  I8254Pit pit{clock, irq0};
  emu::Port61 port61{clock, pit};
  emu::IoSpace io;
  PitFixture() {
    sink.clock = &clock;
    irq0.connect(&sink, 0);
    io.map(0x40, 4, &pit, "pit");
    io.map(0x61, 1, &port61, "port61");
    // Start away from tick 0 so that absolute/relative tick mix-ups show.
    at_tick(1000);
    clock.run_expired();
    sink.rise_times.clear();
  }
  void out(uint16_t port, uint8_t v) { io.write(port, 1, v); }
  uint8_t in(uint16_t port) { return static_cast<uint8_t>(io.read(port, 1)); }
  void at_tick(uint64_t tick) { clock.set_now(I8254Pit::ns_of_tick(tick)); }
  uint64_t tick() { return I8254Pit::ticks_at(clock.now()); }
  uint16_t read_latched(unsigned ch) {
    out(0x43, static_cast<uint8_t>(ch << 6));
    uint8_t lo = in(static_cast<uint16_t>(0x40 + ch));
    uint8_t hi = in(static_cast<uint16_t>(0x40 + ch));
    return static_cast<uint16_t>(lo | hi << 8);
  }
  void program(unsigned ch, uint8_t mode_bits, uint16_t count) {
    out(0x43, static_cast<uint8_t>(ch << 6 | 0x30 | mode_bits << 1));
    out(static_cast<uint16_t>(0x40 + ch), static_cast<uint8_t>(count));
    out(static_cast<uint16_t>(0x40 + ch), static_cast<uint8_t>(count >> 8));
  }
  // Runs the scheduler the way the run loop does when the CPU is idle, until `ns`.
  void run_until(uint64_t ns) {
    while (clock.next_deadline() <= ns) {
      clock.idle_skip_to(clock.next_deadline());
      clock.run_expired();
    }
    clock.set_now(ns);
  }
};

}  // namespace

TEST_CASE("PIT tick conversions are exact at 1.193182 MHz") {
  CHECK(I8254Pit::ticks_at(1'000'000'000) == 1193182);
  CHECK(I8254Pit::ns_of_tick(1193182) == 1'000'000'000);
  // One tick is 838.095 ns: tick 1 happens at 839 ns.
  CHECK(I8254Pit::ticks_at(838) == 0);
  CHECK(I8254Pit::ticks_at(839) == 1);
  CHECK(I8254Pit::ns_of_tick(1) == 839);
  for (uint64_t t : {uint64_t{12345}, uint64_t{999'999'937}, uint64_t{1} << 40}) {
    CHECK(I8254Pit::ticks_at(I8254Pit::ns_of_tick(t)) == t);
    CHECK(I8254Pit::ticks_at(I8254Pit::ns_of_tick(t) - 1) == t - 1);
  }
}

TEST_CASE_METHOD(PitFixture, "PIT mode 0 counts down and raises IRQ0 once at terminal count") {
  program(0, 0, 100);
  CHECK(clock.next_deadline() == I8254Pit::ns_of_tick(1100));
  at_tick(1030);
  CHECK(read_latched(0) == 70);
  CHECK_FALSE(pit.out(0));
  at_tick(1099);
  CHECK_FALSE(pit.out(0));
  CHECK(clock.run_expired() == 0);
  run_until(I8254Pit::ns_of_tick(5000));
  REQUIRE(sink.rise_times.size() == 1);
  CHECK(sink.rise_times[0] == I8254Pit::ns_of_tick(1100));
  CHECK(pit.out(0));
  // The counter keeps wrapping after terminal count: 5000-1100 ticks past zero.
  CHECK(read_latched(0) == static_cast<uint16_t>(0x10000 - 3900));
}

TEST_CASE_METHOD(PitFixture, "PIT mode 2 gives a periodic IRQ0 at the programmed rate") {
  const uint16_t latch = 11932;  // Linux: (1193182 + HZ/2) / HZ with HZ=100
  out(0x43, 0x34);
  out(0x40, latch & 0xff);
  out(0x40, latch >> 8);
  run_until(clock.now() + 1'000'000'000);
  // Edges every 11932 ticks: 1193182 / 11932 = 99.998 -> 99 edges in one second.
  REQUIRE(sink.rise_times.size() == 99);
  for (size_t i = 0; i < sink.rise_times.size(); i++)
    CHECK(sink.rise_times[i] == I8254Pit::ns_of_tick(1000 + (i + 1) * latch));
  // The rate generator's OUT is low for exactly the tick where the count is 1.
  at_tick(1000 + 100 * latch + latch - 1);
  CHECK_FALSE(pit.out(0));
  CHECK(read_latched(0) == 1);
  at_tick(1000 + 101 * latch);
  CHECK(pit.out(0));
  CHECK(read_latched(0) == latch);
}

TEST_CASE_METHOD(PitFixture, "PIT mode 3 square wave on channel 2 seen through port 0x61") {
  out(0x61, 0x01);  // gate 2 high, speaker off
  program(2, 3, 1000);
  const uint64_t t0 = 1000;
  at_tick(t0 + 10);
  CHECK((in(0x61) & 0x20) != 0);  // first half period high
  CHECK(read_latched(2) == 1000 - 20);  // decrements by two
  at_tick(t0 + 499);
  CHECK((in(0x61) & 0x20) != 0);
  at_tick(t0 + 500);
  CHECK((in(0x61) & 0x20) == 0);  // second half low
  at_tick(t0 + 999);
  CHECK((in(0x61) & 0x20) == 0);
  at_tick(t0 + 1000);
  CHECK((in(0x61) & 0x20) != 0);
  // Gate low forces OUT high and stops the count; gate high reloads it.
  at_tick(t0 + 1600);
  out(0x61, 0x00);
  CHECK((in(0x61) & 0x20) != 0);
  at_tick(t0 + 5000);
  out(0x61, 0x01);
  at_tick(t0 + 5000 + 600);
  CHECK((in(0x61) & 0x20) == 0);
  CHECK(read_latched(2) == 1000 - 2 * 100);
}

TEST_CASE_METHOD(PitFixture, "PIT read-back latches status and count") {
  out(0x43, 0x34);  // ch0 lo/hi mode 2
  // No count yet: null count set, mode and access reported.
  out(0x43, 0xe2);  // read-back status only, ch0
  CHECK(in(0x40) == (0x80 | 0x40 | 0x34));
  out(0x40, 0x34);
  out(0x40, 0x12);
  at_tick(1010);
  out(0x43, 0xc2);  // status and count of ch0
  at_tick(1500);    // the latch holds whatever time does next
  CHECK(in(0x40) == (0x80 | 0x34));
  CHECK(in(0x40) == ((0x1234 - 10) & 0xff));
  CHECK(in(0x40) == ((0x1234 - 10) >> 8));
  // Latch released: reads are live again.
  CHECK(in(0x40) == ((0x1234 - 500) & 0xff));
  CHECK(in(0x40) == ((0x1234 - 500) >> 8));
  // A second counter latch before the first is read is ignored.
  out(0x43, 0x00);
  at_tick(1600);
  out(0x43, 0x00);
  CHECK(in(0x40) == ((0x1234 - 500) & 0xff));
  CHECK(in(0x40) == ((0x1234 - 500) >> 8));
}

TEST_CASE_METHOD(PitFixture, "PIT LSB-only and MSB-only access and BCD counting") {
  out(0x43, 0x10 | (0 << 1));  // ch0 LSB only, mode 0
  out(0x40, 0x80);
  at_tick(1001);
  CHECK(in(0x40) == 0x7f);
  out(0x43, 0x20 | (2 << 1));  // MSB only, mode 2
  out(0x40, 0x02);             // count 0x200
  at_tick(1001 + 0x100);
  CHECK(in(0x40) == 0x01);
  out(0x43, 0x31);  // lo/hi, mode 0, BCD
  out(0x40, 0x00);
  out(0x40, 0x01);  // 100 decimal
  at_tick(1001 + 0x100 + 1);
  CHECK(read_latched(0) == 0x0099);
  at_tick(1001 + 0x100 + 100);
  CHECK(pit.out(0));
  at_tick(1001 + 0x100 + 101);
  CHECK(read_latched(0) == 0x9999);  // wraps in decimal
}

TEST_CASE_METHOD(PitFixture, "PIT mode 0 gate low pauses, mode 1 one-shot triggered by the gate") {
  out(0x61, 0x00);
  program(2, 0, 50);
  at_tick(1200);
  CHECK(read_latched(2) == 50);  // gate low: not counting
  out(0x61, 0x01);
  at_tick(1220);
  CHECK(read_latched(2) == 30);
  out(0x61, 0x00);
  at_tick(1300);
  CHECK(read_latched(2) == 30);
  out(0x61, 0x01);
  at_tick(1330);
  CHECK((in(0x61) & 0x20) != 0);  // 20 + 30 ticks counted

  program(2, 1, 40);
  out(0x61, 0x00);
  at_tick(1400);
  CHECK((in(0x61) & 0x20) != 0);  // OUT high until triggered
  out(0x61, 0x01);                // trigger
  at_tick(1401);
  CHECK((in(0x61) & 0x20) == 0);
  at_tick(1439);
  CHECK((in(0x61) & 0x20) == 0);
  // Retrigger before the end restarts the one-shot.
  out(0x61, 0x00);
  out(0x61, 0x01);
  at_tick(1470);
  CHECK((in(0x61) & 0x20) == 0);
  at_tick(1479);
  CHECK((in(0x61) & 0x20) != 0);
}

TEST_CASE_METHOD(PitFixture, "PIT mode 4 strobe: OUT low for one tick, IRQ0 on the rising edge") {
  program(0, 4, 20);
  at_tick(1019);
  CHECK(pit.out(0));
  at_tick(1020);
  CHECK_FALSE(pit.out(0));
  CHECK(sink.rise_times.empty());
  run_until(I8254Pit::ns_of_tick(3000));
  REQUIRE(sink.rise_times.size() == 1);
  CHECK(sink.rise_times[0] == I8254Pit::ns_of_tick(1021));
}

TEST_CASE_METHOD(PitFixture, "PIT mode 5 strobe waits for the gate") {
  out(0x61, 0x00);
  program(2, 5, 10);
  at_tick(1100);
  CHECK((in(0x61) & 0x20) != 0);
  out(0x61, 0x01);
  at_tick(1110);
  CHECK((in(0x61) & 0x20) == 0);
  at_tick(1111);
  CHECK((in(0x61) & 0x20) != 0);
}

TEST_CASE_METHOD(PitFixture, "reprogramming channel 0 moves or stops the IRQ0 timer") {
  program(0, 2, 1000);
  CHECK(clock.next_deadline() == I8254Pit::ns_of_tick(2000));
  at_tick(1500);
  program(0, 2, 100);
  CHECK(clock.next_deadline() == I8254Pit::ns_of_tick(1600));
  out(0x43, 0x30);  // control word only: counting stops
  CHECK(clock.next_deadline() == emu::Clock::kNever);
}

TEST_CASE_METHOD(PitFixture, "Linux pit_calibrate_tsc: mode 0 on channel 2, polling port 0x61 bit 5") {
  // arch/x86/kernel/tsc.c: gate high, speaker off, ch2 mode 0 with a 10 ms latch, then
  // spin until OUT2 rises. Each loop iteration here costs 1 us of guest time.
  const uint16_t cal_latch = 1193182 / (1000 / 10);
  out(0x61, static_cast<uint8_t>((in(0x61) & ~0x02) | 0x01));
  out(0x43, 0xb0);
  out(0x42, cal_latch & 0xff);
  out(0x42, cal_latch >> 8);
  uint64_t start = clock.now();
  unsigned loops = 0;
  while ((in(0x61) & 0x20) == 0 && loops < 1'000'000) {
    clock.advance(1000);
    loops++;
  }
  uint64_t took = clock.now() - start;
  // 11931 ticks = 9.99936 ms.
  CHECK(took >= 9'999'000);
  CHECK(took <= 10'001'000);
  CHECK((in(0x61) & 0x03) == 0x01);
}

TEST_CASE_METHOD(PitFixture, "Linux quick_pit_calibrate: MSB of channel 2 steps down every 256 ticks") {
  // Gate high, ch2 mode 0 with 0xffff, then repeatedly read LSB (ignored) and MSB.
  out(0x61, static_cast<uint8_t>((in(0x61) & ~0x02) | 0x01));
  out(0x43, 0xb0);
  out(0x42, 0xff);
  out(0x42, 0xff);
  uint64_t first_fe = 0, first_fd = 0;
  unsigned expect = 0xff;
  for (unsigned i = 0; i < 20000 && expect > 0xf0; i++) {
    in(0x42);                 // LSB
    uint8_t msb = in(0x42);   // MSB
    if (msb != expect) {
      REQUIRE(msb == expect - 1);  // never skips or goes back
      expect = msb;
      if (msb == 0xfe) first_fe = clock.now();
      if (msb == 0xfd) first_fd = clock.now();
    }
    clock.advance(2000);  // two port reads ~ 2 us
  }
  REQUIRE(first_fd > first_fe);
  // 256 ticks = 214.6 us, observed with 2 us granularity.
  CHECK(first_fd - first_fe >= 212'000);
  CHECK(first_fd - first_fe <= 217'000);
}

TEST_CASE_METHOD(PitFixture, "port 0x61 refresh bit toggles about every 15 us and bits 0-3 read back") {
  out(0x61, 0x0f);
  CHECK((in(0x61) & 0x0f) == 0x0f);
  CHECK(port61.speaker_enabled());
  at_tick(18 * 100);
  uint8_t a = in(0x61) & 0x10;
  at_tick(18 * 101);
  uint8_t b = in(0x61) & 0x10;
  at_tick(18 * 102);
  uint8_t c = in(0x61) & 0x10;
  CHECK(a != b);
  CHECK(a == c);
}

TEST_CASE_METHOD(PitFixture, "PIT IRQ0 output can be disconnected (HPET legacy mode)") {
  program(0, 2, 100);
  pit.set_irq0_enabled(false);
  CHECK(clock.next_deadline() == emu::Clock::kNever);
  run_until(I8254Pit::ns_of_tick(1000 + 1000));
  CHECK(sink.rise_times.empty());
  pit.set_irq0_enabled(true);
  run_until(I8254Pit::ns_of_tick(1000 + 1250));
  REQUIRE(sink.rise_times.size() == 2);
  CHECK(sink.rise_times[0] == I8254Pit::ns_of_tick(1000 + 1100));
}
