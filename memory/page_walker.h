// x86 page-table walker: translates a linear address through 32-bit, PAE or 4-level
// page tables held in guest physical memory, applying the protection rules (present,
// R/W with CR0.WP, U/S, NX with EFER.NXE, SMEP, SMAP with EFLAGS.AC, reserved bits) and
// setting the accessed/dirty bits as the hardware does. It reports what a TLB entry
// needs (physical page, page size, effective permissions, global) or the #PF error
// code. It knows nothing about the CPU beyond the paging inputs it is given.
#pragma once
#include <cstdint>

#include "memory/physical_memory.h"

namespace emu {

enum class PagingMode : uint8_t {
  None,      // CR0.PG = 0: linear = physical
  Legacy32,  // 2-level, 4 KiB pages, 4 MiB pages with CR4.PSE
  Pae,       // 3-level with the four PDPTE registers
  Long4,     // 4-level (IA-32e)
};

enum class AccessKind : uint8_t { Read, Write, Execute };

struct PagingContext {
  PagingMode mode = PagingMode::None;
  uint64_t cr3 = 0;
  uint64_t pdpte[4] = {};  // PAE only: loaded from CR3 when it is written (see load_pae_pdptes)
  bool wp = false;         // CR0.WP
  bool pse = false;        // CR4.PSE (legacy 32-bit 4 MiB pages; always on for PAE/long)
  bool nxe = false;        // EFER.NXE
  bool smep = false;       // CR4.SMEP
  bool smap = false;       // CR4.SMAP
  bool pge = false;        // CR4.PGE (global pages)
  bool gb_pages = false;   // 1 GiB pages allowed (CPUID pdpe1gb advertised)
  unsigned maxphyaddr = 40;
};

struct PageAccess {
  AccessKind kind = AccessKind::Read;
  bool user = false;      // a CPL 3 access (not an implicit supervisor access)
  bool ac_flag = false;   // EFLAGS.AC (SMAP override for explicit supervisor accesses)
  bool implicit_supervisor = false;  // descriptor-table/TSS accesses: always supervisor, SMAP applies regardless of AC
};

struct PageWalkResult {
  bool ok = false;
  uint64_t paddr = 0;        // physical address of the linear address
  uint64_t page_base = 0;    // physical base of the page (4 KiB, 2/4 MiB or 1 GiB)
  uint64_t page_size = 4096;
  bool writable = false;     // effective permissions for the access's privilege
  bool user = false;
  bool executable = false;
  bool global = false;
  bool dirty = false;        // the leaf's D bit is set (a TLB may allow writes without a re-walk)
  uint32_t error_code = 0;   // #PF error code when !ok
};

// #PF error-code bits (in a namespace of their own: cpu/exception.h has the CPU's names).
namespace pf {
inline constexpr uint32_t kPresent = 1u << 0;
inline constexpr uint32_t kWrite = 1u << 1;
inline constexpr uint32_t kUser = 1u << 2;
inline constexpr uint32_t kReserved = 1u << 3;
inline constexpr uint32_t kFetch = 1u << 4;
}  // namespace pf

// Walks the page tables for `linear`. A/D bits are updated in guest memory only when the
// access is allowed. Page-table entries outside RAM read as all ones (hence reserved-bit
// faults) and are never written.
PageWalkResult walk_page_tables(PhysicalMemory& memory, const PagingContext& ctx, uint64_t linear, const PageAccess& access);

// PAE: loads the four PDPTEs from CR3 as MOV CR3 does. Returns false when one that is
// present has reserved bits set (the CPU then raises #GP(0) on the MOV).
bool load_pae_pdptes(PhysicalMemory& memory, PagingContext& ctx);

}  // namespace emu
