// SSE/SSE2 semantics that need no floating point: 128-bit integer operations (through
// the cpu/sem/simd_* helpers), XMM loads/stores and shuffles, the float-typed bitwise
// ops (ANDPS...), MOVSS/MOVSD moves, LDMXCSR/STMXCSR. Legacy-SSE memory operands of 16
// bytes must be 16-byte aligned (#GP(0)) except for the explicitly unaligned moves.
// The SSE3/SSSE3/SSE4 forms are in sse4.h (which reuses EMU_SSE_BINARY).
#pragma once
#include "cpu/sem/common.h"
#include "cpu/sem/simd.h"

namespace emu::sem {

using simd::Elem;
using simd::VecSize;
inline constexpr uint64_t kCr0EM = 1u << 2, kCr0TS = 1u << 3, kCr4OSFXSR = 1u << 9;

// The JIT's emitter tests CR0/CR4 at run time and lets the handler raise (sse_usable).
template <class E>
inline void sse_check(E& e) {
  if constexpr (requires { e.sse_usable(); }) {
    e.sse_usable();
  } else {
    const CpuState& s = e.state();
    if ((s.cr0 & kCr0EM) || !(s.cr4 & kCr4OSFXSR)) e.raise(kUD);
    if (s.cr0 & kCr0TS) e.raise(kNM);
  }
}

// XMM registers and 128-bit values, written once for both emitters: the interpreter's
// are Vec128s in CpuState; the JIT's emitter holds them in host XMM registers.
template <class E>
inline constexpr bool kHasState = requires(E& e) { e.state(); };
template <class E>
inline auto xmm_reg(E& e, unsigned r) {
  if constexpr (kHasState<E>) return e.state().xmm[r];
  else return e.xmm(r);
}
template <class E, class V>
inline void set_xmm(E& e, unsigned r, V v) {
  if constexpr (kHasState<E>) e.state().xmm[r] = v;
  else e.set_xmm(r, v);
}
// The low quadword of a 128-bit value, and a 128-bit value of a quadword (upper zeroed).
template <class E, class V>
inline auto xmm_low(E& e, V v) {
  if constexpr (kHasState<E>) return v.q[0];
  else return e.xmm_low(v);
}
template <class E, class T>
inline auto xmm_from_low(E& e, T lo) {
  if constexpr (kHasState<E>) {
    Vec128 v;
    v.q[0] = lo;
    return v;
  } else {
    return e.xmm_from_low(lo);
  }
}
// #GP(0) unless ea is 16-byte aligned (legacy-SSE 16-byte operands).
template <class E, class A>
inline void require_aligned16(E& e, A ea) {
  if constexpr (kHasState<E>) {
    if (ea & 15) e.raise_gp0();
  } else {
    e.require_aligned16(ea);
  }
}
// 16 bytes at seg:ea, in two 8-byte parts for the interpreter (each may wrap at the
// address size) after checking the whole range; one access for the JIT (64-bit mode).
template <class E, class A>
inline auto read_mem128(E& e, const DecodedInsn& i, A ea) {
  if constexpr (kHasState<E>) {
    check_segment_range(e, i.seg, ea, 16, Access::Read);
    Vec128 v;
    v.q[0] = e.read_mem(i.seg, ea, 8);
    v.q[1] = e.read_mem(i.seg, (ea + 8) & size_mask(i.asz), 8);
    return v;
  } else {
    return e.read_mem128(i.seg, ea);
  }
}
template <class E, class A, class V>
inline void write_mem128(E& e, const DecodedInsn& i, A ea, V v) {
  if constexpr (kHasState<E>) {
    e.probe_write(i.seg, ea, 16);
    e.write_mem(i.seg, ea, 8, v.q[0]);
    e.write_mem(i.seg, (ea + 8) & size_mask(i.asz), 8, v.q[1]);
  } else {
    e.write_mem128(i.seg, ea, v);
  }
}

// Source operand k as a 128-bit value (register, or memory of the operand's size).
template <class E>
inline auto xmm_source(E& e, const DecodedInsn& i, unsigned k, bool aligned) {
  const isa::Operand& o = i.op[k];
  if (o.type == OperandType::Xmm) return xmm_reg(e, o.reg);
  auto ea = e.effective_address(i);
  if (o.size >= 16) {
    if (aligned) require_aligned16(e, ea);
    return read_mem128(e, i, ea);
  }
  return xmm_from_low(e, e.read_mem(i.seg, ea, o.size));
}
// Stores 16 (or the operand's size) bytes to a memory operand; checks the whole store first.
template <class E, class V>
inline void xmm_store(E& e, const DecodedInsn& i, unsigned k, V v, bool aligned) {
  const isa::Operand& o = i.op[k];
  auto ea = e.effective_address(i);
  if (o.size >= 16) {
    if (aligned) require_aligned16(e, ea);
    write_mem128(e, i, ea, v);
  } else {
    e.write_mem(i.seg, ea, o.size, xmm_low(e, v));
  }
}
template <class E>
inline Vec128& xmm_dest(E& e, const DecodedInsn& i) { return e.state().xmm[i.op[0].reg]; }

// MMX: mm0-7 alias the significands of the x87 physical registers R0-R7. Every MMX
// instruction (once its operands are read) sets TOP = 0 and tags all registers valid;
// a write sets the register's sign/exponent field to all ones.
template <class E>
inline void mmx_check(E& e) {
  const CpuState& s = e.state();
  if (s.cr0 & kCr0EM) e.raise(kUD);
  if (s.cr0 & kCr0TS) e.raise(kNM);
  if (s.x87.fsw & 0x80) e.raise(kMF);  // pending unmasked x87 exception
}
template <class E>
inline void mmx_enter(E& e) {
  e.state().x87.fsw &= static_cast<uint16_t>(~0x3800u);
  e.state().x87.ftw = 0;  // all valid
}
template <class E>
inline Vec128 mmx_source(E& e, const DecodedInsn& i, unsigned k) {
  Vec128 v;
  if (i.op[k].type == OperandType::Mmx) v.q[0] = e.state().x87.st[i.op[k].reg].signif;
  else v.q[0] = e.read_mem(i.seg, e.effective_address(i), i.op[k].size == 4 ? 4 : 8);  // m64, or m32 (PUNPCKLxx)
  return v;
}
template <class E>
inline void mmx_write(E& e, unsigned reg, uint64_t v) {
  e.state().x87.st[reg & 7].signif = v;
  e.state().x87.st[reg & 7].sign_exp = 0xffff;
}

// dst = f(dst, src, n) for every "Vx,Wx" / "Pq,Qq" integer or bitwise operation; `n` is
// the register size the expression works on.
// The XMM forms are generic over the emitter (f gets its 128-bit values; the JIT's
// are host XMM registers, its simd operations host SSE2 instructions found by
// argument-dependent lookup); the MMX forms are the interpreter's only.
template <class E, class F>
inline void simd_binary(E& e, const DecodedInsn& i, F f) {
  if (i.op[0].type == OperandType::Mmx) {
    if constexpr (kHasState<E>) {
      mmx_check(e);
      Vec128 b = mmx_source(e, i, 1);
      Vec128 a = mmx_source(e, i, 0);
      Vec128 r = f(a, b, VecSize::Mmx);
      mmx_enter(e);
      mmx_write(e, i.op[0].reg, r.q[0]);
    } else {
      e.give_up();
      return;
    }
  } else {
    sse_check(e);
    auto b = xmm_source(e, i, 1, true);
    set_xmm(e, i.op[0].reg, f(xmm_reg(e, i.op[0].reg), b, VecSize::Xmm));
  }
  advance(e, i);
}
// (The expressions name the simd operations unqualified: `using namespace simd` finds
// the interpreter's, argument-dependent lookup the JIT emitter's.)
#define EMU_SSE_BINARY(name, expr)                                                      \
  template <class E>                                                                    \
  void sem_##name(E& e, const DecodedInsn& i) {                                         \
    simd_binary(e, i, []([[maybe_unused]] auto a, auto b, [[maybe_unused]] VecSize n) { \
      using namespace simd;                                                             \
      return (expr);                                                                    \
    });                                                                                 \
  }
