// Unit tests for the HPET: capabilities, counter, one-shot/periodic comparators,
// legacy replacement routing and level-triggered status.
#include <catch2/catch.hpp>

#include <vector>

#include "devices/hpet.h"

using namespace emu;

namespace {

struct RecordingSink : IrqSink {
  std::vector<std::pair<unsigned, bool>> events;
  void set_irq_level(unsigned line, bool level) override { events.push_back({line, level}); }
  int rising(unsigned line) const {
    int n = 0;
    for (auto& [l, v] : events) n += (l == line && v);
    return n;
  }
};

struct Fixture {
  Clock clock{ClockMode::Deterministic};
  RecordingSink gsi, legacy;
  IrqLine irq0, irq8;
  Hpet hpet{clock, &gsi, &irq0, &irq8};
  Fixture() {
    irq0.connect(&legacy, 0);
    irq8.connect(&legacy, 8);
  }
  uint64_t rd(uint64_t off) { return hpet.io_read(off, 8); }
  void wr(uint64_t off, uint64_t v) { hpet.io_write(off, 8, v); }
  void run_to(uint64_t ns) {
    clock.set_now(ns);
    clock.run_expired();
  }
};

}  // namespace

TEST_CASE("hpet: capabilities and counter") {
  Fixture f;
  const uint64_t cap = f.rd(0);
  CHECK((cap >> 32) == 10000000);  // 10 ns in femtoseconds
  CHECK(((cap >> 8) & 0x1f) == 2);  // three comparators
  CHECK((cap & (1u << 15)) != 0);
  CHECK(static_cast<uint32_t>(f.hpet.io_read(4, 4)) == 10000000);  // 32-bit access to the high half
  f.run_to(1000);
  CHECK(f.rd(0xf0) == 0);  // halted
  f.wr(0x10, 1);
  f.run_to(2000);
  CHECK(f.rd(0xf0) == 100);
  f.wr(0x10, 0);
  f.run_to(5000);
  CHECK(f.rd(0xf0) == 100);  // frozen
  f.wr(0xf0, 12345);
  CHECK(f.rd(0xf0) == 12345);
}

TEST_CASE("hpet: one-shot comparator routed to an I/O APIC input") {
  Fixture f;
  f.wr(0x100, (20u << 9) | (1u << 2));  // route to GSI 20, interrupts enabled, edge
  f.wr(0x108, 500);
  f.wr(0x10, 1);
  f.run_to(4990);
  CHECK(f.gsi.rising(20) == 0);
  f.run_to(5000);
  CHECK(f.gsi.rising(20) == 1);
  f.run_to(100000);
  CHECK(f.gsi.rising(20) == 1);
}

TEST_CASE("hpet: periodic timer 0 in legacy replacement mode drives IRQ0") {
  Fixture f;
  bool legacy_mode = false;
  f.hpet.on_legacy_mode_change = [&](bool on) { legacy_mode = on; };
  f.wr(0x100, (1u << 2) | (1u << 3) | (1u << 6));  // enabled, periodic, VAL_SET
  f.wr(0x108, 1000);                               // first match at count 1000
  f.wr(0x108, 1000);                               // period 1000 ticks = 10 us
  f.wr(0x10, 3);                                   // enable + legacy replacement
  CHECK(legacy_mode);
  f.run_to(10000);
  f.run_to(20000);
  f.run_to(30000);
  CHECK(f.legacy.rising(0) == 3);
  CHECK(f.gsi.events.empty());
  CHECK(f.rd(0x108) == 4000);
}

TEST_CASE("hpet: level-triggered interrupts hold the line until the status bit is cleared") {
  Fixture f;
  f.wr(0x120, (21u << 9) | (1u << 2) | (1u << 1));  // timer 1: GSI 21, enabled, level
  f.wr(0x128, 10);
  f.wr(0x10, 1);
  f.run_to(100);
  CHECK(f.rd(0x20) == 2);
  CHECK(f.gsi.events.back() == std::make_pair(21u, true));
  f.wr(0x20, 2);
  CHECK(f.rd(0x20) == 0);
  CHECK(f.gsi.events.back() == std::make_pair(21u, false));
}

TEST_CASE("hpet: 32-bit comparators wrap") {
  Fixture f;
  f.wr(0xf0, 0xfffffff0ull);
  f.wr(0x100, (20u << 9) | (1u << 2) | (1u << 8));  // 32-bit mode
  f.wr(0x108, 0x10);                                // matches after the low 32 bits wrap
  f.wr(0x10, 1);
  f.run_to(0x1f * 10);
  CHECK(f.gsi.rising(20) == 0);
  f.run_to(0x20 * 10);
  CHECK(f.gsi.rising(20) == 1);
}

TEST_CASE("hpet: a late periodic callback skips the missed periods (32-bit and 64-bit)") {
  for (const bool narrow : {true, false}) {
    Fixture f;
    const uint64_t mode = narrow ? (1u << 8) : 0;
    f.wr(0x100, (1u << 2) | (1u << 3) | (1u << 6) | mode);  // enabled, periodic, VAL_SET
    f.wr(0x108, 1000);
    f.wr(0x108, 1000);  // period 10 us
    f.wr(0x10, 3);
    f.run_to(10000);
    CHECK(f.legacy.rising(0) == 1);
    f.run_to(55000);  // the host was away for 4.5 periods: one late tick
    CHECK(f.legacy.rising(0) == 2);
    CHECK(f.rd(0x108) == 6000);  // next match ahead of the counter (5500)
    f.run_to(60000);
    CHECK(f.legacy.rising(0) == 3);
    f.run_to(70000);
    CHECK(f.legacy.rising(0) == 4);
  }
}

TEST_CASE("hpet: a 64-bit comparator at its reset value never fires (no deadline overflow)") {
  Fixture f;
  f.wr(0x10, 1);  // enable with all comparators at 0xffff'ffff'ffff'ffff
  f.clock.set_now(1'000'000);
  CHECK(f.clock.run_expired() == 0);
  CHECK(f.clock.next_deadline() == Clock::kNever);
}
