// Semantics of the system instructions: thin wrappers over cpu/system/ (descriptor
// tables, far transfers, IRET, control/debug registers, MSRs, fast system calls). They
// need a SystemCpu attached to the Cpu (system mode); without one they raise #UD.
#pragma once
#include "cpu/sem/common.h"
#include "cpu/sem/system.h"
#include "cpu/system/control_regs.h"
#include "cpu/system/descriptors.h"
#include "cpu/system/far_transfer.h"
#include "cpu/system/interrupts.h"
#include "cpu/system/msr.h"
#include "cpu/system/syscall.h"
#include "cpu/system/system_cpu.h"

namespace emu::sem {

template <class E>
inline void require_system(E& e) {
  if (!e.system) e.raise(kUD);
}
template <class E>
inline void require_protected(E& e) {
  const CpuState& s = e.state();
  if (!(s.cr0 & kCr0PE) || (s.rflags & sys::kFlagVM)) e.raise(kUD);
}
template <class E>
inline void require_cpl0(E& e) {
  if (e.state().cpl != 0) e.raise_gp0();
}

// ---- segment registers ----
template <class E>
void sem_mov_sreg_checked(E& e, const DecodedInsn& i) {
  if (!e.system) return sem_mov_to_sreg(e, i);  // no system mode: cpu-core's real-mode load
  const unsigned seg = i.op[0].reg;
  if (!loadable_by_mov(seg)) e.raise(kUD);  // before the operand is read
  sys::load_segment(e, seg, static_cast<uint16_t>(e.read_operand(i, 1)));
  if (seg == isa::SEG_SS) e.set_interrupt_shadow();
  advance(e, i);
}
template <class E>
void sem_pop_sreg_checked(E& e, const DecodedInsn& i) {
  if (!e.system) return sem_pop_sreg(e, i);
  const unsigned seg = i.op[0].reg;
  uint16_t sel = static_cast<uint16_t>(e.peek(i.osz));
  sys::load_segment(e, seg, sel);
  unsigned ssz = e.stack_addr_size();
  e.set_reg(RSP, ssz, e.reg(RSP, ssz) + i.osz);
  if (seg == isa::SEG_SS) e.set_interrupt_shadow();
  advance(e, i);
}
// LDS/LES/LSS/LFS/LGS: the segment is the opcode's.
template <class E>
void load_far_pointer(E& e, const DecodedInsn& i, unsigned seg) {
  require_system(e);
  const uint64_t ea = e.effective_address(i);
  const unsigned osz = i.osz;
  uint64_t off = e.read_mem(i.seg, ea, osz);
  uint16_t sel = static_cast<uint16_t>(e.read_mem(i.seg, (ea + osz) & size_mask(i.asz), 2));
  sys::load_segment(e, seg, sel);
  e.set_reg(i.op[0].reg, osz, off);
  if (seg == isa::SEG_SS) e.set_interrupt_shadow();
  advance(e, i);
}
template <class E>
void sem_les(E& e, const DecodedInsn& i) { load_far_pointer(e, i, isa::SEG_ES); }
template <class E>
void sem_lds(E& e, const DecodedInsn& i) { load_far_pointer(e, i, isa::SEG_DS); }
template <class E>
void sem_lss(E& e, const DecodedInsn& i) { load_far_pointer(e, i, isa::SEG_SS); }
template <class E>
void sem_lfs(E& e, const DecodedInsn& i) { load_far_pointer(e, i, isa::SEG_FS); }
template <class E>
void sem_lgs(E& e, const DecodedInsn& i) { load_far_pointer(e, i, isa::SEG_GS); }

// ---- far transfers ----
template <class E>
void sem_jmpf_direct(E& e, const DecodedInsn& i) {
  require_system(e);
  sys::far_jump(e, i.imm2, i.imm, i.osz, next_rip(e, i));
}
template <class E>
void sem_callf_direct(E& e, const DecodedInsn& i) {
  require_system(e);
  sys::far_call(e, i.imm2, i.imm, i.osz, next_rip(e, i));
}
template <class E>
void read_far_operand(E& e, const DecodedInsn& i, uint64_t* off, uint16_t* sel) {
  const uint64_t ea = e.effective_address(i);
  *off = e.read_mem(i.seg, ea, i.osz);
  *sel = static_cast<uint16_t>(e.read_mem(i.seg, (ea + i.osz) & size_mask(i.asz), 2));
}
template <class E>
void sem_jmpf_indirect(E& e, const DecodedInsn& i) {
  require_system(e);
  uint64_t off;
  uint16_t sel;
  read_far_operand(e, i, &off, &sel);
  sys::far_jump(e, sel, off, i.osz, next_rip(e, i));
}
template <class E>
void sem_callf_indirect(E& e, const DecodedInsn& i) {
  require_system(e);
  uint64_t off;
  uint16_t sel;
  read_far_operand(e, i, &off, &sel);
  sys::far_call(e, sel, off, i.osz, next_rip(e, i));
}
template <class E>
void sem_retf(E& e, const DecodedInsn& i) {
  require_system(e);
  sys::far_return(e, i.osz, i.num_ops ? static_cast<uint16_t>(i.imm) : 0);
}
template <class E>
void sem_iret(E& e, const DecodedInsn& i) {
  require_system(e);
  sys::interrupt_return(e, i.osz, next_rip(e, i));
}

// ---- descriptor-table registers ----
template <class E>
void sem_lgdt_lidt(E& e, const DecodedInsn& i, DescriptorTableReg& r) {
  require_system(e);
  const uint64_t ea = e.effective_address(i);
  const uint16_t limit = static_cast<uint16_t>(e.read_mem(i.seg, ea, 2));
  uint64_t base;
  if (e.mode64()) base = e.read_mem(i.seg, ea + 2, 8);
  else base = e.read_mem(i.seg, (ea + 2) & size_mask(i.asz), 4) & (i.osz == 2 ? 0xffffffu : 0xffffffffu);
  r.limit = limit;
  r.base = base;
  advance(e, i);
}
template <class E>
void sem_lgdt(E& e, const DecodedInsn& i) { sem_lgdt_lidt(e, i, e.state().gdtr); }
template <class E>
void sem_lidt(E& e, const DecodedInsn& i) { sem_lgdt_lidt(e, i, e.state().idtr); }
template <class E>
void sem_sgdt_sidt(E& e, const DecodedInsn& i, const DescriptorTableReg& r) {
  require_system(e);
  const uint64_t ea = e.effective_address(i);
  const unsigned n = e.mode64() ? 8 : 4;
  e.probe_write(i.seg, ea, 2 + n);
  e.write_mem(i.seg, ea, 2, r.limit);
  e.write_mem(i.seg, (ea + 2) & size_mask(i.asz), n, r.base);
  advance(e, i);
}
template <class E>
void sem_sgdt(E& e, const DecodedInsn& i) { sem_sgdt_sidt(e, i, e.state().gdtr); }
template <class E>
void sem_sidt(E& e, const DecodedInsn& i) { sem_sgdt_sidt(e, i, e.state().idtr); }

// Stores a selector: 16 bits to memory, zero-extended to the operand size in a register.
template <class E>
void store_selector(E& e, const DecodedInsn& i, uint16_t sel) {
  if (dst_is_mem(i)) e.write_mem(i.seg, e.effective_address(i), 2, sel);
  else e.set_reg(i.op[0].reg, i.osz, sel);
}
template <class E>
void sem_sldt(E& e, const DecodedInsn& i) {
  require_system(e);
  require_protected(e);
  store_selector(e, i, e.state().ldtr.selector);
  advance(e, i);
}
template <class E>
void sem_str(E& e, const DecodedInsn& i) {
  require_system(e);
  require_protected(e);
  store_selector(e, i, e.state().tr.selector);
  advance(e, i);
}
template <class E>
void sem_lldt(E& e, const DecodedInsn& i) {
  require_system(e);
  require_protected(e);
  require_cpl0(e);
  sys::load_ldt(e, static_cast<uint16_t>(e.read_operand(i, 0)));
  advance(e, i);
}
template <class E>
void sem_ltr(E& e, const DecodedInsn& i) {
  require_system(e);
  require_protected(e);
  require_cpl0(e);
  sys::load_task_register(e, static_cast<uint16_t>(e.read_operand(i, 0)));
  advance(e, i);
}

// LAR/LSL/VERR/VERW: ZF says whether the selector passes; no fault for bad selectors.
template <class E>
bool descriptor_visible(E& e, uint16_t sel, sys::Descriptor* d) {
  if ((sel & 0xfffc) == 0 || !sys::fetch_descriptor(e, sel, d)) return false;
  const unsigned cpl = e.state().cpl;
  if (!d->conforming() && (d->dpl() < cpl || d->dpl() < (sel & 3u))) return false;
  return true;
}
template <class E>
void sem_lar(E& e, const DecodedInsn& i) {
  require_system(e);
  require_protected(e);
  sys::Descriptor d;
  uint16_t sel = static_cast<uint16_t>(e.read_operand(i, 1));
  bool ok = descriptor_visible(e, sel, &d);
  if (ok && !d.s()) {
    const unsigned t = d.type();
    const bool lm = sys::long_mode_active(e);
    ok = lm ? (t == sys::kLdt || t == sys::kTss32Avail || t == sys::kTss32Busy || t == sys::kCallGate32)
            : (t != 0 && t != 8 && t != 10 && t != 13 && t != sys::kIntGate16 && t != sys::kTrapGate16 &&
               t != sys::kIntGate32 && t != sys::kTrapGate32);
  }
  if (ok) e.set_reg(i.op[0].reg, i.osz, d.hi & 0x00f0ff00u & size_mask(i.osz));
  set_arith_flags(e.state(), isa::FL_ZF, ok ? isa::FL_ZF : 0);
  advance(e, i);
}
template <class E>
void sem_lsl(E& e, const DecodedInsn& i) {
  require_system(e);
  require_protected(e);
  sys::Descriptor d;
  uint16_t sel = static_cast<uint16_t>(e.read_operand(i, 1));
  bool ok = descriptor_visible(e, sel, &d);
  if (ok && !d.s()) {
    const unsigned t = d.type();
    ok = t == sys::kLdt || t == sys::kTss32Avail || t == sys::kTss32Busy ||
         (!sys::long_mode_active(e) && (t == sys::kTss16Avail || t == sys::kTss16Busy));
  }
  if (ok) e.set_reg(i.op[0].reg, i.osz, d.limit() & size_mask(i.osz));
  set_arith_flags(e.state(), isa::FL_ZF, ok ? isa::FL_ZF : 0);
  advance(e, i);
}
template <class E>
void verify_segment(E& e, const DecodedInsn& i, bool write) {
  require_system(e);
  require_protected(e);
  sys::Descriptor d;
  uint16_t sel = static_cast<uint16_t>(e.read_operand(i, 0));
  bool ok = descriptor_visible(e, sel, &d) && d.s() && (write ? d.writable_data() : d.readable());
  set_arith_flags(e.state(), isa::FL_ZF, ok ? isa::FL_ZF : 0);
  advance(e, i);
}
template <class E>
void sem_verr(E& e, const DecodedInsn& i) { verify_segment(e, i, false); }
template <class E>
void sem_verw(E& e, const DecodedInsn& i) { verify_segment(e, i, true); }
template <class E>
void sem_arpl(E& e, const DecodedInsn& i) {
  require_system(e);
  require_protected(e);
  // A plain read (a fault reports a read, W=0); the write only when RPL is adjusted.
  uint16_t dst = static_cast<uint16_t>(e.read_operand(i, 0));
  uint16_t src = static_cast<uint16_t>(e.read_operand(i, 1));
  bool adjust = (dst & 3) < (src & 3);
  if (adjust) e.write_operand(i, 0, (dst & ~3u) | (src & 3u));
  set_arith_flags(e.state(), isa::FL_ZF, adjust ? isa::FL_ZF : 0);
  advance(e, i);
}

// ---- control and debug registers ----
template <class E>
void sem_mov_from_cr(E& e, const DecodedInsn& i) {
  require_system(e);
  e.set_reg(i.op[0].reg, i.op[0].size, sys::read_cr(e, i.op[1].reg));
  advance(e, i);
}
template <class E>
void sem_mov_to_cr(E& e, const DecodedInsn& i) {
  require_system(e);
  sys::write_cr(e, i.op[0].reg, e.reg(i.op[1].reg, i.op[1].size));
  advance(e, i);
}
template <class E>
void sem_mov_from_dr(E& e, const DecodedInsn& i) {
  require_system(e);
  e.set_reg(i.op[0].reg, i.op[0].size, sys::read_dr(e, i.op[1].reg));
  advance(e, i);
}
template <class E>
void sem_mov_to_dr(E& e, const DecodedInsn& i) {
  require_system(e);
  sys::write_dr(e, i.op[0].reg, e.reg(i.op[1].reg, i.op[1].size));
  advance(e, i);
}
template <class E>
void sem_clts(E& e, const DecodedInsn& i) {
  require_system(e);
  e.state().cr0 &= ~sys::kCr0TS;
  advance(e, i);
}
template <class E>
void sem_smsw(E& e, const DecodedInsn& i) {
  require_system(e);
  const uint64_t cr0 = e.state().cr0;
  if (dst_is_mem(i)) e.write_mem(i.seg, e.effective_address(i), 2, cr0 & 0xffff);
  else e.set_reg(i.op[0].reg, i.osz, cr0 & size_mask(i.osz));
  advance(e, i);
}
template <class E>
void sem_lmsw(E& e, const DecodedInsn& i) {
  require_system(e);
  const uint64_t v = e.read_operand(i, 0) & 0xf;
  const uint64_t cr0 = e.state().cr0;
  // PE can be set but not cleared; MP, EM, TS are loaded.
  sys::write_cr0(e, (cr0 & ~uint64_t{0xe}) | v | (cr0 & kCr0PE));
  advance(e, i);
}
template <class E>
void sem_invlpg(E& e, const DecodedInsn& i) {
  require_system(e);
  sys::invalidate_page(e, e.linear_unchecked(i.seg, e.effective_address(i)));
  advance(e, i);
}
template <class E>
void sem_rdmsr(E& e, const DecodedInsn& i) {
  require_system(e);
  uint64_t v;
  if (!sys::read_msr(e, static_cast<uint32_t>(e.state().gpr[RCX]), &v)) e.raise_gp0();
  e.set_reg(RAX, 4, v & 0xffffffffu);
  e.set_reg(RDX, 4, v >> 32);
  advance(e, i);
}
template <class E>
void sem_wrmsr(E& e, const DecodedInsn& i) {
  require_system(e);
  const CpuState& s = e.state();
  uint64_t v = (s.gpr[RDX] << 32) | (s.gpr[RAX] & 0xffffffffu);
  if (!sys::write_msr(e, static_cast<uint32_t>(s.gpr[RCX]), v)) e.raise_gp0();
  advance(e, i);
}
template <class E>
void sem_rdpmc(E& e, const DecodedInsn&) { e.raise_gp0(); }  // no performance counters

// ---- fast system calls ----
template <class E>
void sem_syscall(E& e, const DecodedInsn& i) {
  require_system(e);
  sys::syscall(e, next_rip(e, i));
}
template <class E>
void sem_sysret(E& e, const DecodedInsn& i) {
  require_system(e);
  sys::sysret(e, i.osz);
}
template <class E>
void sem_sysenter(E& e, const DecodedInsn&) {
  require_system(e);
  sys::sysenter(e);
}
template <class E>
void sem_sysexit(E& e, const DecodedInsn& i) {
  require_system(e);
  sys::sysexit(e, i.osz);
}
template <class E>
void sem_swapgs(E& e, const DecodedInsn& i) {
  require_system(e);
  sys::swapgs(e);
  advance(e, i);
}

// STI with the one-instruction interrupt shadow.
template <class E>
void sem_sti_shadow(E& e, const DecodedInsn& i) {
  if (!iopl_allows(e)) e.raise_gp0();
  if (!(e.state().rflags & isa::FL_IF)) e.set_interrupt_shadow();
  e.state().rflags |= isa::FL_IF;
  advance(e, i);
}

}  // namespace emu::sem
