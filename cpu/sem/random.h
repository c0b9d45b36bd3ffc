// RDRAND and RDSEED (0F C7 /6, /7 with a register operand): a random 16/32/64-bit value
// from cpu/random_source; emu's source never runs dry, so CF=1 (success) and OF SF ZF AF
// PF are cleared, as the SDM specifies.
#pragma once
#include "cpu/random_source.h"
#include "cpu/sem/common.h"

namespace emu::sem {

template <class E>
void sem_rdrand(E& e, const DecodedInsn& i) {
  const unsigned sz = dst_size(i);
  e.set_reg(i.op[0].reg, sz, random_u64());
  set_arith_flags(e.state(), isa::FL_ARITH, isa::FL_CF);
  advance(e, i);
}
template <class E>
void sem_rdseed(E& e, const DecodedInsn& i) { sem_rdrand(e, i); }

}  // namespace emu::sem
