// i8259A PIC pair (see i8259_pic.h). Behaviour follows the Intel 8259A data sheet:
// ICW1-4 initialization, OCW1-3, fully nested and rotating priorities, special mask
// and special fully nested modes, auto-EOI, poll mode, edge/level sensing per ELCR.
#include "devices/i8259_pic.h"

#include "base/log.h"
#include "memory/io_space.h"

namespace emu {

int I8259Pic::Chip::highest(uint8_t bits) const {
  if (!bits) return -1;
  for (unsigned r = 0; r < 8; r++) {
    unsigned ir = (lowest_priority + 1 + r) & 7;
    if ((bits >> ir) & 1) return static_cast<int>(ir);
  }
  return -1;
}

int I8259Pic::Chip::pending_ir() const {
  uint8_t req = irr & static_cast<uint8_t>(~imr);
  if (special_mask) {
    // Special mask mode: only the levels in service themselves are inhibited.
    return highest(req & static_cast<uint8_t>(~isr));
  }
  int ir = highest(req);
  if (ir < 0) return -1;
  uint8_t in_service = isr;
  // Special fully nested mode: the master accepts a further request from the slave
  // while one of the slave's interrupts is in service.
  if (special_fully_nested && is_master) in_service &= static_cast<uint8_t>(~(1u << 2));
  int cur = highest(in_service);
  if (cur >= 0 && rank(static_cast<unsigned>(ir)) >= rank(static_cast<unsigned>(cur))) return -1;
  return ir;
}

void I8259Pic::Chip::set_input(unsigned ir, bool level) {
  uint8_t bit = static_cast<uint8_t>(1u << ir);
  bool was = input & bit;
  if (level) input |= bit;
  else input &= static_cast<uint8_t>(~bit);
  if (level_triggered(ir)) {
    if (level) irr |= bit;
    else irr &= static_cast<uint8_t>(~bit);
  } else if (level && !was) {
    irr |= bit;  // rising edge latches the request
  }
}

void I8259Pic::Chip::ack(unsigned ir) {
  uint8_t bit = static_cast<uint8_t>(1u << ir);
  if (auto_eoi) {
    if (rotate_on_aeoi) lowest_priority = static_cast<uint8_t>(ir);
  } else {
    isr |= bit;
  }
  if (!level_triggered(ir)) irr &= static_cast<uint8_t>(~bit);
}

void I8259Pic::Chip::init_reset(uint8_t icw1) {
  imr = 0;
  isr = 0;
  lowest_priority = 7;
  special_mask = false;
  read_isr = false;
  poll = false;
  auto_eoi = false;
  rotate_on_aeoi = false;
  special_fully_nested = false;
  icw4_needed = icw1 & 0x01;
  single = icw1 & 0x02;
  level_mode = icw1 & 0x08;
  // The edge sense circuit is reset: an edge-triggered input must go low then high again.
  irr = 0;
  for (unsigned ir = 0; ir < 8; ir++)
    if (level_triggered(ir) && ((input >> ir) & 1)) irr |= static_cast<uint8_t>(1u << ir);
  init_step = 2;
}

void I8259Pic::Chip::write_command(uint8_t v) {
  if (v & 0x10) {
    init_reset(v);
    return;
  }
  if (v & 0x08) {  // OCW3
    if (v & 0x04) poll = true;
    if (v & 0x02) read_isr = v & 0x01;
    if (v & 0x40) special_mask = (v >> 5) & 1;
    return;
  }
  // OCW2
  unsigned ir = v & 7;
  switch (v >> 5) {
    case 0: rotate_on_aeoi = false; break;
    case 4: rotate_on_aeoi = true; break;
    case 1:    // non-specific EOI
    case 5: {  // rotate on non-specific EOI
      int top = highest(isr);
      if (top >= 0) {
        isr &= static_cast<uint8_t>(~(1u << top));
        if ((v >> 5) == 5) lowest_priority = static_cast<uint8_t>(top);
      }
      break;
    }
    case 3: isr &= static_cast<uint8_t>(~(1u << ir)); break;  // specific EOI
    case 7:                                                   // rotate on specific EOI
      isr &= static_cast<uint8_t>(~(1u << ir));
      lowest_priority = static_cast<uint8_t>(ir);
      break;
    case 6: lowest_priority = static_cast<uint8_t>(ir); break;  // set priority
    default: break;                                             // 2: no operation
  }
}

void I8259Pic::Chip::write_data(uint8_t v) {
  switch (init_step) {
    case 2:
      vector_base = v & 0xf8;
      init_step = single ? (icw4_needed ? 4 : 0) : 3;
      break;
    case 3:
      icw3 = v;
      init_step = icw4_needed ? 4 : 0;
      break;
    case 4:
      auto_eoi = v & 0x02;
      special_fully_nested = v & 0x10;
      init_step = 0;
      break;
    default: imr = v; break;  // OCW1
  }
}

uint8_t I8259Pic::Chip::read(unsigned offset) {
  if (offset == 0) return read_isr ? isr : irr;
  return imr;
}

I8259Pic::I8259Pic() {
  master_io_.pic = this;
  master_io_.chip = 0;
  slave_io_.pic = this;
  slave_io_.chip = 1;
  elcr_io_.pic = this;
  reset();
}

void I8259Pic::map_ports(IoSpace& io) {
  io.map(0x20, 2, &master_io_, "pic-master");
  io.map(0xa0, 2, &slave_io_, "pic-slave");
  io.map(0x4d0, 2, &elcr_io_, "elcr");
}

void I8259Pic::reset() {
  for (unsigned i = 0; i < 2; i++) {
    chips_[i] = Chip{};
    chips_[i].is_master = i == 0;
  }
  // IRQ0-2 (timer, keyboard, cascade), IRQ8 (RTC) and IRQ13 (FPU) are always edge.
  chips_[0].elcr_mask = 0xf8;
  chips_[1].elcr_mask = 0xde;
  update();
}

void I8259Pic::set_irq_level(unsigned line, bool level) {
  if (line >= 16 || line == 2) return;
  chips_[line >> 3].set_input(line & 7, level);
  update();
}

uint8_t I8259Pic::acknowledge() {
  Chip& m = chips_[0];
  Chip& s = chips_[1];
  uint8_t vector;
  int ir = m.pending_ir();
  if (ir < 0) {
    vector = m.vector_base | 7;  // spurious IRQ7: no ISR bit set
  } else {
    m.ack(static_cast<unsigned>(ir));
    if (ir == 2 && !m.single) {
      int sir = s.pending_ir();
      if (sir < 0) {
        vector = s.vector_base | 7;  // spurious IRQ15 (master's ISR2 stays set)
      } else {
        s.ack(static_cast<unsigned>(sir));
        vector = static_cast<uint8_t>(s.vector_base | sir);
      }
    } else {
      vector = static_cast<uint8_t>(m.vector_base | ir);
    }
  }
  update();
  EMU_LOG(Int, "pic: INTA -> vector 0x%02x\n", vector);
  return vector;
}

uint8_t I8259Pic::poll_read(unsigned chip) {
  Chip& c = chips_[chip];
  c.poll = false;
  int ir = c.pending_ir();
  if (ir < 0) return 0;
  c.ack(static_cast<unsigned>(ir));
  update();
  return static_cast<uint8_t>(0x80 | ir);
}

uint8_t I8259Pic::read_port(unsigned chip, unsigned offset) {
  if (chips_[chip].poll) return poll_read(chip);
  return chips_[chip].read(offset & 1);
}

void I8259Pic::write_port(unsigned chip, unsigned offset, uint8_t value) {
  Chip& c = chips_[chip];
  if ((offset & 1) == 0) c.write_command(value);
  else c.write_data(value);
  update();
}

void I8259Pic::update() {
  Chip& m = chips_[0];
  // The slave's INT output drives the master's IR2. The request latches (so a slave
  // request that vanishes before INTA yields a spurious IRQ15, as on real hardware) and
  // is re-presented after INTA as long as the slave output stays high (nothing is lost
  // when the slave runs in auto-EOI mode).
  if (chips_[1].pending_ir() >= 0) m.irr |= 0x04;
  bool out = m.pending_ir() >= 0;
  if (out != intr_) {
    intr_ = out;
    if (on_intr_change) on_intr_change(out);
  }
}

uint64_t I8259Pic::ChipPorts::io_read(uint64_t offset, unsigned size) {
  return pic->read_port(chip, static_cast<unsigned>(offset));
}

void I8259Pic::ChipPorts::io_write(uint64_t offset, unsigned size, uint64_t value) {
  pic->write_port(chip, static_cast<unsigned>(offset), static_cast<uint8_t>(value));
}

uint64_t I8259Pic::ElcrPorts::io_read(uint64_t offset, unsigned size) {
  uint64_t v = 0;
  for (unsigned i = 0; i < size && i < 8; i++) {
    uint64_t port = offset + i;
    uint8_t b = port < 2 ? pic->chips_[port].elcr : 0xff;
    v |= uint64_t{b} << (8 * i);
  }
  return v;
}

void I8259Pic::ElcrPorts::io_write(uint64_t offset, unsigned size, uint64_t value) {
  for (unsigned i = 0; i < size && i < 8; i++) {
    uint64_t port = offset + i;
    if (port >= 2) break;
    Chip& c = pic->chips_[port];
    c.elcr = static_cast<uint8_t>((value >> (8 * i)) & c.elcr_mask);
    // A line that became level-sensitive requests exactly while its input is high.
    for (unsigned ir = 0; ir < 8; ir++) {
      uint8_t bit = static_cast<uint8_t>(1u << ir);
      if (c.level_triggered(ir)) c.irr = static_cast<uint8_t>((c.irr & ~bit) | (c.input & bit));
    }
  }
  pic->update();
}

}  // namespace emu
