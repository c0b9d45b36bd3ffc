// A PS/2 (MF2) keyboard: host commands (reset, identify, LEDs, scancode set, typematic,
// enable/disable, echo, resend) and a key input API. Keys are named by their USB HID
// usage ID (page 7), which is also SDL's scancode numbering, so front ends pass their
// scancodes through; the keyboard emits scancode set 2 (or set 1 when selected),
// including E0-prefixed keys, Print Screen and Pause. The i8042 translates set 2 to
// set 1 when its command byte asks for it (ps2_translate_set2_to_set1).
#pragma once
#include <cstdint>
#include <vector>

#include "devices/ps2_device.h"

namespace emu {

// A few HID usages by name (the full range 0x04-0x65 and 0xE0-0xE7 is accepted).
namespace hid {
constexpr uint16_t kA = 0x04, kZ = 0x1d, k1 = 0x1e, k0 = 0x27, kEnter = 0x28, kEscape = 0x29;
constexpr uint16_t kBackspace = 0x2a, kTab = 0x2b, kSpace = 0x2c, kF1 = 0x3a, kF7 = 0x40, kF12 = 0x45;
constexpr uint16_t kPrintScreen = 0x46, kScrollLock = 0x47, kPause = 0x48, kInsert = 0x49, kHome = 0x4a;
constexpr uint16_t kPageUp = 0x4b, kDelete = 0x4c, kEnd = 0x4d, kPageDown = 0x4e, kRight = 0x4f;
constexpr uint16_t kLeft = 0x50, kDown = 0x51, kUp = 0x52, kNumLock = 0x53, kKpDivide = 0x54;
constexpr uint16_t kKpEnter = 0x58, kKp7 = 0x5f, kLeftCtrl = 0xe0, kLeftShift = 0xe1, kLeftAlt = 0xe2;
constexpr uint16_t kLeftGui = 0xe3, kRightCtrl = 0xe4, kRightShift = 0xe5, kRightAlt = 0xe6, kRightGui = 0xe7;
}  // namespace hid

// Make-code bytes of a key in scancode set 1 or 2 (empty for unknown usages); the
// break code follows from the set's rules (set 1: | 0x80, set 2: F0 prefix).
std::vector<uint8_t> ps2_scancode(uint16_t hid_usage, int set, bool down);
// The i8042 translation of one set-2 byte (not F0) to set 1.
uint8_t ps2_translate_set2_to_set1(uint8_t byte);

class Ps2Keyboard : public Ps2Device {
 public:
  static constexpr size_t kBufferLimit = 16;  // key bytes beyond this are dropped

  Ps2Keyboard() { reset(); }
  void receive(uint8_t byte) override;
  void reset() override;

  // Host key event; dropped while scanning is disabled or the buffer is full.
  void press(uint16_t hid_usage, bool down);

  uint8_t leds() const { return leds_; }  // bit 0 scroll, 1 num, 2 caps lock
  int scancode_set() const { return set_; }
  bool scanning() const { return scanning_; }
  uint8_t typematic() const { return typematic_; }

 private:
  void set_defaults();
  uint8_t pending_ = 0;  // command awaiting its parameter byte
  uint8_t leds_ = 0;
  uint8_t typematic_ = 0x2b;
  int set_ = 2;
  bool scanning_ = true;
};

}  // namespace emu
