// PIIX3 IDE function: legacy channels and bus-master DMA (see piix_ide.h).
#include "devices/ide/piix_ide.h"

#include <algorithm>
#include <vector>

#include "base/endian.h"
#include "memory/physical_memory.h"

namespace emu {

PiixIde::PiixIde(IoSpace* io, PhysicalMemory* mem, IrqLine* irq14, IrqLine* irq15)
    : PciDevice("piix3-ide", 0x8086, 0x7010, 0x01, 0x01, 0x80), mem_(mem) {
  declare_io_bar(4, 16, &bm_ports_);
  // IDETIM (0x40 primary, 0x42 secondary): IDE decode enable set, as firmware leaves
  // it (Linux's ata_piix skips a channel whose enable bit is clear); SIDETIM 0x44.
  set_cfg16(0x40, 0x8000);
  set_cfg16(0x42, 0x8000);
  set_writable(0x40, 0x0C);
  channels_[0] = std::make_unique<IdeChannel>(irq14);
  channels_[1] = std::make_unique<IdeChannel>(irq15);
  for (unsigned ch = 0; ch < 2; ch++) {
    channels_[ch]->on_interrupt = [this, ch] { bm_[ch].status |= kBmStInterrupt; };
    channels_[ch]->on_dma_request = [this, ch] { run_dma(ch); };
  }
  if (io) {
    channels_[0]->map_ports(io, 0x1F0, 0x3F6, "ide0");
    channels_[1]->map_ports(io, 0x170, 0x376, "ide1");
  }
}

PiixIde::~PiixIde() = default;

void PiixIde::attach(unsigned ch, unsigned unit, std::unique_ptr<IdeDevice> dev) {
  bool present = dev != nullptr;
  channels_[ch & 1]->attach(unit, std::move(dev));
  uint8_t bit = unit ? kBmStDrive1Dma : kBmStDrive0Dma;
  bm_[ch & 1].status = static_cast<uint8_t>(present ? bm_[ch & 1].status | bit : bm_[ch & 1].status & ~bit);
}

void PiixIde::reset() {
  PciDevice::reset();
  for (auto& b : bm_) {
    b.cmd = 0;
    b.status &= kBmStDrive0Dma | kBmStDrive1Dma;
    b.prd = 0;
  }
  for (auto& c : channels_) c->reset();
}

uint64_t PiixIde::BmPorts::io_read(uint64_t offset, unsigned size) {
  uint64_t v = 0;
  for (unsigned i = 0; i < size; i++) v |= uint64_t(ide->bm_read8(static_cast<unsigned>(offset + i))) << (8 * i);
  return v;
}

void PiixIde::BmPorts::io_write(uint64_t offset, unsigned size, uint64_t value) {
  for (unsigned i = 0; i < size; i++) ide->bm_write8(static_cast<unsigned>(offset + i), static_cast<uint8_t>(value >> (8 * i)));
}

uint8_t PiixIde::bm_read8(unsigned offset) const {
  if (offset >= 16) return 0xFF;
  const BmChannel& b = bm_[offset >> 3];
  switch (offset & 7) {
    case 0: return b.cmd;
    case 2: return b.status;
    case 4: case 5: case 6: case 7: return static_cast<uint8_t>(b.prd >> (8 * ((offset & 7) - 4)));
    default: return 0;
  }
}

void PiixIde::bm_write8(unsigned offset, uint8_t v) {
  if (offset >= 16) return;
  unsigned ch = offset >> 3;
  BmChannel& b = bm_[ch];
  switch (offset & 7) {
    case 0: {
      bool was_started = b.cmd & kBmCmdStart;
      b.cmd = v & (kBmCmdStart | kBmCmdToMemory);
      if (!(v & kBmCmdStart)) {
        b.status &= static_cast<uint8_t>(~kBmStActive);  // stop: abandon the transfer
      } else if (!was_started) {
        b.status |= kBmStActive;
        run_dma(ch);
      }
      break;
    }
    case 2:
      b.status = static_cast<uint8_t>((b.status & ~(kBmStDrive0Dma | kBmStDrive1Dma)) |
                                      (v & (kBmStDrive0Dma | kBmStDrive1Dma)));
      b.status &= static_cast<uint8_t>(~(v & (kBmStError | kBmStInterrupt)));  // write 1 to clear
      break;
    case 4: case 5: case 6: case 7: {
      unsigned shift = 8 * ((offset & 7) - 4);
      b.prd = (b.prd & ~(0xFFu << shift)) | (uint32_t(v) << shift);
      b.prd &= ~3u;  // dword aligned
      break;
    }
    default: break;
  }
}

void PiixIde::run_dma(unsigned ch) {
  BmChannel& b = bm_[ch];
  IdeDevice* dev = channels_[ch]->selected();
  if (!(b.cmd & kBmCmdStart) || !(b.status & kBmStActive) || !dev || !dev->dma_pending()) return;
  if (!bus_master_enabled()) return;  // waits until the guest enables bus mastering
  bool to_memory = dev->dma_to_memory();
  bool ok = mem_ && ((b.cmd & kBmCmdToMemory) != 0) == to_memory;
  uint64_t entry = b.prd;
  std::vector<uint8_t> buf;
  bool eot = false;
  for (unsigned n = 0; ok && dev->dma_remaining() > 0 && !eot; n++) {
    uint8_t prd[8];
    if (n >= kMaxPrdEntries || !mem_->read_bytes(entry, prd, sizeof prd)) {
      ok = false;
      break;
    }
    entry += 8;
    uint32_t addr = load_le32(prd) & ~1u;
    uint32_t count = load_le16(prd + 4) & ~1u;
    if (count == 0) count = 0x10000;
    eot = prd[7] & 0x80;
    size_t len = static_cast<size_t>(std::min<uint64_t>(count, dev->dma_remaining()));
    buf.resize(len);
    if (to_memory) {
      ok = dev->dma_transfer(buf.data(), len) && mem_->write_bytes(addr, buf.data(), len);
    } else {
      ok = mem_->read_bytes(addr, buf.data(), len) && dev->dma_transfer(buf.data(), len);
    }
  }
  if (dev->dma_remaining() > 0) ok = false;  // bad PRD or table shorter than the transfer
  if (!ok) b.status |= kBmStError;
  b.status &= static_cast<uint8_t>(~kBmStActive);
  dev->dma_end(ok);
}

}  // namespace emu
