// The JIT's jump table: linear RIP -> host entry of the translated block there, for
// indirect branches and returns. Generated code probes it inline (x86_64_backend.cpp)
// and calls the engine's C++ lookup only on a miss; the engine fills it on lookup hits.
// It is the JIT's own table, separate from the interpreter's jump cache (which maps
// RIPs to decoded blocks). Each entry carries a tag, (epoch << 32) | mode key: bumping
// the epoch invalidates every entry at once (linear mappings changed), and a dropped
// translation clears its own slot. INVLPG visits only the slots that may hold the page's
// entries: slots are chained per bucket of linear pages. A CR3 write makes only the slots
// filled for non-global pages since the last epoch stale (listed; past kMaxNonGlobal of
// them it moves the epoch), so the kernel's entries survive context switches as its
// global TLB entries do. A stale slot (older epoch) keeps its RIP, mode, code and the
// block's physical page: the engine's lookup checks that page against the current fetch
// mapping (Engine::revalidate) and re-tags the slot, so a process's code is found again
// after a context switch without a block lookup. A code-cache flush clears the table.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>

namespace emu::jit {

struct JumpTable {
  static constexpr unsigned kBits = 16;
  static constexpr unsigned kSize = 1u << kBits;
  struct Entry {
    uint64_t rip = 0;
    uint64_t tag = 0;  // (epoch << 32) | mode; epoch 0 is never current (an empty slot)
    const uint8_t* code = nullptr;
    uint64_t global = 0;  // 1: the page's translation is global (also pads to 32 bytes)
  };
  static_assert(sizeof(Entry) == 32, "generated code indexes entries by shifting by 5");

  static unsigned index(uint64_t rip) { return static_cast<unsigned>((rip ^ (rip >> kBits)) & (kSize - 1)); }

  uint64_t epoch_tag = uint64_t{1} << 32;  // the current epoch << 32 (code ORs in the mode)
  alignas(32) Entry entries[kSize];
  // Per slot, the physical page its block was decoded from (kNoPage: never revalidated;
  // the engine inserts only blocks within one page).
  static constexpr uint64_t kNoPage = ~uint64_t{0};
  uint64_t phys_pages[kSize];

  // Per bucket of linear pages, a doubly linked chain of the slots last filled with an
  // entry of a page in that bucket (a slot leaves its chain when refilled for another).
  static constexpr unsigned kPageBuckets = 1024;
  using Slot = uint32_t;
  static constexpr Slot kNoSlot = ~Slot{0};
  Slot bucket_first[kPageBuckets];
  Slot slot_next[kSize], slot_prev[kSize];
  Slot slot_bucket[kSize];  // kNoSlot: in no chain

  static unsigned page_bucket(uint64_t page) {
    return (static_cast<uint32_t>(page >> 12) * 0x9e3779b1u) >> (32 - 10);
  }
  static_assert(kPageBuckets == 1u << 10);

  static constexpr unsigned kMaxNonGlobal = 4096;
  Slot nonglobal_slots[kMaxNonGlobal];
  unsigned num_nonglobal = 0;
  bool nonglobal_overflow = false;

  JumpTable() { clear(); }

  // `global`: the page's translation is global (the entry survives CR3 writes).
  void insert(uint64_t rip, uint32_t mode, const uint8_t* code, uint64_t phys_page, bool global = false) {
    const unsigned k = index(rip);
    entries[k] = Entry{rip, epoch_tag | mode, code, global ? 1u : 0u};
    phys_pages[k] = phys_page;
    if (!global) {
      if (num_nonglobal < kMaxNonGlobal) nonglobal_slots[num_nonglobal++] = k;
      else nonglobal_overflow = true;
    }
    const unsigned bucket = page_bucket(rip & ~uint64_t{0xfff});
    if (slot_bucket[k] == bucket) return;
    unchain(k);
    slot_bucket[k] = bucket;
    slot_prev[k] = kNoSlot;
    slot_next[k] = bucket_first[bucket];
    if (slot_next[k] != kNoSlot) slot_prev[slot_next[k]] = static_cast<uint16_t>(k);
    bucket_first[bucket] = k;
  }
  // What generated code would find (null: miss).
  const uint8_t* find(uint64_t rip, uint32_t mode) const {
    const Entry& e = entries[index(rip)];
    return e.rip == rip && e.tag == (epoch_tag | mode) ? e.code : nullptr;
  }
  // The code a stale slot (older epoch: a CR3 write or TLB flush since it was filled)
  // still holds for this RIP and mode, and its block's physical page, for the engine to
  // check against the current mapping; null if the slot holds no such entry.
  const uint8_t* stale_find(uint64_t rip, uint32_t mode, uint64_t* phys_page) const {
    const unsigned k = index(rip);
    const Entry& e = entries[k];
    if (e.rip != rip || !e.code || static_cast<uint32_t>(e.tag) != mode || e.tag == (epoch_tag | mode) ||
        phys_pages[k] == kNoPage)
      return nullptr;
    *phys_page = phys_pages[k];
    return e.code;
  }
  // The translation at `code` is being dropped: clear its slot if it holds it.
  void forget(uint64_t rip, const uint8_t* code) {
    Entry& e = entries[index(rip)];
    if (e.code == code) e = Entry{};
  }
  // INVLPG: drops the entries whose RIP lies in the linear page (visiting only the
  // slots chained in the page's bucket).
  void invalidate_page(uint64_t page) {
    for (unsigned k = bucket_first[page_bucket(page)]; k != kNoSlot;) {
      const unsigned next = slot_next[k];
      if ((entries[k].rip & ~uint64_t{0xfff}) == page) {
        entries[k] = Entry{};
        unchain(k);
      }
      k = next;
    }
  }
  // CR3 write (no PCID): makes the entries of non-global pages stale (epoch 0, never
  // current; see stale_find).
  void invalidate_nonglobal() {
    if (nonglobal_overflow) {
      invalidate_all();
      return;
    }
    for (unsigned n = 0; n < num_nonglobal; ++n) {
      Entry& e = entries[nonglobal_slots[n]];
      if (!e.global) e.tag = static_cast<uint32_t>(e.tag);
    }
    num_nonglobal = 0;
  }
  void invalidate_all() {
    num_nonglobal = 0;
    nonglobal_overflow = false;
    epoch_tag += uint64_t{1} << 32;
    if (epoch_tag == 0) clear();  // wrapped: old tags could match again
  }
  // Empties every slot (the code cache was flushed: no entry may be revalidated).
  void clear() {
    std::fill(std::begin(entries), std::end(entries), Entry{});
    std::fill(std::begin(phys_pages), std::end(phys_pages), kNoPage);
    std::fill(std::begin(bucket_first), std::end(bucket_first), kNoSlot);
    std::fill(std::begin(slot_bucket), std::end(slot_bucket), kNoSlot);
    epoch_tag = uint64_t{1} << 32;
    num_nonglobal = 0;
    nonglobal_overflow = false;
  }

 private:
  void unchain(unsigned k) {
    const unsigned bucket = slot_bucket[k];
    if (bucket == kNoSlot) return;
    if (slot_prev[k] != kNoSlot) slot_next[slot_prev[k]] = slot_next[k];
    else bucket_first[bucket] = slot_next[k];
    if (slot_next[k] != kNoSlot) slot_prev[slot_next[k]] = slot_prev[k];
    slot_bucket[k] = kNoSlot;
  }
};

}  // namespace emu::jit
