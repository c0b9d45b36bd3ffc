// SIMD data-rearranging semantics (see simd_shuffle.h).
#include "cpu/sem/simd_shuffle.h"

#include <type_traits>

#include "cpu/sem/simd_saturate.h"

namespace emu::simd {
namespace {

// Narrows the signed elements of a then b (type From) into type To with saturation.
template <typename From, typename To>
Vec128 pack(Vec128 a, Vec128 b, VecSize n) {
  Vec128 r;
  const unsigned count = lanes<From>(n);
  for (unsigned i = 0; i < count; ++i) {
    r.set<To>(i, saturate<To>(a.get<From>(i)));
    r.set<To>(count + i, saturate<To>(b.get<From>(i)));
  }
  return r;
}

// Interleaves the elements of a and b starting at element `first` of each.
template <typename T>
Vec128 interleave(Vec128 a, Vec128 b, unsigned first, VecSize n) {
  Vec128 r;
  for (unsigned i = 0; i < lanes<T>(n) / 2; ++i) {
    r.set<T>(2 * i, a.get<T>(first + i));
    r.set<T>(2 * i + 1, b.get<T>(first + i));
  }
  return r;
}

// Four elements of type T starting at element `base` permuted by imm8; other elements
// of src are copied unchanged.
template <typename T>
Vec128 shuffle4(Vec128 src, uint8_t imm, unsigned base) {
  Vec128 r = src;
  for (unsigned i = 0; i < 4; ++i) r.set<T>(base + i, src.get<T>(base + (imm >> (2 * i) & 3)));
  return r;
}

}  // namespace

Vec128 packss(Vec128 a, Vec128 b, Elem from, VecSize n) {
  return from == Elem::D ? pack<int32_t, int16_t>(a, b, n) : pack<int16_t, int8_t>(a, b, n);
}
Vec128 packus(Vec128 a, Vec128 b, Elem from, VecSize n) {
  return from == Elem::D ? pack<int32_t, uint16_t>(a, b, n) : pack<int16_t, uint8_t>(a, b, n);
}

Vec128 punpckl(Vec128 a, Vec128 b, Elem e, VecSize n) {
  return with_unsigned(e, [&](auto tag) { return interleave<typename decltype(tag)::type>(a, b, 0, n); });
}
Vec128 punpckh(Vec128 a, Vec128 b, Elem e, VecSize n) {
  return with_unsigned(e, [&](auto tag) {
    using T = typename decltype(tag)::type;
    return interleave<T>(a, b, lanes<T>(n) / 2, n);
  });
}

Vec128 pshufd(Vec128 src, uint8_t imm) { return shuffle4<uint32_t>(src, imm, 0); }
Vec128 pshuflw(Vec128 src, uint8_t imm) { return shuffle4<uint16_t>(src, imm, 0); }
Vec128 pshufhw(Vec128 src, uint8_t imm) { return shuffle4<uint16_t>(src, imm, 4); }
Vec128 pshufw(Vec128 src, uint8_t imm) { return truncate(shuffle4<uint16_t>(src, imm, 0), VecSize::Mmx); }

Vec128 pshufb(Vec128 a, Vec128 b, VecSize n) {
  Vec128 r;
  const unsigned size = bytes_of(n);
  for (unsigned i = 0; i < size; ++i) {
    uint8_t sel = b.byte(i);
    r.set_byte(i, (sel & 0x80) ? 0 : a.byte(sel & (size - 1)));
  }
  return r;
}

Vec128 palignr(Vec128 a, Vec128 b, uint8_t imm, VecSize n) {
  const unsigned size = bytes_of(n);
  Vec128 r;
  for (unsigned i = 0; i < size; ++i) {
    unsigned k = i + imm;  // byte index into the 2*size-byte value a:b
    uint8_t v = k < size ? b.byte(k) : (k < 2 * size ? a.byte(k - size) : 0);
    r.set_byte(i, v);
  }
  return r;
}

Vec128 shufps(Vec128 a, Vec128 b, uint8_t imm) {
  Vec128 r;
  r.set<uint32_t>(0, a.get<uint32_t>(imm & 3));
  r.set<uint32_t>(1, a.get<uint32_t>(imm >> 2 & 3));
  r.set<uint32_t>(2, b.get<uint32_t>(imm >> 4 & 3));
  r.set<uint32_t>(3, b.get<uint32_t>(imm >> 6 & 3));
  return r;
}
Vec128 shufpd(Vec128 a, Vec128 b, uint8_t imm) { return Vec128{{a.q[imm & 1], b.q[imm >> 1 & 1]}}; }

Vec128 movsldup(Vec128 src) { return shuffle4<uint32_t>(src, 0xA0, 0); }  // 0,0,2,2
Vec128 movshdup(Vec128 src) { return shuffle4<uint32_t>(src, 0xF5, 0); }  // 1,1,3,3
Vec128 movddup(Vec128 src) { return Vec128{{src.q[0], src.q[0]}}; }

Vec128 insertps(Vec128 a, uint32_t value, uint8_t imm) {
  Vec128 r = a;
  r.set<uint32_t>(imm >> 4 & 3, value);
  for (unsigned i = 0; i < 4; ++i)
    if (imm >> i & 1) r.set<uint32_t>(i, 0);
  return r;
}
Vec128 insertps_reg(Vec128 a, Vec128 src, uint8_t imm) { return insertps(a, src.get<uint32_t>(imm >> 6 & 3), imm); }

}  // namespace emu::simd
