// I/O port dispatch (see io_space.h).
#include "memory/io_space.h"

#include <stdexcept>

#include "base/log.h"

namespace emu {

IoSpace::IoSpace() : port_to_range_(0x10000, -1) {}

void IoSpace::map(uint16_t base, uint32_t count, IoHandler* handler, std::string name) {
  if (count == 0 || base + count > 0x10000) throw std::logic_error("I/O range out of bounds: " + name);
  for (uint32_t p = base; p < base + count; p++) {
    if (port_to_range_[p] >= 0)
      throw std::logic_error("I/O port conflict between " + name + " and " + ranges_[port_to_range_[p]].name);
  }
  ranges_.push_back({base, count, handler, std::move(name)});
  rebuild_index();
}

void IoSpace::unmap(IoHandler* handler) {
  std::erase_if(ranges_, [&](const Range& r) { return r.handler == handler; });
  rebuild_index();
}

void IoSpace::rebuild_index() {
  std::fill(port_to_range_.begin(), port_to_range_.end(), -1);
  for (size_t i = 0; i < ranges_.size(); i++)
    for (uint32_t p = ranges_[i].base; p < ranges_[i].base + ranges_[i].count; p++)
      port_to_range_[p] = static_cast<int16_t>(i);
}

uint32_t IoSpace::read(uint16_t port, unsigned size) {
  int idx = port_to_range_[port];
  if (idx < 0) {
    EMU_LOG(Unimp, "unimp: in%c port 0x%04x\n", size == 1 ? 'b' : size == 2 ? 'w' : 'l', port);
    return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
  }
  const Range& r = ranges_[idx];
  return static_cast<uint32_t>(r.handler->io_read(port - r.base, size));
}

void IoSpace::write(uint16_t port, unsigned size, uint32_t value) {
  int idx = port_to_range_[port];
  if (idx < 0) {
    EMU_LOG(Unimp, "unimp: out%c port 0x%04x value 0x%x\n", size == 1 ? 'b' : size == 2 ? 'w' : 'l', port, value);
    return;
  }
  const Range& r = ranges_[idx];
  r.handler->io_write(port - r.base, size, value);
}

}  // namespace emu
