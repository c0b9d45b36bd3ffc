// Shift and rotate semantics: SHL/SAL SHR SAR ROL ROR RCL RCR SHLD SHRD, with the
// count masking (5 bits, 6 with 64-bit operands) and the Intel flag rules. SHL/SHR/SAR
// record lazy flags (cpu/flags.cpp has their CF/OF rules) and are generic over
// E::Value (the JIT translates them when the count is a constant); the others
// evaluate their flags eagerly.
#pragma once
#include "cpu/sem/common.h"
#include "cpu/sem/muldiv.h"

namespace emu::sem {

using isa::FL_AF;
using isa::FL_CF;
using isa::FL_OF;
using isa::FL_PF;
using isa::FL_SF;
using isa::FL_ZF;

// The count operand, masked. The JIT's emitter needs it at translation time
// (translation_constant gives up on a CL count).
template <class E>
inline unsigned shift_count(E& e, const DecodedInsn& i, unsigned k) {
  auto v = e.read_operand(i, k);
  unsigned c;
  if constexpr (requires { e.translation_constant(v); }) c = e.translation_constant(v);
  else c = static_cast<unsigned>(v);
  return c & (dst_size(i) == 8 ? 63 : 31);
}

enum class ShiftOp { Shl, Shr, Sar, Rol, Ror, Rcl, Rcr };

// SHL/SHR/SAR. A zero count changes no flags (a 32-bit register is still written).
template <ShiftOp Op, class E>
void shift_lazy(E& e, const DecodedInsn& i) {
  const unsigned sz = dst_size(i), bits = 8 * sz;
  const uint64_t m = size_mask(sz);
  auto a = e.read_operand_rmw(i, 0);  // zero-extended
  const unsigned c = shift_count(e, i, 1);
  if (c == 0) {
    e.write_operand(i, 0, a);
    advance(e, i);
    return;
  }
  decltype(a) r;
  FlagOp fop;
  if constexpr (Op == ShiftOp::Shl) {
    r = (a << c) & m;
    fop = FlagOp::Shl;
  } else if constexpr (Op == ShiftOp::Shr) {
    r = a >> c;
    fop = FlagOp::Shr;
  } else {
    r = sar64(sext(a, sz), c >= bits ? bits - 1 : c) & m;
    fop = FlagOp::Sar;
  }
  e.write_operand(i, 0, r);
  e.record_flags(fop, sz, r, a, uint64_t{c}, 0u);
  advance(e, i);
}

// ROL ROR RCL RCR (CF and OF only).
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
  switch (Op) {
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
    default: break;  // SHL/SHR/SAR: shift_lazy
  }
  e.write_operand(i, 0, r);
  set_arith_flags(s, FL_CF | FL_OF, (cf ? FL_CF : 0) | (of ? FL_OF : 0));
  advance(e, i);
}

template <class E> void sem_shl(E& e, const DecodedInsn& i) { shift_lazy<ShiftOp::Shl>(e, i); }
template <class E> void sem_shr(E& e, const DecodedInsn& i) { shift_lazy<ShiftOp::Shr>(e, i); }
template <class E> void sem_sar(E& e, const DecodedInsn& i) { shift_lazy<ShiftOp::Sar>(e, i); }
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
