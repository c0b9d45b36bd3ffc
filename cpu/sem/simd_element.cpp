// SIMD per-element selection semantics (see simd_element.h).
#include "cpu/sem/simd_element.h"

#include <type_traits>

namespace emu::simd {

uint64_t pextr(Vec128 src, uint8_t imm, Elem e, VecSize n) {
  return with_unsigned(e, [&](auto tag) -> uint64_t {
    using T = typename decltype(tag)::type;
    return src.get<T>(imm % lanes<T>(n));
  });
}

Vec128 pinsr(Vec128 dst, uint64_t value, uint8_t imm, Elem e, VecSize n) {
  return with_unsigned(e, [&](auto tag) {
    using T = typename decltype(tag)::type;
    Vec128 r = truncate(dst, n);
    r.set<T>(imm % lanes<T>(n), static_cast<T>(value));
    return r;
  });
}

Vec128 blend(Vec128 a, Vec128 b, uint8_t imm, Elem e) {
  return with_unsigned(e, [&](auto tag) {
    using T = typename decltype(tag)::type;
    Vec128 r;
    for (unsigned i = 0; i < lanes<T>(VecSize::Xmm); ++i) r.set<T>(i, (imm >> i & 1) ? b.get<T>(i) : a.get<T>(i));
    return r;
  });
}

Vec128 blendv(Vec128 a, Vec128 b, Vec128 mask, Elem e) {
  return with_signed(e, [&](auto tag) {
    using T = typename decltype(tag)::type;
    Vec128 r;
    for (unsigned i = 0; i < lanes<T>(VecSize::Xmm); ++i) r.set<T>(i, mask.get<T>(i) < 0 ? b.get<T>(i) : a.get<T>(i));
    return r;
  });
}

uint32_t movmsk(Vec128 src, Elem e, VecSize n) {
  return with_signed(e, [&](auto tag) {
    using T = typename decltype(tag)::type;
    uint32_t m = 0;
    for (unsigned i = 0; i < lanes<T>(n); ++i) m |= uint32_t{src.get<T>(i) < 0} << i;
    return m;
  });
}

namespace {
// Widens the low elements of src from type From to type To (value-preserving cast:
// sign extension for signed From, zero extension for unsigned From). A `from` that is
// not narrower than `to` encodes no instruction and gives 0.
template <typename From, typename To>
Vec128 widen(Vec128 src) {
  Vec128 r;
  if constexpr (sizeof(From) >= sizeof(To)) return r;  // not an instruction: result 0
  for (unsigned i = 0; i < lanes<To>(VecSize::Xmm); ++i)
    r.set<To>(i, static_cast<To>(static_cast<std::make_signed_t<To>>(src.get<From>(i))));
  return r;
}

template <bool Signed>
Vec128 widen_dispatch(Vec128 src, Elem from, Elem to) {
  auto outer = [&](auto from_tag) {
    using From = typename decltype(from_tag)::type;
    return with_unsigned(to, [&](auto to_tag) { return widen<From, typename decltype(to_tag)::type>(src); });
  };
  if constexpr (Signed) return with_signed(from, outer);
  else return with_unsigned(from, outer);
}
}  // namespace

Vec128 pmovsx(Vec128 src, Elem from, Elem to) { return widen_dispatch<true>(src, from, to); }
Vec128 pmovzx(Vec128 src, Elem from, Elem to) { return widen_dispatch<false>(src, from, to); }

PtestFlags ptest(Vec128 a, Vec128 b) {
  return PtestFlags{((a.q[0] & b.q[0]) | (a.q[1] & b.q[1])) == 0, ((~a.q[0] & b.q[0]) | (~a.q[1] & b.q[1])) == 0};
}

}  // namespace emu::simd
