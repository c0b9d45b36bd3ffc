// A local APIC in xAPIC mode (MMIO page at the APIC base, 0xFEE00000 by default):
// interrupt acceptance with IRR/ISR/TMR and task/processor priority, EOI (with EOI
// broadcast to the I/O APICs for level-triggered vectors), the local vector table,
// the timer in one-shot, periodic and TSC-deadline modes, IPIs through the ICR, LINT0
// as the PIC's virtual wire (ExtINT) and LINT1 as NMI, the error status register, and
// the IA32_APIC_BASE MSR. The CPU asks it for the next interrupt at instruction
// boundaries; it never calls into the CPU.
#pragma once
#include <array>
#include <cstdint>
#include <functional>

#include "devices/apic_bus.h"
#include "devices/clock.h"
#include "memory/io_handler.h"

namespace emu {

class LocalApic : public IoHandler {
 public:
  static constexpr uint64_t kDefaultBase = 0xfee00000;
  // The timer counts at this bus frequency before the divide configuration.
  static constexpr uint64_t kBusHz = 1'000'000'000;

  // `tsc_to_ns` converts a TSC value to guest time for TSC-deadline mode.
  LocalApic(Clock& clock, ApicBus& bus, uint8_t apic_id, bool bsp, std::function<uint64_t(uint64_t)> tsc_to_ns);
  void reset();

  // --- MMIO (the 4 KiB page at the base address) ---
  uint64_t io_read(uint64_t offset, unsigned size) override;
  void io_write(uint64_t offset, unsigned size, uint64_t value) override;

  // --- MSRs ---
  uint64_t base_msr() const { return base_msr_; }
  // Returns false (the CPU raises #GP) for reserved bits or an attempt to enter x2APIC mode.
  bool write_base_msr(uint64_t value);
  uint64_t base_address() const { return base_msr_ & 0xfffff000ull; }
  bool hardware_enabled() const { return base_msr_ & (1u << 11); }
  uint64_t tsc_deadline() const { return tsc_deadline_; }
  void write_tsc_deadline(uint64_t tsc);

  // --- CPU side ---
  // Something for the CPU at the next instruction boundary when interrupts are enabled:
  // a fixed interrupt whose priority class beats the PPR, or the PIC's ExtINT.
  bool interrupt_pending() const;
  // INTA: the vector to deliver (moves it from IRR to ISR; ExtINT asks the PIC; the
  // spurious vector if nothing qualifies any more).
  uint8_t acknowledge();
  // NMI (LINT1 or an NMI IPI), taken by the CPU whatever IF says; clears on read.
  bool take_nmi();
  bool nmi_pending() const { return nmi_pending_; }
  // INIT and SIPI for application processors (SMP comes later; recorded here).
  bool take_init();
  int take_startup_vector();  // -1 if none
  // CR8 is TPR[7:4].
  uint8_t tpr() const { return static_cast<uint8_t>(tpr_); }
  void write_tpr(uint8_t v);

  // LINT0/LINT1 input pins. LINT0 carries the PIC's INTR.
  void set_lint(unsigned pin, bool level);
  // The PIC's INTA (acknowledge) for ExtINT delivery.
  std::function<uint8_t()> extint_acknowledge;
  // Called whenever an interrupt or NMI may have become deliverable: something was
  // accepted, or an EOI / TPR / LVT / enable change let a pending one through (the board
  // signals the CPU, which then polls interrupt_pending / take_nmi).
  std::function<void()> on_interrupt;

  // Message from the APIC bus (I/O APIC or IPI).
  void accept(const ApicMessage& msg);
  // Destination matching for the bus.
  bool matches(const ApicMessage& msg) const;
  uint8_t id() const { return static_cast<uint8_t>(id_ >> 24); }
  uint8_t arbitration_priority() const { return static_cast<uint8_t>(ppr()); }

 private:
  Clock& clock_;
  ApicBus& bus_;
  Timer timer_;
  std::function<uint64_t(uint64_t)> tsc_to_ns_;
  uint8_t reset_id_;
  bool bsp_;

  uint64_t base_msr_ = 0;
  uint32_t id_ = 0, tpr_ = 0, ldr_ = 0, dfr_ = 0xffffffffu, svr_ = 0xff;
  uint32_t esr_ = 0, esr_pending_ = 0;
  uint32_t icr_lo_ = 0, icr_hi_ = 0;
  std::array<uint32_t, 8> irr_{}, isr_{}, tmr_{};
  // LVT: CMCI, timer, thermal, performance, LINT0, LINT1, error.
  enum Lvt { kCmci, kTimer, kThermal, kPerf, kLint0, kLint1, kError, kLvtCount };
  std::array<uint32_t, kLvtCount> lvt_{};
  uint32_t timer_initial_ = 0, timer_divide_conf_ = 0;
  uint64_t timer_start_ns_ = 0;  // when the current count was (re)loaded
  uint64_t tsc_deadline_ = 0;
  bool lint_level_[2] = {false, false};
  bool nmi_pending_ = false, init_pending_ = false;
  int sipi_vector_ = -1;

  bool software_enabled() const { return svr_ & 0x100; }
  unsigned timer_mode() const { return (lvt_[kTimer] >> 17) & 3; }
  uint64_t timer_period_ns() const;
  uint32_t timer_current_count();
  void timer_fired();
  void arm_timer();
  int highest(const std::array<uint32_t, 8>& bits) const;
  uint32_t ppr() const;
  void set_irr(uint8_t vector, bool level);
  void local_interrupt(Lvt which);
  void signal_error(uint32_t bit);
  void send_ipi();
  void eoi();
  bool extint_pending() const;
  uint32_t read_register(unsigned reg);
  void write_register(unsigned reg, uint32_t value);
  void notify() {
    if (on_interrupt) on_interrupt();
  }
};

}  // namespace emu
