// The i440FX host bridge (PMC) at 00:00.0, 8086:1237: identifies the chipset to the
// guest and stores the PAM registers (0x59-0x5F, shadowing of the 0xC0000-0xFFFFF BIOS
// area) and the SMRAM control register (0x72). The memory effects of PAM (read from
// ROM vs RAM, write-protect) are not applied here: the board may watch pam_changed
// once a BIOS needs shadow RAM.
#pragma once
#include <cstdint>
#include <functional>

#include "devices/pci_device.h"

namespace emu {

class I440fxHost : public PciDevice {
 public:
  static constexpr unsigned kPam0 = 0x59;  // PAM0..PAM6 at 0x59..0x5F
  static constexpr unsigned kNumPam = 7;
  static constexpr unsigned kSmram = 0x72;
  static constexpr uint8_t kSmramReset = 0x02;  // C_BASE_SEG = 010b (0xA0000)

  I440fxHost();
  // PAM register i (0..6): each nibble is RE (bit 0) / WE (bit 1) for one segment.
  uint8_t pam(unsigned i) const { return i < kNumPam ? cfg8(kPam0 + i) : 0; }
  uint8_t smram() const { return cfg8(kSmram); }
  // Called after a guest write changed any PAM register or SMRAM.
  std::function<void()> pam_changed;

 protected:
  void on_config_write(unsigned offset, unsigned size, uint32_t value) override;
};

}  // namespace emu
