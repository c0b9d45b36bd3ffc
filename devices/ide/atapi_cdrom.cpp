// ATAPI CD-ROM: PACKET protocol and MMC commands (see atapi_cdrom.h).
#include "devices/ide/atapi_cdrom.h"

#include <algorithm>
#include <cstring>

namespace emu {
namespace {
constexpr uint8_t kReasonCoD = 0x01, kReasonIo = 0x02;
namespace scsi {
constexpr uint8_t kTestUnitReady = 0x00, kRequestSense = 0x03, kInquiry = 0x12, kStartStop = 0x1B;
constexpr uint8_t kPreventAllow = 0x1E, kReadCapacity = 0x25, kRead10 = 0x28, kWrite10 = 0x2A;
constexpr uint8_t kSeek10 = 0x2B, kWriteVerify10 = 0x2E, kVerify10 = 0x2F, kReadToc = 0x43;
constexpr uint8_t kGetConfiguration = 0x46, kGetEventStatus = 0x4A, kModeSelect10 = 0x55;
constexpr uint8_t kModeSense10 = 0x5A, kRead12 = 0xA8, kWrite12 = 0xAA, kWriteVerify12 = 0xAE;
}  // namespace scsi
// Additional sense codes.
constexpr uint8_t kAscInvalidOpcode = 0x20, kAscLbaOutOfRange = 0x21, kAscInvalidField = 0x24;
constexpr uint8_t kAscWriteProtected = 0x27, kAscUnrecoveredRead = 0x11;
constexpr uint8_t kSenseMediumError = 3, kSenseAbortedCommand = 0x0B;

uint32_t be16(const uint8_t* p) { return uint32_t(p[0]) << 8 | p[1]; }
uint32_t be32(const uint8_t* p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]; }
void put_be16(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void put_be32(uint8_t* p, uint32_t v) {
  put_be16(p, v >> 16);
  put_be16(p + 2, v & 0xffff);
}
void put_string(uint8_t* p, size_t n, const std::string& s) {
  for (size_t i = 0; i < n; i++) p[i] = static_cast<uint8_t>(i < s.size() ? s[i] : ' ');
}
// A TOC address: LBA, or MSF (minute/second/frame, 2-second lead-in) when msf is set.
void put_address(uint8_t* p, uint32_t lba, bool msf) {
  if (!msf) return put_be32(p, lba);
  uint32_t f = lba + 150;
  p[0] = 0;
  p[1] = static_cast<uint8_t>(f / (75 * 60));
  p[2] = static_cast<uint8_t>((f / 75) % 60);
  p[3] = static_cast<uint8_t>(f % 75);
}
}  // namespace

AtapiCdrom::AtapiCdrom(std::unique_ptr<BlockDevice> backend, std::string serial, std::string model)
    : IdeDevice(std::move(backend)), serial_(std::move(serial)), model_(std::move(model)) {
  uint64_t b = backend_ ? backend_->size_bytes() / kBlockSize : 0;
  blocks_ = static_cast<uint32_t>(std::min<uint64_t>(b, 0xFFFFFFFFu));
  reset();
}

void AtapiCdrom::reset() {
  // Packet device signature (ATA-7 9.12): count 1, LBA low 1, cylinder 0xEB14.
  nsector_ = lbal_ = 1;
  lbam_ = 0x14;
  lbah_ = 0xEB;
  device_ = 0;
  set_error(0x01);
  set_status(0);
  phase_ = Phase::Idle;
  reset_transfers();
}

void AtapiCdrom::identify_packet() {
  std::array<uint16_t, 256> w{};
  w[0] = 0x85C0;  // ATAPI, CD-ROM (type 5), removable, DRQ within 50 us, 12-byte packets
  put_ata_string(&w[10], 10, serial_);
  put_ata_string(&w[23], 4, "1.0");
  put_ata_string(&w[27], 20, model_);
  w[49] = 0x0300;  // LBA, DMA
  w[53] = 0x0007;
  w[63] = 0x0007;
  w[64] = 0x0003;
  w[65] = w[66] = w[67] = w[68] = 120;
  w[80] = 0x0070;  // ATA/ATAPI-4..6
  w[82] = 1u << 4;  // PACKET command set
  w[85] = 1u << 4;
  w[88] = 0x003F;
  send_identify(w.data());
}

void AtapiCdrom::execute(uint8_t command) {
  switch (command) {
    case 0xA0: return start_packet();
    case 0xA1: return identify_packet();
    case 0x08:  // DEVICE RESET
    case 0x90:  // EXECUTE DEVICE DIAGNOSTIC
      reset();
      if (command == 0x90) raise_irq();
      return;
    case 0xEF:  // SET FEATURES: transfer modes are accepted
    case 0xE1: case 0xE0: case 0x95: case 0x94:
      set_error(0);
      set_status(ata::kStatusDrdy | ata::kStatusDsc);
      raise_irq();
      return;
    case 0xE5: case 0x98:
      nsector_ = 0xFF;
      set_error(0);
      set_status(ata::kStatusDrdy | ata::kStatusDsc);
      raise_irq();
      return;
    case 0xEC:  // IDENTIFY DEVICE: abort, leaving the packet signature for the host
      nsector_ = lbal_ = 1;
      lbam_ = 0x14;
      lbah_ = 0xEB;
      [[fallthrough]];
    default:
      abort_command();
  }
}

void AtapiCdrom::start_packet() {
  use_dma_ = feature_ & 1;
  unsigned limit = unsigned(lbah_) << 8 | lbam_;
  if (limit == 0) limit = 0xFFFE;
  byte_limit_ = std::max(2u, limit & ~1u);
  phase_ = Phase::Packet;
  start_pio(packet_.size(), false);
  nsector_ = kReasonCoD;
  set_status(ata::kStatusDrdy | ata::kStatusDrq);
}

void AtapiCdrom::complete_ok() {
  phase_ = Phase::Idle;
  nsector_ = kReasonIo | kReasonCoD;
  set_error(0);
  set_status(ata::kStatusDrdy | ata::kStatusDsc);
  raise_irq();
}

void AtapiCdrom::check_condition(uint8_t key, uint8_t asc, uint8_t ascq) {
  phase_ = Phase::Idle;
  sense_key_ = key;
  asc_ = asc;
  ascq_ = ascq;
  abort_command(static_cast<uint8_t>(key << 4 | ata::kErrorAbrt));
  nsector_ = kReasonIo | kReasonCoD;
}

void AtapiCdrom::send_reply(std::vector<uint8_t> reply, size_t alloc) {
  if (reply.size() > alloc) reply.resize(alloc);
  reply_ = std::move(reply);
  from_image_ = false;
  data_total_ = reply_.size();
  data_pos_ = 0;
  if (data_total_ == 0) return complete_ok();
  phase_ = Phase::DataIn;
  if (use_dma_) return start_dma(data_total_, true);
  next_pio_chunk();
}

void AtapiCdrom::send_blocks(uint64_t lba, uint64_t count) {
  if (lba > blocks_ || count > blocks_ - lba) return check_condition(kSenseIllegalRequest, kAscLbaOutOfRange);
  if (count == 0) return complete_ok();
  from_image_ = true;
  image_offset_ = lba * kBlockSize;
  data_total_ = count * kBlockSize;
  data_pos_ = 0;
  phase_ = Phase::DataIn;
  if (use_dma_) return start_dma(data_total_, true);
  next_pio_chunk();
}

void AtapiCdrom::next_pio_chunk() {
  unsigned limit = byte_limit_;
  if (from_image_ && limit >= kBlockSize) limit -= limit % kBlockSize;  // whole blocks per DRQ
  size_t n = static_cast<size_t>(std::min<uint64_t>(limit, data_total_ - data_pos_));
  start_pio(n, true);
  if (from_image_) {
    if (!backend_->read(image_offset_ + data_pos_, pio_buf_.data(), n))
      return check_condition(kSenseMediumError, kAscUnrecoveredRead);
  } else {
    std::memcpy(pio_buf_.data(), reply_.data() + data_pos_, n);
  }
  data_pos_ += n;
  lbam_ = static_cast<uint8_t>(n);
  lbah_ = static_cast<uint8_t>(n >> 8);
  nsector_ = kReasonIo;
  raise_irq();
}

void AtapiCdrom::pio_buffer_done() {
  if (phase_ == Phase::Packet) {
    std::memcpy(packet_.data(), pio_buf_.data(), packet_.size());
    return run_packet();
  }
  if (phase_ == Phase::DataIn) {
    if (data_pos_ < data_total_) return next_pio_chunk();
    return complete_ok();
  }
  set_status(ata::kStatusDrdy | ata::kStatusDsc);  // IDENTIFY PACKET DEVICE data
}

bool AtapiCdrom::dma_io(uint64_t pos, uint8_t* data, size_t len, bool to_memory) {
  if (!to_memory) return false;
  if (from_image_) return backend_->read(image_offset_ + pos, data, len);
  if (pos > reply_.size() || len > reply_.size() - pos) return false;
  std::memcpy(data, reply_.data() + pos, len);
  return true;
}

void AtapiCdrom::dma_complete(bool ok) {
  if (!ok) return check_condition(kSenseAbortedCommand, 0);
  complete_ok();
}

void AtapiCdrom::run_packet() {
  const uint8_t* p = packet_.data();
  uint8_t op = p[0];
  if (op != scsi::kRequestSense) sense_key_ = asc_ = ascq_ = 0;
  bool have_media = blocks_ > 0;
  switch (op) {
    case scsi::kTestUnitReady:
      if (!have_media) return check_condition(kSenseNotReady, 0x3A);
      return complete_ok();
    case scsi::kRequestSense: return cmd_request_sense(p[4]);
    case scsi::kInquiry: return cmd_inquiry(be16(p + 3));
    case scsi::kStartStop:
      return complete_ok();  // spin up/down and eject are accepted; the medium stays
    case scsi::kPreventAllow:
      locked_ = p[4] & 1;
      return complete_ok();
    case scsi::kReadCapacity: {
      if (!have_media) return check_condition(kSenseNotReady, 0x3A);
      std::vector<uint8_t> r(8);
      put_be32(&r[0], blocks_ - 1);
      put_be32(&r[4], kBlockSize);
      return send_reply(std::move(r), 8);
    }
    case scsi::kRead10: return send_blocks(be32(p + 2), be16(p + 7));
    case scsi::kRead12: return send_blocks(be32(p + 2), be32(p + 6));
    case scsi::kSeek10:
    case scsi::kVerify10:
      return complete_ok();
    case scsi::kModeSense10: return cmd_mode_sense10();
    case scsi::kReadToc: return cmd_read_toc();
    case scsi::kGetConfiguration: return cmd_get_configuration();
    case scsi::kGetEventStatus: return cmd_get_event_status();
    case scsi::kWrite10: case scsi::kWrite12: case scsi::kWriteVerify10: case scsi::kWriteVerify12:
    case scsi::kModeSelect10:
      return check_condition(kSenseDataProtect, kAscWriteProtected);
    default:
      return check_condition(kSenseIllegalRequest, kAscInvalidOpcode);
  }
}

void AtapiCdrom::cmd_request_sense(size_t alloc) {
  std::vector<uint8_t> r(18, 0);
  r[0] = 0x70;  // current error, fixed format
  r[2] = sense_key_;
  r[7] = 10;  // additional length
  r[12] = asc_;
  r[13] = ascq_;
  sense_key_ = asc_ = ascq_ = 0;
  send_reply(std::move(r), alloc);
}

void AtapiCdrom::cmd_inquiry(size_t alloc) {
  if (packet_[1] & 1) return check_condition(kSenseIllegalRequest, kAscInvalidField);  // no VPD pages
  std::vector<uint8_t> r(36, 0);
  r[0] = 0x05;  // CD/DVD device
  r[1] = 0x80;  // removable
  r[2] = 0x00;
  r[3] = 0x21;  // ATAPI, response data format 1
  r[4] = 36 - 5;
  put_string(&r[8], 8, "EMU");
  put_string(&r[16], 16, model_);
  put_string(&r[32], 4, "1.0");
  send_reply(std::move(r), alloc);
}

void AtapiCdrom::cmd_mode_sense10() {
  uint8_t page = packet_[2] & 0x3F;
  size_t alloc = be16(packet_.data() + 7);
  std::vector<uint8_t> r(8, 0);  // mode parameter header(10), no block descriptors
  auto add_error_recovery = [&] {
    uint8_t pg[8] = {0x01, 0x06, 0x00, 0x05, 0, 0, 0, 0};
    r.insert(r.end(), pg, pg + 8);
  };
  auto add_capabilities = [&] {
    std::vector<uint8_t> pg(20, 0);
    pg[0] = 0x2A;
    pg[1] = 18;
    pg[2] = 0x00;  // reads CD-R/RW: no
    pg[4] = 0x71;  // audio play, composite, digital ports, multi-session
    pg[5] = 0x00;
    pg[6] = static_cast<uint8_t>(0x29 | (locked_ ? 0x02 : 0));  // lock, eject, tray loader
    put_be16(&pg[8], 706);   // maximum read speed (KB/s)
    put_be16(&pg[10], 0);
    put_be16(&pg[12], 512);  // buffer size (KiB)
    put_be16(&pg[14], 706);  // current read speed
    r.insert(r.end(), pg.begin(), pg.end());
  };
  switch (page) {
    case 0x01: add_error_recovery(); break;
    case 0x2A: add_capabilities(); break;
    case 0x3F: add_error_recovery(); add_capabilities(); break;
    default: return check_condition(kSenseIllegalRequest, kAscInvalidField);
  }
  put_be16(&r[0], static_cast<uint32_t>(r.size() - 2));
  send_reply(std::move(r), alloc);
}

void AtapiCdrom::cmd_read_toc() {
  if (blocks_ == 0) return check_condition(kSenseNotReady, 0x3A);
  bool msf = packet_[1] & 0x02;
  uint8_t format = packet_[2] & 0x0F;
  if (format == 0 && (packet_[9] >> 6)) format = packet_[9] >> 6;  // old-style format field
  uint8_t track = packet_[6];
  size_t alloc = be16(packet_.data() + 7);
  std::vector<uint8_t> r(4, 0);
  r[2] = 1;  // first track / session
  r[3] = 1;  // last
  if (format == 0) {
    if (track > 1 && track != 0xAA) return check_condition(kSenseIllegalRequest, kAscInvalidField);
    if (track <= 1) {
      uint8_t d[8] = {0, 0x14, 1, 0, 0, 0, 0, 0};  // data track 1 at LBA 0
      put_address(&d[4], 0, msf);
      r.insert(r.end(), d, d + 8);
    }
    uint8_t lo[8] = {0, 0x14, 0xAA, 0, 0, 0, 0, 0};  // lead-out
    put_address(&lo[4], blocks_, msf);
    r.insert(r.end(), lo, lo + 8);
  } else if (format == 1) {  // multi-session information: one session, track 1 at 0
    uint8_t d[8] = {0, 0x14, 1, 0, 0, 0, 0, 0};
    put_address(&d[4], 0, msf);
    r.insert(r.end(), d, d + 8);
  } else {
    return check_condition(kSenseIllegalRequest, kAscInvalidField);
  }
  put_be16(&r[0], static_cast<uint32_t>(r.size() - 2));
  send_reply(std::move(r), alloc);
}

void AtapiCdrom::cmd_get_configuration() {
  size_t alloc = be16(packet_.data() + 7);
  // Media larger than a CD (~700 MiB... 800 MiB) is reported as a DVD, as QEMU does.
  bool dvd = uint64_t(blocks_) * kBlockSize > 800ull * 1024 * 1024;
  uint16_t current = blocks_ == 0 ? 0 : (dvd ? 0x0010 : 0x0008);
  std::vector<uint8_t> r(8, 0);
  put_be16(&r[6], current);
  // Feature 0000h, profile list: DVD-ROM and CD-ROM.
  uint8_t f[12] = {0x00, 0x00, 0x03, 8, 0x00, 0x10, 0, 0, 0x00, 0x08, 0, 0};
  f[6] = current == 0x0010;
  f[10] = current == 0x0008;
  r.insert(r.end(), f, f + 12);
  put_be32(&r[0], static_cast<uint32_t>(r.size() - 4));
  send_reply(std::move(r), alloc);
}

void AtapiCdrom::cmd_get_event_status() {
  if (!(packet_[1] & 1)) return check_condition(kSenseIllegalRequest, kAscInvalidField);  // polled only
  uint8_t classes = packet_[4];
  size_t alloc = be16(packet_.data() + 7);
  std::vector<uint8_t> r(4, 0);
  r[3] = 0x10;  // supported: media class
  if (classes & 0x10) {
    r[2] = 0x04;  // media class
    uint8_t d[4] = {0, static_cast<uint8_t>(blocks_ ? 0x02 : 0x00), 0, 0};  // no change; media present
    r.insert(r.end(), d, d + 4);
  } else {
    r[2] = 0x80;  // no event available
  }
  put_be16(&r[0], static_cast<uint32_t>(r.size() - 2));
  send_reply(std::move(r), alloc);
}

}  // namespace emu
