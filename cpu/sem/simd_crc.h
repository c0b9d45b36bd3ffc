// SSE4.2 CRC32 (CRC-32C, Castagnoli polynomial, bit-reflected, no pre/post inversion:
// exactly the accumulate step of the instruction) and PCLMULQDQ (carry-less multiply).
#pragma once
#include "cpu/sem/simd_types.h"

namespace emu::simd {

// CRC32 r32, r/m8/16/32/64: folds the low `bytes` (1, 2, 4 or 8) bytes of data,
// least significant byte first, into crc. The 64-bit form zero-extends into RAX.
uint32_t crc32c(uint32_t crc, uint64_t data, unsigned bytes);

// PCLMULQDQ: carry-less product of qword imm8[0] of a and qword imm8[4] of b.
Vec128 pclmulqdq(Vec128 a, Vec128 b, uint8_t imm);

}  // namespace emu::simd
