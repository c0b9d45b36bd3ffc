// Instantiates every form's semantic handler for the interpreter (see dispatch.h).
#include "cpu/interp/dispatch.h"

#include "cpu/cpu.h"
#include "cpu/sem/all.h"

namespace emu::interp {

const Handler kDispatch[isa::kNumForms] = {
#define X(map, opc, pfx, reg, mod, rm, mn, ops, fr, fw, fu, attrs, h) &sem::sem_##h<Cpu>,
#include "cpu/isa/opcodes.def"
#undef X
};

const Handler kPrivilegedHandler = &sem::sem_privileged_gp<Cpu>;

}  // namespace emu::interp
