// Event delivery (real mode IVT, protected-mode and long-mode IDT) and IRET.
#include "cpu/system/interrupts.h"

#include "base/log.h"
#include "cpu/system/descriptors.h"
#include "cpu/system/system_cpu.h"
#include "cpu/system/system_memory.h"
#include "cpu/system/task_switch.h"

namespace emu::sys {

using isa::SEG_CS;
using isa::SEG_SS;

FaultClass classify(uint8_t v) {
  switch (v) {
    case kDE: case 10: case kNP: case kSS: case kGP: return FaultClass::Contributory;
    case kPF: return FaultClass::PageFault;
    case kDF: return FaultClass::DoubleFault;
    default: return FaultClass::Benign;
  }
}

static uint64_t current_rflags(Cpu& cpu) {
  materialize_flags(cpu.state());
  return cpu.state().rflags;
}

static void deliver_real(Cpu& cpu, const Event& ev) {
  CpuState& s = cpu.state();
  uint64_t off = uint64_t{ev.vector} * 4;
  if (off + 3 > s.idtr.limit) cpu.raise(kGP, selector_error(static_cast<uint16_t>(ev.vector * 8 + 2), ev.external), true);
  uint32_t entry = static_cast<uint32_t>(read_system(cpu, s.idtr.base + off, 4));
  uint64_t flags = current_rflags(cpu);
  uint64_t sp = s.gpr[RSP];
  const unsigned ssz = cpu.stack_addr_size();
  const uint64_t mask = size_mask(ssz);
  const SegmentCache& ss = s.seg[SEG_SS];
  StackWrites w;
  w.add(stack_slot(cpu, ss, (sp - 2) & mask, 2, SegmentRules::LimitOnly, 0), 2, flags & 0xffff);
  w.add(stack_slot(cpu, ss, (sp - 4) & mask, 2, SegmentRules::LimitOnly, 0), 2, s.seg[SEG_CS].selector);
  w.add(stack_slot(cpu, ss, (sp - 6) & mask, 2, SegmentRules::LimitOnly, 0), 2, s.rip & 0xffff);
  w.commit(cpu, 0);
  cpu.set_reg(RSP, ssz, sp - 6);
  s.rflags &= ~(kFlagIF | kFlagTF | kFlagAC | kFlagRF);
  s.seg[SEG_CS].selector = static_cast<uint16_t>(entry >> 16);
  s.seg[SEG_CS].base = uint64_t{entry >> 16} << 4;
  s.rip = entry & 0xffff;
  cpu.refresh_mode();
}

// Reads the stack pointer for privilege level `dpl` (or IST slot `ist`) from the TSS.
static void tss_stack(Cpu& cpu, unsigned dpl, unsigned ist, bool ext, uint16_t* ss, uint64_t* sp) {
  CpuState& s = cpu.state();
  const uint64_t base = s.tr.base;
  const uint32_t limit = s.tr.limit;
  if (long_mode_active(cpu)) {
    uint64_t off = ist ? 0x24 + (ist - 1) * 8 : 4 + dpl * 8;
    if (off + 7 > limit) cpu.raise(kTS, selector_error(s.tr.selector, ext), true);
    *sp = read_system(cpu, base + off, 8);
    *ss = 0;
    return;
  }
  const bool tss32 = (s.tr.attr & 0xf) == kTss32Busy;
  uint64_t off = tss32 ? 4 + dpl * 8 : 2 + dpl * 4;
  unsigned w = tss32 ? 4 : 2;
  if (off + 2 * w - 1 > limit) cpu.raise(kTS, selector_error(s.tr.selector, ext), true);
  *sp = read_system(cpu, base + off, w);
  *ss = static_cast<uint16_t>(read_system(cpu, base + off + w, 2));
}

static void deliver_protected(Cpu& cpu, const Event& ev) {
  CpuState& s = cpu.state();
  const bool lm = long_mode_active(cpu);
  const unsigned gate_size = lm ? 16 : 8;
  const uint16_t idt_err = static_cast<uint16_t>(ev.vector * 8 + 2);
  const uint32_t idt_code = idt_err | (ev.external ? 1u : 0u);
  uint64_t off = uint64_t{ev.vector} * gate_size;
  if (off + gate_size - 1 > s.idtr.limit) cpu.raise(kGP, idt_code, true);
  Descriptor gate;
  uint32_t gate_words[3] = {};
  read_system_dwords(cpu, s.idtr.base + off, lm ? 3 : 2, gate_words);
  gate.lo = gate_words[0];
  gate.hi = gate_words[1];
  if (lm) gate.base_hi = gate_words[2];
  const unsigned type = gate.type();
  bool type_ok = !gate.s() && (lm ? (type == kIntGate32 || type == kTrapGate32)
                                  : (type == kTaskGate || type == kIntGate16 || type == kTrapGate16 ||
                                     type == kIntGate32 || type == kTrapGate32));
  if (!type_ok) cpu.raise(kGP, idt_code, true);
  if (ev.software && gate.dpl() < s.cpl) cpu.raise(kGP, idt_err, true);
  if (!gate.present()) cpu.raise(kNP, idt_code, true);

  if (type == kTaskGate) {
    task_switch(cpu, gate.gate_selector(), TaskSwitchSource::Interrupt, ev.external);
    if (ev.has_error) {
      unsigned w = (s.tr.attr & 0xf) == kTss32Busy ? 4 : 2;
      cpu.push(ev.error, w);
    }
    return;
  }

  const uint16_t sel = gate.gate_selector();
  if ((sel & 0xfffc) == 0) cpu.raise(kGP, ev.external ? 1 : 0, true);
  Descriptor cs;
  if (!fetch_descriptor(cpu, sel, &cs)) cpu.raise(kGP, selector_error(sel, ev.external), true);
  if (!cs.is_code() || cs.dpl() > s.cpl) cpu.raise(kGP, selector_error(sel, ev.external), true);
  if (lm && (!cs.long_code() || cs.big())) cpu.raise(kGP, selector_error(sel, ev.external), true);
  if (!cs.present()) cpu.raise(kNP, selector_error(sel, ev.external), true);

  const uint64_t old_flags = current_rflags(cpu);
  const bool v86 = old_flags & kFlagVM;
  const unsigned new_cpl = cs.conforming() ? s.cpl : cs.dpl();
  const bool inner = new_cpl < s.cpl;
  if (v86 && new_cpl != 0) cpu.raise(kGP, selector_error(sel, ev.external), true);
  const SegmentCache old_ss = s.seg[SEG_SS];
  const SegmentCache old_cs = s.seg[SEG_CS];
  const uint64_t old_sp = s.gpr[RSP];
  StackWrites w;

  if (lm) {
    uint64_t sp = old_sp;
    uint16_t dummy;
    if (gate.gate_ist() || inner) tss_stack(cpu, new_cpl, gate.gate_ist(), ev.external, &dummy, &sp);
    sp &= ~uint64_t{0xf};
    uint64_t vals[6] = {old_ss.selector, old_sp, old_flags, old_cs.selector, s.rip, ev.error};
    unsigned n = ev.has_error ? 6 : 5;
    for (unsigned k = 0; k < n; ++k) {
      sp -= 8;
      w.add(sp, 8, vals[k]);
    }
    w.commit(cpu, new_cpl);
    if (inner) {
      s.seg[SEG_SS] = null_cache(static_cast<uint16_t>(new_cpl));
      s.seg[SEG_SS].attr = static_cast<uint16_t>(kSegAttrDB | (new_cpl << 5));
    }
    s.gpr[RSP] = sp;
    mark_accessed(cpu, sel, &cs);
    set_code_segment(cpu, sel, cs, new_cpl);
    s.rip = gate.gate_offset();
  } else {
    const bool gate32 = type & 8;
    const unsigned ws = gate32 ? 4 : 2;
    const uint64_t target = gate32 ? gate.gate_offset() & 0xffffffffu : gate.gate_offset() & 0xffff;
    if (target > cs.limit()) cpu.raise(kGP, ev.external ? 1 : 0, true);
    uint64_t sp;
    unsigned ssz;
    if (inner) {
      uint16_t nss;
      uint64_t nsp;
      tss_stack(cpu, new_cpl, 0, ev.external, &nss, &nsp);
      // Checks the new SS (faults #TS) before anything changes, then switches.
      const SegmentCache saved = s.seg[SEG_SS];
      load_stack_segment_for_cpl(cpu, nss, new_cpl, ev.external);
      const SegmentCache new_ss = s.seg[SEG_SS];
      s.seg[SEG_SS] = saved;  // committed below, after the frame is written
      cpu.segments_changed();
      ssz = new_ss.default_big() ? 4 : 2;
      sp = nsp & size_mask(ssz);
      auto put = [&](uint64_t v) {
        sp = (sp - ws) & size_mask(ssz);
        w.add(stack_slot(cpu, new_ss, sp, ws, SegmentRules::Protected, selector_error(nss, ev.external)), ws, v);
      };
      if (v86) {
        put(s.seg[isa::SEG_GS].selector);
        put(s.seg[isa::SEG_FS].selector);
        put(s.seg[isa::SEG_DS].selector);
        put(s.seg[isa::SEG_ES].selector);
      }
      put(old_ss.selector);
      put(old_sp);
      put(old_flags);
      put(old_cs.selector);
      put(s.rip);
      if (ev.has_error) put(ev.error);
      w.commit(cpu, new_cpl);
      s.seg[SEG_SS] = new_ss;
      if (v86) {
        for (unsigned k : {isa::SEG_ES, isa::SEG_DS, isa::SEG_FS, isa::SEG_GS}) s.seg[k] = null_cache(0);
      }
    } else {
      ssz = old_ss.default_big() ? 4 : 2;
      sp = old_sp & size_mask(ssz);
      auto put = [&](uint64_t v) {
        sp = (sp - ws) & size_mask(ssz);
        w.add(stack_slot(cpu, old_ss, sp, ws, SegmentRules::Protected, ev.external ? 1 : 0), ws, v);
      };
      put(old_flags);
      put(old_cs.selector);
      put(s.rip);
      if (ev.has_error) put(ev.error);
      w.commit(cpu, new_cpl);
    }
    if (ssz == 4) s.gpr[RSP] = sp & 0xffffffffu;
    else s.gpr[RSP] = (s.gpr[RSP] & ~uint64_t{0xffff}) | (sp & 0xffff);
    mark_accessed(cpu, sel, &cs);
    set_code_segment(cpu, sel, cs, new_cpl);
    s.rip = target;
  }
  s.rflags &= ~(kFlagTF | kFlagNT | kFlagVM | kFlagRF);
  if (!(type & 1)) s.rflags &= ~kFlagIF;  // interrupt gate (6/14); trap gates keep IF
  cpu.refresh_mode();
  cpu.end_block();
}

// One line per delivered event under `-d int`, in the spirit of QEMU's trace:
// vector, error code, software (i=1) or not, CPL, CS:RIP, SS:RSP and CR2.
static void log_event(Cpu& cpu, const Event& ev) {
  const CpuState& s = cpu.state();
  log_printf("int: v=%02x e=%04x i=%d ext=%d cpl=%u IP=%04x:%016llx SP=%04x:%016llx CR2=%016llx\n",
             ev.vector, ev.has_error ? ev.error : 0, ev.software ? 1 : 0, ev.external ? 1 : 0, s.cpl,
             s.seg[SEG_CS].selector, (unsigned long long)s.rip, s.seg[SEG_SS].selector,
             (unsigned long long)s.gpr[RSP], (unsigned long long)s.cr2);
}

void deliver_event(Cpu& cpu, const Event& ev) {
  if (log_enabled(LogCategory::Int)) log_event(cpu, ev);
  if (!protected_mode(cpu)) deliver_real(cpu, ev);
  else deliver_protected(cpu, ev);
}

// ---- IRET ----

static uint64_t iret_flags_mask(const CpuState& s, unsigned osz, unsigned cpl_before) {
  uint64_t mask = 0x00257fd5ull | kFlagRF | kFlagVIF | kFlagVIP | kFlagNT;  // arithmetic, TF IF DF IOPL NT AC ID
  unsigned iopl = (s.rflags >> 12) & 3;
  if (cpl_before > 0) mask &= ~kFlagIOPL;
  if (cpl_before > iopl) mask &= ~kFlagIF;
  if (cpl_before > 0) mask &= ~(kFlagVIF | kFlagVIP);
  if (osz == 2) mask &= 0xffff;
  return mask;
}

// Real mode, and virtual-8086 mode with IOPL 3 (which keeps IOPL: SDM IRET pseudo-code).
static void iret_real(Cpu& cpu, unsigned osz, bool v86 = false) {
  CpuState& s = cpu.state();
  uint64_t ip = cpu.peek(osz, 0), cs = cpu.peek(osz, osz), fl = cpu.peek(osz, 2 * osz);
  unsigned ssz = cpu.stack_addr_size();
  cpu.set_reg(RSP, ssz, cpu.reg(RSP, ssz) + 3 * osz);
  s.seg[SEG_CS].selector = static_cast<uint16_t>(cs);
  s.seg[SEG_CS].base = (cs & 0xffff) << 4;
  s.rip = ip & size_mask(osz);
  uint64_t mask = 0x00257fd5ull | kFlagRF;
  if (v86) mask &= ~kFlagIOPL;
  if (osz == 2) mask &= 0xffff;
  materialize_flags(s);
  s.rflags = (s.rflags & ~mask) | (fl & mask) | 2;
  cpu.refresh_mode();
  cpu.end_block();
}

// IRETD at CPL 0 with VM set in the popped EFLAGS (SDM IRET, RETURN-TO-VIRTUAL-8086-MODE):
// pops EIP, CS, EFLAGS, ESP, SS, ES, DS, FS, GS (32 bits each) and runs at CPL 3 with
// real-mode style segments (base = selector * 16, limit 0xFFFF, DPL 3).
static void iret_to_v86(Cpu& cpu) {
  CpuState& s = cpu.state();
  uint64_t v[9];
  for (unsigned k = 0; k < 9; ++k) v[k] = cpu.peek(4, 4 * k);  // reads (and faults) first
  if ((v[0] & 0xffff) != v[0]) cpu.raise_gp0();  // EIP beyond the 64 KiB CS limit
  materialize_flags(s);
  s.rflags = (v[2] & (0x00257fd5ull | kFlagRF | kFlagVM | kFlagVIF | kFlagVIP)) | 2;
  const unsigned order[6] = {SEG_CS, SEG_SS, isa::SEG_ES, isa::SEG_DS, isa::SEG_FS, isa::SEG_GS};
  const uint64_t sels[6] = {v[1], v[4], v[5], v[6], v[7], v[8]};
  for (unsigned k = 0; k < 6; ++k) {
    SegmentCache& c = s.seg[order[k]];
    c.selector = static_cast<uint16_t>(sels[k]);
    c.base = (sels[k] & 0xffff) << 4;
    c.limit = 0xffff;
    c.attr = 0xf3;  // present, DPL 3, read/write data, accessed (as virtual-8086 loads)
  }
  s.gpr[RSP] = v[3] & 0xffffffffu;
  s.rip = v[0];
  s.cpl = 3;
  cpu.refresh_mode();
  cpu.end_block();
}

void interrupt_return(Cpu& cpu, unsigned osz, uint64_t next_rip) {
  CpuState& s = cpu.state();
  if (cpu.system) cpu.system->nmi_blocked = false;  // IRET ends NMI blocking
  cpu.signal_interrupt();  // a blocked NMI, or INTR once IF is restored, may go now
  if (!protected_mode(cpu)) return iret_real(cpu, osz);
  materialize_flags(s);
  if (s.rflags & kFlagVM) {
    // Virtual-8086 mode IRET with IOPL 3 behaves as in real mode; else #GP(0).
    if (((s.rflags >> 12) & 3) != 3) cpu.raise_gp0();
    iret_real(cpu, osz, true);
    return;
  }
  const bool lm = long_mode_active(cpu);
  if (s.rflags & kFlagNT) {
    if (lm) cpu.raise_gp0();
    uint16_t link = static_cast<uint16_t>(read_system(cpu, s.tr.base, 2));
    s.rip = next_rip;
    task_switch(cpu, link, TaskSwitchSource::Iret, false);
    return;
  }
  const uint64_t new_ip = cpu.peek(osz, 0);
  const uint16_t sel = static_cast<uint16_t>(cpu.peek(osz, osz));
  const uint64_t new_flags = cpu.peek(osz, 2 * osz);
  const unsigned cpl = s.cpl;
  if (!lm && (new_flags & kFlagVM) && cpl == 0 && osz == 4) return iret_to_v86(cpu);
  if ((sel & 0xfffc) == 0) cpu.raise_gp0();
  Descriptor cs;
  if (!fetch_descriptor(cpu, sel, &cs)) cpu.raise(kGP, selector_error(sel), true);
  const unsigned rpl = sel & 3;
  if (!cs.is_code() || rpl < cpl) cpu.raise(kGP, selector_error(sel), true);
  if (cs.conforming() ? cs.dpl() > rpl : cs.dpl() != rpl) cpu.raise(kGP, selector_error(sel), true);
  if (lm && cs.long_code() && cs.big()) cpu.raise(kGP, selector_error(sel), true);
  if (!cs.present()) cpu.raise(kNP, selector_error(sel), true);
  const bool to64 = lm && cs.long_code();
  const bool pops_stack = rpl > cpl || cpu.mode64();
  uint64_t new_sp = 0;
  uint16_t new_ss = 0;
  if (pops_stack) {
    new_sp = cpu.peek(osz, 3 * osz);
    new_ss = static_cast<uint16_t>(cpu.peek(osz, 4 * osz));
  }
  if (!to64 && (new_ip & size_mask(osz)) > cs.limit()) cpu.raise_gp0();
  if (to64 && !Cpu::is_canonical(new_ip)) cpu.raise_gp0();
  const uint64_t mask = iret_flags_mask(s, osz, cpl);
  if (pops_stack) {
    // Check the new SS against the return privilege.
    if ((new_ss & 0xfffc) == 0) {
      if (!(to64 && rpl != 3)) cpu.raise_gp0();
    } else {
      Descriptor ssd;
      if (!fetch_descriptor(cpu, new_ss, &ssd)) cpu.raise(kGP, selector_error(new_ss), true);
      if ((new_ss & 3) != rpl || ssd.dpl() != rpl || !ssd.writable_data()) cpu.raise(kGP, selector_error(new_ss), true);
      if (!ssd.present()) cpu.raise(kSS, selector_error(new_ss), true);
      mark_accessed(cpu, new_ss, &ssd);
      s.seg[SEG_SS] = make_cache(new_ss, ssd);
    }
    if ((new_ss & 0xfffc) == 0) {
      s.seg[SEG_SS] = null_cache(new_ss);
      s.seg[SEG_SS].attr = static_cast<uint16_t>(kSegAttrDB | (rpl << 5));
    }
  } else {
    unsigned ssz = cpu.stack_addr_size();
    cpu.set_reg(RSP, ssz, cpu.reg(RSP, ssz) + 3 * osz);
  }
  mark_accessed(cpu, sel, &cs);
  s.rflags = (s.rflags & ~mask) | (new_flags & mask) | 2;
  set_code_segment(cpu, sel, cs, rpl);
  s.rip = to64 ? new_ip : new_ip & size_mask(osz);
  if (pops_stack) {
    if (cpu.mode64() || s.seg[SEG_SS].default_big() || osz == 8) s.gpr[RSP] = new_sp & size_mask(osz == 2 ? 2 : (cpu.mode64() ? 8 : 4));
    else s.gpr[RSP] = (s.gpr[RSP] & ~uint64_t{0xffff}) | (new_sp & 0xffff);
    if (rpl > cpl) null_inaccessible_data_segments(cpu);
  }
  cpu.refresh_mode();
  cpu.end_block();
}

}  // namespace emu::sys
