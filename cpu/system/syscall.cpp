// SYSCALL/SYSRET, SYSENTER/SYSEXIT, SWAPGS (SDM vol. 2B, AMD APM vol. 3).
#include "cpu/system/syscall.h"

#include "cpu/system/control_regs.h"
#include "cpu/system/interrupts.h"
#include "cpu/system/system_cpu.h"

namespace emu::sys {

using isa::SEG_CS;
using isa::SEG_SS;

// Flat segment caches the fast system-call instructions load without reading the GDT.
static SegmentCache flat(uint16_t sel, unsigned dpl, bool code, bool long64) {
  SegmentCache c;
  c.selector = sel;
  c.base = 0;
  c.limit = 0xffffffffu;
  uint16_t a = static_cast<uint16_t>((code ? 0x9b : 0x93) | (dpl << 5) | kSegAttrG);
  if (code && long64) a |= kSegAttrL;
  else a |= kSegAttrDB;
  c.attr = a;
  return c;
}

static void set_cpl(Cpu& cpu, unsigned cpl) {
  CpuState& s = cpu.state();
  s.cpl = static_cast<uint8_t>(cpl);
  cpu.refresh_mode();
  cpu.end_block();
}

void syscall(Cpu& cpu, uint64_t next_rip) {
  CpuState& s = cpu.state();
  if (!(s.efer & kEferSCE) || !(s.cr0 & kCr0PE)) cpu.raise(kUD);
  MsrState& m = cpu.system->msr;
  const uint16_t sel = static_cast<uint16_t>((m.star >> 32) & 0xfffc);
  materialize_flags(s);
  if (s.efer & kEferLMA) {
    const bool from64 = cpu.mode64();
    s.gpr[RCX] = next_rip;
    s.gpr[R11] = s.rflags & ~kFlagRF;
    s.rflags &= ~(m.sfmask | kFlagRF);
    s.rflags |= 2;
    s.seg[SEG_CS] = flat(sel, 0, true, true);
    s.seg[SEG_SS] = flat(static_cast<uint16_t>(sel + 8), 0, false, false);
    s.rip = from64 ? m.lstar : m.cstar;
  } else {
    s.gpr[RCX] = next_rip & 0xffffffffu;
    s.rflags &= ~(kFlagVM | kFlagIF | kFlagRF);
    s.seg[SEG_CS] = flat(sel, 0, true, false);
    s.seg[SEG_SS] = flat(static_cast<uint16_t>(sel + 8), 0, false, false);
    s.rip = m.star & 0xffffffffu;
  }
  set_cpl(cpu, 0);
}

void sysret(Cpu& cpu, unsigned osz) {
  CpuState& s = cpu.state();
  if (!(s.efer & kEferSCE)) cpu.raise(kUD);
  if (!(s.cr0 & kCr0PE) || s.cpl != 0) cpu.raise_gp0();
  MsrState& m = cpu.system->msr;
  const uint16_t base = static_cast<uint16_t>(m.star >> 48);
  if (s.efer & kEferLMA) {
    if (osz == 8 && !Cpu::is_canonical(s.gpr[RCX])) cpu.raise_gp0();
    if (osz == 8) {
      s.seg[SEG_CS] = flat(static_cast<uint16_t>((base + 16) | 3), 3, true, true);
      s.rip = s.gpr[RCX];
    } else {
      s.seg[SEG_CS] = flat(static_cast<uint16_t>(base | 3), 3, true, false);
      s.rip = s.gpr[RCX] & 0xffffffffu;
    }
    s.lf.op = FlagOp::None;
    s.rflags = (s.gpr[R11] & 0x3c7fd7u) | 2;
  } else {
    s.seg[SEG_CS] = flat(static_cast<uint16_t>(base | 3), 3, true, false);
    s.rip = s.gpr[RCX] & 0xffffffffu;
    s.rflags |= kFlagIF;
  }
  cpu.signal_interrupt();  // IF may be set again
  // SS keeps its cached attributes but becomes DPL 3 (as the hardware does).
  s.seg[SEG_SS] = flat(static_cast<uint16_t>((base + 8) | 3), 3, false, false);
  set_cpl(cpu, 3);
}

void sysenter(Cpu& cpu) {
  CpuState& s = cpu.state();
  MsrState& m = cpu.system->msr;
  if (!(s.cr0 & kCr0PE) || (m.sysenter_cs & 0xfffc) == 0) cpu.raise_gp0();
  const bool lm = s.efer & kEferLMA;
  const uint16_t sel = static_cast<uint16_t>(m.sysenter_cs & 0xfffc);
  materialize_flags(s);
  s.rflags &= ~(kFlagVM | kFlagIF | kFlagRF);
  s.seg[SEG_CS] = flat(sel, 0, true, lm);
  s.seg[SEG_SS] = flat(static_cast<uint16_t>(sel + 8), 0, false, false);
  s.rip = lm ? m.sysenter_eip : m.sysenter_eip & 0xffffffffu;
  s.gpr[RSP] = lm ? m.sysenter_esp : m.sysenter_esp & 0xffffffffu;
  set_cpl(cpu, 0);
}

void sysexit(Cpu& cpu, unsigned osz) {
  CpuState& s = cpu.state();
  MsrState& m = cpu.system->msr;
  if (!(s.cr0 & kCr0PE) || s.cpl != 0 || (m.sysenter_cs & 0xfffc) == 0) cpu.raise_gp0();
  const uint16_t cs = static_cast<uint16_t>(m.sysenter_cs);
  if (osz == 8) {
    if (!Cpu::is_canonical(s.gpr[RDX]) || !Cpu::is_canonical(s.gpr[RCX])) cpu.raise_gp0();
    s.seg[SEG_CS] = flat(static_cast<uint16_t>((cs + 32) | 3), 3, true, true);
    s.seg[SEG_SS] = flat(static_cast<uint16_t>((cs + 40) | 3), 3, false, false);
    s.rip = s.gpr[RDX];
    s.gpr[RSP] = s.gpr[RCX];
  } else {
    s.seg[SEG_CS] = flat(static_cast<uint16_t>((cs + 16) | 3), 3, true, false);
    s.seg[SEG_SS] = flat(static_cast<uint16_t>((cs + 24) | 3), 3, false, false);
    s.rip = s.gpr[RDX] & 0xffffffffu;
    s.gpr[RSP] = s.gpr[RCX] & 0xffffffffu;
  }
  set_cpl(cpu, 3);
}

void swapgs(Cpu& cpu) {
  CpuState& s = cpu.state();
  MsrState& m = cpu.system->msr;
  uint64_t t = s.seg[isa::SEG_GS].base;
  s.seg[isa::SEG_GS].base = m.kernel_gs_base;
  m.kernel_gs_base = t;
}

}  // namespace emu::sys
