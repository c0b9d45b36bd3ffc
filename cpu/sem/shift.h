// Shift and rotate semantics: SHL/SAL SHR SAR ROL ROR RCL RCR SHLD SHRD, with the
// count masking (5 bits, 6 with 64-bit operands) and the Intel flag rules. SHL/SHR/SAR
// record lazy flags (cpu/flags.cpp has their CF/OF rules), ROL/ROR a Rot record (CF/OF
// over the kept SF/ZF/AF/PF); both are generic over E::Value (the JIT translates them
// with a constant or a CL count). RCL/RCR/SHLD/SHRD evaluate their flags eagerly.
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

// The count operand, masked: the interpreter's integer, the JIT's value (a constant or
// CL at run time).
template <class E>
inline auto shift_count(E& e, const DecodedInsn& i, unsigned k) {
  const unsigned m = dst_size(i) == 8 ? 63 : 31;
  auto v = e.read_operand(i, k);
  if constexpr (requires { e.constant(0); }) return v & m;
  else return static_cast<unsigned>(v) & m;
}

// Lazy flags of SHL/SHR/SAR: none for a zero count (the JIT: a run-time test for CL).
template <class E, class C, class V>
inline void record_shift_flags(E& e, FlagOp op, unsigned sz, C count, V r, V a) {
  if constexpr (requires { e.record_flags_unless_zero(count, op, sz, r, a, count); }) e.record_flags_unless_zero(count, op, sz, r, a, count);
  else if (count) e.record_flags(op, sz, r, a, uint64_t{count}, 0u);
}
// CF/OF after a rotate, as record_rotate()'s bits (cpu/flags.h); none for a zero count.
template <class E, class C, class V>
inline void record_rotate_flags(E& e, C count, V bits) {
  if constexpr (requires { e.record_rotate(count, bits); }) e.record_rotate(count, bits);
  else if (count) record_rotate(e.state(), static_cast<unsigned>(bits));
}
// a (zero-extended, `sz` bytes) rotated left or right by `count` (already masked).
template <bool Left, class E, class V, class C>
inline V rotate_value(E& e, V a, C count, unsigned sz) {
  if constexpr (requires { e.rotate(Left, a, count, sz); }) {
    return e.rotate(Left, a, count, sz);
  } else {
    const unsigned bits = 8 * sz, rc = count & (bits - 1);
    if (rc == 0) return a;
    return (Left ? (a << rc) | (a >> (bits - rc)) : (a >> rc) | (a << (bits - rc))) & size_mask(sz);
  }
}

enum class ShiftOp { Shl, Shr, Sar, Rol, Ror, Rcl, Rcr };

// SHL/SHR/SAR. A zero count changes no flags (a 32-bit register is still written).
// SAR shifts the sign-extended operand: counts up to 31 past an 8/16-bit width give its
// sign, as the architecture's count-past-the-width rule does.
template <ShiftOp Op, class E>
void shift_lazy(E& e, const DecodedInsn& i) {
  const unsigned sz = dst_size(i);
  const uint64_t m = size_mask(sz);
  auto a = e.read_operand_rmw(i, 0);  // zero-extended
  const auto c = shift_count(e, i, 1);
  decltype(a) r;
  FlagOp fop;
  if constexpr (Op == ShiftOp::Shl) {
    r = (a << c) & m;
    fop = FlagOp::Shl;
  } else if constexpr (Op == ShiftOp::Shr) {
    r = a >> c;
    fop = FlagOp::Shr;
  } else {
    r = sar64(sext(a, sz), c) & m;
    fop = FlagOp::Sar;
  }
  e.write_operand(i, 0, r);
  record_shift_flags(e, fop, sz, c, r, a);
  advance(e, i);
}

// ROL/ROR: CF = the bit rotated last into the result, OF = its top two bits' XOR (ROR)
// or its top bit XOR CF (ROL), as defined for a count of 1 (other counts: the same rule).
// Flag bits (CF << 1 | (CF ^ OF)): ROR's top two result bits; ROL's result rotated left
// once more, low two bits.
template <bool Left, class E>
void rotate(E& e, const DecodedInsn& i) {
  const unsigned sz = dst_size(i), bits = 8 * sz;
  auto a = e.read_operand_rmw(i, 0);  // zero-extended
  const auto c = shift_count(e, i, 1);
  auto r = rotate_value<Left>(e, a, c, sz);
  e.write_operand(i, 0, r);
  decltype(a) flag_bits;
  if constexpr (Left) flag_bits = rotate_value<true>(e, r, imm_value(e, 1), sz) & 3;
  else flag_bits = r >> (bits - 2);
  record_rotate_flags(e, c, flag_bits);
  advance(e, i);
}

// RCL RCR (CF and OF only).
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
  const unsigned rc = c % (bits + 1);
  bool carry = flag_cf(s);
  uint64_t r = a;
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
  const bool cf = carry;
  bool of;
  if (Op == ShiftOp::Rcl) of = ((r & sb) != 0) != cf;
  else of = ((r & sb) != 0) != ((r & (sb >> 1)) != 0);
  e.write_operand(i, 0, r);
  record_rotate(s, rotate_flag_bits(cf, of));
  advance(e, i);
}

template <class E> void sem_shl(E& e, const DecodedInsn& i) { shift_lazy<ShiftOp::Shl>(e, i); }
template <class E> void sem_shr(E& e, const DecodedInsn& i) { shift_lazy<ShiftOp::Shr>(e, i); }
template <class E> void sem_sar(E& e, const DecodedInsn& i) { shift_lazy<ShiftOp::Sar>(e, i); }
template <class E> void sem_rol(E& e, const DecodedInsn& i) { rotate<true>(e, i); }
template <class E> void sem_ror(E& e, const DecodedInsn& i) { rotate<false>(e, i); }
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
