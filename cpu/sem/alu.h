// Integer ALU semantics: ADD OR ADC SBB AND SUB XOR CMP TEST, INC DEC NEG NOT.
#pragma once
#include "cpu/sem/common.h"

namespace emu::sem {

enum class AluOp { Add, Or, Adc, Sbb, And, Sub, Xor, Cmp, Test };

// Generic over the emitter's value type (E::Value): the interpreter computes with
// uint64_t, the JIT's emitter builds host code from the same lines.
template <AluOp Op, class E>
inline void alu(E& e, const DecodedInsn& i) {
  const unsigned sz = dst_size(i);
  const uint64_t m = size_mask(sz);
  auto a = (Op == AluOp::Cmp || Op == AluOp::Test) ? e.read_operand(i, 0) : e.read_operand_rmw(i, 0);
  auto b = e.read_operand(i, 1);
  decltype(a) r;
  FlagOp fop;
  decltype(e.carry_flag()) cin{};
  switch (Op) {
    case AluOp::Add: r = a + b; fop = FlagOp::Add; break;
    case AluOp::Adc: cin = e.carry_flag(); r = a + b + cin; fop = FlagOp::Adc; break;
    case AluOp::Sub: case AluOp::Cmp: r = a - b; fop = FlagOp::Sub; break;
    case AluOp::Sbb: cin = e.carry_flag(); r = a - b - cin; fop = FlagOp::Sbb; break;
    case AluOp::Or: r = a | b; fop = FlagOp::Logic; break;
    case AluOp::And: case AluOp::Test: r = a & b; fop = FlagOp::Logic; break;
    default: r = a ^ b; fop = FlagOp::Logic; break;
  }
  r &= m;
  if constexpr (Op != AluOp::Cmp && Op != AluOp::Test) e.write_operand(i, 0, r);
  e.record_flags(fop, sz, r, a, b, cin);
  advance(e, i);
}

template <class E> void sem_add(E& e, const DecodedInsn& i) { alu<AluOp::Add>(e, i); }
template <class E> void sem_or(E& e, const DecodedInsn& i) { alu<AluOp::Or>(e, i); }
template <class E> void sem_adc(E& e, const DecodedInsn& i) { alu<AluOp::Adc>(e, i); }
template <class E> void sem_sbb(E& e, const DecodedInsn& i) { alu<AluOp::Sbb>(e, i); }
template <class E> void sem_and(E& e, const DecodedInsn& i) { alu<AluOp::And>(e, i); }
template <class E> void sem_sub(E& e, const DecodedInsn& i) { alu<AluOp::Sub>(e, i); }
template <class E> void sem_xor(E& e, const DecodedInsn& i) { alu<AluOp::Xor>(e, i); }
template <class E> void sem_cmp(E& e, const DecodedInsn& i) { alu<AluOp::Cmp>(e, i); }
template <class E> void sem_test(E& e, const DecodedInsn& i) { alu<AluOp::Test>(e, i); }

// INC/DEC keep CF: it is recorded as the carry-in of their lazy record.
template <class E>
void sem_inc(E& e, const DecodedInsn& i) {
  const unsigned sz = dst_size(i);
  auto a = e.read_operand_rmw(i, 0);
  auto cf = e.carry_flag();
  auto r = (a + 1) & size_mask(sz);
  e.write_operand(i, 0, r);
  e.record_flags(FlagOp::Inc, sz, r, a, uint64_t{1}, cf);
  advance(e, i);
}
template <class E>
void sem_dec(E& e, const DecodedInsn& i) {
  const unsigned sz = dst_size(i);
  auto a = e.read_operand_rmw(i, 0);
  auto cf = e.carry_flag();
  auto r = (a - 1) & size_mask(sz);
  e.write_operand(i, 0, r);
  e.record_flags(FlagOp::Dec, sz, r, a, uint64_t{1}, cf);
  advance(e, i);
}
template <class E>
void sem_neg(E& e, const DecodedInsn& i) {
  const unsigned sz = dst_size(i);
  auto a = e.read_operand_rmw(i, 0);
  auto r = (0 - a) & size_mask(sz);
  e.write_operand(i, 0, r);
  e.record_flags(FlagOp::Sub, sz, r, uint64_t{0}, a, 0u);
  advance(e, i);
}
template <class E>
void sem_not(E& e, const DecodedInsn& i) {
  auto a = e.read_operand_rmw(i, 0);
  e.write_operand(i, 0, ~a & size_mask(dst_size(i)));
  advance(e, i);
}

}  // namespace emu::sem
