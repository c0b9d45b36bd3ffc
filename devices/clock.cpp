// Virtual clock and deadline scheduler (see clock.h).
#include "devices/clock.h"

#include <algorithm>
#include <chrono>

namespace emu {

namespace {
uint64_t steady_ns() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}
}  // namespace

Clock::Clock(ClockMode mode, HostTimeSource host) : mode_(mode), host_(std::move(host)) {
  if (!host_) host_ = steady_ns;
  host_base_ = host_now();
}

Clock::~Clock() {
  for (Timer* t : queue_) t->armed_ = false;
}

uint64_t Clock::host_now() const { return host_(); }

uint64_t Clock::now() {
  if (mode_ == ClockMode::Deterministic || paused_) return last_;
  uint64_t h = host_now();
  uint64_t t = offset_ + (h >= host_base_ ? h - host_base_ : 0);
  if (progress_ && !idle_ && t > last_) {
    const uint64_t p = progress_();
    const uint64_t steps = p - last_progress_;
    last_progress_ = p;
    const uint64_t span = t - last_;
    if (steps < span / stall_ns_per_step_) {  // slower than the stall threshold
      const uint64_t nominal = steps * nominal_ns_per_step_;  // steps < span: no overflow
      // Drop the excess by moving the anchor, as pause/resume would.
      host_base_ += span - nominal;
      dropped_ += span - nominal;
      t = last_ + nominal;
    }
  }
  if (t > last_) last_ = t;
  return last_;
}

void Clock::limit_to_progress(std::function<uint64_t()> progress, uint64_t stall_ns_per_step,
                              uint64_t nominal_ns_per_step) {
  progress_ = std::move(progress);
  stall_ns_per_step_ = stall_ns_per_step ? stall_ns_per_step : 1;
  nominal_ns_per_step_ = std::min(nominal_ns_per_step, stall_ns_per_step_);
  if (progress_) last_progress_ = progress_();
}

void Clock::set_idle(bool idle) {
  if (idle == idle_) return;
  if (!idle) {
    now();  // guest time catches up with the idle period first
    if (progress_) last_progress_ = progress_();
  }
  idle_ = idle;
}

void Clock::set_now(uint64_t ns) {
  if (mode_ != ClockMode::Deterministic) return;
  if (ns > last_) last_ = ns;
}

void Clock::advance(uint64_t delta_ns) {
  if (mode_ != ClockMode::Deterministic) return;
  last_ = delta_ns > UINT64_MAX - last_ ? UINT64_MAX : last_ + delta_ns;
}

void Clock::idle_skip_to(uint64_t ns) {
  uint64_t cur = now();
  if (ns <= cur || ns == kNever) return;
  last_ = ns;
  if (mode_ == ClockMode::RealTime && !paused_) {
    // Re-anchor: guest time `ns` corresponds to the host time of this moment.
    host_base_ = host_now();
    offset_ = ns;
  } else {
    offset_ = ns;
  }
}

void Clock::pause() {
  if (mode_ != ClockMode::RealTime || paused_) return;
  now();
  paused_ = true;
}

void Clock::resume() {
  if (mode_ != ClockMode::RealTime || !paused_) return;
  paused_ = false;
  host_base_ = host_now();
  offset_ = last_;
}

uint64_t Clock::next_deadline() const { return queue_.empty() ? kNever : queue_.front()->deadline_; }

void Clock::insert(Timer* t) {
  auto pos = std::upper_bound(queue_.begin(), queue_.end(), t, [](const Timer* x, const Timer* y) {
    return x->deadline_ < y->deadline_ || (x->deadline_ == y->deadline_ && x->seq_ < y->seq_);
  });
  queue_.insert(pos, t);
}

void Clock::remove(Timer* t) {
  auto it = std::find(queue_.begin(), queue_.end(), t);
  if (it != queue_.end()) queue_.erase(it);
}

unsigned Clock::run_expired() {
  // Bound on callbacks per call: a timer that keeps re-arming itself in the past
  // would otherwise never let the run loop continue.
  constexpr unsigned kMaxFires = 100000;
  const uint64_t t = now();
  unsigned fired = 0;
  while (!queue_.empty() && queue_.front()->deadline_ <= t && fired < kMaxFires) {
    Timer* tm = queue_.front();
    queue_.erase(queue_.begin());
    tm->armed_ = false;
    fired++;
    if (tm->callback_) tm->callback_();
  }
  return fired;
}

Timer::Timer(Clock& clock, std::function<void()> callback) : clock_(clock), callback_(std::move(callback)) {}

Timer::~Timer() { cancel(); }

void Timer::arm(uint64_t deadline_ns) {
  if (armed_) clock_.remove(this);
  deadline_ = deadline_ns;
  seq_ = clock_.arm_seq_++;
  armed_ = true;
  clock_.insert(this);
}

void Timer::cancel() {
  if (!armed_) return;
  clock_.remove(this);
  armed_ = false;
}

}  // namespace emu
