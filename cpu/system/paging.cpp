// SystemPaging: CpuState -> PagingContext -> walk_page_tables, faults as #PF.
#include "cpu/system/paging.h"

#include "cpu/isa/opcode_table.h"

namespace emu {

static constexpr uint64_t kCr0WP = 1u << 16;
static constexpr uint64_t kCr4PSE = 1u << 4, kCr4PAE = 1u << 5, kCr4PGE = 1u << 7;
static constexpr uint64_t kCr4SMEP = 1u << 20, kCr4SMAP = 1u << 21;
static constexpr uint64_t kEferNXE = 1u << 11;
static constexpr uint64_t kFlagAC = 1u << 18;

PagingContext SystemPaging::context() const {
  PagingContext c;
  if (!(s_.cr0 & kCr0PG)) c.mode = PagingMode::None;
  else if (s_.efer & kEferLMA) c.mode = PagingMode::Long4;
  else if (s_.cr4 & kCr4PAE) c.mode = PagingMode::Pae;
  else c.mode = PagingMode::Legacy32;
  c.cr3 = s_.cr3;
  for (int k = 0; k < 4; ++k) c.pdpte[k] = pdpte_[k];
  c.wp = s_.cr0 & kCr0WP;
  c.pse = s_.cr4 & kCr4PSE;
  c.nxe = s_.efer & kEferNXE;
  c.smep = s_.cr4 & kCr4SMEP;
  c.smap = s_.cr4 & kCr4SMAP;
  c.pge = s_.cr4 & kCr4PGE;
  c.gb_pages = false;
  return c;
}

Translation SystemPaging::walk(uint64_t linear, Access access, const PageAccess& pa) {
  if (!(s_.cr0 & kCr0PG)) {
    Translation t;
    t.phys = linear;
    return t;
  }
  PageWalkResult r = walk_page_tables(mem_, context(), linear, pa);
  Translation t;
  if (r.ok) {
    t.phys = r.paddr;
    t.global = r.global;
    t.page_size = r.page_size;
    return t;
  }
  t.ok = false;
  t.fault.vector = kPF;
  t.fault.has_error_code = true;
  t.fault.error_code = r.error_code;
  t.fault.fault_address = linear;
  (void)access;
  return t;
}

Translation SystemPaging::translate(uint64_t linear, Access access, unsigned cpl) {
  PageAccess pa;
  pa.kind = access == Access::Write ? AccessKind::Write : access == Access::Fetch ? AccessKind::Execute : AccessKind::Read;
  pa.user = cpl == 3;
  pa.ac_flag = s_.rflags & kFlagAC;
  return walk(linear, access, pa);
}

Translation SystemPaging::translate_supervisor(uint64_t linear, bool write) {
  PageAccess pa;
  pa.kind = write ? AccessKind::Write : AccessKind::Read;
  pa.implicit_supervisor = true;
  return walk(linear, write ? Access::Write : Access::Read, pa);
}

bool SystemPaging::reload_pdptes() {
  PagingContext c = context();
  c.mode = PagingMode::Pae;
  if (!load_pae_pdptes(mem_, c)) return false;
  for (int k = 0; k < 4; ++k) pdpte_[k] = c.pdpte[k];
  return true;
}

}  // namespace emu
