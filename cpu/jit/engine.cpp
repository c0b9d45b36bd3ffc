// JIT engine: tiering, translation bookkeeping, chaining and lookups (see engine.h).
#include "cpu/jit/engine.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <string>
#include <string_view>

#include <unistd.h>

#include "base/log.h"
#include "cpu/cpu.h"
#include "cpu/interp/exec_trace.h"
#include "cpu/isa/disasm.h"

#ifdef EMU_HAVE_CAPSTONE
#include <capstone/capstone.h>
#endif

namespace emu::jit {

namespace {
// A block that cannot be translated (e.g. larger than an empty cache) stays interpreted.
constexpr uint32_t kNeverTranslate = ~uint32_t{0};
}  // namespace

std::unique_ptr<Engine> Engine::create(Cpu& cpu, unsigned hot_threshold, size_t cache_bytes) {
  if (!host_backend_available()) return nullptr;  // before mapping the (large) code cache
  std::unique_ptr<Engine> e(new Engine(cpu, hot_threshold, cache_bytes));
  if (!e->backend_ || !e->cache_.ok() || !e->backend_->emit_runtime(e->cache_)) return nullptr;
  return e;
}

Engine::Engine(Cpu& cpu, unsigned hot_threshold, size_t cache_bytes)
    : cpu_(cpu), hot_threshold_(hot_threshold), chaining_(!log_enabled(LogCategory::NoChain)), cache_(cache_bytes),
      jump_table_(std::make_unique<JumpTable>()) {
  auto at = [&](const void* field) {
    return static_cast<int32_t>(static_cast<const char*>(field) - reinterpret_cast<const char*>(&cpu));
  };
  CpuLayout l;
  l.rip = at(&cpu.s_.rip);
  l.gpr0 = at(&cpu.s_.gpr[0]);
  l.lf = at(&cpu.s_.lf);
  l.retired = at(&cpu.retired_total_);
  l.budget = at(&cpu.budget_left_);
  l.stop_block = at(&cpu.stop_block_);
  l.attention = at(&cpu.attention_);
  static_assert(sizeof(cpu.attention_) == 4, "generated code reads the attention word as 32 bits");
  l.tlb_supervisor = at(&cpu.tlb_[Cpu::kTlbSetSupervisor][0]);
  l.tlb_user = at(&cpu.tlb_[Cpu::kTlbSetUser][0]);
  l.tlb_entries = Cpu::kTlbSize;
  l.fs_base = at(&cpu.s_.seg[isa::SEG_FS].base);
  l.gs_base = at(&cpu.s_.seg[isa::SEG_GS].base);
  static_assert(sizeof(Cpu::TlbEntry) == 32 && offsetof(Cpu::TlbEntry, read_addend) == 8 &&
                offsetof(Cpu::TlbEntry, write_tag) == 16 && offsetof(Cpu::TlbEntry, write_addend) == 24,
                "generated code indexes the soft TLB with this layout");
  RuntimeHooks h;
  h.lookup = &Engine::hook_lookup;
  h.link = &Engine::hook_link;
  h.jump_table = chaining_ ? jump_table_.get() : nullptr;
  backend_ = make_host_backend(l, h);
  if (log_enabled(LogCategory::PerfMap)) {
    const std::string path = "/tmp/perf-" + std::to_string(getpid()) + ".map";
    perf_map_ = std::fopen(path.c_str(), "w");
    if (!perf_map_) log_printf("jit: cannot write %s\n", path.c_str());
  }
}

Engine::~Engine() {
  if (log_enabled(LogCategory::Jit)) print_stats();
  if (perf_map_) std::fclose(perf_map_);
}

bool Engine::run_block(interp::Block* b) {
  if (!b->jit) {
    if (b->hits == kNeverTranslate || ++b->hits < hot_threshold_) return false;
    if (!translate(b)) return false;
  }
  if (cpu_.budget_left_ < b->insns.size()) return false;
  // Generated code would leave at once (e.g. an interrupt shadow the run loop waits out).
  if (cpu_.attention_.load(std::memory_order_relaxed)) return false;
  ++stats_.entries;
  if (exec_trace_enabled()) [[unlikely]] log_exec_block(cpu_, *b, b->jit->entry);
  backend_->enter(cpu_, b->jit->entry);
  return true;
}

// Direct successors worth linking: the fall-through and the target of a near relative
// branch that ends the block, in 64-bit mode (RIP is the linear address) and on the
// block's own page (so a new page mapping can never make a link stale).
void Engine::plan_links(const interp::Block& b, Translation& t) const {
  t.num_out = 0;
  if (!chaining_ || (b.mode & 0xff) != 64 || b.insns.empty()) return;
  const interp::BlockInsn& last = b.insns.back();
  const isa::Form& f = last.d.info();
  uint64_t end_rip = b.linear;
  for (const auto& bi : b.insns) end_rip += bi.d.length;
  uint64_t candidates[2];
  unsigned n = 0;
  const bool rel_branch = f.num_ops >= 1 && f.ops[0].kind == isa::OpKind::J;
  if (!(f.attrs & isa::END)) {
    candidates[n++] = end_rip;  // block cut by its size or a page end
  } else if (rel_branch) {
    candidates[n++] = end_rip + last.d.imm;
    const std::string_view mn = f.mnemonic;
    if (mn != "JMP" && mn != "CALL") candidates[n++] = end_rip;  // Jcc, JrCXZ, LOOPcc not taken
  }
  for (unsigned k = 0; k < n; ++k) {
    if ((candidates[k] >> 12) != (b.linear >> 12)) continue;
    Link& l = t.out[t.num_out++];
    l.from = &t;
    l.target_rip = candidates[k];
  }
}

bool Engine::translate(interp::Block* b) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto t = std::make_unique<Translation>();
    t->block = b;
    plan_links(*b, *t);
    if (backend_->emit_block(cache_, *b, *t)) {
      b->jit = t.get();
      ++stats_.blocks_translated;
      stats_.insns_translated += b->insns.size();
      stats_.code_bytes += t->code_size;
      stats_.insns_inline += t->inline_insns;
      stats_.insns_inline_memory += t->inline_memory_insns;
      stats_.flag_records_dropped += t->flag_records_dropped;
      for (uint16_t f : t->handler_forms) ++stats_.handler_forms[f];
      t->handler_forms = {};
      if (log_enabled(LogCategory::InAsm) || log_enabled(LogCategory::OutAsm)) log_translation(*b, *t);
      if (perf_map_) {
        std::fprintf(perf_map_, "%" PRIxPTR " %zx guest_%" PRIx64 "\n", reinterpret_cast<uintptr_t>(t->entry), t->code_size,
                     b->linear);
        std::fflush(perf_map_);
      }
      translations_.push_back(std::move(t));
      return true;
    }
    if (attempt == 0) flush();  // full: start over with an empty cache
  }
  b->hits = kNeverTranslate;
  return false;
}

