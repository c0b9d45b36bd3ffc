// Multiply and divide semantics: MUL, IMUL (one, two and three operands), DIV, IDIV
// (#DE on a zero divisor or a quotient that does not fit).
#pragma once
#include <tuple>
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
template <class E, class V, class O>
inline void mul_flags(E& e, O overflow, V low, unsigned sz) {
  e.record_flags(FlagOp::Mul, sz, low, overflow, uint64_t{0}, 0u);
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

// MUL/IMUL with one operand: the low and high `sz` bytes of a * b (zero-extended
// operands), and whether the product does not fit the low part (CF = OF).
template <bool Signed, class E, class V>
inline auto widening_multiply(E& e, V a, V b, unsigned sz) {
  if constexpr (requires { e.widening_multiply(Signed, a, b, sz); }) {
    return e.widening_multiply(Signed, a, b, sz);
  } else {
    const uint64_t m = size_mask(sz);
    uint64_t lo, hi;
    bool overflow;
    if constexpr (Signed) {
      const __int128 p = static_cast<__int128>(sext(a, sz)) * sext(b, sz);
      lo = static_cast<uint64_t>(p) & m;
      hi = static_cast<uint64_t>(static_cast<unsigned __int128>(p) >> (8 * sz)) & m;
      overflow = p != static_cast<__int128>(sext(lo, sz));
    } else {
      const unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
      lo = static_cast<uint64_t>(p) & m;
      hi = static_cast<uint64_t>(p >> (8 * sz)) & m;
      overflow = hi != 0;
    }
    return std::tuple<uint64_t, uint64_t, bool>{lo, hi, overflow};
  }
}

template <bool Signed, class E>
void mul_one_operand(E& e, const DecodedInsn& i) {
  const unsigned sz = dst_size(i);
  auto b = e.read_operand(i, 0);
  auto a = e.reg(RAX, sz);
  auto [lo, hi, overflow] = widening_multiply<Signed>(e, a, b, sz);
  if (sz == 1) e.set_reg(RAX, 2, lo | (hi << 8));
  else {
    e.set_reg(RAX, sz, lo);
    e.set_reg(RDX, sz, hi);
  }
  mul_flags(e, overflow, lo, sz);
  advance(e, i);
}
template <class E> void sem_mul(E& e, const DecodedInsn& i) { mul_one_operand<false>(e, i); }
template <class E> void sem_imul1(E& e, const DecodedInsn& i) { mul_one_operand<true>(e, i); }

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

// DIV/IDIV by d (zero-extended, `sz` bytes): the quotient and remainder of rDX:rAX (AX
// for bytes), each `sz` bytes; #DE on a zero divisor or a quotient that does not fit.
// The JIT's emitter checks at run time and leaves those cases to the interpreter's handler.
template <bool Signed, class E, class V>
inline auto divide(E& e, const DecodedInsn& i, V d, unsigned sz) {
  if constexpr (requires { e.divide(Signed, i, d, sz); }) {
    return e.divide(Signed, i, d, sz);
  } else if constexpr (!Signed) {
    if (d == 0) e.raise(kDE);
    unsigned __int128 n;
    if (sz == 1) n = e.reg(RAX, 2);
    else n = (static_cast<unsigned __int128>(e.reg(RDX, sz)) << (8 * sz)) | e.reg(RAX, sz);
    unsigned __int128 q = n / d, r = n % d;
    if (q > size_mask(sz)) e.raise(kDE);
    return std::pair<uint64_t, uint64_t>{static_cast<uint64_t>(q), static_cast<uint64_t>(r)};
  } else {
    const int64_t sd = sext(d, sz);
    if (sd == 0) e.raise(kDE);
    __int128 n;
    if (sz == 1) n = sext(e.reg(RAX, 2), 2);
    else {
      unsigned __int128 un = (static_cast<unsigned __int128>(e.reg(RDX, sz)) << (8 * sz)) | e.reg(RAX, sz);
      unsigned shift = 128 - 16 * sz;
      n = static_cast<__int128>(un << shift) >> shift;
    }
    const __int128 int128_min = static_cast<__int128>(static_cast<unsigned __int128>(1) << 127);
    if (n == int128_min && sd == -1) e.raise(kDE);
    __int128 q = n / sd, r = n % sd;
    const __int128 qmax = static_cast<__int128>(size_mask(sz) >> 1);
    if (q > qmax || q < -qmax - 1) e.raise(kDE);
    return std::pair<uint64_t, uint64_t>{static_cast<uint64_t>(q) & size_mask(sz), static_cast<uint64_t>(r) & size_mask(sz)};
  }
}

template <bool Signed, class E>
void divide_op(E& e, const DecodedInsn& i) {
  const unsigned sz = dst_size(i);
  auto d = e.read_operand(i, 0);
  auto [q, r] = divide<Signed>(e, i, d, sz);
  if (sz == 1) e.set_reg(RAX, 2, (r << 8) | q);
  else {
    e.set_reg(RAX, sz, q);
    e.set_reg(RDX, sz, r);
  }
  advance(e, i);
}
template <class E> void sem_div(E& e, const DecodedInsn& i) { divide_op<false>(e, i); }
template <class E> void sem_idiv(E& e, const DecodedInsn& i) { divide_op<true>(e, i); }

}  // namespace emu::sem
