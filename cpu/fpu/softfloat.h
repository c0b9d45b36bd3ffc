// Public API of the software floating-point library: bit-exact x86 arithmetic for
// SSE/SSE2 (Float32, Float64; MXCSR semantics incl. DAZ/FTZ) and the x87 FPU (Float80;
// precision control, C1, x87 NaN rules), identical on every host.
//
// Conventions: every function takes the FloatStatus of the instruction (see
// float_types.h), ORs the exceptions it raises into status.flags and sets status.c1.
// f32_/f64_ functions follow SSE rules, f80_ functions x87 rules. A function whose
// pre-computation exception (IE/DE/ZE) is unmasked stops early and its result is
// meaningless: use sse_result_written / x87_result_written / x87_store_written.
#pragma once
#include <array>
#include <cstdint>

#include "cpu/fpu/float_types.h"

namespace emu::fpu {

// --- arithmetic -----------------------------------------------------------------------
Float32 f32_add(Float32 a, Float32 b, FloatStatus& st);
Float32 f32_sub(Float32 a, Float32 b, FloatStatus& st);
Float32 f32_mul(Float32 a, Float32 b, FloatStatus& st);
Float32 f32_div(Float32 a, Float32 b, FloatStatus& st);
Float32 f32_sqrt(Float32 a, FloatStatus& st);
Float64 f64_add(Float64 a, Float64 b, FloatStatus& st);
Float64 f64_sub(Float64 a, Float64 b, FloatStatus& st);
Float64 f64_mul(Float64 a, Float64 b, FloatStatus& st);
Float64 f64_div(Float64 a, Float64 b, FloatStatus& st);
Float64 f64_sqrt(Float64 a, FloatStatus& st);
// FMA3: (+-a * b) +- c rounded once. VFMADD: no negation; VFMSUB: negate_addend;
// VFNMADD: negate_product; VFNMSUB: both. NaN operands: the first NaN in the order
// a, b, c is returned quieted with its own sign (pass the instruction's operands in the
// order its 132/213/231 form multiplies and adds them).
Float32 f32_fma(Float32 a, Float32 b, Float32 c, FloatStatus& st, bool negate_product = false, bool negate_addend = false);
Float64 f64_fma(Float64 a, Float64 b, Float64 c, FloatStatus& st, bool negate_product = false, bool negate_addend = false);
// x87: rounded to st.precision (24/53/64 bits) with the full 15-bit exponent range.
Float80 f80_add(Float80 a, Float80 b, FloatStatus& st);
Float80 f80_sub(Float80 a, Float80 b, FloatStatus& st);  // a - b
Float80 f80_mul(Float80 a, Float80 b, FloatStatus& st);
Float80 f80_div(Float80 a, Float80 b, FloatStatus& st);  // a / b
Float80 f80_sqrt(Float80 a, FloatStatus& st);
// x87 arithmetic with a memory operand (FADD/FMUL/FSUB/FSUBR/FDIV/FDIVR m32fp/m64fp):
// ST0 op m (SubR/DivR: m op ST0). Use these rather than f32_to_f80 + f80_add: a denormal
// or SNaN memory operand must signal in the operation's order (e.g. no DE when ST0 is a NaN).
// The integer forms (FIADD...) are exact: f80_add(st0, i64_to_f80(m), st).
enum class X87Arith : uint8_t { Add, Mul, Sub, SubR, Div, DivR };
Float80 f80_arith_m32(X87Arith op, Float80 st0, Float32 m, FloatStatus& st);
Float80 f80_arith_m64(X87Arith op, Float80 st0, Float64 m, FloatStatus& st);

// --- comparison -----------------------------------------------------------------------
enum class Ordering : uint8_t { Less, Equal, Greater, Unordered };
// signaling=true (COMISS, FCOM, FCOMI): IE for any NaN; false (UCOMISS, FUCOM): IE for SNaN only.
// Denormal operands raise DE (SSE: unless DAZ).
Ordering f32_compare(Float32 a, Float32 b, bool signaling, FloatStatus& st);
Ordering f64_compare(Float64 a, Float64 b, bool signaling, FloatStatus& st);
// FCOM/FUCOM set C3/C2/C0 from the result even when IE or DE is unmasked.
Ordering f80_compare(Float80 a, Float80 b, bool signaling, FloatStatus& st);
Ordering f80_compare_m32(Float80 st0, Float32 m, bool signaling, FloatStatus& st);  // FCOM m32fp
Ordering f80_compare_m64(Float80 st0, Float64 m, bool signaling, FloatStatus& st);  // FCOM m64fp
// CMPSS/CMPPS/CMPSD/CMPPD predicate `imm` (0-7 legacy SSE, 0-31 with VEX): true = all ones.
bool f32_compare_predicate(Float32 a, Float32 b, unsigned imm, FloatStatus& st);
bool f64_compare_predicate(Float64 a, Float64 b, unsigned imm, FloatStatus& st);
// MINSS/MAXSS/MINSD/MAXSD: if either operand is a NaN (IE raised) or both are zeros,
// the second operand `b` is returned unchanged.
Float32 f32_min(Float32 a, Float32 b, FloatStatus& st);
Float32 f32_max(Float32 a, Float32 b, FloatStatus& st);
Float64 f64_min(Float64 a, Float64 b, FloatStatus& st);
Float64 f64_max(Float64 a, Float64 b, FloatStatus& st);

// RCPSS/RSQRTSS: approximate 1/a and 1/sqrt(a). Hardware uses tables (|relative error| <=
// 1.5 * 2^-12, Intel and AMD differ); these return the correctly rounded value instead.
// No exceptions, ignores MXCSR; denormal inputs count as zero, tiny results flush to zero.
Float32 f32_rcp_approx(Float32 a);
Float32 f32_rsqrt_approx(Float32 a);

// --- conversions between formats ------------------------------------------------------
Float64 f32_to_f64(Float32 a, FloatStatus& st);  // CVTSS2SD
Float32 f64_to_f32(Float64 a, FloatStatus& st);  // CVTSD2SS
Float80 f32_to_f80(Float32 a, FloatStatus& st);  // FLD m32 (x87 rules: no DAZ)
Float80 f64_to_f80(Float64 a, FloatStatus& st);  // FLD m64
Float32 f80_to_f32(Float80 a, FloatStatus& st);  // FST m32 (x87 rules: no FTZ)
Float64 f80_to_f64(Float80 a, FloatStatus& st);  // FST m64

// --- integers ---------------------------------------------------------------------------
Float32 i32_to_f32(int32_t v, FloatStatus& st);  // CVTSI2SS
Float32 i64_to_f32(int64_t v, FloatStatus& st);
Float64 i32_to_f64(int32_t v, FloatStatus& st);  // exact
Float64 i64_to_f64(int64_t v, FloatStatus& st);
Float80 i64_to_f80(int64_t v);                   // FILD m16/m32/m64 (always exact)
// CVTSS2SI/CVTTSS2SI...: truncate=true rounds toward zero (the CVTT forms). NaN or out of
// range: IE and the integer indefinite (INT_MIN of the width).
int32_t f32_to_i32(Float32 a, bool truncate, FloatStatus& st);
int64_t f32_to_i64(Float32 a, bool truncate, FloatStatus& st);
int32_t f64_to_i32(Float64 a, bool truncate, FloatStatus& st);
int64_t f64_to_i64(Float64 a, bool truncate, FloatStatus& st);
// FIST/FISTP (truncate=false, st.rounding) and FISTTP (truncate=true); sets C1.
int16_t f80_to_i16(Float80 a, bool truncate, FloatStatus& st);
int32_t f80_to_i32(Float80 a, bool truncate, FloatStatus& st);
int64_t f80_to_i64(Float80 a, bool truncate, FloatStatus& st);

// --- round to integral --------------------------------------------------------------------
// Rounds to an integer in mode `r`; PE unless suppress_inexact.
Float32 f32_round_to_int(Float32 a, Rounding r, bool suppress_inexact, FloatStatus& st);
Float64 f64_round_to_int(Float64 a, Rounding r, bool suppress_inexact, FloatStatus& st);
// ROUNDSS/ROUNDSD immediate: bits 1:0 mode, bit 2 use st.rounding (MXCSR.RC), bit 3
// suppress the precision exception.
Float32 f32_round_sse(Float32 a, uint8_t imm, FloatStatus& st);
Float64 f64_round_sse(Float64 a, uint8_t imm, FloatStatus& st);
// FRNDINT (st.rounding; precision control does not apply).
Float80 f80_round_to_int(Float80 a, FloatStatus& st);

// --- x87 specials ---------------------------------------------------------------------------
inline Float80 f80_abs(Float80 a) { return Float80{a.signif, static_cast<uint16_t>(a.sign_exp & 0x7FFF)}; }
inline Float80 f80_chs(Float80 a) { return Float80{a.signif, static_cast<uint16_t>(a.sign_exp ^ 0x8000)}; }

// FXAM: the C3/C2/C1/C0 bits (in FSW positions, see x87sw) for a register; `empty` for a
// tag-empty register.
uint16_t f80_examine(Float80 a, bool empty);

// FBSTP: rounds by st.rounding to an 18-digit packed BCD (10 bytes, little-endian);
// NaN/infinity/out of range give IE and the packed BCD indefinite.
std::array<uint8_t, 10> f80_to_bcd(Float80 a, FloatStatus& st);
// FBLD: exact. Digits > 9 are taken at face value (the result is undefined on hardware).
Float80 bcd_to_f80(const std::array<uint8_t, 10>& bcd);

// FXTRACT: ST(0) becomes `exponent`, then `significand` is pushed.
struct Extracted {
  Float80 exponent;
  Float80 significand;
};
Extracted f80_extract(Float80 a, FloatStatus& st);

// FSCALE: a * 2^trunc(b).
Float80 f80_scale(Float80 a, Float80 b, FloatStatus& st);

// FPREM (ieee=false: quotient truncated) and FPREM1 (ieee=true: quotient rounded to
// nearest): a is ST(0), b is ST(1). When the exponent difference is 64 or more, only a
// partial reduction is done and `incomplete` (C2) is set; otherwise quotient_low holds
// the quotient's low three bits (Q2 -> C0, Q1 -> C3, Q0 -> C1).
struct Remainder {
  Float80 value;
  uint8_t quotient_low = 0;
  bool incomplete = false;
};
Remainder f80_prem(Float80 a, Float80 b, bool ieee, FloatStatus& st);
// FSW condition bits for a Remainder (C0, C1, C2, C3 set from the result).
uint16_t remainder_condition_bits(const Remainder& r);

// FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ: the constant rounded by st.rounding
// from its 66-bit internal value, as the hardware does.
enum class X87Constant : uint8_t { One, Log2Ten, Log2E, Pi, Log10Two, LnTwo, Zero };
Float80 f80_constant(X87Constant k, Rounding r);

// --- x87 transcendentals (64-bit precision, precision control does not apply) -------------
Float80 f80_f2xm1(Float80 x, FloatStatus& st);              // 2^x - 1, |x| <= 1
Float80 f80_fyl2x(Float80 x, Float80 y, FloatStatus& st);   // y * log2(x); x = ST(0), y = ST(1)
Float80 f80_fyl2xp1(Float80 x, Float80 y, FloatStatus& st); // y * log2(x + 1)
Float80 f80_fpatan(Float80 x, Float80 y, FloatStatus& st);  // atan(y / x) by quadrant; x = ST(0), y = ST(1)
// FSIN/FCOS/FPTAN/FSINCOS: |a| >= 2^63 leaves the operand unchanged and sets
// out_of_range (C2 = 1); reduction uses the hardware's 66-bit pi.
struct TrigResult {
  Float80 value;
  bool out_of_range = false;
  Float80 pushed;  // FPTAN only: the value to push (1.0, or the NaN result again)
};
TrigResult f80_sin(Float80 a, FloatStatus& st);
TrigResult f80_cos(Float80 a, FloatStatus& st);
// FPTAN: `value` replaces ST(0), then `pushed` is pushed (unless out_of_range): 1.0, but
// a copy of the NaN when the result is a NaN (as hardware does for NaN/infinity inputs).
TrigResult f80_tan(Float80 a, FloatStatus& st);
struct SinCos {
  Float80 sin;
  Float80 cos;
  bool out_of_range = false;
};
SinCos f80_sincos(Float80 a, FloatStatus& st);  // FSINCOS: ST(0) = sin, push cos

// For differential tests against a CPU: true when the exact result of the operation on
// ST(0) = st0 (and ST(1) = st1) lies within 3/16 ulp of a rounding boundary of mode rc
// (a representable value; rounding to nearest also a midpoint), or is exact. There the last bit and C1 depend on the CPU model's
// internal approximation (AMD's errs by up to 0.15 ulp), not on the architecture; see
// cpu/fpu/README.md.
enum class X87Transcendental : uint8_t { F2xm1, Fyl2x, Fyl2xp1, Fpatan, Fsin, Fcos, Fptan, Fsincos };
bool f80_transcendental_near_boundary(X87Transcendental op, Float80 st0, Float80 st1, Rounding rc);

}  // namespace emu::fpu
