// i8042 + PS/2 keyboard + mouse, driven in the order Linux's i8042, atkbd and psmouse
// drivers probe them (drivers/input/serio/i8042.c, keyboard/atkbd.c, mouse/psmouse-base.c).
#include <catch2/catch.hpp>

#include <vector>

#include "devices/i8042.h"
#include "memory/io_space.h"
#include "test_io.h"

using namespace emu;

namespace {

struct Rig {
  IoSpace io;
  RecordingMachineControl mc;
  Ps2Keyboard kbd;
  Ps2Mouse mouse;
  I8042 ctl{&kbd, &mouse, &mc};
  test::RecordingIrqSink pic;
  Rig() {
    io.map(I8042::kDataPort, 1, &ctl, "i8042-data");
    io.map(I8042::kCommandPort, 1, &ctl.command_port(), "i8042-cmd");
    ctl.keyboard_irq().connect(&pic, I8042::kKeyboardIrq);
    ctl.mouse_irq().connect(&pic, I8042::kMouseIrq);
  }
  uint8_t status() { return static_cast<uint8_t>(io.read(0x64, 1)); }
  void command(uint8_t c) { io.write(0x64, 1, c); }
  void data(uint8_t d) { io.write(0x60, 1, d); }
  // Reads every byte the controller has ready, as i8042_flush() does.
  std::vector<uint8_t> drain() {
    std::vector<uint8_t> out;
    for (int i = 0; i < 64 && (status() & I8042::kStsOutputFull); i++) out.push_back(static_cast<uint8_t>(io.read(0x60, 1)));
    return out;
  }
  // i8042_command() with one result byte.
  uint8_t command_result(uint8_t c) {
    command(c);
    REQUIRE((status() & I8042::kStsOutputFull));
    return static_cast<uint8_t>(io.read(0x60, 1));
  }
  // ps2_command() through the controller: send a byte to the mouse (0xD4) or keyboard.
  std::vector<uint8_t> to_mouse(uint8_t b) {
    command(0xd4);
    data(b);
    return drain();
  }
  std::vector<uint8_t> to_kbd(uint8_t b) {
    data(b);
    return drain();
  }
};

using Bytes = std::vector<uint8_t>;

}  // namespace

TEST_CASE("i8042 controller probe as Linux does it", "[i8042]") {
  Rig r;
  CHECK(r.drain().empty());                       // i8042_flush
  CHECK(r.command_result(0xaa) == 0x55);          // I8042_CMD_CTL_TEST
  uint8_t ctr = r.command_result(0x20);           // I8042_CMD_CTL_RCTR
  CHECK(ctr == I8042::kCtrPowerOn);
  // i8042_controller_init: disable both ports' interrupts, keep XLATE.
  ctr = static_cast<uint8_t>((ctr | I8042::kCtrKbdDisable) & ~(I8042::kCtrKbdInt | I8042::kCtrAuxInt));
  r.command(0x60);
  r.data(ctr);
  CHECK(r.command_result(0x20) == ctr);
  CHECK(r.ctl.command_byte() == ctr);
  // i8042_check_aux: AUX loopback returns the byte flagged as AUX data.
  r.command(0xd3);
  r.data(0x5a);
  REQUIRE((r.status() & (I8042::kStsOutputFull | I8042::kStsAuxData)) == (I8042::kStsOutputFull | I8042::kStsAuxData));
  CHECK(r.io.read(0x60, 1) == 0x5a);
  // i8042_toggle_aux: disabling/enabling the AUX port shows in the command byte.
  r.command(0xa7);
  CHECK((r.command_result(0x20) & I8042::kCtrAuxDisable) != 0);
  r.command(0xa8);
  CHECK((r.command_result(0x20) & I8042::kCtrAuxDisable) == 0);
  // The AUX IRQ test: with AUXINT on, loopback data raises IRQ 12 (not IRQ 1).
  r.command(0x60);
  r.data(static_cast<uint8_t>(ctr | I8042::kCtrAuxInt));
  r.command(0xd3);
  r.data(0xa5);
  CHECK(r.pic.level[12]);
  CHECK_FALSE(r.pic.level[1]);
  CHECK(r.io.read(0x60, 1) == 0xa5);
  CHECK_FALSE(r.pic.level[12]);
  // Interface tests.
  CHECK(r.command_result(0xab) == 0x00);
  CHECK(r.command_result(0xa9) == 0x00);
}

