// SSE3, SSSE3, SSE4.1 and SSE4.2 semantics (except CRC32/POPCNT, which are integer
// instructions in sse.h/bits.h): the integer and data-movement forms call the
// host-independent cpu/sem/simd_* library, the float forms (ADDSUBPx, HADDPx, HSUBPx,
// ROUNDxx, DPPS/DPPD) the software float library under MXCSR (rounding, DAZ/FTZ, flags,
// #XM with the destination unchanged), exactly like the SSE2 arithmetic in sse_float.h.
// Legacy-SSE 16-byte memory operands must be aligned except for LDDQU and the string
// compares PCMPxSTRx; the narrower operands (PMOVSX/ZX, ROUNDSS/SD, INSERTPS m32...) not.
#pragma once
#include "cpu/sem/sse_float.h"

namespace emu::sem {

// ---- SSE3 --------------------------------------------------------------------------

EMU_SSE_BINARY(movsldup, simd::movsldup(b))
EMU_SSE_BINARY(movshdup, simd::movshdup(b))
EMU_SSE_BINARY(movddup, simd::movddup(b))

// LDDQU (unaligned) and MOVNTDQA (aligned) 16-byte loads; memory operand only.
template <bool Aligned, class E>
void xmm_load(E& e, const DecodedInsn& i) {
  sse_check(e);
  xmm_dest(e, i) = xmm_source(e, i, 1, Aligned);
  advance(e, i);
}
template <class E> void sem_lddqu(E& e, const DecodedInsn& i) { xmm_load<false>(e, i); }
template <class E> void sem_movntdqa(E& e, const DecodedInsn& i) { xmm_load<true>(e, i); }

// Horizontal and alternating float operations on the lanes of a (dst) and b (src).
enum class FpPairs { AddSub, HAdd, HSub };

template <FpPairs Kind, unsigned Width, class E>
void fp_pairs(E& e, const DecodedInsn& i) {
  sse_check(e);
  const Vec128 b = fp_source(e, i, 1, 16);
  const Vec128 a = xmm_dest(e, i);
  fpu::FloatStatus st = sse_status(e);
  constexpr unsigned lanes = 16 / Width, half = lanes / 2;
  auto op = [&](bool add, auto x, auto y) {
    if constexpr (Width == 4) return add ? fp32<FpOp::Add>(x, y, st) : fp32<FpOp::Sub>(x, y, st);
    else return add ? fp64<FpOp::Add>(x, y, st) : fp64<FpOp::Sub>(x, y, st);
  };
  using T = std::conditional_t<Width == 4, uint32_t, uint64_t>;
  Vec128 r;
  for (unsigned k = 0; k < lanes; ++k) {
    if (Kind == FpPairs::AddSub) {
      r.set<T>(k, op(k & 1, a.get<T>(k), b.get<T>(k)));
    } else {  // low half from pairs of a, high half from pairs of b
      const Vec128& src = k < half ? a : b;
      const unsigned j = 2 * (k % half);
      r.set<T>(k, op(Kind == FpPairs::HAdd, src.get<T>(j), src.get<T>(j + 1)));
    }
  }
  sse_commit_flags(e, st);
  xmm_dest(e, i) = r;
  advance(e, i);
}
template <class E> void sem_addsubps(E& e, const DecodedInsn& i) { fp_pairs<FpPairs::AddSub, 4>(e, i); }
template <class E> void sem_addsubpd(E& e, const DecodedInsn& i) { fp_pairs<FpPairs::AddSub, 8>(e, i); }
template <class E> void sem_haddps(E& e, const DecodedInsn& i) { fp_pairs<FpPairs::HAdd, 4>(e, i); }
template <class E> void sem_haddpd(E& e, const DecodedInsn& i) { fp_pairs<FpPairs::HAdd, 8>(e, i); }
template <class E> void sem_hsubps(E& e, const DecodedInsn& i) { fp_pairs<FpPairs::HSub, 4>(e, i); }
template <class E> void sem_hsubpd(E& e, const DecodedInsn& i) { fp_pairs<FpPairs::HSub, 8>(e, i); }

// ---- SSSE3 (MMX and XMM forms) -----------------------------------------------------

EMU_SSE_BINARY(pshufb, pshufb(a, b, n))  // (unqualified: the JIT has its own for its values)
EMU_SSE_BINARY(phaddw, simd::phadd(a, b, Elem::W, n))
EMU_SSE_BINARY(phaddd, simd::phadd(a, b, Elem::D, n))
EMU_SSE_BINARY(phaddsw, simd::phaddsw(a, b, n))
EMU_SSE_BINARY(phsubw, simd::phsub(a, b, Elem::W, n))
EMU_SSE_BINARY(phsubd, simd::phsub(a, b, Elem::D, n))
EMU_SSE_BINARY(phsubsw, simd::phsubsw(a, b, n))
EMU_SSE_BINARY(pmaddubsw, simd::pmaddubsw(a, b, n))
EMU_SSE_BINARY(pmulhrsw, simd::pmulhrsw(a, b, n))
EMU_SSE_BINARY(psignb, simd::psign(a, b, Elem::B, n))
EMU_SSE_BINARY(psignw, simd::psign(a, b, Elem::W, n))
EMU_SSE_BINARY(psignd, simd::psign(a, b, Elem::D, n))
EMU_SSE_BINARY(pabsb, simd::pabs(b, Elem::B, n))
EMU_SSE_BINARY(pabsw, simd::pabs(b, Elem::W, n))
EMU_SSE_BINARY(pabsd, simd::pabs(b, Elem::D, n))

// ---- SSE4.1 / SSE4.2 integer (XMM only) --------------------------------------------

EMU_SSE_BINARY(pmovsxbw, simd::pmovsx(b, Elem::B, Elem::W))
EMU_SSE_BINARY(pmovsxbd, simd::pmovsx(b, Elem::B, Elem::D))
EMU_SSE_BINARY(pmovsxbq, simd::pmovsx(b, Elem::B, Elem::Q))
EMU_SSE_BINARY(pmovsxwd, simd::pmovsx(b, Elem::W, Elem::D))
EMU_SSE_BINARY(pmovsxwq, simd::pmovsx(b, Elem::W, Elem::Q))
EMU_SSE_BINARY(pmovsxdq, simd::pmovsx(b, Elem::D, Elem::Q))
EMU_SSE_BINARY(pmovzxbw, simd::pmovzx(b, Elem::B, Elem::W))
EMU_SSE_BINARY(pmovzxbd, simd::pmovzx(b, Elem::B, Elem::D))
EMU_SSE_BINARY(pmovzxbq, simd::pmovzx(b, Elem::B, Elem::Q))
EMU_SSE_BINARY(pmovzxwd, simd::pmovzx(b, Elem::W, Elem::D))
EMU_SSE_BINARY(pmovzxwq, simd::pmovzx(b, Elem::W, Elem::Q))
EMU_SSE_BINARY(pmovzxdq, simd::pmovzx(b, Elem::D, Elem::Q))
EMU_SSE_BINARY(pmuldq, simd::pmuldq(a, b))
EMU_SSE_BINARY(pmulld, simd::pmull(a, b, Elem::D, n))
EMU_SSE_BINARY(pcmpeqq, simd::pcmpeq(a, b, Elem::Q, n))
EMU_SSE_BINARY(pcmpgtq, simd::pcmpgt(a, b, Elem::Q, n))
EMU_SSE_BINARY(packusdw, simd::packus(a, b, Elem::D, n))
EMU_SSE_BINARY(pminsb, simd::pmins(a, b, Elem::B, n))
EMU_SSE_BINARY(pminsd, simd::pmins(a, b, Elem::D, n))
EMU_SSE_BINARY(pminuw, simd::pminu(a, b, Elem::W, n))
EMU_SSE_BINARY(pminud, simd::pminu(a, b, Elem::D, n))
EMU_SSE_BINARY(pmaxsb, simd::pmaxs(a, b, Elem::B, n))
EMU_SSE_BINARY(pmaxsd, simd::pmaxs(a, b, Elem::D, n))
EMU_SSE_BINARY(pmaxuw, simd::pmaxu(a, b, Elem::W, n))
EMU_SSE_BINARY(pmaxud, simd::pmaxu(a, b, Elem::D, n))
EMU_SSE_BINARY(phminposuw, simd::phminposuw(b))
#undef EMU_SSE_BINARY

// Blends by XMM0's element sign bits.
template <Elem El, class E>
void blend_by_xmm0(E& e, const DecodedInsn& i) {
  sse_check(e);
  Vec128 b = xmm_source(e, i, 1, true);
  xmm_dest(e, i) = simd::blendv(xmm_dest(e, i), b, e.state().xmm[0], El);
  advance(e, i);
}
template <class E> void sem_pblendvb(E& e, const DecodedInsn& i) { blend_by_xmm0<Elem::B>(e, i); }
template <class E> void sem_blendvps(E& e, const DecodedInsn& i) { blend_by_xmm0<Elem::D>(e, i); }
template <class E> void sem_blendvpd(E& e, const DecodedInsn& i) { blend_by_xmm0<Elem::Q>(e, i); }

// Immediate forms dst = f(dst, src, imm8) (sse_shuffle: aligned 16-byte source).
template <class E> void sem_blendps(E& e, const DecodedInsn& i) { sse_shuffle(e, i, [](Vec128 a, Vec128 b, uint8_t m) { return simd::blend(a, b, m, Elem::D); }); }
template <class E> void sem_blendpd(E& e, const DecodedInsn& i) { sse_shuffle(e, i, [](Vec128 a, Vec128 b, uint8_t m) { return simd::blend(a, b, m, Elem::Q); }); }
template <class E> void sem_pblendw(E& e, const DecodedInsn& i) { sse_shuffle(e, i, [](Vec128 a, Vec128 b, uint8_t m) { return simd::blend(a, b, m, Elem::W); }); }
template <class E> void sem_mpsadbw(E& e, const DecodedInsn& i) { sse_shuffle(e, i, [](Vec128 a, Vec128 b, uint8_t m) { return simd::mpsadbw(a, b, m); }); }

// PTEST: ZF and CF from the operands, OF SF AF PF cleared.
template <class E>
void sem_ptest(E& e, const DecodedInsn& i) {
  sse_check(e);
  Vec128 b = xmm_source(e, i, 1, true);
  const simd::PtestFlags f = simd::ptest(xmm_dest(e, i), b);
  set_arith_flags(e.state(), isa::FL_ARITH, (f.zf ? isa::FL_ZF : 0u) | (f.cf ? isa::FL_CF : 0u));
  advance(e, i);
}

// PEXTRB/W/D/Q, EXTRACTPS: element of the XMM source (operand 1) to a GPR (zero-extended
// by the 32-bit register write) or memory of the element's size.
template <Elem El, class E>
void extract_element(E& e, const DecodedInsn& i) {
  sse_check(e);
  const Elem el = (El == Elem::D && i.op[0].size == 8) ? Elem::Q : El;  // PEXTRQ (REX.W)
  e.write_operand(i, 0, simd::pextr(e.state().xmm[i.op[1].reg], static_cast<uint8_t>(i.imm), el, X));
  advance(e, i);
}
template <class E> void sem_pextrb(E& e, const DecodedInsn& i) { extract_element<Elem::B>(e, i); }
template <class E> void sem_pextrw_sse4(E& e, const DecodedInsn& i) { extract_element<Elem::W>(e, i); }
template <class E> void sem_pextrd(E& e, const DecodedInsn& i) { extract_element<Elem::D>(e, i); }
template <class E> void sem_extractps(E& e, const DecodedInsn& i) { extract_element<Elem::D>(e, i); }

// PINSRB/D/Q: the low bits of a GPR or memory value into element imm8.
template <Elem El, class E>
void insert_element(E& e, const DecodedInsn& i) {
  sse_check(e);
  const Elem el = (El == Elem::D && i.op[1].size == 8) ? Elem::Q : El;  // PINSRQ (REX.W)
  const uint64_t v = e.read_operand(i, 1);
  xmm_dest(e, i) = simd::pinsr(xmm_dest(e, i), v, static_cast<uint8_t>(i.imm), el, X);
  advance(e, i);
}
template <class E> void sem_pinsrb(E& e, const DecodedInsn& i) { insert_element<Elem::B>(e, i); }
template <class E> void sem_pinsrd(E& e, const DecodedInsn& i) { insert_element<Elem::D>(e, i); }

template <class E>
void sem_insertps(E& e, const DecodedInsn& i) {
  sse_check(e);
  const uint8_t imm = static_cast<uint8_t>(i.imm);
  if (i.op[1].type == OperandType::Xmm) {
    xmm_dest(e, i) = simd::insertps_reg(xmm_dest(e, i), e.state().xmm[i.op[1].reg], imm);
  } else {
    const uint32_t v = static_cast<uint32_t>(e.read_mem(i.seg, e.effective_address(i), 4));
    xmm_dest(e, i) = simd::insertps(xmm_dest(e, i), v, imm);
  }
  advance(e, i);
}

// ---- SSE4.1 float ------------------------------------------------------------------

// ROUNDPS/PD/SS/SD: imm8[1:0] rounding mode, [2] use MXCSR.RC, [3] suppress precision.
template <unsigned Width, bool Scalar, class E>
void fp_round(E& e, const DecodedInsn& i) {
  sse_check(e);
  const Vec128 b = fp_source(e, i, 1, Scalar ? Width : 16);
  Vec128 r = xmm_dest(e, i);
  const uint8_t imm = static_cast<uint8_t>(i.imm);
  fpu::FloatStatus st = sse_status(e);
  for (unsigned k = 0; k < (Scalar ? 1u : 16 / Width); ++k) {
    if (Width == 4) r.set<uint32_t>(k, fpu::f32_round_sse(b.get<uint32_t>(k), imm, st));
    else r.q[k] = fpu::f64_round_sse(b.q[k], imm, st);
  }
  sse_commit_flags(e, st);
  xmm_dest(e, i) = r;
  advance(e, i);
}
template <class E> void sem_roundps(E& e, const DecodedInsn& i) { fp_round<4, false>(e, i); }
template <class E> void sem_roundpd(E& e, const DecodedInsn& i) { fp_round<8, false>(e, i); }
template <class E> void sem_roundss(E& e, const DecodedInsn& i) { fp_round<4, true>(e, i); }
template <class E> void sem_roundsd(E& e, const DecodedInsn& i) { fp_round<8, true>(e, i); }

// DPPS: products of the lanes selected by imm8[7:4] (others +0.0), summed as
// (p0 + p1) + (p2 + p3), stored in the lanes selected by imm8[3:0] (others +0.0).
template <class E>
void sem_dpps(E& e, const DecodedInsn& i) {
  sse_check(e);
  const Vec128 b = fp_source(e, i, 1, 16);
  const Vec128 a = xmm_dest(e, i);
  const unsigned imm = static_cast<uint8_t>(i.imm);
  fpu::FloatStatus st = sse_status(e);
  // Each stage (products, pair sums, final sum) reports its exceptions before the next.
  auto stage_done = [&] {
    sse_commit_flags(e, st);
    st.flags = 0;
  };
  uint32_t p[4];
  for (unsigned k = 0; k < 4; ++k) p[k] = (imm >> (4 + k) & 1) ? fp32<FpOp::Mul>(a.get<uint32_t>(k), b.get<uint32_t>(k), st) : 0;
  stage_done();
  const uint32_t lo = fp32<FpOp::Add>(p[0], p[1], st);
  const uint32_t hi = fp32<FpOp::Add>(p[2], p[3], st);
  stage_done();
  const uint32_t sum = fp32<FpOp::Add>(lo, hi, st);
  Vec128 r;
  for (unsigned k = 0; k < 4; ++k) r.set<uint32_t>(k, (imm >> k & 1) ? sum : 0);
  sse_commit_flags(e, st);
  xmm_dest(e, i) = r;
  advance(e, i);
}
// DPPD: the same with two double lanes (imm8[5:4] select products, imm8[1:0] results).
template <class E>
void sem_dppd(E& e, const DecodedInsn& i) {
  sse_check(e);
  const Vec128 b = fp_source(e, i, 1, 16);
  const Vec128 a = xmm_dest(e, i);
  const unsigned imm = static_cast<uint8_t>(i.imm);
  fpu::FloatStatus st = sse_status(e);
  uint64_t p[2];
  for (unsigned k = 0; k < 2; ++k) p[k] = (imm >> (4 + k) & 1) ? fp64<FpOp::Mul>(a.q[k], b.q[k], st) : 0;
  sse_commit_flags(e, st);  // the products' exceptions are reported before the sum's
  st.flags = 0;
  const uint64_t sum = fp64<FpOp::Add>(p[0], p[1], st);
  Vec128 r;
  for (unsigned k = 0; k < 2; ++k) r.q[k] = (imm >> k & 1) ? sum : 0;
  sse_commit_flags(e, st);
  xmm_dest(e, i) = r;
  advance(e, i);
}

// ---- SSE4.2 string compares ----------------------------------------------------------

// PCMPESTRI/PCMPESTRM (Explicit: lengths in EAX/EDX, RAX/RDX with REX.W) and
// PCMPISTRI/PCMPISTRM; the index goes to ECX (RCX zero-extended), the mask to XMM0.
template <bool Explicit, bool Mask, class E>
void pcmpstr(E& e, const DecodedInsn& i) {
  sse_check(e);
  const Vec128 b = xmm_source(e, i, 1, false);
  const Vec128 a = xmm_dest(e, i);
  const uint8_t imm = static_cast<uint8_t>(i.imm);
  CpuState& s = e.state();
  const bool rex_w = i.prefixes & isa::PFX_REXW;
  const simd::StrCmpResult res =
      Explicit ? simd::pcmpestr(a, simd::pcmpstr_length(s.gpr[0], rex_w), b, simd::pcmpstr_length(s.gpr[2], rex_w), imm)
               : simd::pcmpistr(a, b, imm);
  if (Mask) s.xmm[0] = res.mask;
  else s.gpr[1] = res.index;
  set_arith_flags(s, isa::FL_ARITH,
                  (res.cf ? isa::FL_CF : 0u) | (res.zf ? isa::FL_ZF : 0u) | (res.sf ? isa::FL_SF : 0u) |
                      (res.of ? isa::FL_OF : 0u));
  advance(e, i);
}
template <class E> void sem_pcmpestri(E& e, const DecodedInsn& i) { pcmpstr<true, false>(e, i); }
template <class E> void sem_pcmpestrm(E& e, const DecodedInsn& i) { pcmpstr<true, true>(e, i); }
template <class E> void sem_pcmpistri(E& e, const DecodedInsn& i) { pcmpstr<false, false>(e, i); }
template <class E> void sem_pcmpistrm(E& e, const DecodedInsn& i) { pcmpstr<false, true>(e, i); }

}  // namespace emu::sem
