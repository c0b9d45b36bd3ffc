// SSE4.2 string compare semantics: PCMPESTRI/PCMPESTRM (explicit lengths in EAX/EDX or
// RAX/RDX) and PCMPISTRI/PCMPISTRM (implicit, NUL-terminated lengths), with the full
// imm8 control (element format, aggregation, polarity, index/mask output selection) and
// the flags CF/ZF/SF/OF as the Intel SDM defines them (AF and PF are cleared).
#pragma once
#include "cpu/sem/simd_types.h"

namespace emu::simd {

struct StrCmpResult {
  uint32_t index;  // PCMPxSTRI: the value written to ECX (RCX zero-extended)
  Vec128 mask;     // PCMPxSTRM: the value written to XMM0
  bool cf;         // IntRes2 != 0
  bool zf;         // the string in b ends inside the register
  bool sf;         // the string in a ends inside the register
  bool of;         // IntRes2 bit 0
};

// a = first operand (xmm1), b = second operand (xmm2/m128). la/lb are the explicit
// lengths: the value of EAX/EDX sign-extended to 64 bits (32-bit operand size) or
// RAX/RDX (REX.W); their absolute value is used, saturated to the element count.
StrCmpResult pcmpestr(Vec128 a, int64_t la, Vec128 b, int64_t lb, uint8_t imm);
StrCmpResult pcmpistr(Vec128 a, Vec128 b, uint8_t imm);

// Explicit length as the instruction sees it: the 32-bit register value sign-extended
// unless REX.W selects the full 64-bit register.
inline int64_t pcmpstr_length(uint64_t reg, bool rex_w) {
  return rex_w ? static_cast<int64_t>(reg) : static_cast<int64_t>(static_cast<int32_t>(static_cast<uint32_t>(reg)));
}

}  // namespace emu::simd
