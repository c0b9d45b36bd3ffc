// MC146818 RTC/CMOS (see mc146818_rtc.h). Register behaviour follows the Motorola
// MC146818A data sheet; the CMOS layout follows what QEMU's PC board writes and SeaBIOS
// reads.
#include "devices/mc146818_rtc.h"

#include <algorithm>
#include <ctime>

#include "base/log.h"

namespace emu {

namespace {
constexpr int64_t kSecondNs = 1'000'000'000;
constexpr uint64_t kDividerHz = 32768;
// UIP rises 244 us (eight 32.768 kHz cycles) before the registers change.
constexpr int64_t kUipLeadNs = 244'141;

enum : uint8_t {
  kRegSeconds = 0x00, kRegSecondsAlarm = 0x01, kRegMinutes = 0x02, kRegMinutesAlarm = 0x03,
  kRegHours = 0x04, kRegHoursAlarm = 0x05, kRegWeekday = 0x06, kRegDay = 0x07, kRegMonth = 0x08,
  kRegYear = 0x09, kRegA = 0x0a, kRegB = 0x0b, kRegC = 0x0c, kRegD = 0x0d, kRegCentury = 0x32,
};
enum : uint8_t { kBSet = 0x80, kBPie = 0x40, kBAie = 0x20, kBUie = 0x10, kBSqwe = 0x08 };
enum : uint8_t { kCIrqf = 0x80, kCPf = 0x40, kCAf = 0x20, kCUf = 0x10 };

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b) != 0 && ((a < 0) != (b < 0))); }
int64_t floor_mod(int64_t a, int64_t b) { return a - floor_div(a, b) * b; }

// Days since 1970-01-01 of a proleptic Gregorian date (month 1-12), and back. Years are
// grouped in 400-year eras starting on March 1st so that the leap day ends a year.
int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = floor_div(y, 400);
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}
void civil_from_days(int64_t z, int64_t* y, int* m, int* d) {
  z += 719468;
  int64_t era = floor_div(z, 146097);
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}
}  // namespace

Mc146818Rtc::DateTime Mc146818Rtc::to_date_time(int64_t t) {
  DateTime dt{};
  int64_t days = floor_div(t, 86400);
  int64_t secs = t - days * 86400;
  civil_from_days(days, &dt.year, &dt.month, &dt.day);
  dt.hour = static_cast<int>(secs / 3600);
  dt.minute = static_cast<int>(secs / 60 % 60);
  dt.second = static_cast<int>(secs % 60);
  dt.weekday = static_cast<int>(floor_mod(days + 4, 7)) + 1;  // 1970-01-01 was a Thursday
  return dt;
}

int64_t Mc146818Rtc::to_unix(const DateTime& dt) {
  int month = std::clamp(dt.month, 1, 12);
  return days_from_civil(dt.year, month, dt.day) * 86400 + dt.hour * 3600 + dt.minute * 60 + dt.second;
}

Mc146818Rtc::Mc146818Rtc(Clock& clock, IrqLine& irq8, std::optional<int64_t> start_unix_time)
    : clock_(clock), irq_(irq8), timer_(clock, [this] { on_timer(); }) {
  uint64_t now = clock_.now();
  anchor_ns_ = static_cast<int64_t>(now);
  anchor_seconds_ = start_unix_time ? *start_unix_time : static_cast<int64_t>(std::time(nullptr));
  accounted_ns_ = now;
  reg_a_ = 0x26;  // 32.768 kHz time base, 1024 Hz periodic rate
  reg_b_ = 0x02;  // 24-hour, BCD
  reg_c_ = 0;
  update_irq();
}

void Mc146818Rtc::reset() {
  uint64_t now = clock_.now();
  accrue(now);
  reg_b_ &= static_cast<uint8_t>(~(kBPie | kBAie | kBUie | kBSqwe));
  reg_c_ = 0;
  update_irq();
  schedule();
}

int64_t Mc146818Rtc::seconds_at(uint64_t now) const {
  return anchor_seconds_ + floor_div(static_cast<int64_t>(now) - anchor_ns_, kSecondNs);
}

Mc146818Rtc::DateTime Mc146818Rtc::fields_at(uint64_t now) const {
  if (!time_running()) return frozen_;
  DateTime dt = to_date_time(seconds_at(now));
  dt.weekday = static_cast<int>(floor_mod(dt.weekday - 1 + weekday_offset_, 7)) + 1;
  return dt;
}

