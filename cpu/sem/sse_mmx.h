// The SSE/SSE2 forms that touch MMX registers or need special care: CVTPI2PS/CVTPI2PD
// (MMX-register source: x87 switches to MMX mode), CVT(T)PS2PI/CVT(T)PD2PI (MMX
// destination), MASKMOVQ/MASKMOVDQU (byte-masked store to DS:rDI) and the approximations
// RCPPS/RCPSS/RSQRTPS/RSQRTSS (the library returns the correctly rounded value; hardware
// tables differ by vendor, so the differential test compares them within 1.5 * 2^-12).
#pragma once
#include "cpu/sem/sse_float.h"

namespace emu::sem {

// CVTPI2PS (Width 4) / CVTPI2PD (Width 8): two int32 from mm/m64.
template <unsigned Width, class E>
void cvt_pi_to_fp(E& e, const DecodedInsn& i) {
  sse_check(e);
  const bool from_mmx = i.op[1].type == OperandType::Mmx;
  if (from_mmx) mmx_check(e);
  Vec128 b = mmx_source(e, i, 1);
  fpu::FloatStatus st = sse_status(e);
  Vec128 r = xmm_dest(e, i);
  const int32_t lo = static_cast<int32_t>(b.get<uint32_t>(0)), hi = static_cast<int32_t>(b.get<uint32_t>(1));
  if (Width == 4) {
    r.set<uint32_t>(0, fpu::i32_to_f32(lo, st));
    r.set<uint32_t>(1, fpu::i32_to_f32(hi, st));
  } else {
    r.q[0] = fpu::i32_to_f64(lo, st);
    r.q[1] = fpu::i32_to_f64(hi, st);
  }
  if (from_mmx) mmx_enter(e);  // the MMX transition happens even when #XM follows
  sse_commit_flags(e, st);
  xmm_dest(e, i) = r;
  advance(e, i);
}
template <class E> void sem_cvtpi2ps(E& e, const DecodedInsn& i) { cvt_pi_to_fp<4>(e, i); }
template <class E> void sem_cvtpi2pd(E& e, const DecodedInsn& i) { cvt_pi_to_fp<8>(e, i); }

// CVT(T)PS2PI (Width 4: low two floats of xmm/m64) / CVT(T)PD2PI (Width 8: xmm/m128).
template <unsigned Width, bool Truncate, class E>
void cvt_fp_to_pi(E& e, const DecodedInsn& i) {
  sse_check(e);
  mmx_check(e);
  Vec128 b = fp_source(e, i, 1, Width == 4 ? 8 : 16);
  fpu::FloatStatus st = sse_status(e);
  uint32_t lo, hi;
  if (Width == 4) {
    lo = static_cast<uint32_t>(fpu::f32_to_i32(b.get<uint32_t>(0), Truncate, st));
    hi = static_cast<uint32_t>(fpu::f32_to_i32(b.get<uint32_t>(1), Truncate, st));
  } else {
    lo = static_cast<uint32_t>(fpu::f64_to_i32(b.q[0], Truncate, st));
    hi = static_cast<uint32_t>(fpu::f64_to_i32(b.q[1], Truncate, st));
  }
  mmx_enter(e);  // the MMX transition happens even when #XM follows
  sse_commit_flags(e, st);
  mmx_write(e, i.op[0].reg, lo | (uint64_t{hi} << 32));
  advance(e, i);
}
template <class E> void sem_cvtps2pi(E& e, const DecodedInsn& i) { cvt_fp_to_pi<4, false>(e, i); }
template <class E> void sem_cvttps2pi(E& e, const DecodedInsn& i) { cvt_fp_to_pi<4, true>(e, i); }
template <class E> void sem_cvtpd2pi(E& e, const DecodedInsn& i) { cvt_fp_to_pi<8, false>(e, i); }
template <class E> void sem_cvttpd2pi(E& e, const DecodedInsn& i) { cvt_fp_to_pi<8, true>(e, i); }

// MASKMOVQ (8 bytes, MMX) / MASKMOVDQU (16 bytes): bytes whose mask byte has bit 7 set
// are stored to seg:rDI (DS unless overridden).
template <unsigned Bytes, class E>
void maskmov(E& e, const DecodedInsn& i) {
  Vec128 data, mask;
  if (Bytes == 8) {
    mmx_check(e);
    data = mmx_source(e, i, 0);
    mask = mmx_source(e, i, 1);
  } else {
    sse_check(e);
    data = e.state().xmm[i.op[0].reg];
    mask = e.state().xmm[i.op[1].reg];
  }
  const uint64_t rdi = e.state().gpr[7] & size_mask(i.asz);
  // The x87-to-MMX transition happens before the store can fault; the whole destination
  // is checked even for an all-zero mask (both as the host does).
  if (Bytes == 8) mmx_enter(e);
  e.probe_write(i.seg, rdi, Bytes);
  for (unsigned k = 0; k < Bytes; ++k)
    if (mask.get<uint8_t>(k) & 0x80) e.write_mem(i.seg, (rdi + k) & size_mask(i.asz), 1, data.get<uint8_t>(k));
  advance(e, i);
}
template <class E> void sem_maskmovq(E& e, const DecodedInsn& i) { maskmov<8>(e, i); }
template <class E> void sem_maskmovdqu(E& e, const DecodedInsn& i) { maskmov<16>(e, i); }

// RCPPS/RCPSS/RSQRTPS/RSQRTSS: no exceptions, MXCSR ignored.
template <bool Rsqrt, bool Scalar, class E>
void approx(E& e, const DecodedInsn& i) {
  sse_check(e);
  Vec128 b = fp_source(e, i, 1, Scalar ? 4 : 16);
  Vec128 r = xmm_dest(e, i);
  for (unsigned k = 0; k < (Scalar ? 1u : 4u); ++k) {
    const uint32_t v = b.get<uint32_t>(k);
    r.set<uint32_t>(k, Rsqrt ? fpu::f32_rsqrt_approx(v) : fpu::f32_rcp_approx(v));
  }
  xmm_dest(e, i) = r;
  advance(e, i);
}
template <class E> void sem_rcpps(E& e, const DecodedInsn& i) { approx<false, false>(e, i); }
template <class E> void sem_rcpss(E& e, const DecodedInsn& i) { approx<false, true>(e, i); }
template <class E> void sem_rsqrtps(E& e, const DecodedInsn& i) { approx<true, false>(e, i); }
template <class E> void sem_rsqrtss(E& e, const DecodedInsn& i) { approx<true, true>(e, i); }

}  // namespace emu::sem
