// HPET (see hpet.h). Register layout from the IA-PC HPET specification 1.0a, section 2.3.
#include "devices/hpet.h"

#include "base/log.h"

namespace emu {
namespace {

constexpr uint64_t kCfgLevel = 1u << 1;
constexpr uint64_t kCfgIntEnable = 1u << 2;
constexpr uint64_t kCfgPeriodic = 1u << 3;
constexpr uint64_t kCapPeriodic = 1u << 4;
constexpr uint64_t kCap64Bit = 1u << 5;
constexpr uint64_t kCfgValSet = 1u << 6;
constexpr uint64_t kCfg32Bit = 1u << 8;
constexpr uint64_t kCfgRouteMask = 0x1fu << 9;
constexpr uint64_t kCfgWritable = kCfgLevel | kCfgIntEnable | kCfgPeriodic | kCfgValSet | kCfg32Bit | kCfgRouteMask;
constexpr uint64_t kTickNs = Hpet::kPeriodFs / 1'000'000;

}  // namespace

Hpet::Hpet(Clock& clock, IrqSink* gsi, IrqLine* legacy_irq0, IrqLine* legacy_irq8)
    : clock_(clock), gsi_(gsi), legacy_irq0_(legacy_irq0), legacy_irq8_(legacy_irq8) {
  for (unsigned n = 0; n < kTimers; n++) comparators_[n].timer = std::make_unique<Timer>(clock_, [this, n] { fire(n); });
  reset();
}

void Hpet::reset() {
  for (unsigned n = 0; n < kTimers; n++) {
    drive(n, false);
    auto& c = comparators_[n];
    c.timer->cancel();
    c.config = (uint64_t{kRouteCapability} << 32) | kCapPeriodic | kCap64Bit;
    c.compare = ~uint64_t{0};
    c.period = 0;
  }
  const bool was_legacy = legacy();
  config_ = 0;
  isr_ = 0;
  counter_base_ = 0;
  enable_ns_ = clock_.now();
  if (was_legacy && on_legacy_mode_change) on_legacy_mode_change(false);
}

uint64_t Hpet::main_counter() {
  if (!enabled()) return counter_base_;
  return counter_base_ + (clock_.now() - enable_ns_) / kTickNs;
}

void Hpet::set_counter(uint64_t v) {
  counter_base_ = v;
  enable_ns_ = clock_.now();
}

// Arms comparator n's timer for the next time the counter equals its comparator.
void Hpet::arm(unsigned n) {
  auto& c = comparators_[n];
  c.timer->cancel();
  if (!enabled()) return;
  const uint64_t now_count = main_counter();
  uint64_t ticks;
  if (c.config & kCfg32Bit) {
    ticks = static_cast<uint32_t>(static_cast<uint32_t>(c.compare) - static_cast<uint32_t>(now_count));
    if (ticks == 0) ticks = uint64_t{1} << 32;
  } else {
    if (c.compare <= now_count) return;  // only reached after a 64-bit wrap: never, in practice
    ticks = c.compare - now_count;
  }
  // The deadline is when the counter reaches the comparator (never, if that lies
  // beyond the clock's range: e.g. a 64-bit comparator left at its reset value).
  const unsigned __int128 ns =
      enable_ns_ + static_cast<unsigned __int128>(now_count - counter_base_ + ticks) * kTickNs;
  if (ns >= Clock::kNever) return;
  c.timer->arm(static_cast<uint64_t>(ns));
}

void Hpet::fire(unsigned n) {
  auto& c = comparators_[n];
  if (c.config & kCfgIntEnable) {
    if (c.config & kCfgLevel) {
      isr_ |= 1u << n;
      update_level(n);
    } else {
      drive(n, true);
      drive(n, false);
    }
  }
  if ((c.config & kCfgPeriodic) && c.period != 0) {
    // The comparator accumulates the period. A callback that runs late (the host did
    // not schedule us for a while) skips the missed periods, so the comparator lies
    // ahead of the counter again; in 32-bit mode "ahead" is modulo 2^32, otherwise a
    // late tick would wait for the counter to wrap (~43 s) and the guest's timer stops.
    const uint64_t now_count = main_counter();
    const bool narrow = c.config & kCfg32Bit;
    const uint64_t width_mask = narrow ? 0xffffffffull : ~uint64_t{0};
    const uint64_t behind = (now_count - c.compare) & width_mask;  // ticks since the match
    const bool late = narrow ? static_cast<int32_t>(behind) >= 0 : c.compare <= now_count;
    const uint64_t periods = late ? behind / c.period + 1 : 1;
    c.compare = (c.compare + periods * c.period) & width_mask;
  }
  arm(n);
}

void Hpet::drive(unsigned n, bool level) {
  auto& c = comparators_[n];
  c.line_high = level;
  if (legacy() && n < 2) {
    IrqLine* line = n == 0 ? legacy_irq0_ : legacy_irq8_;
    if (line) line->set(level);
    return;
  }
  const unsigned route = static_cast<unsigned>((c.config & kCfgRouteMask) >> 9);
  if (gsi_ && ((kRouteCapability >> route) & 1)) gsi_->set_irq_level(route, level);
}

void Hpet::update_level(unsigned n) {
  auto& c = comparators_[n];
  const bool want = enabled() && (c.config & kCfgLevel) && (c.config & kCfgIntEnable) && ((isr_ >> n) & 1);
  if (want != c.line_high) drive(n, want);
}

uint64_t Hpet::read64(uint64_t reg) {
  switch (reg) {
    case 0x000:
      return (kPeriodFs << 32) | (0x8086u << 16) | (1u << 15) /* legacy route capable */ | (1u << 13) /* 64-bit */ |
             ((kTimers - 1) << 8) | 0x01;
    case 0x010: return config_;
    case 0x020: return isr_;
    case 0x0f0: return main_counter();
  }
  if (reg >= 0x100 && reg < 0x100 + 0x20 * kTimers) {
    const auto& c = comparators_[(reg - 0x100) / 0x20];
    switch (reg & 0x1f) {
      case 0x00: return c.config;
      case 0x08: return (c.config & kCfg32Bit) ? static_cast<uint32_t>(c.compare) : c.compare;
      case 0x10: return 0;  // FSB route: FSB delivery not offered
    }
  }
  return 0;
}

void Hpet::write64(uint64_t reg, uint64_t value, uint64_t mask) {
  auto merge = [&](uint64_t old) { return (old & ~mask) | (value & mask); };
  switch (reg) {
    case 0x010: {
      const bool was_enabled = enabled(), was_legacy = legacy();
      const uint64_t count = main_counter();
      for (unsigned n = 0; n < kTimers; n++) drive(n, false);  // re-driven below on the new routing
      config_ = merge(config_) & 3;
      if (was_enabled != enabled()) set_counter(count);  // freeze or restart from the same value
      if (was_legacy != legacy() && on_legacy_mode_change) on_legacy_mode_change(legacy());
      for (unsigned n = 0; n < kTimers; n++) {
        update_level(n);
        arm(n);
      }
      return;
    }
    case 0x020: {
      isr_ &= ~(value & mask);  // write 1 to clear
      for (unsigned n = 0; n < kTimers; n++) update_level(n);
      return;
    }
    case 0x0f0:
      if (enabled()) {
        EMU_LOG(Guest, "hpet: main counter written while enabled (ignored)\n");
        return;
      }
      set_counter(merge(main_counter()));
      return;
  }
  if (reg >= 0x100 && reg < 0x100 + 0x20 * kTimers) {
    const unsigned n = static_cast<unsigned>((reg - 0x100) / 0x20);
    auto& c = comparators_[n];
    switch (reg & 0x1f) {
      case 0x00: {
        drive(n, false);
        c.config = (c.config & ~kCfgWritable) | (merge(c.config) & kCfgWritable);
        if (c.config & kCfg32Bit) c.compare = static_cast<uint32_t>(c.compare);
        update_level(n);
        arm(n);
        return;
      }
      case 0x08: {
        uint64_t v = merge(c.compare);
        if (c.config & kCfg32Bit) v = static_cast<uint32_t>(v);
        if (!(c.config & kCfgPeriodic) || (c.config & kCfgValSet)) c.compare = v;
        if (c.config & kCfgPeriodic) c.period = v;  // the accumulator in periodic mode
        c.config &= ~kCfgValSet;
        arm(n);
        return;
      }
    }
  }
  EMU_LOG(Guest, "hpet: write to offset 0x%llx ignored\n", (unsigned long long)reg);
}

uint64_t Hpet::io_read(uint64_t offset, unsigned size) {
  const uint64_t reg = offset & ~uint64_t{7};
  const uint64_t v = read64(reg);
  const unsigned shift = (offset & 7) * 8;
  if (size >= 8) return v;
  return (v >> shift) & ((uint64_t{1} << (size * 8)) - 1);
}

void Hpet::io_write(uint64_t offset, unsigned size, uint64_t value) {
  const uint64_t reg = offset & ~uint64_t{7};
  const unsigned shift = (offset & 7) * 8;
  const uint64_t mask = size >= 8 ? ~uint64_t{0} : ((uint64_t{1} << (size * 8)) - 1) << shift;
  write64(reg, value << shift, mask);
}

}  // namespace emu
