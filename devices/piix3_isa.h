// The PIIX3 PCI-to-ISA bridge at 00:01.0, 8086:7000 (multifunction: IDE at 00:01.1,
// ACPI/PM at 00:01.3 on later chipsets). It routes PCI INTx to ISA IRQs through the
// PIRQA-D route control registers 0x60-0x63 (bit 7 = routing disabled, bits 3:0 = IRQ).
// A function's INTx pin reaches PIRQ[(slot - 1 + pin) & 3], the i440FX board swizzle.
#pragma once
#include <array>
#include <cstdint>

#include "devices/irq.h"
#include "devices/pci_bus.h"
#include "devices/pci_device.h"

namespace emu {

class Piix3Isa : public PciDevice, public PciIntxRouter {
 public:
  static constexpr unsigned kPirqRoute = 0x60;  // PIRQA..PIRQD at 0x60..0x63
  static constexpr uint8_t kRouteDisabled = 0x80;

  Piix3Isa();

  // ISA IRQ outputs (0..15) of the PCI interrupt routing; only inputs a PCI interrupt
  // has driven are ever touched. Usually the board's PIC+IOAPIC fan-out.
  void set_isa_irq_sink(IrqSink* sink) { isa_sink_ = sink; }
  // Optional: also drive GSIs gsi_base+0..3 from PIRQA..D directly (APIC-mode wiring).
  void set_pirq_gsi_sink(IrqSink* sink, unsigned gsi_base) { gsi_sink_ = sink, gsi_base_ = gsi_base; }

  // Programs PIRQ n (0..3) to ISA IRQ `irq` (or disables it with irq >= 16), as
  // firmware does; SeaBIOS uses 10, 10, 11, 11.
  void set_pirq_route(unsigned pirq, uint8_t irq);
  // The PIRQ (0..3) a function's pin (0 = INTA) is wired to.
  static unsigned pirq_for(uint8_t devfn, uint8_t pin) { return ((devfn >> 3) + 3u + pin) & 3u; }
  // The ISA IRQ a function's pin currently reaches, or -1 when its PIRQ is disabled.
  int isa_irq_for(uint8_t devfn, uint8_t pin) const;
  bool pirq_level(unsigned pirq) const { return pirq < 4 && pirq_count_[pirq] > 0; }

  void pci_intx_changed(uint8_t devfn, uint8_t pin, bool level) override;
  void reset() override;

 protected:
  void on_config_write(unsigned offset, unsigned size, uint32_t value) override;

 private:
  void update_outputs();
  IrqSink* isa_sink_ = nullptr;
  IrqSink* gsi_sink_ = nullptr;
  unsigned gsi_base_ = 16;
  std::array<bool, 256 * 4> source_level_{};
  std::array<unsigned, 4> pirq_count_{};
  std::array<bool, 4> gsi_out_{};
  std::array<bool, 16> isa_out_{};
};

}  // namespace emu
