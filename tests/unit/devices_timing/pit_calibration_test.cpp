// Linux's TSC calibration against PIT channel 2 (arch/x86/kernel/tsc.c:
// quick_pit_calibrate and pit_calibrate_tsc), replayed on a real-time clock whose host
// time is scripted: the guest loop runs at a steady host speed, and now and then the
// host stalls emu for milliseconds (preemption on a busy host). With the clock tied to
// the vCPU's progress (Clock::limit_to_progress, as the board sets it up) both
// calibrations succeed and measure the TSC rate; without it the stalls look like SMIs
// and Linux gives up ("Fast TSC calibration failed", "Unable to calibrate against PIT").
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>

#include "devices/clock.h"
#include "devices/i8254_pit.h"
#include "devices/port61.h"
#include "memory/io_space.h"

namespace {

constexpr uint64_t kTscHz = 2'000'000'000;  // the board's guest TSC rate
constexpr uint64_t kHostNsPerInsn = 20;     // steady interpreter speed in this script
constexpr uint64_t kStallNs = 3'000'000;    // one host stall
constexpr uint64_t kStallEvery = 97;        // ... every this many port reads

struct ScriptedMachine {
  uint64_t host_ns = 5'000'000;
  uint64_t retired = 0;
  uint64_t port_reads = 0;
  emu::Clock clock{emu::ClockMode::RealTime, [this] { return host_ns; }};
  emu::IrqLine irq0;
  emu::I8254Pit pit{clock, irq0};
  emu::Port61 port61{clock, pit};
  emu::IoSpace io;

