// SIMD data-rearranging semantics: packs with saturation, unpacks (interleaves),
// PSHUFD/PSHUFLW/PSHUFHW/PSHUFW/PSHUFB, PALIGNR, SHUFPS/SHUFPD, MOVSLDUP/MOVSHDUP/
// MOVDDUP and INSERTPS. `a` is the destination (first) operand, `b` the source.
//
// Float-typed forms map onto the integer ones: UNPCKLPS = punpckl(D), UNPCKHPS =
// punpckh(D), UNPCKLPD = punpckl(Q), UNPCKHPD = punpckh(Q) (VecSize::Xmm).
#pragma once
#include "cpu/sem/simd_types.h"

namespace emu::simd {

// PACKSSWB (from=W), PACKSSDW (from=D): signed saturation to half width; the elements of
// a fill the low half of the result, those of b the high half.
Vec128 packss(Vec128 a, Vec128 b, Elem from, VecSize n);
// PACKUSWB (from=W), PACKUSDW (from=D, SSE4.1): signed input, unsigned saturation.
Vec128 packus(Vec128 a, Vec128 b, Elem from, VecSize n);

// PUNPCKLBW/WD/DQ/QDQ: interleave the low-half elements a0,b0,a1,b1,...
// PUNPCKHBW/WD/DQ/QDQ: the same with the high-half elements.
Vec128 punpckl(Vec128 a, Vec128 b, Elem e, VecSize n);
Vec128 punpckh(Vec128 a, Vec128 b, Elem e, VecSize n);

// PSHUFD: dword i = src dword imm[2i+1:2i].
Vec128 pshufd(Vec128 src, uint8_t imm);
// PSHUFLW / PSHUFHW: the same on words 0-3 / 4-7; the other half is copied.
Vec128 pshuflw(Vec128 src, uint8_t imm);
Vec128 pshufhw(Vec128 src, uint8_t imm);
// PSHUFW (MMX): the same on the 4 words of a 64-bit value.
Vec128 pshufw(Vec128 src, uint8_t imm);
// PSHUFB: byte i = bit 7 of b[i] ? 0 : a[b[i] mod size].
Vec128 pshufb(Vec128 a, Vec128 b, VecSize n);

// PALIGNR: the concatenation a:b (a high) shifted right by imm8 bytes, low part kept;
// imm8 >= 2*size gives 0.
Vec128 palignr(Vec128 a, Vec128 b, uint8_t imm, VecSize n);

// SHUFPS: dwords 0,1 from a, 2,3 from b, each selected by 2 bits of imm8.
Vec128 shufps(Vec128 a, Vec128 b, uint8_t imm);
// SHUFPD: qword 0 = a[imm8 bit 0], qword 1 = b[imm8 bit 1].
Vec128 shufpd(Vec128 a, Vec128 b, uint8_t imm);

// MOVSLDUP (dwords 0,0,2,2), MOVSHDUP (1,1,3,3), MOVDDUP (qword 0 twice).
Vec128 movsldup(Vec128 src);
Vec128 movshdup(Vec128 src);
Vec128 movddup(Vec128 src);

// INSERTPS: dword imm8[5:4] of a := value, then dwords whose imm8[3:0] bit is set are
// zeroed. For the register form the value is src dword imm8[7:6] (insertps_reg); for
// the memory form it is the 32-bit memory operand.
Vec128 insertps(Vec128 a, uint32_t value, uint8_t imm);
Vec128 insertps_reg(Vec128 a, Vec128 src, uint8_t imm);

}  // namespace emu::simd
