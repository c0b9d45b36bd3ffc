// SIMD shift semantics (see simd_shift.h).
#include "cpu/sem/simd_shift.h"

namespace emu::simd {

Vec128 psll(Vec128 a, uint64_t count, Elem e, VecSize n) {
  return with_unsigned(e, [&](auto tag) {
    using T = typename decltype(tag)::type;
    constexpr uint64_t bits = sizeof(T) * 8;
    return map_lanes<T>(a, n, [&](T x) { return count >= bits ? T{0} : static_cast<T>(uint64_t{x} << count); });
  });
}

Vec128 psrl(Vec128 a, uint64_t count, Elem e, VecSize n) {
  return with_unsigned(e, [&](auto tag) {
    using T = typename decltype(tag)::type;
    constexpr uint64_t bits = sizeof(T) * 8;
    return map_lanes<T>(a, n, [&](T x) { return count >= bits ? T{0} : static_cast<T>(x >> count); });
  });
}

Vec128 psra(Vec128 a, uint64_t count, Elem e, VecSize n) {
  return with_signed(e, [&](auto tag) {
    using T = typename decltype(tag)::type;
    constexpr uint64_t bits = sizeof(T) * 8;
    const uint64_t c = count >= bits ? bits - 1 : count;
    return map_lanes<T>(a, n, [&](T x) { return static_cast<T>(x >> c); });
  });
}

Vec128 pslldq(Vec128 a, uint8_t imm) {
  Vec128 r;
  for (unsigned i = imm; i < 16; ++i) r.set_byte(i, a.byte(i - imm));
  return r;
}

Vec128 psrldq(Vec128 a, uint8_t imm) {
  Vec128 r;
  for (unsigned i = 0; i + imm < 16; ++i) r.set_byte(i, a.byte(i + imm));
  return r;
}

}  // namespace emu::simd
