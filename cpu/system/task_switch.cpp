// 32-bit and 16-bit TSS task switches (see task_switch.h).
#include "cpu/system/task_switch.h"

#include "cpu/system/control_regs.h"
#include "cpu/system/descriptors.h"
#include "cpu/system/interrupts.h"
#include "cpu/system/system_memory.h"

namespace emu::sys {

using isa::SEG_CS;
using isa::SEG_SS;

static void set_busy(Cpu& cpu, uint16_t sel, bool busy) {
  uint64_t a = cpu.state().gdtr.base + (sel & 0xfff8u) + 5;
  uint64_t b = read_system(cpu, a, 1);
  write_system(cpu, a, 1, busy ? (b | 2) : (b & ~uint64_t{2}));
}

void task_switch(Cpu& cpu, uint16_t sel, TaskSwitchSource source, bool ext) {
  CpuState& s = cpu.state();
  if (long_mode_active(cpu)) cpu.raise_gp0();
  Descriptor d;
  if ((sel & 4) && source != TaskSwitchSource::Iret) cpu.raise(kGP, selector_error(sel, ext), true);
  if (!fetch_descriptor(cpu, sel, &d)) cpu.raise(source == TaskSwitchSource::Iret ? kTS : kGP, selector_error(sel, ext), true);
  if (!d.s() && d.type() == kTaskGate) {
    if (!d.present()) cpu.raise(kNP, selector_error(sel, ext), true);
    sel = d.gate_selector();
    if ((sel & 4) || !fetch_descriptor(cpu, sel, &d)) cpu.raise(kGP, selector_error(sel, ext), true);
  }
  const unsigned t = d.type();
  const bool want_busy = source == TaskSwitchSource::Iret;
  bool ok = !d.s() && (t == kTss32Avail || t == kTss16Avail || t == kTss32Busy || t == kTss16Busy) &&
            (((t & 2) != 0) == want_busy);
  if (!ok) cpu.raise(source == TaskSwitchSource::Iret ? kTS : kGP, selector_error(sel, ext), true);
  if (!d.present()) cpu.raise(kNP, selector_error(sel, ext), true);
  const bool new32 = (t & 8);
  if (d.limit() < (new32 ? 0x67u : 0x2bu)) cpu.raise(kTS, selector_error(sel, ext), true);

  // Save the outgoing task.
  materialize_flags(s);
  uint64_t flags = s.rflags;
  if (source == TaskSwitchSource::Iret) flags &= ~kFlagNT;
  const uint64_t ob = s.tr.base;
  const bool old32 = (s.tr.attr & 0xf) == kTss32Busy;
  const uint16_t old_sel = s.tr.selector;
  if (source == TaskSwitchSource::Jump || source == TaskSwitchSource::Iret) set_busy(cpu, old_sel, false);
  if (old32) {
    write_system(cpu, ob + 0x20, 4, s.rip & 0xffffffffu);
    write_system(cpu, ob + 0x24, 4, flags & 0xffffffffu);
    for (unsigned r = 0; r < 8; ++r) write_system(cpu, ob + 0x28 + 4 * r, 4, s.gpr[r] & 0xffffffffu);
    for (unsigned k = 0; k < 6; ++k) write_system(cpu, ob + 0x48 + 4 * k, 2, s.seg[k].selector);
  } else {
    write_system(cpu, ob + 0x0e, 2, s.rip & 0xffff);
    write_system(cpu, ob + 0x10, 2, flags & 0xffff);
    for (unsigned r = 0; r < 8; ++r) write_system(cpu, ob + 0x12 + 2 * r, 2, s.gpr[r] & 0xffff);
    for (unsigned k = 0; k < 4; ++k) write_system(cpu, ob + 0x22 + 2 * k, 2, s.seg[k].selector);
  }

  // Read the incoming task.
  const uint64_t nb = d.base();
  uint64_t eip, nflags, gpr[8], cr3 = s.cr3;
  uint16_t segsel[6] = {}, ldt;
  if (new32) {
    cr3 = read_system(cpu, nb + 0x1c, 4);
    eip = read_system(cpu, nb + 0x20, 4);
    nflags = read_system(cpu, nb + 0x24, 4);
    for (unsigned r = 0; r < 8; ++r) gpr[r] = read_system(cpu, nb + 0x28 + 4 * r, 4);
    for (unsigned k = 0; k < 6; ++k) segsel[k] = static_cast<uint16_t>(read_system(cpu, nb + 0x48 + 4 * k, 2));
    ldt = static_cast<uint16_t>(read_system(cpu, nb + 0x60, 2));
  } else {
    eip = read_system(cpu, nb + 0x0e, 2);
    nflags = read_system(cpu, nb + 0x10, 2) | (s.rflags & 0xffff0000u);
    for (unsigned r = 0; r < 8; ++r) gpr[r] = (s.gpr[r] & ~uint64_t{0xffff}) | read_system(cpu, nb + 0x12 + 2 * r, 2);
    for (unsigned k = 0; k < 4; ++k) segsel[k] = static_cast<uint16_t>(read_system(cpu, nb + 0x22 + 2 * k, 2));
    ldt = static_cast<uint16_t>(read_system(cpu, nb + 0x2a, 2));
  }
  if (source == TaskSwitchSource::Call || source == TaskSwitchSource::Interrupt) {
    write_system(cpu, nb, 2, old_sel);  // back link
    nflags |= kFlagNT;
  }
  if (source != TaskSwitchSource::Iret) set_busy(cpu, sel, true);
  d.hi |= 0x200;
  s.tr = make_cache(sel, d);
  s.cr0 |= 1u << 3;  // TS

  // Commit the new register state, then load segments (faults now belong to the new task).
  if (new32 && (s.cr0 & kCr0PG) && cr3 != s.cr3) write_cr3(cpu, cr3);
  s.rip = eip;
  s.rflags = (nflags & 0x003f7fd7u) | 2;
  cpu.signal_interrupt();  // the new task's IF
  s.lf.op = FlagOp::None;
  for (unsigned r = 0; r < 8; ++r) s.gpr[r] = gpr[r];
  const unsigned new_cpl = segsel[SEG_CS] & 3;
  s.cpl = static_cast<uint8_t>(new_cpl);  // selects the TLB set of its privilege class
  load_ldt(cpu, ldt);
  if (nflags & kFlagVM) cpu.raise(kTS, selector_error(sel, ext), true);  // virtual-8086 tasks: not supported
  Descriptor cs;
  uint16_t csel = segsel[SEG_CS];
  if ((csel & 0xfffc) == 0 || !fetch_descriptor(cpu, csel, &cs) || !cs.is_code()) cpu.raise(kTS, selector_error(csel, ext), true);
  if (cs.conforming() ? cs.dpl() > new_cpl : cs.dpl() != new_cpl) cpu.raise(kTS, selector_error(csel, ext), true);
  if (!cs.present()) cpu.raise(kNP, selector_error(csel, ext), true);
  set_code_segment(cpu, csel, cs, new_cpl);
  load_stack_segment_for_cpl(cpu, segsel[SEG_SS], new_cpl, ext);
  for (unsigned k : {isa::SEG_ES, isa::SEG_DS, isa::SEG_FS, isa::SEG_GS}) load_segment(cpu, k, segsel[k]);
  cpu.refresh_mode();
  cpu.end_block();
}

}  // namespace emu::sys
