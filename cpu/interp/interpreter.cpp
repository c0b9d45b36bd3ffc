// The interpreter's run loop: look up (or decode) the block at RIP, dispatch its
// instructions through the table-generated handlers, check the attention word once
// per block (exit requests; interrupt polls only when signalled), and turn
// raised exceptions into RunResults (or hand them to the hook).
#include <algorithm>
#include <csetjmp>
#include <cstring>

#include "base/log.h"
#include "cpu/cpu.h"
#include "cpu/interp/block_cache.h"
#include "cpu/interp/dispatch.h"
#include "cpu/interp/exec_trace.h"
#include "cpu/isa/decoder.h"
#include "cpu/jit/engine.h"

namespace emu {

using namespace isa;
using interp::Block;
using interp::BlockCache;

namespace {

// Reads up to 15 instruction bytes at `lin`; stops early at CS's limit (#GP(0), outside
// 64-bit mode: `limit_bytes` bytes are within it) or at a page whose translation faults
// (the fault is returned and raised only if the decoder needs those bytes).
struct FetchWindow {
  uint8_t bytes[kMaxInsnLength];
  size_t avail = 0;
  bool faulted = false;
  CpuException fault;
  uint64_t pages[2] = {~uint64_t{0}, ~uint64_t{0}};
};

}  // namespace

static void fetch_window(Cpu& cpu, AddressTranslator& tr, uint64_t lin, uint64_t limit_bytes, FetchWindow* w) {
  size_t k = 0;
  while (k < kMaxInsnLength) {  // one page at a time
    if (k >= limit_bytes) {  // the rest is beyond CS's limit
      w->faulted = true;
      w->fault = CpuException{kGP, true, false, false, 0, 0};
      return;
    }
    uint64_t a = lin + k;
    if (!cpu.mode64()) a &= 0xffffffffu;
    const uint64_t page = a & ~uint64_t{0xfff};
    if (cpu.mode64() && !Cpu::is_canonical(a)) {
      w->faulted = true;
      w->fault = CpuException{kGP, true, false, false, 0, 0};
      return;
    }
    Translation t = tr.translate(a, Access::Fetch, cpu.state().cpl);
    if (!t.ok) {
      w->faulted = true;
      w->fault = t.fault;
      if (k > 0) w->fault.fault_address = page;
      return;
    }
    const uint64_t phys = (t.phys & ~uint64_t{0xfff}) | (a & 0xfff);
    w->pages[k == 0 ? 0 : 1] = phys & ~uint64_t{0xfff};
    const size_t n = std::min<size_t>({kMaxInsnLength - k, 0x1000 - (a & 0xfff), static_cast<size_t>(limit_bytes - k)});
    if (const uint8_t* host = cpu.memory().host_pointer(phys, n, false)) {
      std::memcpy(w->bytes + k, host, n);
    } else {
      for (size_t j = 0; j < n; ++j) w->bytes[k + j] = static_cast<uint8_t>(cpu.memory().read(phys + j, 1));
    }
    k += n;
    w->avail = k;
  }
}

// Decodes a new block at the current RIP. Raises the fault of the first instruction if it
// cannot be decoded (no block is created then).
Block* decode_block(Cpu& cpu, AddressTranslator& tr, BlockCache& cache, uint64_t lin, uint32_t mode) {
  CpuState& s = cpu.state();
  auto block = std::make_unique<Block>();
  block->linear = lin;
  block->mode = mode;
  const unsigned bits = s.code_bits();
  // Bytes from the block's start to the end of CS (outside 64-bit mode).
  const uint64_t cs_end = uint64_t{s.seg[SEG_CS].limit} + 1;
  const uint64_t cs_room = bits == 64 ? ~uint64_t{0} : (s.rip < cs_end ? cs_end - s.rip : 0);
  uint64_t at = lin;
  for (unsigned n = 0; n < BlockCache::kMaxBlockInsns; ++n) {
    FetchWindow w;
    const uint64_t done = at - lin;
    fetch_window(cpu, tr, at, cs_room > done ? cs_room - done : 0, &w);
    DecodedInsn d;
    DecodeStatus st = w.avail ? decode(w.bytes, w.avail, bits, &d) : DecodeStatus::NeedMoreBytes;
    if (st != DecodeStatus::Ok) {
      if (n > 0) break;  // end the block before the bad instruction; it faults when reached
      if (st == DecodeStatus::NeedMoreBytes && w.faulted) cpu.raise_exception(w.fault);
      if (st == DecodeStatus::TooLong) cpu.raise_gp0();
      cpu.raise(kUD);
    }
    if (n == 0) {
      block->phys = w.pages[0] | (lin & 0xfff);
      block->pages[0] = w.pages[0];
    }
    // An instruction continuing into another page ends the block after it.
    bool crosses = ((at & 0xfff) + d.length) > 0x1000;
    if (crosses) block->pages[1] = w.pages[1];
    if (n > 0 && (at & ~uint64_t{0xfff}) != (lin & ~uint64_t{0xfff})) break;
    const Form& f = d.info();
    const bool privileged_gp = (f.attrs & PRIV) && s.cpl != 0;
    const interp::Handler h = privileged_gp ? interp::kPrivilegedHandler : interp::kDispatch[d.form];
    block->insns.push_back(interp::BlockInsn{interp::threaded_handler(d, privileged_gp), h, d});
    block->bytes += d.length;
    at += d.length;
    if ((f.attrs & END) || crosses || (at & 0xfff) == 0) break;
  }
  for (uint64_t p : block->pages)
    if (p != ~uint64_t{0}) cpu.note_code_page(p);
  return cache.insert(std::move(block));
}

interp::Block* Cpu::block_at_rip() {
  const uint32_t mode = s_.mode_key();
  uint64_t lin = mode64_ ? s_.rip : ((s_.seg[SEG_CS].base + s_.rip) & 0xffffffffu);
  Block* b = blocks_->jump_lookup(lin, mode);
  if (!b) {
    const Translation t = translate_checked(lin, Access::Fetch);
    b = blocks_->find(t.phys, mode, lin);
    if (b && !second_page_current(*b)) {  // its second page was remapped: its bytes are stale here
      blocks_->invalidate_page(b->pages[1]);
      b = nullptr;
    }
    if (!b) b = decode_block(*this, *translator_, *blocks_, lin, mode);
    // Global only if all of it lies in the global page (a second page may be remapped).
    blocks_->jump_insert(b, t.global && b->pages[1] == ~uint64_t{0});
    note_large_page(lin, t.page_size);
  }
  return b;
}

bool Cpu::second_page_current(const interp::Block& b) {
  if (b.pages[1] == ~uint64_t{0}) return true;
  uint64_t next = (b.linear & ~uint64_t{0xfff}) + 0x1000;
  if (!mode64_) next &= 0xffffffffu;
  const Translation t = translate_fetch(next, false);
  return t.ok && (t.phys & ~uint64_t{0xfff}) == b.pages[1];
}

// EFLAGS.TF set before an instruction: it runs alone (interpreted), then a single-step
// #DB trap (DR6.BS) is raised with RIP after it — unless it faulted or trapped itself
// (INT n clears TF on delivery), or it was MOV SS/POP SS, whose interrupt shadow delays
// the trap to after the next instruction (SDM vol. 3 17.3.1.4, 6.8.3).
void Cpu::execute_single_step() {
  Block* b = block_at_rip();
  if (exec_trace_enabled()) [[unlikely]] log_exec_block(*this, *b, nullptr);
  const interp::BlockInsn& bi = b->insns.front();
  if (!fetch_within_cs_limit(bi.d.length)) raise_gp0();
  bi.fn(*this, bi.d);
  ++retired_total_;
  --budget_left_;
  stop_block_ = false;
  if (retired_total_ < shadow_until_) return;
  s_.dr[6] |= kDr6SingleStep;
  raise(kDB);
}

bool Cpu::execute_block() {
  blocks_->collect_garbage();
  if (s_.rflags & isa::FL_TF) {
    execute_single_step();
    return true;
  }
  Block* b = block_at_rip();
  const interp::BlockInsn* insns = b->insns.data();
  auto count = static_cast<uint32_t>(b->insns.size());
  for (;;) {
    // A block decoded under a larger CS limit runs interpreted, each instruction checked:
    // the one reaching beyond the limit faults.
    // (64-bit mode first: the successor's Block is not read on the interpreter's path.)
    if (!mode64_ && !fetch_within_cs_limit(b->bytes)) [[unlikely]] {
      run_block_insns<true>(*b);
      break;
    }
    if (jit_) {
      if (!jit_->run_block(b)) run_block_insns<false>(*b);
    } else {
      if (exec_trace_enabled()) [[unlikely]] log_exec_block(*this, *b, nullptr);
      run_threaded(insns, count);
    }
    // Straight on to the next block unless the run loop has something to do first.
    if (stop_block_ || budget_left_ == 0 || attention_.load(std::memory_order_relaxed) || (s_.rflags & isa::FL_TF))
      break;
    b = next_block(b, &insns, &count);
  }
  stop_block_ = false;
  return true;
}

// The block at RIP after `prev` ran: one of prev's successor links when it is still
// valid, else the jump cache / decoder (and the link is remembered).
interp::Block* Cpu::next_block(interp::Block* prev, const interp::BlockInsn** insns, uint32_t* count) {
  const uint64_t lin = mode64_ ? s_.rip : ((s_.seg[SEG_CS].base + s_.rip) & 0xffffffffu);
  const uint64_t generation = blocks_->generation();
  const uint32_t mode = s_.mode_key();
  for (const Block::Successor& n : prev->next) {
    if (n.linear == lin && n.generation == generation && n.mode == mode) [[likely]] {
      *insns = n.insns;
      *count = n.count;
      return n.block;
    }
  }
  Block* b = block_at_rip();
  prev->next[1] = prev->next[0];
  prev->next[0] = Block::Successor{lin, blocks_->generation(), b, b->insns.data(),
                                   static_cast<uint32_t>(b->insns.size()), b->mode};
  *insns = prev->next[0].insns;
  *count = prev->next[0].count;
  return b;
}

void Cpu::run_threaded(const interp::BlockInsn* insns, uint32_t count) {
  block_end_ = insns + (count < budget_left_ ? count : static_cast<uint32_t>(budget_left_));
  block_start_retired_ = retired_total_;
  in_threaded_block_ = true;
  insns->threaded(*this, insns->d);
  in_threaded_block_ = false;
  budget_left_ -= retired_total_ - block_start_retired_;
}

template <bool CheckCs>
void Cpu::run_block_insns(const interp::Block& b) {
  if (exec_trace_enabled()) [[unlikely]] log_exec_block(*this, b, nullptr);
  if constexpr (!CheckCs) {
    run_threaded(b.insns.data(), static_cast<uint32_t>(b.insns.size()));
    return;
  }
  const uint64_t cs_end = uint64_t{s_.seg[SEG_CS].limit} + 1;
  for (const interp::BlockInsn& bi : b.insns) {
    if (CheckCs && s_.rip + bi.d.length > cs_end) raise_gp0();
    bi.fn(*this, bi.d);
    ++retired_total_;
    if (--budget_left_ == 0 || stop_block_) break;
  }
}

void Cpu::poll_interrupts() {
  attention_.fetch_and(~kAttentionInterrupt, std::memory_order_relaxed);
  if (!interrupt_hook || !interrupts) return;
  const bool shadow = retired_total_ < shadow_until_;
  const bool intr_allowed = (s_.rflags & isa::FL_IF) && !shadow;
  if (interrupt_hook(*this, intr_allowed)) {
    halted_ = false;
    signal_interrupt();  // another one may be waiting (an NMI and an INTR, a trap gate)
  } else if (shadow) {
    signal_interrupt();  // look again once the shadow has passed
  }
}

RunResult Cpu::run(uint64_t max_instructions) {
  std::jmp_buf jb;
  fault_jmp_ = &jb;
  budget_left_ = max_instructions;
  const uint64_t start_retired = retired_total_;
  RunResult::Reason reason = RunResult::Reason::InstructionLimit;
  refresh_mode();
  if (tlb_generation_ != mem_.generation()) flush_tlb();
  if (setjmp(jb) != 0) {
    // An exception unwound here; the state is at the faulting instruction.
    stop_block_ = false;
    if (in_threaded_block_) {  // charge the budget for the block's retired instructions
      budget_left_ -= retired_total_ - block_start_retired_;
      in_threaded_block_ = false;
    }
    refresh_mode();
    if (pending_.software) {  // INT n / INT3 / INTO / INT1 completed (trap): it retires
      ++retired_total_;
      if (budget_left_ > 0) --budget_left_;
    }
    if (!exception_hook || !exception_hook(*this, pending_)) {
      fault_jmp_ = nullptr;
      RunResult r;
      r.reason = RunResult::Reason::Exception;
      if (triple_fault_) {  // system mode: a fault while delivering #DF
        triple_fault_ = false;
        r.reason = RunResult::Reason::TripleFault;
      }
      r.instructions = retired_total_ - start_retired;
      r.exception = pending_;
      return r;
    }
  }
  // State may have changed outside run() (a device, a test setting IF): poll once.
  signal_interrupt();
  while (budget_left_ > 0) {
    const uint32_t attention = attention_.load(std::memory_order_relaxed);
    // System mode: external interrupts at block boundaries (delivery ends HLT).
    if (attention & kAttentionInterrupt) poll_interrupts();
    if (halted_) {
      reason = RunResult::Reason::Halted;
      break;
    }
    if (attention & kAttentionExit) {
      attention_.fetch_and(~kAttentionExit, std::memory_order_relaxed);
      reason = RunResult::Reason::ExitRequest;
      break;
    }
    execute_block();
  }
  if (halted_ && reason == RunResult::Reason::InstructionLimit) reason = RunResult::Reason::Halted;
  fault_jmp_ = nullptr;
  RunResult r;
  r.reason = reason;
  r.instructions = retired_total_ - start_retired;
  return r;
}

}  // namespace emu
