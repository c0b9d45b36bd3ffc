// SIMD per-element selection semantics: PEXTR/PINSR B/W/D/Q (and EXTRACTPS), blends
// by immediate (PBLENDW, BLENDPS, BLENDPD) and by mask sign bits (PBLENDVB, BLENDVPS,
// BLENDVPD), sign-bit masks (PMOVMSKB, MOVMSKPS, MOVMSKPD), PMOVSX/PMOVZX and PTEST.
#pragma once
#include "cpu/sem/simd_types.h"

namespace emu::simd {

// PEXTRB/W/D/Q, EXTRACTPS (= pextr D): element imm8 mod (elements per register),
// zero-extended. MMX PEXTRW is pextr(.., W, Mmx).
uint64_t pextr(Vec128 src, uint8_t imm, Elem e, VecSize n);
// PINSRB/W/D/Q: element imm8 mod (elements per register) := low bits of value.
Vec128 pinsr(Vec128 dst, uint64_t value, uint8_t imm, Elem e, VecSize n);

// PBLENDW (e=W), BLENDPS (e=D), BLENDPD (e=Q): element i from b if imm8 bit i is set.
Vec128 blend(Vec128 a, Vec128 b, uint8_t imm, Elem e);
// PBLENDVB (e=B), BLENDVPS (e=D), BLENDVPD (e=Q): element i from b if the top bit of
// mask element i (XMM0) is set.
Vec128 blendv(Vec128 a, Vec128 b, Vec128 mask, Elem e);

// PMOVMSKB (e=B), MOVMSKPS (e=D), MOVMSKPD (e=Q): bit i = top bit of element i.
uint32_t movmsk(Vec128 src, Elem e, VecSize n);

// PMOVSXBW/BD/BQ/WD/WQ/DQ and PMOVZX...: the low elements of src (width `from`)
// sign/zero-extended to width `to` (XMM result).
Vec128 pmovsx(Vec128 src, Elem from, Elem to);
Vec128 pmovzx(Vec128 src, Elem from, Elem to);

// PTEST: ZF = (a & b) == 0, CF = (~a & b) == 0; the other arithmetic flags are cleared.
struct PtestFlags {
  bool zf;
  bool cf;
};
PtestFlags ptest(Vec128 a, Vec128 b);

}  // namespace emu::simd
