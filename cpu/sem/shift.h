// Shift and rotate semantics: SHL/SAL SHR SAR ROL ROR RCL RCR SHLD SHRD, with the
// count masking (5 bits, 6 with 64-bit operands) and the Intel flag rules. Flags are
// evaluated eagerly here (these are rarer than ALU ops).
#pragma once
#include "cpu/sem/common.h"

namespace emu::sem {

using isa::FL_AF;
using isa::FL_CF;
using isa::FL_OF;
using isa::FL_PF;
using isa::FL_SF;
using isa::FL_ZF;

template <class E>
inline unsigned shift_count(E& e, const DecodedInsn& i, unsigned k) {
  unsigned c = static_cast<unsigned>(e.read_operand(i, k));
  return c & (dst_size(i) == 8 ? 63 : 31);
}

enum class ShiftOp { Shl, Shr, Sar, Rol, Ror, Rcl, Rcr };

template <ShiftOp Op, class E>
void shift(E& e, const DecodedInsn& i) {
  const unsigned sz = dst_size(i), bits = 8 * sz;
  const uint64_t m = size_mask(sz), sb = sign_bit(sz);
  uint64_t a = e.read_operand_rmw(i, 0);
  unsigned c = shift_count(e, i, 1);
  CpuState& s = e.state();
  if (c == 0) {
    // No flags change; a 32-bit register destination is still written (zero-extended).
    e.write_operand(i, 0, a);
    advance(e, i);
    return;
  }
  uint64_t r = 0;
  bool cf = false, of = false;
  uint32_t szp = 0;
  uint32_t mask = FL_CF | FL_OF;
  switch (Op) {
    case ShiftOp::Shl: {
      unsigned __int128 w = static_cast<unsigned __int128>(a) << c;
      r = static_cast<uint64_t>(w) & m;
      cf = c <= bits ? static_cast<bool>((w >> bits) & 1) : false;
      of = ((r & sb) != 0) != cf;
      szp = szp_flags(r, sz);
      mask = FL_CF | FL_OF | FL_SF | FL_ZF | FL_PF | FL_AF;
      break;
    }
    case ShiftOp::Shr:
      r = c >= bits ? 0 : (a >> c);
      cf = c <= bits ? ((a >> (c - 1)) & 1) : false;
      of = (a & sb) != 0;
      szp = szp_flags(r, sz);
      mask = FL_CF | FL_OF | FL_SF | FL_ZF | FL_PF | FL_AF;
      break;
    case ShiftOp::Sar: {
      int64_t sa = static_cast<int64_t>(a << (64 - bits)) >> (64 - bits);
      unsigned cc = c >= bits ? bits - 1 : c;
      r = static_cast<uint64_t>(sa >> cc) & m;
      cf = (sa >> (c >= bits ? bits - 1 : c - 1)) & 1;
      of = false;
      szp = szp_flags(r, sz);
      mask = FL_CF | FL_OF | FL_SF | FL_ZF | FL_PF | FL_AF;
      break;
    }
    case ShiftOp::Rol: {
      unsigned rc = c % bits;
      r = rc ? ((a << rc) | (a >> (bits - rc))) & m : a;
      cf = r & 1;
      of = ((r & sb) != 0) != cf;
      break;
    }
    case ShiftOp::Ror: {
      unsigned rc = c % bits;
      r = rc ? ((a >> rc) | (a << (bits - rc))) & m : a;
      cf = (r & sb) != 0;
      of = ((r & sb) != 0) != ((r & (sb >> 1)) != 0);
      break;
    }
    case ShiftOp::Rcl: case ShiftOp::Rcr: {
      unsigned rc = c % (bits + 1);
      bool carry = flag_cf(s);
      r = a;
      for (unsigned k = 0; k < rc; ++k) {
        if (Op == ShiftOp::Rcl) {
          bool out = (r & sb) != 0;
          r = ((r << 1) | (carry ? 1 : 0)) & m;
          carry = out;
        } else {
          bool out = r & 1;
          r = (r >> 1) | (carry ? sb : 0);
          carry = out;
        }
      }
      cf = carry;
      if (Op == ShiftOp::Rcl) of = ((r & sb) != 0) != cf;
      else of = ((r & sb) != 0) != ((r & (sb >> 1)) != 0);
      break;
    }
  }
  e.write_operand(i, 0, r);
  set_arith_flags(s, mask, szp | (cf ? FL_CF : 0) | (of ? FL_OF : 0));
  advance(e, i);
}

template <class E> void sem_shl(E& e, const DecodedInsn& i) { shift<ShiftOp::Shl>(e, i); }
template <class E> void sem_shr(E& e, const DecodedInsn& i) { shift<ShiftOp::Shr>(e, i); }
template <class E> void sem_sar(E& e, const DecodedInsn& i) { shift<ShiftOp::Sar>(e, i); }
template <class E> void sem_rol(E& e, const DecodedInsn& i) { shift<ShiftOp::Rol>(e, i); }
template <class E> void sem_ror(E& e, const DecodedInsn& i) { shift<ShiftOp::Ror>(e, i); }
template <class E> void sem_rcl(E& e, const DecodedInsn& i) { shift<ShiftOp::Rcl>(e, i); }
template <class E> void sem_rcr(E& e, const DecodedInsn& i) { shift<ShiftOp::Rcr>(e, i); }

// SHLD/SHRD: double-precision shifts (count operand 2).
template <bool Left, class E>
void double_shift(E& e, const DecodedInsn& i) {
  const unsigned sz = dst_size(i), bits = 8 * sz;
  const uint64_t m = size_mask(sz), sb = sign_bit(sz);
  uint64_t a = e.read_operand_rmw(i, 0), b = e.read_operand(i, 1);
  unsigned c = shift_count(e, i, 2);
  if (c == 0) {
    e.write_operand(i, 0, a);
    advance(e, i);
    return;
  }
  uint64_t r;
  bool cf;
  if (Left) {
    // 16-bit counts above 16 shift through the concatenation b:a:b (as Intel hardware does).
    unsigned __int128 cat = (static_cast<unsigned __int128>(a) << bits) | b;
    if (bits == 16) cat = (cat << 16) | b;
    unsigned total = bits == 16 ? 48 : 2 * bits;
    unsigned __int128 sh = cat << c;
    r = static_cast<uint64_t>(sh >> (total - bits)) & m;
    cf = static_cast<bool>((cat >> (total - c)) & 1);  // the last bit shifted out
  } else {
    unsigned __int128 cat = (static_cast<unsigned __int128>(b) << bits) | a;
    if (bits == 16) cat |= static_cast<unsigned __int128>(a) << 32;
    r = static_cast<uint64_t>(cat >> c) & m;
    cf = static_cast<bool>((cat >> (c - 1)) & 1);
  }
  e.write_operand(i, 0, r);
  bool of = ((r ^ a) & sb) != 0;
  set_arith_flags(e.state(), FL_CF | FL_OF | FL_SF | FL_ZF | FL_PF | FL_AF,
                  szp_flags(r, sz) | (cf ? FL_CF : 0) | (of ? FL_OF : 0));
  advance(e, i);
}
template <class E> void sem_shld(E& e, const DecodedInsn& i) { double_shift<true>(e, i); }
template <class E> void sem_shrd(E& e, const DecodedInsn& i) { double_shift<false>(e, i); }

}  // namespace emu::sem
