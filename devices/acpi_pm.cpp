// ACPI PM1 event/control blocks and PM timer (see acpi_pm.h).
#include "devices/acpi_pm.h"

#include <limits>

#include "base/log.h"

namespace emu {

namespace {
constexpr uint16_t kStsWritableMask = 0x8731;  // RW1C: TMR, BM, GBL, PWRBTN, SLPBTN, RTC, WAK
constexpr uint16_t kEnMask = 0x0721;           // TMR_EN, GBL_EN, PWRBTN_EN, SLPBTN_EN, RTC_EN
constexpr uint16_t kSciEvents = 0x0721;
constexpr unsigned kMsbShift = 23;  // TMR_STS is set when bit 23 of the counter toggles
}  // namespace

AcpiPm::AcpiPm(TimeSource now_ns, MachineControl* control) : now_(std::move(now_ns)), control_(control) {
  reset();
}

void AcpiPm::reset() {
  sts_ = 0;
  en_ = 0;
  cnt_ = kSciEn;
  last_msb_period_ = ticks() >> kMsbShift;
  update_sci();
}

uint64_t AcpiPm::ticks() {
  // floor(ns * f / 1e9), exact for any uptime.
  unsigned __int128 t = static_cast<unsigned __int128>(now_()) * kTimerHz / 1000000000u;
  return static_cast<uint64_t>(t);
}

uint32_t AcpiPm::timer_value() { return static_cast<uint32_t>(ticks() & 0xffffff); }

void AcpiPm::update() {
  uint64_t period = ticks() >> kMsbShift;
  if (period != last_msb_period_) {
    last_msb_period_ = period;
    sts_ |= kTmrSts;
  }
  update_sci();
}

uint64_t AcpiPm::next_deadline_ns() {
  if (!(en_ & kTmrSts)) return std::numeric_limits<uint64_t>::max();
  uint64_t next_tick = ((ticks() >> kMsbShift) + 1) << kMsbShift;
  // Smallest ns with floor(ns * f / 1e9) >= next_tick: ceil(next_tick * 1e9 / f).
  unsigned __int128 num = static_cast<unsigned __int128>(next_tick) * 1000000000u;
  return static_cast<uint64_t>((num + kTimerHz - 1) / kTimerHz);
}

void AcpiPm::press_power_button() {
  sts_ |= kPwrBtnSts;
  update_sci();
}

void AcpiPm::update_sci() {
  bool level = (cnt_ & kSciEn) && (sts_ & en_ & kSciEvents);
  if (level != sci_.level()) sci_.set(level);
}

uint8_t AcpiPm::read_byte(unsigned offset) {
  switch (offset) {
    case 0: return static_cast<uint8_t>(sts_);
    case 1: return static_cast<uint8_t>(sts_ >> 8);
    case 2: return static_cast<uint8_t>(en_);
    case 3: return static_cast<uint8_t>(en_ >> 8);
    case 4: return static_cast<uint8_t>(cnt_);
    case 5: return static_cast<uint8_t>(cnt_ >> 8);  // SLP_EN is write-only: stored clear
    default: break;
  }
  if (offset >= kPmTmrOffset && offset < kPmTmrOffset + 4) {
    uint32_t t = timer_value();  // bits 24-31 read as zero (TMR_VAL_EXT = 0)
    return static_cast<uint8_t>(t >> (8 * (offset - kPmTmrOffset)));
  }
  return 0xff;
}

uint64_t AcpiPm::io_read(uint64_t offset, unsigned size) {
  if (size > 4) size = 4;
  update();
  if (offset == kPmTmrOffset && size == 4) return timer_value();  // one consistent sample
  uint32_t v = 0;
  for (unsigned i = 0; i < size; i++) v |= static_cast<uint32_t>(read_byte(static_cast<unsigned>(offset + i))) << (8 * i);
  return v;
}

void AcpiPm::io_write(uint64_t offset, unsigned size, uint64_t value) {
  if (size > 4) size = 4;
  update();
  write_bytes(static_cast<unsigned>(offset), size, static_cast<uint32_t>(value));
  update_sci();
}

void AcpiPm::write_bytes(unsigned offset, unsigned size, uint32_t value) {
  // Gather the bytes that fall into each 16-bit register, then apply each register once.
  uint16_t sts_clear = 0, en_val = en_, cnt_val = cnt_;
  bool cnt_written = false;
  for (unsigned i = 0; i < size; i++) {
    unsigned o = offset + i;
    uint8_t b = static_cast<uint8_t>(value >> (8 * i));
    unsigned shift = 8 * (o & 1);
    uint16_t byte_mask = static_cast<uint16_t>(0xffu << shift);
    if (o < 2) sts_clear |= static_cast<uint16_t>(b << shift);
    else if (o < 4) en_val = static_cast<uint16_t>((en_val & ~byte_mask) | (b << shift));
    else if (o < 6) cnt_val = static_cast<uint16_t>((cnt_val & ~byte_mask) | (b << shift)), cnt_written = true;
    // The timer is read-only; other offsets in the block are unimplemented.
  }
  sts_ = static_cast<uint16_t>(sts_ & ~(sts_clear & kStsWritableMask));
  en_ = static_cast<uint16_t>(en_val & kEnMask);
  if (cnt_written) write_control(cnt_val);
}

void AcpiPm::write_control(uint16_t value) {
  // SCI_EN stays set: with no SMI command port the OS can never hand control back.
  cnt_ = static_cast<uint16_t>((value & (kSlpTypMask | kBmRld)) | kSciEn);
  if (value & kGblRls) {
    // Releasing the global lock to firmware: there is no firmware, nothing to do.
  }
  if (value & kSlpEn) {
    uint8_t typ = static_cast<uint8_t>((value & kSlpTypMask) >> kSlpTypShift);
    if (typ == kSlpTypS5) {
      control_->request_shutdown(0, "ACPI S5 (soft off)");
    } else {
      EMU_LOG(Unimp, "acpi-pm: sleep type %u not supported, ignored\n", typ);
    }
  }
}

}  // namespace emu