  explicit ScriptedMachine(bool limit) {
    io.map(0x40, 4, &pit, "pit");
    io.map(0x61, 1, &port61, "port61");
    if (limit) clock.limit_to_progress([this] { return retired; }, 100, 20);
  }
  void insns(unsigned n) {
    host_ns += n * kHostNsPerInsn;
    retired += n;
  }
  uint8_t inb(uint16_t port) {
    insns(1);
    if (++port_reads % kStallEvery == 0) host_ns += kStallNs;
    const auto v = static_cast<uint8_t>(io.read(port, 1));
    return v;
  }
  void outb(uint8_t v, uint16_t port) {
    insns(1);
    io.write(port, 1, v);
  }
  uint64_t rdtsc() {
    insns(3);
    return static_cast<uint64_t>(static_cast<unsigned __int128>(clock.now()) * kTscHz / 1'000'000'000u);
  }

  // quick_pit_calibrate's helpers.
  bool pit_verify_msb(uint8_t val) {
    inb(0x42);
    return inb(0x42) == val;
  }
  bool pit_expect_msb(uint8_t val, uint64_t* tscp, uint64_t* deltap) {
    int count;
    uint64_t tsc = 0, prev_tsc = 0;
    for (count = 0; count < 50000; count++) {
      if (!pit_verify_msb(val)) break;
      prev_tsc = tsc;
      tsc = rdtsc();
      insns(3);
    }
    *deltap = rdtsc() - prev_tsc;
    *tscp = tsc;
    return count > 5;
  }
  // Returns the TSC rate in kHz, or 0 when Linux would give up.
  uint64_t quick_pit_calibrate() {
    constexpr unsigned kMaxIterations = 50 * 1193182 / 1000 / 256;
    outb(static_cast<uint8_t>((inb(0x61) & ~0x02) | 0x01), 0x61);
    outb(0xb0, 0x43);
    outb(0xff, 0x42);
    outb(0xff, 0x42);
    pit_verify_msb(0);
    uint64_t tsc, d1, delta, d2;
    if (!pit_expect_msb(0xff, &tsc, &d1)) return 0;
    for (unsigned i = 1; i <= kMaxIterations; i++) {
      if (!pit_expect_msb(static_cast<uint8_t>(0xff - i), &delta, &d2)) return 0;
      delta -= tsc;
      if (i == 1 && d1 + d2 >= (delta * kMaxIterations) >> 11) return 0;
      if (d1 + d2 >= delta >> 11) continue;
      if (!pit_verify_msb(static_cast<uint8_t>(0xfe - i))) return 0;
      return delta * 1193182 / (i * 256 * 1000);
    }
    return 0;
  }
  // pit_calibrate_tsc(latch, ms, loopmin): kHz, or 0 for Linux's ULONG_MAX (failure).
  uint64_t pit_calibrate_tsc(uint32_t latch, uint64_t ms, unsigned loopmin) {
    outb(static_cast<uint8_t>((inb(0x61) & ~0x02) | 0x01), 0x61);
    outb(0xb0, 0x43);
    outb(static_cast<uint8_t>(latch), 0x42);
    outb(static_cast<uint8_t>(latch >> 8), 0x42);
    uint64_t tsc = rdtsc(), t1 = tsc, t2 = tsc;
    uint64_t tscmin = UINT64_MAX, tscmax = 0;
    unsigned pitcnt = 0;
    while ((inb(0x61) & 0x20) == 0) {
      t2 = rdtsc();
      const uint64_t delta = t2 - tsc;
      tsc = t2;
      tscmin = std::min(tscmin, delta);
      tscmax = std::max(tscmax, delta);
      pitcnt++;
      insns(8);
    }
    if (pitcnt < loopmin || tscmax > 10 * tscmin) return 0;
    return (t2 - t1) / ms;
  }
};

}  // namespace

TEST_CASE("Linux quick_pit_calibrate measures the TSC through host stalls when time follows progress") {
  ScriptedMachine m(true);
  const uint64_t khz = m.quick_pit_calibrate();
  CHECK(khz >= 1'999'000);  // 500 ppm, Linux's own bound
  CHECK(khz <= 2'001'000);
  CHECK(m.clock.dropped_ns() > 0);  // the script's stalls happened and were dropped

  ScriptedMachine unlimited(false);
  CHECK(unlimited.quick_pit_calibrate() == 0);  // a stall looks like an SMI: Linux gives up
}

TEST_CASE("Linux pit_calibrate_tsc (10 ms and 50 ms loops) passes its SMI checks when time follows progress") {
  ScriptedMachine m(true);
  const uint64_t khz10 = m.pit_calibrate_tsc(1193182 / 100, 10, 1000);
  const uint64_t khz50 = m.pit_calibrate_tsc(1193182 / 20, 50, 5000);
  CHECK(khz10 >= 1'990'000);
  CHECK(khz10 <= 2'010'000);
  CHECK(khz50 >= 1'998'000);
  CHECK(khz50 <= 2'002'000);

  ScriptedMachine unlimited(false);
  CHECK(unlimited.pit_calibrate_tsc(1193182 / 100, 10, 1000) == 0);
}

TEST_CASE("an idle vCPU lets guest time follow the host; the limit resumes with progress") {
  uint64_t host = 1'000'000, retired = 0;
  emu::Clock clock(emu::ClockMode::RealTime, [&] { return host; });
  clock.limit_to_progress([&] { return retired; }, 100, 20);
  const uint64_t t0 = clock.now();
  host += 1'000'000;  // a stall with no progress: dropped
  CHECK(clock.now() == t0);
  retired += 10;
  host += 900;  // 10 instructions in 0.9 us: faster than the stall threshold, all of it counts
  CHECK(clock.now() == t0 + 900);
  retired += 10;
  host += 5'000;  // 10 instructions in 5 us: a stall, counted as 10 x 20 ns
  CHECK(clock.now() == t0 + 1'100);
  clock.set_idle(true);  // halted: sleeping until a deadline is guest time
  host += 2'000'000;
  CHECK(clock.now() == t0 + 2'001'100);
  clock.set_idle(false);
  host += 3'000'000;
  CHECK(clock.now() == t0 + 2'001'100);
  CHECK(clock.dropped_ns() == 1'000'000 + 4'800 + 3'000'000);
}