void Engine::flush() {
  for (auto& t : translations_)
    if (t->block) t->block->jit = nullptr;
  stats_.translations_dropped += translations_.size();
  translations_.clear();
  jump_table_->clear();
  cache_.flush();
  ++stats_.cache_flushes;
  backend_->emit_runtime(cache_);
}

void Engine::block_dropped(interp::Block* b) {
  Translation* t = b->jit;
  if (!t) return;
  for (Link* in : t->incoming) {
    backend_->patch_jump(cache_, in->site, in->unlinked);
    in->to = nullptr;
    ++stats_.chains_unlinked;
  }
  t->incoming.clear();
  for (unsigned k = 0; k < t->num_out; ++k) {
    Link& l = t->out[k];
    if (!l.to) continue;
    auto& v = l.to->incoming;
    v.erase(std::remove(v.begin(), v.end(), &l), v.end());
    l.to = nullptr;
  }
  jump_table_->forget(b->linear, t->entry);
  t->block = nullptr;
  b->jit = nullptr;
  ++stats_.translations_dropped;
}

interp::Block* Engine::current_block(bool* global) {
  const CpuState& s = cpu_.s_;
  const uint32_t mode = s.mode_key();
  const uint64_t lin = cpu_.mode64_ ? s.rip : ((s.seg[isa::SEG_CS].base + s.rip) & 0xffffffffu);
  bool g = false;
  interp::Block* b = cpu_.blocks_->jump_lookup(lin, mode, &g);
  if (!b) {
    // Not in the jump cache (e.g. a CR3 write since): the fetch translation (a fetch-TLB
    // hit, mostly) and the block cache, as the run loop would, minus decoding and faults.
    const emu::Translation t = cpu_.translate_fetch(lin, false);
    if (!t.ok) return nullptr;
    b = cpu_.blocks_->find(t.phys, mode, lin);
    if (!b || !cpu_.second_page_current(*b)) return nullptr;  // (the run loop redecodes it)
    g = t.global && b->pages[1] == ~uint64_t{0};
    cpu_.blocks_->jump_insert(b, g);
    ++stats_.lookup_found;
  }
  if (global) *global = g;
  return b;
}

// A stale jump-table slot for this RIP and mode (filled before a CR3 write or TLB flush):
// if the RIP's page is still fetched from the physical page the block was decoded from
// (a one-page block: the slot says), the slot is current again. A fetch-TLB lookup
// instead of the block lookups; the slot's code is live (a dropped translation clears
// its slot, a cache flush the table). 64-bit code only: no CS limit to check.
const uint8_t* Engine::revalidate(uint64_t rip, uint32_t mode) {
  uint64_t phys_page = 0;
  const uint8_t* code = jump_table_->stale_find(rip, mode, &phys_page);
  if (!code) return nullptr;
  const emu::Translation ft = cpu_.translate_fetch(rip, false);
  if (!ft.ok || (ft.phys & ~uint64_t{0xfff}) != phys_page) return nullptr;
  jump_table_->insert(rip, mode, code, phys_page, ft.global);
  ++stats_.revalidated;
  return code;
}