constexpr VecSize X = VecSize::Xmm;
EMU_SSE_BINARY(punpcklbw, punpckl(a, b, Elem::B, n))
EMU_SSE_BINARY(punpcklwd, punpckl(a, b, Elem::W, n))
EMU_SSE_BINARY(punpckldq, punpckl(a, b, Elem::D, n))
EMU_SSE_BINARY(punpcklqdq, punpckl(a, b, Elem::Q, n))
EMU_SSE_BINARY(punpckhbw, punpckh(a, b, Elem::B, n))
EMU_SSE_BINARY(punpckhwd, punpckh(a, b, Elem::W, n))
EMU_SSE_BINARY(punpckhdq, punpckh(a, b, Elem::D, n))
EMU_SSE_BINARY(punpckhqdq, punpckh(a, b, Elem::Q, n))
EMU_SSE_BINARY(packsswb, packss(a, b, Elem::W, n))
EMU_SSE_BINARY(packssdw, packss(a, b, Elem::D, n))
EMU_SSE_BINARY(packuswb, packus(a, b, Elem::W, n))
EMU_SSE_BINARY(pcmpgtb, pcmpgt(a, b, Elem::B, n))
EMU_SSE_BINARY(pcmpgtw, pcmpgt(a, b, Elem::W, n))
EMU_SSE_BINARY(pcmpgtd, pcmpgt(a, b, Elem::D, n))
EMU_SSE_BINARY(pcmpeqb, pcmpeq(a, b, Elem::B, n))
EMU_SSE_BINARY(pcmpeqw, pcmpeq(a, b, Elem::W, n))
EMU_SSE_BINARY(pcmpeqd, pcmpeq(a, b, Elem::D, n))
EMU_SSE_BINARY(psrlw, psrl(a, b.q[0], Elem::W, n))
EMU_SSE_BINARY(psrld, psrl(a, b.q[0], Elem::D, n))
EMU_SSE_BINARY(psrlq, psrl(a, b.q[0], Elem::Q, n))
EMU_SSE_BINARY(psraw, psra(a, b.q[0], Elem::W, n))
EMU_SSE_BINARY(psrad, psra(a, b.q[0], Elem::D, n))
EMU_SSE_BINARY(psllw, psll(a, b.q[0], Elem::W, n))
EMU_SSE_BINARY(pslld, psll(a, b.q[0], Elem::D, n))
EMU_SSE_BINARY(psllq, psll(a, b.q[0], Elem::Q, n))
EMU_SSE_BINARY(paddb, padd(a, b, Elem::B, n))
EMU_SSE_BINARY(paddw, padd(a, b, Elem::W, n))
EMU_SSE_BINARY(paddd, padd(a, b, Elem::D, n))
EMU_SSE_BINARY(paddq, padd(a, b, Elem::Q, n))
EMU_SSE_BINARY(psubb, psub(a, b, Elem::B, n))
EMU_SSE_BINARY(psubw, psub(a, b, Elem::W, n))
EMU_SSE_BINARY(psubd, psub(a, b, Elem::D, n))
EMU_SSE_BINARY(psubq, psub(a, b, Elem::Q, n))
EMU_SSE_BINARY(paddsb, padds(a, b, Elem::B, n))
EMU_SSE_BINARY(paddsw, padds(a, b, Elem::W, n))
EMU_SSE_BINARY(psubsb, psubs(a, b, Elem::B, n))
EMU_SSE_BINARY(psubsw, psubs(a, b, Elem::W, n))
EMU_SSE_BINARY(paddusb, paddus(a, b, Elem::B, n))
EMU_SSE_BINARY(paddusw, paddus(a, b, Elem::W, n))
EMU_SSE_BINARY(psubusb, psubus(a, b, Elem::B, n))
EMU_SSE_BINARY(psubusw, psubus(a, b, Elem::W, n))
EMU_SSE_BINARY(pmullw, pmull(a, b, Elem::W, n))
EMU_SSE_BINARY(pmulhw, pmulhw(a, b, n))
EMU_SSE_BINARY(pmulhuw, pmulhuw(a, b, n))
EMU_SSE_BINARY(pmuludq, pmuludq(a, b, n))
EMU_SSE_BINARY(pmaddwd, pmaddwd(a, b, n))
EMU_SSE_BINARY(psadbw, psadbw(a, b, n))
EMU_SSE_BINARY(pavgb, pavg(a, b, Elem::B, n))
EMU_SSE_BINARY(pavgw, pavg(a, b, Elem::W, n))
EMU_SSE_BINARY(pminub, pminu(a, b, Elem::B, n))
EMU_SSE_BINARY(pmaxub, pmaxu(a, b, Elem::B, n))
EMU_SSE_BINARY(pminsw, pmins(a, b, Elem::W, n))
EMU_SSE_BINARY(pmaxsw, pmaxs(a, b, Elem::W, n))
EMU_SSE_BINARY(pand, pand(a, b, n))
EMU_SSE_BINARY(pandn, pandn(a, b, n))
EMU_SSE_BINARY(por, por(a, b, n))
EMU_SSE_BINARY(pxor, pxor(a, b, n))
EMU_SSE_BINARY(unpcklps, punpckl(a, b, Elem::D, n))
EMU_SSE_BINARY(unpcklpd, punpckl(a, b, Elem::Q, n))
EMU_SSE_BINARY(unpckhps, punpckh(a, b, Elem::D, n))
EMU_SSE_BINARY(unpckhpd, punpckh(a, b, Elem::Q, n))

