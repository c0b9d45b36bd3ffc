// The MC146818 real-time clock and CMOS RAM at ports 0x70 (index; bit 7 disables NMI)
// and 0x71 (data), IRQ 8. The time is kept as seconds since the Unix epoch anchored to
// the virtual clock (registers are rendered in BCD or binary, 12 or 24 hour, on read);
// the once-a-second update, UIP window, periodic, alarm and update-ended interrupts all
// follow from that anchor. Flags are computed on demand; a Timer runs only while an
// enabled interrupt is waiting to happen. The other 114 bytes are plain NVRAM, which
// the board fills with configure_pc() (memory sizes, CPU count, equipment byte).
#pragma once
#include <cstdint>
#include <optional>

#include "devices/clock.h"
#include "devices/irq.h"
#include "memory/io_handler.h"

namespace emu {

// What the board tells the firmware through CMOS (as QEMU's PC board and SeaBIOS use it).
struct PcCmosConfig {
  uint64_t ram_below_4g = 0;  // bytes of RAM below 4 GiB (including the first MiB)
  uint64_t ram_above_4g = 0;  // bytes of RAM above 4 GiB
  unsigned cpus = 1;
  uint8_t floppy_a = 0;  // CMOS drive types (0 none, 4 = 1.44 MB)
  uint8_t floppy_b = 0;
  bool ps2_mouse = true;
};

class Mc146818Rtc : public IoHandler {
 public:
  // `start_unix_time`: the RTC time (UTC seconds) at the clock's current time; by
  // default the host's current UTC time.
  Mc146818Rtc(Clock& clock, IrqLine& irq8, std::optional<int64_t> start_unix_time = std::nullopt);

  // The chip's RESET input: clears PIE/AIE/UIE/SQWE and the interrupt flags. Time and
  // NVRAM are kept (they are battery backed).
  void reset();

  // Offset 0 = port 0x70 (index, write-only), 1 = port 0x71 (data).
  uint64_t io_read(uint64_t offset, unsigned size) override;
  void io_write(uint64_t offset, unsigned size, uint64_t value) override;

  // Connects or disconnects the IRQ 8 output (HPET legacy replacement mode takes IRQ 8
  // over); register C keeps working either way.
  void set_irq_enabled(bool enabled);

  // Bit 7 of the last write to port 0x70.
  bool nmi_disabled() const { return nmi_disabled_; }

  // Board/firmware-side access to the 128 bytes (time registers included, as read).
  uint8_t cmos(uint8_t index);
  void set_cmos(uint8_t index, uint8_t value);
  // Fills base/extended memory sizes (0x15-0x18, 0x30/0x31, 0x34/0x35, 0x5b-0x5d), CPU
  // count (0x5f), floppy types (0x10), equipment byte (0x14) and the checksum (0x2e/0x2f).
  void configure_pc(const PcCmosConfig& cfg);

  // The current RTC time as Unix seconds (tests, monitor).
  int64_t unix_time();

 private:
  struct DateTime {
    int64_t year;
    int month, day, hour, minute, second, weekday;  // weekday 1 = Sunday
  };
  static DateTime to_date_time(int64_t unix_seconds);
  static int64_t to_unix(const DateTime& dt);

  bool divider_running() const { return (reg_a_ & 0x70) == 0x20; }
  bool time_running() const { return divider_running() && !(reg_b_ & 0x80); }
  bool binary() const { return reg_b_ & 0x04; }
  bool hours24() const { return reg_b_ & 0x02; }
  int64_t seconds_at(uint64_t now) const;  // valid while time runs
  // The date/time fields as the registers show them now.
  DateTime fields_at(uint64_t now) const;
  // Index of the last update boundary at or before `now` (relative to anchor_ns_).
  int64_t boundary_index(uint64_t now) const;
  // Index of the last periodic-interrupt edge at or before `now`, or -1 when none.
  int64_t periodic_index(uint64_t now) const;
  uint64_t periodic_cycles() const;  // period in 32.768 kHz cycles, 0 when off
  bool uip(uint64_t now) const;

  uint8_t encode(int v) const;
  int decode(uint8_t v) const;
  uint8_t encode_hour(int hour) const;
  uint8_t read_time_register(uint8_t index, uint64_t now) const;
  void write_time_register(uint8_t index, uint8_t value);
  bool alarm_matches(int64_t unix_seconds) const;
  uint8_t read_register(uint8_t index);
  void write_register(uint8_t index, uint8_t value);
  void write_control(uint8_t reg_a, uint8_t reg_b);

  // Sets PF/AF/UF for everything that happened since the last call, then IRQF/IRQ.
  void accrue(uint64_t now);
  void update_irq();
  void schedule();
  void on_timer();

  Clock& clock_;
  IrqLine& irq_;
  Timer timer_;
  uint8_t nvram_[128] = {};
  uint8_t index_ = 0;
  bool nmi_disabled_ = false;
  uint8_t reg_a_ = 0x26, reg_b_ = 0x02, reg_c_ = 0;
  int64_t anchor_ns_ = 0;       // guest ns of an update boundary (divider phase)
  int64_t anchor_seconds_ = 0;  // RTC time at anchor_ns_ (when time runs)
  // While stopped (SET or divider off) the fields as written, not normalized, so that
  // a date written one register at a time passes through invalid combinations intact.
  DateTime frozen_{};
  int weekday_offset_ = 0;      // guest-written day of week relative to the real one
  uint64_t accounted_ns_ = 0;   // flags are up to date through this time
  bool irq_enabled_ = true;
};

}  // namespace emu
