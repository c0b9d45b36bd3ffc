// The interpreter's cache of decoded blocks, keyed by guest physical address and the
// CPU mode bits, with a direct-mapped jump cache on the linear RIP and per-page block
// lists so that a write to a code page drops exactly the blocks decoded from it.
// The jump cache caches linear->physical translations, so it follows the TLB's rules:
// entries carry an epoch stamp (a CR3 write drops the non-global ones by bumping the
// epoch, a full flush drops all, no memset), and each linear page owns a fixed run of
// slots so INVLPG clears just that page's run.
#pragma once
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "cpu/isa/decoded_insn.h"

namespace emu {
class Cpu;
}
namespace emu::jit {
struct Translation;
}

namespace emu::interp {

using Handler = void (*)(Cpu&, const isa::DecodedInsn&);

struct BlockInsn {
  Handler threaded;  // the threaded handler for this instruction's operand shape (dispatch.h)
  Handler fn;        // the form's plain handler (or the #GP(0) stand-in of a CPL-0 form)
  isa::DecodedInsn d;
};

struct Block {
  uint64_t phys = 0;        // physical address of the first byte
  uint64_t linear = 0;      // linear address it was decoded at
  uint32_t mode = 0;        // CpuState::mode_key()
  uint64_t pages[2] = {~uint64_t{0}, ~uint64_t{0}};  // physical pages its bytes lie in
  std::vector<BlockInsn> insns;
  uint32_t bytes = 0;       // length of its instructions (CS limit check at entry)
  uint32_t hits = 0;                // times run by the interpreter (JIT tiering)
  jit::Translation* jit = nullptr;  // its host code once translated (cpu/jit/)
  // The blocks that ran after this one, by linear address (the run loop chains through
  // them without a jump-cache lookup); valid while BlockCache::generation() is unchanged.
  // A link holds what running the successor needs (its mode and instructions), so that
  // following it does not touch the successor's Block.
  struct Successor {
    uint64_t linear = 0;
    uint64_t generation = 0;
    Block* block = nullptr;
    const BlockInsn* insns = nullptr;
    uint32_t count = 0;
    uint32_t mode = 0;
  };
  Successor next[2];
};

// Told about every block the cache drops (the JIT unlinks and forgets its translation).
class BlockListener {
 public:
  virtual ~BlockListener() = default;
  virtual void block_dropped(Block* b) = 0;
};

class BlockCache {
 public:
  // Two-way set-associative on (7 bits of the page number, 7 bits hashed from the whole
  // address): a page owns a run of 256 slots (INVLPG clears just those), pages 128 apart
  // share runs. A new entry takes way 0 and moves the old one to way 1.
  static constexpr unsigned kJumpPageBits = 8;   // slot run of a page: 256 slots
  static constexpr unsigned kJumpColorBits = 7;  // runs
  static constexpr unsigned kJumpCacheSize = 1u << (kJumpPageBits + kJumpColorBits);
  static constexpr unsigned kMaxBlockInsns = 64;

  // Lookup statistics (`-d jit` prints them): why the jump cache missed, and whether
  // find() then knew the block (an avoidable miss) or it had to be decoded.
  struct Stats {
    uint64_t jump_hits = 0;
    uint64_t jump_miss_stale = 0;   // the entry was there, from before a TLB flush/CR3 write
    uint64_t jump_miss_absent = 0;  // not there (new, evicted, or dropped by INVLPG/SMC)
    uint64_t find_hits = 0, find_misses = 0;
    uint64_t page_drops = 0;        // jump_drop_page calls (INVLPG)
  };
  const Stats& stats() const { return stats_; }

  // `global` (if given) tells whether the entry was inserted as global.
  Block* jump_lookup(uint64_t linear, uint32_t mode, bool* global = nullptr) const {
    const JumpEntry* set = &jump_[jump_index(linear)];
    for (unsigned w = 0; w < 2; ++w) {
      const JumpEntry& j = set[w];
      if (j.linear != linear || j.mode != mode) continue;
      const uint32_t floor = (j.stamp & kStampGlobal) ? global_floor_ : epoch_;
      if ((j.stamp & ~kStampGlobal) >= floor) {
        ++stats_.jump_hits;
        if (global) *global = j.stamp & kStampGlobal;
        return j.block;
      }
      ++stats_.jump_miss_stale;
      return nullptr;
    }
    ++stats_.jump_miss_absent;
    return nullptr;
  }
  // `global`: the block's page translation is global (survives CR3 writes).
  void jump_insert(Block* b, bool global) {
    const unsigned bit = jump_filter_bit(b->linear & ~uint64_t{0xfff});
    jump_filter_[jump_index(b->linear) >> kJumpPageBits][bit >> 6] |= uint64_t{1} << (bit & 63);
    JumpEntry* set = &jump_[jump_index(b->linear)];
    if (set[0].linear != b->linear || set[0].mode != b->mode) set[1] = set[0];
    set[0] = JumpEntry{b->linear, b->mode, epoch_ | (global ? kStampGlobal : 0), b};
  }
  // Bumped whenever a jump-cache entry or a block may have become invalid (TLB flush,
  // INVLPG, dropped blocks): Block::next links made under another generation are stale.
  uint64_t generation() const { return generation_; }
  // CR3 write without PCID: drops the entries of non-global pages.
  void jump_drop_nonglobal() { next_epoch(); }
  // INVLPG: drops the entries of blocks starting in this linear page or the one before
  // (a block may run on into the next page).
  void jump_drop_page(uint64_t linear_page);