// dst = f(src, imm8) (PSHUFD/PSHUFHW/PSHUFLW), dst = f(dst, src, imm8) (SHUFPS/SHUFPD).
template <class E, class F>
inline void sse_shuffle(E& e, const DecodedInsn& i, F f) {
  sse_check(e);
  auto b = xmm_source(e, i, 1, true);
  set_xmm(e, i.op[0].reg, f(xmm_reg(e, i.op[0].reg), b, static_cast<uint8_t>(i.imm)));
  advance(e, i);
}
template <class E> void sem_pshufd(E& e, const DecodedInsn& i) { sse_shuffle(e, i, [](auto, auto b, uint8_t m) { using namespace simd; return pshufd(b, m); }); }
template <class E> void sem_pshufhw(E& e, const DecodedInsn& i) { sse_shuffle(e, i, [](auto, auto b, uint8_t m) { using namespace simd; return pshufhw(b, m); }); }
template <class E> void sem_pshuflw(E& e, const DecodedInsn& i) { sse_shuffle(e, i, [](auto, auto b, uint8_t m) { using namespace simd; return pshuflw(b, m); }); }
template <class E> void sem_shufps(E& e, const DecodedInsn& i) { sse_shuffle(e, i, [](Vec128 a, Vec128 b, uint8_t m) { return simd::shufps(a, b, m); }); }
template <class E> void sem_shufpd(E& e, const DecodedInsn& i) { sse_shuffle(e, i, [](Vec128 a, Vec128 b, uint8_t m) { return simd::shufpd(a, b, m); }); }

