// The i8042 keyboard controller at ports 0x60 (data) and 0x64 (status/command), with a
// PS/2 keyboard on its first port (IRQ 1) and a mouse on the auxiliary port (IRQ 12).
// It implements the command byte (XLAT translation of set 2 to set 1, port disables,
// interrupt enables), the controller commands Linux's i8042 driver issues (self and
// interface tests, port enable/disable, AUX loop, writes to either output buffer, AUX
// send), the output port (A20 gate, reset line) and reset pulses (0xFE).
#pragma once
#include <cstdint>
#include <deque>
#include <functional>

#include "devices/irq.h"
#include "devices/machine_control.h"
#include "devices/ps2_keyboard.h"
#include "devices/ps2_mouse.h"
#include "memory/io_handler.h"

namespace emu {

class I8042 : public IoHandler {
 public:
  static constexpr uint16_t kDataPort = 0x60, kCommandPort = 0x64;  // map each with count 1
  static constexpr unsigned kKeyboardIrq = 1, kMouseIrq = 12;

  // Status register bits.
  static constexpr uint8_t kStsOutputFull = 0x01, kStsInputFull = 0x02, kStsSystem = 0x04;
  static constexpr uint8_t kStsCommand = 0x08, kStsUnlocked = 0x10, kStsAuxData = 0x20;
  // Command byte (controller RAM 0) bits.
  static constexpr uint8_t kCtrKbdInt = 0x01, kCtrAuxInt = 0x02, kCtrSystem = 0x04;
  static constexpr uint8_t kCtrKbdDisable = 0x10, kCtrAuxDisable = 0x20, kCtrTranslate = 0x40;
  // Command byte at power-on: keyboard interrupt, POST passed, translation on.
  static constexpr uint8_t kCtrPowerOn = kCtrKbdInt | kCtrSystem | kCtrTranslate;
  // Output port bits.
  static constexpr uint8_t kOutReset = 0x01, kOutA20 = 0x02, kOutKbdFull = 0x10, kOutAuxFull = 0x20;

  I8042(Ps2Keyboard* keyboard, Ps2Mouse* mouse, MachineControl* control);
  IrqLine& keyboard_irq() { return irq_kbd_; }
  IrqLine& mouse_irq() { return irq_aux_; }
  // Called when the output port's A20 gate bit changes.
  std::function<void(bool enabled)> a20_changed;

  void reset();
  uint8_t command_byte() const { return ctr_; }
  bool a20_enabled() const { return outport_ & kOutA20; }

  // This object is the handler of the data port 0x60; command_port() handles 0x64.
  uint64_t io_read(uint64_t offset, unsigned size) override;
  void io_write(uint64_t offset, unsigned size, uint64_t value) override;

  // Port-level access (used by the two IoHandler adaptors and by tests).
  uint8_t read_data();
  uint8_t read_status() const { return status_; }
  void write_data(uint8_t value);
  void write_command(uint8_t value);

  // IoHandler for the status/command port 0x64 (this object handles the data port).
  IoHandler& command_port() { return command_port_; }

 private:
  struct CommandPort : IoHandler {
    I8042* c;
    explicit CommandPort(I8042* owner) : c(owner) {}
    uint64_t io_read(uint64_t, unsigned) override { return c->read_status(); }
    void io_write(uint64_t, unsigned, uint64_t v) override { c->write_command(static_cast<uint8_t>(v)); }
  };
  void reply(uint8_t byte, bool aux = false);  // controller-generated output
  void refill();
  void update_irqs();
  void write_output_port(uint8_t value);
  void set_command_byte(uint8_t value);

  Ps2Keyboard* kbd_;
  Ps2Mouse* mouse_;
  MachineControl* control_;
  CommandPort command_port_{this};
  IrqLine irq_kbd_, irq_aux_;
  static constexpr size_t kMaxPendingReplies = 16;
  std::deque<std::pair<uint8_t, bool>> replies_;  // controller output, before device data
  uint8_t status_ = 0, ctr_ = kCtrPowerOn, outport_ = kOutReset | kOutA20;
  uint8_t obuf_ = 0;
  uint8_t pending_ = 0;  // controller command awaiting its data byte
  bool break_prefix_ = false;  // translation saw F0 from the keyboard
};

}  // namespace emu