void Engine::count_probe_miss() {
  if (!cpu_.mode64_) {
    ++stats_.probe_not64;
    return;
  }
  const uint64_t rip = cpu_.s_.rip;
  const JumpTable::Entry& slot = jump_table_->entries[JumpTable::index(rip)];
  if (!slot.code) ++stats_.probe_empty;
  else if (slot.rip != rip) ++stats_.probe_other_rip;
  else if ((slot.tag >> 32) != (jump_table_->epoch_tag >> 32)) ++stats_.probe_old_epoch;
  else ++stats_.probe_other_mode;
}

const uint8_t* Engine::hook_lookup(Cpu* cpu) {
  Engine& e = *cpu->jit_;
  e.count_probe_miss();
  if (cpu->mode64_ && e.chaining_ && !exec_trace_enabled()) {
    if (const uint8_t* code = e.revalidate(cpu->s_.rip, cpu->s_.mode_key())) return code;
  }
  bool global = false;
  interp::Block* b = e.chaining_ ? e.current_block(&global) : nullptr;
  if (!b || !b->jit || !cpu->fetch_within_cs_limit(b->bytes)) {
    ++e.stats_.lookup_misses;
    if (!b) ++e.stats_.lookup_miss_no_block;
    else if (!b->jit) ++e.stats_.lookup_miss_cold;
    return nullptr;
  }
  ++e.stats_.lookup_hits;
  // Generated code probes the table only in 64-bit mode (RIP is the linear address).
  // Not a block running on into a second page: INVLPG of that page would not find its
  // slot (slots are chained by the page of their RIP), so it stays with the jump cache.
  if (cpu->mode64_ && b->pages[1] == ~uint64_t{0}) e.jump_table_->insert(b->linear, b->mode, b->jit->entry, b->pages[0], global);
  if (exec_trace_enabled()) [[unlikely]] log_exec_block(*cpu, *b, b->jit->entry);
  return b->jit->entry;
}

const uint8_t* Engine::hook_link(Cpu* cpu, Link* link) {
  Engine& e = *cpu->jit_;
  interp::Block* b = e.current_block();
  Translation* from = link->from;
  if (!b || !b->jit || !from->block || !cpu->fetch_within_cs_limit(b->bytes)) {
    ++e.stats_.lookup_misses;
    return nullptr;
  }
  // Same mode and same physical page as the source: safe to jump there directly.
  if (b->mode == from->block->mode && b->pages[0] == from->block->pages[0] && b->linear == link->target_rip) {
    e.backend_->patch_jump(e.cache_, link->site, b->jit->entry);
    link->to = b->jit;
    b->jit->incoming.push_back(link);
    ++e.stats_.chains_linked;
  } else {
    ++e.stats_.lookup_hits;
  }
  if (exec_trace_enabled()) [[unlikely]] log_exec_block(*cpu, *b, b->jit->entry);
  return b->jit->entry;
}

void Engine::log_translation(const interp::Block& b, const Translation& t) const {
  if (log_enabled(LogCategory::InAsm)) {
    std::string text;
    uint64_t rip = b.linear;
    for (const auto& bi : b.insns) {
      text += "  " + std::string(16, ' ');
      char addr[32];
      std::snprintf(addr, sizeof addr, "0x%016" PRIx64, rip);
      text.replace(text.size() - 16, 16, addr + 2);
      text += ":  " + isa::disassemble(bi.d, rip) + "\n";
      rip += bi.d.length;
    }
    log_printf("IN (translated, %zu insns) 0x%" PRIx64 ":\n%s", b.insns.size(), b.linear, text.c_str());
  }
  if (!log_enabled(LogCategory::OutAsm)) return;
  log_printf("OUT (%s) %zu bytes at %p:\n", backend_->name(), t.code_size, static_cast<const void*>(t.entry));
#ifdef EMU_HAVE_CAPSTONE
  int arch = 0, mode = 0;
  backend_->capstone_target(&arch, &mode);
  csh h;
  if (cs_open(static_cast<cs_arch>(arch), static_cast<cs_mode>(mode), &h) != CS_ERR_OK) return;
  cs_insn* insn = nullptr;
  size_t count = cs_disasm(h, t.entry, t.code_size, reinterpret_cast<uint64_t>(t.entry), 0, &insn);
  for (size_t k = 0; k < count; ++k)
    log_printf("  0x%" PRIx64 ":  %s %s\n", insn[k].address, insn[k].mnemonic, insn[k].op_str);
  cs_free(insn, count);
  cs_close(&h);
#else
  log_printf("  (built without Capstone: no host disassembly)\n");
#endif
}

