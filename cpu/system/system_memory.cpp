// Implicit-supervisor and explicit-privilege memory accesses (see system_memory.h).
#include "cpu/system/system_memory.h"

#include "cpu/system/system_cpu.h"

namespace emu::sys {

uint64_t system_linear(const Cpu& cpu, uint64_t lin) {
  return (cpu.state().efer & kEferLMA) ? lin : (lin & 0xffffffffu);
}

static uint64_t phys_of(Cpu& cpu, uint64_t lin, bool write) {
  Translation t = cpu.system->paging().translate_supervisor(lin, write);
  if (!t.ok) cpu.raise_exception(t.fault);
  return t.phys;
}

uint64_t read_system(Cpu& cpu, uint64_t lin, unsigned size) {
  uint64_t v = 0;
  if ((lin & 0xfff) + size <= 0x1000) return cpu.memory().read(phys_of(cpu, system_linear(cpu, lin), false), size);
  for (unsigned k = 0; k < size; ++k)
    v |= (cpu.memory().read(phys_of(cpu, system_linear(cpu, lin + k), false), 1) & 0xff) << (8 * k);
  return v;
}

void read_system_dwords(Cpu& cpu, uint64_t lin, unsigned count, uint32_t* out) {
  const uint64_t first = system_linear(cpu, lin);
  if ((first & 0xfff) + 4 * count > 0x1000) {
    for (unsigned k = 0; k < count; ++k) out[k] = static_cast<uint32_t>(read_system(cpu, lin + 4 * k, 4));
    return;
  }
  const uint64_t pa = phys_of(cpu, first, false);
  for (unsigned k = 0; k < count; ++k) out[k] = static_cast<uint32_t>(cpu.memory().read(pa + 4 * k, 4));
}

void write_system(Cpu& cpu, uint64_t lin, unsigned size, uint64_t v) {
  if ((lin & 0xfff) + size <= 0x1000) {
    cpu.memory().write(phys_of(cpu, system_linear(cpu, lin), true), size, v);
    return;
  }
  uint64_t pa[8];
  for (unsigned k = 0; k < size && k < 8; ++k) pa[k] = phys_of(cpu, system_linear(cpu, lin + k), true);
  for (unsigned k = 0; k < size && k < 8; ++k) cpu.memory().write(pa[k], 1, (v >> (8 * k)) & 0xff);
}

uint64_t stack_slot(Cpu& cpu, const SegmentCache& ss, uint64_t offset, unsigned size, SegmentRules rules,
                    uint32_t error) {
  if (!segment_bounds(ss, true, rules).allows(offset, size)) cpu.raise(kSS, error, true);
  return (ss.base + offset) & 0xffffffffu;
}

void StackWrites::commit(Cpu& cpu, unsigned cpl) const {
  uint64_t pa[12][2];
  AddressTranslator& tr = cpu.system->paging();
  // The page walked last (bit 0 set: none): slots in it reuse its translation, which is
  // the walk's answer (the same access at the same privilege; its A/D bits are set).
  uint64_t walked_page = 1, walked_phys = 0;
  auto translate = [&](uint64_t lin) {
    const uint64_t page = lin & ~uint64_t{0xfff};
    if (page != walked_page) {
      const Translation t = tr.translate(lin, Access::Write, cpl);
      if (!t.ok) cpu.raise_exception(t.fault);
      walked_page = page;
      walked_phys = t.phys & ~uint64_t{0xfff};
    }
    return walked_phys | (lin & 0xfff);
  };
  for (unsigned k = 0; k < count; ++k) {
    const Slot& s = slot[k];
    uint64_t first = system_linear(cpu, s.lin), last = system_linear(cpu, s.lin + s.size - 1);
    if ((cpu.state().efer & kEferLMA) && (!Cpu::is_canonical(first) || !Cpu::is_canonical(last))) cpu.raise(kSS, 0, true);
    pa[k][0] = translate(first);
    pa[k][1] = translate(last);
  }
  for (unsigned k = 0; k < count; ++k) {
    const Slot& s = slot[k];
    if ((pa[k][0] & 0xfff) + s.size <= 0x1000) {
      cpu.memory().write(pa[k][0], s.size, s.value);
      continue;
    }
    for (unsigned b = 0; b < s.size; ++b) {
      uint64_t off = (pa[k][0] & 0xfff) + b;
      uint64_t p = off < 0x1000 ? pa[k][0] + b : (pa[k][1] & ~uint64_t{0xfff}) + (off - 0x1000);
      cpu.memory().write(p, 1, (s.value >> (8 * b)) & 0xff);
    }
  }
}

}  // namespace emu::sys