// Shift-by-immediate groups 66 0F 71/72/73 (register operand only).
template <class E, class V>
inline V shift_by_imm(E& e, const DecodedInsn& i, V d, VecSize vs) {
  using namespace simd;
  const uint8_t n = static_cast<uint8_t>(i.imm);
  const unsigned group = i.opcode, op = i.reg_field();
  const Elem el = group == 0x71 ? Elem::W : group == 0x72 ? Elem::D : Elem::Q;
  switch (op) {
    case 2: return psrl(d, n, el, vs);
    case 4: return psra(d, n, el, vs);
    case 6: return psll(d, n, el, vs);
    case 3: return psrldq(d, n);
    case 7: return pslldq(d, n);
    default: e.raise(kUD);
  }
  return d;
}
template <class E>
void sem_sse_shift_imm(E& e, const DecodedInsn& i) {
  if (i.op[0].type == OperandType::Mmx) {
    if constexpr (kHasState<E>) {
      mmx_check(e);
      Vec128 d = shift_by_imm(e, i, mmx_source(e, i, 0), VecSize::Mmx);
      mmx_enter(e);
      mmx_write(e, i.op[0].reg, d.q[0]);
    } else {
      e.give_up();
      return;
    }
  } else {
    sse_check(e);
    set_xmm(e, i.op[0].reg, shift_by_imm(e, i, xmm_reg(e, i.op[0].reg), X));
  }
  advance(e, i);
}

