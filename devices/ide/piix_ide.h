// The PIIX3 IDE controller, PCI function 8086:7010 (class 01 01, prog-if 0x80:
// legacy-mode channels, bus-master capable): primary channel at ports 0x1F0-0x1F7 /
// 0x3F6 on IRQ 14, secondary at 0x170-0x177 / 0x376 on IRQ 15, and the bus-master
// IDE registers in BAR4 (16 I/O ports: per channel command, status, PRD table
// address). DMA walks the guest's PRD table and copies through PhysicalMemory; a
// PRD that points outside RAM or a table shorter than the transfer sets the
// bus-master error bit and fails the command, never touching host memory.
#pragma once
#include <array>
#include <memory>

#include "devices/ide/ide_channel.h"
#include "devices/pci_device.h"

namespace emu {

class IoSpace;
class PhysicalMemory;

class PiixIde : public PciDevice {
 public:
  static constexpr uint8_t kBmCmdStart = 0x01, kBmCmdToMemory = 0x08;
  static constexpr uint8_t kBmStActive = 0x01, kBmStError = 0x02, kBmStInterrupt = 0x04;
  static constexpr uint8_t kBmStDrive0Dma = 0x20, kBmStDrive1Dma = 0x40;
  static constexpr unsigned kMaxPrdEntries = 65536 / 8;  // one 64 KiB table

  // Maps the legacy ports into io now. irq14/irq15 may be null.
  PiixIde(IoSpace* io, PhysicalMemory* mem, IrqLine* irq14, IrqLine* irq15);
  ~PiixIde() override;

  // channel 0 = primary, 1 = secondary; unit 0 = master, 1 = slave.
  void attach(unsigned channel, unsigned unit, std::unique_ptr<IdeDevice> dev);
  IdeChannel& channel(unsigned i) { return *channels_[i & 1]; }
  void reset() override;

  uint8_t bm_status(unsigned ch) const { return bm_[ch & 1].status; }

 private:
  struct BmChannel {
    uint8_t cmd = 0, status = 0;
    uint32_t prd = 0;
  };
  struct BmPorts : IoHandler {
    PiixIde* ide;
    explicit BmPorts(PiixIde* p) : ide(p) {}
    uint64_t io_read(uint64_t offset, unsigned size) override;
    void io_write(uint64_t offset, unsigned size, uint64_t value) override;
  };
  uint8_t bm_read8(unsigned offset) const;
  void bm_write8(unsigned offset, uint8_t v);
  void run_dma(unsigned ch);

  PhysicalMemory* mem_;
  BmPorts bm_ports_{this};
  std::array<BmChannel, 2> bm_{};
  std::array<std::unique_ptr<IdeChannel>, 2> channels_;
};

}  // namespace emu
