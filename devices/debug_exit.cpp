// isa-debug-exit (see debug_exit.h).
#include "devices/debug_exit.h"

#include <string>

namespace emu {

uint64_t DebugExit::io_read(uint64_t offset, unsigned size) {
  return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;  // nothing to read: open bus
}

void DebugExit::io_write(uint64_t offset, unsigned size, uint64_t value) {
  uint64_t mask = size >= 4 ? 0xffffffffull : (1ull << (size * 8)) - 1;
  uint32_t v = static_cast<uint32_t>(value & mask);
  int status = static_cast<int>(((v << 1) | 1) & 0xffffffffu);
  control_->request_shutdown(status, "isa-debug-exit: wrote " + std::to_string(v));
}

}  // namespace emu
