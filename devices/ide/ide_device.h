// One device on an IDE channel (ATA disk or ATAPI CD-ROM): its copy of the task-file
// registers (a write from the host reaches both devices of a channel, as on the cable),
// status/error, the interrupt request, and the two data paths the subclasses use:
// a PIO data buffer that the data port drains or fills, and a DMA request the bus
// master streams through dma_transfer(). Subclasses implement the command sets.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "devices/block/block_backend.h"

namespace emu {

namespace ata {
constexpr uint8_t kStatusErr = 0x01, kStatusDrq = 0x08, kStatusDsc = 0x10, kStatusDf = 0x20;
constexpr uint8_t kStatusDrdy = 0x40, kStatusBsy = 0x80;
constexpr uint8_t kErrorAbrt = 0x04, kErrorIdnf = 0x10, kErrorUnc = 0x40;
constexpr uint8_t kDeviceLba = 0x40, kDeviceSlave = 0x10;
}  // namespace ata

class IdeDevice {
 public:
  explicit IdeDevice(std::unique_ptr<BlockDevice> backend) : backend_(std::move(backend)) {}
  virtual ~IdeDevice() = default;
  IdeDevice(const IdeDevice&) = delete;
  IdeDevice& operator=(const IdeDevice&) = delete;

  // --- task file (the channel writes every register to both devices) --------------
  // Register writes shift the previous value into the "HOB" copy (48-bit commands).
  void write_feature(uint8_t v) { hob_feature_ = feature_, feature_ = v; }
  void write_nsector(uint8_t v) { hob_nsector_ = nsector_, nsector_ = v; }
  void write_lbal(uint8_t v) { hob_lbal_ = lbal_, lbal_ = v; }
  void write_lbam(uint8_t v) { hob_lbam_ = lbam_, lbam_ = v; }
  void write_lbah(uint8_t v) { hob_lbah_ = lbah_, lbah_ = v; }
  void write_device(uint8_t v) { device_ = v; }
  // Register reads; hob selects the previous values (device control bit 7).
  uint8_t read_nsector(bool hob) const { return hob ? hob_nsector_ : nsector_; }
  uint8_t read_lbal(bool hob) const { return hob ? hob_lbal_ : lbal_; }
  uint8_t read_lbam(bool hob) const { return hob ? hob_lbam_ : lbam_; }
  uint8_t read_lbah(bool hob) const { return hob ? hob_lbah_ : lbah_; }
  uint8_t read_device() const { return device_; }
  uint8_t error() const { return error_; }
  uint8_t status() const { return status_; }

  // The command register (only the selected device receives it).
  virtual void execute(uint8_t command) = 0;
  // Power-on / soft reset: registers get the device signature.
  virtual void reset() = 0;
  virtual bool is_atapi() const = 0;

  // --- data port ---------------------------------------------------------------------
  // size bytes (1, 2 or 4) from/to the PIO buffer; ignored unless DRQ is set.
  uint32_t read_data(unsigned size);
  void write_data(unsigned size, uint32_t value);

  // --- DMA (called by the bus master) ---------------------------------------------
  bool dma_pending() const { return dma_active_; }
  bool dma_to_memory() const { return dma_to_memory_; }
  uint64_t dma_remaining() const { return dma_total_ - dma_pos_; }
  // Moves the next len bytes (len <= dma_remaining()): into `data` for a device-to-
  // memory transfer, out of it otherwise. False on a backend I/O error.
  bool dma_transfer(uint8_t* data, size_t len);
  // Ends the DMA command: ok=false when the bus master failed (bad PRD, short table).
  void dma_end(bool ok);

  // --- interrupt request (the channel gates it with nIEN) ----------------------
  bool irq_pending() const { return irq_; }
  void clear_irq() { irq_ = false; }
  std::function<void()> irq_changed;  // set by the channel
  // Called when a DMA command is ready for the bus master to move its data.
  std::function<void()> dma_requested;

  BlockDevice* backend() const { return backend_.get(); }

 protected:
  // Subclass hooks: the PIO buffer was drained (read) or filled (write) completely.
  virtual void pio_buffer_done() = 0;
  // Streams DMA data at position pos of the current request.
  virtual bool dma_io(uint64_t pos, uint8_t* data, size_t len, bool to_memory) = 0;
  virtual void dma_complete(bool ok) = 0;

  void raise_irq();
  // Drops any PIO data, pending DMA and interrupt request (device reset).
  void reset_transfers();
  // Starts a PIO data phase of `len` bytes (buffer resized; filled by the caller for
  // reads). Sets DRQ.
  void start_pio(size_t len, bool to_host);
  void start_dma(uint64_t total, bool to_memory);
  void set_status(uint8_t s) { status_ = s; }
  void set_error(uint8_t e) { error_ = e; }
  // Ends a command with ERR set and `err` in the error register, and interrupts.
  void abort_command(uint8_t err = ata::kErrorAbrt);
  // The ATA string encoding of IDENTIFY: two characters per word, first in the high
  // byte; padded with spaces.
  static void put_ata_string(uint16_t* words, unsigned nwords, const std::string& s);
  // Writes 256 IDENTIFY words (little-endian) into the PIO buffer and starts a read.
  void send_identify(const uint16_t* words);

  std::unique_ptr<BlockDevice> backend_;
  uint8_t feature_ = 0, nsector_ = 0, lbal_ = 0, lbam_ = 0, lbah_ = 0;
  uint8_t hob_feature_ = 0, hob_nsector_ = 0, hob_lbal_ = 0, hob_lbam_ = 0, hob_lbah_ = 0;
  uint8_t device_ = 0;
  std::vector<uint8_t> pio_buf_;
  size_t pio_pos_ = 0;
  bool pio_to_host_ = true;

 private:
  uint8_t status_ = 0, error_ = 0;
  bool irq_ = false;
  bool dma_active_ = false, dma_to_memory_ = true;
  uint64_t dma_total_ = 0, dma_pos_ = 0;
};

}  // namespace emu
