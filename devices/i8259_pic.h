// The PC's cascaded i8259A programmable interrupt controller pair: master at ports
// 0x20/0x21, slave at 0xA0/0xA1 on the master's IR2, and the PIIX edge/level control
// registers (ELCR) at 0x4D0/0x4D1. Inputs 0-15 arrive through IrqSink; the CPU side
// sees the INTR output (intr_pending) and runs the INTA cycle (acknowledge).
#pragma once
#include <cstdint>
#include <functional>

#include "devices/irq.h"
#include "memory/io_handler.h"

namespace emu {

class IoSpace;

class I8259Pic : public IrqSink {
 public:
  I8259Pic();

  // Maps the master, slave and ELCR port ranges.
  void map_ports(IoSpace& io);
  // The three port handlers, for boards that map them themselves.
  IoHandler& master_ports() { return master_io_; }
  IoHandler& slave_ports() { return slave_io_; }
  IoHandler& elcr_ports() { return elcr_io_; }

  // Power-on/reset state (both chips uninitialized, all masked bits clear, ELCR 0).
  void reset();

  // IrqSink: ISA IRQ `line` (0-15) input level. Line 2 is the cascade and is ignored.
  void set_irq_level(unsigned line, bool level) override;

  // The INTR output to the CPU.
  bool intr_pending() const { return intr_; }
  // INTA cycle: returns the vector and moves the request from IRR to ISR. With nothing
  // pending it returns the spurious vector (IRQ7 of the master, or IRQ15 when the master
  // saw the cascade but the slave had nothing) without setting that ISR bit.
  uint8_t acknowledge();
  // Called whenever INTR changes (the board wakes a halted CPU on true).
  std::function<void(bool)> on_intr_change;

  // Inspection (tests, monitor): chip 0 = master, 1 = slave.
  uint8_t irr(unsigned chip) const { return chips_[chip & 1].irr; }
  uint8_t isr(unsigned chip) const { return chips_[chip & 1].isr; }
  uint8_t imr(unsigned chip) const { return chips_[chip & 1].imr; }
  uint8_t elcr(unsigned chip) const { return chips_[chip & 1].elcr; }

 private:
  struct Chip {
    uint8_t irr = 0, isr = 0, imr = 0;
    uint8_t input = 0;          // current input levels (for edge detection)
    uint8_t elcr = 0;           // 1 = level triggered
    uint8_t elcr_mask = 0;      // which ELCR bits are writable
    uint8_t lowest_priority = 7;  // the IR with the lowest priority (rotation)
    uint8_t vector_base = 0;
    uint8_t init_step = 0;      // 0 = ready; 2,3,4 = expecting ICW2/3/4
    uint8_t icw3 = 0;
    bool icw4_needed = false, single = false, level_mode = false;  // ICW1 IC4, SNGL, LTIM
    bool auto_eoi = false, rotate_on_aeoi = false, special_fully_nested = false;
    bool read_isr = false, poll = false, special_mask = false;
    bool is_master = false;

    bool level_triggered(unsigned ir) const { return level_mode || ((elcr >> ir) & 1); }
    // Priority rank of IR (0 = highest).
    unsigned rank(unsigned ir) const { return (ir + 7 - lowest_priority) & 7; }
    // The highest-priority IR in `bits`, or -1.
    int highest(uint8_t bits) const;
    // The IR this chip would present on INTR now, or -1.
    int pending_ir() const;
    void set_input(unsigned ir, bool level);
    // INTA (or poll) of `ir`: IRR -> ISR.
    void ack(unsigned ir);
    void init_reset(uint8_t icw1);
    void write_command(uint8_t v);
    void write_data(uint8_t v);
    uint8_t read(unsigned offset);
  };

  struct ChipPorts : IoHandler {
    I8259Pic* pic;
    unsigned chip;
    uint64_t io_read(uint64_t offset, unsigned size) override;
    void io_write(uint64_t offset, unsigned size, uint64_t value) override;
  };
  struct ElcrPorts : IoHandler {
    I8259Pic* pic;
    uint64_t io_read(uint64_t offset, unsigned size) override;
    void io_write(uint64_t offset, unsigned size, uint64_t value) override;
  };

  uint8_t read_port(unsigned chip, unsigned offset);
  void write_port(unsigned chip, unsigned offset, uint8_t value);
  uint8_t poll_read(unsigned chip);
  // Recomputes the cascade request and INTR after any state change.
  void update();

  Chip chips_[2];
  ChipPorts master_io_, slave_io_;
  ElcrPorts elcr_io_;
  bool intr_ = false;
};

}  // namespace emu
