// PS/2 keyboard commands and scancode encoding (see ps2_keyboard.h).
#include "devices/ps2_keyboard.h"

#include <array>

namespace emu {

namespace {

// Make codes of one key: 0xE0xx marks an E0-prefixed code; 0 = no such key.
struct KeyCodes {
  uint16_t set1;
  uint16_t set2;
};

// Indexed by HID usage 0x00-0x67; modifiers 0xE0-0xE7 are in kModifiers.
constexpr std::array<KeyCodes, 0x68> kKeys = [] {
  std::array<KeyCodes, 0x68> t{};
  auto k = [&](unsigned usage, uint16_t s1, uint16_t s2) { t[usage] = {s1, s2}; };
  // Letters A-Z.
  k(0x04, 0x1e, 0x1c); k(0x05, 0x30, 0x32); k(0x06, 0x2e, 0x21); k(0x07, 0x20, 0x23);
  k(0x08, 0x12, 0x24); k(0x09, 0x21, 0x2b); k(0x0a, 0x22, 0x34); k(0x0b, 0x23, 0x33);
  k(0x0c, 0x17, 0x43); k(0x0d, 0x24, 0x3b); k(0x0e, 0x25, 0x42); k(0x0f, 0x26, 0x4b);
  k(0x10, 0x32, 0x3a); k(0x11, 0x31, 0x31); k(0x12, 0x18, 0x44); k(0x13, 0x19, 0x4d);
  k(0x14, 0x10, 0x15); k(0x15, 0x13, 0x2d); k(0x16, 0x1f, 0x1b); k(0x17, 0x14, 0x2c);
  k(0x18, 0x16, 0x3c); k(0x19, 0x2f, 0x2a); k(0x1a, 0x11, 0x1d); k(0x1b, 0x2d, 0x22);
  k(0x1c, 0x15, 0x35); k(0x1d, 0x2c, 0x1a);
  // Digits 1-9, 0.
  k(0x1e, 0x02, 0x16); k(0x1f, 0x03, 0x1e); k(0x20, 0x04, 0x26); k(0x21, 0x05, 0x25);
  k(0x22, 0x06, 0x2e); k(0x23, 0x07, 0x36); k(0x24, 0x08, 0x3d); k(0x25, 0x09, 0x3e);
  k(0x26, 0x0a, 0x46); k(0x27, 0x0b, 0x45);
  // Enter, Esc, Backspace, Tab, Space, - = [ ] \ #(non-US) ; ' ` , . / CapsLock.
  k(0x28, 0x1c, 0x5a); k(0x29, 0x01, 0x76); k(0x2a, 0x0e, 0x66); k(0x2b, 0x0f, 0x0d);
  k(0x2c, 0x39, 0x29); k(0x2d, 0x0c, 0x4e); k(0x2e, 0x0d, 0x55); k(0x2f, 0x1a, 0x54);
  k(0x30, 0x1b, 0x5b); k(0x31, 0x2b, 0x5d); k(0x32, 0x2b, 0x5d); k(0x33, 0x27, 0x4c);
  k(0x34, 0x28, 0x52); k(0x35, 0x29, 0x0e); k(0x36, 0x33, 0x41); k(0x37, 0x34, 0x49);
  k(0x38, 0x35, 0x4a); k(0x39, 0x3a, 0x58);
  // F1-F12.
  k(0x3a, 0x3b, 0x05); k(0x3b, 0x3c, 0x06); k(0x3c, 0x3d, 0x04); k(0x3d, 0x3e, 0x0c);
  k(0x3e, 0x3f, 0x03); k(0x3f, 0x40, 0x0b); k(0x40, 0x41, 0x83); k(0x41, 0x42, 0x0a);
  k(0x42, 0x43, 0x01); k(0x43, 0x44, 0x09); k(0x44, 0x57, 0x78); k(0x45, 0x58, 0x07);
  // 0x46 PrintScreen and 0x48 Pause are multi-byte specials (see ps2_scancode).
  k(0x47, 0x46, 0x7e);  // ScrollLock
  // Insert Home PgUp Delete End PgDn Right Left Down Up.
  k(0x49, 0xe052, 0xe070); k(0x4a, 0xe047, 0xe06c); k(0x4b, 0xe049, 0xe07d); k(0x4c, 0xe053, 0xe071);
  k(0x4d, 0xe04f, 0xe069); k(0x4e, 0xe051, 0xe07a); k(0x4f, 0xe04d, 0xe074); k(0x50, 0xe04b, 0xe06b);
  k(0x51, 0xe050, 0xe072); k(0x52, 0xe048, 0xe075);
  // NumLock, keypad / * - + Enter 1-9 0 .
  k(0x53, 0x45, 0x77); k(0x54, 0xe035, 0xe04a); k(0x55, 0x37, 0x7c); k(0x56, 0x4a, 0x7b);
  k(0x57, 0x4e, 0x79); k(0x58, 0xe01c, 0xe05a); k(0x59, 0x4f, 0x69); k(0x5a, 0x50, 0x72);
  k(0x5b, 0x51, 0x7a); k(0x5c, 0x4b, 0x6b); k(0x5d, 0x4c, 0x73); k(0x5e, 0x4d, 0x74);
  k(0x5f, 0x47, 0x6c); k(0x60, 0x48, 0x75); k(0x61, 0x49, 0x7d); k(0x62, 0x52, 0x70);
  k(0x63, 0x53, 0x71);
  k(0x64, 0x56, 0x61);      // non-US backslash (102nd key)
  k(0x65, 0xe05d, 0xe02f);  // Application (menu)
  return t;
}();

// HID 0xE0-0xE7: LCtrl LShift LAlt LGui RCtrl RShift RAlt RGui.
constexpr std::array<KeyCodes, 8> kModifiers = {{
    {0x1d, 0x14}, {0x2a, 0x12}, {0x38, 0x11}, {0xe05b, 0xe01f},
    {0xe01d, 0xe014}, {0x36, 0x59}, {0xe038, 0xe011}, {0xe05c, 0xe027},
}};

KeyCodes lookup(uint16_t usage) {
  if (usage < kKeys.size()) return kKeys[usage];
  if (usage >= 0xe0 && usage <= 0xe7) return kModifiers[usage - 0xe0];
  return {0, 0};
}

// The 8042's set 2 -> set 1 table, derived from the key table: every key's set-2 code
// byte maps to its set-1 code byte. Bytes no key uses pass through unchanged.
constexpr std::array<uint8_t, 256> kTranslate = [] {
  std::array<uint8_t, 256> t{};
  for (unsigned i = 0; i < 256; i++) t[i] = static_cast<uint8_t>(i);
  auto add = [&](KeyCodes c) {
    if (c.set2) t[c.set2 & 0xff] = static_cast<uint8_t>(c.set1 & 0xff);
  };
  for (auto c : kKeys) add(c);
  for (auto c : kModifiers) add(c);
  // Bytes used only inside Print Screen / Pause sequences: 12->2A, 7C->37, 14->1D, 77->45
  // are already covered by LShift, KP*, LCtrl and NumLock.
  return t;
}();

void append_code(std::vector<uint8_t>& out, uint16_t code, int set, bool down) {
  if (code >> 8) out.push_back(0xe0);
  uint8_t b = static_cast<uint8_t>(code);
  if (set == 1) {
    out.push_back(down ? b : static_cast<uint8_t>(b | 0x80));
  } else {
    if (!down) out.push_back(0xf0);
    out.push_back(b);
  }
}

}  // namespace

uint8_t ps2_translate_set2_to_set1(uint8_t byte) { return kTranslate[byte]; }

std::vector<uint8_t> ps2_scancode(uint16_t usage, int set, bool down) {
  std::vector<uint8_t> out;
  if (usage == hid::kPrintScreen) {
    // Set 2: E0 12 E0 7C / E0 F0 7C E0 F0 12; set 1: E0 2A E0 37 / E0 B7 E0 AA.
    if (set == 1) out = down ? std::vector<uint8_t>{0xe0, 0x2a, 0xe0, 0x37} : std::vector<uint8_t>{0xe0, 0xb7, 0xe0, 0xaa};
    else out = down ? std::vector<uint8_t>{0xe0, 0x12, 0xe0, 0x7c} : std::vector<uint8_t>{0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12};
    return out;
  }
  if (usage == hid::kPause) {
    // Make only, no break code.
    if (!down) return out;
    if (set == 1) return {0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5};
    return {0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77};
  }
  KeyCodes c = lookup(usage);
  uint16_t code = set == 1 ? c.set1 : c.set2;
  if (code) append_code(out, code, set, down);
  return out;
}

void Ps2Keyboard::set_defaults() {
  typematic_ = 0x2b;  // 10.9 characters/s, 500 ms delay
  set_ = 2;
}

void Ps2Keyboard::reset() {
  clear_output();
  set_defaults();
  pending_ = 0;
  leds_ = 0;
  scanning_ = true;
}

void Ps2Keyboard::press(uint16_t usage, bool down) {
  if (!scanning_) return;
  std::vector<uint8_t> bytes = ps2_scancode(usage, set_, down);
  if (bytes.empty() || queued() + bytes.size() > kBufferLimit) return;
  for (uint8_t b : bytes) push(b);
}

void Ps2Keyboard::receive(uint8_t byte) {
  if (pending_) {
    uint8_t cmd = pending_;
    pending_ = 0;
    switch (cmd) {
      case 0xed:  // set LEDs
        leds_ = byte & 7;
        push(kAck);
        return;
      case 0xf3:  // typematic rate/delay
        typematic_ = byte & 0x7f;
        push(kAck);
        return;
      case 0xf0:  // scancode set: 0 = query, 1/2 = select (set 3 unsupported)
        if (byte == 0) {
          push(kAck);
          push(static_cast<uint8_t>(set_));
        } else if (byte == 1 || byte == 2) {
          set_ = byte;
          clear_output();
          push(kAck);
        } else {
          push(kResend);
        }
        return;
      default:
        break;
    }
  }
  switch (byte) {
    case 0xff:  // reset and self-test
      reset();
      push(kAck);
      push(kSelfTestPassed);
      return;
    case 0xfe:  // resend the last byte
      push(last_sent());
      return;
    case 0xf6:  // set defaults, keep scanning state
      set_defaults();
      push(kAck);
      return;
    case 0xf5:  // disable scanning and restore defaults
      clear_output();
      set_defaults();
      scanning_ = false;
      push(kAck);
      return;
    case 0xf4:  // enable scanning
      clear_output();
      scanning_ = true;
      push(kAck);
      return;
    case 0xf2:  // identify: MF2 keyboard
      push(kAck);
      push(0xab);
      push(0x83);
      return;
    case 0xee:  // echo
      push(0xee);
      return;
    case 0xed:
    case 0xf3:
    case 0xf0:
      pending_ = byte;
      push(kAck);
      return;
    case 0xf7: case 0xf8: case 0xf9: case 0xfa: case 0xfb: case 0xfc: case 0xfd:
      push(kAck);  // set-3 key type commands: accepted, no effect
      return;
    default:
      push(kResend);
      return;
  }
}

}  // namespace emu