// PALIGNR (SSSE3) and PSHUFW (MMX).
template <class E>
void sem_palignr(E& e, const DecodedInsn& i) {
  const uint8_t imm = static_cast<uint8_t>(i.imm);
  if (i.op[0].type == OperandType::Mmx) {
    if constexpr (kHasState<E>) {
      mmx_check(e);
      Vec128 b = mmx_source(e, i, 1), a = mmx_source(e, i, 0);
      Vec128 r = simd::palignr(a, b, imm, VecSize::Mmx);
      mmx_enter(e);
      mmx_write(e, i.op[0].reg, r.q[0]);
    } else {
      e.give_up();
      return;
    }
  } else {
    sse_check(e);
    auto b = xmm_source(e, i, 1, true);
    using namespace simd;
    set_xmm(e, i.op[0].reg, palignr(xmm_reg(e, i.op[0].reg), b, imm, X));
  }
  advance(e, i);
}
template <class E>
void sem_pshufw(E& e, const DecodedInsn& i) {
  mmx_check(e);
  Vec128 b = mmx_source(e, i, 1);
  Vec128 r = simd::pshufw(b, static_cast<uint8_t>(i.imm));
  mmx_enter(e);
  mmx_write(e, i.op[0].reg, r.q[0]);
  advance(e, i);
}
template <class E>
void sem_movntq(E& e, const DecodedInsn& i) {
  mmx_check(e);
  if (i.op[0].type != OperandType::Mem) e.raise(kUD);
  e.write_mem(i.seg, e.effective_address(i), 8, e.state().x87.st[i.op[1].reg].signif);
  mmx_enter(e);
  advance(e, i);
}
// CRC32 (SSE4.2, CRC-32C polynomial): Gy,Eb / Gy,Ev.
template <class E>
void sem_crc32(E& e, const DecodedInsn& i) {
  uint64_t data = e.read_operand(i, 1);
  uint32_t crc = static_cast<uint32_t>(e.reg(i.op[0].reg, 4));
  e.write_operand(i, 0, simd::crc32c(crc, data, i.op[1].size));
  advance(e, i);
}

// Whole-register moves: loads (aligned or not), stores, MOVNT*.
template <bool Aligned, class E>
void xmm_move(E& e, const DecodedInsn& i) {
  sse_check(e);
  if (i.op[0].type == OperandType::Xmm) {
    set_xmm(e, i.op[0].reg, xmm_source(e, i, 1, Aligned));
  } else {
    xmm_store(e, i, 0, xmm_reg(e, i.op[1].reg), Aligned);
  }
  advance(e, i);
}
template <class E> void sem_movdqa(E& e, const DecodedInsn& i) { xmm_move<true>(e, i); }
template <class E> void sem_movdqu(E& e, const DecodedInsn& i) { xmm_move<false>(e, i); }
template <class E>
void sem_movnt(E& e, const DecodedInsn& i) {
  if (i.op[0].type != OperandType::Mem) e.raise(kUD);
  xmm_move<true>(e, i);
}

