// Which forms the x86-64 backend can translate inline: the semantic templates of the
// hot families that are generic over the emitter's value type, instantiated with the
// JIT emitter (x86_64_emitter.h). Null for every other form (it calls its handler).
#pragma once
#include "cpu/isa/decoded_insn.h"
#include "cpu/jit/x86_64/x86_64_emitter.h"

namespace emu::jit::x64 {

using FastEmitFn = void (*)(Emitter&, const isa::DecodedInsn&);
extern const FastEmitFn kFastEmit[isa::kNumForms];

}  // namespace emu::jit::x64
