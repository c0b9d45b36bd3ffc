// MOV CRn/DRn and paging-mode transitions (see control_regs.h).
#include "cpu/system/control_regs.h"

#include "cpu/system/system_cpu.h"

namespace emu::sys {

static bool paging_pae_legacy(const CpuState& s) {
  return (s.cr0 & kCr0PG) && (s.cr4 & kCr4PAE) && !(s.efer & kEferLMA);
}

// Translations changed: Cpu::flush_tlb() drops the soft TLB and the jump cache (which
// maps linear RIPs to decoded blocks), global pages included.
static void translations_changed(Cpu& cpu) {
  cpu.flush_tlb();
  cpu.end_block();
}

void write_cr0(Cpu& cpu, uint64_t v) {
  CpuState& s = cpu.state();
  if (v >> 32) cpu.raise_gp0();
  if ((v & kCr0PG) && !(v & kCr0PE)) cpu.raise_gp0();
  if ((v & kCr0NW) && !(v & kCr0CD)) cpu.raise_gp0();
  const uint64_t old = s.cr0;
  const bool pg_on = (v & kCr0PG) && !(old & kCr0PG);
  const bool pg_off = !(v & kCr0PG) && (old & kCr0PG);
  if (pg_on && (s.efer & kEferLME)) {
    if (!(s.cr4 & kCr4PAE) || s.seg[isa::SEG_CS].long_mode()) cpu.raise_gp0();
  }
  if (pg_off && (s.efer & kEferLMA) && cpu.mode64()) cpu.raise_gp0();
  if (pg_on && (s.cr4 & kCr4PAE) && !(s.efer & kEferLME)) {
    if (!cpu.system->paging().reload_pdptes()) cpu.raise_gp0();
  }
  // Reserved bits of CR0[31:0] are ignored (they read as 0).
  constexpr uint64_t kCr0Defined = 0xe005003full;  // PE MP EM TS ET NE WP AM NW CD PG
  s.cr0 = (v & kCr0Defined) | kCr0ET;
  if (pg_on && (s.efer & kEferLME)) s.efer |= kEferLMA;
  if (pg_off) s.efer &= ~kEferLMA;
  if ((old ^ s.cr0) & (kCr0PG | kCr0WP | kCr0PE)) translations_changed(cpu);
  cpu.refresh_mode();
  cpu.end_block();
}

void write_cr3(Cpu& cpu, uint64_t v) {
  CpuState& s = cpu.state();
  if (!(s.efer & kEferLMA)) v &= 0xffffffffu;
  if (v >> 52) cpu.raise_gp0();
  const uint64_t old = s.cr3;
  s.cr3 = v;
  if (paging_pae_legacy(s) && !cpu.system->paging().reload_pdptes()) {
    s.cr3 = old;
    cpu.raise_gp0();
  }
  // No PCID: a CR3 write drops every non-global translation (SDM 4.10.4.1).
  cpu.flush_tlb_nonglobal();
  cpu.end_block();
}

void write_cr4(Cpu& cpu, uint64_t v) {
  CpuState& s = cpu.state();
  if (v & ~kCr4Supported) cpu.raise_gp0();
  if ((s.efer & kEferLMA) && !(v & kCr4PAE)) cpu.raise_gp0();
  const uint64_t old = s.cr4;
  s.cr4 = v;
  const uint64_t paging_bits = kCr4PSE | kCr4PAE | kCr4PGE;
  if (((old ^ v) & paging_bits) && paging_pae_legacy(s) && !cpu.system->paging().reload_pdptes()) {
    s.cr4 = old;
    cpu.raise_gp0();
  }
  if ((old ^ v) & (paging_bits | kCr4SMEP | kCr4SMAP)) translations_changed(cpu);
  cpu.end_block();
}

void write_efer(Cpu& cpu, uint64_t v) {
  CpuState& s = cpu.state();
  const uint64_t writable = kEferSCE | kEferLME | kEferNXE;
  if (v & ~(writable | kEferLMA)) cpu.raise_gp0();
  if ((s.cr0 & kCr0PG) && ((v ^ s.efer) & kEferLME)) cpu.raise_gp0();
  const uint64_t old = s.efer;
  s.efer = (v & writable) | (s.efer & kEferLMA);
  if ((old ^ s.efer) & kEferNXE) translations_changed(cpu);
}

uint64_t read_cr(Cpu& cpu, unsigned n) {
  CpuState& s = cpu.state();
  switch (n) {
    case 0: return s.cr0;
    case 2: return s.cr2;
    case 3: return s.cr3;
    case 4: return s.cr4;
    case 8:
      if (cpu.system && cpu.system->hooks.read_tpr) return cpu.system->hooks.read_tpr() & 0xf;
      return s.cr8 & 0xf;
    default: cpu.raise(kUD);
  }
}

void write_cr(Cpu& cpu, unsigned n, uint64_t v) {
  CpuState& s = cpu.state();
  switch (n) {
    case 0: write_cr0(cpu, v); return;
    case 2: s.cr2 = cpu.mode64() ? v : v & 0xffffffffu; return;
    case 3: write_cr3(cpu, v); return;
    case 4: write_cr4(cpu, v); return;
    case 8:
      if (v & ~uint64_t{0xf}) cpu.raise_gp0();
      s.cr8 = v;
      if (cpu.system && cpu.system->hooks.write_tpr) cpu.system->hooks.write_tpr(static_cast<uint8_t>(v));
      return;
    default: cpu.raise(kUD);
  }
}

static constexpr uint64_t kCr4DE = 1u << 3;

uint64_t read_dr(Cpu& cpu, unsigned n) {
  CpuState& s = cpu.state();
  if ((n == 4 || n == 5) && (s.cr4 & kCr4DE)) cpu.raise(kUD);
  if (n == 4) n = 6;
  if (n == 5) n = 7;
  if (n > 7) cpu.raise(kUD);
  if (n == 6) return (s.dr[6] & 0x0000e00full) | 0xffff0ff0ull;
  if (n == 7) return (s.dr[7] & 0xffff2bffull) | 0x400;
  return s.dr[n];
}

void write_dr(Cpu& cpu, unsigned n, uint64_t v) {
  CpuState& s = cpu.state();
  if ((n == 4 || n == 5) && (s.cr4 & kCr4DE)) cpu.raise(kUD);
  if (n == 4) n = 6;
  if (n == 5) n = 7;
  if (n > 7) cpu.raise(kUD);
  if (n >= 6 && (v >> 32)) cpu.raise_gp0();
  s.dr[n] = cpu.mode64() ? v : v & 0xffffffffu;
}

void invalidate_page(Cpu& cpu, uint64_t linear) {
  cpu.flush_tlb_page(linear);
  cpu.end_block();
}

}  // namespace emu::sys
