// One x86-64 CPU: architectural state, the guest memory path (segmentation -> linear
// address with canonical checks -> soft TLB / translator -> PhysicalMemory), precise
// exceptions (raised by longjmp to the run loop), I/O ports, TSC, and the interpreter's
// run loop (defined in cpu/interp/). Semantics in cpu/sem/ are templates over an
// emitter; for the interpreter the emitter is this class (values are computed now).
#pragma once
#include <atomic>
#include <csetjmp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <unordered_set>

#include "base/endian.h"
#include "cpu/address_translator.h"
#include "cpu/cpu_state.h"
#include "cpu/exception.h"
#include "cpu/fetch_tlb.h"
#include "cpu/flags.h"
#include "cpu/isa/decoded_insn.h"
#include "cpu/segment_checks.h"
#include "memory/io_space.h"
#include "memory/physical_memory.h"

namespace emu {

namespace interp { class BlockCache; struct Block; struct BlockInsn; struct ThreadedDispatch; }
namespace jit { class Engine; }
class SystemCpu;        // cpu/system/system_cpu.h (system mode)
class InterruptSource;  // cpu/interrupt_source.h

struct RunResult {
  enum class Reason : uint8_t { InstructionLimit, Exception, Halted, ExitRequest,
                                TripleFault /* system mode: shutdown; the board resets or exits */ };
  Reason reason = Reason::InstructionLimit;
  uint64_t instructions = 0;  // instructions retired during this call
  CpuException exception;     // when reason == Exception
};

class Cpu final : private PhysicalMemory::WriteObserver {
 public:
  explicit Cpu(PhysicalMemory& mem, IoSpace* io = nullptr);
  ~Cpu();
  Cpu(const Cpu&) = delete;
  Cpu& operator=(const Cpu&) = delete;

  CpuState& state() { return s_; }
  const CpuState& state() const { return s_; }

  // Puts the CPU into 64-bit user mode with flat segments (CPL 3): the setup the
  // differential tests and the benchmark use. The system step adds real reset/boot.
  void set_flat_long_mode(unsigned cpl);
  // 16-bit real mode (CS.base = selector << 4) or 32-bit flat protected mode, for tests.
  void set_real_mode();
  void set_flat_protected_mode(unsigned cpl);

  // Runs at most max_instructions instructions. Returns early on an exception that the
  // exception hook does not handle, on HLT, or when request_exit() was called.
  RunResult run(uint64_t max_instructions);
  // Asks run() to return at the next block boundary (safe from other threads).
  void request_exit() { attention_.fetch_or(kAttentionExit, std::memory_order_relaxed); }
  // An interrupt may have become deliverable (a controller raised INTR/NMI, or IF, the
  // TPR, an EOI or the end of NMI blocking let a pending one through): run() polls the
  // interrupt controllers at the next block boundary. Spurious calls cost one poll.
  void signal_interrupt() { attention_.fetch_or(kAttentionInterrupt, std::memory_order_relaxed); }

  // ---- execution engine ----
  // Interpreter only, or the JIT tier above it (hot blocks become host code, see
  // cpu/jit/). use_jit(true) fails (false) on hosts without a JIT backend.
  // code_cache_bytes: the JIT's code cache (0: its default, jit::CodeCache).
  static bool jit_available();
  bool use_jit(bool on, unsigned hot_threshold = kJitHotThreshold, size_t code_cache_bytes = 0);
  bool jit_enabled() const { return jit_ != nullptr; }
  jit::Engine* jit_engine() { return jit_.get(); }
  static constexpr unsigned kJitHotThreshold = 16;  // runs before a block is translated

  // Called on every exception; returning true means the hook delivered it (changed state).
  std::function<bool(Cpu&, const CpuException&)> exception_hook;
  // Time source for RDTSC (guest cycles); default counts retired instructions.
  std::function<uint64_t()> tsc_source;

