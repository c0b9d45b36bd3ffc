// PS/2 mouse commands and movement packets (see ps2_mouse.h).
#include "devices/ps2_mouse.h"

#include <algorithm>

namespace emu {

void Ps2Mouse::set_defaults() {
  rate_ = 100;
  resolution_ = 2;  // 4 counts/mm
  scaling_2to1_ = false;
  reporting_ = false;
}

void Ps2Mouse::reset() {
  clear_output();
  set_defaults();
  pending_ = 0;
  id_ = 0;
  remote_ = false;
  wrap_ = false;
  rate_history_ = {};
  dx_ = dy_ = dz_ = 0;
  buttons_dirty_ = false;
}

void Ps2Mouse::move(int dx, int dy, int dz, uint8_t buttons) {
  if (buttons != buttons_) buttons_dirty_ = true;
  buttons_ = buttons;
  if (!reporting_ && !remote_) return;  // stream mode, reporting off: motion is lost
  dx_ = std::clamp(dx_ + dx, -65536, 65536);
  dy_ = std::clamp(dy_ - dy, -65536, 65536);  // PS/2 counts up as positive
  if (id_ != 0) dz_ = std::clamp(dz_ + dz, -1024, 1024);  // a plain mouse has no wheel
  flush_motion();
}

void Ps2Mouse::flush_motion() {
  if (!reporting_ || remote_ || wrap_) return;
  size_t packet = id_ == 0 ? 3 : 4;
  while ((dx_ || dy_ || dz_ || buttons_dirty_) && queued() + packet <= kBufferLimit) send_packet();
}

void Ps2Mouse::send_packet() {
  // 9-bit two's complement deltas; larger motion is split over several packets.
  int dx = std::clamp(dx_, -256, 255), dy = std::clamp(dy_, -256, 255);
  int dz = std::clamp(dz_, -8, 7);
  dx_ -= dx, dy_ -= dy, dz_ -= dz;
  buttons_dirty_ = false;
  uint8_t b0 = static_cast<uint8_t>(0x08 | (buttons_ & 7));
  if (dx < 0) b0 |= 0x10;
  if (dy < 0) b0 |= 0x20;
  push(b0);
  push(static_cast<uint8_t>(dx & 0xff));
  push(static_cast<uint8_t>(dy & 0xff));
  if (id_ == 3) {
    push(static_cast<uint8_t>(dz & 0xff));
  } else if (id_ == 4) {
    push(static_cast<uint8_t>((dz & 0x0f) | ((buttons_ & (kButton4 | kButton5)) << 1)));
  }
}

void Ps2Mouse::receive(uint8_t byte) {
  if (wrap_ && byte != 0xec && byte != 0xff) {
    push(byte);  // wrap (echo) mode
    return;
  }
  if (pending_) {
    uint8_t cmd = pending_;
    pending_ = 0;
    if (cmd == 0xf3) {  // sample rate; the knock sequences switch the protocol
      rate_ = byte;
      rate_history_ = {rate_history_[1], rate_history_[2], byte};
      if (rate_history_ == std::array<uint8_t, 3>{200, 100, 80} && id_ == 0) id_ = 3;
      else if (rate_history_ == std::array<uint8_t, 3>{200, 200, 80} && id_ == 3) id_ = 4;
      push(kAck);
      return;
    }
    if (cmd == 0xe8) {  // resolution 0-3
      resolution_ = byte & 3;
      push(kAck);
      return;
    }
  }
  switch (byte) {
    case 0xff:  // reset: ACK, self-test passed, ID
      reset();
      push(kAck);
      push(kSelfTestPassed);
      push(0x00);
      return;
    case 0xfe:
      push(last_sent());
      return;
    case 0xf6:  // set defaults
      set_defaults();
      push(kAck);
      return;
    case 0xf5:  // disable data reporting
      reporting_ = false;
      clear_output();
      push(kAck);
      return;
    case 0xf4:  // enable data reporting, counters start from zero
      reporting_ = true;
      dx_ = dy_ = dz_ = 0;
      buttons_dirty_ = false;
      push(kAck);
      return;
    case 0xf3:
    case 0xe8:
      pending_ = byte;
      push(kAck);
      return;
    case 0xf2:  // get device ID
      push(kAck);
      push(id_);
      return;
    case 0xf0:  // remote mode
      remote_ = true;
      push(kAck);
      return;
    case 0xee:  // wrap mode
      wrap_ = true;
      push(kAck);
      return;
    case 0xec:  // leave wrap mode
      wrap_ = false;
      push(kAck);
      return;
    case 0xeb:  // read data (one packet, even if nothing moved)
      push(kAck);
      send_packet();
      return;
    case 0xea:  // stream mode
      remote_ = false;
      push(kAck);
      return;
    case 0xe9: {  // status request: flags, resolution, sample rate
      uint8_t flags = static_cast<uint8_t>((remote_ ? 0x40 : 0) | (reporting_ ? 0x20 : 0) |
                                           (scaling_2to1_ ? 0x10 : 0) | ((buttons_ & kLeft) ? 0x04 : 0) |
                                           ((buttons_ & kMiddle) ? 0x02 : 0) | ((buttons_ & kRight) ? 0x01 : 0));
      push(kAck);
      push(flags);
      push(resolution_);
      push(rate_);
      return;
    }
    case 0xe7:
      scaling_2to1_ = true;
      push(kAck);
      return;
    case 0xe6:
      scaling_2to1_ = false;
      push(kAck);
      return;
    default:
      push(kResend);
      return;
  }
}

}  // namespace emu
