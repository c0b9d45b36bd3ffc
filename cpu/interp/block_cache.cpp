// Decoded-block cache bookkeeping (see block_cache.h).
#include "cpu/interp/block_cache.h"

#include <algorithm>

namespace emu::interp {

BlockCache::~BlockCache() {
  for (StartSlot& slot : starts_) delete slot.block;
}

Block* BlockCache::find(uint64_t phys, uint32_t mode, uint64_t linear) const {
  const size_t mask = starts_.size() - 1;
  for (size_t k = start_hash(phys, linear, mode) & mask; starts_[k].block; k = (k + 1) & mask) {
    const StartSlot& slot = starts_[k];
    if (slot.linear == linear && slot.phys == phys && slot.mode == mode) {
      ++stats_.find_hits;
      return slot.block;
    }
  }
  ++stats_.find_misses;
  return nullptr;
}

void BlockCache::start_put(Block* b) {
  const size_t mask = starts_.size() - 1;
  const StartSlot slot{b->phys, b->linear, b->mode, b};
  size_t k = start_home(slot);
  while (starts_[k].block) k = (k + 1) & mask;
  starts_[k] = slot;
}

void BlockCache::start_remove(Block* b) {
  const size_t mask = starts_.size() - 1;
  size_t hole = start_hash(b->phys, b->linear, b->mode) & mask;
  while (starts_[hole].block != b) hole = (hole + 1) & mask;
  // Backward shift: a later slot of the same run moves into the hole unless its home
  // lies cyclically after the hole (then it must stay reachable from there).
  for (size_t k = (hole + 1) & mask; starts_[k].block; k = (k + 1) & mask) {
    const size_t home = start_home(starts_[k]);
    const bool stays = hole < k ? (hole < home && home <= k) : (hole < home || home <= k);
    if (stays) continue;
    starts_[hole] = starts_[k];
    hole = k;
  }
  starts_[hole] = StartSlot{};
}

Block* BlockCache::insert(std::unique_ptr<Block> b) {
  if ((count_ + 1) * 2 > starts_.size()) {  // keep the table at most half full
    std::vector<StartSlot> old(starts_.size() * 2);
    old.swap(starts_);
    for (const StartSlot& slot : old)
      if (slot.block) start_put(slot.block);
  }
  Block* raw = b.release();
  for (uint64_t p : raw->pages)
    if (p != ~uint64_t{0}) by_page_[p].push_back(raw);
  start_put(raw);
  ++count_;
  return raw;
}

void BlockCache::next_epoch() {
  ++generation_;
  if (++epoch_ == kStampGlobal) {  // wrapped: clear for real and start again
    for (auto& j : jump_) j = JumpEntry{};
    epoch_ = global_floor_ = 1;
  }
}

void BlockCache::jump_drop_page(uint64_t linear_page) {
  ++stats_.page_drops;
  ++generation_;  // a successor link may name this page though its jump entry was evicted
  for (uint64_t page : {linear_page, linear_page - 0x1000}) {
    const unsigned first = jump_index(page) & ~((1u << kJumpPageBits) - 1);
    uint64_t* filter = jump_filter_[first >> kJumpPageBits];
    const unsigned bit = jump_filter_bit(page);
    if (!(filter[bit >> 6] >> (bit & 63) & 1)) continue;  // no entry of this page in its run
    std::fill_n(filter, 4, 0);  // rebuilt from the entries that stay
    JumpEntry* run = &jump_[first];
    for (unsigned k = 0; k < (1u << kJumpPageBits); ++k) {
      if (!run[k].block) continue;
      const uint64_t entry_page = run[k].linear & ~uint64_t{0xfff};
      if (entry_page == page) {
        run[k] = JumpEntry{};
        continue;
      }
      const unsigned b = jump_filter_bit(entry_page);
      filter[b >> 6] |= uint64_t{1} << (b & 63);
    }
  }
}

void BlockCache::invalidate_page(uint64_t phys_page) {
  auto it = by_page_.find(phys_page);
  if (it == by_page_.end()) return;
  std::vector<Block*> victims = std::move(it->second);
  ++generation_;
  by_page_.erase(it);
  for (Block* v : victims) {
    if (listener_) listener_->block_dropped(v);
    JumpEntry* set = &jump_[jump_index(v->linear)];
    for (unsigned w = 0; w < 2; ++w)
      if (set[w].block == v) set[w] = JumpEntry{};
    // Unlink from the other page's list too.
    for (uint64_t p : v->pages) {
      if (p == phys_page || p == ~uint64_t{0}) continue;
      auto pit = by_page_.find(p);
      if (pit != by_page_.end()) {
        auto& lst = pit->second;
        lst.erase(std::remove(lst.begin(), lst.end(), v), lst.end());
        if (lst.empty()) by_page_.erase(pit);
      }
    }
    start_remove(v);
    graveyard_.emplace_back(v);
    --count_;
  }
}

void BlockCache::clear() {
  for (StartSlot& slot : starts_) {
    if (!slot.block) continue;
    if (listener_) listener_->block_dropped(slot.block);
    graveyard_.emplace_back(slot.block);
    slot = StartSlot{};
  }
  by_page_.clear();
  count_ = 0;
  flush_jump_cache();
}

}  // namespace emu::interp