  // ---- system mode (cpu/system/, by the cpu-system helper) ----
  // A SystemCpu attaches itself here; while null, system instructions raise #UD and
  // exceptions end run() (the differential tests rely on that).
  SystemCpu* system = nullptr;
  // INTR/NMI pins (the board's); polled through interrupt_hook at a block boundary after
  // signal_interrupt() (and once at the start of run()); the hook returns true when it
  // delivered an interrupt. `intr_allowed`: IF = 1 and no shadow.
  InterruptSource* interrupts = nullptr;
  std::function<bool(Cpu&, bool intr_allowed)> interrupt_hook;
  // STI / MOV SS / POP SS: no INTR until one more instruction has retired (then poll:
  // STI of IF = 0 may have let a pending interrupt through).
  void set_interrupt_shadow() {
    shadow_until_ = retired_total_ + 2;
    signal_interrupt();
  }
  // The exception hook reports a triple fault: run() returns Reason::TripleFault.
  void signal_triple_fault() { triple_fault_ = true; }
  bool halted() const { return halted_; }
  void clear_halted() { halted_ = false; }

  void set_translator(AddressTranslator* t) { translator_ = t ? t : &identity_; flush_tlb(); }
  // Soft TLB and jump cache invalidation. flush_tlb: every translation (paging mode or
  // permission inputs changed, map changed); flush_tlb_nonglobal: a CR3 write (keeps
  // global pages); flush_tlb_page: INVLPG (the page in every privilege set; the whole
  // TLB if it lies in a large page).
  void flush_tlb();
  void flush_tlb_nonglobal();
  void flush_tlb_page(uint64_t lin);
  // How often each happened, and the page walks (translations outside the TLB) they
  // cost (`-d jit` prints them).
  struct TlbStats {
    uint64_t full_flushes = 0, nonglobal_flushes = 0, page_flushes = 0;
    uint64_t page_flushes_full = 0;  // INVLPG inside a cached large page's range
    uint64_t translations = 0;
    uint64_t fetch_translations = 0;  // of which for instruction fetch (block lookups)
    uint64_t fills = 0;               // TLB entries filled (translations that found RAM)
  };
  const TlbStats& tlb_stats() const { return tlb_stats_; }
  // Drops every decoded block (e.g. after loading code with PhysicalMemory directly).
  void flush_code_cache();

  // ---- guest memory path (also used by the semantics) ----
  [[noreturn]] void raise(uint8_t vector, uint32_t error_code = 0, bool has_error = false);
  [[noreturn]] void raise_gp0() { raise(kGP, 0, true); }
  [[noreturn]] void raise_exception(const CpuException& e);

  // Linear address of seg:offset for a read or write of `size` bytes: in 64-bit mode the
  // canonical check (FS/GS add their base); elsewhere the segment's limit and type
  // (cpu/segment_checks.h): #GP(0), or #SS(0) for SS, against the bounds precomputed by
  // segments_changed() (two compares; the fault path does not return).
  // The memory path's fast halves are always inlined into the semantic handlers (each
  // handler gets its own copy of the branches, and constant operand indexes and sizes
  // fold); the slow halves (TLB refill, faults) stay out of line.
  [[gnu::always_inline]] uint64_t linear(unsigned seg, uint64_t offset, unsigned size, Access access) {
    uint64_t lin;
    if (mode64_) {
      lin = offset + (seg >= isa::SEG_FS ? s_.seg[seg].base : 0);
      uint64_t last = lin + size - 1;
      if (!is_canonical(lin) || !is_canonical(last)) raise(seg == isa::SEG_SS ? kSS : kGP, 0, true);
    } else {
      if (!seg_bounds_[access == Access::Write][seg].allows(offset, size)) [[unlikely]] raise_segment_fault(seg);
      lin = (s_.seg[seg].base + offset) & 0xffffffffu;
    }
    return lin;
  }
  // Linear address without segment limit and type checks (INVLPG names an address, it
  // does not access it); 64-bit mode keeps the canonical check.
  uint64_t linear_unchecked(unsigned seg, uint64_t offset) {
    if (mode64_) return linear(seg, offset, 1, Access::Read);
    return (s_.seg[seg].base + offset) & 0xffffffffu;
  }
  // #SS(0) for SS, #GP(0) for the others: an access outside the segment's bounds.
  [[noreturn, gnu::cold]] void raise_segment_fault(unsigned seg);
  // Recomputes the per-segment bounds; called whenever a segment register's limit or
  // attributes, CR0.PE or EFLAGS.VM change (refresh_mode() does it too; so does run()).
  void segments_changed();
  // Instruction fetch: whether `bytes` bytes at CS:RIP lie within CS's limit.
  bool fetch_within_cs_limit(uint64_t bytes) const {
    return mode64_ || s_.rip + bytes <= uint64_t{s_.seg[isa::SEG_CS].limit} + 1;
  }
  static bool is_canonical(uint64_t a) { return static_cast<uint64_t>(static_cast<int64_t>(a << 16) >> 16) == a; }

