// i8042 keyboard controller (see i8042.h).
#include "devices/i8042.h"

#include "base/log.h"

namespace emu {

I8042::I8042(Ps2Keyboard* keyboard, Ps2Mouse* mouse, MachineControl* control)
    : kbd_(keyboard), mouse_(mouse), control_(control) {
  kbd_->set_output_ready([this] { refill(); });
  mouse_->set_output_ready([this] { refill(); });
  reset();
}

void I8042::reset() {
  replies_.clear();
  ctr_ = kCtrPowerOn;
  status_ = kStsUnlocked | kStsCommand | (ctr_ & kCtrSystem);
  outport_ = kOutReset | kOutA20;
  obuf_ = 0;
  pending_ = 0;
  break_prefix_ = false;
  kbd_->reset();
  mouse_->reset();
  update_irqs();
}

uint64_t I8042::io_read(uint64_t offset, unsigned size) { return read_data(); }
void I8042::io_write(uint64_t offset, unsigned size, uint64_t value) { write_data(static_cast<uint8_t>(value)); }

void I8042::reply(uint8_t byte, bool aux) {
  // A guest issuing commands without reading the results cannot grow this unboundedly.
  if (replies_.size() >= kMaxPendingReplies) return;
  replies_.push_back({byte, aux});
  refill();
}

void I8042::refill() {
  if (!(status_ & kStsOutputFull)) {
    if (!replies_.empty()) {
      obuf_ = replies_.front().first;
      status_ = static_cast<uint8_t>((status_ & ~kStsAuxData) | kStsOutputFull | (replies_.front().second ? kStsAuxData : 0));
      replies_.pop_front();
    } else if (!(ctr_ & kCtrKbdDisable) && kbd_->has_output()) {
      while (kbd_->has_output()) {
        uint8_t b = kbd_->pop_output();
        if (ctr_ & kCtrTranslate) {
          if (b == 0xf0) {  // break prefix: folded into the next byte's bit 7
            break_prefix_ = true;
            continue;
          }
          b = static_cast<uint8_t>(ps2_translate_set2_to_set1(b) | (break_prefix_ ? 0x80 : 0));
          break_prefix_ = false;
        }
        obuf_ = b;
        status_ = static_cast<uint8_t>((status_ & ~kStsAuxData) | kStsOutputFull);
        break;
      }
    } else if (!(ctr_ & kCtrAuxDisable) && mouse_->has_output()) {
      obuf_ = mouse_->pop_output();
      status_ |= kStsOutputFull | kStsAuxData;
    }
  }
  update_irqs();
}

void I8042::update_irqs() {
  bool full = status_ & kStsOutputFull, aux = status_ & kStsAuxData;
  bool kbd = full && !aux && (ctr_ & kCtrKbdInt);
  bool mouse = full && aux && (ctr_ & kCtrAuxInt);
  if (kbd != irq_kbd_.level()) irq_kbd_.set(kbd);
  if (mouse != irq_aux_.level()) irq_aux_.set(mouse);
}

uint8_t I8042::read_data() {
  uint8_t v = obuf_;  // an empty buffer reads the last byte again
  status_ &= static_cast<uint8_t>(~(kStsOutputFull | kStsAuxData));
  update_irqs();  // lower the line so the next byte makes a new edge
  refill();
  return v;
}

void I8042::set_command_byte(uint8_t value) {
  ctr_ = value;
  status_ = static_cast<uint8_t>((status_ & ~kStsSystem) | (value & kCtrSystem));
  refill();
}

void I8042::write_output_port(uint8_t value) {
  bool a20_old = outport_ & kOutA20;
  outport_ = value;
  if (bool(value & kOutA20) != a20_old && a20_changed) a20_changed(value & kOutA20);
  if (!(value & kOutReset)) {
    control_->request_reset("i8042 output port reset line");
    outport_ |= kOutReset;
  }
}

void I8042::write_data(uint8_t value) {
  status_ &= static_cast<uint8_t>(~kStsCommand);
  uint8_t cmd = pending_;
  pending_ = 0;
  switch (cmd) {
    case 0x60: set_command_byte(value); return;
    case 0xd1: write_output_port(value); return;
    case 0xd2: reply(value, false); return;  // as if from the keyboard (untranslated)
    case 0xd3: reply(value, true); return;   // as if from the mouse
    case 0xff: return;  // write to controller RAM bytes 1-31: not kept
    case 0xd4:
      ctr_ &= static_cast<uint8_t>(~kCtrAuxDisable);  // talking to the mouse enables its port
      mouse_->receive(value);
      return;
    default: break;
  }
  ctr_ &= static_cast<uint8_t>(~kCtrKbdDisable);  // as does talking to the keyboard
  kbd_->receive(value);
  refill();
}

void I8042::write_command(uint8_t value) {
  status_ |= kStsCommand;
  pending_ = 0;
  if (value >= 0x20 && value <= 0x3f) {  // read controller RAM; byte 0 is the command byte
    reply(value == 0x20 ? ctr_ : 0);
    return;
  }
  if (value >= 0x60 && value <= 0x7f) {  // write controller RAM: only byte 0 is kept
    pending_ = value == 0x60 ? 0x60 : 0xff;
    return;
  }
  if (value >= 0xf0) {  // pulse output port bits 0-3 low for each 0 bit in the command
    if (!(value & 1)) control_->request_reset("i8042 reset pulse");
    return;
  }
  switch (value) {
    case 0xa7: set_command_byte(static_cast<uint8_t>(ctr_ | kCtrAuxDisable)); return;
    case 0xa8: set_command_byte(static_cast<uint8_t>(ctr_ & ~kCtrAuxDisable)); return;
    case 0xa9: reply(0x00); return;  // AUX interface test: no error
    case 0xaa:                       // controller self-test
      reply(0x55);
      return;
    case 0xab: reply(0x00); return;  // keyboard interface test
    case 0xad: set_command_byte(static_cast<uint8_t>(ctr_ | kCtrKbdDisable)); return;
    case 0xae: set_command_byte(static_cast<uint8_t>(ctr_ & ~kCtrKbdDisable)); return;
    case 0xc0: reply(0x80); return;  // input port: keyboard not inhibited
    case 0xd0: {                     // read output port
      uint8_t v = static_cast<uint8_t>(outport_ & ~(kOutKbdFull | kOutAuxFull));
      if (status_ & kStsOutputFull) v |= (status_ & kStsAuxData) ? kOutAuxFull : kOutKbdFull;
      reply(v);
      return;
    }
    case 0xd1: case 0xd2: case 0xd3: case 0xd4:
      pending_ = value;
      return;
    case 0xdd: write_output_port(static_cast<uint8_t>(outport_ & ~kOutA20)); return;  // A20 off (HP Vectra)
    case 0xdf: write_output_port(static_cast<uint8_t>(outport_ | kOutA20)); return;   // A20 on
    case 0xe0: reply(0x00); return;  // test inputs
    default:
      EMU_LOG(Unimp, "i8042: unknown controller command 0x%02x\n", value);
      return;
  }
}

}  // namespace emu
