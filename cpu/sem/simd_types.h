// Common vocabulary of the SIMD integer/data-movement semantics (cpu/sem/simd_*.h):
// element widths, register sizes (64-bit MMX / 128-bit XMM) and the small lane-type
// dispatch helpers the implementation files share. MMX forms take VecSize::Mmx, read
// only the low 64 bits of their operands and return results whose high 64 bits are 0.
#pragma once
#include <cstdint>
#include <type_traits>

#include "cpu/vec128.h"

namespace emu::simd {

// Element width in bytes.
enum class Elem : unsigned { B = 1, W = 2, D = 4, Q = 8 };
// Register size in bytes: MMX (mm registers) or XMM.
enum class VecSize : unsigned { Mmx = 8, Xmm = 16 };

constexpr unsigned bytes_of(Elem e) { return static_cast<unsigned>(e); }
// Any value other than Mmx counts as XMM, so no enum value can index past a Vec128.
constexpr unsigned bytes_of(VecSize n) { return n == VecSize::Mmx ? 8u : 16u; }

template <typename T>
using Tag = std::type_identity<T>;

// Calls f(Tag<T>{}) with T the unsigned integer type of width e.
template <typename F>
decltype(auto) with_unsigned(Elem e, F&& f) {
  switch (e) {
    case Elem::B: return f(Tag<uint8_t>{});
    case Elem::W: return f(Tag<uint16_t>{});
    case Elem::D: return f(Tag<uint32_t>{});
    case Elem::Q:
    default: return f(Tag<uint64_t>{});
  }
}

// Calls f(Tag<T>{}) with T the signed integer type of width e.
template <typename F>
decltype(auto) with_signed(Elem e, F&& f) {
  switch (e) {
    case Elem::B: return f(Tag<int8_t>{});
    case Elem::W: return f(Tag<int16_t>{});
    case Elem::D: return f(Tag<int32_t>{});
    case Elem::Q:
    default: return f(Tag<int64_t>{});
  }
}

// Number of elements of type T in a register of size n.
template <typename T>
constexpr unsigned lanes(VecSize n) {
  return bytes_of(n) / static_cast<unsigned>(sizeof(T));
}

// r[i] = f(a[i], b[i]) for every element of type T in a register of size n.
template <typename T, typename F>
Vec128 map_lanes(Vec128 a, Vec128 b, VecSize n, F&& f) {
  Vec128 r;
  for (unsigned i = 0; i < lanes<T>(n); ++i) r.set<T>(i, static_cast<T>(f(a.get<T>(i), b.get<T>(i))));
  return r;
}

// r[i] = f(a[i]) for every element of type T in a register of size n.
template <typename T, typename F>
Vec128 map_lanes(Vec128 a, VecSize n, F&& f) {
  Vec128 r;
  for (unsigned i = 0; i < lanes<T>(n); ++i) r.set<T>(i, static_cast<T>(f(a.get<T>(i))));
  return r;
}

// Keeps only the bytes of a register of size n (clears the high half for MMX).
inline Vec128 truncate(Vec128 v, VecSize n) {
  if (n == VecSize::Mmx) v.q[1] = 0;
  return v;
}

}  // namespace emu::simd