  template <class T>
  [[gnu::always_inline]] T read_lin(uint64_t lin) {
    const TlbEntry& e = tlb_entry(lin);
    if (e.read_tag == last_page(lin, sizeof(T))) return load_le<T>(host_at(e.read_addend, lin));
    return static_cast<T>(read_slow(lin, sizeof(T)));
  }
  template <class T>
  [[gnu::always_inline]] void write_lin(uint64_t lin, T v) {
    const TlbEntry& e = tlb_entry(lin);
    if (e.write_tag == last_page(lin, sizeof(T))) {
      store_le<T>(host_at(e.write_addend, lin), v);
      return;
    }
    write_slow(lin, sizeof(T), v);
  }
  // Sizes as a chain of compares, most common first (a switch becomes an indirect jump).
  [[gnu::always_inline]] uint64_t read_mem(unsigned seg, uint64_t off, unsigned size) {
    uint64_t lin = linear(seg, off, size, Access::Read);
    if (size == 8) return read_lin<uint64_t>(lin);
    if (size == 4) return read_lin<uint32_t>(lin);
    if (size == 1) return read_lin<uint8_t>(lin);
    return read_lin<uint16_t>(lin);
  }
  [[gnu::always_inline]] void write_mem(unsigned seg, uint64_t off, unsigned size, uint64_t v) {
    uint64_t lin = linear(seg, off, size, Access::Write);
    if (size == 8) write_lin<uint64_t>(lin, v);
    else if (size == 4) write_lin<uint32_t>(lin, static_cast<uint32_t>(v));
    else if (size == 1) write_lin<uint8_t>(lin, static_cast<uint8_t>(v));
    else write_lin<uint16_t>(lin, static_cast<uint16_t>(v));
  }
  // Read of a read-modify-write destination: checked for write access first, so a fault
  // reports a write (as hardware does for RMW instructions).
  [[gnu::always_inline]] uint64_t read_mem_rmw(unsigned seg, uint64_t off, unsigned size) {
    uint64_t lin = linear(seg, off, size, Access::Write);
    const TlbEntry& e = tlb_entry(lin);
    if (e.write_tag == last_page(lin, size)) [[likely]] {
      const uint8_t* p = host_at(e.write_addend, lin);
      if (size == 8) return load_le<uint64_t>(p);
      if (size == 4) return load_le<uint32_t>(p);
      if (size == 1) return *p;
      return load_le<uint16_t>(p);
    }
    return read_rmw_slow(lin, size);
  }
  [[gnu::always_inline]] uint64_t read_operand_rmw(const isa::DecodedInsn& i, unsigned k) {
    const isa::Operand& o = i.op[k];
    if (o.type == isa::OperandType::Mem) return read_mem_rmw(i.seg, effective_address(i), o.size);
    return read_operand(i, k);
  }
  // Checks that [seg:off, +size) is writable without writing (for multi-part stores
  // that must stay precise, e.g. CMPXCHG16B, PUSHA, ENTER).
  void probe_write(unsigned seg, uint64_t off, unsigned size);
  // probe_write for `slots` pushes of `slot_size` bytes below stack pointer `sp` (PUSHA,
  // ENTER, far CALL), wrapping at the stack's address size as the slots do.
  void probe_stack_push(uint64_t sp, unsigned slots, unsigned slot_size);

