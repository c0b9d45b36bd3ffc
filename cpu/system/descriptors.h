// Segment descriptors: decoding the 8-byte (and 16-byte long-mode system) format, reading
// them from the GDT/LDT with limit checks, the descriptor cache layout of CpuState, and
// segment-register loads with the protected-mode checks (SDM vol. 3A 3.4-3.5, 5.5-5.8):
// real-mode loads, data/stack segment loads, LLDT, LTR.
#pragma once
#include <cstdint>

#include "cpu/cpu.h"

namespace emu::sys {

struct Descriptor {
  uint32_t lo = 0, hi = 0;
  uint32_t base_hi = 0;  // bits 63..32 of the base (16-byte system descriptors in long mode)

  unsigned type() const { return (hi >> 8) & 0xf; }
  bool s() const { return hi & (1u << 12); }  // code/data (1) or system (0)
  unsigned dpl() const { return (hi >> 13) & 3; }
  bool present() const { return hi & (1u << 15); }
  bool is_code() const { return s() && (type() & 8); }
  bool is_data() const { return s() && !(type() & 8); }
  bool conforming() const { return is_code() && (type() & 4); }
  bool readable() const { return is_data() || (type() & 2); }
  bool writable_data() const { return is_data() && (type() & 2); }
  bool long_code() const { return hi & (1u << 21); }
  bool big() const { return hi & (1u << 22); }
  uint64_t base() const {
    return ((lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000u)) | (uint64_t{base_hi} << 32);
  }
  uint32_t limit() const {
    uint32_t l = (lo & 0xffff) | (hi & 0xf0000);
    return (hi & (1u << 23)) ? (l << 12) | 0xfff : l;
  }
  uint16_t attr() const { return static_cast<uint16_t>(((hi >> 8) & 0xff) | (((hi >> 20) & 0xf) << 12)); }
  // Gate fields.
  uint16_t gate_selector() const { return static_cast<uint16_t>(lo >> 16); }
  uint64_t gate_offset() const { return (lo & 0xffff) | (hi & 0xffff0000u) | (uint64_t{base_hi} << 32); }
  unsigned gate_param_count() const { return hi & 0x1f; }
  unsigned gate_ist() const { return hi & 7; }
};

// System descriptor types (S = 0).
enum SystemType : unsigned {
  kTss16Avail = 1, kLdt = 2, kTss16Busy = 3, kCallGate16 = 4, kTaskGate = 5, kIntGate16 = 6, kTrapGate16 = 7,
  kTss32Avail = 9, kTss32Busy = 11, kCallGate32 = 12, kIntGate32 = 14, kTrapGate32 = 15,
};

bool long_mode_active(const Cpu& cpu);
bool protected_mode(const Cpu& cpu);
// Selector error code (index|TI, RPL cleared) with the EXT bit.
inline uint32_t selector_error(uint16_t sel, bool ext = false) { return (sel & 0xfffcu) | (ext ? 1u : 0u); }

// Reads the descriptor of `sel` from the GDT or LDT; false if beyond the table limit (or
// the LDT is unusable). `wide` reads 16 bytes (long-mode system descriptors).
bool fetch_descriptor(Cpu& cpu, uint16_t sel, Descriptor* d, bool wide = false);
// Sets the accessed bit in the descriptor in memory (and in *d).
void mark_accessed(Cpu& cpu, uint16_t sel, Descriptor* d);
// Descriptor cache contents for a loaded descriptor.
SegmentCache make_cache(uint16_t sel, const Descriptor& d);
// A null (unusable) segment cache with the given selector.
SegmentCache null_cache(uint16_t sel);

// MOV/POP/LxS to ES, SS, DS, FS, GS with every mode's checks; CS is loaded by far transfers.
void load_segment(Cpu& cpu, unsigned seg, uint16_t sel);
// Loads SS during a privilege change (checks against the new CPL, faults as #TS).
void load_stack_segment_for_cpl(Cpu& cpu, uint16_t sel, unsigned cpl, bool ext);
// Installs CS from a checked code descriptor with CPL `cpl` (RPL of the selector set to it).
void set_code_segment(Cpu& cpu, uint16_t sel, const Descriptor& d, unsigned cpl);
// After a return to an outer privilege: data segments not accessible at the new CPL become null.
void null_inaccessible_data_segments(Cpu& cpu);

void load_ldt(Cpu& cpu, uint16_t sel);
void load_task_register(Cpu& cpu, uint16_t sel);

}  // namespace emu::sys