int64_t Mc146818Rtc::unix_time() {
  uint64_t now = clock_.now();
  return time_running() ? seconds_at(now) : to_unix(frozen_);
}

int64_t Mc146818Rtc::boundary_index(uint64_t now) const {
  return floor_div(static_cast<int64_t>(now) - anchor_ns_, kSecondNs);
}

uint64_t Mc146818Rtc::periodic_cycles() const {
  unsigned rs = reg_a_ & 0x0f;
  if (rs == 0) return 0;
  if (rs <= 2) return uint64_t{1} << (rs + 6);  // rates 1 and 2 repeat rates 8 and 9
  return uint64_t{1} << (rs - 1);
}

int64_t Mc146818Rtc::periodic_index(uint64_t now) const {
  uint64_t cycles = periodic_cycles();
  if (!cycles || !divider_running()) return -1;
  int64_t since = static_cast<int64_t>(now) - anchor_ns_;
  if (since < 0) return -1;  // (the anchor never lies ahead of the accounted time)
  unsigned __int128 num = static_cast<unsigned __int128>(since) * kDividerHz;
  return static_cast<int64_t>(num / (static_cast<unsigned __int128>(cycles) * kSecondNs));
}

bool Mc146818Rtc::uip(uint64_t now) const {
  if (!time_running()) return false;
  return floor_mod(static_cast<int64_t>(now) - anchor_ns_, kSecondNs) >= kSecondNs - kUipLeadNs;
}

uint8_t Mc146818Rtc::encode(int v) const {
  v = static_cast<int>(floor_mod(v, 100));
  if (binary()) return static_cast<uint8_t>(v);
  return static_cast<uint8_t>((v / 10) << 4 | (v % 10));
}

int Mc146818Rtc::decode(uint8_t v) const { return binary() ? v : (v >> 4) * 10 + (v & 0x0f); }

uint8_t Mc146818Rtc::encode_hour(int hour) const {
  if (hours24()) return encode(hour);
  int h12 = hour % 12 == 0 ? 12 : hour % 12;
  return static_cast<uint8_t>(encode(h12) | (hour >= 12 ? 0x80 : 0));
}

uint8_t Mc146818Rtc::read_time_register(uint8_t index, uint64_t now) const {
  DateTime dt = fields_at(now);
  switch (index) {
    case kRegSeconds: return encode(dt.second);
    case kRegMinutes: return encode(dt.minute);
    case kRegHours: return encode_hour(dt.hour);
    case kRegWeekday: return encode(dt.weekday);
    case kRegDay: return encode(dt.day);
    case kRegMonth: return encode(dt.month);
    case kRegYear: return encode(static_cast<int>(floor_mod(dt.year, 100)));
    default: return encode(static_cast<int>(floor_mod(floor_div(dt.year, 100), 100)));  // century
  }
}

void Mc146818Rtc::write_time_register(uint8_t index, uint8_t value) {
  uint64_t now = clock_.now();
  accrue(now);
  DateTime dt = fields_at(now);
  int v = decode(index == kRegHours ? static_cast<uint8_t>(value & 0x7f) : value);
  switch (index) {
    case kRegSeconds: dt.second = std::clamp(v, 0, 59); break;
    case kRegMinutes: dt.minute = std::clamp(v, 0, 59); break;
    case kRegHours:
      if (!hours24()) v = v % 12 + ((value & 0x80) ? 12 : 0);
      dt.hour = std::clamp(v, 0, 23);
      break;
    case kRegWeekday: dt.weekday = std::clamp(v, 1, 7); break;
    case kRegDay: dt.day = std::clamp(v, 1, 31); break;
    case kRegMonth: dt.month = std::clamp(v, 1, 12); break;
    case kRegYear: dt.year = floor_div(dt.year, 100) * 100 + std::clamp(v, 0, 99); break;
    default: dt.year = std::clamp(v, 0, 99) * 100 + floor_mod(dt.year, 100); break;  // century
  }
  if (time_running()) {
    // Written while running: takes effect at once; the divider phase is unchanged.
    int64_t t = to_unix(dt);
    DateTime real = to_date_time(t);
    weekday_offset_ = static_cast<int>(floor_mod(dt.weekday - real.weekday, 7));
    anchor_ns_ += boundary_index(now) * kSecondNs;
    anchor_seconds_ = t;
  } else {
    frozen_ = dt;
  }
  accounted_ns_ = now;
  update_irq();
  schedule();
}