  // ---- bulk access for REP strings (cpu/sem/string.h) ----
  // seg:off as a linear address, no checks at all (64-bit mode: FS/GS add their base).
  uint64_t linear_nocheck(unsigned seg, uint64_t off) const {
    if (mode64_) return off + (seg >= isa::SEG_FS ? s_.seg[seg].base : 0);
    return (s_.seg[seg].base + off) & 0xffffffffu;
  }
  // The linear address of [seg:off, +len) when the whole range passes the checks of an
  // `access` (64-bit mode: canonical; elsewhere the segment's bounds); false, with
  // nothing raised, when it does not (the per-element path then raises the fault).
  bool linear_range(unsigned seg, uint64_t off, uint64_t len, Access access, uint64_t* lin) const {
    if (mode64_) {
      *lin = linear_nocheck(seg, off);
      return is_canonical(*lin) && is_canonical(*lin + len - 1);
    }
    if (!seg_bounds_[access == Access::Write][seg].allows(off, static_cast<unsigned>(len))) return false;
    *lin = linear_nocheck(seg, off);
    return true;
  }
  // Host pointer to the guest byte at `lin` for a bulk read or write that stays within
  // lin's page, through the soft TLB (refilled as a scalar access would: permission
  // checks, A/D bits; a write first drops the code decoded from the page). Raises the
  // translation fault. Null when the page is not plain RAM (MMIO, ROM for writes): the
  // caller takes the per-element path.
  uint8_t* host_span(uint64_t lin, Access access);

  // ---- registers (GPR numbers as in isa::DecodedInsn: 16..19 = AH..BH) ----
  [[gnu::always_inline]] uint64_t reg(unsigned r, unsigned size) const {
    if (r >= isa::kRegAH) return (s_.gpr[r - isa::kRegAH] >> 8) & 0xff;
    return s_.gpr[r] & size_mask(size);
  }
  // Always inlined: every register write goes through it (the semantic templates
  // call it from many places, and GCC then stops inlining it into write_operand).
  [[gnu::always_inline]] void set_reg(unsigned r, unsigned size, uint64_t v) {
    if (r >= isa::kRegAH) [[unlikely]] {
      uint64_t& g = s_.gpr[r - isa::kRegAH];
      g = (g & ~uint64_t{0xff00}) | ((v & 0xff) << 8);
      return;
    }
    uint64_t& g = s_.gpr[r];
    if (size >= 4) g = size == 4 ? v & 0xffffffffu : v;  // 32-bit writes zero-extend
    else {
      const uint64_t m = size_mask(size);
      g = (g & ~m) | (v & m);
    }
  }

  // Effective address (offset within the segment) of the instruction's memory operand.
  // Always inlined: it is on every memory operand's path.
  [[gnu::always_inline]] uint64_t effective_address(const isa::DecodedInsn& i) const {
    uint64_t a = static_cast<uint64_t>(i.disp);
    if (i.base == isa::kRegRIP) a += s_.rip + i.length;
    else if (i.base != isa::kNoReg) a += s_.gpr[i.base];
    if (i.index != isa::kNoReg) a += s_.gpr[i.index] << i.scale;
    return a & size_mask(i.asz);
  }
  [[gnu::always_inline]] uint64_t read_operand(const isa::DecodedInsn& i, unsigned k) {
    const isa::Operand& o = i.op[k];
    if (o.type == isa::OperandType::Reg) return reg(o.reg, o.size);
    if (o.type == isa::OperandType::Mem) return read_mem(i.seg, effective_address(i), o.size);
    if (o.type == isa::OperandType::Imm) return o.reg == 1 ? 1 : i.imm & size_mask(o.size);  // reg 1: constant 1
    return 0;
  }
  [[gnu::always_inline]] void write_operand(const isa::DecodedInsn& i, unsigned k, uint64_t v) {
    const isa::Operand& o = i.op[k];
    if (o.type == isa::OperandType::Reg) set_reg(o.reg, o.size, v);
    else write_mem(i.seg, effective_address(i), o.size, v);
  }

