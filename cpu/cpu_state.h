// The architectural state of one x86-64 CPU, shared by every engine (interpreter, JIT):
// GPRs, RIP, RFLAGS with lazily evaluated arithmetic flags, segment registers with their
// descriptor caches, control registers, EFER/MSRs, x87 and SSE state. Plain data: the
// engines and the system code (descriptors, interrupts: a later step) operate on it.
#pragma once
#include <cstdint>

#include "cpu/vec128.h"

namespace emu {

enum GprIndex : uint8_t {
  RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15,
};

// A segment register and its hidden descriptor cache.
struct SegmentCache {
  uint16_t selector = 0;
  uint64_t base = 0;
  uint32_t limit = 0xffff;
  // Descriptor attribute bits 40..47 and 52..55 packed as in VMX: type(4) S DPL(2) P,
  // then AVL L D/B G in bits 12..15.
  uint16_t attr = 0x0093;
  bool long_mode() const { return attr & (1u << 13); }   // CS.L
  bool default_big() const { return attr & (1u << 14); }  // CS.D / SS.B
  unsigned dpl() const { return (attr >> 5) & 3; }
};
inline constexpr uint16_t kSegAttrL = 1u << 13;
inline constexpr uint16_t kSegAttrDB = 1u << 14;
inline constexpr uint16_t kSegAttrG = 1u << 15;

struct DescriptorTableReg {
  uint64_t base = 0;
  uint16_t limit = 0xffff;
};

// One x87 register: 64-bit significand with explicit integer bit, sign and 15-bit exponent.
struct X87Reg {
  uint64_t signif = 0;
  uint16_t sign_exp = 0;
};

struct X87State {
  X87Reg st[8];          // physical registers R0..R7 (ST(i) = st[(top + i) & 7])
  uint16_t fcw = 0x037f;
  uint16_t fsw = 0;      // TOP in bits 11..13
  uint16_t ftw = 0xffff; // full tag word: 2 bits per register, 11 = empty
  uint16_t fop = 0;
  uint64_t fip = 0, fdp = 0;
  uint16_t fcs = 0, fds = 0;
  unsigned top() const { return (fsw >> 11) & 7; }
};

// Lazy arithmetic flags: the last flag-setting operation, its operand size, result and
// operands. FlagOp::None means the arithmetic bits in RFLAGS are current. Shl/Shr/Sar:
// src1 = the operand, src2 = the (masked, nonzero) count. Mul: src1 = 1 if the product
// did not fit (CF = OF), result = its low part. Rot (ROL/ROR/RCL/RCR/BT* over a record):
// CF = carry_in bit 1, OF = CF ^ carry_in bit 0; SF/ZF/PF/AF stay those of the record it
// replaced (result, size, src1/src2 untouched; `prev` holds that record's op).
enum class FlagOp : uint8_t { None, Add, Adc, Sub, Sbb, Logic, Inc, Dec, Shl, Shr, Sar, Mul, Rot };

struct LazyFlags {
  FlagOp op = FlagOp::None;
  uint8_t size = 4;     // operand size in bytes
  uint8_t carry_in = 0; // ADC/SBB carry in (Rot: CF << 1 | (CF ^ OF))
  FlagOp prev = FlagOp::None;  // Rot: the op of the record whose SF/ZF/PF/AF it keeps
  uint64_t result = 0;
  uint64_t src1 = 0;    // first operand (destination's old value)
  uint64_t src2 = 0;    // second operand
};

// CR0 / CR4 / EFER bits the CPU core reads.
inline constexpr uint64_t kCr0PE = 1u << 0;
inline constexpr uint64_t kCr0PG = 1ull << 31;
inline constexpr uint64_t kCr4TSD = 1u << 2;
inline constexpr uint64_t kEferLME = 1u << 8;
inline constexpr uint64_t kEferLMA = 1u << 10;

struct CpuState {
  uint64_t gpr[16] = {};
  uint64_t rip = 0;
  uint64_t rflags = 0x2;  // non-arithmetic bits always; arithmetic bits when lf.op == None
  LazyFlags lf;
  SegmentCache seg[6];    // ES CS SS DS FS GS
  SegmentCache ldtr, tr;
  DescriptorTableReg gdtr, idtr;
  uint64_t cr0 = 0x60000010, cr2 = 0, cr3 = 0, cr4 = 0, cr8 = 0;
  uint64_t efer = 0;
  uint64_t dr[8] = {};
  uint64_t tsc_aux = 0;
  uint8_t cpl = 0;
  X87State x87;
  Vec128 xmm[16];
  uint32_t mxcsr = 0x1f80;

  // 16, 32 or 64: the default code size from CS and EFER.LMA.
  unsigned code_bits() const {
    if ((efer & kEferLMA) && seg[1].long_mode()) return 64;
    return seg[1].default_big() ? 32 : 16;
  }
  bool mode64() const { return code_bits() == 64; }
  // Summary of the mode bits that change how code decodes or executes; part of the
  // decoded-block cache key.
  uint32_t mode_key() const {
    return code_bits() | (uint32_t{cpl} << 8) | ((cr0 & kCr0PG) ? 1u << 10 : 0) |
           ((cr0 & kCr0PE) ? 1u << 11 : 0) | ((efer & kEferLMA) ? 1u << 12 : 0);
  }
};

}  // namespace emu
