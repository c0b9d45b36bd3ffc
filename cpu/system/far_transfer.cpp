// Far transfers (see far_transfer.h).
#include "cpu/system/far_transfer.h"

#include "cpu/system/descriptors.h"
#include "cpu/system/interrupts.h"
#include "cpu/system/system_memory.h"
#include "cpu/system/task_switch.h"

namespace emu::sys {

using isa::SEG_CS;
using isa::SEG_SS;

static void set_ip(Cpu& cpu, uint64_t offset, unsigned osz) {
  CpuState& s = cpu.state();
  if (cpu.mode64()) {
    if (!Cpu::is_canonical(offset)) cpu.raise_gp0();
    s.rip = offset;
  } else {
    s.rip = offset & size_mask(osz);
  }
}

// Pushes CS then the return offset (`osz` bytes each) at the flat 64-bit RSP, both
// checked for write before either is stored (a fault leaves RSP and memory unchanged;
// CS's slot is checked first, as the host reports its address).
static void push_return_flat(Cpu& cpu, uint16_t old_cs, uint64_t next_rip, unsigned osz) {
  CpuState& s = cpu.state();
  const uint64_t sp = s.gpr[RSP] - 2 * osz;
  if (!Cpu::is_canonical(sp) || !Cpu::is_canonical(sp + 2 * osz - 1)) cpu.raise(kSS, 0, true);
  for (uint64_t slot : {sp + osz, sp}) {
    cpu.translate_or_raise(slot, Access::Write);
    cpu.translate_or_raise(slot + osz - 1, Access::Write);
  }
  const auto store = [&](uint64_t lin, uint64_t v) {
    switch (osz) {
      case 2: cpu.write_lin<uint16_t>(lin, static_cast<uint16_t>(v)); break;
      case 4: cpu.write_lin<uint32_t>(lin, static_cast<uint32_t>(v)); break;
      default: cpu.write_lin<uint64_t>(lin, v); break;
    }
  };
  store(sp + osz, old_cs);
  store(sp, next_rip);
  s.gpr[RSP] = sp;
}

// #GP(0) when a far transfer's target offset lies beyond the target code segment's
// limit (not checked for 64-bit targets), before anything changes.
static void check_far_target(Cpu& cpu, uint64_t offset, unsigned osz, uint32_t limit) {
  if ((offset & size_mask(osz)) > limit) cpu.raise_gp0();
}

// Real and virtual-8086 mode: CS keeps its cached limit.
static void real_mode_transfer(Cpu& cpu, uint16_t sel, uint64_t offset, unsigned osz) {
  CpuState& s = cpu.state();
  s.seg[SEG_CS].selector = sel;
  s.seg[SEG_CS].base = uint64_t{sel} << 4;
  s.rip = offset & size_mask(osz);
  cpu.refresh_mode();
  cpu.end_block();
}

// Checks a code-segment target of a direct JMP/CALL (not through a gate).
static void check_direct_code(Cpu& cpu, uint16_t sel, const Descriptor& d) {
  const unsigned cpl = cpu.state().cpl;
  if (d.conforming()) {
    if (d.dpl() > cpl) cpu.raise(kGP, selector_error(sel), true);
  } else if ((sel & 3) > cpl || d.dpl() != cpl) {
    cpu.raise(kGP, selector_error(sel), true);
  }
  if (long_mode_active(cpu) && d.long_code() && d.big()) cpu.raise(kGP, selector_error(sel), true);
  if (!d.present()) cpu.raise(kNP, selector_error(sel), true);
}

static bool is_call_gate(const Descriptor& d, bool lm) {
  return !d.s() && (lm ? d.type() == kCallGate32 : (d.type() == kCallGate32 || d.type() == kCallGate16));
}

// Reads the call gate's target and checks it; returns its code descriptor.
static void resolve_gate(Cpu& cpu, uint16_t sel, Descriptor* gate, Descriptor* code, uint16_t* code_sel, bool is_call) {
  const CpuState& s = cpu.state();
  const bool lm = long_mode_active(cpu);
  if (lm && !fetch_descriptor(cpu, sel, gate, true)) cpu.raise(kGP, selector_error(sel), true);
  if (gate->dpl() < s.cpl || gate->dpl() < (sel & 3u)) cpu.raise(kGP, selector_error(sel), true);
  if (!gate->present()) cpu.raise(kNP, selector_error(sel), true);
  *code_sel = gate->gate_selector();
  if ((*code_sel & 0xfffc) == 0) cpu.raise_gp0();
  if (!fetch_descriptor(cpu, *code_sel, code) || !code->is_code()) cpu.raise(kGP, selector_error(*code_sel), true);
  if (code->dpl() > s.cpl) cpu.raise(kGP, selector_error(*code_sel), true);
  if (!is_call && !code->conforming() && code->dpl() != s.cpl) cpu.raise(kGP, selector_error(*code_sel), true);
  if (lm && (!code->long_code() || code->big())) cpu.raise(kGP, selector_error(*code_sel), true);
  if (!code->present()) cpu.raise(kNP, selector_error(*code_sel), true);
}

void far_jump(Cpu& cpu, uint16_t sel, uint64_t offset, unsigned osz, uint64_t next_rip) {
  CpuState& s = cpu.state();
  if (!protected_mode(cpu) || (s.rflags & kFlagVM)) {
    check_far_target(cpu, offset, osz, s.seg[SEG_CS].limit);
    return real_mode_transfer(cpu, sel, offset, osz);
  }
  if ((sel & 0xfffc) == 0) cpu.raise_gp0();
  Descriptor d;
  if (!fetch_descriptor(cpu, sel, &d)) cpu.raise(kGP, selector_error(sel), true);
  const bool lm = long_mode_active(cpu);
  if (d.is_code()) {
    check_direct_code(cpu, sel, d);
    if (!(lm && d.long_code())) check_far_target(cpu, offset, osz, d.limit());
    mark_accessed(cpu, sel, &d);
    set_code_segment(cpu, sel, d, s.cpl);
    set_ip(cpu, offset, osz);
    return;
  }
  if (is_call_gate(d, lm)) {
    Descriptor code;
    uint16_t csel;
    resolve_gate(cpu, sel, &d, &code, &csel, false);
    uint64_t target = d.type() == kCallGate16 ? d.gate_offset() & 0xffff : d.gate_offset();
    if (!lm) target &= 0xffffffffu;
    if (!lm) check_far_target(cpu, target, 4, code.limit());
    mark_accessed(cpu, csel, &code);
    set_code_segment(cpu, csel, code, s.cpl);
    set_ip(cpu, target, lm ? 8 : 4);
    return;
  }
  if (!lm && !d.s() && (d.type() == kTaskGate || d.type() == kTss32Avail || d.type() == kTss16Avail)) {
    if (d.dpl() < s.cpl || d.dpl() < (sel & 3u)) cpu.raise(kGP, selector_error(sel), true);
    s.rip = next_rip;
    task_switch(cpu, sel, TaskSwitchSource::Jump, false);
    return;
  }
  cpu.raise(kGP, selector_error(sel), true);
}

void far_call(Cpu& cpu, uint16_t sel, uint64_t offset, unsigned osz, uint64_t next_rip) {
  CpuState& s = cpu.state();
  if (!protected_mode(cpu) || (s.rflags & kFlagVM)) {
    const uint16_t old_cs = s.seg[SEG_CS].selector;
    cpu.probe_stack_push(s.gpr[RSP], 2, osz);
    check_far_target(cpu, offset, osz, s.seg[SEG_CS].limit);
    cpu.push(old_cs, osz);
    cpu.push(next_rip, osz);
    return real_mode_transfer(cpu, sel, offset, osz);
  }
  if ((sel & 0xfffc) == 0) cpu.raise_gp0();
  Descriptor d;
  if (!fetch_descriptor(cpu, sel, &d)) cpu.raise(kGP, selector_error(sel), true);
  const bool lm = long_mode_active(cpu);
  const uint16_t old_cs = s.seg[SEG_CS].selector;
  if (d.is_code()) {
    check_direct_code(cpu, sel, d);
    if (lm && d.long_code() && !cpu.mode64()) {
      // From compatibility mode into 64-bit code the return address goes on the stack as
      // the 64-bit target addresses it: at the flat 64-bit RSP, SS.base ignored (as the
      // hardware does, AMD and Intel).
      push_return_flat(cpu, old_cs, next_rip, osz);
    } else {
      cpu.probe_stack_push(s.gpr[RSP], 2, osz);
      if (lm && d.long_code() && !Cpu::is_canonical(offset)) cpu.raise_gp0();
      if (!(lm && d.long_code())) check_far_target(cpu, offset, osz, d.limit());
      cpu.push(old_cs, osz);
      cpu.push(next_rip, osz);
    }
    mark_accessed(cpu, sel, &d);
    set_code_segment(cpu, sel, d, s.cpl);
    set_ip(cpu, offset, osz);
    return;
  }
  if (is_call_gate(d, lm)) {
    Descriptor code;
    uint16_t csel;
    resolve_gate(cpu, sel, &d, &code, &csel, true);
    const unsigned gsz = lm ? 8 : (d.type() == kCallGate16 ? 2 : 4);
    uint64_t target = d.gate_offset();
    if (gsz == 2) target &= 0xffff;
    if (gsz == 4) target &= 0xffffffffu;
    if (!lm) check_far_target(cpu, target, 4, code.limit());
    const unsigned new_cpl = code.conforming() ? s.cpl : code.dpl();
    if (new_cpl < s.cpl) {
      // Inner privilege: new stack from the TSS, old SS:SP and the parameters copied.
      const SegmentCache old_ss = s.seg[SEG_SS];
      const uint64_t old_sp = s.gpr[RSP];
      const unsigned old_ssz = cpu.stack_addr_size();
      uint64_t nsp;
      uint16_t nss = 0;
      if (lm) {
        nsp = read_system(cpu, s.tr.base + 4 + new_cpl * 8, 8);
      } else {
        const bool tss32 = (s.tr.attr & 0xf) == kTss32Busy;
        unsigned w = tss32 ? 4 : 2;
        uint64_t off = tss32 ? 4 + new_cpl * 8 : 2 + new_cpl * 4;
        if (off + 2 * w - 1 > s.tr.limit) cpu.raise(kTS, selector_error(s.tr.selector), true);
        nsp = read_system(cpu, s.tr.base + off, w);
        nss = static_cast<uint16_t>(read_system(cpu, s.tr.base + off + w, 2));
      }
      load_stack_segment_for_cpl(cpu, lm ? static_cast<uint16_t>(new_cpl) : nss, new_cpl, false);
      const SegmentCache new_ss = s.seg[SEG_SS];
      s.seg[SEG_SS] = old_ss;
      cpu.segments_changed();
      const unsigned nssz = lm ? 8 : (new_ss.default_big() ? 4 : 2);
      const unsigned params = lm ? 0 : d.gate_param_count();
      uint64_t param[32];
      for (unsigned k = 0; k < params; ++k)
        param[k] = cpu.read_mem(SEG_SS, (old_sp + uint64_t{k} * gsz) & size_mask(old_ssz), gsz);
      StackWrites w;
      uint64_t sp = lm ? (nsp & ~uint64_t{0xf}) : nsp & size_mask(nssz);
      auto put = [&](uint64_t v) {
        sp = (sp - gsz) & size_mask(nssz);
        w.add(lm ? sp : stack_slot(cpu, new_ss, sp, gsz, SegmentRules::Protected, selector_error(nss)), gsz, v);
      };
      put(old_ss.selector);
      put(old_sp);
      for (unsigned k = params; k > 0; --k) put(param[k - 1]);
      put(old_cs);
      put(next_rip);
      w.commit(cpu, new_cpl);
      s.seg[SEG_SS] = new_ss;
      cpu.segments_changed();
      if (nssz == 2) s.gpr[RSP] = (s.gpr[RSP] & ~uint64_t{0xffff}) | (sp & 0xffff);
      else s.gpr[RSP] = sp;
    } else {
      cpu.probe_stack_push(s.gpr[RSP], 2, gsz);
      cpu.push(old_cs, gsz);
      cpu.push(next_rip, gsz);
    }
    mark_accessed(cpu, csel, &code);
    set_code_segment(cpu, csel, code, new_cpl);
    set_ip(cpu, target, gsz);
    return;
  }
  if (!lm && !d.s() && (d.type() == kTaskGate || d.type() == kTss32Avail || d.type() == kTss16Avail)) {
    if (d.dpl() < s.cpl || d.dpl() < (sel & 3u)) cpu.raise(kGP, selector_error(sel), true);
    s.rip = next_rip;
    task_switch(cpu, sel, TaskSwitchSource::Call, false);
    return;
  }
  cpu.raise(kGP, selector_error(sel), true);
}

void far_return(Cpu& cpu, unsigned osz, uint16_t pop_bytes) {
  CpuState& s = cpu.state();
  const uint64_t ip = cpu.peek(osz, 0);
  const uint16_t sel = static_cast<uint16_t>(cpu.peek(osz, osz));
  const unsigned ssz = cpu.stack_addr_size();
  if (!protected_mode(cpu) || (s.rflags & kFlagVM)) {
    check_far_target(cpu, ip, osz, s.seg[SEG_CS].limit);
    cpu.set_reg(RSP, ssz, cpu.reg(RSP, ssz) + 2 * osz + pop_bytes);
    return real_mode_transfer(cpu, sel, ip, osz);
  }
  if ((sel & 0xfffc) == 0) cpu.raise_gp0();
  Descriptor d;
  if (!fetch_descriptor(cpu, sel, &d)) cpu.raise(kGP, selector_error(sel), true);
  const unsigned rpl = sel & 3, cpl = s.cpl;
  if (!d.is_code() || rpl < cpl) cpu.raise(kGP, selector_error(sel), true);
  if (d.conforming() ? d.dpl() > rpl : d.dpl() != rpl) cpu.raise(kGP, selector_error(sel), true);
  if (long_mode_active(cpu) && d.long_code() && d.big()) cpu.raise(kGP, selector_error(sel), true);
  if (!d.present()) cpu.raise(kNP, selector_error(sel), true);
  const bool to64 = long_mode_active(cpu) && d.long_code();
  if (to64 && !Cpu::is_canonical(ip)) cpu.raise_gp0();
  if (!to64) check_far_target(cpu, ip, osz, d.limit());
  if (rpl == cpl) {
    cpu.set_reg(RSP, ssz, cpu.reg(RSP, ssz) + 2 * osz + pop_bytes);
    mark_accessed(cpu, sel, &d);
    set_code_segment(cpu, sel, d, cpl);
    s.rip = to64 ? ip : ip & size_mask(osz);
    return;
  }
  // Outer privilege: SS:SP follow the parameters.
  const uint64_t nsp = cpu.peek(osz, 2 * osz + pop_bytes);
  const uint16_t nss = static_cast<uint16_t>(cpu.peek(osz, 3 * osz + pop_bytes));
  if ((nss & 0xfffc) == 0) {
    if (!(to64 && rpl != 3)) cpu.raise_gp0();
    s.seg[SEG_SS] = null_cache(nss);
    s.seg[SEG_SS].attr = static_cast<uint16_t>(kSegAttrDB | (rpl << 5));
  } else {
    Descriptor ssd;
    if (!fetch_descriptor(cpu, nss, &ssd)) cpu.raise(kGP, selector_error(nss), true);
    if ((nss & 3) != rpl || ssd.dpl() != rpl || !ssd.writable_data()) cpu.raise(kGP, selector_error(nss), true);
    if (!ssd.present()) cpu.raise(kSS, selector_error(nss), true);
    mark_accessed(cpu, nss, &ssd);
    s.seg[SEG_SS] = make_cache(nss, ssd);
  }
  mark_accessed(cpu, sel, &d);
  set_code_segment(cpu, sel, d, rpl);
  s.rip = to64 ? ip : ip & size_mask(osz);
  const unsigned nssz = cpu.mode64() ? 8 : (s.seg[SEG_SS].default_big() ? 4 : 2);
  cpu.set_reg(RSP, nssz, nsp + pop_bytes);
  null_inaccessible_data_segments(cpu);
}

}  // namespace emu::sys