  // ---- values and flags, as the emitter-generic semantics see them (cpu/sem/alu.h):
  // for the interpreter a value is a uint64_t and these compute directly ----
  using Value = uint64_t;
  bool carry_flag() const {  // INC/DEC (they keep it), logic ops, SUB/CMP and ADD answer inline
    if (s_.lf.op == FlagOp::Inc || s_.lf.op == FlagOp::Dec) return s_.lf.carry_in;
    if (s_.lf.op == FlagOp::Logic) return false;
    if (s_.lf.op == FlagOp::Sub || s_.lf.op == FlagOp::Add) {
      const uint64_t m = size_mask(s_.lf.size);
      return s_.lf.op == FlagOp::Sub ? (s_.lf.src1 & m) < (s_.lf.src2 & m) : (s_.lf.result & m) < (s_.lf.src1 & m);
    }
    return flag_cf(s_);
  }
  void record_flags(FlagOp op, unsigned size, uint64_t result, uint64_t a, uint64_t b, unsigned carry_in) {
    emu::record_flags(s_, op, size, result, a, b, carry_in);
  }

  // ---- stack ----
  unsigned stack_addr_size() const { return mode64_ ? 8 : (s_.seg[isa::SEG_SS].default_big() ? 4 : 2); }
  [[gnu::always_inline]] void push(uint64_t v, unsigned size) {
    const unsigned ssz = stack_addr_size();
    const uint64_t sp = (s_.gpr[RSP] - size) & size_mask(ssz);
    write_mem(isa::SEG_SS, sp, size, v);
    set_reg(RSP, ssz, sp);
  }
  [[gnu::always_inline]] uint64_t pop(unsigned size) {  // reads and adjusts rSP
    const unsigned ssz = stack_addr_size();
    const uint64_t sp = s_.gpr[RSP] & size_mask(ssz);
    const uint64_t v = read_mem(isa::SEG_SS, sp, size);
    set_reg(RSP, ssz, sp + size);
    return v;
  }
  // Reads [rSP+offset] without adjusting rSP.
  [[gnu::always_inline]] uint64_t peek(unsigned size, uint64_t offset = 0) {
    const unsigned ssz = stack_addr_size();
    return read_mem(isa::SEG_SS, (s_.gpr[RSP] + offset) & size_mask(ssz), size);
  }

  // ---- ports and miscellany for the semantics ----
  uint32_t port_in(uint16_t port, unsigned size) { return io_ ? io_->read(port, size) : 0xffffffffu & static_cast<uint32_t>(size_mask(size)); }
  void port_out(uint16_t port, unsigned size, uint32_t v) { if (io_) io_->write(port, size, v); }
  uint64_t read_tsc() { return tsc_source ? tsc_source() : retired_total_; }
  uint64_t retired_instructions() const { return retired_total_; }
  // Soft TLB entries filled (read or write half) since the CPU was made: its misses that
  // found RAM (`-d jit` statistics).
  uint64_t tlb_fills() const { return tlb_stats_.fills; }
  bool mode64() const { return mode64_; }
  // Ends the current decoded block after this instruction (code changed, mode changed).
  // (block_end_ = null: the threaded handlers' end-of-block test then stops too.)
  void end_block() {
    stop_block_ = true;
    block_end_ = nullptr;
  }
  void set_halted() {
    halted_ = true;
    end_block();
  }
  // Remaining instruction budget of this run() call (REP strings yield when it is spent).
  uint64_t budget_left() const { return budget_left_; }
  // Recomputes what is derived from the mode bits and segment registers (64-bit mode,
  // the segment checks' bounds).
  void refresh_mode() {
    mode64_ = s_.mode64();
    segments_changed();
  }