// The forms translated most often as handler calls (not inline), counted per
// translated instruction (not weighted by how often the block runs).
void Engine::print_handler_forms() const {
  std::vector<uint16_t> order;
  uint64_t total = 0;
  for (size_t f = 0; f < stats_.handler_forms.size(); ++f)
    if (stats_.handler_forms[f]) {
      order.push_back(static_cast<uint16_t>(f));
      total += stats_.handler_forms[f];
    }
  std::sort(order.begin(), order.end(), [&](uint16_t a, uint16_t b) { return stats_.handler_forms[a] > stats_.handler_forms[b]; });
  std::string line;
  for (size_t k = 0; k < order.size() && k < 24; ++k)
    line += std::string(k ? ", " : "") + isa::kForms[order[k]].mnemonic + "(" + isa::kForms[order[k]].handler + ") " +
            std::to_string(stats_.handler_forms[order[k]]);
  log_printf("jit: %" PRIu64 " handler calls translated; most frequent forms: %s\n", total, line.c_str());
}

void Engine::print_stats() const {
  const JitStats& s = stats_;
  auto percent = [](uint64_t part, uint64_t whole) { return whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0; };
  log_printf("jit (%s backend): %" PRIu64 " blocks / %" PRIu64 " insns translated, %.1f%% of the insns inline (%" PRIu64
             " with inline memory access), %" PRIu64 " flag records dropped\n",
             backend_->name(), s.blocks_translated, s.insns_translated, percent(s.insns_inline, s.insns_translated),
             s.insns_inline_memory, s.flag_records_dropped);
  log_printf("jit: code cache %zu KiB used of %zu MiB, %" PRIu64 " KiB emitted in all, %" PRIu64 " flushes (when full), %" PRIu64
             " translations dropped\n",
             cache_.used() >> 10, cache_.capacity() >> 20, s.code_bytes >> 10, s.cache_flushes, s.translations_dropped);
  // Jumps through a chained link or an inline jump-table hit stay in generated code and
  // are not counted; everything below passed through the engine.
  log_printf("jit: %" PRIu64 " entries from the run loop; chains %" PRIu64 " linked, %" PRIu64
             " unlinked; lookups from generated code %" PRIu64 " hit / %" PRIu64 " miss (%s)\n",
             s.entries, s.chains_linked, s.chains_unlinked, s.lookup_hits, s.lookup_misses,
             chaining_ ? "64-bit code probes the jump table inline first; its hits and jumps through links are not counted"
                       : "nochain: no links, no inline jump-table probe");
  log_printf("jit: %" PRIu64 " soft TLB fills (misses that found RAM), %" PRIu64 " guest insns retired\n",
             cpu_.tlb_fills(), cpu_.retired_instructions());
  log_printf("jit: inline jump-table probe misses: %" PRIu64 " empty slot, %" PRIu64 " other RIP, %" PRIu64
             " older epoch, %" PRIu64 " other mode, %" PRIu64 " not 64-bit\n",
             s.probe_empty, s.probe_other_rip, s.probe_old_epoch, s.probe_other_mode, s.probe_not64);
  log_printf("jit: lookup misses: %" PRIu64 " not decoded / fetch faults, %" PRIu64 " not translated yet; %" PRIu64
             " stale jump-table slots revalidated, %" PRIu64 " blocks found through the fetch TLB (%" PRIu64 " hit / %" PRIu64
             " miss)\n",
             s.lookup_miss_no_block, s.lookup_miss_cold, s.revalidated, s.lookup_found, cpu_.fetch_tlb().hits,
             cpu_.fetch_tlb().misses);
  const interp::BlockCache::Stats& b = cpu_.blocks_->stats();
  log_printf("jit: block jump cache %" PRIu64 " hit / %" PRIu64 " stale / %" PRIu64 " absent; find %" PRIu64
             " hit / %" PRIu64 " miss (decoded); %" PRIu64 " page drops\n",
             b.jump_hits, b.jump_miss_stale, b.jump_miss_absent, b.find_hits, b.find_misses, b.page_drops);
  print_handler_forms();
  const Cpu::TlbStats& t = cpu_.tlb_stats();
  log_printf("jit: TLB %" PRIu64 " full flushes, %" PRIu64 " CR3 flushes, %" PRIu64 " INVLPG (%" PRIu64
             " in a large page's range: full flush), %" PRIu64 " translations (%" PRIu64 " for fetch)\n",
             t.full_flushes, t.nonglobal_flushes, t.page_flushes, t.page_flushes_full, t.translations,
             t.fetch_translations);
}

}  // namespace emu::jit
