// Unit tests for the MC146818 RTC/CMOS on a deterministic clock. Expected dates come
// from the calendar (2024-02-29 23:59:58 UTC = Unix 1709251198, a Thursday), expected
// timings from the MC146818A data sheet.
#include <catch2/catch.hpp>

#include <ctime>
#include <memory>
#include <vector>

#include "devices/clock.h"
#include "devices/mc146818_rtc.h"
#include "memory/io_space.h"

namespace {

constexpr int64_t kLeapEve = 1709251198;  // 2024-02-29 23:59:58 UTC, Thursday
constexpr uint64_t kStartNs = 5'000'000'000;
constexpr uint64_t kSec = 1'000'000'000;

struct RiseCounter : emu::IrqSink {
  bool level = false;
  unsigned rises = 0;
  void set_irq_level(unsigned, bool v) override {
    if (v && !level) rises++;
    level = v;
  }
};

struct RtcFixture {
  emu::Clock clock{emu::ClockMode::Deterministic};
  emu::IrqLine irq8;
  RiseCounter sink;
  emu::IoSpace io;
  std::unique_ptr<emu::Mc146818Rtc> rtc;
  RtcFixture() {
    clock.set_now(kStartNs);
    irq8.connect(&sink, 8);
    rtc = std::make_unique<emu::Mc146818Rtc>(clock, irq8, kLeapEve);
    io.map(0x70, 2, rtc.get(), "rtc");
  }
  uint8_t reg(uint8_t index) {
    io.write(0x70, 1, index);
    return static_cast<uint8_t>(io.read(0x71, 1));
  }
  void set(uint8_t index, uint8_t v) {
    io.write(0x70, 1, index);
    io.write(0x71, 1, v);
  }
  void at(uint64_t ns) { clock.set_now(ns); }
  // Idle-skips through timers, reading register C whenever IRQ 8 is asserted (as an
  // interrupt handler does). Returns the number of interrupts handled.
  unsigned run_handling_irqs(uint64_t until, uint8_t expect_flags) {
    unsigned handled = 0;
    while (clock.next_deadline() <= until) {
      clock.idle_skip_to(clock.next_deadline());
      clock.run_expired();
      if (sink.level) {
        uint8_t c = reg(0x0c);
        CHECK((c & 0x80) != 0);
        CHECK((c & expect_flags) == expect_flags);
        handled++;
      }
    }
    clock.set_now(until);
    return handled;
  }
};

}  // namespace

TEST_CASE_METHOD(RtcFixture, "RTC shows the start time in BCD, 24-hour, and rolls into March") {
  CHECK(reg(0x0a) == 0x26);
  CHECK(reg(0x0b) == 0x02);
  CHECK(reg(0x0d) == 0x80);
  CHECK(reg(0x00) == 0x58);
  CHECK(reg(0x02) == 0x59);
  CHECK(reg(0x04) == 0x23);
  CHECK(reg(0x06) == 5);  // Thursday (Sunday = 1)
  CHECK(reg(0x07) == 0x29);
  CHECK(reg(0x08) == 0x02);
  CHECK(reg(0x09) == 0x24);
  CHECK(reg(0x32) == 0x20);
  at(kStartNs + 2 * kSec);
  CHECK(reg(0x00) == 0x00);
  CHECK(reg(0x02) == 0x00);
  CHECK(reg(0x04) == 0x00);
  CHECK(reg(0x06) == 6);
  CHECK(reg(0x07) == 0x01);
  CHECK(reg(0x08) == 0x03);
  CHECK(rtc->unix_time() == kLeapEve + 2);
}

TEST_CASE_METHOD(RtcFixture, "RTC binary and 12-hour formats") {
  set(0x0b, 0x06);  // binary, 24h
  CHECK(reg(0x00) == 58);
  CHECK(reg(0x04) == 23);
  CHECK(reg(0x09) == 24);
  CHECK(reg(0x32) == 20);
  set(0x0b, 0x00);  // BCD, 12h
  CHECK(reg(0x04) == (0x80 | 0x11));  // 11 PM
  at(kStartNs + 2 * kSec);
  CHECK(reg(0x04) == 0x12);  // 12 AM
  set(0x0b, 0x04);           // binary, 12h
  CHECK(reg(0x04) == 12);
}

