// isa-debug-exit: a write of value v to its port range ends the emulator with exit
// status (v << 1) | 1, as QEMU's device does (test ROMs and unit-test kernels use it).
// QEMU's defaults are iobase 0x501, iosize 2; this project's tests use 0xf4, size 4.
#pragma once
#include <cstdint>

#include "devices/machine_control.h"
#include "memory/io_handler.h"

namespace emu {

class DebugExit : public IoHandler {
 public:
  static constexpr uint16_t kDefaultBase = 0x501;
  static constexpr uint16_t kDefaultSize = 2;

  explicit DebugExit(MachineControl* control) : control_(control) {}
  uint64_t io_read(uint64_t offset, unsigned size) override;
  void io_write(uint64_t offset, unsigned size, uint64_t value) override;

 private:
  MachineControl* control_;
};

}  // namespace emu
