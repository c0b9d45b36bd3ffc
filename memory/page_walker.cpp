// x86 page-table walker (see page_walker.h). The rules follow the Intel SDM vol. 3A,
// chapter 4 ("Paging"): sections 4.3 (32-bit), 4.4 (PAE), 4.5 (4-level), 4.6 (access
// rights) and 4.7 (page-fault error codes).
#include "memory/page_walker.h"

#include <algorithm>

#include "base/endian.h"

namespace emu {
namespace {

constexpr uint64_t kP = 1ull << 0;
constexpr uint64_t kRW = 1ull << 1;
constexpr uint64_t kUS = 1ull << 2;
constexpr uint64_t kA = 1ull << 5;
constexpr uint64_t kD = 1ull << 6;
constexpr uint64_t kPS = 1ull << 7;
constexpr uint64_t kG = 1ull << 8;
constexpr uint64_t kXD = 1ull << 63;

// A page-table entry in guest memory: entries in RAM are read and updated through a
// host pointer (one region lookup per entry); others (ROM, MMIO, unmapped) through
// PhysicalMemory::read and are never written.
struct EntryRef {
  uint8_t* host = nullptr;  // null: not in RAM
};

uint64_t read_entry(PhysicalMemory& m, uint64_t addr, unsigned size, EntryRef* ref) {
  ref->host = m.host_pointer(addr, size, true);
  if (!ref->host) return m.read(addr, size);
  return size == 8 ? load_le64(ref->host) : load_le32(ref->host);
}

void set_bits(const EntryRef& ref, unsigned size, uint64_t bits) {
  if (!ref.host) return;  // page tables outside RAM are never written
  if (size == 8) {
    const uint64_t v = load_le64(ref.host);
    if ((v & bits) != bits) store_le64(ref.host, v | bits);
  } else {
    const uint32_t v = load_le32(ref.host);
    if ((v & bits) != bits) store_le32(ref.host, static_cast<uint32_t>(v | bits));
  }
}

struct Leaf {
  EntryRef entry[4];  // the entries used (for A/D updates)
  unsigned levels = 0;
  uint64_t leaf_entry = 0;
  bool writable = true, user = true, no_exec = false;
};

PageWalkResult fault(const PageAccess& a, const PagingContext& ctx, uint32_t bits) {
  PageWalkResult t;
  t.error_code = bits;
  if (a.kind == AccessKind::Write) t.error_code |= pf::kWrite;
  if (a.user) t.error_code |= pf::kUser;
  const bool fetch_reported = ctx.smep || (ctx.nxe && ctx.mode != PagingMode::Legacy32);
  if (a.kind == AccessKind::Execute && fetch_reported) t.error_code |= pf::kFetch;
  return t;
}


// Applies the access-rights rules of SDM 4.6 to the combined rights of a translation.
bool access_allowed(const PagingContext& ctx, const PageAccess& a, bool writable, bool user, bool no_exec) {
  switch (a.kind) {
    case AccessKind::Execute:
      if (no_exec) return false;
      if (a.user) return user;
      return !(ctx.smep && user);
    case AccessKind::Read:
      if (a.user) return user;
      if (ctx.smap && user && (a.implicit_supervisor || !a.ac_flag)) return false;
      return true;
    case AccessKind::Write:
      if (a.user) return user && writable;
      if (ctx.smap && user && (a.implicit_supervisor || !a.ac_flag)) return false;
      return writable || !ctx.wp;
  }
  return false;
}

}  // namespace

PageWalkResult walk_page_tables(PhysicalMemory& memory, const PagingContext& ctx, uint64_t linear, const PageAccess& access) {
  PageWalkResult t;
  if (ctx.mode == PagingMode::None) {
    t.ok = true;
    t.paddr = linear;
    t.page_base = linear & ~uint64_t{0xfff};
    t.writable = t.user = t.executable = true;
    t.dirty = true;
    return t;
  }

  Leaf leaf;
  uint64_t page_size = 4096;
  uint64_t page_base = 0;

  if (ctx.mode == PagingMode::Legacy32) {
    linear &= 0xffffffffu;
    const uint64_t pde_addr = (ctx.cr3 & 0xfffff000u) | ((linear >> 22) << 2);
    const uint64_t pde = read_entry(memory, pde_addr, 4, &leaf.entry[leaf.levels]);
    if (!(pde & kP)) return fault(access, ctx, 0);
    leaf.levels++;
    leaf.writable = pde & kRW;
    leaf.user = pde & kUS;
    if ((pde & kPS) && ctx.pse) {
      // 4 MiB page; bits 20:13 are physical address bits 39:32 (PSE-36), bit 21 reserved,
      // as are the high bits beyond MAXPHYADDR.
      const unsigned high_bits = ctx.maxphyaddr > 32 ? std::min(ctx.maxphyaddr - 32, 8u) : 0;
      const uint64_t reserved = (0x3fe000ull & ~(((1ull << high_bits) - 1) << 13));
      if (pde & reserved) return fault(access, ctx, pf::kPresent | pf::kReserved);
      page_size = 4ull << 20;
      page_base = (pde & 0xffc00000u) | (((pde >> 13) & 0xff) << 32);
      leaf.leaf_entry = pde;
    } else {
      const uint64_t pte_addr = (pde & 0xfffff000u) | (((linear >> 12) & 0x3ff) << 2);
      const uint64_t pte = read_entry(memory, pte_addr, 4, &leaf.entry[leaf.levels]);
      if (!(pte & kP)) return fault(access, ctx, 0);
      leaf.levels++;
      leaf.writable = leaf.writable && (pte & kRW);
      leaf.user = leaf.user && (pte & kUS);
      page_base = pte & 0xfffff000u;
      leaf.leaf_entry = pte;
    }
  } else {
    const uint64_t addr_mask = ((1ull << ctx.maxphyaddr) - 1) & ~uint64_t{0xfff};
    // Bits that must be zero in every entry: above MAXPHYADDR (up to bit 51 in long
    // mode, 62 in PAE mode), and XD when NX is off.
    uint64_t reserved = (ctx.mode == PagingMode::Pae ? (1ull << 63) - 1 : (1ull << 52) - 1) & ~((1ull << ctx.maxphyaddr) - 1);
    if (!ctx.nxe) reserved |= kXD;

    int level;  // 3 = PML4, 2 = PDPT, 1 = PD, 0 = PT
    uint64_t table;
    if (ctx.mode == PagingMode::Long4) {
      // Non-canonical addresses never get here: the CPU raises #GP/#SS before paging.
      level = 3;
      table = ctx.cr3 & addr_mask;
    } else {
      linear &= 0xffffffffu;
      const uint64_t pdpte = ctx.pdpte[(linear >> 30) & 3];
      if (!(pdpte & kP)) return fault(access, ctx, 0);
      level = 1;
      table = pdpte & addr_mask;
    }
    for (;; level--) {
      const unsigned shift = 12 + 9 * level;
      const uint64_t entry_addr = table | (((linear >> shift) & 0x1ff) << 3);
      const uint64_t e = read_entry(memory, entry_addr, 8, &leaf.entry[leaf.levels]);
      if (!(e & kP)) return fault(access, ctx, 0);
      uint64_t bad = e & reserved;
      const bool large = level > 0 && (e & kPS);
      if (large && (level == 3 || (level == 2 && !ctx.gb_pages))) bad |= kPS;  // PS reserved in PML4E; 1 GiB pages only if offered
      if (large && !(bad & kPS)) bad |= e & (((1ull << shift) - 1) & ~0x1fffull);  // reserved low address bits of a large page
      if (bad) return fault(access, ctx, pf::kPresent | pf::kReserved);
      leaf.levels++;
      leaf.writable = leaf.writable && (e & kRW);
      leaf.user = leaf.user && (e & kUS);
      leaf.no_exec = leaf.no_exec || (ctx.nxe && (e & kXD));
      if (level == 0 || large) {
        page_size = 1ull << shift;
        page_base = e & addr_mask & ~(page_size - 1);
        leaf.leaf_entry = e;
        break;
      }
      table = e & addr_mask;
    }
  }

  if (!access_allowed(ctx, access, leaf.writable, leaf.user, leaf.no_exec)) return fault(access, ctx, pf::kPresent);

  // Accessed bits on every entry used; dirty on the leaf for writes.
  const unsigned esize = ctx.mode == PagingMode::Legacy32 ? 4 : 8;
  for (unsigned i = 0; i < leaf.levels; i++) {
    const bool is_leaf = i + 1 == leaf.levels;
    set_bits(leaf.entry[i], esize, kA | (is_leaf && access.kind == AccessKind::Write ? kD : 0));
  }

  t.ok = true;
  t.page_size = page_size;
  t.page_base = page_base;
  t.paddr = page_base | (linear & (page_size - 1));
  t.writable = access.user ? leaf.writable : (leaf.writable || !ctx.wp);
  t.user = leaf.user;
  t.executable = !leaf.no_exec;
  t.global = ctx.pge && (leaf.leaf_entry & kG);
  t.dirty = (leaf.leaf_entry & kD) || access.kind == AccessKind::Write;
  return t;
}

bool load_pae_pdptes(PhysicalMemory& memory, PagingContext& ctx) {
  const uint64_t base = ctx.cr3 & 0xffffffe0u;
  // PAE PDPTEs: bits 2:1, 8:5 and those above MAXPHYADDR are reserved.
  const uint64_t reserved = 0x1e6ull | (~((1ull << ctx.maxphyaddr) - 1));
  uint64_t e[4];
  for (unsigned i = 0; i < 4; i++) {
    e[i] = memory.read(base + 8 * i, 8);
    if ((e[i] & kP) && (e[i] & reserved)) return false;
  }
  for (unsigned i = 0; i < 4; i++) ctx.pdpte[i] = e[i];
  return true;
}

}  // namespace emu
