// Comparisons (FCOM/FUCOM/COMISS/UCOMISS and the CMPPS predicates) and SSE MIN/MAX.
#include <utility>

#include "cpu/fpu/float_internal.h"
#include "cpu/fpu/softfloat.h"

namespace emu::fpu {
using namespace detail;

namespace {

Ordering compare_core(Ctx& c, const Operand& a, const Operand& b, bool signaling) {
  const bool unordered = a.is_nan() || b.is_nan() || a.cls == Class::Unsupported || b.cls == Class::Unsupported;
  if (unordered) {
    if (signaling || a.cls != Class::QNaN || b.cls != Class::QNaN) {
      // Quiet compares signal only for SNaN and unsupported operands.
      const auto signals = [&](const Operand& o) {
        return o.cls == Class::SNaN || o.cls == Class::Unsupported || (signaling && o.cls == Class::QNaN);
      };
      if (signals(a) || signals(b)) c.raise(flag::Invalid);
    }
    return Ordering::Unordered;
  }
  if (a.cls == Class::Denormal || b.cls == Class::Denormal) c.raise(flag::Denormal);
  // Order-preserving key: infinities beyond any finite value, zeros equal.
  auto key = [](const Operand& o) -> std::pair<int, u128> {
    if (o.cls == Class::Zero) return {0, 0};
    const int s = o.sign ? -1 : 1;
    if (o.cls == Class::Inf) return {s * 2, 0};
    // Magnitude key: (exp + bias) then significand; exponents fit in 32 bits.
    const u128 mag = (u128(static_cast<uint32_t>(o.exp + 0x40000)) << 64) | o.sig;
    return {s, mag};
  };
  const auto ka = key(a), kb = key(b);
  if (ka.first != kb.first) return ka.first < kb.first ? Ordering::Less : Ordering::Greater;
  if (ka.second == kb.second) return Ordering::Equal;
  const bool a_bigger_mag = ka.second > kb.second;
  if (ka.first < 0) return a_bigger_mag ? Ordering::Less : Ordering::Greater;
  return a_bigger_mag ? Ordering::Greater : Ordering::Less;
}

template <class F>
Ordering compare(typename F::Bits a, typename F::Bits b, bool signaling, FloatStatus& st) {
  Ctx c(st);
  const Ordering r = compare_core(c, unpack_operand<F>(c, a), unpack_operand<F>(c, b), signaling);
  c.commit(st);
  return r;
}

// Predicate table (VEX encoding 0-31): the relations that make it true and whether
// a QNaN operand signals.
bool predicate(Ordering o, unsigned imm) {
  static constexpr uint8_t kLess = 1, kEqual = 2, kGreater = 4, kUnordered = 8;
  static constexpr uint8_t kTrueSet[16] = {
      kEqual,                               // EQ
      kLess,                                // LT
      kLess | kEqual,                       // LE
      kUnordered,                           // UNORD
      kLess | kGreater | kUnordered,        // NEQ
      kEqual | kGreater | kUnordered,       // NLT
      kGreater | kUnordered,                // NLE
      kLess | kEqual | kGreater,            // ORD
      kEqual | kUnordered,                  // EQ_U
      kLess | kUnordered,                   // NGE
      kLess | kEqual | kUnordered,          // NGT
      0,                                    // FALSE
      kLess | kGreater,                     // NEQ_O
      kGreater | kEqual,                    // GE
      kGreater,                             // GT
      kLess | kEqual | kGreater | kUnordered  // TRUE
  };
  const uint8_t bit = o == Ordering::Less ? kLess : o == Ordering::Equal ? kEqual : o == Ordering::Greater ? kGreater : kUnordered;
  return (kTrueSet[imm & 15] & bit) != 0;
}

// Predicates 1, 2, 5, 6, 9, 10, 13, 14 signal on QNaN; bit 4 of imm inverts that.
bool predicate_signals(unsigned imm) {
  const unsigned p = imm & 15;
  const bool base = p == 1 || p == 2 || p == 5 || p == 6 || p == 9 || p == 10 || p == 13 || p == 14;
  return base != ((imm & 16) != 0);
}

template <class F>
bool compare_predicate(typename F::Bits a, typename F::Bits b, unsigned imm, FloatStatus& st) {
  return predicate(compare<F>(a, b, predicate_signals(imm), st), imm);
}

// SSE MIN/MAX: NaN or both zero -> second operand.
template <class F>
typename F::Bits min_max(typename F::Bits a, typename F::Bits b, bool want_max, FloatStatus& st) {
  Ctx c(st);
  const Operand oa = unpack_operand<F>(c, a), ob = unpack_operand<F>(c, b);
  // The chosen operand is returned as read, except that DAZ turns a denormal into zero.
  auto as_read = [](typename F::Bits v, const Operand& o) {
    return o.cls == Class::Zero ? F::pack(packed_zero(F::fmt, o.sign)) : v;
  };
  typename F::Bits r = as_read(b, ob);
  if (oa.is_nan() || ob.is_nan()) {
    c.raise(flag::Invalid);
  } else {
    const Ordering o = compare_core(c, oa, ob, false);
    if (!(oa.cls == Class::Zero && ob.cls == Class::Zero)) {
      if (want_max ? o == Ordering::Greater : o == Ordering::Less) r = as_read(a, oa);
    }
  }
  c.commit(st);
  return r;
}

}  // namespace

namespace {
template <class M>
Ordering x87_memory_compare(Float80 st0, typename M::Bits m, bool signaling, FloatStatus& st) {
  Ctx c(st);
  const Ordering r = compare_core(c, unpack_f80(st0), M::unpack(m), signaling);
  c.commit(st);
  return r;
}
}  // namespace

Ordering f80_compare_m32(Float80 st0, Float32 m, bool signaling, FloatStatus& st) { return x87_memory_compare<F32Traits>(st0, m, signaling, st); }
Ordering f80_compare_m64(Float80 st0, Float64 m, bool signaling, FloatStatus& st) { return x87_memory_compare<F64Traits>(st0, m, signaling, st); }

Ordering f32_compare(Float32 a, Float32 b, bool signaling, FloatStatus& st) { return compare<F32Traits>(a, b, signaling, st); }
Ordering f64_compare(Float64 a, Float64 b, bool signaling, FloatStatus& st) { return compare<F64Traits>(a, b, signaling, st); }
Ordering f80_compare(Float80 a, Float80 b, bool signaling, FloatStatus& st) { return compare<F80Traits>(a, b, signaling, st); }
bool f32_compare_predicate(Float32 a, Float32 b, unsigned imm, FloatStatus& st) { return compare_predicate<F32Traits>(a, b, imm, st); }
bool f64_compare_predicate(Float64 a, Float64 b, unsigned imm, FloatStatus& st) { return compare_predicate<F64Traits>(a, b, imm, st); }
Float32 f32_min(Float32 a, Float32 b, FloatStatus& st) { return min_max<F32Traits>(a, b, false, st); }
Float32 f32_max(Float32 a, Float32 b, FloatStatus& st) { return min_max<F32Traits>(a, b, true, st); }
Float64 f64_min(Float64 a, Float64 b, FloatStatus& st) { return min_max<F64Traits>(a, b, false, st); }
Float64 f64_max(Float64 a, Float64 b, FloatStatus& st) { return min_max<F64Traits>(a, b, true, st); }

}  // namespace emu::fpu
