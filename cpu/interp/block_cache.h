// The interpreter's cache of decoded blocks, keyed by guest physical address and the
// CPU mode bits, with a direct-mapped jump cache on the linear RIP and per-page block
// lists so that a write to a code page drops exactly the blocks decoded from it.
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
  Handler fn;
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
};

// Told about every block the cache drops (the JIT unlinks and forgets its translation).
class BlockListener {
 public:
  virtual ~BlockListener() = default;
  virtual void block_dropped(Block* b) = 0;
};

class BlockCache {
 public:
  static constexpr unsigned kJumpCacheSize = 4096;
  static constexpr unsigned kMaxBlockInsns = 64;

  Block* jump_lookup(uint64_t linear, uint32_t mode) const {
    const JumpEntry& j = jump_[jump_index(linear)];
    return (j.block && j.linear == linear && j.mode == mode) ? j.block : nullptr;
  }
  void jump_insert(Block* b) { jump_[jump_index(b->linear)] = JumpEntry{b->linear, b->mode, b}; }

  Block* find(uint64_t phys, uint32_t mode, uint64_t linear) const;
  Block* insert(std::unique_ptr<Block> b);
  // Drops every block with bytes in the physical page. Blocks are kept alive until
  // collect_garbage() so a running block can finish its current instruction.
  void invalidate_page(uint64_t phys_page);
  void clear();
  void collect_garbage() { graveyard_.clear(); }
  void flush_jump_cache() {
    for (auto& j : jump_) j = JumpEntry{};
  }
  size_t size() const { return count_; }
  void set_listener(BlockListener* l) { listener_ = l; }

 private:
  struct JumpEntry {
    uint64_t linear = 0;
    uint32_t mode = 0;
    Block* block = nullptr;
  };
  static unsigned jump_index(uint64_t linear) { return static_cast<unsigned>((linear ^ (linear >> 12)) & (kJumpCacheSize - 1)); }

  // Blocks by where they start: physical address and the linear address they were
  // decoded at (the vector holds one per mode). Keyed on both, so code mapped at many
  // linear addresses (a PIE program exec'd again and again) does not make find() scan.
  struct Start {
    uint64_t phys, linear;
    bool operator==(const Start&) const = default;
  };
  struct StartHash {
    size_t operator()(const Start& s) const { return std::hash<uint64_t>{}(s.phys * 0x9e3779b97f4a7c15ull ^ s.linear); }
  };
  std::unordered_map<Start, std::vector<std::unique_ptr<Block>>, StartHash> by_start_;
  std::unordered_map<uint64_t, std::vector<Block*>> by_page_;
  std::vector<std::unique_ptr<Block>> graveyard_;
  JumpEntry jump_[kJumpCacheSize];
  size_t count_ = 0;
  BlockListener* listener_ = nullptr;
};

}  // namespace emu::interp
