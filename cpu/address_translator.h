// Linear-to-physical translation, the interface the page walker (memory/, with the
// system step) implements. The CPU's soft TLB (cpu/cpu.h: TlbEntry) caches its answers
// per 4 KiB page, as DESIGN.md's soft TLB describes; the TLB is flushed through
// Cpu::flush_tlb() when translations change (CR0/CR4/EFER writes, map changes), keeps
// global pages on CR3 writes (Cpu::flush_tlb_nonglobal) and drops one page on INVLPG
// (Cpu::flush_tlb_page).
#pragma once
#include <cstdint>

#include "cpu/exception.h"

namespace emu {

enum class Access : uint8_t { Read, Write, Fetch };

struct Translation {
  bool ok = true;
  uint64_t phys = 0;
  CpuException fault;  // when !ok (normally #PF with error code and fault address)
  bool global = false;        // survives CR3 writes (PTE.G with CR4.PGE)
  uint64_t page_size = 4096;  // of the page mapping it (2/4 MiB or 1 GiB: INVLPG drops it whole)
};

class AddressTranslator {
 public:
  virtual ~AddressTranslator() = default;
  virtual Translation translate(uint64_t linear, Access access, unsigned cpl) = 0;
};

// Paging disabled: physical = linear. TODO(system step): the 32-bit/PAE/4-level page
// walker in memory/ replaces this when CR0.PG is set.
class IdentityTranslator final : public AddressTranslator {
 public:
  Translation translate(uint64_t linear, Access, unsigned) override {
    Translation t;
    t.phys = linear;
    return t;
  }
};

}  // namespace emu