  // ---- code pages (self-modifying code) ----
  void note_code_page(uint64_t phys_page);
  bool is_code_page(uint64_t phys_page) const { return code_pages_.count(phys_page) != 0; }

  // Translates for instruction fetch; raises the fault on failure.
  uint64_t translate_or_raise(uint64_t lin, Access access);
  Translation translate_checked(uint64_t lin, Access access);  // the same, whole answer
  // For instruction fetch at `lin` through the fetch TLB (a page walk on a miss); a fault
  // is raised, or with raise_fault == false returned (ok false).
  Translation translate_fetch(uint64_t lin, bool raise_fault);
  const FetchTlb& fetch_tlb() const { return fetch_tlb_; }
  PhysicalMemory& memory() { return mem_; }

 private:
  friend class interp::BlockCache;
  friend struct interp::ThreadedDispatch;
  friend class jit::Engine;
  // A hit needs the tag of the entry of the access's first byte to equal the page of
  // its last byte (last_page): so a page-crossing access never hits (the entry indexed
  // by the first page holds only tags of that page), nor a non-canonical one or one
  // wrapping past 4 GiB outside 64-bit mode. The host address of a hit is addend + lin
  // (one add; generated code uses it as a base+index operand).
  struct TlbEntry {
    uint64_t read_tag = 1;   // page-aligned linear address; bit 0 set = invalid
    uintptr_t read_addend = 0;  // host address of the page minus its linear address
    uint64_t write_tag = 1;  // never set for pages holding decoded code (stores there trap)
    uintptr_t write_addend = 0;
  };
  static uint64_t last_page(uint64_t lin, unsigned size) { return (lin + size - 1) & ~uint64_t{0xfff}; }
  static uintptr_t addend_for(uint8_t* host_page, uint64_t lin_page) {
    return reinterpret_cast<uintptr_t>(host_page) - static_cast<uintptr_t>(lin_page);
  }
  static uint8_t* host_at(uintptr_t addend, uint64_t lin) { return reinterpret_cast<uint8_t*>(addend + static_cast<uintptr_t>(lin)); }
  // Fills the read or write half of lin's entry and records what a later
  // invalidation needs (global bit, large page) and the fill count.
  void fill_tlb(uint64_t lin, bool write, uint8_t* host_page, const Translation& t);
  static constexpr unsigned kTlbSize = 2048;  // entries per set, direct-mapped by linear page
  // One TLB set per privilege class, like QEMU's MMU indexes: entries are filled with
  // the permission checks of their class, so a CPL change only selects the other set.
  // (SMAP would need the supervisor set to follow EFLAGS.AC; CR4.SMAP is not offered.)
  static constexpr unsigned kTlbSetSupervisor = 0, kTlbSetUser = 1, kTlbSets = 2;
  static constexpr unsigned tlb_set(unsigned cpl) { return (cpl + 1) >> 2; }  // CPL 3 -> user
  TlbEntry& tlb_entry(uint64_t lin) { return tlb_[tlb_set(s_.cpl)][(lin >> 12) & (kTlbSize - 1)]; }
  void note_large_page(uint64_t lin, uint64_t page_size);

