// The interpreter's dispatch table, generated from the opcode table: one handler per
// form, the form's sem_<handler> template instantiated with the interpreter emitter.
#pragma once
#include "cpu/interp/block_cache.h"
#include "cpu/isa/opcode_table.h"

namespace emu::interp {

extern const Handler kDispatch[isa::kNumForms];
// The handler used in place of a CPL-0 form decoded at CPL > 0 (#GP(0)).
extern const Handler kPrivilegedHandler;
// The instruction's threaded handler (BlockInsn::threaded), chosen when its block is
// decoded: after its instruction it counts it retired and, unless the block must stop,
// jumps straight to the next instruction's threaded handler (one indirect jump per
// handler rather than one shared by all: better predicted). The hot forms have one per
// operand shape (cpu/interp/shaped_cpu.h). privileged_gp: the #GP(0) stand-in.
Handler threaded_handler(const isa::DecodedInsn& d, bool privileged_gp);

}  // namespace emu::interp
