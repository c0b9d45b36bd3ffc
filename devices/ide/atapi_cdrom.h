// An ATAPI CD-ROM on an IDE channel: IDENTIFY PACKET DEVICE, the PACKET protocol
// (12-byte command packet, byte-count limit in the cylinder registers, interrupt
// reason in the sector count register, PIO or DMA data) and the MMC commands Linux's
// sr driver and boot loaders use. Read-only media, 2048-byte blocks; sense data for
// errors (REQUEST SENSE).
#pragma once
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "devices/ide/ide_device.h"

namespace emu {

class AtapiCdrom : public IdeDevice {
 public:
  static constexpr unsigned kBlockSize = 2048;
  // SCSI sense keys used here.
  static constexpr uint8_t kSenseNone = 0, kSenseNotReady = 2, kSenseIllegalRequest = 5, kSenseDataProtect = 7;

  explicit AtapiCdrom(std::unique_ptr<BlockDevice> backend, std::string serial = "EMUCD0001",
                      std::string model = "EMU DVD-ROM");

  void execute(uint8_t command) override;
  void reset() override;
  bool is_atapi() const override { return true; }
  uint32_t blocks() const { return blocks_; }
  uint8_t sense_key() const { return sense_key_; }
  uint8_t asc() const { return asc_; }

 protected:
  void pio_buffer_done() override;
  bool dma_io(uint64_t pos, uint8_t* data, size_t len, bool to_memory) override;
  void dma_complete(bool ok) override;

 private:
  enum class Phase { Idle, Packet, DataIn };
  void identify_packet();
  void start_packet();
  void run_packet();
  // Sends `reply` (truncated to alloc bytes) to the host, then completes.
  void send_reply(std::vector<uint8_t> reply, size_t alloc);
  // Starts reading `count` blocks from `lba` to the host.
  void send_blocks(uint64_t lba, uint64_t count);
  void next_pio_chunk();
  void complete_ok();
  void check_condition(uint8_t key, uint8_t asc, uint8_t ascq = 0);

  void cmd_inquiry(size_t alloc);
  void cmd_request_sense(size_t alloc);
  void cmd_mode_sense10();
  void cmd_read_toc();
  void cmd_get_configuration();
  void cmd_get_event_status();

  std::string serial_, model_;
  uint32_t blocks_;
  std::array<uint8_t, 12> packet_{};
  Phase phase_ = Phase::Idle;
  bool use_dma_ = false;
  // Data to the host: a reply buffer, or blocks streamed from the image.
  std::vector<uint8_t> reply_;
  bool from_image_ = false;
  uint64_t image_offset_ = 0, data_total_ = 0, data_pos_ = 0;
  unsigned byte_limit_ = 0;
  uint8_t sense_key_ = 0, asc_ = 0, ascq_ = 0;
  bool locked_ = false;
};

}  // namespace emu
