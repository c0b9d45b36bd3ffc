// The interpreter's run loop: look up (or decode) the block at RIP, dispatch its
// instructions through the table-generated handlers, check the exit-request word once
// per block, and turn raised exceptions into RunResults (or hand them to the hook).
#include <csetjmp>

#include "cpu/cpu.h"
#include "cpu/interp/block_cache.h"
#include "cpu/interp/dispatch.h"
#include "cpu/isa/decoder.h"
#include "cpu/jit/engine.h"

namespace emu {

using namespace isa;
using interp::Block;
using interp::BlockCache;

namespace {

// Reads up to 15 instruction bytes at `lin`; stops early at a page whose translation
// faults (the fault is returned and raised only if the decoder needs those bytes).
struct FetchWindow {
  uint8_t bytes[kMaxInsnLength];
  size_t avail = 0;
  bool faulted = false;
  CpuException fault;
  uint64_t pages[2] = {~uint64_t{0}, ~uint64_t{0}};
};

}  // namespace

static void fetch_window(Cpu& cpu, AddressTranslator& tr, uint64_t lin, FetchWindow* w) {
  uint64_t phys_page = 0;
  uint64_t cur_page = ~uint64_t{0};
  for (size_t k = 0; k < kMaxInsnLength; ++k) {
    uint64_t a = lin + k;
    if (!cpu.mode64()) a &= 0xffffffffu;
    uint64_t page = a & ~uint64_t{0xfff};
    if (page != cur_page) {
      if (cpu.mode64() && !Cpu::is_canonical(a)) {
        w->faulted = true;
        w->fault = CpuException{kGP, true, false, 0, 0};
        return;
      }
      Translation t = tr.translate(a, Access::Fetch, cpu.state().cpl);
      if (!t.ok) {
        w->faulted = true;
        w->fault = t.fault;
        if (k > 0) w->fault.fault_address = page;
        return;
      }
      phys_page = t.phys & ~uint64_t{0xfff};
      cur_page = page;
      w->pages[k == 0 ? 0 : 1] = phys_page;
    }
    w->bytes[k] = static_cast<uint8_t>(cpu.memory().read(phys_page | (a & 0xfff), 1));
    w->avail = k + 1;
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
  uint64_t at = lin;
  for (unsigned n = 0; n < BlockCache::kMaxBlockInsns; ++n) {
    FetchWindow w;
    fetch_window(cpu, tr, at, &w);
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
    interp::Handler h = interp::kDispatch[d.form];
    if ((f.attrs & PRIV) && s.cpl != 0) h = interp::kPrivilegedHandler;
    block->insns.push_back(interp::BlockInsn{h, d});
    at += d.length;
    if ((f.attrs & END) || crosses || (at & 0xfff) == 0) break;
  }
  for (uint64_t p : block->pages)
    if (p != ~uint64_t{0}) cpu.note_code_page(p);
  return cache.insert(std::move(block));
}

bool Cpu::execute_block() {
  blocks_->collect_garbage();
  const uint32_t mode = s_.mode_key();
  uint64_t lin = mode64_ ? s_.rip : ((s_.seg[SEG_CS].base + s_.rip) & 0xffffffffu);
  Block* b = blocks_->jump_lookup(lin, mode);
  if (!b) {
    const Translation t = translate_checked(lin, Access::Fetch);
    b = blocks_->find(t.phys, mode, lin);
    if (!b) b = decode_block(*this, *translator_, *blocks_, lin, mode);
    // Global only if all of it lies in the global page (a second page may be remapped).
    blocks_->jump_insert(b, t.global && b->pages[1] == ~uint64_t{0});
    note_large_page(lin, t.page_size);
  }
  if (jit_ && jit_->run_block(b)) {
    stop_block_ = false;
    return true;
  }
  for (const interp::BlockInsn& bi : b->insns) {
    bi.fn(*this, bi.d);
    ++retired_total_;
    if (--budget_left_ == 0 || stop_block_) break;
  }
  stop_block_ = false;
  return true;
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
  while (budget_left_ > 0) {
    // System mode: external interrupts at block boundaries (delivery ends HLT).
    if (interrupt_hook && interrupts) {
      const bool intr_allowed = (s_.rflags & isa::FL_IF) && retired_total_ >= shadow_until_;
      if (interrupt_hook(*this, intr_allowed)) halted_ = false;
    }
    if (halted_) {
      reason = RunResult::Reason::Halted;
      break;
    }
    if (exit_request_.load(std::memory_order_relaxed)) {
      exit_request_.store(0);
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
