// The interpreter's dispatch table, generated from the opcode table: one handler per
// form, the form's sem_<handler> template instantiated with the interpreter emitter.
#pragma once
#include "cpu/interp/block_cache.h"
#include "cpu/isa/opcode_table.h"

namespace emu::interp {

extern const Handler kDispatch[isa::kNumForms];
// The handler used in place of a CPL-0 form decoded at CPL > 0 (#GP(0)).
extern const Handler kPrivilegedHandler;

}  // namespace emu::interp
