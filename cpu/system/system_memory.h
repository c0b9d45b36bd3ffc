// Memory accesses of the system code that must not go through the soft TLB: implicit
// supervisor reads/writes of descriptor tables, the IDT and TSS, and stack frames
// written at a privilege level other than the current one. Faults raise through the Cpu
// (#PF with CR2) like any access. Page-crossing accesses are split per byte.
#pragma once
#include <cstdint>

#include "cpu/cpu.h"
#include "cpu/segment_checks.h"

namespace emu::sys {

// Linear address of a system-table byte (32-bit wrap outside long mode).
uint64_t system_linear(const Cpu& cpu, uint64_t lin);
uint64_t read_system(Cpu& cpu, uint64_t lin, unsigned size);
// `count` consecutive dwords (a descriptor, a gate): one translation when they lie in
// one page (the same fault as reading the first of them), else dword by dword.
void read_system_dwords(Cpu& cpu, uint64_t lin, unsigned count, uint32_t* out);
void write_system(Cpu& cpu, uint64_t lin, unsigned size, uint64_t v);

// Linear address of a `size`-byte stack slot at `offset` in `ss` (loaded or about to be):
// #SS(error) when the segment's limit or type does not allow the write.
uint64_t stack_slot(Cpu& cpu, const SegmentCache& ss, uint64_t offset, unsigned size, SegmentRules rules,
                    uint32_t error);

// A frame of stack writes done at privilege `cpl`: every slot is translated (and may
// fault) before anything is written, so delivery stays precise. A page is walked once
// per frame (the slots usually share it).
struct StackWrites {
  struct Slot { uint64_t lin; unsigned size; uint64_t value; };
  Slot slot[12];
  unsigned count = 0;
  void add(uint64_t lin, unsigned size, uint64_t v) {
    if (count < 12) slot[count++] = Slot{lin, size, v};
  }
  void commit(Cpu& cpu, unsigned cpl) const;
};

}  // namespace emu::sys
