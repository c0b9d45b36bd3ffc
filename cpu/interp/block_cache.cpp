// Decoded-block cache bookkeeping (see block_cache.h).
#include "cpu/interp/block_cache.h"

#include <algorithm>

namespace emu::interp {

Block* BlockCache::find(uint64_t phys, uint32_t mode, uint64_t linear) const {
  auto it = by_start_.find(Start{phys, linear});
  if (it != by_start_.end())
    for (auto& b : it->second)
      if (b->mode == mode) {
        ++stats_.find_hits;
        return b.get();
      }
  ++stats_.find_misses;
  return nullptr;
}

Block* BlockCache::insert(std::unique_ptr<Block> b) {
  Block* raw = b.get();
  for (uint64_t p : raw->pages)
    if (p != ~uint64_t{0}) by_page_[p].push_back(raw);
  by_start_[Start{raw->phys, raw->linear}].push_back(std::move(b));
  ++count_;
  return raw;
}

void BlockCache::next_epoch() {
  if (++epoch_ == kStampGlobal) {  // wrapped: clear for real and start again
    for (auto& j : jump_) j = JumpEntry{};
    epoch_ = global_floor_ = 1;
  }
}

void BlockCache::jump_drop_page(uint64_t linear_page) {
  ++stats_.page_drops;
  for (uint64_t page : {linear_page, linear_page - 0x1000}) {
    JumpEntry* run = &jump_[jump_index(page) & ~((1u << kJumpPageBits) - 1)];
    for (unsigned k = 0; k < (1u << kJumpPageBits); ++k)
      if ((run[k].linear & ~uint64_t{0xfff}) == page) run[k] = JumpEntry{};
  }
}

void BlockCache::invalidate_page(uint64_t phys_page) {
  auto it = by_page_.find(phys_page);
  if (it == by_page_.end()) return;
  std::vector<Block*> victims = std::move(it->second);
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
    auto bit = by_start_.find(Start{v->phys, v->linear});
    if (bit == by_start_.end()) continue;
    auto& vec = bit->second;
    for (size_t k = 0; k < vec.size(); ++k) {
      if (vec[k].get() == v) {
        graveyard_.push_back(std::move(vec[k]));
        vec.erase(vec.begin() + static_cast<std::ptrdiff_t>(k));
        --count_;
        break;
      }
    }
    if (vec.empty()) by_start_.erase(bit);
  }
}

void BlockCache::clear() {
  for (auto& [start, vec] : by_start_)
    for (auto& b : vec) {
      if (listener_) listener_->block_dropped(b.get());
      graveyard_.push_back(std::move(b));
    }
  by_start_.clear();
  by_page_.clear();
  count_ = 0;
  flush_jump_cache();
}

}  // namespace emu::interp
