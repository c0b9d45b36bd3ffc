// Integer SIMD arithmetic, comparison and bitwise semantics (see simd_int.h).
#include "cpu/sem/simd_int.h"

#include <limits>

#include "cpu/sem/simd_saturate.h"

namespace emu::simd {
namespace {

// r[i] = op(a[i], b[i]) with the elements read as the unsigned (Signed=false) or signed
// integer type of width e; op is a generic lambda.
template <bool Signed, typename Op>
Vec128 lanewise(Vec128 a, Vec128 b, Elem e, VecSize n, Op op) {
  auto body = [&](auto tag) {
    using T = typename decltype(tag)::type;
    return map_lanes<T>(a, b, n, [&](T x, T y) { return static_cast<T>(op(x, y)); });
  };
  if constexpr (Signed) return with_signed(e, body);
  else return with_unsigned(e, body);
}

template <typename T>
constexpr T all_ones_if(bool c) {
  return c ? static_cast<T>(~T{0}) : T{0};
}

// Horizontal pairs: r[i] = f(a[2i], a[2i+1]) for the low half, then the same over b.
template <typename T, typename F>
Vec128 horizontal(Vec128 a, Vec128 b, VecSize n, F f) {
  Vec128 r;
  const unsigned half = lanes<T>(n) / 2;
  for (unsigned i = 0; i < half; ++i) {
    r.set<T>(i, static_cast<T>(f(a.get<T>(2 * i), a.get<T>(2 * i + 1))));
    r.set<T>(half + i, static_cast<T>(f(b.get<T>(2 * i), b.get<T>(2 * i + 1))));
  }
  return r;
}

}  // namespace

Vec128 padd(Vec128 a, Vec128 b, Elem e, VecSize n) {
  return lanewise<false>(a, b, e, n, [](auto x, auto y) { return x + y; });
}
Vec128 psub(Vec128 a, Vec128 b, Elem e, VecSize n) {
  return lanewise<false>(a, b, e, n, [](auto x, auto y) { return x - y; });
}

Vec128 padds(Vec128 a, Vec128 b, Elem e, VecSize n) {
  return lanewise<true>(a, b, e, n, [](auto x, auto y) {
    using T = decltype(x);
    T r;
    if (__builtin_add_overflow(x, y, &r)) r = y < 0 ? std::numeric_limits<T>::min() : std::numeric_limits<T>::max();
    return r;
  });
}
Vec128 psubs(Vec128 a, Vec128 b, Elem e, VecSize n) {
  return lanewise<true>(a, b, e, n, [](auto x, auto y) {
    using T = decltype(x);
    T r;
    if (__builtin_sub_overflow(x, y, &r)) r = y > 0 ? std::numeric_limits<T>::min() : std::numeric_limits<T>::max();
    return r;
  });
}
Vec128 paddus(Vec128 a, Vec128 b, Elem e, VecSize n) {
  return lanewise<false>(a, b, e, n, [](auto x, auto y) {
    decltype(x) r;
    if (__builtin_add_overflow(x, y, &r)) r = std::numeric_limits<decltype(x)>::max();
    return r;
  });
}
Vec128 psubus(Vec128 a, Vec128 b, Elem e, VecSize n) {
  return lanewise<false>(a, b, e, n, [](auto x, auto y) { return x > y ? x - y : 0; });
}

Vec128 pmull(Vec128 a, Vec128 b, Elem e, VecSize n) {
  return lanewise<false>(a, b, e, n, [](auto x, auto y) { return uint64_t{x} * uint64_t{y}; });
}
Vec128 pmulhw(Vec128 a, Vec128 b, VecSize n) {
  return map_lanes<int16_t>(a, b, n, [](int16_t x, int16_t y) { return (int32_t{x} * int32_t{y}) >> 16; });
}
Vec128 pmulhuw(Vec128 a, Vec128 b, VecSize n) {
  return map_lanes<uint16_t>(a, b, n, [](uint16_t x, uint16_t y) { return (uint32_t{x} * uint32_t{y}) >> 16; });
}
Vec128 pmulhrsw(Vec128 a, Vec128 b, VecSize n) {
  return map_lanes<int16_t>(a, b, n,
                            [](int16_t x, int16_t y) { return ((int32_t{x} * int32_t{y} >> 14) + 1) >> 1; });
}

Vec128 pmuludq(Vec128 a, Vec128 b, VecSize n) {
  Vec128 r;
  for (unsigned i = 0; i < lanes<uint64_t>(n); ++i)
    r.q[i] = uint64_t{a.get<uint32_t>(2 * i)} * uint64_t{b.get<uint32_t>(2 * i)};
  return r;
}
Vec128 pmuldq(Vec128 a, Vec128 b) {
  Vec128 r;
  for (unsigned i = 0; i < 2; ++i)
    r.set<int64_t>(i, int64_t{a.get<int32_t>(2 * i)} * int64_t{b.get<int32_t>(2 * i)});
  return r;
}

Vec128 pmaddwd(Vec128 a, Vec128 b, VecSize n) {
  Vec128 r;
  for (unsigned i = 0; i < lanes<uint32_t>(n); ++i) {
    int64_t lo = int64_t{a.get<int16_t>(2 * i)} * b.get<int16_t>(2 * i);
    int64_t hi = int64_t{a.get<int16_t>(2 * i + 1)} * b.get<int16_t>(2 * i + 1);
    r.set<uint32_t>(i, static_cast<uint32_t>(lo + hi));
  }
  return r;
}
Vec128 pmaddubsw(Vec128 a, Vec128 b, VecSize n) {
  Vec128 r;
  for (unsigned i = 0; i < lanes<uint16_t>(n); ++i) {
    int32_t lo = int32_t{a.get<uint8_t>(2 * i)} * b.get<int8_t>(2 * i);
    int32_t hi = int32_t{a.get<uint8_t>(2 * i + 1)} * b.get<int8_t>(2 * i + 1);
    r.set<int16_t>(i, saturate<int16_t>(lo + hi));
  }
  return r;
}

Vec128 pavg(Vec128 a, Vec128 b, Elem e, VecSize n) {
  return lanewise<false>(a, b, e, n, [](auto x, auto y) { return (uint64_t{x} + y + 1) >> 1; });
}

Vec128 psadbw(Vec128 a, Vec128 b, VecSize n) {
  Vec128 r;
  for (unsigned half = 0; half < lanes<uint64_t>(n); ++half) {
    unsigned sum = 0;
    for (unsigned k = 0; k < 8; ++k) {
      int d = int{a.byte(half * 8 + k)} - int{b.byte(half * 8 + k)};
      sum += static_cast<unsigned>(d < 0 ? -d : d);
    }
    r.q[half] = sum;
  }
  return r;
}

Vec128 pmins(Vec128 a, Vec128 b, Elem e, VecSize n) {
  return lanewise<true>(a, b, e, n, [](auto x, auto y) { return y < x ? y : x; });
}
Vec128 pminu(Vec128 a, Vec128 b, Elem e, VecSize n) {
  return lanewise<false>(a, b, e, n, [](auto x, auto y) { return y < x ? y : x; });
}
Vec128 pmaxs(Vec128 a, Vec128 b, Elem e, VecSize n) {
  return lanewise<true>(a, b, e, n, [](auto x, auto y) { return y > x ? y : x; });
}
Vec128 pmaxu(Vec128 a, Vec128 b, Elem e, VecSize n) {
  return lanewise<false>(a, b, e, n, [](auto x, auto y) { return y > x ? y : x; });
}

Vec128 pcmpeq(Vec128 a, Vec128 b, Elem e, VecSize n) {
  return lanewise<false>(a, b, e, n, [](auto x, auto y) { return all_ones_if<decltype(x)>(x == y); });
}
Vec128 pcmpgt(Vec128 a, Vec128 b, Elem e, VecSize n) {
  return lanewise<true>(a, b, e, n, [](auto x, auto y) { return all_ones_if<decltype(x)>(x > y); });
}

Vec128 pand(Vec128 a, Vec128 b, VecSize n) {
  return truncate(Vec128{{a.q[0] & b.q[0], a.q[1] & b.q[1]}}, n);
}
Vec128 pandn(Vec128 a, Vec128 b, VecSize n) {
  return truncate(Vec128{{~a.q[0] & b.q[0], ~a.q[1] & b.q[1]}}, n);
}
Vec128 por(Vec128 a, Vec128 b, VecSize n) {
  return truncate(Vec128{{a.q[0] | b.q[0], a.q[1] | b.q[1]}}, n);
}
Vec128 pxor(Vec128 a, Vec128 b, VecSize n) {
  return truncate(Vec128{{a.q[0] ^ b.q[0], a.q[1] ^ b.q[1]}}, n);
}

Vec128 pabs(Vec128 b, Elem e, VecSize n) {
  return with_signed(e, [&](auto tag) {
    using T = typename decltype(tag)::type;
    return map_lanes<T>(b, n, [](T x) { return x < 0 ? wrap_neg(x) : x; });
  });
}
Vec128 psign(Vec128 a, Vec128 b, Elem e, VecSize n) {
  return lanewise<true>(a, b, e, n, [](auto x, auto y) {
    using T = decltype(x);
    return y < 0 ? wrap_neg(x) : (y == 0 ? T{0} : x);
  });
}

Vec128 phadd(Vec128 a, Vec128 b, Elem e, VecSize n) {
  return with_unsigned(e, [&](auto tag) {
    using T = typename decltype(tag)::type;
    return horizontal<T>(a, b, n, [](T x, T y) { return x + y; });
  });
}
Vec128 phsub(Vec128 a, Vec128 b, Elem e, VecSize n) {
  return with_unsigned(e, [&](auto tag) {
    using T = typename decltype(tag)::type;
    return horizontal<T>(a, b, n, [](T x, T y) { return x - y; });
  });
}
Vec128 phaddsw(Vec128 a, Vec128 b, VecSize n) {
  return horizontal<int16_t>(a, b, n, [](int16_t x, int16_t y) { return saturate<int16_t>(int64_t{x} + y); });
}
Vec128 phsubsw(Vec128 a, Vec128 b, VecSize n) {
  return horizontal<int16_t>(a, b, n, [](int16_t x, int16_t y) { return saturate<int16_t>(int64_t{x} - y); });
}

Vec128 phminposuw(Vec128 b) {
  unsigned best = 0;
  for (unsigned i = 1; i < 8; ++i)
    if (b.get<uint16_t>(i) < b.get<uint16_t>(best)) best = i;
  Vec128 r;
  r.set<uint16_t>(0, b.get<uint16_t>(best));
  r.set<uint16_t>(1, static_cast<uint16_t>(best));
  return r;
}

Vec128 mpsadbw(Vec128 a, Vec128 b, uint8_t imm) {
  const unsigned a_off = (imm >> 2 & 1) * 4;
  const unsigned b_off = (imm & 3) * 4;
  Vec128 r;
  for (unsigned i = 0; i < 8; ++i) {
    unsigned sum = 0;
    for (unsigned k = 0; k < 4; ++k) {
      int d = int{a.byte(a_off + i + k)} - int{b.byte(b_off + k)};
      sum += static_cast<unsigned>(d < 0 ? -d : d);
    }
    r.set<uint16_t>(i, static_cast<uint16_t>(sum));
  }
  return r;
}

}  // namespace emu::simd
