// Test fixture for the system CPU: RAM, a Cpu with a SystemCpu attached, and helpers to
// build GDT/IDT/TSS entries and page tables by hand (formats from SDM vol. 3A 3.4.5,
// 6.11, 6.14.1, 7.2.1, 4.5) and to enter protected or long mode directly.
#pragma once
#include <cstdint>
#include <vector>

#include "cpu/cpu.h"
#include "cpu/system/descriptors.h"
#include "cpu/system/system_cpu.h"

namespace emu::test {

inline constexpr uint64_t kGdt = 0x800, kIdt = 0x1000, kTss = 0x3000;

// An 8-byte code/data descriptor: access byte (P DPL S type) and flags nibble (G D/B L AVL).
inline uint64_t seg_desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags) {
  return (limit & 0xffffull) | (uint64_t{base & 0xffffff} << 16) | (static_cast<uint64_t>(access) << 40) |
         (uint64_t{(limit >> 16) & 0xf} << 48) | (static_cast<uint64_t>(flags & 0xf) << 52) | (uint64_t{base >> 24} << 56);
}
// Access bytes.
inline constexpr uint8_t kCode0 = 0x9a, kData0 = 0x92, kCode3 = 0xfa, kData3 = 0xf2;
inline constexpr uint8_t kFlags32 = 0xc, kFlags64 = 0xa;  // G+D, G+L

struct SystemMachine {
  PhysicalMemory mem;
  Cpu cpu{mem};
  SystemCpu sys{cpu};
  CpuState& s = cpu.state();

  SystemMachine() { mem.add_ram(0, 0x400000); }

  void put8(uint64_t a, uint8_t v) { mem.write(a, 1, v); }
  void put16(uint64_t a, uint16_t v) { mem.write(a, 2, v); }
  void put32(uint64_t a, uint32_t v) { mem.write(a, 4, v); }
  void put64(uint64_t a, uint64_t v) { mem.write(a, 8, v); }
  uint64_t get(uint64_t a, unsigned n) { return mem.read(a, n); }
  void code(uint64_t at, const std::vector<uint8_t>& bytes) { mem.load_bytes(at, bytes.data(), bytes.size()); }

  void gdt(unsigned index, uint64_t desc) { put64(kGdt + 8 * index, desc); }
  // 32-bit gate (interrupt 0xE / trap 0xF / call 0xC / task 5) in a table at `table`.
  void gate32(uint64_t table, unsigned index, uint16_t sel, uint32_t off, unsigned type, unsigned dpl, unsigned params = 0) {
    uint64_t d = (off & 0xffffull) | (uint64_t{sel} << 16) | (uint64_t{params & 0x1f} << 32) |
                 (uint64_t{0x80u | (dpl << 5) | type} << 40) | (uint64_t{off >> 16} << 48);
    put64(table + 8 * index, d);
  }
  // 64-bit interrupt/trap gate in the IDT.
  void gate64(unsigned vector, uint16_t sel, uint64_t off, unsigned type, unsigned dpl, unsigned ist = 0) {
    uint64_t lo = (off & 0xffff) | (uint64_t{sel} << 16) | (uint64_t{ist & 7} << 32) |
                  (uint64_t{0x80u | (dpl << 5) | type} << 40) | (((off >> 16) & 0xffff) << 48);
    put64(kIdt + 16 * vector, lo);
    put64(kIdt + 16 * vector + 8, off >> 32);
  }
  // Loads a segment register's cache from the GDT entry (as a far jump/MOV would).
  void load_cache(unsigned seg, uint16_t sel) {
    sys::Descriptor d;
    d.lo = static_cast<uint32_t>(get(kGdt + (sel & ~7u), 4));
    d.hi = static_cast<uint32_t>(get(kGdt + (sel & ~7u) + 4, 4));
    s.seg[seg] = sys::make_cache(sel, d);
  }

  // Flat 32-bit protected mode: GDT 1 = code0, 2 = data0, 3 = code3, 4 = data3, 5 = TSS.
  void enter_protected32(unsigned cpl = 0) {
    gdt(1, seg_desc(0, 0xfffff, kCode0, kFlags32));
    gdt(2, seg_desc(0, 0xfffff, kData0, kFlags32));
    gdt(3, seg_desc(0, 0xfffff, kCode3, kFlags32));
    gdt(4, seg_desc(0, 0xfffff, kData3, kFlags32));
    gdt(5, seg_desc(kTss, 0x67, 0x8b, 0));  // busy 32-bit TSS
    s.gdtr = {kGdt, 0x7f};
    s.idtr = {kIdt, 0x7ff};
    s.cr0 = kCr0PE | 0x10;
    s.efer = 0;
    const uint16_t cs = cpl ? 0x1b : 0x08, ds = cpl ? 0x23 : 0x10;
    load_cache(isa::SEG_CS, cs);
    for (unsigned k : {0u, 2u, 3u, 4u, 5u}) load_cache(k, ds);
    load_cache(isa::SEG_CS, cs);
    s.tr = sys::make_cache(0x28, sys::Descriptor{static_cast<uint32_t>(get(kGdt + 0x28, 4)), static_cast<uint32_t>(get(kGdt + 0x2c, 4)), 0});
    s.cpl = static_cast<uint8_t>(cpl);
    cpu.refresh_mode();
    cpu.flush_tlb();
  }

  // Identity-mapped 4-level paging of the first 1 GiB with 2 MiB pages (user-accessible).
  static constexpr uint64_t kPml4 = 0x100000;
  void build_long_page_tables() {
    put64(kPml4, (kPml4 + 0x1000) | 7);
    put64(kPml4 + 0x1000, (kPml4 + 0x2000) | 7);
    for (uint64_t k = 0; k < 512; ++k) put64(kPml4 + 0x2000 + 8 * k, (k << 21) | 0x87);
  }
  // 64-bit long mode: GDT 1 = code0 (64), 2 = data0, 3 = code3 (32, for SYSRET), 4 = data3,
  // 5 = code3 (64), 6..7 = 64-bit TSS.
  void enter_long64(unsigned cpl = 0) {
    build_long_page_tables();
    gdt(1, seg_desc(0, 0xfffff, kCode0, kFlags64));
    gdt(2, seg_desc(0, 0xfffff, kData0, kFlags32));
    gdt(3, seg_desc(0, 0xfffff, kCode3, kFlags32));
    gdt(4, seg_desc(0, 0xfffff, kData3, kFlags32));
    gdt(5, seg_desc(0, 0xfffff, kCode3, kFlags64));
    gdt(6, seg_desc(kTss, 0x67, 0x8b, 0));
    gdt(7, 0);
    s.gdtr = {kGdt, 0x7f};
    s.idtr = {kIdt, 0xfff};
    s.cr0 = kCr0PE | kCr0PG | 0x10;
    s.cr3 = kPml4;
    s.cr4 = 1u << 5;
    s.efer = kEferLME | kEferLMA | 1;  // SCE
    const uint16_t cs = cpl ? 0x2b : 0x08, ds = cpl ? 0x23 : 0x10;
    for (unsigned k : {0u, 2u, 3u, 4u, 5u}) load_cache(k, ds);
    load_cache(isa::SEG_CS, cs);
    s.tr = sys::make_cache(0x30, sys::Descriptor{static_cast<uint32_t>(get(kGdt + 0x30, 4)), static_cast<uint32_t>(get(kGdt + 0x34, 4)), 0});
    s.cpl = static_cast<uint8_t>(cpl);
    cpu.refresh_mode();
    cpu.flush_tlb();
  }
};

}  // namespace emu::test
