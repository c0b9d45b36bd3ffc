// The virtual clock (guest time in nanoseconds) and its deadline scheduler. Devices
// read the time on demand and arm one Timer for their next event; the run loop asks for
// next_deadline(), runs the CPU until then and calls run_expired(). When every vCPU is
// halted it may call idle_skip_to(next_deadline()) to jump guest time forward.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

namespace emu {

class Timer;

enum class ClockMode {
  RealTime,       // guest time follows the host's monotonic clock (plus skipped-ahead time)
  Deterministic,  // guest time only moves when set_now()/advance()/idle_skip_to() move it
};

class Clock {
 public:
  static constexpr uint64_t kNever = UINT64_MAX;
  // Host monotonic time in ns; the default reads std::chrono::steady_clock. Tests may
  // pass their own source to drive real-time mode.
  using HostTimeSource = std::function<uint64_t()>;

  explicit Clock(ClockMode mode = ClockMode::RealTime, HostTimeSource host = {});
  ~Clock();
  Clock(const Clock&) = delete;
  Clock& operator=(const Clock&) = delete;

  ClockMode mode() const { return mode_; }

  // Current guest time. Never decreases between calls. Starts at 0.
  uint64_t now();

  // Deterministic mode: moves guest time to `ns` (ignored if it would go backwards).
  void set_now(uint64_t ns);
  void advance(uint64_t delta_ns);

  // Jumps guest time forward to `ns` if it lies in the future (any mode). In real-time
  // mode guest time then keeps advancing at host speed from the new value.
  void idle_skip_to(uint64_t ns);

  // Real-time mode: stops guest time (VM paused) and lets it continue from the same
  // value. No effect in deterministic mode.
  void pause();
  void resume();

  // Real-time mode: ties guest time to the work the vCPU does. `progress` returns a
  // count that grows with that work (retired instructions). When guest time between two
  // reads of the clock would advance by more than `stall_ns_per_step` per step of
  // progress, the interval is a host stall (emu preempted on a busy host, a slow host
  // call) and counts only `nominal_ns_per_step` per step: the rest is dropped like a
  // pause. Otherwise a stall would appear to the guest as milliseconds passing during a
  // few instructions, which Linux's PIT calibration loops take for SMIs and give up on.
  // While the vCPU is idle (set_idle(true): halted, waiting for a deadline) time runs
  // free. Empty `progress` removes the limit.
  void limit_to_progress(std::function<uint64_t()> progress, uint64_t stall_ns_per_step,
                         uint64_t nominal_ns_per_step);
  void set_idle(bool idle);
  // Guest time dropped so far by that limit (for tests and diagnostics).
  uint64_t dropped_ns() const { return dropped_; }

  // Earliest armed deadline, or kNever.
  uint64_t next_deadline() const;
  // Fires every timer whose deadline <= now(), in deadline order (ties: arming order).
  // A callback may arm or cancel any timer; one re-armed at or before the current time
  // fires again in the same call (bounded, to keep a buggy re-arm loop from hanging).
  // Returns the number of callbacks run.
  unsigned run_expired();

 private:
  friend class Timer;
  void insert(Timer* t);
  void remove(Timer* t);
  uint64_t host_now() const;

  ClockMode mode_;
  HostTimeSource host_;
  uint64_t host_base_ = 0;  // host time that corresponds to guest time `offset_`
  uint64_t offset_ = 0;
  uint64_t last_ = 0;       // last value returned by now() (monotonicity guard)
  bool paused_ = false;
  std::function<uint64_t()> progress_;  // see limit_to_progress()
  uint64_t stall_ns_per_step_ = 0;
  uint64_t nominal_ns_per_step_ = 0;
  uint64_t last_progress_ = 0;  // progress count at the last read of the clock
  bool idle_ = false;
  uint64_t dropped_ = 0;
  uint64_t arm_seq_ = 0;
  std::vector<Timer*> queue_;  // armed timers sorted by (deadline, seq)
};

// A one-shot timer owned by a device. Not copyable; cancels itself on destruction, so it
// must not outlive its Clock (the board creates the clock before the devices).
class Timer {
 public:
  Timer(Clock& clock, std::function<void()> callback);
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  // Arms (or re-arms) the timer to fire at absolute guest time `deadline_ns`.
  void arm(uint64_t deadline_ns);
  void cancel();
  bool armed() const { return armed_; }
  uint64_t deadline() const { return deadline_; }
  Clock& clock() const { return clock_; }

 private:
  friend class Clock;
  Clock& clock_;
  std::function<void()> callback_;
  uint64_t deadline_ = 0;
  uint64_t seq_ = 0;
  bool armed_ = false;
};

}  // namespace emu