TEST_CASE("atkbd probe through a translating controller", "[i8042][atkbd]") {
  Rig r;
  r.command(0x60);
  r.data(I8042::kCtrKbdInt | I8042::kCtrSystem | I8042::kCtrTranslate);
  // ATKBD_CMD_GETID: ACK then AB 83, which translation turns into AB 41.
  CHECK(r.to_kbd(0xf2) == Bytes{0xfa, 0xab, 0x41});
  CHECK(r.to_kbd(0xf5) == Bytes{0xfa});          // ATKBD_CMD_RESET_DIS
  r.kbd.press(hid::kA, true);
  CHECK(r.drain().empty());                         // scanning disabled
  CHECK(r.to_kbd(0xed) == Bytes{0xfa});           // ATKBD_CMD_SETLEDS
  CHECK(r.to_kbd(0x02) == Bytes{0xfa});
  CHECK(r.kbd.leds() == 0x02);
  CHECK(r.to_kbd(0xf3) == Bytes{0xfa});           // ATKBD_CMD_SETREP
  CHECK(r.to_kbd(0x20) == Bytes{0xfa});
  CHECK(r.kbd.typematic() == 0x20);
  CHECK(r.to_kbd(0xf4) == Bytes{0xfa});           // ATKBD_CMD_ENABLE
  CHECK(r.to_kbd(0xee) == Bytes{0xee});           // echo
  CHECK(r.to_kbd(0x12) == Bytes{0xfe});           // not a command
  CHECK(r.to_kbd(0xff) == Bytes{0xfa, 0xaa});     // reset + BAT
  CHECK(r.to_kbd(0xfe) == Bytes{0xaa});           // resend repeats the last byte
}

TEST_CASE("keys: set 2 raw, set 1 through translation, IRQ 1", "[i8042][atkbd]") {
  Rig r;
  // Translation on (power-on command byte): 'A' is 1E / 9E in set 1.
  r.kbd.press(hid::kA, true);
  CHECK(r.pic.level[1]);
  r.kbd.press(hid::kA, false);
  CHECK(r.drain() == Bytes{0x1e, 0x9e});
  CHECK_FALSE(r.pic.level[1]);
  // E0 keys keep the prefix: Right Ctrl E0 1D / E0 9D, Up arrow E0 48 / E0 C8.
  r.kbd.press(hid::kRightCtrl, true);
  r.kbd.press(hid::kRightCtrl, false);
  r.kbd.press(hid::kUp, true);
  r.kbd.press(hid::kUp, false);
  CHECK(r.drain() == Bytes{0xe0, 0x1d, 0xe0, 0x9d, 0xe0, 0x48, 0xe0, 0xc8});
  // F7 is the one set-2 code above 0x7F (83 -> 41).
  r.kbd.press(hid::kF7, true);
  CHECK(r.drain() == Bytes{0x41});
  // Pause: E1 1D 45 E1 9D C5 in set 1.
  r.kbd.press(hid::kPause, true);
  CHECK(r.drain() == Bytes{0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5});
  // Translation off: raw set 2.
  r.command(0x60);
  r.data(I8042::kCtrKbdInt | I8042::kCtrSystem);
  r.kbd.press(hid::kA, true);
  r.kbd.press(hid::kA, false);
  r.kbd.press(hid::kLeftShift, true);
  r.kbd.press(hid::kDelete, false);
  CHECK(r.drain() == Bytes{0x1c, 0xf0, 0x1c, 0x12, 0xe0, 0xf0, 0x71});
  r.kbd.press(hid::kPrintScreen, true);
  CHECK(r.drain() == Bytes{0xe0, 0x12, 0xe0, 0x7c});
  // Keyboard-disabled port holds the bytes back until re-enabled.
  r.command(0xad);
  r.kbd.press(hid::kEscape, true);
  CHECK(r.drain().empty());
  r.command(0xae);
  CHECK(r.drain() == Bytes{0x76});
  // KBDINT off: data but no IRQ.
  r.command(0x60);
  r.data(I8042::kCtrSystem);
  r.kbd.press(hid::kEscape, false);
  CHECK((r.status() & I8042::kStsOutputFull) != 0);
  CHECK_FALSE(r.pic.level[1]);
}

