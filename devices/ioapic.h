// The I/O APIC (82093AA-style, version 0x20 with an EOI register, 24 pins) at MMIO
// 0xFEC00000: pins receive device interrupt lines (IrqSink); each pin's redirection
// entry turns an edge or an asserted level into an APIC bus message. Level-triggered
// pins hold Remote IRR until the local APIC's EOI comes back, then fire again if the
// line is still asserted.
#pragma once
#include <array>
#include <cstdint>

#include "devices/apic_bus.h"
#include "devices/irq.h"
#include "memory/io_handler.h"

namespace emu {

class IoApic : public IrqSink, public IoHandler {
 public:
  static constexpr uint64_t kDefaultBase = 0xfec00000;
  static constexpr unsigned kPins = 24;

  IoApic(ApicBus& bus, uint8_t id);
  void reset();

  // IrqSink: pin `line` input level (active high on the wire; the entry's polarity
  // inverts it for active-low pins).
  void set_irq_level(unsigned line, bool level) override;

  // MMIO: IOREGSEL at 0x00, IOWIN at 0x10, EOI at 0x40.
  uint64_t io_read(uint64_t offset, unsigned size) override;
  void io_write(uint64_t offset, unsigned size, uint64_t value) override;

  // EOI for `vector` (from the APIC bus or the EOI register): clears Remote IRR.
  void end_of_interrupt(uint8_t vector);

  uint64_t redirection(unsigned pin) const { return redir_[pin % kPins]; }

 private:
  uint8_t id_, reset_id_;
  uint8_t select_ = 0;
  std::array<uint64_t, kPins> redir_{};
  uint32_t input_ = 0;  // current pin levels as seen on the wire
  ApicBus& bus_;

  uint32_t read_register(uint8_t index) const;
  void write_register(uint8_t index, uint32_t value);
  // Sends the pin's interrupt if it is asserted, unmasked and (for level) not in service.
  void service(unsigned pin);
  bool asserted(unsigned pin) const;
};

}  // namespace emu
