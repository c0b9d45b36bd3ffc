// Data movement semantics: MOV (incl. moffs), MOVZX MOVSX MOVSXD, LEA, XCHG XADD
// CMPXCHG CMPXCHG8B/16B, MOVBE, CBW/CWDE/CDQE, CWD/CDQ/CQO, LAHF SAHF, XLAT, MOV Sreg.
// Locked read-modify-write forms read and write the same operand once each here; a
// multi-threaded engine maps the same sequence onto a host atomic.
#pragma once
#include "cpu/sem/common.h"
#include "cpu/sem/muldiv.h"

namespace emu::sem {

template <class E>
void sem_mov(E& e, const DecodedInsn& i) {
  e.write_operand(i, 0, e.read_operand(i, 1));
  advance(e, i);
}
template <class E>
void sem_movzx(E& e, const DecodedInsn& i) {
  e.write_operand(i, 0, e.read_operand(i, 1));
  advance(e, i);
}
template <class E>
void sem_movsx(E& e, const DecodedInsn& i) {
  auto v = sext(e.read_operand(i, 1), i.op[1].size);
  e.write_operand(i, 0, v & size_mask(dst_size(i)));
  advance(e, i);
}
template <class E>
void sem_lea(E& e, const DecodedInsn& i) {
  e.write_operand(i, 0, e.effective_address(i));
  advance(e, i);
}
template <class E>
void sem_xchg(E& e, const DecodedInsn& i) {
  auto a = e.read_operand_rmw(i, 0);
  auto b = e.read_operand(i, 1);
  e.write_operand(i, 0, b);  // memory (if any) is operand 0: written first
  e.write_operand(i, 1, a);
  advance(e, i);
}
template <class E>
void sem_xadd(E& e, const DecodedInsn& i) {
  const unsigned sz = dst_size(i);
  auto a = e.read_operand_rmw(i, 0);
  auto b = e.read_operand(i, 1);
  auto r = (a + b) & size_mask(sz);
  if (dst_is_mem(i)) {
    e.write_operand(i, 0, r);
    e.write_operand(i, 1, a);
  } else {
    e.write_operand(i, 1, a);
    e.write_operand(i, 0, r);
  }
  e.record_flags(FlagOp::Add, sz, r, a, b, 0u);
  advance(e, i);
}
// (x - y) masked to `sz` bytes (the JIT's emitter: one host subtraction at that size).
template <class E, class V>
inline V masked_difference(E& e, V x, V y, unsigned sz) {
  if constexpr (requires { e.masked_difference(x, y, sz); }) return e.masked_difference(x, y, sz);
  else return (x - y) & size_mask(sz);
}
// Equal: the destination gets the source. Not equal: rAX gets the destination (a
// register destination is not written; memory is written back, as the locked cycle
// does). Exactly one register changes, so a 32-bit write's zero-extension is chosen
// with select() on whole 64-bit registers.
template <class E>
void sem_cmpxchg(E& e, const DecodedInsn& i) {
  const unsigned sz = dst_size(i);
  const unsigned wide = sz == 4 ? 8 : sz;  // 64-bit selects keep the unwritten register whole
  auto dst = e.read_operand_rmw(i, 0);
  auto acc = e.reg(RAX, sz);
  auto src = e.read_operand(i, 1);
  auto diff = masked_difference(e, acc, dst, sz);  // nonzero: not equal
  if (dst_is_mem(i)) e.write_operand(i, 0, select(e, diff, dst, src));
  else e.set_reg(i.op[0].reg, wide, select(e, diff, e.reg(i.op[0].reg, wide), src));
  e.set_reg(RAX, wide, select(e, diff, dst, e.reg(RAX, wide)));  // (after: rAX may be the destination)
  e.record_flags(FlagOp::Sub, sz, diff, acc, dst, 0u);
  advance(e, i);
}
template <class E>
void sem_cmpxchg8b(E& e, const DecodedInsn& i) {
  CpuState& s = e.state();
  uint64_t ea = e.effective_address(i);
  bool eq;
  if (i.osz == 8) {  // CMPXCHG16B
    if (ea & 15) e.raise_gp0();
    e.probe_write(i.seg, ea, 16);
    uint64_t lo = e.read_mem(i.seg, ea, 8), hi = e.read_mem(i.seg, ea + 8, 8);
    eq = lo == s.gpr[RAX] && hi == s.gpr[RDX];
    if (eq) {
      e.write_mem(i.seg, ea, 8, s.gpr[RBX]);
      e.write_mem(i.seg, ea + 8, 8, s.gpr[RCX]);
    } else {
      e.write_mem(i.seg, ea, 8, lo);
      e.write_mem(i.seg, ea + 8, 8, hi);
      s.gpr[RAX] = lo;
      s.gpr[RDX] = hi;
    }
  } else {
    uint64_t m = e.read_mem_rmw(i.seg, ea, 8);
    uint64_t cmp = (e.reg(RDX, 4) << 32) | e.reg(RAX, 4);
    eq = m == cmp;
    if (eq) {
      e.write_mem(i.seg, ea, 8, (e.reg(RCX, 4) << 32) | e.reg(RBX, 4));
    } else {
      e.write_mem(i.seg, ea, 8, m);
      e.set_reg(RAX, 4, m & 0xffffffffu);
      e.set_reg(RDX, 4, m >> 32);
    }
  }
  set_arith_flags(s, isa::FL_ZF, eq ? isa::FL_ZF : 0);
  advance(e, i);
}
template <class E>
void sem_movbe(E& e, const DecodedInsn& i) {
  const unsigned sz = dst_size(i);
  uint64_t v = e.read_operand(i, 1);
  uint64_t r = sz == 8 ? __builtin_bswap64(v) : sz == 4 ? __builtin_bswap32(static_cast<uint32_t>(v))
                                                        : __builtin_bswap16(static_cast<uint16_t>(v));
  e.write_operand(i, 0, r);
  advance(e, i);
}
template <class E>
void sem_cbw(E& e, const DecodedInsn& i) {
  unsigned sz = i.osz;
  auto v = sext(e.reg(RAX, sz / 2), sz / 2);
  e.set_reg(RAX, sz, v & size_mask(sz));
  advance(e, i);
}
template <class E>
void sem_cwd(E& e, const DecodedInsn& i) {
  unsigned sz = i.osz;
  auto fill = sar64(sext(e.reg(RAX, sz), sz), 63);  // all ones if rAX is negative
  e.set_reg(RDX, sz, fill & size_mask(sz));
  advance(e, i);
}
template <class E>
void sem_lahf(E& e, const DecodedInsn& i) {
  e.set_reg(isa::kRegAH, 1, (read_rflags(e.state()) & 0xd5) | 2);
  advance(e, i);
}
template <class E>
void sem_sahf(E& e, const DecodedInsn& i) {
  uint64_t ah = e.reg(isa::kRegAH, 1);
  const uint32_t m = isa::FL_SF | isa::FL_ZF | isa::FL_AF | isa::FL_PF | isa::FL_CF;
  set_arith_flags(e.state(), m, static_cast<uint32_t>(ah));
  advance(e, i);
}
template <class E>
void sem_xlat(E& e, const DecodedInsn& i) {
  uint64_t a = (e.reg(RBX, i.asz) + e.reg(RAX, 1)) & size_mask(i.asz);
  e.set_reg(RAX, 1, e.read_mem(i.seg, a, 1));
  advance(e, i);
}
template <class E>
void sem_mov_from_sreg(E& e, const DecodedInsn& i) {
  if (i.op[1].reg > 5) e.raise(kUD);
  uint64_t sel = e.state().seg[i.op[1].reg].selector;
  if (dst_is_mem(i)) e.write_mem(i.seg, e.effective_address(i), 2, sel);
  else e.write_operand(i, 0, sel);
  advance(e, i);
}

}  // namespace emu::sem
