// What the JIT keeps per translated block: its host entry point and the chaining links
// out of it (patchable jumps to the blocks that follow) and into it (so they can be
// unlinked when the block is invalidated). Owned by the engine; freed on a cache flush.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace emu::interp {
struct Block;
}

namespace emu::jit {

struct Translation;

// One direct successor of a block: when the block ends with RIP == target_rip the
// generated code jumps to `site`, a patchable jump that first leads to the link stub
// (`unlinked`, which asks the engine for the target) and, once linked, to the target.
struct Link {
  Translation* from = nullptr;
  uint64_t target_rip = 0;
  const uint8_t* site = nullptr;      // executable address of the patchable jump
  const uint8_t* unlinked = nullptr;  // where the jump leads while not linked
  Translation* to = nullptr;
};

struct Translation {
  interp::Block* block = nullptr;  // null once the block was dropped
  const uint8_t* entry = nullptr;
  size_t code_size = 0;
  unsigned inline_insns = 0;         // instructions with inline code
  unsigned inline_memory_insns = 0;  // of which access memory (inline soft-TLB path)
  unsigned flag_records_dropped = 0;  // inline lazy-flag records left out (overwritten unread)
  std::vector<uint16_t> handler_forms;  // forms of the instructions that call their handler (for -d jit; cleared once counted)
  Link out[2];
  unsigned num_out = 0;
  std::vector<Link*> incoming;
};

}  // namespace emu::jit
