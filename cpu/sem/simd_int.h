// Integer SIMD arithmetic, comparison and bitwise semantics of MMX/SSE2/SSSE3/SSE4.1:
// PADD/PSUB (wrapping and saturating), multiplies, averages, sums of absolute
// differences, min/max, compares, logic, PABS/PSIGN, horizontal add/sub, PHMINPOSUW and
// MPSADBW. Pure functions on Vec128; `n` selects the MMX (low 64 bits, high half of the
// result is 0) or XMM form of the same instruction.
//
// Operand convention: `a` is the destination (first) operand, `b` the source (second).
// Bitwise float ops are the same functions: ANDPS/ANDPD = pand, ANDNPS/ANDNPD = pandn,
// ORPS/ORPD = por, XORPS/XORPD = pxor (all with VecSize::Xmm).
#pragma once
#include "cpu/sem/simd_types.h"

namespace emu::simd {

// PADDB/W/D/Q, PSUBB/W/D/Q: wrapping.
Vec128 padd(Vec128 a, Vec128 b, Elem e, VecSize n);
Vec128 psub(Vec128 a, Vec128 b, Elem e, VecSize n);
// PADDSB/W, PSUBSB/W (signed saturation); PADDUSB/W, PSUBUSB/W (unsigned saturation).
Vec128 padds(Vec128 a, Vec128 b, Elem e, VecSize n);
Vec128 psubs(Vec128 a, Vec128 b, Elem e, VecSize n);
Vec128 paddus(Vec128 a, Vec128 b, Elem e, VecSize n);
Vec128 psubus(Vec128 a, Vec128 b, Elem e, VecSize n);

// PMULLW (e=W), PMULLD (e=D): low half of the product.
Vec128 pmull(Vec128 a, Vec128 b, Elem e, VecSize n);
// PMULHW (signed) / PMULHUW (unsigned): high 16 bits of the 32-bit word products.
Vec128 pmulhw(Vec128 a, Vec128 b, VecSize n);
Vec128 pmulhuw(Vec128 a, Vec128 b, VecSize n);
// PMULHRSW: (a*b + 0x4000) >> 15 per signed word.
Vec128 pmulhrsw(Vec128 a, Vec128 b, VecSize n);
// PMULUDQ: unsigned 32x32->64 of the even dwords (dword 0 only for MMX).
Vec128 pmuludq(Vec128 a, Vec128 b, VecSize n);
// PMULDQ (SSE4.1, XMM only): signed 32x32->64 of dwords 0 and 2.
Vec128 pmuldq(Vec128 a, Vec128 b);
// PMADDWD: signed word products, adjacent pairs summed into dwords (wrapping).
Vec128 pmaddwd(Vec128 a, Vec128 b, VecSize n);
// PMADDUBSW: unsigned bytes of a times signed bytes of b, pairs summed with signed
// word saturation.
Vec128 pmaddubsw(Vec128 a, Vec128 b, VecSize n);

// PAVGB/PAVGW: (a + b + 1) >> 1, unsigned.
Vec128 pavg(Vec128 a, Vec128 b, Elem e, VecSize n);
// PSADBW: per 64-bit half, the sum of |a-b| over its 8 bytes in the low word.
Vec128 psadbw(Vec128 a, Vec128 b, VecSize n);

// PMINSB/SW/SD, PMINUB/UW/UD, PMAXSB/SW/SD, PMAXUB/UW/UD.
Vec128 pmins(Vec128 a, Vec128 b, Elem e, VecSize n);
Vec128 pminu(Vec128 a, Vec128 b, Elem e, VecSize n);
Vec128 pmaxs(Vec128 a, Vec128 b, Elem e, VecSize n);
Vec128 pmaxu(Vec128 a, Vec128 b, Elem e, VecSize n);

// PCMPEQB/W/D/Q, PCMPGTB/W/D/Q (signed greater than): all-ones where true.
Vec128 pcmpeq(Vec128 a, Vec128 b, Elem e, VecSize n);
Vec128 pcmpgt(Vec128 a, Vec128 b, Elem e, VecSize n);

// PAND, PANDN (~a & b), POR, PXOR.
Vec128 pand(Vec128 a, Vec128 b, VecSize n);
Vec128 pandn(Vec128 a, Vec128 b, VecSize n);
Vec128 por(Vec128 a, Vec128 b, VecSize n);
Vec128 pxor(Vec128 a, Vec128 b, VecSize n);

// PABSB/W/D of the source operand.
Vec128 pabs(Vec128 b, Elem e, VecSize n);
// PSIGNB/W/D: a negated, zeroed or kept by the sign of b.
Vec128 psign(Vec128 a, Vec128 b, Elem e, VecSize n);
// PHADDW/D, PHSUBW/D (wrapping; e = W or D) and PHADDSW/PHSUBSW (signed word
// saturation): pairs of a fill the low half of the result, pairs of b the high half.
Vec128 phadd(Vec128 a, Vec128 b, Elem e, VecSize n);
Vec128 phsub(Vec128 a, Vec128 b, Elem e, VecSize n);
Vec128 phaddsw(Vec128 a, Vec128 b, VecSize n);
Vec128 phsubsw(Vec128 a, Vec128 b, VecSize n);

// PHMINPOSUW: word 0 = minimum unsigned word of b, word 1 = its (lowest) index, rest 0.
Vec128 phminposuw(Vec128 b);
// MPSADBW: eight sums of absolute differences of 4-byte groups; imm8[2] selects the
// window of a (bytes 0.. or 4..), imm8[1:0] the 4-byte block of b.
Vec128 mpsadbw(Vec128 a, Vec128 b, uint8_t imm);

}  // namespace emu::simd
