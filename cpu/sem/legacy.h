// Legacy 16/32-bit-only semantics: DAA DAS AAA AAS AAM AAD (with #DE), SALC, BOUND,
// PUSHA POPA. All are invalid in 64-bit mode (the decoder rejects them there).
#pragma once
#include "cpu/sem/common.h"
#include "cpu/sem/muldiv.h"

namespace emu::sem {

using isa::FL_AF;
using isa::FL_CF;

template <class E>
void sem_daa(E& e, const DecodedInsn& i) {
  CpuState& s = e.state();
  uint8_t al = static_cast<uint8_t>(e.reg(RAX, 1)), old_al = al;
  bool cf = flag_cf(s), old_cf = cf, af = read_rflags(s) & FL_AF;
  cf = false;
  if ((al & 0x0f) > 9 || af) {
    cf = old_cf || al > 0xf9;
    al = static_cast<uint8_t>(al + 6);
    af = true;
  } else {
    af = false;
  }
  if (old_al > 0x99 || old_cf) {
    al = static_cast<uint8_t>(al + 0x60);
    cf = true;
  }
  e.set_reg(RAX, 1, al);
  set_arith_flags(s, isa::FL_ARITH, szp_flags(al, 1) | (cf ? FL_CF : 0) | (af ? FL_AF : 0));
  advance(e, i);
}
template <class E>
void sem_das(E& e, const DecodedInsn& i) {
  CpuState& s = e.state();
  uint8_t al = static_cast<uint8_t>(e.reg(RAX, 1)), old_al = al;
  bool old_cf = flag_cf(s), cf = false, af = read_rflags(s) & FL_AF;
  if ((al & 0x0f) > 9 || af) {
    cf = old_cf || al < 6;
    al = static_cast<uint8_t>(al - 6);
    af = true;
  } else {
    af = false;
  }
  if (old_al > 0x99 || old_cf) {
    al = static_cast<uint8_t>(al - 0x60);
    cf = true;
  }
  e.set_reg(RAX, 1, al);
  set_arith_flags(s, isa::FL_ARITH, szp_flags(al, 1) | (cf ? FL_CF : 0) | (af ? FL_AF : 0));
  advance(e, i);
}
template <bool Add, class E>
void ascii_adjust(E& e, const DecodedInsn& i) {
  CpuState& s = e.state();
  uint16_t ax = static_cast<uint16_t>(e.reg(RAX, 2));
  bool adj = (ax & 0x0f) > 9 || (read_rflags(s) & FL_AF);
  if (adj) {
    // AX +/- 6 is a 16-bit operation (AL's carry/borrow reaches AH), then AH +/- 1, as
    // the SDM's pseudo-code and the hardware do.
    if (Add) ax = static_cast<uint16_t>(ax + 0x106);
    else ax = static_cast<uint16_t>(ax - 0x106);
  }
  ax &= 0xff0f;
  e.set_reg(RAX, 2, ax);
  set_arith_flags(s, isa::FL_ARITH, szp_flags(ax & 0xff, 1) | (adj ? FL_CF | FL_AF : 0));
  advance(e, i);
}
template <class E> void sem_aaa(E& e, const DecodedInsn& i) { ascii_adjust<true>(e, i); }
template <class E> void sem_aas(E& e, const DecodedInsn& i) { ascii_adjust<false>(e, i); }
template <class E>
void sem_aam(E& e, const DecodedInsn& i) {
  uint8_t base = static_cast<uint8_t>(i.imm);
  if (base == 0) e.raise(kDE);
  uint8_t al = static_cast<uint8_t>(e.reg(RAX, 1));
  uint16_t ax = static_cast<uint16_t>(((al / base) << 8) | (al % base));
  e.set_reg(RAX, 2, ax);
  set_arith_flags(e.state(), isa::FL_ARITH, szp_flags(ax & 0xff, 1));
  advance(e, i);
}
template <class E>
void sem_aad(E& e, const DecodedInsn& i) {
  uint8_t base = static_cast<uint8_t>(i.imm);
  uint16_t ax = static_cast<uint16_t>(e.reg(RAX, 2));
  uint8_t al = static_cast<uint8_t>((ax & 0xff) + (ax >> 8) * base);
  e.set_reg(RAX, 2, al);
  set_arith_flags(e.state(), isa::FL_ARITH, szp_flags(al, 1));
  advance(e, i);
}
template <class E>
void sem_salc(E& e, const DecodedInsn& i) {
  e.set_reg(RAX, 1, flag_cf(e.state()) ? 0xff : 0);
  advance(e, i);
}
template <class E>
void sem_bound(E& e, const DecodedInsn& i) {
  const unsigned sz = i.osz;
  uint64_t ea = e.effective_address(i);
  int64_t lo = sext(e.read_mem(i.seg, ea, sz), sz);
  int64_t hi = sext(e.read_mem(i.seg, (ea + sz) & size_mask(i.asz), sz), sz);
  int64_t idx = sext(e.read_operand(i, 0), sz);
  if (idx < lo || idx > hi) e.raise(kBR);
  advance(e, i);
}
template <class E>
void sem_pusha(E& e, const DecodedInsn& i) {
  CpuState& s = e.state();
  const unsigned sz = i.osz, ssz = e.stack_addr_size();
  const uint64_t smask = size_mask(ssz);
  uint64_t sp = s.gpr[RSP] & smask;
  e.probe_stack_push(sp, 8, sz);
  for (unsigned r = 0; r < 8; ++r)
    e.write_mem(isa::SEG_SS, (sp - (r + 1) * sz) & smask, sz, r == RSP ? sp : e.reg(r, sz));
  e.set_reg(RSP, ssz, sp - 8 * sz);
  advance(e, i);
}
template <class E>
void sem_popa(E& e, const DecodedInsn& i) {
  CpuState& s = e.state();
  const unsigned sz = i.osz, ssz = e.stack_addr_size();
  const uint64_t smask = size_mask(ssz);
  uint64_t sp = s.gpr[RSP] & smask;
  uint64_t v[8];
  for (unsigned r = 0; r < 8; ++r) v[7 - r] = e.read_mem(isa::SEG_SS, (sp + r * sz) & smask, sz);
  for (unsigned r = 0; r < 8; ++r)
    if (r != RSP) e.set_reg(r, sz, v[r]);
  e.set_reg(RSP, ssz, sp + 8 * sz);
  advance(e, i);
}

}  // namespace emu::sem
