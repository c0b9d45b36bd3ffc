// One IDE channel (cable) with up to two devices: the command-block registers (data,
// error/features, sector count, LBA low/mid/high, device, status/command) and the
// control block (alternate status / device control with nIEN, SRST and HOB), device
// selection, soft reset with the device signatures, and the INTRQ line to the
// interrupt controller (level = selected device's request, masked by nIEN).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "devices/ide/ide_device.h"
#include "devices/irq.h"
#include "memory/io_handler.h"

namespace emu {

class IoSpace;

class IdeChannel : public IoHandler {
 public:
  static constexpr uint8_t kCtlNien = 0x02, kCtlSrst = 0x04, kCtlHob = 0x80;

  // irq may be null (polled use in tests).
  explicit IdeChannel(IrqLine* irq = nullptr);
  ~IdeChannel() override;
  IdeChannel(const IdeChannel&) = delete;
  IdeChannel& operator=(const IdeChannel&) = delete;

  // Claims the 8 command-block ports at cmd_base and the control port ctl_port.
  void map_ports(IoSpace* io, uint16_t cmd_base, uint16_t ctl_port, const std::string& name);
  void unmap_ports();

  // unit 0 = master, 1 = slave; replaces any device there (nullptr removes it).
  void attach(unsigned unit, std::unique_ptr<IdeDevice> dev);
  IdeDevice* device(unsigned unit) const { return unit < 2 ? devs_[unit].get() : nullptr; }
  IdeDevice* selected() const { return devs_[unit_].get(); }
  unsigned selected_unit() const { return unit_; }
  bool irq_level() const { return irq_level_; }

  // Hardware reset (power-on / PCI reset).
  void reset();

  // Command block, offsets 0-7.
  uint64_t io_read(uint64_t offset, unsigned size) override;
  void io_write(uint64_t offset, unsigned size, uint64_t value) override;
  // Control block.
  uint8_t read_alt_status() const;
  void write_device_control(uint8_t v);

  // Hooks for the bus master: a device raised INTRQ (nIEN clear), a device has a DMA
  // command ready.
  std::function<void()> on_interrupt;
  std::function<void()> on_dma_request;

 private:
  struct ControlPort : IoHandler {
    IdeChannel* ch;
    explicit ControlPort(IdeChannel* c) : ch(c) {}
    uint64_t io_read(uint64_t, unsigned) override { return ch->read_alt_status(); }
    void io_write(uint64_t, unsigned, uint64_t v) override { ch->write_device_control(static_cast<uint8_t>(v)); }
  };
  bool any_device() const { return devs_[0] || devs_[1]; }
  void update_irq();
  void device_irq(unsigned unit);

  IrqLine* irq_;
  ControlPort control_{this};
  IoSpace* io_ = nullptr;
  std::unique_ptr<IdeDevice> devs_[2];
  unsigned unit_ = 0;
  uint8_t device_reg_ = 0;
  uint8_t control_reg_ = 0;
  bool irq_level_ = false;
};

}  // namespace emu
