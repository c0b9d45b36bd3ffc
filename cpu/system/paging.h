// The CPU's AddressTranslator: wraps memory/page_walker.h with the paging inputs taken
// from CpuState (CR0.PG/WP, CR3, CR4.PSE/PAE/PGE/SMEP/SMAP, EFER.LMA/NXE, EFLAGS.AC) and
// turns walk failures into #PF. The PAE PDPTE registers live here (loaded on CR3/CR0/CR4
// writes by cpu/system/control_regs.cpp).
#pragma once
#include <cstdint>

#include "cpu/address_translator.h"
#include "cpu/cpu_state.h"
#include "memory/page_walker.h"

namespace emu {

class SystemPaging final : public AddressTranslator {
 public:
  SystemPaging(PhysicalMemory& mem, const CpuState& s) : mem_(mem), s_(s) {}
  Translation translate(uint64_t linear, Access access, unsigned cpl) override;
  // Descriptor-table, TSS and IDT accesses: supervisor regardless of CPL.
  Translation translate_supervisor(uint64_t linear, bool write);
  // PAE (not long mode): reloads the PDPTEs from CR3; false if one is invalid.
  bool reload_pdptes();

 private:
  PagingContext context() const;
  Translation walk(uint64_t linear, Access access, const PageAccess& pa);
  PhysicalMemory& mem_;
  const CpuState& s_;
  uint64_t pdpte_[4] = {};
};

}  // namespace emu
