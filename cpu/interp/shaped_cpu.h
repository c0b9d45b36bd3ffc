// The interpreter's emitter with an instruction's operand kinds and sizes fixed at
// compile time: the hot semantic templates (cpu/sem/) are instantiated once per operand
// shape their forms allow (register/memory/immediate; 32/64-bit operand size, byte and
// word operands where the form fixes them), so that
// read_operand/write_operand become a single register or memory access instead of a
// chain of tests on the decoded operand. The block decoder picks the instantiation
// matching each instruction's decoded operands (cpu/interp/dispatch.cpp); everything
// else is the plain Cpu emitter's (forwarded).
#pragma once
#include <cstdint>

#include "cpu/cpu.h"
#include "cpu/isa/decoded_insn.h"

namespace emu::interp {

// An operand's kind and size packed in 4 bits: kind (0 none, 1 register, 2 memory,
// 3 immediate) << 2 | log2(size). A shape is three of them (12 bits).
using ShapeKey = uint16_t;
inline constexpr unsigned kShapeNone = 0, kShapeReg = 1, kShapeMem = 2, kShapeImm = 3;

constexpr unsigned shape_operand(unsigned kind, unsigned size) {
  const unsigned lg = size == 8 ? 3 : size == 4 ? 2 : size == 2 ? 1 : 0;
  return kind == kShapeNone ? 0 : (kind << 2 | lg);
}
constexpr ShapeKey make_shape(unsigned o0, unsigned o1, unsigned o2) {
  return static_cast<ShapeKey>(o0 | o1 << 4 | o2 << 8);
}
constexpr unsigned shape_kind(ShapeKey s, unsigned k) { return (s >> (4 * k + 2)) & 3; }
constexpr unsigned shape_size(ShapeKey s, unsigned k) { return 1u << ((s >> (4 * k)) & 3); }

// The shape of a decoded instruction; false when it has none (AH..BH, or an operand
// other than a general register, memory or immediate). The form's shape list decides
// which of them have an instantiation (none with a 16-bit operand size).
inline bool shape_of(const isa::DecodedInsn& d, ShapeKey* out) {
  unsigned ops[3] = {0, 0, 0};
  for (unsigned k = 0; k < d.num_ops && k < 3; ++k) {
    const isa::Operand& o = d.op[k];
    // A memory operand without a size (LEA's) is shaped as a byte: only its address counts.
    const unsigned size = o.type == isa::OperandType::Mem && o.size == 0 ? 1 : o.size;
    if (size != 1 && size != 2 && size != 4 && size != 8) return false;
    switch (o.type) {
      case isa::OperandType::Reg:
        if (o.reg >= isa::kRegAH) return false;
        ops[k] = shape_operand(kShapeReg, size);
        break;
      case isa::OperandType::Mem: ops[k] = shape_operand(kShapeMem, size); break;
      case isa::OperandType::Imm: ops[k] = shape_operand(kShapeImm, size); break;
      default: return false;
    }
  }
  if (d.num_ops > 3) return false;
  *out = make_shape(ops[0], ops[1], ops[2]);
  return true;
}

// Cc: the form's condition code (Jcc/SETcc/CMOVcc: the low opcode bits), or kNoCc.
inline constexpr unsigned kNoCc = 0xff;

template <ShapeKey S, unsigned Cc = kNoCc>
class ShapedCpu {
 public:
  explicit ShapedCpu(Cpu& c) : c_(c) {}
  using Value = Cpu::Value;

  // ---- operands: the shape's kinds and sizes are constants ----
  [[gnu::always_inline]] uint64_t read_operand(const isa::DecodedInsn& i, unsigned k) {
    const isa::Operand& o = i.op[k];
    const unsigned sz = shape_size(S, k);
    switch (shape_kind(S, k)) {
      case kShapeReg: return c_.state().gpr[o.reg] & size_mask(sz);
      case kShapeMem: return c_.read_mem(i.seg, effective_address(i), sz);
      case kShapeImm: return o.reg == 1 ? 1 : i.imm & size_mask(sz);  // reg 1: the constant 1
      default: return 0;
    }
  }
  [[gnu::always_inline]] uint64_t read_operand_rmw(const isa::DecodedInsn& i, unsigned k) {
    if (shape_kind(S, k) == kShapeMem) return c_.read_mem_rmw(i.seg, effective_address(i), shape_size(S, k));
    return read_operand(i, k);
  }
  [[gnu::always_inline]] void write_operand(const isa::DecodedInsn& i, unsigned k, uint64_t v) {
    const unsigned sz = shape_size(S, k);
    if (shape_kind(S, k) == kShapeReg) {
      uint64_t& g = c_.state().gpr[i.op[k].reg];
      if (sz == 8) g = v;
      else if (sz == 4) g = static_cast<uint32_t>(v);  // 32-bit writes zero-extend
      else g = (g & ~size_mask(sz)) | (v & size_mask(sz));  // 8/16-bit writes merge
    } else {
      c_.write_mem(i.seg, effective_address(i), sz, v);
    }
  }
  [[gnu::always_inline]] uint64_t effective_address(const isa::DecodedInsn& i) const { return c_.effective_address(i); }

  // ---- the rest as the plain interpreter emitter ----
  CpuState& state() { return c_.state(); }
  const CpuState& state() const { return c_.state(); }
  bool mode64() const { return c_.mode64(); }
  static bool is_canonical(uint64_t a) { return Cpu::is_canonical(a); }
  [[noreturn]] void raise(uint8_t vector, uint32_t error_code = 0, bool has_error = false) { c_.raise(vector, error_code, has_error); }
  [[noreturn]] void raise_gp0() { c_.raise_gp0(); }
  [[gnu::always_inline]] uint64_t reg(unsigned r, unsigned size) const { return c_.reg(r, size); }
  [[gnu::always_inline]] void set_reg(unsigned r, unsigned size, uint64_t v) { c_.set_reg(r, size, v); }
  [[gnu::always_inline]] uint64_t read_mem(unsigned seg, uint64_t off, unsigned size) { return c_.read_mem(seg, off, size); }
  [[gnu::always_inline]] void write_mem(unsigned seg, uint64_t off, unsigned size, uint64_t v) { c_.write_mem(seg, off, size, v); }
  bool carry_flag() const { return c_.carry_flag(); }
  // The condition (sem::condition() asks the emitter first), the form's when known.
  [[gnu::always_inline]] bool condition(unsigned cc) const {
    return eval_condition_inline(c_.state(), Cc == kNoCc ? cc : Cc);
  }
  [[gnu::always_inline]] void record_flags(FlagOp op, unsigned size, uint64_t result, uint64_t a, uint64_t b, unsigned carry_in) {
    c_.record_flags(op, size, result, a, b, carry_in);
  }
  unsigned stack_addr_size() const { return c_.stack_addr_size(); }
  [[gnu::always_inline]] void push(uint64_t v, unsigned size) { c_.push(v, size); }
  [[gnu::always_inline]] uint64_t pop(unsigned size) { return c_.pop(size); }
  [[gnu::always_inline]] uint64_t peek(unsigned size, uint64_t offset = 0) { return c_.peek(size, offset); }

 private:
  Cpu& c_;
};

}  // namespace emu::interp
