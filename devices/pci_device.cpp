// PCI function configuration space, BARs and INTx (see pci_device.h).
#include "devices/pci_device.h"

#include <stdexcept>

#include "base/log.h"
#include "devices/pci_bus.h"
#include "memory/io_space.h"
#include "memory/physical_memory.h"

namespace emu {

namespace {
constexpr uint16_t kCommandWritable = pci::kCmdIo | pci::kCmdMemory | pci::kCmdBusMaster | pci::kCmdParity |
                                      pci::kCmdSerr | pci::kCmdIntxDisable;
bool is_power_of_two(uint64_t v) { return v && !(v & (v - 1)); }
}  // namespace

PciDevice::PciDevice(std::string name, uint16_t vendor, uint16_t device, uint8_t class_code, uint8_t subclass,
                     uint8_t prog_if, uint8_t revision)
    : name_(std::move(name)) {
  set_cfg16(pci::kVendorId, vendor);
  set_cfg16(pci::kDeviceId, device);
  set_cfg8(pci::kRevision, revision);
  set_cfg8(pci::kProgIf, prog_if);
  set_cfg8(pci::kSubclass, subclass);
  set_cfg8(pci::kClass, class_code);
  set_writable(pci::kCommand, 2);
  write_mask_[pci::kCommand] = kCommandWritable & 0xff;
  write_mask_[pci::kCommand + 1] = kCommandWritable >> 8;
  set_write_one_to_clear(pci::kStatus + 1, 1, pci::kStatusErrorBits >> 8);
  set_writable(pci::kCacheLine, 2);  // cache line size, latency timer
  set_writable(pci::kInterruptLine, 1);
}

PciDevice::~PciDevice() {
  // The bus and the address spaces must outlive their devices.
  for (Bar& b : bars_) unmap_bar(b);
  if (irq_level_) set_irq(false);
  if (bus_) bus_->detach(this);
}

uint16_t PciDevice::cfg16(unsigned offset) const {
  return static_cast<uint16_t>(config_[offset & 0xff] | (config_[(offset + 1) & 0xff] << 8));
}
uint32_t PciDevice::cfg32(unsigned offset) const {
  return static_cast<uint32_t>(cfg16(offset)) | (static_cast<uint32_t>(cfg16(offset + 2)) << 16);
}
void PciDevice::set_cfg16(unsigned offset, uint16_t v) {
  config_[offset & 0xff] = static_cast<uint8_t>(v);
  config_[(offset + 1) & 0xff] = static_cast<uint8_t>(v >> 8);
}
void PciDevice::set_cfg32(unsigned offset, uint32_t v) {
  set_cfg16(offset, static_cast<uint16_t>(v));
  set_cfg16(offset + 2, static_cast<uint16_t>(v >> 16));
}

void PciDevice::set_writable(unsigned offset, unsigned len, uint8_t mask) {
  for (unsigned i = offset; i < offset + len && i < 256; i++) write_mask_[i] = mask;
}
void PciDevice::set_write_one_to_clear(unsigned offset, unsigned len, uint8_t mask) {
  for (unsigned i = offset; i < offset + len && i < 256; i++) w1c_mask_[i] = mask;
}

uint32_t PciDevice::config_read(unsigned offset, unsigned size) {
  uint32_t v = 0;
  for (unsigned i = 0; i < size && i < 4; i++) {
    unsigned o = offset + i;
    uint8_t b = o < 256 ? config_[o] : 0xff;
    v |= static_cast<uint32_t>(b) << (8 * i);
  }
  return v;
}

void PciDevice::write_byte(unsigned offset, uint8_t value) {
  uint8_t old = config_[offset];
  uint8_t v = static_cast<uint8_t>((old & ~write_mask_[offset]) | (value & write_mask_[offset]));
  v = static_cast<uint8_t>(v & ~(value & w1c_mask_[offset]));
  config_[offset] = v;
}

void PciDevice::config_write(unsigned offset, unsigned size, uint32_t value) {
  if (offset >= 256) return;
  if (size > 4) size = 4;
  for (unsigned i = 0; i < size && offset + i < 256; i++) write_byte(offset + i, static_cast<uint8_t>(value >> (8 * i)));
  bool touches_command = offset < pci::kCommand + 2 && offset + size > pci::kCommand;
  bool touches_bars = offset < pci::kBar0 + 4 * pci::kNumBars && offset + size > pci::kBar0;
  if (touches_command) set_irq(irq_level_);  // INTx disable may have changed
  if (touches_command || touches_bars) update_mappings();
  on_config_write(offset, size, value);
}

void PciDevice::reset() {
  for (Bar& b : bars_) unmap_bar(b);
  if (power_on_taken_) config_ = power_on_;
  if (irq_level_) set_irq(false);
}

void PciDevice::declare_io_bar(unsigned index, uint32_t size, IoHandler* handler) {
  if (index >= pci::kNumBars || !is_power_of_two(size) || size < 4 || size > 0x10000)
    throw std::logic_error("bad I/O BAR for " + name_);
  bars_[index] = Bar{BarKind::Io, size, handler};
  unsigned off = pci::kBar0 + 4 * index;
  set_cfg32(off, 1);  // bit 0: I/O space indicator
  uint32_t mask = ~(size - 1) & 0x0000fffcu;
  for (unsigned i = 0; i < 4; i++) write_mask_[off + i] = static_cast<uint8_t>(mask >> (8 * i));
}

void PciDevice::declare_mem32_bar(unsigned index, uint32_t size, IoHandler* handler, bool prefetchable) {
  if (size < 16) size = 16;
  if (index >= pci::kNumBars || !is_power_of_two(size) || size > 0x80000000u)
    throw std::logic_error("bad memory BAR for " + name_);
  bars_[index] = Bar{BarKind::Mem32, size, handler, prefetchable};
  unsigned off = pci::kBar0 + 4 * index;
  set_cfg32(off, prefetchable ? 0x8u : 0u);  // type 00: 32-bit
  uint32_t mask = ~(size - 1) & 0xfffffff0u;
  for (unsigned i = 0; i < 4; i++) write_mask_[off + i] = static_cast<uint8_t>(mask >> (8 * i));
}

void PciDevice::declare_mem64_bar(unsigned index, uint64_t size, IoHandler* handler, bool prefetchable) {
  if (size < 16) size = 16;
  if (index + 1 >= pci::kNumBars || !is_power_of_two(size) || size > (1ull << 40))
    throw std::logic_error("bad 64-bit memory BAR for " + name_);
  bars_[index] = Bar{BarKind::Mem64, size, handler, prefetchable};
  bars_[index + 1] = Bar{};
  unsigned off = pci::kBar0 + 4 * index;
  set_cfg32(off, 0x4u | (prefetchable ? 0x8u : 0u));  // type 10: 64-bit
  set_cfg32(off + 4, 0);
  uint64_t mask = ~(size - 1) & ~0xfull;
  for (unsigned i = 0; i < 8; i++) write_mask_[off + i] = static_cast<uint8_t>(mask >> (8 * i));
}

void PciDevice::set_interrupt_pin(uint8_t pin) { set_cfg8(pci::kInterruptPin, pin <= 4 ? pin : 0); }

void PciDevice::set_multifunction(bool on) {
  uint8_t h = cfg8(pci::kHeaderType);
  set_cfg8(pci::kHeaderType, on ? (h | pci::kHeaderMultifunction) : (h & ~pci::kHeaderMultifunction));
}

void PciDevice::set_subsystem(uint16_t vendor, uint16_t id) {
  set_cfg16(pci::kSubsysVendor, vendor);
  set_cfg16(pci::kSubsysId, id);
}

uint8_t PciDevice::add_capability(uint8_t cap_id, uint8_t length) {
  if (length < 2) length = 2;
  unsigned off = (next_cap_ + 3u) & ~3u;  // capabilities are dword aligned
  if (off + length > 256) return 0;
  set_cfg8(off, cap_id);
  set_cfg8(off + 1, 0);
  if (last_cap_) set_cfg8(last_cap_ + 1, static_cast<uint8_t>(off));
  else set_cfg8(pci::kCapPtr, static_cast<uint8_t>(off));
  set_cfg16(pci::kStatus, cfg16(pci::kStatus) | pci::kStatusCapList);
  last_cap_ = static_cast<uint8_t>(off);
  next_cap_ = static_cast<uint8_t>(off + length < 256 ? off + length : 255);
  return static_cast<uint8_t>(off);
}

uint64_t PciDevice::bar_address(unsigned index) const {
  if (index >= pci::kNumBars) return 0;
  const Bar& b = bars_[index];
  unsigned off = pci::kBar0 + 4 * index;
  switch (b.kind) {
    case BarKind::Io: return cfg32(off) & 0xfffcu;
    case BarKind::Mem32: return cfg32(off) & 0xfffffff0u;
    case BarKind::Mem64: return (cfg32(off) & 0xfffffff0u) | (static_cast<uint64_t>(cfg32(off + 4)) << 32);
    case BarKind::None: break;
  }
  return 0;
}

bool PciDevice::bar_mapped(unsigned index) const { return index < pci::kNumBars && bars_[index].mapped; }

void PciDevice::unmap_bar(Bar& bar) {
  if (!bar.mapped) return;
  if (bar.kind == BarKind::Io) {
    if (bus_ && bus_->io_space()) bus_->io_space()->unmap(bar.handler);
  } else if (bus_ && bus_->memory()) {
    bus_->memory()->remove_mmio(bar.handler);
  }
  bar.mapped = false;
}

void PciDevice::map_bar(unsigned index, Bar& bar, uint64_t address) {
  std::string region = name_ + " BAR" + std::to_string(index);
  if (bar.kind == BarKind::Io) {
    if (!bus_->io_space()) return;
    try {
      bus_->io_space()->map(static_cast<uint16_t>(address), static_cast<uint32_t>(bar.size), bar.handler, region);
    } catch (const std::logic_error& e) {
      // A guest placed the BAR over another device's ports: leave it undecoded.
      EMU_LOG(Guest, "pci: %s not mapped: %s\n", region.c_str(), e.what());
      return;
    }
  } else {
    if (!bus_->memory()) return;
    bus_->memory()->add_mmio(address, bar.size, bar.handler, region);
  }
  bar.mapped = true;
  bar.mapped_address = address;
}

void PciDevice::update_mappings() {
  uint16_t cmd = command();
  for (unsigned i = 0; i < pci::kNumBars; i++) {
    Bar& b = bars_[i];
    if (b.kind == BarKind::None || !b.handler) continue;
    uint64_t addr = bar_address(i);
    bool enabled = b.kind == BarKind::Io ? (cmd & pci::kCmdIo) : (cmd & pci::kCmdMemory);
    bool valid = addr != 0;
    if (b.kind == BarKind::Io) valid = valid && addr + b.size <= 0x10000;
    else if (b.kind == BarKind::Mem32) valid = valid && addr + b.size - 1 < 0xffffffffull;
    else valid = valid && addr + b.size > addr && addr + b.size <= (1ull << 52);
    bool want = enabled && valid && bus_;
    if (b.mapped && (!want || b.mapped_address != addr)) unmap_bar(b);
    if (want && !b.mapped) map_bar(i, b, addr);
  }
}

void PciDevice::set_irq(bool level) {
  irq_level_ = level;
  uint16_t status = cfg16(pci::kStatus);
  set_cfg16(pci::kStatus, level ? (status | pci::kStatusIntx) : (status & ~pci::kStatusIntx));
  uint8_t pin = cfg8(pci::kInterruptPin);
  if (!bus_ || !bus_->intx_router() || pin < 1 || pin > 4) return;
  bool effective = level && !(command() & pci::kCmdIntxDisable);
  bus_->intx_router()->pci_intx_changed(devfn_, static_cast<uint8_t>(pin - 1), effective);
}

}  // namespace emu
