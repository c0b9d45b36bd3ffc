// i8254 PIT (see i8254_pit.h). Each running counter is described by the tick at which
// its current span began and the ticks counted before that span; its count and OUT
// follow from the elapsed ticks and the mode (Intel 8254 data sheet, modes 0-5).
// Simplifications: a count is loaded on the tick it is written (not the next one), and a
// new count in modes 2/3 takes effect immediately rather than at the end of the period.
#include "devices/i8254_pit.h"

#include "base/log.h"

namespace emu {

namespace {
constexpr uint64_t kNsPerSecond = 1'000'000'000;

uint32_t from_bcd(uint32_t v) {
  return ((v >> 12) & 0xf) * 1000 + ((v >> 8) & 0xf) * 100 + ((v >> 4) & 0xf) * 10 + (v & 0xf);
}
uint16_t to_bcd(uint32_t v) {
  return static_cast<uint16_t>((v / 1000 % 10) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | (v % 10));
}
}  // namespace

uint64_t I8254Pit::ticks_at(uint64_t ns) {
  return static_cast<uint64_t>(static_cast<unsigned __int128>(ns) * kFrequencyHz / kNsPerSecond);
}

uint64_t I8254Pit::ns_of_tick(uint64_t tick) {
  unsigned __int128 v = (static_cast<unsigned __int128>(tick) * kNsPerSecond + kFrequencyHz - 1) / kFrequencyHz;
  return v > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(v);
}

I8254Pit::I8254Pit(Clock& clock, IrqLine& irq0)
    : clock_(clock), irq0_(irq0), irq0_timer_(clock, [this] { on_irq0_timer(); }) {
  reset();
}

void I8254Pit::reset() {
  // Like QEMU's PIT: every channel starts in mode 3 with the maximum count, channel 0
  // therefore ticks IRQ0 at 18.2 Hz until the guest reprograms it.
  uint64_t tick = now_tick();
  for (unsigned i = 0; i < 3; i++) {
    Channel& c = ch_[i];
    c = Channel{};
    c.mode = c.mode_bits = 3;
    c.gate = i != 2;
    c.loaded = true;
    c.start_tick = tick;
  }
  schedule_irq0();
}

bool I8254Pit::counting(const Channel& c) const {
  if (!c.loaded) return false;
  if (c.mode == 1 || c.mode == 5) return c.triggered;
  return true;
}

uint64_t I8254Pit::elapsed(const Channel& c, uint64_t tick) const {
  if (!counting(c)) return 0;
  if (gate_pauses(c) && !c.gate) return c.elapsed_base;
  return c.elapsed_base + (tick > c.start_tick ? tick - c.start_tick : 0);
}

bool I8254Pit::out_at(const Channel& c, uint64_t tick) const {
  if (!c.loaded) return c.mode != 0;
  const uint64_t n = c.count;
  const uint64_t d = elapsed(c, tick);
  switch (c.mode) {
    case 0: return d >= n;                        // interrupt on terminal count
    case 1: return !c.triggered || d >= n;        // hardware retriggerable one-shot
    case 2: return !c.gate || d % n != n - 1;     // rate generator: low for one tick
    case 3: return !c.gate || d % n < (n + 1) / 2;  // square wave
    case 4: return d != n;                        // software triggered strobe
    default: return !c.triggered || d != n;       // 5: hardware triggered strobe
  }
}

uint16_t I8254Pit::count_at(const Channel& c, uint64_t tick) const {
  const uint64_t modulus = c.bcd ? 10000 : 0x10000;
  const uint64_t n = c.count;
  uint64_t v;
  if (!counting(c)) {
    v = n % modulus;
  } else {
    const uint64_t d = elapsed(c, tick);
    switch (c.mode) {
      case 2: v = (n - d % n) % modulus; break;
      case 3: {
        // Decrements by two; reloads at the start of each half period.
        uint64_t p = d % n;
        uint64_t half = (n + 1) / 2;
        uint64_t in_half = p < half ? p : p - half;
        v = (n - 2 * in_half) % modulus;
        break;
      }
      default: v = (n + modulus - d % modulus) % modulus; break;  // modes 0, 1, 4, 5 wrap
    }
  }
  return c.bcd ? to_bcd(static_cast<uint32_t>(v)) : static_cast<uint16_t>(v);
}

bool I8254Pit::out(unsigned channel) { return out_at(ch_[channel % 3], now_tick()); }

uint8_t I8254Pit::status(unsigned ch, uint64_t tick) const {
  const Channel& c = ch_[ch];
  bool null_count = !c.loaded || ((c.mode == 1 || c.mode == 5) && !c.triggered);
  return static_cast<uint8_t>((out_at(c, tick) ? 0x80 : 0) | (null_count ? 0x40 : 0) | c.access << 4 |
                              c.mode_bits << 1 | (c.bcd ? 1 : 0));
}

void I8254Pit::latch_count(unsigned ch, uint64_t tick) {
  Channel& c = ch_[ch];
  if (c.count_latched) return;  // a second latch before the first is read is ignored
  c.latched_count = count_at(c, tick);
  c.count_latched = true;
  c.latched_msb_next = false;
}

void I8254Pit::write_control(uint8_t v) {
  unsigned sc = v >> 6;
  uint64_t tick = now_tick();
  if (sc == 3) {  // read-back command
    for (unsigned ch = 0; ch < 3; ch++) {
      if (!(v & (2u << ch))) continue;
      if (!(v & 0x20)) latch_count(ch, tick);
      if (!(v & 0x10) && !ch_[ch].status_latched) {
        ch_[ch].latched_status = status(ch, tick);
        ch_[ch].status_latched = true;
      }
    }
    return;
  }
  Channel& c = ch_[sc];
  unsigned access = (v >> 4) & 3;
  if (access == 0) {  // counter latch command
    latch_count(sc, tick);
    return;
  }
  c.access = static_cast<uint8_t>(access);
  c.mode_bits = (v >> 1) & 7;
  c.mode = c.mode_bits >= 6 ? static_cast<uint8_t>(c.mode_bits - 4) : c.mode_bits;
  c.bcd = v & 1;
  c.loaded = false;
  c.triggered = false;
  c.waiting_msb = false;
  c.read_msb_next = false;
  c.count_latched = false;
  c.status_latched = false;
  c.elapsed_base = 0;
  c.start_tick = tick;
  if (sc == 0) schedule_irq0();
}

void I8254Pit::load(unsigned ch, uint32_t raw) {
  Channel& c = ch_[ch];
  uint32_t n = c.bcd ? from_bcd(raw) : raw;
  if (n == 0) n = c.bcd ? 10000 : 0x10000;
  c.count = n;
  c.loaded = true;
  if (c.mode != 1 && c.mode != 5) {  // modes 1/5 use the new count at the next trigger
    c.elapsed_base = 0;
    c.start_tick = now_tick();
  }
  EMU_LOG(Device, "pit: ch%u mode %u count %u\n", ch, c.mode, n);
  if (ch == 0) schedule_irq0();
}

void I8254Pit::write_count(unsigned ch, uint8_t v) {
  Channel& c = ch_[ch];
  switch (c.access) {
    case 1: load(ch, v); break;
    case 2: load(ch, uint32_t{v} << 8); break;
    default:
      if (!c.waiting_msb) {
        c.lsb_written = v;
        c.waiting_msb = true;
        if (c.mode == 0) {  // mode 0: writing the first byte stops the count
          c.loaded = false;
          if (ch == 0) schedule_irq0();
        }
      } else {
        c.waiting_msb = false;
        load(ch, c.lsb_written | uint32_t{v} << 8);
      }
      break;
  }
}

uint8_t I8254Pit::read_count(unsigned ch) {
  Channel& c = ch_[ch];
  if (c.status_latched) {
    c.status_latched = false;
    return c.latched_status;
  }
  if (c.count_latched) {
    uint16_t v = c.latched_count;
    switch (c.access) {
      case 1: c.count_latched = false; return static_cast<uint8_t>(v);
      case 2: c.count_latched = false; return static_cast<uint8_t>(v >> 8);
      default:
        if (!c.latched_msb_next) {
          c.latched_msb_next = true;
          return static_cast<uint8_t>(v);
        }
        c.count_latched = false;
        return static_cast<uint8_t>(v >> 8);
    }
  }
  uint16_t v = count_at(c, now_tick());
  switch (c.access) {
    case 1: return static_cast<uint8_t>(v);
    case 2: return static_cast<uint8_t>(v >> 8);
    default: {
      bool msb = c.read_msb_next;
      c.read_msb_next = !msb;
      return static_cast<uint8_t>(msb ? v >> 8 : v);
    }
  }
}

void I8254Pit::set_gate(unsigned channel, bool level) {
  Channel& c = ch_[channel % 3];
  if (level == c.gate) return;
  uint64_t tick = now_tick();
  if (!level) {
    if (gate_pauses(c)) c.elapsed_base = elapsed(c, tick);
    c.gate = false;
  } else {
    c.gate = true;
    switch (c.mode) {
      case 0:
      case 4: c.start_tick = tick; break;  // counting resumes
      case 2:
      case 3:                              // rising gate reloads the count
        c.elapsed_base = 0;
        c.start_tick = tick;
        break;
      default:  // 1, 5: rising gate triggers (and retriggers) the count
        if (c.loaded) {
          c.triggered = true;
          c.elapsed_base = 0;
          c.start_tick = tick;
        }
        break;
    }
  }
  if (channel % 3 == 0) schedule_irq0();
}

void I8254Pit::set_irq0_enabled(bool enabled) {
  irq0_enabled_ = enabled;
  schedule_irq0();
}

void I8254Pit::schedule_irq0() {
  const Channel& c = ch_[0];
  if (!irq0_enabled_ || !counting(c) || (gate_pauses(c) && !c.gate)) {
    irq0_timer_.cancel();
    return;
  }
  const uint64_t n = c.count;
  const uint64_t d = elapsed(c, now_tick());
  uint64_t edge;  // elapsed-tick value at which OUT next rises
  switch (c.mode) {
    case 0:
    case 1:
      if (d >= n) {
        irq0_timer_.cancel();
        return;
      }
      edge = n;
      break;
    case 2:
    case 3: edge = (d / n + 1) * n; break;
    default:  // 4, 5: OUT is low during tick N and rises after it
      if (d > n) {
        irq0_timer_.cancel();
        return;
      }
      edge = n + 1;
      break;
  }
  irq0_timer_.arm(ns_of_tick(c.start_tick + (edge - c.elapsed_base)));
}

void I8254Pit::on_irq0_timer() {
  irq0_.pulse();
  schedule_irq0();
}

uint64_t I8254Pit::io_read(uint64_t offset, unsigned size) {
  if (offset < 3) return read_count(static_cast<unsigned>(offset));
  return 0xff;  // the control word register cannot be read
}

void I8254Pit::io_write(uint64_t offset, unsigned size, uint64_t value) {
  uint8_t v = static_cast<uint8_t>(value);
  if (offset < 3) write_count(static_cast<unsigned>(offset), v);
  else if (offset == 3) write_control(v);
}

}  // namespace emu
