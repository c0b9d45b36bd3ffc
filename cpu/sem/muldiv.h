// Multiply and divide semantics: MUL, IMUL (one, two and three operands), DIV, IDIV
// (#DE on a zero divisor or a quotient that does not fit).
#pragma once
#include <utility>

#include "cpu/sem/common.h"

namespace emu::sem {

inline int64_t sext(uint64_t v, unsigned size) {
  unsigned sh = 64 - 8 * size;
  return static_cast<int64_t>(v << sh) >> sh;
}
// Arithmetic right shift of a sign-extended value (the JIT's overload emits it).
inline uint64_t sar64(int64_t v, unsigned n) { return static_cast<uint64_t>(v >> n); }

// Flags after a multiply (a lazy record): CF = OF = overflow; SF/ZF/PF from the low
// result (undefined architecturally), AF clear.
template <class E>
inline void mul_flags(E& e, bool overflow, uint64_t low, unsigned sz) {
  e.record_flags(FlagOp::Mul, sz, low & size_mask(sz), uint64_t{overflow}, uint64_t{0}, 0u);
}

// The low `sz` bytes of the signed product x * y, and 1 if the product does not fit them.
template <class E, class V>
inline auto signed_multiply(E& e, V x, V y, unsigned sz) {
  if constexpr (requires { e.signed_multiply(x, y, sz); }) {
    return e.signed_multiply(x, y, sz);
  } else {
    __int128 p = static_cast<__int128>(sext(x, sz)) * sext(y, sz);
    uint64_t lo = static_cast<uint64_t>(p) & size_mask(sz);
    return std::pair<uint64_t, uint64_t>{lo, p != static_cast<__int128>(sext(lo, sz))};
  }
}

template <class E>
void sem_mul(E& e, const DecodedInsn& i) {
  const unsigned sz = dst_size(i);
  uint64_t b = e.read_operand(i, 0);
  uint64_t a = e.reg(RAX, sz);
  unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
  uint64_t lo = static_cast<uint64_t>(p) & size_mask(sz);
  uint64_t hi = static_cast<uint64_t>(p >> (8 * sz)) & size_mask(sz);
  if (sz == 1) e.set_reg(RAX, 2, static_cast<uint64_t>(p) & 0xffff);
  else {
    e.set_reg(RAX, sz, lo);
    e.set_reg(RDX, sz, hi);
  }
  mul_flags(e, hi != 0, lo, sz);
  advance(e, i);
}

template <class E>
void sem_imul1(E& e, const DecodedInsn& i) {
  const unsigned sz = dst_size(i);
  __int128 b = sext(e.read_operand(i, 0), sz);
  __int128 a = sext(e.reg(RAX, sz), sz);
  __int128 p = a * b;
  uint64_t lo = static_cast<uint64_t>(p) & size_mask(sz);
  uint64_t hi = static_cast<uint64_t>(static_cast<unsigned __int128>(p) >> (8 * sz)) & size_mask(sz);
  bool overflow = p != static_cast<__int128>(sext(lo, sz));
  if (sz == 1) e.set_reg(RAX, 2, static_cast<uint64_t>(p) & 0xffff);
  else {
    e.set_reg(RAX, sz, lo);
    e.set_reg(RDX, sz, hi);
  }
  mul_flags(e, overflow, lo, sz);
  advance(e, i);
}

// IMUL Gv,Ev / IMUL Gv,Ev,I: dst = src1 * src2 truncated.
template <class E, class V>
inline void imul_trunc(E& e, const DecodedInsn& i, V x, V y) {
  const unsigned sz = dst_size(i);
  auto [lo, overflow] = signed_multiply(e, x, y, sz);
  e.write_operand(i, 0, lo);
  e.record_flags(FlagOp::Mul, sz, lo, overflow, uint64_t{0}, 0u);
  advance(e, i);
}
template <class E>
void sem_imul2(E& e, const DecodedInsn& i) {
  auto x = e.read_operand(i, 0);
  imul_trunc(e, i, x, e.read_operand(i, 1));
}
template <class E>
void sem_imul3(E& e, const DecodedInsn& i) {
  auto x = e.read_operand(i, 1);
  imul_trunc(e, i, x, e.read_operand(i, 2));
}

template <class E>
void sem_div(E& e, const DecodedInsn& i) {
  const unsigned sz = dst_size(i);
  uint64_t d = e.read_operand(i, 0);
  if (d == 0) e.raise(kDE);
  unsigned __int128 n;
  if (sz == 1) n = e.reg(RAX, 2);
  else n = (static_cast<unsigned __int128>(e.reg(RDX, sz)) << (8 * sz)) | e.reg(RAX, sz);
  unsigned __int128 q = n / d, r = n % d;
  if (q > size_mask(sz)) e.raise(kDE);
  if (sz == 1) e.set_reg(RAX, 2, (static_cast<uint64_t>(r) << 8) | static_cast<uint64_t>(q));
  else {
    e.set_reg(RAX, sz, static_cast<uint64_t>(q));
    e.set_reg(RDX, sz, static_cast<uint64_t>(r));
  }
  advance(e, i);
}

template <class E>
void sem_idiv(E& e, const DecodedInsn& i) {
  const unsigned sz = dst_size(i);
  int64_t d = sext(e.read_operand(i, 0), sz);
  if (d == 0) e.raise(kDE);
  __int128 n;
  if (sz == 1) n = sext(e.reg(RAX, 2), 2);
  else {
    unsigned __int128 un = (static_cast<unsigned __int128>(e.reg(RDX, sz)) << (8 * sz)) | e.reg(RAX, sz);
    unsigned shift = 128 - 16 * sz;
    n = static_cast<__int128>(un << shift) >> shift;
  }
  const __int128 int128_min = static_cast<__int128>(static_cast<unsigned __int128>(1) << 127);
  if (n == int128_min && d == -1) e.raise(kDE);
  __int128 q = n / d, r = n % d;
  const __int128 qmax = static_cast<__int128>(size_mask(sz) >> 1);
  if (q > qmax || q < -qmax - 1) e.raise(kDE);
  uint64_t uq = static_cast<uint64_t>(q) & size_mask(sz), ur = static_cast<uint64_t>(r) & size_mask(sz);
  if (sz == 1) e.set_reg(RAX, 2, (ur << 8) | uq);
  else {
    e.set_reg(RAX, sz, uq);
    e.set_reg(RDX, sz, ur);
  }
  advance(e, i);
}

}  // namespace emu::sem
