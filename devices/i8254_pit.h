// The i8254 programmable interval timer at ports 0x40-0x43 (1.193182 MHz input clock).
// Counters are never ticked: each channel's count and OUT level are computed from the
// virtual clock on demand. Channel 0's OUT rising edges pulse IRQ0 through one Timer
// armed for the next edge. Channel 2's gate and OUT are wired to port 0x61 (Port61).
#pragma once
#include <cstdint>

#include "devices/clock.h"
#include "devices/irq.h"
#include "memory/io_handler.h"

namespace emu {

class I8254Pit : public IoHandler {
 public:
  static constexpr uint64_t kFrequencyHz = 1193182;

  // `irq0` is pulsed on each rising edge of channel 0's OUT.
  I8254Pit(Clock& clock, IrqLine& irq0);

  // Power-on state: no counts loaded, gates 0/1 high, gate 2 low, timer idle.
  void reset();

  // Ports 0x40-0x43 (offsets 0-3).
  uint64_t io_read(uint64_t offset, unsigned size) override;
  void io_write(uint64_t offset, unsigned size, uint64_t value) override;

  // Gate input of a channel (channel 2's comes from port 0x61 bit 0).
  void set_gate(unsigned channel, bool level);
  bool gate(unsigned channel) const { return ch_[channel % 3].gate; }
  // OUT level of a channel now.
  bool out(unsigned channel);

  // Connects or disconnects channel 0's OUT from IRQ0 (HPET legacy replacement mode
  // takes IRQ0 over). While disconnected no IRQ0 timer runs.
  void set_irq0_enabled(bool enabled);

  // Input clock ticks since guest time 0 at `ns`, and the first ns at which tick `t` has
  // happened (exact integer conversions; used by tests and by port 0x61).
  static uint64_t ticks_at(uint64_t ns);
  static uint64_t ns_of_tick(uint64_t tick);

 private:
  struct Channel {
    uint32_t count = 0x10000;  // reload value N (1..0x10000; 0 written means max)
    uint8_t mode = 0;          // effective mode 0-5
    uint8_t mode_bits = 0;     // M2..M0 as written (for status read-back)
    uint8_t access = 3;        // RW bits: 1 LSB, 2 MSB, 3 LSB then MSB
    bool bcd = false;
    bool gate = true;
    bool loaded = false;       // a count has been written since the control word
    bool triggered = false;    // modes 1/5: a gate rising edge started the count
    bool waiting_msb = false;  // write flip-flop (LSB written, MSB expected)
    uint8_t lsb_written = 0;
    bool read_msb_next = false;  // read flip-flop for unlatched reads
    bool count_latched = false;
    uint16_t latched_count = 0;
    bool latched_msb_next = false;
    bool status_latched = false;
    uint8_t latched_status = 0;
    uint64_t start_tick = 0;   // absolute tick where the current running span began
    uint64_t elapsed_base = 0; // ticks counted before that span (gate pauses)
  };

  bool gate_pauses(const Channel& c) const { return c.mode == 0 || c.mode == 2 || c.mode == 3 || c.mode == 4; }
  bool counting(const Channel& c) const;
  uint64_t elapsed(const Channel& c, uint64_t tick) const;
  bool out_at(const Channel& c, uint64_t tick) const;
  uint16_t count_at(const Channel& c, uint64_t tick) const;  // CE contents as read
  uint8_t status(unsigned ch, uint64_t tick) const;
  void write_control(uint8_t v);
  void write_count(unsigned ch, uint8_t v);
  uint8_t read_count(unsigned ch);
  void load(unsigned ch, uint32_t raw);
  void latch_count(unsigned ch, uint64_t tick);
  // Re-arms the IRQ0 timer for channel 0's next OUT rising edge.
  void schedule_irq0();
  void on_irq0_timer();
  uint64_t now_tick() { return ticks_at(clock_.now()); }

  Clock& clock_;
  IrqLine& irq0_;
  Timer irq0_timer_;
  Channel ch_[3];
  bool irq0_enabled_ = true;
};

}  // namespace emu
