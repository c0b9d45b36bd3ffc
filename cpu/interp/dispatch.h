// The interpreter's dispatch table, generated from the opcode table: one handler per
// form, the form's sem_<handler> template instantiated with the interpreter emitter.
#pragma once
#include "cpu/interp/block_cache.h"
#include "cpu/isa/opcode_table.h"

namespace emu::interp {

extern const Handler kDispatch[isa::kNumForms];
// The same handlers threaded: each one, after its instruction, counts it retired and,
// unless the block must stop, jumps straight to the next instruction's threaded
// handler (one indirect jump per handler rather than one shared by all: better
// predicted). The run loop calls the first one of a block (Cpu::run_block_insns).
extern const Handler kThreaded[isa::kNumForms];
// The handler used in place of a CPL-0 form decoded at CPL > 0 (#GP(0)).
extern const Handler kPrivilegedHandler;

}  // namespace emu::interp
