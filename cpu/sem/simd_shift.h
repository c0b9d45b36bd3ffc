// SIMD shift semantics: PSLL/PSRL/PSRA W/D/Q by count (register or imm8 forms; counts
// at or above the element width give 0, or the sign fill for PSRA) and the whole-register
// byte shifts PSLLDQ/PSRLDQ (XMM only).
#pragma once
#include "cpu/sem/simd_types.h"

namespace emu::simd {

// `count` is the full unsigned count: the imm8 of the immediate forms, or the low 64
// bits of the source register/memory operand of the register forms (never masked).
Vec128 psll(Vec128 a, uint64_t count, Elem e, VecSize n);
Vec128 psrl(Vec128 a, uint64_t count, Elem e, VecSize n);
Vec128 psra(Vec128 a, uint64_t count, Elem e, VecSize n);  // e = W or D (Q works too)

// Count operand of the register forms: the low 64 bits of the source.
inline uint64_t shift_count(Vec128 src) { return src.q[0]; }

// PSLLDQ/PSRLDQ: shift the whole 128-bit value by imm8 bytes (imm8 > 15 gives 0).
Vec128 pslldq(Vec128 a, uint8_t imm);
Vec128 psrldq(Vec128 a, uint8_t imm);

}  // namespace emu::simd
