// SSE/SSE2 floating-point semantics on the software float library (cpu/fpu): packed and
// scalar ADD SUB MUL DIV MIN MAX SQRT, CMPccPS/PD/SS/SD, (U)COMISS/SD and the
// conversions between single, double and integers. MXCSR supplies rounding, DAZ/FTZ and
// masks; raised flags are merged into MXCSR, and an unmasked exception leaves the
// destination unchanged and raises #XM (#UD when CR4.OSXMMEXCPT is clear).
// RCPPS/RSQRTPS and the MMX-register conversions (CVTPI2PS...) are in sse_mmx.h.
// The SSE3/SSE4.1 float forms (ADDSUBPx, HADDPx, ROUNDxx, DPPx) are in sse4.h.
#pragma once
#include <bit>

#include "cpu/fpu/softfloat.h"
#include "cpu/sem/sse.h"

namespace emu::sem {

inline constexpr uint64_t kCr4OSXMMEXCPT = 1u << 10;

template <class E>
inline fpu::FloatStatus sse_status(E& e) { return fpu::status_from_mxcsr(e.state().mxcsr); }

// Merges the raised flags into MXCSR; raises #XM when an unmasked exception occurred.
// The pre-computation exceptions (IE DE ZE) of all lanes are detected before any result
// is computed: when one of them is unmasked, the post-computation flags (OE UE PE) that
// the other lanes' results would raise are not reported (as the host CPU does).
template <class E>
inline void sse_commit_flags(E& e, fpu::FloatStatus st) {
  CpuState& s = e.state();
  if (st.flags & ~st.masks & fpu::flag::PreComputation) st.flags &= fpu::flag::PreComputation;
  s.mxcsr = fpu::mxcsr_merge_flags(s.mxcsr, st);
  if (!fpu::sse_result_written(st.flags, st.masks)) e.raise((s.cr4 & kCr4OSXMMEXCPT) ? kXM : kUD);
}

// Source of a scalar or packed float operation: scalar memory operands are 4 or 8 bytes
// without alignment; packed ones are 16 aligned bytes (or `mem_bytes` for half loads).
template <class E>
inline Vec128 fp_source(E& e, const DecodedInsn& i, unsigned k, unsigned mem_bytes) {
  if (i.op[k].type == OperandType::Xmm) return e.state().xmm[i.op[k].reg];
  if (mem_bytes == 16) return xmm_source(e, i, k, true);
  Vec128 v;
  v.q[0] = e.read_mem(i.seg, e.effective_address(i), mem_bytes);
  return v;
}

enum class FpOp { Add, Sub, Mul, Div, Min, Max, Sqrt };

template <FpOp Op>
inline uint32_t fp32(uint32_t a, uint32_t b, fpu::FloatStatus& st) {
  switch (Op) {
    case FpOp::Add: return fpu::f32_add(a, b, st);
    case FpOp::Sub: return fpu::f32_sub(a, b, st);
    case FpOp::Mul: return fpu::f32_mul(a, b, st);
    case FpOp::Div: return fpu::f32_div(a, b, st);
    case FpOp::Min: return fpu::f32_min(a, b, st);
    case FpOp::Max: return fpu::f32_max(a, b, st);
    case FpOp::Sqrt: return fpu::f32_sqrt(b, st);
  }
  return 0;
}
template <FpOp Op>
inline uint64_t fp64(uint64_t a, uint64_t b, fpu::FloatStatus& st) {
  switch (Op) {
    case FpOp::Add: return fpu::f64_add(a, b, st);
    case FpOp::Sub: return fpu::f64_sub(a, b, st);
    case FpOp::Mul: return fpu::f64_mul(a, b, st);
    case FpOp::Div: return fpu::f64_div(a, b, st);
    case FpOp::Min: return fpu::f64_min(a, b, st);
    case FpOp::Max: return fpu::f64_max(a, b, st);
    case FpOp::Sqrt: return fpu::f64_sqrt(b, st);
  }
  return 0;
}

// Width 4 = single, 8 = double; Scalar = only the low element (the rest of dst is kept).
template <FpOp Op, unsigned Width, bool Scalar, class E>
void fp_arith(E& e, const DecodedInsn& i) {
  sse_check(e);
  Vec128 b = fp_source(e, i, 1, Scalar ? Width : 16);
  Vec128 r = xmm_dest(e, i);
  fpu::FloatStatus st = sse_status(e);
  const unsigned lanes = Scalar ? 1 : 16 / Width;
  for (unsigned k = 0; k < lanes; ++k) {
    if (Width == 4) r.set<uint32_t>(k, fp32<Op>(r.get<uint32_t>(k), b.get<uint32_t>(k), st));
    else r.set<uint64_t>(k, fp64<Op>(r.get<uint64_t>(k), b.get<uint64_t>(k), st));
  }
  sse_commit_flags(e, st);
  xmm_dest(e, i) = r;
  advance(e, i);
}

#define EMU_SSE_FP4(op, OP)                                                                        \
  template <class E> void sem_##op##ps(E& e, const DecodedInsn& i) { fp_arith<FpOp::OP, 4, false>(e, i); } \
  template <class E> void sem_##op##pd(E& e, const DecodedInsn& i) { fp_arith<FpOp::OP, 8, false>(e, i); } \
  template <class E> void sem_##op##ss(E& e, const DecodedInsn& i) { fp_arith<FpOp::OP, 4, true>(e, i); }  \
  template <class E> void sem_##op##sd(E& e, const DecodedInsn& i) { fp_arith<FpOp::OP, 8, true>(e, i); }
EMU_SSE_FP4(add, Add)
EMU_SSE_FP4(sub, Sub)
EMU_SSE_FP4(mul, Mul)
EMU_SSE_FP4(div, Div)
EMU_SSE_FP4(min, Min)
EMU_SSE_FP4(max, Max)
EMU_SSE_FP4(sqrt, Sqrt)
#undef EMU_SSE_FP4

// CMPccPS/PD/SS/SD: all-ones or zero per element by the imm8 predicate (0..7).
template <unsigned Width, bool Scalar, class E>
void fp_compare_mask(E& e, const DecodedInsn& i) {
  sse_check(e);
  Vec128 b = fp_source(e, i, 1, Scalar ? Width : 16);
  Vec128 r = xmm_dest(e, i);
  fpu::FloatStatus st = sse_status(e);
  const unsigned pred = static_cast<unsigned>(i.imm & 7);
  const unsigned lanes = Scalar ? 1 : 16 / Width;
  for (unsigned k = 0; k < lanes; ++k) {
    if (Width == 4) r.set<uint32_t>(k, fpu::f32_compare_predicate(r.get<uint32_t>(k), b.get<uint32_t>(k), pred, st) ? ~0u : 0u);
    else r.set<uint64_t>(k, fpu::f64_compare_predicate(r.get<uint64_t>(k), b.get<uint64_t>(k), pred, st) ? ~uint64_t{0} : 0);
  }
  sse_commit_flags(e, st);
  xmm_dest(e, i) = r;
  advance(e, i);
}
template <class E> void sem_cmpps(E& e, const DecodedInsn& i) { fp_compare_mask<4, false>(e, i); }
template <class E> void sem_cmppd(E& e, const DecodedInsn& i) { fp_compare_mask<8, false>(e, i); }
template <class E> void sem_cmpss(E& e, const DecodedInsn& i) { fp_compare_mask<4, true>(e, i); }
template <class E> void sem_cmpsd_xmm(E& e, const DecodedInsn& i) { fp_compare_mask<8, true>(e, i); }

// COMISS/UCOMISS/COMISD/UCOMISD: ZF PF CF from the ordering; OF SF AF cleared.
template <unsigned Width, bool Signaling, class E>
void fp_comi(E& e, const DecodedInsn& i) {
  sse_check(e);
  Vec128 b = fp_source(e, i, 1, Width);
  Vec128 a = xmm_dest(e, i);
  fpu::FloatStatus st = sse_status(e);
  fpu::Ordering o = Width == 4 ? fpu::f32_compare(a.get<uint32_t>(0), b.get<uint32_t>(0), Signaling, st)
                               : fpu::f64_compare(a.q[0], b.q[0], Signaling, st);
  sse_commit_flags(e, st);
  uint32_t f = 0;
  if (o == fpu::Ordering::Unordered) f = isa::FL_ZF | isa::FL_PF | isa::FL_CF;
  else if (o == fpu::Ordering::Less) f = isa::FL_CF;
  else if (o == fpu::Ordering::Equal) f = isa::FL_ZF;
  set_arith_flags(e.state(), isa::FL_ARITH, f);
  advance(e, i);
}
template <class E> void sem_comiss(E& e, const DecodedInsn& i) { fp_comi<4, true>(e, i); }
template <class E> void sem_ucomiss(E& e, const DecodedInsn& i) { fp_comi<4, false>(e, i); }
template <class E> void sem_comisd(E& e, const DecodedInsn& i) { fp_comi<8, true>(e, i); }
template <class E> void sem_ucomisd(E& e, const DecodedInsn& i) { fp_comi<8, false>(e, i); }

// CVTSI2SS/SD: integer (32 or 64 bits by operand size) to the low element.
template <unsigned Width, class E>
void cvt_int_to_fp(E& e, const DecodedInsn& i) {
  sse_check(e);
  uint64_t v = e.read_operand(i, 1);
  fpu::FloatStatus st = sse_status(e);
  Vec128 r = xmm_dest(e, i);
  const bool wide = i.op[1].size == 8;
  if (Width == 4) r.set<uint32_t>(0, wide ? fpu::i64_to_f32(static_cast<int64_t>(v), st) : fpu::i32_to_f32(static_cast<int32_t>(v), st));
  else r.q[0] = wide ? fpu::i64_to_f64(static_cast<int64_t>(v), st) : fpu::i32_to_f64(static_cast<int32_t>(v), st);
  sse_commit_flags(e, st);
  xmm_dest(e, i) = r;
  advance(e, i);
}
template <class E> void sem_cvtsi2ss(E& e, const DecodedInsn& i) { cvt_int_to_fp<4>(e, i); }
template <class E> void sem_cvtsi2sd(E& e, const DecodedInsn& i) { cvt_int_to_fp<8>(e, i); }

// CVT(T)SS2SI / CVT(T)SD2SI: the low element to a 32- or 64-bit integer register.
template <unsigned Width, bool Truncate, class E>
void cvt_fp_to_int(E& e, const DecodedInsn& i) {
  sse_check(e);
  Vec128 b = fp_source(e, i, 1, Width);
  fpu::FloatStatus st = sse_status(e);
  const bool wide = i.op[0].size == 8;
  uint64_t r;
  if (Width == 4) r = wide ? static_cast<uint64_t>(fpu::f32_to_i64(b.get<uint32_t>(0), Truncate, st))
                           : static_cast<uint32_t>(fpu::f32_to_i32(b.get<uint32_t>(0), Truncate, st));
  else r = wide ? static_cast<uint64_t>(fpu::f64_to_i64(b.q[0], Truncate, st))
                : static_cast<uint32_t>(fpu::f64_to_i32(b.q[0], Truncate, st));
  sse_commit_flags(e, st);
  e.write_operand(i, 0, r);
  advance(e, i);
}
template <class E> void sem_cvtss2si(E& e, const DecodedInsn& i) { cvt_fp_to_int<4, false>(e, i); }
template <class E> void sem_cvttss2si(E& e, const DecodedInsn& i) { cvt_fp_to_int<4, true>(e, i); }
template <class E> void sem_cvtsd2si(E& e, const DecodedInsn& i) { cvt_fp_to_int<8, false>(e, i); }
template <class E> void sem_cvttsd2si(E& e, const DecodedInsn& i) { cvt_fp_to_int<8, true>(e, i); }

// CVTSD2SS/CVTPD2PS lane. With the underflow exception unmasked the result is not
// delivered, and PE then reports whether the value fits a single's 24 significant bits
// with an unbounded exponent (not whether the denormalized result would be exact).
inline uint32_t narrow_f64(uint64_t a, fpu::FloatStatus& st) {
  fpu::FloatStatus lane = st;
  lane.flags = 0;
  const uint32_t r = fpu::f64_to_f32(a, lane);
  if ((lane.flags & fpu::flag::Underflow) && !(lane.masks & fpu::flag::Underflow)) {
    uint64_t m = a & ((uint64_t{1} << 52) - 1);
    if ((a >> 52) & 0x7ff) m |= uint64_t{1} << 52;
    const int bits = m ? 64 - std::countl_zero(m) - std::countr_zero(m) : 0;
    lane.flags = static_cast<uint8_t>((lane.flags & ~fpu::flag::Precision) | (bits > 24 ? fpu::flag::Precision : 0));
  }
  st.flags |= lane.flags;
  return r;
}

// Element-wise conversions between single, double and int32 vectors.
enum class Cvt { SsToSd, SdToSs, PsToPd, PdToPs, DqToPs, PsToDq, TPsToDq, DqToPd, PdToDq, TPdToDq };

template <Cvt C, class E>
void cvt_vector(E& e, const DecodedInsn& i) {
  sse_check(e);
  constexpr unsigned mem = (C == Cvt::SsToSd) ? 4 : (C == Cvt::SdToSs || C == Cvt::PsToPd || C == Cvt::DqToPd) ? 8 : 16;
  Vec128 b = fp_source(e, i, 1, mem);
  fpu::FloatStatus st = sse_status(e);
  Vec128 r = xmm_dest(e, i);
  switch (C) {
    case Cvt::SsToSd: r.q[0] = fpu::f32_to_f64(b.get<uint32_t>(0), st); break;
    case Cvt::SdToSs: r.set<uint32_t>(0, narrow_f64(b.q[0], st)); break;
    case Cvt::PsToPd: {
      uint64_t lo = fpu::f32_to_f64(b.get<uint32_t>(0), st), hi = fpu::f32_to_f64(b.get<uint32_t>(1), st);
      r.q[0] = lo;
      r.q[1] = hi;
      break;
    }
    case Cvt::PdToPs: {
      uint32_t lo = narrow_f64(b.q[0], st), hi = narrow_f64(b.q[1], st);
      r = Vec128{};
      r.set<uint32_t>(0, lo);
      r.set<uint32_t>(1, hi);
      break;
    }
    case Cvt::DqToPs:
      for (unsigned k = 0; k < 4; ++k) r.set<uint32_t>(k, fpu::i32_to_f32(static_cast<int32_t>(b.get<uint32_t>(k)), st));
      break;
    case Cvt::PsToDq: case Cvt::TPsToDq:
      for (unsigned k = 0; k < 4; ++k)
        r.set<uint32_t>(k, static_cast<uint32_t>(fpu::f32_to_i32(b.get<uint32_t>(k), C == Cvt::TPsToDq, st)));
      break;
    case Cvt::DqToPd: {
      uint64_t lo = fpu::i32_to_f64(static_cast<int32_t>(b.get<uint32_t>(0)), st);
      uint64_t hi = fpu::i32_to_f64(static_cast<int32_t>(b.get<uint32_t>(1)), st);
      r.q[0] = lo;
      r.q[1] = hi;
      break;
    }
    case Cvt::PdToDq: case Cvt::TPdToDq: {
      uint32_t lo = static_cast<uint32_t>(fpu::f64_to_i32(b.q[0], C == Cvt::TPdToDq, st));
      uint32_t hi = static_cast<uint32_t>(fpu::f64_to_i32(b.q[1], C == Cvt::TPdToDq, st));
      r = Vec128{};
      r.set<uint32_t>(0, lo);
      r.set<uint32_t>(1, hi);
      break;
    }
  }
  sse_commit_flags(e, st);
  xmm_dest(e, i) = r;
  advance(e, i);
}
template <class E> void sem_cvtss2sd(E& e, const DecodedInsn& i) { cvt_vector<Cvt::SsToSd>(e, i); }
template <class E> void sem_cvtsd2ss(E& e, const DecodedInsn& i) { cvt_vector<Cvt::SdToSs>(e, i); }
template <class E> void sem_cvtps2pd(E& e, const DecodedInsn& i) { cvt_vector<Cvt::PsToPd>(e, i); }
template <class E> void sem_cvtpd2ps(E& e, const DecodedInsn& i) { cvt_vector<Cvt::PdToPs>(e, i); }
template <class E> void sem_cvtdq2ps(E& e, const DecodedInsn& i) { cvt_vector<Cvt::DqToPs>(e, i); }
template <class E> void sem_cvtps2dq(E& e, const DecodedInsn& i) { cvt_vector<Cvt::PsToDq>(e, i); }
template <class E> void sem_cvttps2dq(E& e, const DecodedInsn& i) { cvt_vector<Cvt::TPsToDq>(e, i); }
template <class E> void sem_cvtdq2pd(E& e, const DecodedInsn& i) { cvt_vector<Cvt::DqToPd>(e, i); }
template <class E> void sem_cvtpd2dq(E& e, const DecodedInsn& i) { cvt_vector<Cvt::PdToDq>(e, i); }
template <class E> void sem_cvttpd2dq(E& e, const DecodedInsn& i) { cvt_vector<Cvt::TPdToDq>(e, i); }

}  // namespace emu::sem
