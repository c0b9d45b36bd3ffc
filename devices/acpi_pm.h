// ACPI fixed-hardware power management registers, laid out like QEMU's PIIX4 PM at
// I/O base 0x600: PM1a_EVT_BLK (0x600: PM1_STS, 0x602: PM1_EN), PM1a_CNT_BLK (0x604)
// and the 24-bit PM timer (0x608) at 3.579545 MHz, read from the virtual clock.
// The SCI (IRQ 9) is asserted while SCI_EN is set and an enabled status bit is set.
// There is no SMI command port (FADT SMI_CMD = 0): the machine is always in ACPI mode
// and SCI_EN reads 1 from reset, which ACPICA accepts as "already enabled".
// Writing SLP_EN with SLP_TYP = kSlpTypS5 powers off (shutdown with status 0).
// Not exposed as a PCI function (PIIX4 00:01.3): Linux needs only the FADT.
#pragma once
#include <cstdint>
#include <functional>

#include "devices/irq.h"
#include "devices/machine_control.h"
#include "memory/io_handler.h"

namespace emu {

class AcpiPm : public IoHandler {
 public:
  static constexpr uint16_t kDefaultBase = 0x600;
  static constexpr uint32_t kPortCount = 0x40;  // map [base, base + kPortCount)
  static constexpr unsigned kPm1EvtOffset = 0x00, kPm1CntOffset = 0x04, kPmTmrOffset = 0x08;
  static constexpr unsigned kSciIrq = 9;
  static constexpr uint64_t kTimerHz = 3579545;
  // SLP_TYP values the DSDT's \_S5 package must carry (QEMU uses 0 as well).
  static constexpr uint8_t kSlpTypS5 = 0;

  // PM1_STS / PM1_EN bits.
  static constexpr uint16_t kTmrSts = 1u << 0, kBmSts = 1u << 4, kGblSts = 1u << 5;
  static constexpr uint16_t kPwrBtnSts = 1u << 8, kSlpBtnSts = 1u << 9, kRtcSts = 1u << 10;
  static constexpr uint16_t kWakSts = 1u << 15;
  // PM1_CNT bits.
  static constexpr uint16_t kSciEn = 1u << 0, kBmRld = 1u << 1, kGblRls = 1u << 2;
  static constexpr unsigned kSlpTypShift = 10;
  static constexpr uint16_t kSlpTypMask = 7u << kSlpTypShift, kSlpEn = 1u << 13;

  using TimeSource = std::function<uint64_t()>;  // nanoseconds of virtual time

  AcpiPm(TimeSource now_ns, MachineControl* control);
  IrqLine& sci() { return sci_; }  // the board connects it to ISA IRQ 9

  void reset();
  // PM timer value (24 bits) at the current time.
  uint32_t timer_value();
  // Fixed power button event (e.g. the monitor's system_powerdown).
  void press_power_button();
  // Re-evaluates the timer overflow status; the board calls it at next_deadline_ns().
  void update();
  // Virtual time of the next PM timer MSB toggle, when TMR_EN is set (else UINT64_MAX).
  uint64_t next_deadline_ns();

  uint16_t pm1_status() { update(); return sts_; }
  uint16_t pm1_enable() const { return en_; }
  uint16_t pm1_control() const { return cnt_; }

  uint64_t io_read(uint64_t offset, unsigned size) override;
  void io_write(uint64_t offset, unsigned size, uint64_t value) override;

 private:
  uint64_t ticks();
  uint8_t read_byte(unsigned offset);
  void write_bytes(unsigned offset, unsigned size, uint32_t value);
  void write_control(uint16_t value);
  void update_sci();

  TimeSource now_;
  MachineControl* control_;
  IrqLine sci_;
  uint16_t sts_ = 0, en_ = 0, cnt_ = kSciEn;
  uint64_t last_msb_period_ = 0;  // ticks >> 23 when TMR_STS was last evaluated
};

}  // namespace emu
