// Add, subtract, multiply, divide and square root for single, double and x87
// extended precision (the x87 forms honour precision control), and the fused
// multiply-add of FMA3 for single and double.
#include "cpu/fpu/softfloat.h"

#include "cpu/fpu/float_internal.h"

namespace emu::fpu {
using namespace detail;

namespace {

bool has_nan_or_unsupported(const Operand& o) { return o.is_nan() || o.cls == Class::Unsupported; }

void note_denormals(Ctx& c, const Operand& a, const Operand& b) {
  if (a.cls == Class::Denormal || b.cls == Class::Denormal) c.raise(flag::Denormal);
}

// Sum of two nonzero values x = mx * 2^(ex-127) and y = my * 2^(ey-127) (mx, my with
// bit 127 set; low bits may be a sticky bit), rounded once.
Packed add_magnitudes(Ctx& c, const Format& f, int prec, bool sx, int32_t ex, u128 mx, bool sy, int32_t ey, u128 my) {
  if (ex < ey || (ex == ey && mx < my)) {  // order so that |x| >= |y|
    std::swap(sx, sy);
    std::swap(ex, ey);
    std::swap(mx, my);
  }
  const int32_t diff = ex - ey;
  u128 small = shift_right_sticky(my, diff > 200 ? 200 : static_cast<int>(diff));
  if (sx == sy) {
    small = shift_right_sticky(small, 1);
    return round_pack(c, f, prec, sx, ex - 126, shift_right_sticky(mx, 1) + small);
  }
  const u128 d = mx - small;
  if (d == 0) return packed_zero(f, c.rounding == Rounding::Down);
  return round_pack(c, f, prec, sx, ex - 127, d);
}

Packed add_core(Ctx& c, const Format& f, int prec, const Operand& a, const Operand& b, bool subtract) {
  if (has_nan_or_unsupported(a) || has_nan_or_unsupported(b)) return propagate_nan2(c, f, a, b);
  note_denormals(c, a, b);
  if (c.pre_trap()) return packed_default_nan(f);
  const bool bsign = b.sign != subtract;
  if (a.cls == Class::Inf) {
    if (b.cls == Class::Inf && a.sign != bsign) {
      c.raise(flag::Invalid);
      return packed_default_nan(f);
    }
    return packed_inf(f, a.sign);
  }
  if (b.cls == Class::Inf) return packed_inf(f, bsign);
  const bool a_zero = a.cls == Class::Zero;
  const bool b_zero = b.cls == Class::Zero;
  if (a_zero && b_zero) return packed_zero(f, a.sign == bsign ? a.sign : c.rounding == Rounding::Down);
  if (a_zero) return round_pack(c, f, prec, bsign, b.exp - 63, b.sig);
  if (b_zero) return round_pack(c, f, prec, a.sign, a.exp - 63, a.sig);

  return add_magnitudes(c, f, prec, a.sign, a.exp, u128{a.sig} << 64, bsign, b.exp, u128{b.sig} << 64);
}

Packed add_op(Ctx& c, const Format& f, int prec, const Operand& a, const Operand& b) {
  return add_core(c, f, prec, a, b, false);
}
Packed sub_op(Ctx& c, const Format& f, int prec, const Operand& a, const Operand& b) {
  return add_core(c, f, prec, a, b, true);
}

Packed mul_op(Ctx& c, const Format& f, int prec, const Operand& a, const Operand& b) {
  if (has_nan_or_unsupported(a) || has_nan_or_unsupported(b)) return propagate_nan2(c, f, a, b);
  note_denormals(c, a, b);
  const bool sign = a.sign != b.sign;
  if ((a.cls == Class::Inf && b.cls == Class::Zero) || (a.cls == Class::Zero && b.cls == Class::Inf)) {
    c.raise(flag::Invalid);
    return packed_default_nan(f);
  }
  if (c.pre_trap()) return packed_default_nan(f);
  if (a.cls == Class::Inf || b.cls == Class::Inf) return packed_inf(f, sign);
  if (a.cls == Class::Zero || b.cls == Class::Zero) return packed_zero(f, sign);
  return round_pack(c, f, prec, sign, a.exp + b.exp - 126, u128{a.sig} * b.sig);
}

Packed div_op(Ctx& c, const Format& f, int prec, const Operand& a, const Operand& b) {
  if (has_nan_or_unsupported(a) || has_nan_or_unsupported(b)) return propagate_nan2(c, f, a, b);
  const bool sign = a.sign != b.sign;
  if ((a.cls == Class::Inf && b.cls == Class::Inf) || (a.cls == Class::Zero && b.cls == Class::Zero)) {
    c.raise(flag::Invalid);
    return packed_default_nan(f);
  }
  if (b.cls == Class::Zero && a.cls != Class::Inf) {
    // Divide-by-zero takes precedence over a denormal dividend (no DE).
    c.raise(flag::DivideByZero);
    return packed_inf(f, sign);
  }
  note_denormals(c, a, b);
  if (c.pre_trap()) return packed_default_nan(f);
  if (a.cls == Class::Inf) return packed_inf(f, sign);
  if (b.cls == Class::Inf) return packed_zero(f, sign);
  if (a.cls == Class::Zero) return packed_zero(f, sign);
  // Quotient with 128 significant bits, remainder folded into a sticky bit.
  const bool a_smaller = a.sig < b.sig;
  const u128 n = u128{a.sig} << (a_smaller ? 64 : 63);
  const u128 q1 = n / b.sig;
  const u128 r1 = n % b.sig;
  const u128 n2 = r1 << 64;
  const u128 q2 = n2 / b.sig;
  const bool rest = (n2 % b.sig) != 0;
  const u128 q = (q1 << 64) | q2 | (rest ? 1 : 0);
  return round_pack(c, f, prec, sign, a.exp - b.exp - (a_smaller ? 128 : 127), q);
}

Packed sqrt_op(Ctx& c, const Format& f, int prec, const Operand& a) {
  if (has_nan_or_unsupported(a)) return propagate_nan1(c, f, a);
  if (a.cls == Class::Zero) return packed_zero(f, a.sign);
  if (a.sign) {
    c.raise(flag::Invalid);
    return packed_default_nan(f);
  }
  if (a.cls == Class::Denormal) c.raise(flag::Denormal);
  if (c.pre_trap()) return packed_default_nan(f);
  if (a.cls == Class::Inf) return packed_inf(f, false);
  // Radicand a.sig * 2^k (k may be negative: the dropped bits only make the result
  // inexact) with an even remaining exponent, sized so the root has prec + 2 or more
  // bits: enough for the rounding decision, with the remainder as sticky bit.
  const int32_t e = a.exp - 63;
  int k = 2 * (prec + 2) - 64;
  if ((e - k) % 2 != 0) ++k;
  const bool dropped = k < 0 && (a.sig & ((uint64_t{1} << -k) - 1)) != 0;
  const int width = 64 + k;
  const int pairs = (width + 1) / 2;
  auto bit = [&](int i) -> unsigned {
    return (i >= k && i - k < 64) ? static_cast<unsigned>((a.sig >> (i - k)) & 1) : 0u;
  };
  u128 rem = 0, root = 0;
  for (int j = pairs - 1; j >= 0; --j) {
    rem = (rem << 2) | (bit(2 * j + 1) << 1) | bit(2 * j);
    const u128 trial = (root << 2) | 1;
    if (rem >= trial) {
      rem -= trial;
      root = (root << 1) | 1;
    } else {
      root <<= 1;
    }
  }
  const u128 mant = (root << 1) | ((rem != 0 || dropped) ? 1 : 0);
  return round_pack(c, f, prec, false, (e - k) / 2 - 1, mant);
}

// Fused multiply-add (+-a * b) +- addend with one rounding (NaN order: a, b, addend;
// NaNs are returned with their own sign).
Packed fma_op(Ctx& c, const Format& f, int prec, const Operand& a, const Operand& b, Operand addend, bool negate_product,
              bool negate_addend) {
  const bool product_invalid = (a.cls == Class::Inf && b.cls == Class::Zero) || (a.cls == Class::Zero && b.cls == Class::Inf);
  if (a.is_nan() || b.is_nan() || addend.is_nan()) {
    // 0 * inf + QNaN returns the QNaN without IE (as the host does; the SDM allows either).
    if (a.cls == Class::SNaN || b.cls == Class::SNaN || addend.cls == Class::SNaN) c.raise(flag::Invalid);
    return quiet_nan(f, a.is_nan() ? a : b.is_nan() ? b : addend);
  }
  if (product_invalid) {  // takes precedence over DE
    c.raise(flag::Invalid);
    return packed_default_nan(f);
  }
  const bool psign = (a.sign != b.sign) != negate_product;
  addend.sign = addend.sign != negate_addend;
  const bool product_inf = a.cls == Class::Inf || b.cls == Class::Inf;
  if (product_inf && addend.cls == Class::Inf && addend.sign != psign) {  // also before DE
    c.raise(flag::Invalid);
    return packed_default_nan(f);
  }
  if (a.cls == Class::Denormal || b.cls == Class::Denormal || addend.cls == Class::Denormal) c.raise(flag::Denormal);
  if (c.pre_trap()) return packed_default_nan(f);
  if (product_inf) return packed_inf(f, psign);
  if (addend.cls == Class::Inf) return packed_inf(f, addend.sign);
  const bool product_zero = a.cls == Class::Zero || b.cls == Class::Zero;
  if (product_zero && addend.cls == Class::Zero) {
    return packed_zero(f, psign == addend.sign ? psign : c.rounding == Rounding::Down);
  }
  if (product_zero) return round_pack(c, f, prec, addend.sign, addend.exp - 63, addend.sig);
  u128 p = u128{a.sig} * b.sig;  // exact, value p * 2^(a.exp + b.exp - 126)
  int32_t pexp = a.exp + b.exp + 1;
  if (!(p >> 127)) {
    p <<= 1;
    --pexp;
  }
  if (addend.cls == Class::Zero) return round_pack(c, f, prec, psign, pexp - 127, p);
  return add_magnitudes(c, f, prec, psign, pexp, p, addend.sign, addend.exp, u128{addend.sig} << 64);
}

template <class F>
typename F::Bits fused_multiply_add(typename F::Bits a, typename F::Bits b, typename F::Bits addend, bool negate_product,
                                    bool negate_addend, FloatStatus& st) {
  Ctx c(st);
  const Packed r = fma_op(c, F::fmt, F::fmt.sig_bits, unpack_operand<F>(c, a), unpack_operand<F>(c, b), unpack_operand<F>(c, addend),
                          negate_product, negate_addend);
  c.commit(st);
  return F::pack(r);
}

template <class F>
int result_precision(const Ctx& c) {
  return F::fmt.sse ? F::fmt.sig_bits : x87_precision_bits(c.precision);
}

using BinaryCore = Packed (*)(Ctx&, const Format&, int, const Operand&, const Operand&);

template <class F>
typename F::Bits binary(BinaryCore core, typename F::Bits a, typename F::Bits b, FloatStatus& st) {
  Ctx c(st);
  const Packed r = core(c, F::fmt, result_precision<F>(c), unpack_operand<F>(c, a), unpack_operand<F>(c, b));
  c.commit(st);
  return F::pack(r);
}

template <class F>
typename F::Bits square_root(typename F::Bits a, FloatStatus& st) {
  Ctx c(st);
  const Packed r = sqrt_op(c, F::fmt, result_precision<F>(c), unpack_operand<F>(c, a));
  c.commit(st);
  return F::pack(r);
}

}  // namespace

Float32 f32_add(Float32 a, Float32 b, FloatStatus& st) { return binary<F32Traits>(add_op, a, b, st); }
Float32 f32_sub(Float32 a, Float32 b, FloatStatus& st) { return binary<F32Traits>(sub_op, a, b, st); }
Float32 f32_mul(Float32 a, Float32 b, FloatStatus& st) { return binary<F32Traits>(mul_op, a, b, st); }
Float32 f32_div(Float32 a, Float32 b, FloatStatus& st) { return binary<F32Traits>(div_op, a, b, st); }
Float32 f32_sqrt(Float32 a, FloatStatus& st) { return square_root<F32Traits>(a, st); }

Float64 f64_add(Float64 a, Float64 b, FloatStatus& st) { return binary<F64Traits>(add_op, a, b, st); }
Float64 f64_sub(Float64 a, Float64 b, FloatStatus& st) { return binary<F64Traits>(sub_op, a, b, st); }
Float64 f64_mul(Float64 a, Float64 b, FloatStatus& st) { return binary<F64Traits>(mul_op, a, b, st); }
Float64 f64_div(Float64 a, Float64 b, FloatStatus& st) { return binary<F64Traits>(div_op, a, b, st); }
Float64 f64_sqrt(Float64 a, FloatStatus& st) { return square_root<F64Traits>(a, st); }

Float32 f32_fma(Float32 a, Float32 b, Float32 c, FloatStatus& st, bool negate_product, bool negate_addend) {
  return fused_multiply_add<F32Traits>(a, b, c, negate_product, negate_addend, st);
}
Float64 f64_fma(Float64 a, Float64 b, Float64 c, FloatStatus& st, bool negate_product, bool negate_addend) {
  return fused_multiply_add<F64Traits>(a, b, c, negate_product, negate_addend, st);
}

namespace {
// x87 arithmetic whose second operand is a memory single/double: the operand is used in
// its own format (no separate FLD-style conversion), so its DE/IE are raised in the same
// order as for register operands.
template <class M>
Float80 x87_memory_arith(X87Arith op, Float80 st0, typename M::Bits m, FloatStatus& st) {
  static constexpr BinaryCore kCores[] = {add_op, mul_op, sub_op, sub_op, div_op, div_op};
  const bool reversed = op == X87Arith::SubR || op == X87Arith::DivR;
  Ctx c(st);
  const Operand a = unpack_f80(st0), b = M::unpack(m);
  const int prec = x87_precision_bits(c.precision);
  const BinaryCore core = kCores[static_cast<int>(op)];
  const Packed r = reversed ? core(c, kF80, prec, b, a) : core(c, kF80, prec, a, b);
  c.commit(st);
  return pack_f80(r);
}
}  // namespace

Float80 f80_arith_m32(X87Arith op, Float80 st0, Float32 m, FloatStatus& st) { return x87_memory_arith<F32Traits>(op, st0, m, st); }
Float80 f80_arith_m64(X87Arith op, Float80 st0, Float64 m, FloatStatus& st) { return x87_memory_arith<F64Traits>(op, st0, m, st); }

Float80 f80_add(Float80 a, Float80 b, FloatStatus& st) { return binary<F80Traits>(add_op, a, b, st); }
Float80 f80_sub(Float80 a, Float80 b, FloatStatus& st) { return binary<F80Traits>(sub_op, a, b, st); }
Float80 f80_mul(Float80 a, Float80 b, FloatStatus& st) { return binary<F80Traits>(mul_op, a, b, st); }
Float80 f80_div(Float80 a, Float80 b, FloatStatus& st) { return binary<F80Traits>(div_op, a, b, st); }
Float80 f80_sqrt(Float80 a, FloatStatus& st) { return square_root<F80Traits>(a, st); }

}  // namespace emu::fpu
