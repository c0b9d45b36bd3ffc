// Every instruction-semantics header: included where the opcode table is expanded into
// handler references (the interpreter's dispatch table, the JIT's inline-translation
// table), so a new semantics file is added in one place.
#pragma once
#include "cpu/sem/alu.h"
#include "cpu/sem/bits.h"
#include "cpu/sem/control.h"
#include "cpu/sem/data.h"
#include "cpu/sem/fxsave.h"
#include "cpu/sem/legacy.h"
#include "cpu/sem/muldiv.h"
#include "cpu/sem/random.h"
#include "cpu/sem/shift.h"
#include "cpu/sem/sse.h"
#include "cpu/sem/sse4.h"
#include "cpu/sem/sse_float.h"
#include "cpu/sem/sse_mmx.h"
#include "cpu/sem/string.h"
#include "cpu/sem/system.h"
#include "cpu/sem/system_ops.h"
#include "cpu/sem/x87.h"
