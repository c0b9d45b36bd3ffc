// Instantiates every form's semantic handler for the interpreter (see dispatch.h).
#include "cpu/interp/dispatch.h"

#include <cstddef>

#include "cpu/cpu.h"
#include "cpu/sem/all.h"

namespace emu::interp {

struct ThreadedDispatch {
  // H: the form's handler; Privileged: a CPL-0 form, whose BlockInsn may hold the #GP
  // stand-in chosen at decode time (it is run instead).
  template <Handler H, bool Privileged>
  [[gnu::flatten]] static void run(Cpu& c, const isa::DecodedInsn& d) {
    const BlockInsn* bi = reinterpret_cast<const BlockInsn*>(reinterpret_cast<const char*>(&d) - offsetof(BlockInsn, d));
    if constexpr (Privileged) bi->fn(c, d);
    else H(c, d);
    ++c.retired_total_;
    if (--c.budget_left_ == 0 || c.stop_block_) return;
    const BlockInsn* next = bi + 1;
    if (next == c.block_end_) return;
    kThreaded[next->d.form](c, next->d);  // a sibling call: blocks have at most 64 insns
  }
};

using namespace isa;  // the attribute names of opcodes.def

const Handler kThreaded[isa::kNumForms] = {
#define X(map, opc, pfx, reg, mod, rm, mn, ops, fr, fw, fu, attrs, h) \
  &ThreadedDispatch::run<&sem::sem_##h<Cpu>, ((attrs) & PRIV) != 0>,
#include "cpu/isa/opcodes.def"
#undef X
};

const Handler kDispatch[isa::kNumForms] = {
#define X(map, opc, pfx, reg, mod, rm, mn, ops, fr, fw, fu, attrs, h) &sem::sem_##h<Cpu>,
#include "cpu/isa/opcodes.def"
#undef X
};

const Handler kPrivilegedHandler = &sem::sem_privileged_gp<Cpu>;

}  // namespace emu::interp