bool Mc146818Rtc::alarm_matches(int64_t t) const {
  DateTime dt = to_date_time(t);
  auto field = [](uint8_t alarm, uint8_t current) { return (alarm & 0xc0) == 0xc0 || alarm == current; };
  return field(nvram_[kRegSecondsAlarm], encode(dt.second)) && field(nvram_[kRegMinutesAlarm], encode(dt.minute)) &&
         field(nvram_[kRegHoursAlarm], encode_hour(dt.hour));
}

void Mc146818Rtc::accrue(uint64_t now) {
  if (now <= accounted_ns_) return;
  if (time_running()) {
    int64_t b0 = boundary_index(accounted_ns_), b1 = boundary_index(now);
    if (b1 > b0) {
      reg_c_ |= kCUf;
      // Alarm: any update in the interval whose new time matched (a day covers them all).
      int64_t n = std::min<int64_t>(b1 - b0, 86400);
      for (int64_t i = 0; i < n; i++) {
        if (alarm_matches(anchor_seconds_ + b1 - i)) {
          reg_c_ |= kCAf;
          break;
        }
      }
    }
  }
  if (periodic_index(now) > periodic_index(accounted_ns_)) reg_c_ |= kCPf;
  accounted_ns_ = now;
}

void Mc146818Rtc::update_irq() {
  bool irqf = (reg_c_ & reg_b_ & (kCPf | kCAf | kCUf)) != 0;
  if (irqf) reg_c_ |= kCIrqf;
  else reg_c_ &= static_cast<uint8_t>(~kCIrqf);
  bool level = irqf && irq_enabled_;
  if (level != irq_.level()) irq_.set(level);
}

void Mc146818Rtc::set_irq_enabled(bool enabled) {
  irq_enabled_ = enabled;
  update_irq();
}

void Mc146818Rtc::schedule() {
  uint64_t now = clock_.now();
  int64_t next = INT64_MAX;
  if ((reg_b_ & kBPie) && !(reg_c_ & kCPf) && periodic_cycles() && divider_running()) {
    int64_t k = periodic_index(now) + 1;
    unsigned __int128 num = static_cast<unsigned __int128>(k < 0 ? 0 : k) * periodic_cycles() * kSecondNs;
    int64_t off = static_cast<int64_t>((num + kDividerHz - 1) / kDividerHz);
    next = std::min(next, anchor_ns_ + off);
  }
  bool want_update = ((reg_b_ & kBUie) && !(reg_c_ & kCUf)) || ((reg_b_ & kBAie) && !(reg_c_ & kCAf));
  if (want_update && time_running()) next = std::min(next, anchor_ns_ + (boundary_index(now) + 1) * kSecondNs);
  if (next == INT64_MAX) timer_.cancel();
  else timer_.arm(next < 0 ? 0 : static_cast<uint64_t>(next));
}

void Mc146818Rtc::on_timer() {
  accrue(clock_.now());
  update_irq();
  schedule();
}

void Mc146818Rtc::write_control(uint8_t new_a, uint8_t new_b) {
  uint64_t now = clock_.now();
  accrue(now);
  const bool divider_was = divider_running(), running_was = time_running();
  const bool was_in_reset = (reg_a_ & 0x60) == 0x60;
  const DateTime current = fields_at(now);
  if ((new_b & kBSet) && !(reg_b_ & kBSet)) new_b &= static_cast<uint8_t>(~kBUie);  // SET clears UIE
  reg_a_ = new_a & 0x7f;
  reg_b_ = new_b;
  const int64_t n = static_cast<int64_t>(now);
  if (!divider_was && divider_running()) {
    // The divider chain restarts: the first update comes 500 ms after leaving reset,
    // one second after switching from a stopped time base.
    anchor_ns_ = was_in_reset ? n - kSecondNs / 2 : n;
  }
  if (running_was && !time_running()) frozen_ = current;
  if (!running_was && time_running()) {
    anchor_ns_ += boundary_index(now) * kSecondNs;
    anchor_seconds_ = to_unix(frozen_);
    weekday_offset_ = static_cast<int>(floor_mod(frozen_.weekday - to_date_time(anchor_seconds_).weekday, 7));
  }
  accounted_ns_ = now;
  update_irq();
  schedule();
}

