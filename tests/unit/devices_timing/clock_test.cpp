// Unit tests for the virtual clock and the deadline scheduler.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "devices/clock.h"

using emu::Clock;
using emu::ClockMode;
using emu::Timer;

TEST_CASE("deterministic clock moves only when told and never backwards") {
  Clock c(ClockMode::Deterministic);
  CHECK(c.now() == 0);
  c.set_now(1000);
  CHECK(c.now() == 1000);
  c.set_now(500);
  CHECK(c.now() == 1000);
  c.advance(24);
  CHECK(c.now() == 1024);
}

TEST_CASE("timers fire in deadline order, ties in arming order") {
  Clock c(ClockMode::Deterministic);
  std::string order;
  Timer a(c, [&] { order += 'a'; });
  Timer b(c, [&] { order += 'b'; });
  Timer d(c, [&] { order += 'd'; });
  Timer e(c, [&] { order += 'e'; });
  a.arm(300);
  b.arm(100);
  d.arm(200);
  e.arm(200);
  CHECK(c.next_deadline() == 100);
  c.set_now(99);
  CHECK(c.run_expired() == 0);
  c.set_now(250);
  CHECK(c.run_expired() == 3);
  CHECK(order == "bde");
  CHECK(c.next_deadline() == 300);
  CHECK(a.armed());
  CHECK_FALSE(b.armed());
  c.set_now(1000);
  c.run_expired();
  CHECK(order == "bdea");
  CHECK(c.next_deadline() == Clock::kNever);
}

TEST_CASE("cancel and re-arm move a timer") {
  Clock c(ClockMode::Deterministic);
  int fired = 0;
  Timer t(c, [&] { fired++; });
  t.arm(100);
  t.arm(50);
  CHECK(c.next_deadline() == 50);
  t.cancel();
  CHECK(c.next_deadline() == Clock::kNever);
  c.set_now(200);
  CHECK(c.run_expired() == 0);
  CHECK(fired == 0);
  {
    Timer gone(c, [&] { fired += 100; });
    gone.arm(10);
  }
  CHECK(c.run_expired() == 0);
}

TEST_CASE("a callback may re-arm itself and arm others") {
  Clock c(ClockMode::Deterministic);
  std::vector<uint64_t> log;
  Timer other(c, [&] { log.push_back(1000000 + c.now()); });
  Timer* self = nullptr;
  Timer periodic(c, [&] {
    log.push_back(self->deadline());
    if (self->deadline() < 300) self->arm(self->deadline() + 100);
    if (self->deadline() == 200) other.arm(150);  // earlier than the next periodic tick
  });
  self = &periodic;
  periodic.arm(100);
  c.set_now(1000);
  CHECK(c.run_expired() == 4);
  // 100, then re-armed at 200 with `other` at 150 (already due: fires before 200), then 300.
  REQUIRE(log.size() == 4);
  CHECK(log[0] == 100);
  CHECK(log[1] == 1000000 + 1000);
  CHECK(log[2] == 200);
  CHECK(log[3] == 300);
}

TEST_CASE("a timer re-armed in the past every time cannot hang run_expired") {
  Clock c(ClockMode::Deterministic);
  Timer* self = nullptr;
  Timer t(c, [&] { self->arm(0); });
  self = &t;
  t.arm(0);
  CHECK(c.run_expired() > 1000);
  CHECK(t.armed());
}

namespace {
struct FakeHost {
  uint64_t t = 5'000'000;
  Clock::HostTimeSource source() {
    return [this] { return t; };
  }
};
}  // namespace

TEST_CASE("real-time clock follows the host, idle skip jumps ahead then keeps host speed") {
  FakeHost host;
  Clock c(ClockMode::RealTime, host.source());
  CHECK(c.now() == 0);
  host.t += 1000;
  CHECK(c.now() == 1000);
  c.idle_skip_to(50'000);
  CHECK(c.now() == 50'000);
  host.t += 10;
  CHECK(c.now() == 50'010);
  // Skipping to a time already passed changes nothing.
  c.idle_skip_to(40'000);
  CHECK(c.now() == 50'010);
  // set_now/advance are ignored in real-time mode.
  c.set_now(1'000'000);
  c.advance(1'000'000);
  CHECK(c.now() == 50'010);
}

TEST_CASE("real-time clock never goes backwards even if the host source does") {
  FakeHost host;
  Clock c(ClockMode::RealTime, host.source());
  host.t += 700;
  CHECK(c.now() == 700);
  host.t -= 500;
  CHECK(c.now() == 700);
  host.t += 600;  // host 800 ahead of start
  CHECK(c.now() == 800);
}

TEST_CASE("pausing a real-time clock freezes guest time") {
  FakeHost host;
  Clock c(ClockMode::RealTime, host.source());
  host.t += 100;
  c.pause();
  host.t += 1'000'000;
  CHECK(c.now() == 100);
  c.resume();
  host.t += 5;
  CHECK(c.now() == 105);
}

TEST_CASE("idle skip to the next deadline fires that timer") {
  Clock c(ClockMode::Deterministic);
  int fired = 0;
  Timer t(c, [&] { fired++; });
  t.arm(123'456);
  c.idle_skip_to(c.next_deadline());
  CHECK(c.now() == 123'456);
  CHECK(c.run_expired() == 1);
  CHECK(fired == 1);
  c.idle_skip_to(c.next_deadline());  // kNever: no jump
  CHECK(c.now() == 123'456);
}
