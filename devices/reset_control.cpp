// Port 0xCF9 reset control (see reset_control.h).
#include "devices/reset_control.h"

namespace emu {

namespace {
constexpr uint8_t kSysReset = 1u << 1;  // hard (full) reset rather than CPU-only
constexpr uint8_t kResetCpu = 1u << 2;  // 0->1 transition starts the reset
constexpr uint8_t kFullReset = 1u << 3;
}  // namespace

uint64_t ResetControl::io_read(uint64_t offset, unsigned size) { return value_; }

void ResetControl::io_write(uint64_t offset, unsigned size, uint64_t value) {
  uint8_t v = static_cast<uint8_t>(value);
  if ((v & kResetCpu) && !(value_ & kResetCpu)) {
    // Both soft (bit 1 clear) and hard resets restart the whole machine here: there is
    // no state a soft reset would keep that matters to the guests we run.
    control_->request_reset((v & kSysReset) ? "port 0xCF9 hard reset" : "port 0xCF9 soft reset");
    value_ = v & (kSysReset | kFullReset);  // RST_CPU self-clears
    return;
  }
  value_ = v & (kSysReset | kFullReset | kResetCpu);
}

}  // namespace emu
