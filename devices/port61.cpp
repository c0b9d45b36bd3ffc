// Port 0x61 (see port61.h).
#include "devices/port61.h"

namespace emu {

namespace {
// The refresh request (PIT channel 1 programmed with 18 by PC firmware) toggles every
// 18 input clocks, about 15.09 us.
constexpr uint64_t kRefreshTicks = 18;
}  // namespace

Port61::Port61(Clock& clock, I8254Pit& pit) : clock_(clock), pit_(pit) { reset(); }

void Port61::reset() {
  control_ = 0;
  pit_.set_gate(2, false);
}

uint64_t Port61::io_read(uint64_t offset, unsigned size) {
  bool refresh = (I8254Pit::ticks_at(clock_.now()) / kRefreshTicks) & 1;
  bool out2 = pit_.out(2);
  return (control_ & 0x0f) | (refresh ? 0x10 : 0) | (out2 ? 0x20 : 0);
}

void Port61::io_write(uint64_t offset, unsigned size, uint64_t value) {
  control_ = static_cast<uint8_t>(value & 0x0f);
  pit_.set_gate(2, control_ & 0x01);
}

}  // namespace emu
