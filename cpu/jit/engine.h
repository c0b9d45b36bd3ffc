// The JIT engine, the tier above the interpreter: counts how often each decoded block
// runs, translates hot blocks through the host backend into the W^X code cache, enters
// generated code, links blocks directly (patchable jumps, unlinked when a target is
// dropped), serves generated code's lookups for indirect branches (an inline probe of
// the jump table first, jump_table.h; this C++ lookup on a miss), flushes the whole
// cache when full, and keeps statistics (`-d jit`; `-d in_asm,out_asm` show the code).
#pragma once
#include <cstdint>
#include <cstdio>
#include <memory>
#include <vector>

#include "cpu/interp/block_cache.h"
#include "cpu/jit/backend.h"
#include "cpu/jit/code_cache.h"
#include "cpu/jit/jump_table.h"
#include "cpu/jit/translation.h"

namespace emu {
class Cpu;
}

namespace emu::jit {

struct JitStats {
  uint64_t blocks_translated = 0;
  uint64_t insns_translated = 0;
  uint64_t insns_inline = 0;      // of which got inline code (no handler call)
  uint64_t insns_inline_memory = 0;  // of which access memory through the inline soft TLB
  uint64_t flag_records_dropped = 0;  // inline lazy-flag records left out (overwritten unread)
  uint64_t code_bytes = 0;        // emitted in total (all generations)
  uint64_t cache_flushes = 0;
  uint64_t entries = 0;           // generated code entered from the run loop
  uint64_t chains_linked = 0;     // direct jumps patched
  uint64_t chains_unlinked = 0;   // undone because their target was dropped
  uint64_t lookup_hits = 0;       // C++ lookups (inline jump-table misses) that found a block
  uint64_t lookup_misses = 0;
  // Why generated code's inline jump-table probe missed before a C++ lookup: the slot was
  // empty (never filled, INVLPG, dropped translation), held another RIP, held this RIP
  // from an older epoch (TLB flush, CR3 write, cache flush) or another mode; or the
  // code was not 64-bit (no inline probe).
  uint64_t probe_empty = 0, probe_other_rip = 0, probe_old_epoch = 0, probe_other_mode = 0, probe_not64 = 0;
  uint64_t lookup_miss_no_block = 0;  // of lookup_misses: not decoded, or its fetch faults (the run loop's job)
  uint64_t lookup_miss_cold = 0;      // of lookup_misses: found but not translated yet
  uint64_t translations_dropped = 0;  // invalidated (self-modifying code, flushes)
  std::vector<uint64_t> handler_forms = std::vector<uint64_t>(isa::kNumForms);  // translated handler calls per form
  uint64_t revalidated = 0;   // stale jump-table slots found still mapped (Engine::revalidate)
  uint64_t lookup_found = 0;  // lookups that missed the block jump cache but found the block
};

class Engine final : public interp::BlockListener {
 public:
  static constexpr unsigned kDefaultHotThreshold = 16;

  // Null when the host has no backend or the code cache cannot be mapped. cache_bytes:
  // the code cache's capacity (0: CodeCache::kDefaultCapacity).
  static std::unique_ptr<Engine> create(Cpu& cpu, unsigned hot_threshold = kDefaultHotThreshold,
                                        size_t cache_bytes = 0);
  ~Engine() override;

  // Runs the block as host code if it is (or now becomes) translated and fits the
  // instruction budget; false means the caller interprets it.
  bool run_block(interp::Block* b);

  void block_dropped(interp::Block* b) override;
  // Linear -> physical mappings changed (TLB flush): the jump table forgets every entry.
  void linear_mappings_changed() { jump_table_->invalidate_all(); }
  // A CR3 write: the entries of non-global pages go.
  void nonglobal_mappings_changed() { jump_table_->invalidate_nonglobal(); }
  void linear_page_changed(uint64_t page) { jump_table_->invalidate_page(page); }
  const JumpTable& jump_table() const { return *jump_table_; }
  // Drops every translation and empties the code cache.
  void flush();

  const JitStats& stats() const { return stats_; }
  size_t cache_used() const { return cache_.used(); }
  size_t cache_capacity() const { return cache_.capacity(); }
  const char* backend_name() const { return backend_->name(); }
  // The statistics to the log (`-d jit` at exit; SIGUSR1 in the emu command).
  void print_stats() const;
  void print_handler_forms() const;

 private:
  Engine(Cpu& cpu, unsigned hot_threshold, size_t cache_bytes);
  bool translate(interp::Block* b);
  void plan_links(const interp::Block& b, Translation& t) const;
  void log_translation(const interp::Block& b, const Translation& t) const;
  interp::Block* current_block(bool* global = nullptr);
  const uint8_t* revalidate(uint64_t rip, uint32_t mode);
  void count_probe_miss();
  static const uint8_t* hook_lookup(Cpu* cpu);
  static const uint8_t* hook_link(Cpu* cpu, Link* link);

  Cpu& cpu_;
  unsigned hot_threshold_;
  bool chaining_;
  CodeCache cache_;
  std::unique_ptr<JumpTable> jump_table_;  // probed inline by generated code
  std::unique_ptr<Backend> backend_;
  std::vector<std::unique_ptr<Translation>> translations_;
  JitStats stats_;
  std::FILE* perf_map_ = nullptr;  // `-d perfmap`: /tmp/perf-<pid>.map
};

}  // namespace emu::jit
