// Cpu: construction, mode setup, exceptions, the slow memory path (TLB refill, page
// crossing, MMIO, writes to pages holding decoded code).
#include "cpu/cpu.h"

#include <algorithm>
#include <cstring>

#include "cpu/interp/block_cache.h"
#include "cpu/jit/engine.h"

namespace emu {

using namespace isa;

Cpu::Cpu(PhysicalMemory& mem, IoSpace* io) : mem_(mem), io_(io), blocks_(std::make_unique<interp::BlockCache>()) {
  set_real_mode();
  mem_.add_write_observer(this);
}

Cpu::~Cpu() {
  mem_.remove_write_observer(this);
  if (jit_) blocks_->set_listener(nullptr);
}

bool Cpu::jit_available() { return jit::host_backend_available(); }

bool Cpu::use_jit(bool on, unsigned hot_threshold, size_t code_cache_bytes) {
  if (jit_) {
    blocks_->set_listener(nullptr);
    jit_->flush();  // blocks forget their translations
    jit_.reset();
  }
  if (!on) return true;
  jit_ = jit::Engine::create(*this, hot_threshold, code_cache_bytes);
  if (!jit_) return false;
  blocks_->set_listener(jit_.get());
  return true;
}

static SegmentCache flat_segment(uint16_t sel, uint16_t attr) {
  SegmentCache c;
  c.selector = sel;
  c.base = 0;
  c.limit = 0xffffffffu;
  c.attr = attr;
  return c;
}

void Cpu::set_flat_long_mode(unsigned cpl) {
  uint16_t dpl = static_cast<uint16_t>(cpl << 5);
  for (int i = 0; i < 6; ++i) s_.seg[i] = flat_segment(static_cast<uint16_t>(0x2b | cpl), static_cast<uint16_t>(0x93 | dpl | kSegAttrDB | kSegAttrG));
  s_.seg[SEG_CS] = flat_segment(static_cast<uint16_t>(0x33 | cpl), static_cast<uint16_t>(0x9b | dpl | kSegAttrL | kSegAttrG));
  s_.cpl = static_cast<uint8_t>(cpl);
  s_.cr0 = kCr0PE | kCr0PG | 0x10 | (1u << 16);
  s_.cr4 = (1u << 5) | (1u << 9) | (1u << 10);  // PAE, OSFXSR, OSXMMEXCPT
  s_.efer = kEferLME | kEferLMA;
  refresh_mode();
  flush_tlb();
}

void Cpu::set_flat_protected_mode(unsigned cpl) {
  uint16_t dpl = static_cast<uint16_t>(cpl << 5);
  for (int i = 0; i < 6; ++i) s_.seg[i] = flat_segment(static_cast<uint16_t>(0x10 | cpl), static_cast<uint16_t>(0x93 | dpl | kSegAttrDB | kSegAttrG));
  s_.seg[SEG_CS] = flat_segment(static_cast<uint16_t>(0x08 | cpl), static_cast<uint16_t>(0x9b | dpl | kSegAttrDB | kSegAttrG));
  s_.cpl = static_cast<uint8_t>(cpl);
  s_.cr0 = kCr0PE | 0x10;
  s_.cr4 = (1u << 9) | (1u << 10);  // OSFXSR, OSXMMEXCPT
  s_.efer = 0;
  refresh_mode();
  flush_tlb();
}

void Cpu::set_real_mode() {
  for (int i = 0; i < 6; ++i) {
    s_.seg[i] = SegmentCache{};
    s_.seg[i].attr = 0x93;
  }
  s_.seg[SEG_CS].attr = 0x9b;
  s_.cpl = 0;
  s_.cr0 = 0x60000010;
  s_.efer = 0;
  refresh_mode();
  flush_tlb();
}

void Cpu::flush_tlb() {
  ++tlb_stats_.full_flushes;
  for (auto& set : tlb_)
    for (auto& e : set) e = TlbEntry{};
  std::memset(tlb_global_, 0, sizeof tlb_global_);
  num_large_ = 0;
  fetch_tlb_.flush_all();
  tlb_generation_ = mem_.generation();
  blocks_->flush_jump_cache();  // it maps linear RIPs to blocks: a translation cache too
  if (jit_) jit_->linear_mappings_changed();  // so does the JIT's jump table
}

void Cpu::flush_tlb_nonglobal() {
  ++tlb_stats_.nonglobal_flushes;
  for (unsigned set = 0; set < kTlbSets; ++set)
    for (unsigned k = 0; k < kTlbSize; ++k) {
      const uint8_t g = tlb_global_[set][k];
      if (g == 3) continue;
      TlbEntry& e = tlb_[set][k];
      if (!(g & 1)) e.read_tag = 1;
      if (!(g & 2)) e.write_tag = 1;
    }
  fetch_tlb_.flush_nonglobal();
  blocks_->jump_drop_nonglobal();
  if (jit_) jit_->nonglobal_mappings_changed();
}

void Cpu::flush_tlb_page(uint64_t lin) {
  ++tlb_stats_.page_flushes;
  if (in_large_page(lin)) {
    ++tlb_stats_.page_flushes_full;
    flush_tlb();
    return;
  }
  const uint64_t page = lin & ~uint64_t{0xfff};
  for (auto& set : tlb_) {
    TlbEntry& e = set[(lin >> 12) & (kTlbSize - 1)];
    if (e.read_tag == page) e.read_tag = 1;
    if (e.write_tag == page) e.write_tag = 1;
  }
  fetch_tlb_.flush_page(page);
  blocks_->jump_drop_page(page);
  if (jit_) jit_->linear_page_changed(page);
}

void Cpu::note_large_page(uint64_t lin, uint64_t page_size) {
  if (page_size <= 0x1000) return;
  const uint64_t first = lin & ~(page_size - 1), last = first + (page_size - 1);
  // Distance from the page to a range (0: inside or touching it).
  auto gap = [&](const LinearRange& r) -> uint64_t {
    if (last < r.first) return r.first - last - 1;
    if (first > r.last) return first - r.last - 1;
    return 0;
  };
  unsigned best = 0;
  for (unsigned k = 0; k < num_large_; ++k) {
    if (gap(large_[k]) == 0) {
      best = k;
      break;
    }
    if (gap(large_[k]) < gap(large_[best])) best = k;
  }
  if (num_large_ == 0 || (gap(large_[best]) != 0 && num_large_ < kLargeRanges)) {
    large_[num_large_++] = LinearRange{first, last};
    return;
  }
  large_[best].first = std::min(large_[best].first, first);
  large_[best].last = std::max(large_[best].last, last);
}

void Cpu::fill_tlb(uint64_t lin, bool write, uint8_t* host_page, const Translation& t) {
  TlbEntry& e = tlb_entry(lin);
  const uint64_t page = lin & ~uint64_t{0xfff};
  if (write) {
    e.write_tag = page;
    e.write_addend = addend_for(host_page, page);
  } else {
    e.read_tag = page;
    e.read_addend = addend_for(host_page, page);
  }
  // What a later invalidation needs: the global bit of this half, the large page.
  uint8_t& g = tlb_global_[tlb_set(s_.cpl)][(lin >> 12) & (kTlbSize - 1)];
  const unsigned bit = write ? 2 : 1;
  g = static_cast<uint8_t>(t.global ? (g | bit) : (g & ~bit));
  note_large_page(lin, t.page_size);
  ++tlb_stats_.fills;
}

void Cpu::flush_code_cache() {
  blocks_->clear();
  code_pages_.clear();
  flush_tlb();
}

void Cpu::raise(uint8_t vector, uint32_t error_code, bool has_error) {
  CpuException e;
  e.vector = vector;
  e.error_code = error_code;
  e.has_error_code = has_error;
  raise_exception(e);
}

void Cpu::raise_exception(const CpuException& e) {
  pending_ = e;
  if (e.vector == kPF) s_.cr2 = e.fault_address;
  if (!fault_jmp_) std::abort();  // raised outside run(): a programming error
  std::longjmp(*fault_jmp_, 1);
}

uint64_t Cpu::translate_or_raise(uint64_t lin, Access access) { return translate_checked(lin, access).phys; }

Translation Cpu::translate_checked(uint64_t lin, Access access) {
  if (access == Access::Fetch) return translate_fetch(lin, true);
  ++tlb_stats_.translations;
  Translation t = translator_->translate(lin, access, s_.cpl);
  if (!t.ok) raise_exception(t.fault);
  return t;
}

Translation Cpu::translate_fetch(uint64_t lin, bool raise_fault) {
  const unsigned set = tlb_set(s_.cpl);
  Translation t;
  uint64_t phys_page = 0;
  if (fetch_tlb_.find(set, lin, &phys_page, &t.global)) {
    t.phys = phys_page | (lin & 0xfff);
    return t;
  }
  ++tlb_stats_.translations;
  ++tlb_stats_.fetch_translations;
  t = translator_->translate(lin, Access::Fetch, s_.cpl);
  if (!t.ok) {
    if (raise_fault) raise_exception(t.fault);
    return t;
  }
  fetch_tlb_.fill(set, lin, t.phys, t.global);
  note_large_page(lin, t.page_size);
  return t;
}

uint64_t Cpu::read_slow(uint64_t lin, unsigned size) {
  if (tlb_generation_ != mem_.generation()) flush_tlb();
  uint64_t off = lin & 0xfff;
  if (off + size > 0x1000) {
    // Crossing a page: translate both pages before reading anything.
    uint64_t p0 = translate_or_raise(lin, Access::Read);
    uint64_t p1 = translate_or_raise((lin + size - 1) & ~uint64_t{0xfff}, Access::Read);
    uint64_t v = 0;
    for (unsigned k = 0; k < size; ++k) {
      uint64_t pa = off + k < 0x1000 ? p0 + k : p1 + (off + k - 0x1000);
      v |= (mem_.read(pa, 1) & 0xff) << (8 * k);
    }
    return v;
  }
  const Translation t = translate_checked(lin, Access::Read);
  const uint64_t pa = t.phys;
  uint64_t page = pa & ~uint64_t{0xfff};
  if (uint8_t* host = mem_.host_pointer(page, 0x1000, false)) {
    fill_tlb(lin, false, host, t);
    uint8_t* p = host + off;
    switch (size) {
      case 1: return *p;
      case 2: return load_le16(p);
      case 4: return load_le32(p);
      default: return load_le64(p);
    }
  }
  return mem_.read(pa, size);
}

uint64_t Cpu::read_rmw_slow(uint64_t lin, unsigned size) {
  translate_or_raise(lin, Access::Write);
  translate_or_raise(lin + size - 1, Access::Write);
  return read_slow(lin, size);
}

void Cpu::write_slow(uint64_t lin, unsigned size, uint64_t v) {
  if (tlb_generation_ != mem_.generation()) flush_tlb();
  uint64_t off = lin & 0xfff;
  if (off + size > 0x1000) {
    uint64_t p0 = translate_or_raise(lin, Access::Write);
    uint64_t p1 = translate_or_raise((lin + size - 1) & ~uint64_t{0xfff}, Access::Write);
    if (is_code_page(p0 & ~uint64_t{0xfff})) invalidate_code_page(p0 & ~uint64_t{0xfff});
    if (is_code_page(p1)) invalidate_code_page(p1);
    for (unsigned k = 0; k < size; ++k) {
      uint64_t pa = off + k < 0x1000 ? p0 + k : p1 + (off + k - 0x1000);
      mem_.write(pa, 1, (v >> (8 * k)) & 0xff);
    }
    return;
  }
  const Translation t = translate_checked(lin, Access::Write);
  const uint64_t pa = t.phys;
  uint64_t page = pa & ~uint64_t{0xfff};
  if (is_code_page(page)) invalidate_code_page(page);
  if (uint8_t* host = mem_.host_pointer(page, 0x1000, true)) {
    if (!is_code_page(page)) fill_tlb(lin, true, host, t);
    uint8_t* p = host + off;
    switch (size) {
      case 1: *p = static_cast<uint8_t>(v); break;
      case 2: store_le16(p, static_cast<uint16_t>(v)); break;
      case 4: store_le32(p, static_cast<uint32_t>(v)); break;
      default: store_le64(p, v); break;
    }
    return;
  }
  mem_.write(pa, size, v);
}

uint8_t* Cpu::host_span(uint64_t lin, Access access) {
  const bool write = access == Access::Write;
  const uint64_t page = lin & ~uint64_t{0xfff};
  {
    const TlbEntry& e = tlb_entry(lin);
    if (write ? e.write_tag == page : e.read_tag == page) return host_at(write ? e.write_addend : e.read_addend, lin);
  }
  if (tlb_generation_ != mem_.generation()) flush_tlb();
  const Translation t = translate_checked(lin, access);
  const uint64_t phys_page = t.phys & ~uint64_t{0xfff};
  uint8_t* host = mem_.host_pointer(phys_page, 0x1000, write);
  if (!host) return nullptr;
  if (write && is_code_page(phys_page)) invalidate_code_page(phys_page);
  fill_tlb(lin, write, host, t);
  return host + (lin & 0xfff);
}

void Cpu::probe_write(unsigned seg, uint64_t off, unsigned size) {
  uint64_t lin = linear(seg, off, size, Access::Write);
  // Within one page the TLB answers when it holds the page for writing (a store would
  // not fault; the walk's A/D bits were set when it was filled).
  const uint64_t page = lin & ~uint64_t{0xfff};
  if ((lin & 0xfff) + size <= 0x1000 && tlb_entry(lin).write_tag == page) return;
  translate_or_raise(lin, Access::Write);
  // A store crossing into a page that faults reports that page's first byte in CR2 (as
  // write_slow does, and hardware).
  if ((lin & 0xfff) + size > 0x1000) translate_or_raise((lin + size - 1) & ~uint64_t{0xfff}, Access::Write);
}

static SegmentRules segment_rules(const CpuState& s) {
  const bool protected_mode = (s.cr0 & kCr0PE) && !(s.rflags & (uint64_t{1} << 17));  // EFLAGS.VM
  return protected_mode ? SegmentRules::Protected : SegmentRules::LimitOnly;
}

void Cpu::probe_stack_push(uint64_t sp, unsigned slots, unsigned slot_size) {
  const uint64_t mask = size_mask(stack_addr_size());
  const unsigned bytes = slots * slot_size;
  sp &= mask;
  if (sp >= bytes || mode64_) {
    probe_write(SEG_SS, (sp - bytes) & mask, bytes);
    return;
  }
  // The frame wraps at the stack's address size: each slot is limit-checked where it
  // lands (one straddling the wrap faults), then the pages of both pieces, the slots
  // just below sp first (they are written first).
  for (unsigned k = 1; k <= slots; ++k) linear(SEG_SS, (sp - uint64_t{k} * slot_size) & mask, slot_size, Access::Write);
  if (sp > 0) probe_write(SEG_SS, 0, static_cast<unsigned>(sp));
  probe_write(SEG_SS, (sp - bytes) & mask, bytes - static_cast<unsigned>(sp));
}

void Cpu::raise_segment_fault(unsigned seg) { raise(seg == SEG_SS ? kSS : kGP, 0, true); }

void Cpu::segments_changed() {
  const SegmentRules rules = segment_rules(s_);
  for (unsigned k = 0; k < 6; ++k) {
    seg_bounds_[0][k] = segment_bounds(s_.seg[k], false, rules);
    seg_bounds_[1][k] = segment_bounds(s_.seg[k], true, rules);
  }
}

void Cpu::note_code_page(uint64_t phys_page) {
  if (code_pages_.insert(phys_page).second) {
    // Stores to this page must now take the slow path, which invalidates its blocks:
    // drop the write entries that reach it (through any linear alias).
    const uint8_t* host = mem_.host_pointer(phys_page, 0x1000, true);
    if (!host) return;  // not RAM: never cached for writing
    for (auto& set : tlb_)
      for (auto& e : set)
        if (!(e.write_tag & 1) && host_at(e.write_addend, e.write_tag) == host) e.write_tag = 1;
  }
}

void Cpu::on_external_write(uint64_t paddr, uint64_t len) {
  if (len == 0 || code_pages_.empty()) return;
  const uint64_t first = paddr & ~uint64_t{0xfff};
  const uint64_t last = (paddr + len - 1) & ~uint64_t{0xfff};
  for (uint64_t page = first;; page += 0x1000) {
    if (is_code_page(page)) invalidate_code_page(page);
    if (page == last) break;
  }
}

void Cpu::invalidate_code_page(uint64_t phys_page) {
  code_pages_.erase(phys_page);
  blocks_->invalidate_page(phys_page);
  end_block();  // the running block may be stale now
}


}  // namespace emu
