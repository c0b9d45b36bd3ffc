// The fetch TLB: instruction-fetch translations (linear page -> physical page) for the
// block lookups (the run loop's and the JIT's), so finding the block at a RIP after a
// CR3 write costs a page walk per code page rather than per block. A small direct-mapped
// cache per privilege class (fetch permissions differ for CPL 3), flushed by the soft
// TLB's rules (Cpu::flush_tlb*): entries carry an epoch stamp, a CR3 write drops the
// non-global ones by moving the epoch, a full flush all of them, INVLPG one page (large
// pages are noted with the TLB's, so INVLPG inside one flushes everything).
#pragma once
#include <cstdint>

namespace emu {

struct FetchTlb {
  static constexpr unsigned kSets = 2;  // supervisor, user (Cpu::tlb_set)
  static constexpr unsigned kBits = 9;
  static constexpr unsigned kSize = 1u << kBits;
  struct Entry {
    uint64_t page = 1;  // linear page; bit 0 set: empty
    uint64_t phys_page = 0;
    uint32_t stamp = 0;  // epoch when filled, | kGlobal for a global page
  };
  static constexpr uint32_t kGlobal = 1u << 31;

  uint64_t hits = 0, misses = 0;

  // The physical page `lin` is fetched from at this privilege class, if cached.
  bool find(unsigned set, uint64_t lin, uint64_t* phys_page, bool* global) {
    const Entry& e = entries_[set][slot(lin)];
    if (e.page != (lin & ~uint64_t{0xfff}) || (e.stamp & ~kGlobal) < ((e.stamp & kGlobal) ? global_floor_ : epoch_)) {
      ++misses;
      return false;
    }
    ++hits;
    *phys_page = e.phys_page;
    *global = e.stamp & kGlobal;
    return true;
  }
  void fill(unsigned set, uint64_t lin, uint64_t phys, bool global) {
    entries_[set][slot(lin)] = Entry{lin & ~uint64_t{0xfff}, phys & ~uint64_t{0xfff}, epoch_ | (global ? kGlobal : 0)};
  }
  void flush_nonglobal() { next_epoch(); }
  void flush_all() {
    next_epoch();
    global_floor_ = epoch_;
  }
  void flush_page(uint64_t lin) {
    for (auto& set : entries_) {
      Entry& e = set[slot(lin)];
      if (e.page == (lin & ~uint64_t{0xfff})) e = Entry{};
    }
  }

 private:
  static unsigned slot(uint64_t lin) { return static_cast<unsigned>(lin >> 12) & (kSize - 1); }
  void next_epoch() {
    if (++epoch_ == kGlobal) {  // wrapped: clear for real
      for (auto& set : entries_)
        for (auto& e : set) e = Entry{};
      epoch_ = global_floor_ = 1;
    }
  }
  Entry entries_[kSets][kSize];
  uint32_t epoch_ = 1;  // valid: stamp == epoch_, or global with stamp >= global_floor_
  uint32_t global_floor_ = 1;
};

}  // namespace emu
