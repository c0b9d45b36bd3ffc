// Common IDE device mechanics: data port, DMA streaming, interrupts (see ide_device.h).
#include "devices/ide/ide_device.h"

#include <algorithm>

#include "base/endian.h"

namespace emu {

uint32_t IdeDevice::read_data(unsigned size) {
  if (!(status_ & ata::kStatusDrq) || !pio_to_host_) return 0xffffffffu >> (32 - 8 * size);
  uint32_t v = 0;
  for (unsigned i = 0; i < size && pio_pos_ < pio_buf_.size(); i++) v |= uint32_t(pio_buf_[pio_pos_++]) << (8 * i);
  if (pio_pos_ >= pio_buf_.size()) {
    status_ &= static_cast<uint8_t>(~ata::kStatusDrq);
    pio_buffer_done();
  }
  return v;
}

void IdeDevice::write_data(unsigned size, uint32_t value) {
  if (!(status_ & ata::kStatusDrq) || pio_to_host_) return;
  for (unsigned i = 0; i < size && pio_pos_ < pio_buf_.size(); i++)
    pio_buf_[pio_pos_++] = static_cast<uint8_t>(value >> (8 * i));
  if (pio_pos_ >= pio_buf_.size()) {
    status_ &= static_cast<uint8_t>(~ata::kStatusDrq);
    pio_buffer_done();
  }
}

bool IdeDevice::dma_transfer(uint8_t* data, size_t len) {
  if (!dma_active_ || len > dma_remaining()) return false;
  if (!dma_io(dma_pos_, data, len, dma_to_memory_)) return false;
  dma_pos_ += len;
  return true;
}

void IdeDevice::dma_end(bool ok) {
  if (!dma_active_) return;
  dma_active_ = false;
  dma_complete(ok && dma_pos_ == dma_total_);
}

void IdeDevice::reset_transfers() {
  pio_buf_.clear();
  pio_pos_ = 0;
  dma_active_ = false;
  irq_ = false;
}

void IdeDevice::raise_irq() {
  irq_ = true;
  if (irq_changed) irq_changed();
}

void IdeDevice::start_pio(size_t len, bool to_host) {
  dma_active_ = false;  // a DMA command the bus master never ran is abandoned
  pio_buf_.assign(len, 0);
  pio_pos_ = 0;
  pio_to_host_ = to_host;
  status_ = ata::kStatusDrdy | ata::kStatusDsc | ata::kStatusDrq;
}

void IdeDevice::start_dma(uint64_t total, bool to_memory) {
  dma_active_ = true;
  dma_to_memory_ = to_memory;
  dma_total_ = total;
  dma_pos_ = 0;
  status_ = ata::kStatusDrdy | ata::kStatusDsc | ata::kStatusDrq;
  if (dma_requested) dma_requested();  // may complete the command right away
}

void IdeDevice::abort_command(uint8_t err) {
  pio_buf_.clear();
  pio_pos_ = 0;
  dma_active_ = false;
  error_ = err;
  status_ = ata::kStatusDrdy | ata::kStatusErr;
  raise_irq();
}

void IdeDevice::put_ata_string(uint16_t* words, unsigned nwords, const std::string& s) {
  for (unsigned i = 0; i < nwords; i++) {
    char hi = 2 * i < s.size() ? s[2 * i] : ' ';
    char lo = 2 * i + 1 < s.size() ? s[2 * i + 1] : ' ';
    words[i] = static_cast<uint16_t>((uint8_t(hi) << 8) | uint8_t(lo));
  }
}

void IdeDevice::send_identify(const uint16_t* words) {
  start_pio(512, true);
  for (unsigned i = 0; i < 256; i++) store_le16(&pio_buf_[2 * i], words[i]);
  error_ = 0;
  raise_irq();
}

}  // namespace emu
