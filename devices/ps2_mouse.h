// A PS/2 mouse: reset, identify (ID 0; IntelliMouse ID 3 after the sample-rate
// sequence 200,100,80 and Explorer ID 4 after 200,200,80), sample rate, resolution,
// scaling, stream/remote/wrap modes, status request and movement packets.
#pragma once
#include <array>
#include <cstdint>

#include "devices/ps2_device.h"

namespace emu {

class Ps2Mouse : public Ps2Device {
 public:
  // Button bits for move(): PS/2 order.
  static constexpr uint8_t kLeft = 1, kRight = 2, kMiddle = 4, kButton4 = 8, kButton5 = 16;
  static constexpr size_t kBufferLimit = 16;

  Ps2Mouse() { reset(); }
  void receive(uint8_t byte) override;
  void reset() override;

  // Host motion: dx right, dy DOWN (screen convention; the mouse reports up as
  // positive), dz wheel clicks (positive = towards the user), buttons as above.
  // Movement accumulates and goes out in packets while reporting is enabled.
  void move(int dx, int dy, int dz, uint8_t buttons);

  uint8_t id() const { return id_; }
  bool reporting() const { return reporting_; }
  uint8_t sample_rate() const { return rate_; }
  uint8_t resolution() const { return resolution_; }

 private:
  void set_defaults();
  void flush_motion();
  void send_packet();
  uint8_t pending_ = 0;
  uint8_t id_ = 0;
  uint8_t rate_ = 100, resolution_ = 2;
  bool scaling_2to1_ = false, reporting_ = false, remote_ = false, wrap_ = false;
  std::array<uint8_t, 3> rate_history_{};
  int dx_ = 0, dy_ = 0, dz_ = 0;  // pending motion, PS/2 orientation (up = +)
  uint8_t buttons_ = 0;
  bool buttons_dirty_ = false;
};

}  // namespace emu
