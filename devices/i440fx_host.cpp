// i440FX host bridge configuration registers (see i440fx_host.h).
#include "devices/i440fx_host.h"

namespace emu {

I440fxHost::I440fxHost() : PciDevice("i440fx", 0x8086, 0x1237, 0x06, 0x00, 0x00, 0x02) {
  set_writable(0x50, 0x10);  // PMCCFG, DETURBO, DBC, AXC, DRAMR, DRAMC, DRAMT, PAM0-6
  set_cfg8(0x50, 0x00);
  set_writable(0x60, 8);  // DRB0-7 (DRAM row boundaries)
  set_cfg8(kSmram, kSmramReset);
  set_writable(kSmram, 1, 0x78);  // D_OPEN, D_CLS, D_LCK, G_SMRAME; C_BASE_SEG fixed
}

void I440fxHost::on_config_write(unsigned offset, unsigned size, uint32_t value) {
  bool pam = offset < kPam0 + kNumPam && offset + size > kPam0;
  bool smram = offset <= kSmram && offset + size > kSmram;
  if ((pam || smram) && pam_changed) pam_changed();
}

}  // namespace emu
