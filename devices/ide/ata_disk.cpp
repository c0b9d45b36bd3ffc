// ATA disk command set (see ata_disk.h).
#include "devices/ide/ata_disk.h"

#include <algorithm>
#include <array>

namespace emu {
namespace {
namespace cmd {
constexpr uint8_t kDeviceReset = 0x08, kRecalibrate = 0x10, kReadSectors = 0x20, kReadSectorsNoRetry = 0x21;
constexpr uint8_t kReadSectorsExt = 0x24, kReadDmaExt = 0x25, kReadMultipleExt = 0x29;
constexpr uint8_t kWriteSectors = 0x30, kWriteSectorsNoRetry = 0x31, kWriteSectorsExt = 0x34;
constexpr uint8_t kWriteDmaExt = 0x35, kWriteMultipleExt = 0x39;
constexpr uint8_t kReadVerify = 0x40, kReadVerifyNoRetry = 0x41, kReadVerifyExt = 0x42, kSeek = 0x70;
constexpr uint8_t kExecDiag = 0x90, kInitParams = 0x91, kStandbyImm2 = 0x94, kIdleImm2 = 0x95;
constexpr uint8_t kStandby2 = 0x96, kIdle2 = 0x97, kCheckPower2 = 0x98, kPacket = 0xA0, kIdentifyPacket = 0xA1;
constexpr uint8_t kReadMultiple = 0xC4, kWriteMultiple = 0xC5, kSetMultiple = 0xC6;
constexpr uint8_t kReadDma = 0xC8, kReadDmaNoRetry = 0xC9, kWriteDma = 0xCA, kWriteDmaNoRetry = 0xCB;
constexpr uint8_t kStandbyImm = 0xE0, kIdleImm = 0xE1, kStandby = 0xE2, kIdle = 0xE3, kCheckPower = 0xE5;
constexpr uint8_t kFlushCache = 0xE7, kIdentify = 0xEC, kFlushCacheExt = 0xEA, kSetFeatures = 0xEF;
}  // namespace cmd
}  // namespace

AtaDisk::AtaDisk(std::unique_ptr<BlockDevice> backend, std::string serial, std::string model)
    : IdeDevice(std::move(backend)), serial_(std::move(serial)), model_(std::move(model)) {
  sectors_ = backend_ ? backend_->size_bytes() / kSectorSize : 0;
  heads_ = 16;
  spt_ = 63;
  cyls_ = static_cast<unsigned>(std::clamp<uint64_t>(sectors_ / (heads_ * spt_), 1, 16383));
  reset();
}

void AtaDisk::reset() {
  // Signature of an ATA device after reset (ATA-7 9.12): count 1, LBA 1, cylinder 0.
  nsector_ = lbal_ = 1;
  lbam_ = lbah_ = 0;
  hob_nsector_ = hob_lbal_ = hob_lbam_ = hob_lbah_ = 0;
  device_ = 0;
  set_error(0x01);  // diagnostic passed
  set_status(ata::kStatusDrdy | ata::kStatusDsc);
  pio_ = Pio::None;
  reset_transfers();
  cur_heads_ = heads_;
  cur_spt_ = spt_;
  multiple_ = 0;
}

void AtaDisk::complete_ok() {
  set_error(0);
  set_status(ata::kStatusDrdy | ata::kStatusDsc);
  raise_irq();
}

void AtaDisk::identify() {
  std::array<uint16_t, 256> w{};
  uint64_t lba28 = std::min<uint64_t>(sectors_, 0x0FFFFFFF);
  uint64_t chs = std::min<uint64_t>(uint64_t(cyls_) * heads_ * spt_, sectors_);
  unsigned cur_cyls = static_cast<unsigned>(
      std::min<uint64_t>(sectors_ / std::max(1u, cur_heads_ * cur_spt_), 65535));
  w[0] = 0x0040;  // fixed device
  w[1] = static_cast<uint16_t>(cyls_);
  w[3] = static_cast<uint16_t>(heads_);
  w[6] = static_cast<uint16_t>(spt_);
  put_ata_string(&w[10], 10, serial_);
  put_ata_string(&w[23], 4, "1.0");
  put_ata_string(&w[27], 20, model_);
  w[47] = 0x8000 | kMaxMultiple;
  w[49] = 0x0300;  // LBA, DMA
  w[50] = 0x4000;
  w[51] = 0x0200;  // PIO timing mode 2 (obsolete word)
  w[53] = 0x0007;  // words 54-58, 64-70 and 88 are valid
  w[54] = static_cast<uint16_t>(cur_cyls);
  w[55] = static_cast<uint16_t>(cur_heads_);
  w[56] = static_cast<uint16_t>(cur_spt_);
  w[57] = static_cast<uint16_t>(chs);
  w[58] = static_cast<uint16_t>(chs >> 16);
  w[59] = static_cast<uint16_t>(multiple_ ? 0x0100 | multiple_ : 0);
  w[60] = static_cast<uint16_t>(lba28);
  w[61] = static_cast<uint16_t>(lba28 >> 16);
  w[63] = static_cast<uint16_t>(0x0007 | (mwdma_ << 8));
  w[64] = 0x0003;  // PIO modes 3 and 4
  w[65] = w[66] = w[67] = w[68] = 120;
  w[80] = 0x00F0;  // ATA/ATAPI-4..7
  w[82] = (1u << 14) | (1u << 5) | (1u << 3);  // NOP, write cache, power management
  w[83] = (1u << 14) | (1u << 13) | (1u << 12) | (1u << 10);  // FLUSH CACHE (EXT), 48-bit
  w[84] = 1u << 14;
  w[85] = static_cast<uint16_t>((1u << 14) | (write_cache_ ? 1u << 5 : 0) | (1u << 3));
  w[86] = (1u << 13) | (1u << 12) | (1u << 10);
  w[87] = 1u << 14;
  w[88] = static_cast<uint16_t>(0x003F | (udma_ << 8));
  w[93] = 0x4001;  // hardware reset result: device 0 passed
  w[100] = static_cast<uint16_t>(sectors_);
  w[101] = static_cast<uint16_t>(sectors_ >> 16);
  w[102] = static_cast<uint16_t>(sectors_ >> 32);
  w[103] = static_cast<uint16_t>(sectors_ >> 48);
  // Integrity word: signature 0xA5, checksum makes the byte sum of all 512 bytes 0.
  w[255] = 0x00A5;
  uint8_t sum = 0;
  for (unsigned i = 0; i < 256; i++) sum = static_cast<uint8_t>(sum + (w[i] & 0xff) + (w[i] >> 8));
  w[255] = static_cast<uint16_t>(w[255] | (uint8_t(-sum) << 8));
  send_identify(w.data());
}

bool AtaDisk::decode_range(bool lba48) {
  if (lba48) {
    lba_ = uint64_t(hob_lbah_) << 40 | uint64_t(hob_lbam_) << 32 | uint64_t(hob_lbal_) << 24 |
           uint64_t(lbah_) << 16 | uint64_t(lbam_) << 8 | lbal_;
    count_ = uint64_t(hob_nsector_) << 8 | nsector_;
    if (count_ == 0) count_ = 65536;
  } else {
    if (device_ & ata::kDeviceLba) {
      lba_ = uint64_t(device_ & 0x0F) << 24 | uint64_t(lbah_) << 16 | uint64_t(lbam_) << 8 | lbal_;
    } else {
      unsigned cyl = unsigned(lbah_) << 8 | lbam_;
      unsigned head = device_ & 0x0F;
      unsigned sector = lbal_;
      if (sector == 0 || sector > cur_spt_ || head >= cur_heads_) {
        abort_command(ata::kErrorIdnf);
        return false;
      }
      lba_ = (uint64_t(cyl) * cur_heads_ + head) * cur_spt_ + (sector - 1);
    }
    count_ = nsector_ ? nsector_ : 256;
  }
  if (lba_ > sectors_ || count_ > sectors_ - lba_) {
    abort_command(ata::kErrorIdnf);
    return false;
  }
  return true;
}

void AtaDisk::next_read_block() {
  unsigned n = static_cast<unsigned>(std::min<uint64_t>(count_, block_));
  start_pio(size_t(n) * kSectorSize, true);
  if (!backend_->read(lba_ * kSectorSize, pio_buf_.data(), pio_buf_.size())) {
    pio_ = Pio::None;
    abort_command(ata::kErrorUnc | ata::kErrorAbrt);
    return;
  }
  lba_ += n;
  count_ -= n;
  raise_irq();
}

void AtaDisk::start_pio_read(bool lba48, unsigned block) {
  if (!decode_range(lba48)) return;
  pio_ = Pio::Read;
  block_ = block;
  next_read_block();
}

void AtaDisk::start_pio_write(bool lba48, unsigned block) {
  if (backend_->read_only()) return abort_command();
  if (!decode_range(lba48)) return;
  pio_ = Pio::Write;
  block_ = block;
  // The first block is requested without an interrupt (ATA PIO data-out protocol).
  start_pio(size_t(std::min<uint64_t>(count_, block_)) * kSectorSize, false);
}

void AtaDisk::pio_buffer_done() {
  if (pio_ == Pio::Read) {
    if (count_ > 0) return next_read_block();
    pio_ = Pio::None;
    set_status(ata::kStatusDrdy | ata::kStatusDsc);
    return;
  }
  if (pio_ == Pio::Write) {
    size_t n = pio_buf_.size() / kSectorSize;
    if (!backend_->write(lba_ * kSectorSize, pio_buf_.data(), pio_buf_.size())) {
      pio_ = Pio::None;
      return abort_command(ata::kErrorAbrt);
    }
    lba_ += n;
    count_ -= n;
    if (count_ > 0) {
      start_pio(size_t(std::min<uint64_t>(count_, block_)) * kSectorSize, false);
      raise_irq();
      return;
    }
    pio_ = Pio::None;
    if (!write_cache_ && !backend_->flush()) return abort_command();
    complete_ok();
    return;
  }
  set_status(ata::kStatusDrdy | ata::kStatusDsc);  // IDENTIFY and other one-shot data
}

bool AtaDisk::dma_io(uint64_t pos, uint8_t* data, size_t len, bool to_memory) {
  uint64_t off = dma_lba_ * kSectorSize + pos;
  return to_memory ? backend_->read(off, data, len) : backend_->write(off, data, len);
}

void AtaDisk::dma_complete(bool ok) {
  if (!ok) return abort_command(ata::kErrorAbrt);
  if (!write_cache_ && !backend_->flush()) return abort_command();
  complete_ok();
}

void AtaDisk::set_features() {
  switch (feature_) {
    case 0x02: write_cache_ = true; break;
    case 0x82: write_cache_ = false; break;
    case 0x03: {  // set transfer mode: mode in the sector count register
      uint8_t mode = nsector_;
      if (mode >> 3 <= 1) {  // PIO default / PIO flow control mode
        mwdma_ = udma_ = 0;
      } else if ((mode >> 3) == 4 && (mode & 7) <= 2) {
        mwdma_ = static_cast<uint8_t>(1u << (mode & 7));
        udma_ = 0;
      } else if ((mode >> 3) == 8 && (mode & 7) <= 5) {
        udma_ = static_cast<uint8_t>(1u << (mode & 7));
        mwdma_ = 0;
      } else {
        return abort_command();
      }
      break;
    }
    case 0x66: case 0xCC: case 0x55: case 0xAA: break;  // defaults / look-ahead: no-ops
    default: return abort_command();
  }
  complete_ok();
}

void AtaDisk::execute(uint8_t command) {
  pio_ = Pio::None;
  if (!backend_) return abort_command();
  bool lba48 = false;
  switch (command) {
    case cmd::kIdentify: return identify();
    case cmd::kReadSectorsExt: lba48 = true; [[fallthrough]];
    case cmd::kReadSectors: case cmd::kReadSectorsNoRetry: return start_pio_read(lba48, 1);
    case cmd::kWriteSectorsExt: lba48 = true; [[fallthrough]];
    case cmd::kWriteSectors: case cmd::kWriteSectorsNoRetry: return start_pio_write(lba48, 1);
    case cmd::kReadMultipleExt: lba48 = true; [[fallthrough]];
    case cmd::kReadMultiple:
      if (!multiple_) return abort_command();
      return start_pio_read(lba48, multiple_);
    case cmd::kWriteMultipleExt: lba48 = true; [[fallthrough]];
    case cmd::kWriteMultiple:
      if (!multiple_) return abort_command();
      return start_pio_write(lba48, multiple_);
    case cmd::kReadDmaExt: lba48 = true; [[fallthrough]];
    case cmd::kReadDma: case cmd::kReadDmaNoRetry:
      if (!decode_range(lba48)) return;
      dma_lba_ = lba_;
      return start_dma(count_ * kSectorSize, true);
    case cmd::kWriteDmaExt: lba48 = true; [[fallthrough]];
    case cmd::kWriteDma: case cmd::kWriteDmaNoRetry:
      if (backend_->read_only()) return abort_command();
      if (!decode_range(lba48)) return;
      dma_lba_ = lba_;
      return start_dma(count_ * kSectorSize, false);
    case cmd::kReadVerifyExt: lba48 = true; [[fallthrough]];
    case cmd::kReadVerify: case cmd::kReadVerifyNoRetry:
      if (!decode_range(lba48)) return;
      return complete_ok();
    case cmd::kFlushCache: case cmd::kFlushCacheExt:
      if (!backend_->flush()) return abort_command();
      return complete_ok();
    case cmd::kSetFeatures: return set_features();
    case cmd::kSetMultiple:
      if (nsector_ > kMaxMultiple || (nsector_ & (nsector_ - 1)) != 0) return abort_command();
      multiple_ = nsector_;
      return complete_ok();
    case cmd::kInitParams:
      if (nsector_ == 0) return abort_command();
      cur_spt_ = nsector_;
      cur_heads_ = (device_ & 0x0F) + 1u;
      return complete_ok();
    case cmd::kCheckPower: case cmd::kCheckPower2:
      nsector_ = 0xFF;  // active or idle
      return complete_ok();
    case cmd::kIdleImm: case cmd::kIdleImm2: case cmd::kStandbyImm: case cmd::kStandbyImm2:
    case cmd::kIdle: case cmd::kIdle2: case cmd::kStandby: case cmd::kStandby2:
    case cmd::kSeek:
      return complete_ok();
    case cmd::kExecDiag:
      reset();
      raise_irq();
      return;
    case cmd::kPacket: case cmd::kIdentifyPacket: case cmd::kDeviceReset:
      return abort_command();
    default:
      if ((command & 0xF0) == cmd::kRecalibrate) return complete_ok();
      return abort_command();
  }
}

}  // namespace emu
