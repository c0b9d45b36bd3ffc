// FXSAVE/FXRSTOR (0F AE /0, /1): the 512-byte x87/MMX/SSE state image, in the 32-bit
// layout (FIP/FCS, FDP/FDS) or, with REX.W in 64-bit mode, the 64-bit layout (64-bit FIP
// and FDP). XMM8-15 only in 64-bit mode. #NM for CR0.EM/TS, #GP(0) for an unaligned
// image or reserved MXCSR bits (MXCSR_MASK is 0xFFFF: DAZ is supported). Bytes 464-511
// are left to software. Like the AMD hosts the differential tests run on, FIP/FDP/FOP are
// stored only while an unmasked x87 exception is pending (FSW.ES).
#pragma once
#include "cpu/sem/x87.h"

namespace emu::sem {

namespace fx {
inline constexpr uint32_t kMxcsrMask = 0xffff;
inline constexpr unsigned kImageBytes = 512;

template <class E>
inline uint64_t image_base(E& e, const DecodedInsn& i) {
  const CpuState& s = e.state();
  if (s.cr0 & (x87::kCr0EM | x87::kCr0TS)) e.raise(kNM);
  uint64_t ea = e.effective_address(i);
  if (ea & 15) e.raise_gp0();
  return ea;
}
template <class E>
inline uint64_t at(const DecodedInsn& i, uint64_t base, unsigned k) {
  uint64_t a = base + k;
  return i.asz == 8 ? a : (a & size_mask(i.asz));
}
inline unsigned xmm_count(bool mode64) { return mode64 ? 16 : 8; }
}  // namespace fx

template <class E>
void sem_fxsave(E& e, const DecodedInsn& i) {
  const uint64_t base = fx::image_base(e, i);
  const CpuState& s = e.state();
  const X87State& x = s.x87;
  const bool wide = e.mode64() && (i.prefixes & isa::PFX_REXW);
  const bool pointers = (x.fsw & fpu::x87sw::ES) != 0;
  uint8_t abridged = 0;
  for (unsigned p = 0; p < 8; ++p)
    if (!x87::empty_phys(x, p)) abridged = static_cast<uint8_t>(abridged | (1u << p));
  uint64_t q[20] = {};  // bytes 0..159
  q[0] = x.fcw | (uint64_t{x.fsw} << 16) | (uint64_t{abridged} << 32) | (uint64_t{pointers ? x.fop : 0u} << 48);
  if (pointers) {
    if (wide) {
      q[1] = x.fip;
      q[2] = x.fdp;
    } else {
      q[1] = (x.fip & 0xffffffffu) | (uint64_t{x.fcs} << 32);
      q[2] = (x.fdp & 0xffffffffu) | (uint64_t{x.fds} << 32);
    }
  }
  q[3] = s.mxcsr | (uint64_t{fx::kMxcsrMask} << 32);
  for (unsigned k = 0; k < 8; ++k) {
    const X87Reg& r = x.st[x87::phys(x, k)];
    q[4 + 2 * k] = r.signif;
    q[5 + 2 * k] = r.sign_exp;
  }
  const unsigned nx = fx::xmm_count(e.mode64());
  // The last quadword first: a fault on the image's second page comes before any store.
  const unsigned last = 160 + 16 * nx - 8;
  e.write_mem(i.seg, fx::at<E>(i, base, last), 8, s.xmm[nx - 1].q[1]);
  for (unsigned k = 0; k < 20; ++k) e.write_mem(i.seg, fx::at<E>(i, base, 8 * k), 8, q[k]);
  for (unsigned r = 0; r < nx; ++r) {
    e.write_mem(i.seg, fx::at<E>(i, base, 160 + 16 * r), 8, s.xmm[r].q[0]);
    e.write_mem(i.seg, fx::at<E>(i, base, 168 + 16 * r), 8, s.xmm[r].q[1]);
  }
  advance(e, i);
}

template <class E>
void sem_fxrstor(E& e, const DecodedInsn& i) {
  const uint64_t base = fx::image_base(e, i);
  const bool wide = e.mode64() && (i.prefixes & isa::PFX_REXW);
  uint64_t q[20];
  for (unsigned k = 0; k < 20; ++k) q[k] = e.read_mem(i.seg, fx::at<E>(i, base, 8 * k), 8);
  const unsigned nx = fx::xmm_count(e.mode64());
  Vec128 xmm[16];
  for (unsigned r = 0; r < nx; ++r) {
    xmm[r].q[0] = e.read_mem(i.seg, fx::at<E>(i, base, 160 + 16 * r), 8);
    xmm[r].q[1] = e.read_mem(i.seg, fx::at<E>(i, base, 168 + 16 * r), 8);
  }
  const uint32_t mxcsr = static_cast<uint32_t>(q[3]);
  if (mxcsr & ~fx::kMxcsrMask) e.raise_gp0();
  CpuState& s = e.state();
  X87State& x = s.x87;
  x.fcw = static_cast<uint16_t>((q[0] & 0x1f3f) | 0x40);  // reserved FCW bits as FLDCW
  x.fsw = static_cast<uint16_t>(q[0] >> 16);
  const uint8_t abridged = static_cast<uint8_t>(q[0] >> 32);
  x.ftw = 0;
  for (unsigned p = 0; p < 8; ++p)
    if (!(abridged & (1u << p))) x.ftw = static_cast<uint16_t>(x.ftw | (3u << (2 * p)));
  x.fop = static_cast<uint16_t>((q[0] >> 48) & 0x7ff);
  if (wide) {
    x.fip = q[1];
    x.fdp = q[2];
  } else {
    x.fip = q[1] & 0xffffffffu;
    x.fcs = static_cast<uint16_t>(q[1] >> 32);
    x.fdp = q[2] & 0xffffffffu;
    x.fds = static_cast<uint16_t>(q[2] >> 32);
  }
  s.mxcsr = mxcsr;
  for (unsigned k = 0; k < 8; ++k) {
    X87Reg& r = x.st[x87::phys(x, k)];
    r.signif = q[4 + 2 * k];
    r.sign_exp = static_cast<uint16_t>(q[5 + 2 * k]);
  }
  for (unsigned r = 0; r < nx; ++r) s.xmm[r] = xmm[r];
  advance(e, i);
}

}  // namespace emu::sem
