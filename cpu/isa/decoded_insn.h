// The decoder's output: one compact record per instruction, shared by the interpreter
// (executes it) and the JIT (translates it). Operands are resolved to registers,
// a memory reference (base/index/scale/disp/segment) or an immediate.
#pragma once
#include <cstdint>

#include "cpu/isa/opcode_table.h"

namespace emu::isa {

// Register numbers for GPR operands: 0..15 = RAX..R15; 16..19 = AH, CH, DH, BH.
inline constexpr uint8_t kRegAH = 16;
inline constexpr uint8_t kNoReg = 0xff;
inline constexpr uint8_t kRegRIP = 0xfe;  // base of a RIP-relative address

enum SegReg : uint8_t { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS };

enum class OperandType : uint8_t { None, Reg, Mem, Imm, Seg, Ctl, Dbg, Xmm, Mmx, St };  // St: x87 ST(reg)

struct Operand {
  OperandType type = OperandType::None;
  uint8_t reg = 0;   // register number (Reg/Seg/Ctl/Dbg/Xmm/Mmx/St)
  uint8_t size = 0;  // bytes
};

// Prefix bits in DecodedInsn::prefixes.
enum PrefixBit : uint16_t {
  PFX_LOCK = 1u << 0,
  PFX_REP = 1u << 1,     // F3 (the last of F2/F3 seen)
  PFX_REPNE = 1u << 2,   // F2 (the last of F2/F3 seen)
  PFX_OPSIZE = 1u << 3,  // 66
  PFX_ADDRSIZE = 1u << 4,  // 67
  PFX_REX = 1u << 5,
  PFX_REXW = 1u << 6,
  PFX_SEG = 1u << 7,     // an explicit segment override
};

struct DecodedInsn {
  FormId form = 0;
  uint8_t length = 0;
  uint8_t opcode = 0;     // the final opcode byte (low bits hold a register or condition)
  uint8_t osz = 4;        // operand size for 'v' operands, in bytes (2, 4, 8)
  uint8_t asz = 4;        // address size, in bytes (2, 4, 8)
  uint8_t seg = SEG_DS;   // segment of the memory operand / string source
  uint8_t modrm = 0;
  uint16_t prefixes = 0;
  uint8_t base = kNoReg, index = kNoReg, scale = 0;  // scale as shift count 0..3
  uint8_t num_ops = 0;
  Operand op[3];
  int64_t disp = 0;       // displacement (or moffs)
  uint64_t imm = 0;       // first immediate, sign-extended (Iw zero-extended); J: relative offset
  uint16_t imm2 = 0;      // second immediate (ENTER level, far pointer selector)

  const Form& info() const { return kForms[form]; }
  bool has_mem() const {
    for (unsigned i = 0; i < num_ops; ++i)
      if (op[i].type == OperandType::Mem) return true;
    return false;
  }
  unsigned reg_field() const { return (modrm >> 3) & 7; }
};

}  // namespace emu::isa
