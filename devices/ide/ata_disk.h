// An ATA hard disk on an IDE channel: IDENTIFY DEVICE, PIO reads/writes (single and
// MULTIPLE, LBA28/LBA48/CHS), DMA reads/writes through the bus master, READ VERIFY,
// FLUSH CACHE (-> backend flush), SET FEATURES, SET MULTIPLE MODE, INITIALIZE DEVICE
// PARAMETERS and the power-management no-ops. Sector size 512.
#pragma once
#include <memory>
#include <string>

#include "devices/ide/ide_device.h"

namespace emu {

class AtaDisk : public IdeDevice {
 public:
  static constexpr unsigned kSectorSize = 512;
  static constexpr unsigned kMaxMultiple = 16;

  // The backend's size is rounded down to whole sectors.
  explicit AtaDisk(std::unique_ptr<BlockDevice> backend, std::string serial = "EMU0001",
                   std::string model = "EMU HARDDISK");

  void execute(uint8_t command) override;
  void reset() override;
  bool is_atapi() const override { return false; }
  uint64_t total_sectors() const { return sectors_; }
  bool write_cache_enabled() const { return write_cache_; }

 protected:
  void pio_buffer_done() override;
  bool dma_io(uint64_t pos, uint8_t* data, size_t len, bool to_memory) override;
  void dma_complete(bool ok) override;

 private:
  enum class Pio { None, Read, Write };
  void identify();
  // Decodes the address/count of the current command; false (and IDNF) when outside
  // the disk.
  bool decode_range(bool lba48);
  void start_pio_read(bool lba48, unsigned block);
  void start_pio_write(bool lba48, unsigned block);
  void next_read_block();
  void set_features();
  void complete_ok();

  std::string serial_, model_;
  uint64_t sectors_;
  unsigned cyls_, heads_, spt_;        // default geometry
  unsigned cur_heads_, cur_spt_;       // INITIALIZE DEVICE PARAMETERS
  unsigned multiple_ = 0;              // SET MULTIPLE MODE (0 = disabled)
  uint8_t mwdma_ = 0, udma_ = 0x20;    // selected modes (bit per mode, 0 = none)
  bool write_cache_ = true;
  // current transfer
  Pio pio_ = Pio::None;
  uint64_t lba_ = 0, count_ = 0;       // next sector, sectors left
  unsigned block_ = 1;                 // sectors per DRQ block
  uint64_t dma_lba_ = 0;
};

}  // namespace emu
