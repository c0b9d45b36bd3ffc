// Descriptor reads and checked segment-register loads (see descriptors.h).
#include "cpu/system/descriptors.h"

#include "cpu/system/system_memory.h"

namespace emu::sys {

using isa::SEG_CS;
using isa::SEG_SS;

bool long_mode_active(const Cpu& cpu) { return cpu.state().efer & kEferLMA; }
bool protected_mode(const Cpu& cpu) { return cpu.state().cr0 & kCr0PE; }

static bool ldt_usable(const CpuState& s) { return (s.ldtr.attr & 0x80) && s.ldtr.selector >= 4; }

bool fetch_descriptor(Cpu& cpu, uint16_t sel, Descriptor* d, bool wide) {
  const CpuState& s = cpu.state();
  uint64_t base;
  uint32_t limit;
  if (sel & 4) {
    if (!ldt_usable(s)) return false;
    base = s.ldtr.base;
    limit = s.ldtr.limit;
  } else {
    base = s.gdtr.base;
    limit = s.gdtr.limit;
  }
  uint64_t off = sel & 0xfff8u;
  if (off + (wide ? 15 : 7) > limit) return false;
  uint32_t w[3] = {};
  read_system_dwords(cpu, base + off, wide ? 3 : 2, w);
  d->lo = w[0];
  d->hi = w[1];
  d->base_hi = w[2];
  return true;
}

void mark_accessed(Cpu& cpu, uint16_t sel, Descriptor* d) {
  if (!d->s() || (d->hi & 0x100)) return;
  d->hi |= 0x100;
  const CpuState& s = cpu.state();
  uint64_t base = (sel & 4) ? s.ldtr.base : s.gdtr.base;
  write_system(cpu, base + (sel & 0xfff8u) + 5, 1, (d->hi >> 8) & 0xff);
}

SegmentCache make_cache(uint16_t sel, const Descriptor& d) {
  SegmentCache c;
  c.selector = sel;
  c.base = d.base();
  c.limit = d.limit();
  c.attr = d.attr();
  return c;
}

SegmentCache null_cache(uint16_t sel) {
  SegmentCache c;
  c.selector = sel;
  c.base = 0;
  c.limit = 0;
  c.attr = 0;  // P = 0: unusable
  return c;
}

static void load_stack_cache_for_cpl(Cpu& cpu, uint16_t sel, unsigned cpl, bool ext) {
  CpuState& s = cpu.state();
  if ((sel & 0xfffc) == 0) {
    // 64-bit mode allows a null SS below CPL 3.
    if (long_mode_active(cpu) && cpl < 3) {
      s.seg[SEG_SS] = null_cache(static_cast<uint16_t>((sel & ~3u) | cpl));
      s.seg[SEG_SS].attr = static_cast<uint16_t>(kSegAttrDB | (cpl << 5));
      return;
    }
    cpu.raise(kTS, ext ? 1 : 0, true);
  }
  Descriptor d;
  if (!fetch_descriptor(cpu, sel, &d)) cpu.raise(kTS, selector_error(sel, ext), true);
  if ((sel & 3) != cpl || d.dpl() != cpl || !d.writable_data()) cpu.raise(kTS, selector_error(sel, ext), true);
  if (!d.present()) cpu.raise(kSS, selector_error(sel, ext), true);
  mark_accessed(cpu, sel, &d);
  s.seg[SEG_SS] = make_cache(sel, d);
}

void load_stack_segment_for_cpl(Cpu& cpu, uint16_t sel, unsigned cpl, bool ext) {
  load_stack_cache_for_cpl(cpu, sel, cpl, ext);
  cpu.segments_changed();
}

static void load_segment_cache(Cpu& cpu, unsigned seg, uint16_t sel) {
  CpuState& s = cpu.state();
  if (seg > 5 || seg == SEG_CS) cpu.raise(kUD);
  if (!protected_mode(cpu) || (s.rflags & (1u << 17))) {
    // Real mode: base = selector * 16; limit and attributes stay (unreal mode keeps a
    // larger limit). Virtual-8086 mode: a 64 KiB read/write data segment.
    s.seg[seg].selector = sel;
    s.seg[seg].base = uint64_t{sel} << 4;
    if (s.rflags & (1u << 17)) {
      s.seg[seg].attr = static_cast<uint16_t>(0xf3);
      s.seg[seg].limit = 0xffff;
    }
    return;
  }
  const unsigned cpl = s.cpl;
  if (seg == SEG_SS) {
    if ((sel & 0xfffc) == 0) {
      if (cpu.mode64() && cpl < 3 && (sel & 3) == cpl) {
        s.seg[SEG_SS] = null_cache(sel);
        s.seg[SEG_SS].attr = static_cast<uint16_t>(kSegAttrDB | (cpl << 5));
        return;
      }
      cpu.raise_gp0();
    }
    Descriptor d;
    if (!fetch_descriptor(cpu, sel, &d)) cpu.raise(kGP, selector_error(sel), true);
    if ((sel & 3) != cpl || d.dpl() != cpl || !d.writable_data()) cpu.raise(kGP, selector_error(sel), true);
    if (!d.present()) cpu.raise(kSS, selector_error(sel), true);
    mark_accessed(cpu, sel, &d);
    s.seg[SEG_SS] = make_cache(sel, d);
    return;
  }
  if ((sel & 0xfffc) == 0) {
    s.seg[seg] = null_cache(sel);
    return;
  }
  Descriptor d;
  if (!fetch_descriptor(cpu, sel, &d)) cpu.raise(kGP, selector_error(sel), true);
  if (!d.s() || !d.readable()) cpu.raise(kGP, selector_error(sel), true);
  if (!d.conforming() && ((sel & 3) > d.dpl() || cpl > d.dpl())) cpu.raise(kGP, selector_error(sel), true);
  if (!d.present()) cpu.raise(kNP, selector_error(sel), true);
  mark_accessed(cpu, sel, &d);
  s.seg[seg] = make_cache(sel, d);
}

void load_segment(Cpu& cpu, unsigned seg, uint16_t sel) {
  load_segment_cache(cpu, seg, sel);
  cpu.segments_changed();
}

void set_code_segment(Cpu& cpu, uint16_t sel, const Descriptor& d, unsigned cpl) {
  CpuState& s = cpu.state();
  s.seg[SEG_CS] = make_cache(static_cast<uint16_t>((sel & ~3u) | cpl), d);
  s.cpl = static_cast<uint8_t>(cpl);  // selects the soft TLB set of its privilege class
  cpu.refresh_mode();
  cpu.end_block();
}

void null_inaccessible_data_segments(Cpu& cpu) {
  CpuState& s = cpu.state();
  const unsigned segs[] = {isa::SEG_ES, isa::SEG_DS, isa::SEG_FS, isa::SEG_GS};
  for (unsigned k : segs) {
    const SegmentCache c = s.seg[k];
    bool code = c.attr & 0x8;
    bool conforming_code = code && (c.attr & 0x4);
    if ((c.attr & 0x10) && !conforming_code && c.dpl() < s.cpl) {
      s.seg[k] = null_cache(0);
      if (k >= isa::SEG_FS) s.seg[k].base = c.base;  // 64-bit bases survive as hardware does
    }
  }
  cpu.segments_changed();
}

void load_ldt(Cpu& cpu, uint16_t sel) {
  CpuState& s = cpu.state();
  if ((sel & 0xfffc) == 0) {
    s.ldtr = null_cache(sel);
    return;
  }
  if (sel & 4) cpu.raise(kGP, selector_error(sel), true);
  const bool wide = long_mode_active(cpu);
  Descriptor d;
  if (!fetch_descriptor(cpu, sel, &d, wide)) cpu.raise(kGP, selector_error(sel), true);
  if (d.s() || d.type() != kLdt) cpu.raise(kGP, selector_error(sel), true);
  if (!d.present()) cpu.raise(kNP, selector_error(sel), true);
  s.ldtr = make_cache(sel, d);
}

void load_task_register(Cpu& cpu, uint16_t sel) {
  CpuState& s = cpu.state();
  if ((sel & 0xfffc) == 0 || (sel & 4)) cpu.raise(kGP, selector_error(sel), true);
  const bool wide = long_mode_active(cpu);
  Descriptor d;
  if (!fetch_descriptor(cpu, sel, &d, wide)) cpu.raise(kGP, selector_error(sel), true);
  bool ok_type = !d.s() && (d.type() == kTss32Avail || (!wide && d.type() == kTss16Avail));
  if (!ok_type) cpu.raise(kGP, selector_error(sel), true);
  if (!d.present()) cpu.raise(kNP, selector_error(sel), true);
  d.hi |= 0x200;  // busy
  write_system(cpu, s.gdtr.base + (sel & 0xfff8u) + 5, 1, (d.hi >> 8) & 0xff);
  s.tr = make_cache(sel, d);
}

}  // namespace emu::sys