TEST_CASE_METHOD(RtcFixture, "RTC UIP is set in the 244 us before each update") {
  CHECK((reg(0x0a) & 0x80) == 0);
  at(kStartNs + kSec - 250'000);
  CHECK((reg(0x0a) & 0x80) == 0);
  CHECK(reg(0x00) == 0x58);
  at(kStartNs + kSec - 240'000);
  CHECK((reg(0x0a) & 0x80) != 0);
  CHECK(reg(0x00) == 0x58);
  at(kStartNs + kSec);
  CHECK((reg(0x0a) & 0x80) == 0);
  CHECK(reg(0x00) == 0x59);
  // The Linux/BIOS way: wait for UIP to fall, then read.
  at(kStartNs + 3 * kSec - 100'000);
  unsigned spins = 0;
  while ((reg(0x0a) & 0x80) && spins < 1000) {
    clock.advance(10'000);
    spins++;
  }
  CHECK(spins >= 9);
  CHECK(spins <= 11);
  CHECK(reg(0x00) == 0x01);
}

TEST_CASE_METHOD(RtcFixture, "RTC SET bit freezes time for a register-by-register write") {
  // Linux mc146818_set_time: SET, write every field, clear SET.
  at(kStartNs + kSec / 4);
  set(0x0b, 0x82);
  // 2023-12-31 (a Sunday) 13:45:30; writes pass through Feb 31 on the way.
  set(0x00, 0x30);
  set(0x02, 0x45);
  set(0x04, 0x13);
  set(0x07, 0x31);
  set(0x08, 0x12);
  set(0x09, 0x23);
  CHECK(reg(0x07) == 0x31);
  CHECK(reg(0x08) == 0x12);
  at(kStartNs + 10 * kSec);
  CHECK(reg(0x00) == 0x30);  // frozen
  CHECK((reg(0x0a) & 0x80) == 0);
  set(0x0b, 0x02);
  CHECK(rtc->unix_time() == 1704030330);
  // The divider kept its phase: the next update is at the next whole second of it.
  at(kStartNs + 11 * kSec - 1);
  CHECK(reg(0x00) == 0x30);
  at(kStartNs + 11 * kSec);
  CHECK(reg(0x00) == 0x31);
  // SET clears UIE.
  set(0x0b, 0x12);
  set(0x0b, 0x92);
  CHECK(reg(0x0b) == 0x82);
}

TEST_CASE_METHOD(RtcFixture, "RTC divider reset: first update 500 ms after leaving reset") {
  at(kStartNs + kSec / 3);
  set(0x0a, 0x70);
  at(kStartNs + 5 * kSec);
  CHECK(reg(0x00) == 0x58);  // stopped
  set(0x0a, 0x26);
  at(kStartNs + 5 * kSec + kSec / 2 - 1);
  CHECK(reg(0x00) == 0x58);
  at(kStartNs + 5 * kSec + kSec / 2);
  CHECK(reg(0x00) == 0x59);
}

TEST_CASE_METHOD(RtcFixture, "RTC periodic interrupt at the programmed rate") {
  set(0x0b, 0x42);  // PIE
  CHECK(run_handling_irqs(kStartNs + kSec, 0x40) == 1024);  // rate 6: 1024 Hz
  set(0x0a, 0x2f);                                           // rate 15: 2 Hz
  CHECK(run_handling_irqs(kStartNs + 3 * kSec, 0x40) == 4);
  set(0x0a, 0x23);  // rate 3: 8192 Hz
  CHECK(run_handling_irqs(kStartNs + 3 * kSec + kSec / 8, 0x40) == 1024);
  set(0x0a, 0x20);  // rate 0: off
  CHECK(run_handling_irqs(kStartNs + 5 * kSec, 0) == 0);
  CHECK(clock.next_deadline() == emu::Clock::kNever);
}

TEST_CASE_METHOD(RtcFixture, "RTC register C: flags without enables, IRQF only with, read clears") {
  at(kStartNs + kSec + 1);
  uint8_t c = reg(0x0c);
  CHECK(c == (0x40 | 0x10));  // periodic and update flags, no IRQF
  CHECK(reg(0x0c) == 0);
  CHECK(sink.rises == 0);
  set(0x0b, 0x12);  // UIE
  CHECK(clock.next_deadline() == kStartNs + 2 * kSec);
  clock.idle_skip_to(clock.next_deadline());
  clock.run_expired();
  CHECK(sink.level);
  CHECK(sink.rises == 1);
  // No further timer until the flag is read: the line stays asserted.
  CHECK(clock.next_deadline() == emu::Clock::kNever);
  CHECK((reg(0x0c) & 0x90) == 0x90);
  CHECK_FALSE(sink.level);
  CHECK(run_handling_irqs(kStartNs + 12 * kSec, 0x10) == 10);
}

TEST_CASE_METHOD(RtcFixture, "RTC alarm interrupt, with don't-care fields") {
  // Alarm at 00:00:05 (BCD): five seconds after 23:59:60 rolls over... i.e. 7 s from start.
  set(0x01, 0x05);
  set(0x03, 0x00);
  set(0x05, 0x00);
  set(0x0b, 0x22);  // AIE
  unsigned n = run_handling_irqs(kStartNs + 6 * kSec + kSec / 2, 0x20);
  CHECK(n == 0);
  n = run_handling_irqs(kStartNs + 7 * kSec, 0x20);
  CHECK(n == 1);
  CHECK(reg(0x00) == 0x05);
  // Hours and minutes don't care: every minute at second 05.
  set(0x03, 0xc0);
  set(0x05, 0xff);
  CHECK(run_handling_irqs(kStartNs + 7 * kSec + 180 * kSec, 0x20) == 3);
}

TEST_CASE_METHOD(RtcFixture, "RTC index port: NMI disable bit and NVRAM bytes") {
  io.write(0x70, 1, 0x80 | 0x0f);
  CHECK(rtc->nmi_disabled());
  io.write(0x71, 1, 0x0a);
  CHECK(rtc->cmos(0x0f) == 0x0a);
  io.write(0x70, 1, 0x0f);
  CHECK_FALSE(rtc->nmi_disabled());
  CHECK(io.read(0x71, 1) == 0x0a);
  CHECK(io.read(0x70, 1) == 0xff);
  for (unsigned i = 0x0e; i < 0x80; i++)
    if (i != 0x32) set(static_cast<uint8_t>(i), static_cast<uint8_t>(i ^ 0x5a));
  bool all_ok = true;
  for (unsigned i = 0x0e; i < 0x80; i++)
    if (i != 0x32 && reg(static_cast<uint8_t>(i)) != static_cast<uint8_t>(i ^ 0x5a)) all_ok = false;
  CHECK(all_ok);
  // Register C and D are read-only.
  set(0x0d, 0x00);
  CHECK(reg(0x0d) == 0x80);
}

TEST_CASE_METHOD(RtcFixture, "RTC CMOS memory layout for the firmware") {
  emu::PcCmosConfig cfg;
  cfg.ram_below_4g = 3ull << 30;
  cfg.ram_above_4g = 1ull << 30;
  cfg.cpus = 4;
  cfg.floppy_a = 4;
  rtc->configure_pc(cfg);
  CHECK((rtc->cmos(0x15) | rtc->cmos(0x16) << 8) == 640);
  CHECK((rtc->cmos(0x17) | rtc->cmos(0x18) << 8) == 0xffff);  // capped
  CHECK((rtc->cmos(0x30) | rtc->cmos(0x31) << 8) == 0xffff);
  // (3 GiB - 16 MiB) / 64 KiB = 48896
  CHECK((rtc->cmos(0x34) | rtc->cmos(0x35) << 8) == 48896);
  // 1 GiB / 64 KiB = 16384
  CHECK((rtc->cmos(0x5b) | rtc->cmos(0x5c) << 8 | rtc->cmos(0x5d) << 16) == 16384);
  CHECK(rtc->cmos(0x5f) == 3);
  CHECK(rtc->cmos(0x10) == 0x40);
  CHECK(rtc->cmos(0x14) == (0x01 | 0x02 | 0x04));
  unsigned sum = 0;
  for (unsigned i = 0x10; i <= 0x2d; i++) sum += rtc->cmos(static_cast<uint8_t>(i));
  CHECK(static_cast<unsigned>(rtc->cmos(0x2e) << 8 | rtc->cmos(0x2f)) == sum);

  cfg = emu::PcCmosConfig{};
  cfg.ram_below_4g = 64ull << 20;
  rtc->configure_pc(cfg);
  CHECK((rtc->cmos(0x17) | rtc->cmos(0x18) << 8) == 63 * 1024);
  CHECK((rtc->cmos(0x34) | rtc->cmos(0x35) << 8) == 768);
  CHECK(rtc->cmos(0x5b) == 0);
  CHECK(rtc->cmos(0x14) == (0x02 | 0x04));
}

TEST_CASE_METHOD(RtcFixture, "RTC reset clears interrupt enables and flags, keeps time") {
  set(0x0b, 0x72);
  at(kStartNs + 2 * kSec);
  clock.run_expired();
  CHECK(sink.level);
  rtc->reset();
  CHECK_FALSE(sink.level);
  CHECK(reg(0x0b) == 0x02);
  CHECK(reg(0x0c) == 0);
  CHECK(reg(0x07) == 0x01);
}

TEST_CASE("RTC starts from the host's UTC time by default") {
  emu::Clock clock(emu::ClockMode::Deterministic);
  emu::IrqLine irq;
  int64_t before = static_cast<int64_t>(std::time(nullptr));
  emu::Mc146818Rtc rtc(clock, irq);
  int64_t after = static_cast<int64_t>(std::time(nullptr));
  CHECK(rtc.unix_time() >= before);
  CHECK(rtc.unix_time() <= after);
}

TEST_CASE_METHOD(RtcFixture, "RTC IRQ output can be disconnected while register C keeps working") {
  set(0x0b, 0x12);  // UIE
  rtc->set_irq_enabled(false);
  at(kStartNs + kSec);
  clock.run_expired();
  CHECK_FALSE(sink.level);
  rtc->set_irq_enabled(true);
  CHECK(sink.level);
  CHECK(reg(0x0c) == 0x90 + 0x40);  // IRQF, UF (and PF, not enabled)
  CHECK_FALSE(sink.level);
}
