// Interface to the host CPU's own SSE and x87 units, used as the reference by the
// differential tests. Implemented for x86-64 hosts in host_x87_reference.cpp; on other
// hosts available() is false and the differential tests are skipped.
#pragma once
#include <cstdint>

#include "cpu/fpu/float_types.h"

namespace hostref {

bool available();       // host is x86-64
bool has_sse41();       // ROUNDSS/ROUNDSD available

enum class SseOp { Add, Sub, Mul, Div, Sqrt, Min, Max, Rcp, Rsqrt };
// `mxcsr` is loaded before the instruction and receives MXCSR after it. All exceptions
// must be masked in it.
uint32_t sse_f32(SseOp op, uint32_t a, uint32_t b, uint32_t& mxcsr);
uint64_t sse_f64(SseOp op, uint64_t a, uint64_t b, uint32_t& mxcsr);
bool has_fma();
// VFMADD213SS/SD xmm0(a), xmm1(b), xmm2(c): xmm0 = b * a + c.
uint32_t fma_f32(uint32_t a, uint32_t b, uint32_t c, uint32_t& mxcsr);
uint64_t fma_f64(uint64_t a, uint64_t b, uint64_t c, uint32_t& mxcsr);
uint64_t sse_cvtss2sd(uint32_t a, uint32_t& mxcsr);
uint32_t sse_cvtsd2ss(uint64_t a, uint32_t& mxcsr);
int64_t sse_f32_to_int(uint32_t a, int width, bool truncate, uint32_t& mxcsr);
int64_t sse_f64_to_int(uint64_t a, int width, bool truncate, uint32_t& mxcsr);
uint32_t sse_int_to_f32(int64_t v, int width, uint32_t& mxcsr);
uint64_t sse_int_to_f64(int64_t v, int width, uint32_t& mxcsr);
uint32_t sse_round_f32(uint32_t a, unsigned imm, uint32_t& mxcsr);  // imm 0-15
uint64_t sse_round_f64(uint64_t a, unsigned imm, uint32_t& mxcsr);
// COMISS/UCOMISS: returns RFLAGS & (ZF|PF|CF).
unsigned sse_comi_f32(uint32_t a, uint32_t b, bool signaling, uint32_t& mxcsr);
unsigned sse_comi_f64(uint64_t a, uint64_t b, bool signaling, uint32_t& mxcsr);
// CMPSS/CMPSD with predicate 0-7: true when the lane is all ones.
bool sse_cmp_f32(uint32_t a, uint32_t b, unsigned imm, uint32_t& mxcsr);
bool sse_cmp_f64(uint64_t a, uint64_t b, unsigned imm, uint32_t& mxcsr);

// x87: ST(0) = a, ST(1) = b before the instruction; `fcw` is loaded first.
enum class X87Op {
  Add, Sub, Mul, Div,  // ST0 = ST0 op ST1
  Sqrt, Rndint, Sin, Cos, Tan, SinCos, F2xm1, Xtract,
  Atan, Yl2x, Yl2xp1,  // ST1 op ST0, pop
  Scale, Prem, Prem1,
  Com, Ucom,           // compare ST0 with ST1
  Xam,
  StoreF32, StoreF64, StoreI16, StoreI32, StoreI64, StoreTruncI64, StoreBcd,
  LoadF32, LoadF64,    // load a's low bits as m32/m64 into ST0
  LdL2T, LdL2E, LdPi, LdLG2, LdLN2,  // push a constant (above a)
  AddM32, DivM64, SubRM32, MulM64,  // ST0 = a op (b's low bits as m32 / m64)
  ComM32, ComM64,      // FCOM m32/m64
};
struct X87Out {
  emu::fpu::Float80 st0;  // ST(0) after the instruction (before any store-pop)
  emu::fpu::Float80 st1;  // ST(1) after the instruction
  uint64_t memory = 0;    // stored value (FST/FIST), low 8 bytes of FBSTP
  uint16_t memory_hi = 0; // high 2 bytes of FBSTP
  uint16_t fsw = 0;       // status word right after the instruction
};
X87Out x87(X87Op op, emu::fpu::Float80 a, emu::fpu::Float80 b, uint16_t fcw);

}  // namespace hostref
