// What the CPU sees of the interrupt controllers: the INTR and NMI pins and the INTA
// cycle. The board implements it over the local APIC (and through it the PIC's virtual
// wire); the CPU checks it at a block boundary after Cpu::signal_interrupt() (which the
// board calls whenever something may have become deliverable) and never sees a device
// otherwise.
#pragma once
#include <cstdint>

namespace emu {

class InterruptSource {
 public:
  virtual ~InterruptSource() = default;
  // INTR is asserted: a maskable interrupt is waiting (taken when RFLAGS.IF = 1).
  virtual bool intr_pending() = 0;
  // The INTA cycle: the vector of the interrupt being taken.
  virtual uint8_t acknowledge() = 0;
  // An NMI is waiting (taken regardless of IF); clears it.
  virtual bool take_nmi() = 0;
};

}  // namespace emu