TEST_CASE("scancode set selection", "[atkbd]") {
  Rig r;
  r.command(0x60);
  r.data(I8042::kCtrKbdInt);  // no translation
  CHECK(r.to_kbd(0xf0) == Bytes{0xfa});
  CHECK(r.to_kbd(0x00) == Bytes{0xfa, 0x02});
  CHECK(r.to_kbd(0xf0) == Bytes{0xfa});
  CHECK(r.to_kbd(0x01) == Bytes{0xfa});
  r.kbd.press(hid::kA, true);
  r.kbd.press(hid::kA, false);
  CHECK(r.drain() == Bytes{0x1e, 0x9e});
}

TEST_CASE("translation agrees with set 1 for every key", "[atkbd]") {
  // Independent check of the two code tables: translating a key's set-2 make and break
  // bytes (as the 8042 does) must give exactly its set-1 make and break bytes.
  for (uint16_t usage = 0; usage < 0xe8; usage++) {
    for (bool down : {true, false}) {
      Bytes s2 = ps2_scancode(usage, 2, down), s1 = ps2_scancode(usage, 1, down);
      Bytes translated;
      bool brk = false;
      for (uint8_t b : s2) {
        if (b == 0xf0) {
          brk = true;
          continue;
        }
        translated.push_back(static_cast<uint8_t>(ps2_translate_set2_to_set1(b) | (brk ? 0x80 : 0)));
        brk = false;
      }
      INFO("usage 0x" << std::hex << usage << " down " << down);
      CHECK(translated == s1);
    }
  }
  CHECK(ps2_scancode(0x04, 2, true) == Bytes{0x1c});
  CHECK(ps2_scancode(0x28, 1, true) == Bytes{0x1c});  // Enter
}

