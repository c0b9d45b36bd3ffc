// Instantiates every form's semantic handler for the interpreter (see dispatch.h).
#include "cpu/interp/dispatch.h"

#include "cpu/cpu.h"
#include "cpu/sem/alu.h"
#include "cpu/sem/bits.h"
#include "cpu/sem/control.h"
#include "cpu/sem/data.h"
#include "cpu/sem/legacy.h"
#include "cpu/sem/muldiv.h"
#include "cpu/sem/shift.h"
#include "cpu/sem/sse.h"
#include "cpu/sem/sse_float.h"
#include "cpu/sem/sse_mmx.h"
#include "cpu/sem/sse4.h"
#include "cpu/sem/string.h"
#include "cpu/sem/system.h"
#include "cpu/sem/system_ops.h"
#include "cpu/sem/fxsave.h"
#include "cpu/sem/x87.h"

namespace emu::interp {

const Handler kDispatch[isa::kNumForms] = {
#define X(map, opc, pfx, reg, mod, rm, mn, ops, fr, fw, fu, attrs, h) &sem::sem_##h<Cpu>,
#include "cpu/isa/opcodes.def"
#undef X
};

const Handler kPrivilegedHandler = &sem::sem_privileged_gp<Cpu>;

}  // namespace emu::interp
