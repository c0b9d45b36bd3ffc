// PCI configuration mechanism #1 and device registry (see pci_bus.h).
#include "devices/pci_bus.h"

#include <stdexcept>

#include "base/log.h"
#include "devices/pci_device.h"

namespace emu {

PciBus::PciBus(IoSpace* io, PhysicalMemory* mem) : io_(io), mem_(mem) {}
PciBus::~PciBus() = default;

void PciBus::attach(PciDevice* dev, uint8_t slot, uint8_t function) {
  if (slot >= 32 || function >= 8) throw std::logic_error("PCI address out of range: " + dev->name());
  uint8_t devfn = static_cast<uint8_t>((slot << 3) | function);
  if (devices_[devfn]) throw std::logic_error("PCI slot taken: " + dev->name());
  devices_[devfn] = dev;
  dev->attach(this, devfn);
}

void PciBus::detach(PciDevice* dev) {
  for (auto& d : devices_)
    if (d == dev) d = nullptr;
}

uint32_t PciBus::config_read(uint8_t devfn, unsigned offset, unsigned size) {
  PciDevice* d = devices_[devfn];
  if (!d) return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
  return d->config_read(offset, size);
}

void PciBus::config_write(uint8_t devfn, unsigned offset, unsigned size, uint32_t value) {
  if (PciDevice* d = devices_[devfn]) d->config_write(offset, size, value);
}

void PciBus::reset() {
  config_address_ = 0;
  for (PciDevice* d : devices_)
    if (d) d->reset();
}

uint64_t PciBus::io_read(uint64_t offset, unsigned size) {
  if (size > 4) size = 4;
  if (offset < 4) {
    if (offset == 0 && size == 4) return config_address_;
    if (offset == 1 && size == 1 && cf9_) return cf9_->io_read(0, 1);
    // Other sizes at 0xCF8 are not decoded by the host bridge.
    return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
  }
  unsigned window = static_cast<unsigned>(offset - 4);
  if (!(config_address_ & 0x80000000u) || ((config_address_ >> 16) & 0xff) != 0)
    return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;  // disabled or not bus 0
  if (window + size > 4) size = 4 - window;  // clip at the window's end
  uint8_t devfn = static_cast<uint8_t>(config_address_ >> 8);
  unsigned reg = (config_address_ & 0xfc) + window;
  return config_read(devfn, reg, size);
}

void PciBus::io_write(uint64_t offset, unsigned size, uint64_t value) {
  if (size > 4) size = 4;
  if (offset < 4) {
    if (offset == 0 && size == 4) {
      config_address_ = static_cast<uint32_t>(value) & 0x80fffffcu;
    } else if (offset == 1 && size == 1 && cf9_) {
      cf9_->io_write(0, 1, value);
    } else {
      EMU_LOG(Unimp, "pci: ignored %u-byte write to 0x%x\n", size, static_cast<unsigned>(0xCF8 + offset));
    }
    return;
  }
  unsigned window = static_cast<unsigned>(offset - 4);
  if (!(config_address_ & 0x80000000u) || ((config_address_ >> 16) & 0xff) != 0) return;
  if (window + size > 4) size = 4 - window;
  uint8_t devfn = static_cast<uint8_t>(config_address_ >> 8);
  unsigned reg = (config_address_ & 0xfc) + window;
  config_write(devfn, reg, size, static_cast<uint32_t>(value));
}

}  // namespace emu