uint8_t Mc146818Rtc::read_register(uint8_t index) {
  uint64_t now = clock_.now();
  switch (index) {
    case kRegSeconds: case kRegMinutes: case kRegHours: case kRegWeekday:
    case kRegDay: case kRegMonth: case kRegYear: case kRegCentury:
      return read_time_register(index, now);
    case kRegA: return static_cast<uint8_t>(reg_a_ | (uip(now) ? 0x80 : 0));
    case kRegB: return reg_b_;
    case kRegC: {
      accrue(now);
      update_irq();
      uint8_t v = reg_c_;
      reg_c_ = 0;
      update_irq();
      schedule();
      return v;
    }
    case kRegD: return 0x80;  // valid RAM and time (battery good)
    default: return nvram_[index & 0x7f];
  }
}

void Mc146818Rtc::write_register(uint8_t index, uint8_t value) {
  switch (index) {
    case kRegSeconds: case kRegMinutes: case kRegHours: case kRegWeekday:
    case kRegDay: case kRegMonth: case kRegYear: case kRegCentury:
      write_time_register(index, value);
      break;
    case kRegA: write_control(value, reg_b_); break;
    case kRegB: write_control(reg_a_, value); break;
    case kRegC: case kRegD: break;  // read-only
    case kRegSecondsAlarm: case kRegMinutesAlarm: case kRegHoursAlarm:
      accrue(clock_.now());
      nvram_[index] = value;
      schedule();
      break;
    default: nvram_[index & 0x7f] = value; break;
  }
}

uint64_t Mc146818Rtc::io_read(uint64_t offset, unsigned size) {
  if (offset == 1) return read_register(index_);
  return 0xff;  // the index register is write-only
}

void Mc146818Rtc::io_write(uint64_t offset, unsigned size, uint64_t value) {
  uint8_t v = static_cast<uint8_t>(value);
  if (offset == 0) {
    index_ = v & 0x7f;
    nmi_disabled_ = v & 0x80;
  } else if (offset == 1) {
    write_register(index_, v);
  }
}

uint8_t Mc146818Rtc::cmos(uint8_t index) {
  index &= 0x7f;
  if (index == kRegC) return reg_c_;  // without the read side effect
  return read_register(index);
}

void Mc146818Rtc::set_cmos(uint8_t index, uint8_t value) { write_register(index & 0x7f, value); }

void Mc146818Rtc::configure_pc(const PcCmosConfig& cfg) {
  auto put16 = [this](uint8_t lo, uint64_t v) {
    nvram_[lo] = static_cast<uint8_t>(v);
    nvram_[lo + 1] = static_cast<uint8_t>(v >> 8);
  };
  constexpr uint64_t kKiB = 1024, kMiB = 1024 * 1024;
  put16(0x15, 640);  // base memory in KiB
  uint64_t ext_kib = cfg.ram_below_4g > kMiB ? cfg.ram_below_4g / kKiB - 1024 : 0;
  put16(0x17, std::min<uint64_t>(ext_kib, 0xffff));  // extended memory above 1 MiB, KiB
  put16(0x30, std::min<uint64_t>(ext_kib, 0xffff));
  uint64_t above16 = cfg.ram_below_4g > 16 * kMiB ? (cfg.ram_below_4g - 16 * kMiB) / (64 * kKiB) : 0;
  put16(0x34, std::min<uint64_t>(above16, 0xffff));  // 64 KiB units between 16 MiB and 4 GiB
  uint64_t high = std::min<uint64_t>(cfg.ram_above_4g / (64 * kKiB), 0xffffff);
  nvram_[0x5b] = static_cast<uint8_t>(high);
  nvram_[0x5c] = static_cast<uint8_t>(high >> 8);
  nvram_[0x5d] = static_cast<uint8_t>(high >> 16);
  nvram_[0x5f] = static_cast<uint8_t>(cfg.cpus ? cfg.cpus - 1 : 0);
  nvram_[0x10] = static_cast<uint8_t>((cfg.floppy_a & 0x0f) << 4 | (cfg.floppy_b & 0x0f));
  unsigned floppies = (cfg.floppy_a ? 1 : 0) + (cfg.floppy_b ? 1 : 0);
  uint8_t equipment = 0x02;  // math coprocessor present; display bits 00 = EGA/VGA
  if (cfg.ps2_mouse) equipment |= 0x04;
  if (floppies) equipment |= static_cast<uint8_t>(0x01 | (floppies - 1) << 6);
  nvram_[0x14] = equipment;
  unsigned sum = 0;
  for (unsigned i = 0x10; i <= 0x2d; i++) sum += nvram_[i];
  nvram_[0x2e] = static_cast<uint8_t>(sum >> 8);
  nvram_[0x2f] = static_cast<uint8_t>(sum);
}

}  // namespace emu
