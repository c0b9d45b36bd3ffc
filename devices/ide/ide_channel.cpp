// IDE channel register decoding, selection, reset and INTRQ (see ide_channel.h).
#include "devices/ide/ide_channel.h"

#include "memory/io_space.h"

namespace emu {

IdeChannel::IdeChannel(IrqLine* irq) : irq_(irq) {}

IdeChannel::~IdeChannel() { unmap_ports(); }

void IdeChannel::map_ports(IoSpace* io, uint16_t cmd_base, uint16_t ctl_port, const std::string& name) {
  unmap_ports();
  io_ = io;
  io->map(cmd_base, 8, this, name);
  io->map(ctl_port, 1, &control_, name + "-ctl");
}

void IdeChannel::unmap_ports() {
  if (!io_) return;
  io_->unmap(this);
  io_->unmap(&control_);
  io_ = nullptr;
}

void IdeChannel::attach(unsigned unit, std::unique_ptr<IdeDevice> dev) {
  if (unit > 1) return;
  devs_[unit] = std::move(dev);
  if (IdeDevice* d = devs_[unit].get()) {
    d->irq_changed = [this, unit] { device_irq(unit); };
    d->dma_requested = [this] {
      if (on_dma_request) on_dma_request();
    };
    d->reset();
    d->write_device(device_reg_);
  }
  update_irq();
}

void IdeChannel::reset() {
  control_reg_ = 0;
  device_reg_ = 0;
  unit_ = 0;
  for (auto& d : devs_)
    if (d) d->reset();
  update_irq();
}

void IdeChannel::device_irq(unsigned unit) {
  if (unit == unit_ && !(control_reg_ & kCtlNien) && on_interrupt) on_interrupt();
  update_irq();
}

void IdeChannel::update_irq() {
  IdeDevice* d = selected();
  bool level = d && d->irq_pending() && !(control_reg_ & kCtlNien);
  if (level == irq_level_) return;
  irq_level_ = level;
  if (irq_) irq_->set(level);
}

uint8_t IdeChannel::read_alt_status() const {
  if (!any_device()) return 0xFF;
  if (control_reg_ & kCtlSrst) return ata::kStatusBsy;
  IdeDevice* d = selected();
  return d ? d->status() : 0;
}

void IdeChannel::write_device_control(uint8_t v) {
  bool srst_was = control_reg_ & kCtlSrst;
  control_reg_ = v;
  if ((v & kCtlSrst) && !srst_was) {
    // Soft reset of both devices; they show BSY until SRST is cleared, then the
    // signature. Device 0 is selected afterwards.
    for (auto& d : devs_)
      if (d) d->reset();
    device_reg_ = 0;
    unit_ = 0;
  }
  update_irq();
}

uint64_t IdeChannel::io_read(uint64_t offset, unsigned size) {
  if (!any_device()) return size >= 4 ? 0xFFFFFFFFu : (size == 2 ? 0xFFFFu : 0xFFu);
  IdeDevice* d = selected();
  if (offset == 0) return d && !(control_reg_ & kCtlSrst) ? d->read_data(size) : 0;
  if (offset == 6) return device_reg_;
  if (!d) return 0;
  if (control_reg_ & kCtlSrst) return offset == 7 ? ata::kStatusBsy : 0;
  bool hob = control_reg_ & kCtlHob;
  switch (offset) {
    case 1: return d->error();
    case 2: return d->read_nsector(hob);
    case 3: return d->read_lbal(hob);
    case 4: return d->read_lbam(hob);
    case 5: return d->read_lbah(hob);
    case 7: {
      uint8_t s = d->status();
      d->clear_irq();
      update_irq();
      return s;
    }
    default: return 0xFF;
  }
}

void IdeChannel::io_write(uint64_t offset, unsigned size, uint64_t value) {
  uint8_t v = static_cast<uint8_t>(value);
  if (offset == 0) {
    if (IdeDevice* d = selected()) d->write_data(size, static_cast<uint32_t>(value));
    return;
  }
  if (control_reg_ & kCtlSrst) return;
  control_reg_ &= static_cast<uint8_t>(~kCtlHob);  // a task-file write clears HOB
  if (offset == 7) {
    IdeDevice* d = selected();
    if (!d) return;
    if (d->status() & ata::kStatusBsy) return;
    d->clear_irq();
    update_irq();
    if (v == 0x90)  // EXECUTE DEVICE DIAGNOSTIC addresses both devices
      if (IdeDevice* other = devs_[unit_ ^ 1].get()) other->reset();
    d->execute(v);
    return;
  }
  for (auto& d : devs_) {
    if (!d) continue;
    switch (offset) {
      case 1: d->write_feature(v); break;
      case 2: d->write_nsector(v); break;
      case 3: d->write_lbal(v); break;
      case 4: d->write_lbam(v); break;
      case 5: d->write_lbah(v); break;
      case 6: d->write_device(v); break;
      default: break;
    }
  }
  if (offset == 6) {
    device_reg_ = v;
    unit_ = (v & ata::kDeviceSlave) ? 1 : 0;
    update_irq();
  }
}

}  // namespace emu