TEST_CASE("psmouse probe: reset, ID, IntelliMouse knock, status, packets on IRQ 12", "[i8042][psmouse]") {
  Rig r;
  r.command(0x60);
  r.data(I8042::kCtrKbdInt | I8042::kCtrAuxInt | I8042::kCtrSystem | I8042::kCtrTranslate);
  CHECK(r.to_mouse(0xff) == Bytes{0xfa, 0xaa, 0x00});  // PSMOUSE_CMD_RESET_BAT
  CHECK(r.to_mouse(0xf2) == Bytes{0xfa, 0x00});        // PSMOUSE_CMD_GETID
  CHECK(r.to_mouse(0xf6) == Bytes{0xfa});              // PSMOUSE_CMD_RESET_DIS
  // Synaptics probe: E8 00 x4 then E9 — a plain mouse answers its status.
  for (int i = 0; i < 4; i++) {
    CHECK(r.to_mouse(0xe8) == Bytes{0xfa});
    CHECK(r.to_mouse(0x00) == Bytes{0xfa});
  }
  CHECK(r.to_mouse(0xe9) == Bytes{0xfa, 0x00, 0x00, 100});
  // intellimouse_detect: rates 200, 100, 80 then GETID -> 3.
  for (uint8_t rate : {200, 100, 80}) {
    CHECK(r.to_mouse(0xf3) == Bytes{0xfa});
    CHECK(r.to_mouse(rate) == Bytes{0xfa});
  }
  CHECK(r.to_mouse(0xf2) == Bytes{0xfa, 0x03});
  // im_explorer_detect: 200, 200, 80 -> 4.
  for (uint8_t rate : {200, 200, 80}) {
    r.to_mouse(0xf3);
    r.to_mouse(rate);
  }
  CHECK(r.to_mouse(0xf2) == Bytes{0xfa, 0x04});
  CHECK(r.to_mouse(0xff) == Bytes{0xfa, 0xaa, 0x00});  // reset drops back to ID 0
  CHECK(r.to_mouse(0xf2) == Bytes{0xfa, 0x00});
  for (uint8_t rate : {200, 100, 80}) {
    r.to_mouse(0xf3);
    r.to_mouse(rate);
  }
  CHECK(r.to_mouse(0xe8) == Bytes{0xfa});  // PSMOUSE_CMD_SETRES
  CHECK(r.to_mouse(0x03) == Bytes{0xfa});
  CHECK(r.to_mouse(0xe6) == Bytes{0xfa});  // SETSCALE11
  r.mouse.move(5, 5, 0, 0);
  CHECK(r.drain().empty());  // reporting still off
  CHECK(r.to_mouse(0xf4) == Bytes{0xfa});  // PSMOUSE_CMD_ENABLE
  CHECK(r.to_mouse(0xe9) == Bytes{0xfa, 0x20, 0x03, 80});
  // Movement: +3 right, 2 down (PS/2 -2), wheel +1, left button; IntelliMouse 4 bytes.
  r.mouse.move(3, 2, 1, Ps2Mouse::kLeft);
  CHECK(r.pic.level[12]);
  CHECK_FALSE(r.pic.level[1]);
  CHECK(r.status() & I8042::kStsAuxData);
  // The 5,5 while reporting was off is lost.
  CHECK(r.drain() == Bytes{0x08 | 0x01 | 0x20, 3, 0xfe, 0x01});
  // Large motion splits into packets of at most 255.
  r.mouse.move(300, 0, 0, Ps2Mouse::kLeft);
  CHECK(r.drain() == Bytes{0x09, 255, 0, 0, 0x09, 45, 0, 0});
  // A button release alone makes a packet.
  r.mouse.move(0, 0, 0, 0);
  CHECK(r.drain() == Bytes{0x08, 0, 0, 0});
  CHECK(r.to_mouse(0xf5) == Bytes{0xfa});
  CHECK(r.to_mouse(0x42) == Bytes{0xfe});
}

TEST_CASE("output port: A20 gate and reset line", "[i8042]") {
  Rig r;
  std::vector<bool> a20;
  r.ctl.a20_changed = [&](bool on) { a20.push_back(on); };
  uint8_t out = r.command_result(0xd0);
  CHECK((out & (I8042::kOutReset | I8042::kOutA20)) == (I8042::kOutReset | I8042::kOutA20));
  r.command(0xd1);
  r.data(static_cast<uint8_t>(out & ~I8042::kOutA20));
  CHECK(a20 == std::vector<bool>{false});
  CHECK_FALSE(r.ctl.a20_enabled());
  CHECK(r.mc.requests.empty());
  r.command(0xd1);
  r.data(I8042::kOutA20);  // reset bit low
  CHECK(r.mc.resets() == 1);
  r.command(0xfe);  // pulse reset line
  CHECK(r.mc.resets() == 2);
  r.command(0xff);  // pulses nothing
  CHECK(r.mc.resets() == 2);
  // 0xD2 writes the keyboard output buffer, with IRQ 1.
  r.command(0x60);
  r.data(I8042::kCtrKbdInt);
  r.command(0xd2);
  r.data(0x5c);
  CHECK(r.pic.level[1]);
  CHECK((r.status() & I8042::kStsAuxData) == 0);
  CHECK(r.io.read(0x60, 1) == 0x5c);
}

TEST_CASE("a guest flooding commands without reading stays bounded", "[i8042]") {
  Rig r;
  for (int i = 0; i < 100000; i++) r.command(0x20);
  for (int i = 0; i < 100000; i++) {
    r.command(0xd4);
    r.data(0xf2);  // each queues two mouse bytes
  }
  for (int i = 0; i < 100000; i++) r.data(0xee);  // keyboard echo
  size_t n = r.drain().size();
  CHECK(n > 0);
  CHECK(n <= 64);  // drain() stops at 64; the point is that it terminates
  // Still works afterwards.
  while (r.status() & I8042::kStsOutputFull) r.io.read(0x60, 1);
  CHECK(r.command_result(0xaa) == 0x55);
}