// MOVD/MOVQ between GPR/memory and XMM.
template <class E>
void sem_movd_to_xmm(E& e, const DecodedInsn& i) {
  sse_check(e);
  set_xmm(e, i.op[0].reg, xmm_from_low(e, e.read_operand(i, 1)));
  advance(e, i);
}
template <class E>
void sem_movd_from_xmm(E& e, const DecodedInsn& i) {
  sse_check(e);
  e.write_operand(i, 0, xmm_low(e, xmm_reg(e, i.op[1].reg)) & size_mask(i.op[0].size));
  advance(e, i);
}
template <class E>
void sem_movq_load(E& e, const DecodedInsn& i) {  // F3 0F 7E: low quadword, upper zeroed
  sse_check(e);
  set_xmm(e, i.op[0].reg, xmm_from_low(e, xmm_low(e, xmm_source(e, i, 1, false))));
  advance(e, i);
}
template <class E>
void sem_movq_store(E& e, const DecodedInsn& i) {  // 66 0F D6
  sse_check(e);
  auto lo = xmm_low(e, xmm_reg(e, i.op[1].reg));
  if (i.op[0].type == OperandType::Xmm) {
    set_xmm(e, i.op[0].reg, xmm_from_low(e, lo));
  } else {
    e.write_mem(i.seg, e.effective_address(i), 8, lo);
  }
  advance(e, i);
}
// MOVSS/MOVSD: scalar moves (a load from memory zeroes the rest, reg-reg merges).
template <unsigned Bytes, class E>
void scalar_move(E& e, const DecodedInsn& i) {
  sse_check(e);
  const uint64_t m = size_mask(Bytes);
  if (i.op[0].type == OperandType::Xmm) {
    Vec128& d = xmm_dest(e, i);
    if (i.op[1].type == OperandType::Xmm) {
      d.q[0] = (d.q[0] & ~m) | (e.state().xmm[i.op[1].reg].q[0] & m);
    } else {
      Vec128 v;
      v.q[0] = e.read_mem(i.seg, e.effective_address(i), Bytes);
      d = v;
    }
  } else {
    e.write_mem(i.seg, e.effective_address(i), Bytes, e.state().xmm[i.op[1].reg].q[0] & m);
  }
  advance(e, i);
}
template <class E> void sem_movss(E& e, const DecodedInsn& i) { scalar_move<4>(e, i); }
template <class E> void sem_movsd_xmm(E& e, const DecodedInsn& i) { scalar_move<8>(e, i); }

// MOVLPS/MOVLPD/MOVHPS/MOVHPD (memory forms) and MOVHLPS/MOVLHPS (register forms).
template <bool High, class E>
void half_move(E& e, const DecodedInsn& i) {
  sse_check(e);
  if (i.op[0].type == OperandType::Xmm) {
    Vec128& d = xmm_dest(e, i);
    if (i.op[1].type == OperandType::Xmm) {
      const Vec128 s = e.state().xmm[i.op[1].reg];
      if (High) d.q[1] = s.q[0];  // MOVLHPS
      else d.q[0] = s.q[1];       // MOVHLPS
    } else {
      d.q[High ? 1 : 0] = e.read_mem(i.seg, e.effective_address(i), 8);
    }
  } else {
    if (i.op[1].type != OperandType::Xmm) e.raise(kUD);
    e.write_mem(i.seg, e.effective_address(i), 8, e.state().xmm[i.op[1].reg].q[High ? 1 : 0]);
  }
  advance(e, i);
}
template <class E> void sem_movlp(E& e, const DecodedInsn& i) { half_move<false>(e, i); }
template <class E> void sem_movhp(E& e, const DecodedInsn& i) { half_move<true>(e, i); }
// MOVLPD/MOVHPD and the PS stores have no register forms.
template <class E>
void sem_movlp_mem(E& e, const DecodedInsn& i) {
  if (i.op[0].type != OperandType::Mem && i.op[1].type != OperandType::Mem) e.raise(kUD);
  half_move<false>(e, i);
}
template <class E>
void sem_movhp_mem(E& e, const DecodedInsn& i) {
  if (i.op[0].type != OperandType::Mem && i.op[1].type != OperandType::Mem) e.raise(kUD);
  half_move<true>(e, i);
}

