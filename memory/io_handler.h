// The interface through which the CPU (and DMA-capable devices) reach a device's
// registers, both for I/O ports and for memory-mapped I/O. Offsets are relative to the
// start of the region the handler was registered for; sizes are 1, 2, 4 or 8 bytes.
#pragma once
#include <cstdint>

namespace emu {

class IoHandler {
 public:
  virtual ~IoHandler() = default;
  virtual uint64_t io_read(uint64_t offset, unsigned size) = 0;
  virtual void io_write(uint64_t offset, unsigned size, uint64_t value) = 0;
};

}  // namespace emu
