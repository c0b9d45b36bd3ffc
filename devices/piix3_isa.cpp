// PIIX3 ISA bridge and PCI interrupt routing (see piix3_isa.h).
#include "devices/piix3_isa.h"

namespace emu {

namespace {
// ISA IRQs the PIRQ router may select (0-2, 8 and 13 are reserved on the PIIX3).
bool routable(uint8_t irq) { return irq >= 3 && irq <= 15 && irq != 8 && irq != 13; }
}  // namespace

Piix3Isa::Piix3Isa() : PciDevice("piix3-isa", 0x8086, 0x7000, 0x06, 0x01, 0x00, 0x00) {
  set_multifunction(true);
  set_cfg16(pci::kCommand, pci::kCmdIo | pci::kCmdMemory | pci::kCmdBusMaster);  // fixed decode
  set_cfg16(pci::kStatus, 0x0200);  // DEVSEL medium
  for (unsigned i = 0; i < 4; i++) set_cfg8(kPirqRoute + i, kRouteDisabled);
  set_writable(kPirqRoute, 4, 0x8f);
  set_writable(0x4c, 3);     // IORT, XBCS
  set_cfg8(0x4c, 0x4d);
  set_cfg8(0x4e, 0x03);
  set_writable(0x69, 3);     // TOM, MSTAT
  set_writable(0x70, 2);     // MBIRQ0/1
  set_cfg8(0x70, 0x80);
  set_cfg8(0x71, 0x80);
  set_writable(0x76, 2);     // MBDMA
  set_cfg8(0x76, 0x0c);
  set_cfg8(0x77, 0x0c);
  set_writable(0x80, 0x80);  // APIC base, DLC, SMI/power management registers
}

void Piix3Isa::reset() {
  PciDevice::reset();
  update_outputs();
}

void Piix3Isa::set_pirq_route(unsigned pirq, uint8_t irq) {
  if (pirq >= 4) return;
  set_cfg8(kPirqRoute + pirq, irq < 16 ? irq : kRouteDisabled);
  update_outputs();
}

int Piix3Isa::isa_irq_for(uint8_t devfn, uint8_t pin) const {
  uint8_t route = cfg8(kPirqRoute + pirq_for(devfn, pin));
  if ((route & kRouteDisabled) || !routable(route & 0x0f)) return -1;
  return route & 0x0f;
}

void Piix3Isa::pci_intx_changed(uint8_t devfn, uint8_t pin, bool level) {
  size_t idx = static_cast<size_t>(devfn) * 4 + (pin & 3);
  if (source_level_[idx] == level) return;
  source_level_[idx] = level;
  unsigned pirq = pirq_for(devfn, pin & 3);
  if (level) pirq_count_[pirq]++;
  else pirq_count_[pirq]--;
  update_outputs();
}

void Piix3Isa::on_config_write(unsigned offset, unsigned size, uint32_t value) {
  if (offset < kPirqRoute + 4 && offset + size > kPirqRoute) update_outputs();
}

void Piix3Isa::update_outputs() {
  std::array<bool, 16> want{};
  for (unsigned p = 0; p < 4; p++) {
    uint8_t route = cfg8(kPirqRoute + p);
    if (pirq_count_[p] && !(route & kRouteDisabled) && routable(route & 0x0f)) want[route & 0x0f] = true;
    bool g = pirq_count_[p] > 0;
    if (gsi_sink_ && g != gsi_out_[p]) gsi_sink_->set_irq_level(gsi_base_ + p, g);
    gsi_out_[p] = g;
  }
  for (unsigned irq = 0; irq < 16; irq++) {
    if (want[irq] == isa_out_[irq]) continue;
    isa_out_[irq] = want[irq];
    if (isa_sink_) isa_sink_->set_irq_level(irq, want[irq]);
  }
}

}  // namespace emu
