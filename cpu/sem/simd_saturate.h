// Saturating narrowing and two's-complement helpers shared by the SIMD semantics files.
#pragma once
#include <cstdint>
#include <limits>
#include <type_traits>

namespace emu::simd {

// Clamps v into the range of integer type T (signed or unsigned).
template <typename T>
constexpr T saturate(int64_t v) {
  constexpr int64_t lo = static_cast<int64_t>(std::numeric_limits<T>::min());
  constexpr int64_t hi = static_cast<int64_t>(std::numeric_limits<T>::max());
  return static_cast<T>(v < lo ? lo : (v > hi ? hi : v));
}

// -x with two's-complement wrap-around (no UB for the minimum value).
template <typename T>
constexpr T wrap_neg(T x) {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(static_cast<U>(U{0} - static_cast<U>(x)));
}

}  // namespace emu::simd
