// Port 0x61, the PC's "NMI status and control" / speaker port: bit 0 drives PIT channel
// 2's gate, bit 1 the speaker data, bits 2-3 enable parity/IOCHK NMIs; reads add the
// refresh toggle (bit 4, flips every ~15 us), channel 2's OUT (bit 5) and the NMI status
// bits (6 IOCHK, 7 SERR, always 0 here).
#pragma once
#include <cstdint>

#include "devices/clock.h"
#include "devices/i8254_pit.h"
#include "memory/io_handler.h"

namespace emu {

class Port61 : public IoHandler {
 public:
  Port61(Clock& clock, I8254Pit& pit);
  void reset();

  uint64_t io_read(uint64_t offset, unsigned size) override;
  void io_write(uint64_t offset, unsigned size, uint64_t value) override;

  // The speaker sounds when channel 2 is gated and the data bit is set.
  bool speaker_enabled() const { return (control_ & 0x03) == 0x03; }

 private:
  Clock& clock_;
  I8254Pit& pit_;
  uint8_t control_ = 0;  // bits 0-3 as written
};

}  // namespace emu