  uint64_t read_slow(uint64_t lin, unsigned size);
  // read_mem_rmw past a TLB write miss: both ends checked for writing, then read.
  uint64_t read_rmw_slow(uint64_t lin, unsigned size);
  void write_slow(uint64_t lin, unsigned size, uint64_t v);
  void invalidate_code_page(uint64_t phys_page);
  // Device DMA or a loader wrote guest RAM: drop the code decoded from those pages.
  void on_external_write(uint64_t paddr, uint64_t len) override;
  interp::Block* block_at_rip();  // the decoded block at CS:RIP (decodes it on a miss)
  // Whether a block running on into a second page still fetches that page from the
  // physical page it was decoded from (block lookups find blocks by their first page).
  bool second_page_current(const interp::Block& b);
  // The same after `prev` ran, through its successor links; also gives the block's
  // instructions (from the link: the Block itself is not read).
  interp::Block* next_block(interp::Block* prev, const interp::BlockInsn** insns, uint32_t* count);
  // Runs the instructions through their threaded handlers (count > 0), charging the budget.
  void run_threaded(const interp::BlockInsn* insns, uint32_t count);
  void execute_single_step();
  bool execute_block();  // interpreter step; defined in cpu/interp/interpreter.cpp
  // Runs the block's instructions; CheckCs: each one first checked against CS's limit.
  template <bool CheckCs>
  void run_block_insns(const interp::Block& b);
  void poll_interrupts();  // run loop: the interrupt hook after signal_interrupt()

  CpuState s_;
  PhysicalMemory& mem_;
  IoSpace* io_;
  IdentityTranslator identity_;
  AddressTranslator* translator_ = &identity_;
  TlbEntry tlb_[kTlbSets][kTlbSize];
  // Per entry: bit 0 = its read half maps a global page, bit 1 = its write half does.
  uint8_t tlb_global_[kTlbSets][kTlbSize] = {};
  FetchTlb fetch_tlb_;  // instruction-fetch translations for the block lookups
  // Linear ranges covering every large page cached since the last full flush (INVLPG
  // inside one flushes everything, as it must drop the whole large page). A few ranges,
  // each grown by the large pages next to it, so the holes between the kernel's direct
  // map, its text and vmalloc space stay outside (when all are taken, the nearest one
  // grows over the new page).
  struct LinearRange {
    uint64_t first, last;
  };
  static constexpr unsigned kLargeRanges = 8;
  LinearRange large_[kLargeRanges] = {};
  unsigned num_large_ = 0;
  bool in_large_page(uint64_t lin) const {
    for (unsigned k = 0; k < num_large_; ++k)
      if (lin >= large_[k].first && lin <= large_[k].last) return true;
    return false;
  }
  uint64_t tlb_generation_ = ~uint64_t{0};
  TlbStats tlb_stats_;
  bool mode64_ = false;
  // Per segment register, outside 64-bit mode: the offsets reads ([0]) and writes ([1])
  // may touch (cpu/segment_checks.h).
  SegmentBounds seg_bounds_[2][6];

  std::jmp_buf* fault_jmp_ = nullptr;
  CpuException pending_;
  bool stop_block_ = false;
  bool halted_ = false;
  // The attention word: nonzero makes the run loop (and generated code, at every block
  // entry) stop and look. One word so generated code checks both with one compare.
  static constexpr uint32_t kAttentionExit = 1;       // request_exit()
  static constexpr uint32_t kAttentionInterrupt = 2;  // signal_interrupt()
  std::atomic<uint32_t> attention_{0};
  uint64_t budget_left_ = 0;
  uint64_t retired_total_ = 0;
  // Threaded dispatch: where the running block ends (cut short when the budget is
  // smaller; null once end_block() was called), and retired_total_ when it started (the
  // budget is charged per block: by the instructions it retired).
  const interp::BlockInsn* block_end_ = nullptr;
  uint64_t block_start_retired_ = 0;
  bool in_threaded_block_ = false;
  uint64_t shadow_until_ = 0;  // system mode: interrupt shadow (see set_interrupt_shadow)
  bool triple_fault_ = false;

  std::unordered_set<uint64_t> code_pages_;
  std::unique_ptr<interp::BlockCache> blocks_;
  std::unique_ptr<jit::Engine> jit_;  // null: interpreter only
};

}  // namespace emu
