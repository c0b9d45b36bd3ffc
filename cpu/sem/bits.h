// Bit semantics: BT BTS BTR BTC (with memory bit-string addressing), BSF BSR TZCNT
// LZCNT POPCNT BSWAP, SETcc and CMOVcc.
#pragma once
#include "cpu/sem/common.h"
#include "cpu/sem/muldiv.h"

namespace emu::sem {

enum class BitOp { Test, Set, Reset, Complement };

template <BitOp Op, class E>
void bit_op(E& e, const DecodedInsn& i) {
  const unsigned sz = dst_size(i), bits = 8 * sz;
  uint64_t offset = e.read_operand(i, 1);
  const bool reg_offset = i.op[1].type == OperandType::Reg;
  uint64_t base_off = 0;
  unsigned bit;
  if (dst_is_mem(i) && reg_offset) {
    // Bit string: the register offset is signed and may address outside the operand.
    int64_t so = sext(offset, sz);
    int64_t word = so >> (sz == 8 ? 6 : sz == 4 ? 5 : 4);
    base_off = static_cast<uint64_t>(word * static_cast<int64_t>(sz));
    bit = static_cast<unsigned>(so & (bits - 1));
  } else {
    bit = static_cast<unsigned>(offset & (bits - 1));
  }
  uint64_t v;
  uint64_t ea = 0;
  if (dst_is_mem(i)) {
    ea = (e.effective_address(i) + base_off) & size_mask(i.asz);
    v = Op == BitOp::Test ? e.read_mem(i.seg, ea, sz) : e.read_mem_rmw(i.seg, ea, sz);
  } else {
    v = e.read_operand(i, 0);
  }
  bool cf = (v >> bit) & 1;
  uint64_t nv = v;
  if (Op == BitOp::Set) nv |= uint64_t{1} << bit;
  if (Op == BitOp::Reset) nv &= ~(uint64_t{1} << bit);
  if (Op == BitOp::Complement) nv ^= uint64_t{1} << bit;
  if (Op != BitOp::Test) {
    if (dst_is_mem(i)) e.write_mem(i.seg, ea, sz, nv);
    else e.write_operand(i, 0, nv);
  }
  set_arith_flags(e.state(), isa::FL_CF, cf ? isa::FL_CF : 0);
  advance(e, i);
}
template <class E> void sem_bt(E& e, const DecodedInsn& i) { bit_op<BitOp::Test>(e, i); }
template <class E> void sem_bts(E& e, const DecodedInsn& i) { bit_op<BitOp::Set>(e, i); }
template <class E> void sem_btr(E& e, const DecodedInsn& i) { bit_op<BitOp::Reset>(e, i); }
template <class E> void sem_btc(E& e, const DecodedInsn& i) { bit_op<BitOp::Complement>(e, i); }

template <class E>
void sem_bsf(E& e, const DecodedInsn& i) {
  uint64_t v = e.read_operand(i, 1);
  if (v == 0) {
    set_arith_flags(e.state(), isa::FL_ZF, isa::FL_ZF);  // destination unchanged
  } else {
    e.write_operand(i, 0, static_cast<uint64_t>(__builtin_ctzll(v)));
    set_arith_flags(e.state(), isa::FL_ZF, 0);
  }
  advance(e, i);
}
template <class E>
void sem_bsr(E& e, const DecodedInsn& i) {
  uint64_t v = e.read_operand(i, 1);
  if (v == 0) {
    set_arith_flags(e.state(), isa::FL_ZF, isa::FL_ZF);
  } else {
    e.write_operand(i, 0, static_cast<uint64_t>(63 - __builtin_clzll(v)));
    set_arith_flags(e.state(), isa::FL_ZF, 0);
  }
  advance(e, i);
}
template <class E>
void sem_tzcnt(E& e, const DecodedInsn& i) {
  const unsigned bits = 8 * dst_size(i);
  uint64_t v = e.read_operand(i, 1);
  uint64_t r = v == 0 ? bits : static_cast<uint64_t>(__builtin_ctzll(v));
  e.write_operand(i, 0, r);
  set_arith_flags(e.state(), isa::FL_CF | isa::FL_ZF, (v == 0 ? isa::FL_CF : 0) | (r == 0 ? isa::FL_ZF : 0));
  advance(e, i);
}
template <class E>
void sem_lzcnt(E& e, const DecodedInsn& i) {
  const unsigned bits = 8 * dst_size(i);
  uint64_t v = e.read_operand(i, 1);
  uint64_t r = v == 0 ? bits : static_cast<uint64_t>(__builtin_clzll(v)) - (64 - bits);
  e.write_operand(i, 0, r);
  set_arith_flags(e.state(), isa::FL_CF | isa::FL_ZF, (v == 0 ? isa::FL_CF : 0) | (r == 0 ? isa::FL_ZF : 0));
  advance(e, i);
}
template <class E>
void sem_popcnt(E& e, const DecodedInsn& i) {
  uint64_t v = e.read_operand(i, 1);
  e.write_operand(i, 0, static_cast<uint64_t>(__builtin_popcountll(v)));
  set_arith_flags(e.state(), isa::FL_ARITH, v == 0 ? isa::FL_ZF : 0);
  advance(e, i);
}
template <class E>
void sem_bswap(E& e, const DecodedInsn& i) {
  const unsigned sz = dst_size(i);
  if (i.osz == 2) {  // BSWAP r16 is undefined; Intel and AMD clear the low word
    e.set_reg(i.op[0].reg, 2, 0);
    advance(e, i);
    return;
  }
  uint64_t v = e.read_operand(i, 0);
  uint64_t r = sz == 8 ? __builtin_bswap64(v) : __builtin_bswap32(static_cast<uint32_t>(v));
  e.write_operand(i, 0, r);
  advance(e, i);
}

template <class E>
void sem_setcc(E& e, const DecodedInsn& i) {
  e.write_operand(i, 0, condition(e, i.opcode & 15));  // 1 or 0
  advance(e, i);
}
template <class E>
void sem_cmov(E& e, const DecodedInsn& i) {
  auto src = e.read_operand(i, 1);  // read (and fault) even when the condition is false
  auto old = e.read_operand(i, 0);  // (a register)
  auto taken = condition(e, i.opcode & 15);
  e.write_operand(i, 0, select(e, taken, src, old));  // a 32-bit destination is zero-extended either way
  advance(e, i);
}

}  // namespace emu::sem