template <class E>
void sem_emms(E& e, const DecodedInsn& i) {
  mmx_check(e);
  e.state().x87.fsw &= static_cast<uint16_t>(~0x3800u);  // TOP = 0, like every MMX instruction
  e.state().x87.ftw = 0xffff;                             // all empty
  advance(e, i);
}
// MOVD/MOVQ between GPR/memory and MMX registers, and MMX register moves.
template <class E>
void sem_movd_to_mmx(E& e, const DecodedInsn& i) {
  mmx_check(e);
  uint64_t v = i.op[1].type == OperandType::Mmx ? e.state().x87.st[i.op[1].reg].signif : e.read_operand(i, 1);
  mmx_enter(e);
  mmx_write(e, i.op[0].reg, v);
  advance(e, i);
}
template <class E>
void sem_movd_from_mmx(E& e, const DecodedInsn& i) {
  mmx_check(e);
  uint64_t v = e.state().x87.st[i.op[1].reg].signif & size_mask(i.op[0].size);
  if (i.op[0].type == OperandType::Mmx) {
    mmx_enter(e);
    mmx_write(e, i.op[0].reg, v);
  } else {
    e.write_operand(i, 0, v);
    mmx_enter(e);
  }
  advance(e, i);
}

template <class E>
void sem_pmovmskb(E& e, const DecodedInsn& i) {
  if (i.op[1].type == OperandType::Mmx) {
    if constexpr (kHasState<E>) {
      mmx_check(e);
      uint32_t m = simd::movmsk(mmx_source(e, i, 1), Elem::B, VecSize::Mmx);
      mmx_enter(e);
      e.write_operand(i, 0, m);
    } else {
      e.give_up();
      return;
    }
  } else {
    sse_check(e);
    if (i.op[1].type != OperandType::Xmm) e.raise(kUD);
    using namespace simd;
    e.write_operand(i, 0, movmsk(xmm_reg(e, i.op[1].reg), Elem::B, X));
  }
  advance(e, i);
}
template <class E>
void sem_movmskps(E& e, const DecodedInsn& i) {
  sse_check(e);
  if (i.op[1].type != OperandType::Xmm) e.raise(kUD);
  e.write_operand(i, 0, simd::movmsk(e.state().xmm[i.op[1].reg], i.prefixes & isa::PFX_OPSIZE ? Elem::Q : Elem::D, X));
  advance(e, i);
}
template <class E>
void sem_pinsrw(E& e, const DecodedInsn& i) {
  if (i.op[0].type == OperandType::Mmx) {
    mmx_check(e);
    uint64_t v = e.read_operand(i, 1) & 0xffff;
    Vec128 r = simd::pinsr(mmx_source(e, i, 0), v, static_cast<uint8_t>(i.imm), Elem::W, VecSize::Mmx);
    mmx_enter(e);
    mmx_write(e, i.op[0].reg, r.q[0]);
    advance(e, i);
    return;
  }
  sse_check(e);
  uint64_t v = e.read_operand(i, 1) & 0xffff;
  xmm_dest(e, i) = simd::pinsr(xmm_dest(e, i), v, static_cast<uint8_t>(i.imm), Elem::W, X);
  advance(e, i);
}
template <class E>
void sem_pextrw(E& e, const DecodedInsn& i) {
  if (i.op[1].type == OperandType::Mmx) {
    mmx_check(e);
    uint64_t v = simd::pextr(mmx_source(e, i, 1), static_cast<uint8_t>(i.imm), Elem::W, VecSize::Mmx);
    mmx_enter(e);
    e.write_operand(i, 0, v);
    advance(e, i);
    return;
  }
  sse_check(e);
  if (i.op[1].type != OperandType::Xmm) e.raise(kUD);
  e.write_operand(i, 0, simd::pextr(e.state().xmm[i.op[1].reg], static_cast<uint8_t>(i.imm), Elem::W, X));
  advance(e, i);
}

// LDMXCSR / STMXCSR. TODO(softfloat wiring): MXCSR_MASK 0xFFFF (DAZ supported).
template <class E>
void sem_ldmxcsr(E& e, const DecodedInsn& i) {
  sse_check(e);
  uint32_t v = static_cast<uint32_t>(e.read_mem(i.seg, e.effective_address(i), 4));
  if (v & 0xffff0000u) e.raise_gp0();
  e.state().mxcsr = v;
  advance(e, i);
}
template <class E>
void sem_stmxcsr(E& e, const DecodedInsn& i) {
  sse_check(e);
  e.write_mem(i.seg, e.effective_address(i), 4, e.state().mxcsr);
  advance(e, i);
}

}  // namespace emu::sem
