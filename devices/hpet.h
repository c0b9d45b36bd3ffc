// The High Precision Event Timer (IA-PC HPET spec 1.0a) at MMIO 0xFED00000: a 64-bit
// main counter at 100 MHz and three comparators, each one-shot or periodic, 32- or
// 64-bit, edge or level, routed to an I/O APIC input or — in legacy replacement mode —
// timer 0 to IRQ0 and timer 1 to IRQ8. The counter is computed from the virtual clock;
// each comparator arms one timer for its next match.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <memory>

#include "devices/clock.h"
#include "devices/irq.h"
#include "memory/io_handler.h"

namespace emu {

class Hpet : public IoHandler {
 public:
  static constexpr uint64_t kDefaultBase = 0xfed00000;
  static constexpr unsigned kTimers = 3;
  static constexpr uint64_t kPeriodFs = 10'000'000;  // 10 ns per tick
  // I/O APIC inputs the comparators may be routed to (bits = GSIs): 2, 8 and 16-23.
  static constexpr uint32_t kRouteCapability = 0x00ff0104;

  // `gsi` drives I/O APIC inputs; `legacy_irq0`/`legacy_irq8` are the ISA IRQ lines
  // used in legacy replacement mode (wired by the board to the PIC and the I/O APIC).
  Hpet(Clock& clock, IrqSink* gsi, IrqLine* legacy_irq0, IrqLine* legacy_irq8);
  void reset();

  uint64_t io_read(uint64_t offset, unsigned size) override;
  void io_write(uint64_t offset, unsigned size, uint64_t value) override;

  // Called when legacy replacement mode changes: the board then detaches the PIT from
  // IRQ0 and the RTC from IRQ8 (true) or reattaches them (false).
  std::function<void(bool)> on_legacy_mode_change;

  uint64_t main_counter();

 private:
  struct Comparator {
    std::unique_ptr<Timer> timer;
    uint64_t config = 0;
    uint64_t compare = 0;
    uint64_t period = 0;  // periodic reload (last value written with VAL_SET or in periodic mode)
    bool line_high = false;
  };
  Clock& clock_;
  IrqSink* gsi_;
  IrqLine* legacy_irq0_;
  IrqLine* legacy_irq8_;
  uint64_t config_ = 0;
  uint64_t isr_ = 0;
  uint64_t counter_base_ = 0;    // main counter value at enable_ns_ (or frozen value)
  uint64_t enable_ns_ = 0;
  std::array<Comparator, kTimers> comparators_;

  bool enabled() const { return config_ & 1; }
  bool legacy() const { return config_ & 2; }
  void set_counter(uint64_t v);
  void arm(unsigned n);
  void fire(unsigned n);
  void drive(unsigned n, bool level);
  void update_level(unsigned n);
  uint64_t read64(uint64_t reg_offset);
  void write64(uint64_t reg_offset, uint64_t value, uint64_t mask);
};

}  // namespace emu
