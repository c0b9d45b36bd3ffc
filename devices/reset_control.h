// The PIIX reset control register at port 0xCF9. Writing bit 2 (RST_CPU) with bit 1
// (SYS_RST: hard reset, else soft) set resets the machine; Linux's `reboot=pci` and
// the ACPI FADT reset register (value 0x06) use it. Bits 1 and 3 are kept and read back.
// Port 0xCF9 lies inside the PCI configuration window 0xCF8-0xCFF: PciBus forwards
// byte accesses at 0xCF9 here (see PciBus::set_reset_control_port).
#pragma once
#include <cstdint>

#include "devices/machine_control.h"
#include "memory/io_handler.h"

namespace emu {

class ResetControl : public IoHandler {
 public:
  static constexpr uint16_t kPort = 0xCF9;
  explicit ResetControl(MachineControl* control) : control_(control) {}
  uint64_t io_read(uint64_t offset, unsigned size) override;
  void io_write(uint64_t offset, unsigned size, uint64_t value) override;
  void reset() { value_ = 0; }

 private:
  MachineControl* control_;
  uint8_t value_ = 0;
};

}  // namespace emu