  BlockCache() = default;
  ~BlockCache();
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;

  Block* find(uint64_t phys, uint32_t mode, uint64_t linear) const;
  Block* insert(std::unique_ptr<Block> b);  // the caller adds it to the jump cache
  // Drops every block with bytes in the physical page. Blocks are kept alive until
  // collect_garbage() so a running block can finish its current instruction.
  void invalidate_page(uint64_t phys_page);
  void clear();
  void collect_garbage() { graveyard_.clear(); }
  void flush_jump_cache() {
    next_epoch();
    global_floor_ = epoch_;
  }
  size_t size() const { return count_; }
  void set_listener(BlockListener* l) { listener_ = l; }

 private:
  struct JumpEntry {
    uint64_t linear = 0;
    uint32_t mode = 0;
    uint32_t stamp = 0;  // epoch_ when inserted, | kStampGlobal for a global page
    Block* block = nullptr;
  };
  static constexpr uint32_t kStampGlobal = 1u << 31;
  // First slot of the address's set (two consecutive slots): page number bits pick the
  // run, a multiplicative hash of the address the set within it.
  static unsigned jump_index(uint64_t linear) {
    const auto color = static_cast<unsigned>(linear >> 12) & ((1u << kJumpColorBits) - 1);
    const auto set = (static_cast<uint32_t>(linear) * 0x9e3779b1u) >> (32 - (kJumpPageBits - 1));
    return color << kJumpPageBits | set << 1;
  }
  // Valid entries: stamp == epoch_, or global with stamp >= global_floor_.
  void next_epoch();

  // Blocks by where they start: (physical, linear, mode) in an open-addressed table
  // (linear probing, backward-shift deletion; it owns the blocks), so find() usually
  // reads one slot and the block. Keyed on the linear address too, so code mapped at many
  // linear addresses (a PIE program exec'd again and again) does not make find() scan.
  struct StartSlot {  // the key is copied in, so a probe does not touch the block
    uint64_t phys = 0;
    uint64_t linear = 0;
    uint32_t mode = 0;
    Block* block = nullptr;  // null: empty
  };
  static size_t start_hash(uint64_t phys, uint64_t linear, uint32_t mode) {
    const uint64_t h = phys * 0x9e3779b97f4a7c15ull ^ linear * 0xc2b2ae3d27d4eb4full ^ mode;
    return static_cast<size_t>(h ^ (h >> 29));
  }
  size_t start_home(const StartSlot& s) const { return start_hash(s.phys, s.linear, s.mode) & (starts_.size() - 1); }
  void start_put(Block* b);     // into the first free slot from its home
  void start_remove(Block* b);  // and shift the slots after it back
  std::vector<StartSlot> starts_ = std::vector<StartSlot>(kStartTableInitial);
  static constexpr size_t kStartTableInitial = 1u << 14;
  // Per jump-cache run, a 256-bit filter of the linear pages with entries there since the
  // run was last scanned: INVLPG of a page without code skips the scan.
  static unsigned jump_filter_bit(uint64_t linear_page) {
    return static_cast<unsigned>(((linear_page >> 12) * 0x9e3779b97f4a7c15ull) >> 56);
  }
  uint64_t jump_filter_[1u << kJumpColorBits][4] = {};
  std::unordered_map<uint64_t, std::vector<Block*>> by_page_;
  std::vector<std::unique_ptr<Block>> graveyard_;
  JumpEntry jump_[kJumpCacheSize];
  uint32_t epoch_ = 1;
  uint32_t global_floor_ = 1;
  uint64_t generation_ = 1;
  size_t count_ = 0;
  BlockListener* listener_ = nullptr;
  mutable Stats stats_;
};

}  // namespace emu::interp
