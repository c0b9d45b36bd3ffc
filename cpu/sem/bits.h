// Bit semantics: BT BTS BTR BTC (with memory bit-string addressing), BSF BSR TZCNT
// LZCNT POPCNT BSWAP, SETcc and CMOVcc. BT* (but bit strings), BSF, BSR, BSWAP, SETcc
// and CMOVcc are generic over E::Value (the JIT translates them).
#pragma once
#include "cpu/sem/common.h"
#include "cpu/sem/muldiv.h"
#include "cpu/sem/shift.h"

namespace emu::sem {

enum class BitOp { Test, Set, Reset, Complement };

// A memory operand with a register bit offset: a bit string (the signed offset may
// address outside the operand). The interpreter's path only.
template <BitOp Op, class E>
void bit_string_op(E& e, const DecodedInsn& i) {
  const unsigned sz = dst_size(i), bits = 8 * sz;
  uint64_t offset = e.read_operand(i, 1);
  int64_t so = sext(offset, sz);
  int64_t word = so >> (sz == 8 ? 6 : sz == 4 ? 5 : 4);
  uint64_t base_off = static_cast<uint64_t>(word * static_cast<int64_t>(sz));
  unsigned bit = static_cast<unsigned>(so & (bits - 1));
  uint64_t ea = (e.effective_address(i) + base_off) & size_mask(i.asz);
  uint64_t v = Op == BitOp::Test ? e.read_mem(i.seg, ea, sz) : e.read_mem_rmw(i.seg, ea, sz);
  const uint64_t m = uint64_t{1} << bit;
  if (Op == BitOp::Set) e.write_mem(i.seg, ea, sz, v | m);
  if (Op == BitOp::Reset) e.write_mem(i.seg, ea, sz, v & ~m);
  if (Op == BitOp::Complement) e.write_mem(i.seg, ea, sz, v ^ m);
  record_rotate(e.state(), static_cast<unsigned>((v >> bit) & 1) << 1);
  advance(e, i);
}

// record_rotate()'s flag bits for CF = OF = bit `bit` of v.
template <class E, class V, class B>
inline V bit_flag_bits(E& e, V v, B bit) {
  if constexpr (requires { e.bit_flag_bits(v, bit); }) return e.bit_flag_bits(v, bit);
  else return ((v >> bit) & 1) << 1;
}
// BT BTS BTR BTC: CF = the bit; OF = CF, SF/ZF/AF/PF kept (OF/SF/AF/PF are undefined)
// through a Rot record. Generic over E::Value except bit strings.
template <BitOp Op, class E>
void bit_op(E& e, const DecodedInsn& i) {
  const unsigned bits = 8 * dst_size(i);
  if (dst_is_mem(i) && i.op[1].type == OperandType::Reg) {
    if constexpr (requires { e.state(); }) bit_string_op<Op>(e, i);
    else e.give_up();
    return;
  }
  auto v = Op == BitOp::Test ? e.read_operand(i, 0) : e.read_operand_rmw(i, 0);
  auto bit = e.read_operand(i, 1) & (bits - 1);
  if constexpr (Op != BitOp::Test) {
    auto m = imm_value(e, 1) << bit;
    if constexpr (Op == BitOp::Set) e.write_operand(i, 0, v | m);
    if constexpr (Op == BitOp::Reset) e.write_operand(i, 0, v & ~m);
    if constexpr (Op == BitOp::Complement) e.write_operand(i, 0, v ^ m);
  }
  record_rotate_flags(e, imm_value(e, 1), bit_flag_bits(e, v, bit));
  advance(e, i);
}
template <class E> void sem_bt(E& e, const DecodedInsn& i) { bit_op<BitOp::Test>(e, i); }
template <class E> void sem_bts(E& e, const DecodedInsn& i) { bit_op<BitOp::Set>(e, i); }
template <class E> void sem_btr(E& e, const DecodedInsn& i) { bit_op<BitOp::Reset>(e, i); }
template <class E> void sem_btc(E& e, const DecodedInsn& i) { bit_op<BitOp::Complement>(e, i); }

// The index of the lowest (BSF) or highest (BSR) set bit of v; anything for v == 0.
template <bool Reverse, class E, class V>
inline V bit_index(E& e, V v) {
  if constexpr (requires { e.bit_index(Reverse, v); }) return e.bit_index(Reverse, v);
  else if (v == 0) return 0;
  else return static_cast<uint64_t>(Reverse ? 63 - __builtin_clzll(v) : __builtin_ctzll(v));
}
// BSF/BSR: a zero source leaves the destination unchanged (not written: a 32-bit one
// keeps its upper half) and sets ZF. Flags as a Logic record of the source: ZF = source
// is zero, CF = OF = 0 (SF/PF/AF, like OF/CF, are undefined).
template <bool Reverse, class E>
void bit_scan(E& e, const DecodedInsn& i) {
  const unsigned sz = dst_size(i), wide = sz == 4 ? 8 : sz;
  auto v = e.read_operand(i, 1);
  auto index = bit_index<Reverse>(e, v);
  e.set_reg(i.op[0].reg, wide, select(e, v, index, e.reg(i.op[0].reg, wide)));
  e.record_flags(FlagOp::Logic, sz, v, v, imm_value(e, 0), 0u);
  advance(e, i);
}
template <class E> void sem_bsf(E& e, const DecodedInsn& i) { bit_scan<false>(e, i); }
template <class E> void sem_bsr(E& e, const DecodedInsn& i) { bit_scan<true>(e, i); }
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
// The low 4 or 8 bytes of v, byte-reversed.
template <class E, class V>
inline V byte_swap(E& e, V v, unsigned sz) {
  if constexpr (requires { e.byte_swap(v, sz); }) return e.byte_swap(v, sz);
  else return sz == 8 ? __builtin_bswap64(v) : __builtin_bswap32(static_cast<uint32_t>(v));
}
template <class E>
void sem_bswap(E& e, const DecodedInsn& i) {
  const unsigned sz = dst_size(i);
  if (i.osz == 2) {  // BSWAP r16 is undefined; Intel and AMD clear the low word
    e.set_reg(i.op[0].reg, 2, imm_value(e, 0));
    advance(e, i);
    return;
  }
  e.write_operand(i, 0, byte_swap(e, e.read_operand(i, 0), sz));
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
