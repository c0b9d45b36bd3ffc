// Interface of the host-CPU reference for the SIMD differential test: tables pairing
// each emu::simd function with the same instruction executed natively through compiler
// intrinsics (host_sse_reference.cpp, x86-64 only, built with -msse4.2 -mpclmul). Only
// call into these tables after host_reference_available() returned true.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "cpu/sem/simd.h"

namespace emu::simd::host_ref {

// True when this build has the reference and the host CPU has SSE4.2, SSSE3 and PCLMUL.
bool host_reference_available();

using Binary = Vec128 (*)(Vec128, Vec128);
using BinaryImm = Vec128 (*)(Vec128, Vec128, uint8_t);

// What the second operand of a case is: any value, or a shift count.
enum class Operand { Any, ShiftCount };

// r = op(a, b); the MMX cases compare 64-bit results (the emu side must zero the rest).
struct BinaryCase {
  const char* name;
  Binary host;
  Binary emu;
  Operand b_kind = Operand::Any;
};
const std::vector<BinaryCase>& binary_cases();

// r = op(a, b, imm8) for every imm8 value (host[imm] is the instruction with that imm8).
struct ImmCase {
  const char* name;
  std::array<Binary, 256> host;
  BinaryImm emu;
};
const std::vector<ImmCase>& imm_cases();

// Element extract/insert: index ranges over the element count (imm8 masking is covered
// by the hand-worked tests).
struct LaneCase {
  const char* name;
  unsigned count;
  std::array<uint64_t (*)(Vec128), 16> host_extract;
  std::array<Vec128 (*)(Vec128, uint64_t), 16> host_insert;
  Elem elem;
  VecSize size;
};
const std::vector<LaneCase>& lane_cases();

// Results that are not a vector.
Vec128 blendv(Vec128 a, Vec128 b, Vec128 mask, Elem e);
uint32_t movmsk(Vec128 a, Elem e, VecSize n);
PtestFlags ptest(Vec128 a, Vec128 b);
uint32_t crc32(uint32_t crc, uint64_t data, unsigned bytes);

// PCMPESTRx / PCMPISTRx with every output (index, mask, flags) for each imm8.
// Explicit lengths are 32-bit (EAX/EDX).
using EstrFn = StrCmpResult (*)(Vec128, int32_t, Vec128, int32_t);
using IstrFn = StrCmpResult (*)(Vec128, Vec128);
const std::array<EstrFn, 256>& pcmpestr_table();
const std::array<IstrFn, 256>& pcmpistr_table();

}  // namespace emu::simd::host_ref
