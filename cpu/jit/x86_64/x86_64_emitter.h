// The JIT emitter for the x86-64 backend: the `E` the emitter-generic semantic templates
// (cpu/sem/alu.h, data.h, bits.h, control.h, shift.h, muldiv.h) are instantiated
// with to produce inline host code instead of computing values. A Value is a host
// register or a constant known at translation time. Inline: 64-bit mode, 8/16/32/64-bit
// GPR (AH..BH too), immediate and memory operands, LEA, the stack, shift/rotate counts
// in CL; anything else (other address sizes, a template needing the interpreter's
// state) marks the attempt as given up and the backend calls the shared handler. Memory operands use the soft TLB inline; only their slow (out-of-line)
// path (a call of the interpreter's access) can fault or end the block. RIP, the
// retired count and the budget of inline instructions are added up and stored before
// the next handler call or block exit, and around a slow path.
// Guest general registers are cached in host registers across the inline instructions
// of a block, with dirty tracking: written back before a handler call (and forgotten
// after it), at the block's end and its early exits, and stored (kept dirty) on the
// out-of-line paths that may fault (memory slow paths, #GP). Values read from them are
// the cache's registers themselves and results are renamed into the cache (no copies;
// see reg()/set_reg() and the register cache below). The last lazy flag record stays
// in registers until something may read it (materialize_flags).
// Conditions (Jcc, SETcc, CMOVcc, the carry of ADC/SBB/INC/DEC): when the last flag
// producer is an inline instruction of this block its operation and size are known
// at translation time, and the host redoes it (cmp/add/adc/sbb/inc/dec/test at that
// size, from the operands still in registers right after it, else from the record in
// CpuState::lf) and reads its own flags with setcc; otherwise a helper evaluates the
// condition from the lazy-flags record (eval_condition).
// SSE2 integer and move forms (cpu/sem/sse.h) run over Xmm values in host XMM registers
// (see the SSE2 section at the end of the class).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "cpu/cpu_state.h"
#include "cpu/flags.h"
#include "cpu/interp/dispatch.h"
#include "cpu/isa/decoded_insn.h"
#include "cpu/jit/x86_64/x86_64_encoder.h"
#include "cpu/sem/sse.h"

namespace emu::jit::x64 {

// Byte offsets (from the Cpu object in RBX) of the state inline code touches.
struct StateLayout {
  int32_t gpr0 = 0;  // CpuState::gpr[0]
  int32_t lf = 0;    // CpuState::lf
  int32_t rip = 0;       // CpuState::rip
  int32_t retired = 0;   // instructions retired
  int32_t budget = 0;    // instructions left in this run() call
  int32_t tlb = 0;       // the block's TLB set in Cpu::tlb_ (entries of 32 bytes: read tag/addend, write tag/addend)
  uint32_t tlb_entries = 512;  // entries per set (a power of two)
  int32_t fs_base = 0;   // CpuState::seg[FS].base
  int32_t gs_base = 0;   // CpuState::seg[GS].base
  // Slow paths of the inline memory accesses (the interpreter's own memory path; may
  // raise): seg_size = segment | size << 8, offset = effective address.
  uint64_t (*load)(void* cpu, uint32_t seg_size, uint64_t offset) = nullptr;
  uint64_t (*load_rmw)(void* cpu, uint32_t seg_size, uint64_t offset) = nullptr;
  void (*store)(void* cpu, uint32_t seg_size, uint64_t offset, uint64_t v) = nullptr;
  // eval_condition(cpu state, cc) (reads the lazy-flags record; never raises).
  uint64_t (*condition)(void* cpu, uint32_t cc) = nullptr;
  // Raises #GP(0) (longjmps out of generated code).
  void (*raise_gp0)(void* cpu) = nullptr;
};

class Emitter {
 public:
  struct Value {
    Emitter* e = nullptr;
    int8_t reg = -1;  // host register, or -1: the constant k
    uint64_t k = 0;
    bool zext32 = false;  // the register's bits 63..32 are known to be zero
  };

  Emitter(Encoder& enc, const StateLayout& l) : a_(enc), l_(l) {}

  // Starts an instruction at guest address rip; `flags_dead`: its flag record is
  // overwritten by the next instruction before anything can read it.
  // `pending`: earlier inline instructions whose RIP/counters are not stored yet (a slow
  // memory path stores them around its call so a fault sees the state at this one).
  // `later_uses`: guest registers (bit n: GPR n) the following inline instructions name
  // before the next handler or the block's end; a register outside it that is not cached
  // is read from / written to CpuState directly (caching it would cost more than it saves).
  void begin(uint64_t rip, bool flags_dead, unsigned pending = 0, uint32_t later_uses = 0xffff) {
    later_uses_ = later_uses;
    rip_ = rip;
    rip_stored_ = false;
    flags_dead_ = flags_dead;
    failed_ = false;
    next_reg_ = 0;
    pending_insns_ = pending;
    wrote_memory_ = false;
    accessed_memory_ = false;
    read_flags_ = false;
    may_leave_ = false;
    referenced_ = 0;
    ++insn_seq_;
    // Slots whose registers the last instruction took for its temporaries get them back.
    for (unsigned s = 0; s < kCacheSize; ++s)
      if (cache_.slot_reg[s] == kNoReg && cache_.pool_size > 0) cache_.slot_reg[s] = cache_.pool[--cache_.pool_size];
    insn_clock_ = use_clock_;
    at_begin_ = Snapshot{pending_rip_, flags_pending_, known_, cache_, slow_paths_.size()};
  }
  // Undoes the emitter's bookkeeping of an instruction whose emission was given up.
  void rollback() {
    pending_rip_ = at_begin_.pending_rip;
    flags_pending_ = at_begin_.flags_pending;
    known_ = at_begin_.known;
    cache_ = at_begin_.cache;
    slow_paths_.resize(at_begin_.slow_paths);
    rip_stored_ = false;
  }
  // Emits the memory slow paths of the instructions so far (after the block's code, so
  // the hot path stays dense) or, for a probe whose code is thrown away, forgets them.
  void emit_slow_paths() {
    for (const SlowPath& p : slow_paths_) emit_slow_path(p);
    slow_paths_.clear();
    emit_fallbacks();  // (jitforms: SSE forms)
  }
  void drop_slow_paths() {
    slow_paths_.clear();
    fallbacks_.clear();  // (jitforms: SSE forms)
  }
  // A handler is about to run for the instruction (called before its call is emitted):
  // the cached guest registers are written back and forgotten (handlers read and write
  // CpuState); forget the flag producer if it may write flags.
  void handler_ran(bool writes_flags) {
    materialize_flags();  // (the handler may read the flags, or fault)
    ++insn_seq_;
    sse_checked_ = false;  // (jitforms: a handler may change CR0/CR4)
    note_call();
    if (writes_flags) known_.valid = false;
    write_back_registers();
    cache_ = RegCache{};
  }
  // Stores the dirty cached guest registers and marks them clean (the block's end).
  void write_back_registers() {
    for (unsigned s = 0; s < kCacheSize; ++s)
      if (cache_.slot[s].guest >= 0 && cache_.slot[s].dirty) {
        a_.mov_mr64(RBX, gpr(static_cast<unsigned>(cache_.slot[s].guest)), cache_.slot_reg[s]);
        cache_.slot[s].dirty = false;
      }
  }
  // Stores the dirty cached guest registers on a path that leaves the block (or may
  // fault) while the straight-line code goes on with them cached and dirty.
  void spill_registers() {
    for (unsigned s = 0; s < kCacheSize; ++s)
      if (cache_.slot[s].guest >= 0 && cache_.slot[s].dirty)
        a_.mov_mr64(RBX, gpr(static_cast<unsigned>(cache_.slot[s].guest)), cache_.slot_reg[s]);
  }
  // The inline instruction wrote flags without a lazy record (none so far).
  void flags_written_eagerly() {
    materialize_flags();
    known_.valid = false;
  }
  bool failed() const { return failed_; }
  // The instruction stored to memory (its slow path may have ended the block).
  bool wrote_memory() const { return wrote_memory_; }
  bool accessed_memory() const { return accessed_memory_; }
  // The instruction read the flags (a condition, the carry of ADC/SBB/INC/DEC).
  bool read_flags() const { return read_flags_; }
  // The instruction may fault or leave the block (a memory access's slow path, a
  // run-time #GP check, a branch).
  bool may_leave() const { return may_leave_ || accessed_memory_; }
  // The instruction just emitted recorded lazy flags (so it replaced the record).
  bool recorded_flags() const { return known_.valid && known_.seq == insn_seq_; }
  uint64_t pending_rip() const { return pending_rip_; }

  // ---- the interface the semantic templates use ----
  Value read_operand(const isa::DecodedInsn& i, unsigned k) {
    const isa::Operand& o = i.op[k];
    if (o.type == isa::OperandType::Imm) return constant(o.reg == 1 ? 1 : i.imm & size_mask(o.size));
    if (o.type == isa::OperandType::Mem) return load_memory(i, o.size, false);
    if (o.type != isa::OperandType::Reg) return fail();
    return reg(o.reg, o.size);
  }
  Value read_operand_rmw(const isa::DecodedInsn& i, unsigned k) {
    if (i.op[k].type == isa::OperandType::Mem) return load_memory(i, i.op[k].size, true);
    return read_operand(i, k);
  }
  void write_operand(const isa::DecodedInsn& i, unsigned k, Value v) {
    const isa::Operand& o = i.op[k];
    if (o.type == isa::OperandType::Mem) {
      store_memory(i, o.size, v);
      return;
    }
    if (o.type != isa::OperandType::Reg) {
      fail();
      return;
    }
    set_reg(o.reg, o.size, v);
  }
  // General registers (numbers as in DecodedInsn: 16..19 = AH..BH), as Cpu::reg/set_reg.
  // Guest registers live in the host registers of the cache across the inline
  // instructions of a block. reg() lends the cache's host register itself for a 64-bit
  // read (and a 32-bit one when its bits 63..32 are known to be zero): a later write of
  // a lent register this instruction moves the slot to another host register first
  // (own_slot_reg), so a value already read never changes.
  Value reg(unsigned r, unsigned size) {
    if (r > isa::kRegAH + 3 || !valid_size(size)) return fail();
    if (failed_) return constant(0);
    if (r >= isa::kRegAH) {  // bits 15..8 of RAX..RBX
      Value v = fresh();
      if (failed_) return v;
      const int s = slot_of(r - isa::kRegAH);
      if (s >= 0) {
        a_.movzx_rr(2, R(v), cache_.slot_reg[s]);
        a_.shr_ri(R(v), 8);
      } else {
        a_.load_zx(1, R(v), RBX, gpr(r - isa::kRegAH) + 1);
      }
      v.zext32 = true;
      return v;
    }
    if (slot_of(r) < 0 && !(later_uses_ >> r & 1)) {  // used once: straight from CpuState
      Value v = fresh();
      if (failed_) return v;
      a_.load_zx(size, R(v), RBX, gpr(r));
      v.zext32 = size <= 4;
      return v;
    }
    const Reg h = cached(r);
    if (failed_) return constant(0);
    const bool zext = cache_.slot[static_cast<unsigned>(slot_of(r))].zext32;
    if (size == 8 || (size == 4 && zext)) {
      referenced_ |= bit(h);
      return Value{this, static_cast<int8_t>(h), 0, zext};
    }
    Value v = fresh();
    if (failed_) return v;
    if (size == 4) a_.mov_rr32(R(v), h);
    else a_.movzx_rr(size, R(v), h);
    v.zext32 = true;
    return v;
  }
  // A full (32/64-bit) write of a cached register takes a temporary this instruction
  // owns by renaming (the slot and the pool swap host registers: no move).
  void set_reg(unsigned r, unsigned size, Value v) {
    if (r > isa::kRegAH + 3 || !valid_size(size)) fail();
    if (failed_) return;
    if (r >= isa::kRegAH) {  // (rare in 64-bit code: through memory, uncached)
      v = in_register(v);
      if (failed_) return;
      const int s = slot_of(r - isa::kRegAH);
      if (s >= 0) evict(static_cast<unsigned>(s));
      a_.store_sz(1, RBX, gpr(r - isa::kRegAH) + 1, R(v));
      return;
    }
    if (size <= 2) {  // partial writes keep the other bits
      v = in_register(v);
      if (failed_) return;
      const int s = slot_of(r);
      if (s < 0) {
        a_.store_sz(size, RBX, gpr(r), R(v));
        return;
      }
      cache_.slot[s].last_use = ++use_clock_;
      if (!own_slot_reg(static_cast<unsigned>(s), true)) return;
      a_.mov_rr_sz(size, cache_.slot_reg[s], R(v));
      mark_dirty(static_cast<unsigned>(s));  // (bits 63..32 unchanged: zext32 stays)
      return;
    }
    if (slot_of(r) < 0 && !(later_uses_ >> r & 1)) {  // not read again: straight to CpuState
      if (v.reg < 0) {
        const uint64_t c = size == 4 ? (v.k & 0xffffffffu) : v.k;
        if (fits_i32(c)) {
          a_.mov_m64_i(RBX, gpr(r), static_cast<int32_t>(c));
          return;
        }
      } else if (size == 8 || v.zext32) {
        a_.mov_mr64(RBX, gpr(r), R(v));
        return;
      } else {
        Value t = fresh();  // 32-bit writes zero-extend
        if (failed_) return;
        a_.mov_rr32(R(t), R(v));
        a_.mov_mr64(RBX, gpr(r), R(t));
        return;
      }
    }
    const unsigned s = slot_for_write(r);
    const int k = v.reg >= 0 && !in_branch_ ? pool_index(v.reg) : -1;
    if (k >= 0 && (size == 8 || v.zext32)) {  // rename: the slot takes v's register
      std::swap(cache_.slot_reg[s], cache_.pool[k]);
      referenced_ |= bit(R(v));
      cache_.slot[s].zext32 = v.zext32;
      mark_dirty(s);
      return;
    }
    if (!own_slot_reg(s, false)) return;
    const Reg h = cache_.slot_reg[s];
    if (v.reg < 0) {
      const uint64_t c = size == 4 ? (v.k & 0xffffffffu) : v.k;
      if (c > 0xffffffffu && fits_i32(c)) a_.mov_ri_sx(h, static_cast<int32_t>(c));
      else a_.mov_ri(h, c);
      cache_.slot[s].zext32 = c <= 0xffffffffu;
    } else if (size == 4) {
      a_.mov_rr32(h, R(v));  // 32-bit writes zero-extend
      cache_.slot[s].zext32 = true;
    } else {
      a_.mov_rr(h, R(v));
      cache_.slot[s].zext32 = v.zext32;
    }
    mark_dirty(s);
  }

  // ---- memory and stack, as Cpu's (64-bit mode: 64-bit stack addresses) ----
  static unsigned stack_addr_size() { return 8; }
  Value read_mem(unsigned seg, Value ea, unsigned size) {
    const unsigned live = next_reg_;
    Value d = fresh();
    load_core(seg, size, false, live, d, address_of(ea));
    return d;
  }
  void write_mem(unsigned seg, Value ea, unsigned size, Value v) {
    v = in_register(v);
    const unsigned live = next_reg_;
    store_core(seg, size, live, v, address_of(ea));
  }
  // The store comes first, so a fault leaves RSP unchanged (Cpu::push): [rsp - size],
  // then rsp -= size in its register.
  template <class TV>
  void push(TV v, unsigned size) {
    Value val = in_register(value(v));
    const int8_t sp = stack_pointer();
    if (failed_) return;
    const unsigned live = next_reg_;  // (sp stays live across the slow path)
    store_core(isa::SEG_SS, size, live, val, Addr{sp, -static_cast<int64_t>(size)});
    if (failed_) return;
    const int s = slot_of(emu::RSP);
    if (s < 0) {  // RSP not cached (not named again): update CpuState's copy
      a_.alu_m64_i(SUB, RBX, gpr(emu::RSP), static_cast<int32_t>(size));
      return;
    }
    // (a value of this instruction or the kept flag record may still name the old RSP:
    // own_slot_reg moves it away first)
    if (!own_slot_reg(static_cast<unsigned>(s), true)) return;
    const Reg h = cache_.slot_reg[s];
    a_.lea(h, true, h, false, RAX, 0, -static_cast<int32_t>(size));
    cache_.slot[s].zext32 = false;
    mark_dirty(static_cast<unsigned>(s));
  }
  Value peek(unsigned size, uint64_t offset = 0) {
    const unsigned live = next_reg_;
    Value d = fresh();
    const int8_t sp = stack_pointer();
    if (!failed_) load_core(isa::SEG_SS, size, false, live, d, Addr{sp, static_cast<int64_t>(offset)});
    return d;
  }
  // One LEA from the cached base and index registers (a fresh register; a constant for
  // RIP-relative and absolute addresses).
  Value effective_address(const isa::DecodedInsn& i) {
    if (i.asz != 8) return fail();
    const auto disp = static_cast<uint64_t>(i.disp);
    if (i.base == isa::kRegRIP) return constant(rip_ + i.length + disp);
    const bool has_base = i.base != isa::kNoReg, has_index = i.index != isa::kNoReg;
    if (!has_base && !has_index) return constant(disp);
    if (!has_index && disp == 0) return load64(i.base);
    if (!fits_i32(disp)) return fail();  // (no such encoding with a base or index)
    Value ea = fresh();
    if (failed_) return ea;
    const Reg b = has_base ? cached(i.base) : RAX;
    if (has_base) referenced_ |= bit(b);  // (loading the index keeps the base)
    const Reg x = has_index ? cached(i.index) : RAX;
    a_.lea(R(ea), has_base, b, has_index, x, i.scale, static_cast<int32_t>(disp));
    return ea;
  }
  // CF as a 0/1 value (the carry of ADC/SBB, kept by INC/DEC).
  Value carry_flag() { return condition(B); }
  // Records the lazy flags; each operand may be a Value or a translation-time integer.
  template <class TR, class TX, class TY, class TC>
  void record_flags(FlagOp op, unsigned size, TR r, TX x, TY y, TC carry_in) {
    const Value vr = value(r), vx = value(x), vy = value(y), vc = value(carry_in);
    if (failed_) return;
    known_ = Known{true, op, size, insn_seq_, true, vr, vx, vy, vc};
    // Stored only where something may read it (materialize_flags); a pending older
    // record is replaced, unread.
    flags_pending_ = !flags_dead_;
    if (eager_flags_) materialize_flags();
  }
  // Stores the pending flag record into CpuState::lf (on the straight-line path).
  void materialize_flags() {
    if (!flags_pending_) return;
    flags_pending_ = false;
    store_flag_record(known_);
  }
  // Stores it on a path that leaves the block (or raises) while it stays pending.
  void spill_flags() {
    if (flags_pending_) store_flag_record(known_);
  }
  void advance_rip(const isa::DecodedInsn& i) { pending_rip_ += i.length; }

  // ---- conditions and control flow ----
  // Condition code cc (0..15, as in Jcc) of the current flags, as a 0/1 value.
  Value condition(unsigned cc) {
    if (failed_) return constant(0);
    read_flags_ = true;
    if (!known_.valid) {
      Value c = helper_call(reinterpret_cast<uint64_t>(l_.condition), cc & 15);
      c.zext32 = true;
      return c;
    }
    const FlagOp op = known_.op;
    const unsigned sz = known_.size;
    // Known at translation time: a logic op clears OF and CF (O, NO, B, AE); INC/DEC keep
    // a CF that was a constant (B, AE).
    if (op == FlagOp::Logic && (cc & 15) >> 1 <= 1) return constant(cc & 1);
    if ((op == FlagOp::Inc || op == FlagOp::Dec) && (cc & 15) >> 1 == 1 && known_.c.reg < 0)
      return constant((known_.c.k & 1) ^ (cc & 1));
    if (op == FlagOp::Shl || op == FlagOp::Shr || op == FlagOp::Sar || op == FlagOp::Mul) {  // (no host op redoes them)
      Value c = helper_call(reinterpret_cast<uint64_t>(l_.condition), cc & 15);
      c.zext32 = true;
      return c;
    }
    const bool with_carry = op == FlagOp::Adc || op == FlagOp::Sbb || op == FlagOp::Inc || op == FlagOp::Dec;
    const unsigned base = next_reg_;  // the 0/1 result goes here; everything above is scratch
    Value c = fresh();  // (not a register of the producer's values, if one is free)
    if (failed_) return c;
    c.zext32 = true;
    Value x, y, r;
    if (known_.in_regs) {
      // Nothing wrote the producer's registers since (and no call was made): its values
      // are still there (scratch is allocated above them).
      const uint32_t known_regs = known_registers();
      x = known_.x, y = known_.y, r = known_.r;
      for (unsigned k = next_reg_; k < cache_.pool_size; ++k)  // (allocated, moved down)
        if (known_regs & bit(cache_.pool[k])) std::swap(cache_.pool[next_reg_++], cache_.pool[k]);
      referenced_ |= known_regs;  // (kept from steal_slot until the host flags are set)
    } else if (op == FlagOp::Logic) {
      r = load_lf(kLfResult);
    } else {
      x = load_lf(kLfSrc1);
      if (op != FlagOp::Inc && op != FlagOp::Dec) y = load_lf(kLfSrc2);
    }
    if (op == FlagOp::Logic) {
      r = in_register(r);
      if (failed_) return r;
      a_.test_rr_sz(sz, R(r), R(r));
    } else {
      Value t = op == FlagOp::Sub ? in_register(x) : copy(x);  // CMP does not write
      Value u = op == FlagOp::Inc || op == FlagOp::Dec ? t : in_register(y);
      if (failed_) return t;
      // CF = carry_in (INC/DEC: the kept CF, read only by conditions on CF: B AE BE A)
      const bool cf_cond = (cc & 15) >= B && (cc & 15) <= A && (cc & 15) != E && (cc & 15) != NE;
      if (op == FlagOp::Adc || op == FlagOp::Sbb || (with_carry && cf_cond)) {
        materialize_flags();  // (stores do not change the host flags)
        a_.bt_m32_i(RBX, l_.lf + kLfHeader, 16);
      }
      switch (op) {
        case FlagOp::Add: a_.alu_rr_sz(ADD, sz, R(t), R(u)); break;
        case FlagOp::Adc: a_.alu_rr_sz(ADC, sz, R(t), R(u)); break;
        case FlagOp::Sbb: a_.alu_rr_sz(SBB, sz, R(t), R(u)); break;
        case FlagOp::Inc: a_.incdec_r_sz(false, sz, R(t)); break;
        case FlagOp::Dec: a_.incdec_r_sz(true, sz, R(t)); break;
        default: a_.alu_rr_sz(CMP, sz, R(t), R(u)); break;
      }
    }
    release_to(base + 1);
    a_.setcc(static_cast<Cond>(cc & 15), R(c));
    a_.movzx_rr(1, R(c), R(c));
    return c;
  }
  // c ? a : b
  Value select(Value c, Value a, Value b) {
    if (failed_) return a;
    if (c.reg < 0) return c.k ? a : b;
    Value r = copy(b);
    Value s = in_register(a);
    if (failed_) return r;
    a_.test_rr(R(c), R(c));
    a_.cmov_rr(NE, R(r), R(s));
    r.zext32 = a.zext32 && b.zext32;
    return r;
  }
  // Runs then_path or else_path at run time; both leave RIP stored (absolute).
  template <class Then, class Else>
  void if_else(Value c, Then then_path, Else else_path) {
    if (failed_) return;
    if (c.reg < 0) {
      if (c.k) then_path();
      else else_path();
      return;
    }
    may_leave_ = true;
    materialize_flags();
    // Both paths start with the cached registers clean and end with them written back;
    // after the join a host register stays cached where both paths left the same guest
    // register in it.
    write_back_registers();
    const RegCache at_branch = cache_;
    a_.test_rr(R(c), R(c));
    const size_t to_else = a_.jcc32(E, ~size_t{0});
    const uint64_t pending = pending_rip_;
    const unsigned regs = next_reg_;
    in_branch_ = true;
    then_path();
    settle_rip();
    write_back_registers();
    const RegCache after_then = cache_;
    const size_t to_end = a_.jmp32(~size_t{0});
    a_.patch_rel32(to_else, a_.size());
    pending_rip_ = pending;
    next_reg_ = regs;
    cache_ = at_branch;
    else_path();
    in_branch_ = false;
    settle_rip();
    write_back_registers();
    a_.patch_rel32(to_end, a_.size());
    for (unsigned s = 0; s < kCacheSize; ++s)
      if (cache_.slot[s].guest != after_then.slot[s].guest) cache_.slot[s] = Cached{};
  }
  // RIP = target, stored now.
  template <class TV>
  void jump_to(TV target) {
    const Value t = value(target);
    if (failed_) return;
    may_leave_ = true;
    store64(l_.rip, t);
    pending_rip_ = 0;
    rip_stored_ = true;
  }
  uint64_t insn_rip() const { return rip_; }
  static bool mode64() { return true; }
  static bool is_canonical(uint64_t a) { return static_cast<uint64_t>(static_cast<int64_t>(a << 16) >> 16) == a; }
  // A run-time value: checked at run time (a slow path raises #GP(0) with the state
  // at the instruction); answers true so the template goes on.
  bool is_canonical(Value v) {
    if (failed_ || v.reg < 0) return failed_ || is_canonical(v.k);
    Value t = copy(v);
    if (failed_) return true;
    may_leave_ = true;
    a_.shl_ri(R(t), 16);
    a_.sar_ri(R(t), 16);
    a_.alu_rr(CMP, R(t), R(v));
    const size_t bad = a_.jcc32(NE, ~size_t{0});
    const size_t ok = a_.jmp32(~size_t{0});
    a_.patch_rel32(bad, a_.size());
    adjust_pending(true);
    spill_registers();
    spill_flags();
    a_.mov_rr(RDI, RBX);
    a_.mov_ri(RAX, reinterpret_cast<uint64_t>(l_.raise_gp0));
    a_.call_r(RAX);  // does not return
    a_.patch_rel32(ok, a_.size());
    next_reg_ = t.reg == cache_.pool[next_reg_ - 1] ? next_reg_ - 1 : next_reg_;
    return true;
  }
  void raise_gp0() { fail(); }  // translation-time constants only: the handler raises

  // RIP bytes inline instructions advanced that are not stored yet (the backend adds them).
  uint64_t take_pending_rip() {
    uint64_t p = pending_rip_;
    pending_rip_ = 0;
    return p;
  }

  // ---- value arithmetic (constants fold) ----
  Value binop(AluOp op, Value x, Value y) {
    if (failed_) return x;
    if (x.reg < 0 && y.reg < 0) return constant(fold(op, x.k, y.k));
    if (x.reg < 0 && op != SUB) std::swap(x, y);  // commutative: the register first
    if (x.reg >= 0 && (op == ADD || op == SUB) && (y.reg >= 0 ? op == ADD : fits_i32(op == ADD ? y.k : 0 - y.k))) {
      Value r = fresh();  // three-operand add: one LEA
      if (failed_) return r;
      if (y.reg >= 0) a_.lea(R(r), true, R(x), true, R(y), 0, 0);
      else a_.lea(R(r), true, R(x), false, RAX, 0, static_cast<int32_t>(op == ADD ? y.k : 0 - y.k));
      return r;
    }
    Value r = copy(x);
    if (failed_) return r;
    if (y.reg >= 0) a_.alu_rr(op, R(r), R(y));
    else if (fits_i32(y.k)) a_.alu_ri(op, R(r), static_cast<int32_t>(y.k));
    else {
      Value t = in_register(y);
      if (!failed_) a_.alu_rr(op, R(r), R(t));
    }
    return r;
  }
  Value mask(Value x, uint64_t m) {
    if (failed_ || m == ~uint64_t{0}) return x;
    if (x.reg < 0) return constant(x.k & m);
    if (m == 0xffffffffu || m == 0xffff || m == 0xff) {
      if (x.zext32 && m == 0xffffffffu) return x;
      Value r = fresh();
      if (failed_) return r;
      if (m == 0xffffffffu) a_.mov_rr32(R(r), R(x));
      else a_.movzx_rr(m == 0xff ? 1 : 2, R(r), R(x));
      r.zext32 = true;
      return r;
    }
    Value r = binop(AND, x, constant(m));
    r.zext32 = m <= 0xffffffffu;
    return r;
  }
  // x << n, x >> n (logical), x >> n (arithmetic), for translation-time n < 64.
  Value shift(int kind, Value x, unsigned n) {
    if (failed_) return x;
    if (x.reg < 0) {
      const uint64_t k = kind == 0 ? x.k << n : kind == 1 ? x.k >> n : static_cast<uint64_t>(static_cast<int64_t>(x.k) >> n);
      return constant(k);
    }
    Value r = copy(x);
    if (failed_ || n == 0) return r;
    if (kind == 0) a_.shl_ri(R(r), static_cast<uint8_t>(n));
    else if (kind == 1) a_.shr_ri(R(r), static_cast<uint8_t>(n));
    else a_.sar_ri(R(r), static_cast<uint8_t>(n));
    r.zext32 = kind == 1 && x.zext32;
    return r;
  }
  // signed_multiply() of cpu/sem/muldiv.h: host IMUL at the operand size (16/32/64),
  // its OF is the overflow.
  // The overflow only feeds the flag record: none is computed when the record is dead.
  std::pair<Value, Value> signed_multiply(Value x, Value y, unsigned size) {
    if (size < 2) fail();
    Value r = copy(x);
    Value u = in_register(y);
    Value o = flags_dead_ ? constant(0) : fresh();
    if (failed_) return {r, o};
    a_.imul_rr_sz(size, R(r), R(u));
    if (!flags_dead_) {
      a_.setcc(O, R(o));
      a_.movzx_rr(1, R(o), R(o));
      o.zext32 = true;
    }
    r.zext32 = size == 4;
    return {mask(r, size_mask(size)), o};
  }
  // The low `size` bytes of x, sign-extended to 64 bits.
  Value sign_extend(Value x, unsigned size) {
    if (failed_ || size >= 8) return x;
    if (x.reg < 0) {
      const unsigned sh = 64 - 8 * size;
      return constant(static_cast<uint64_t>(static_cast<int64_t>(x.k << sh) >> sh));
    }
    Value r = fresh();
    if (!failed_) a_.movsx_rr(size, R(r), R(x));
    return r;
  }
  Value constant(uint64_t c) { return Value{this, -1, c}; }

 private:
  // CpuState::lf layout: op, size, carry_in bytes, then result, src1, src2.
  static constexpr int32_t kLfHeader = static_cast<int32_t>(offsetof(LazyFlags, op));
  static constexpr int32_t kLfResult = static_cast<int32_t>(offsetof(LazyFlags, result));
  static constexpr int32_t kLfSrc1 = static_cast<int32_t>(offsetof(LazyFlags, src1));
  static constexpr int32_t kLfSrc2 = static_cast<int32_t>(offsetof(LazyFlags, src2));
  static constexpr int32_t kLfCarryIn = static_cast<int32_t>(offsetof(LazyFlags, carry_in));
  static_assert(offsetof(LazyFlags, size) == 1 && offsetof(LazyFlags, carry_in) == 2, "lf header packs into 32 bits");

  // The last flag producer, when it is an inline instruction of this block: its lazy
  // record (op, size) is known at translation time; r/x/y are the values it recorded,
  // still in their registers while `seq` is the instruction just before.
  struct Known {
    bool valid = false;
    FlagOp op = FlagOp::None;
    unsigned size = 0;
    unsigned seq = 0;
    bool in_regs = false;  // r/x/y still in their registers (note_written, note_call)
    Value r, x, y, c;  // c: the carry-in (ADC/SBB) or kept CF (INC/DEC)
  };
  uint32_t live_known_registers() const { return known_.valid && known_.in_regs ? known_registers() : 0; }
  uint32_t known_registers() const {
    uint32_t m = 0;
    for (const Value& v : {known_.x, known_.y, known_.r, known_.c})
      if (v.reg >= 0) m |= bit(R(v));
    return m;
  }
  // Host registers written (bit n: register n) / a call made: the flag producer's values
  // may be gone.
  // A pending record is stored first (callers note a write before emitting it).
  void note_written(uint32_t mask) {
    if (!(known_registers() & mask) || !known_.in_regs) return;
    materialize_flags();
    known_.in_regs = false;
  }
  void note_call() {
    materialize_flags();
    known_.in_regs = false;
  }
  // CpuState::lf = the record k (its registers still hold its values; allocates nothing).
  void store_flag_record(const Known& k) {
    const uint32_t cin_const = k.c.reg < 0 ? static_cast<uint32_t>(k.c.k & 1) : 0;
    a_.mov_m32_i(RBX, l_.lf + kLfHeader, static_cast<uint32_t>(k.op) | (k.size << 8) | (cin_const << 16));
    if (k.c.reg >= 0) a_.store_sz(1, RBX, l_.lf + kLfCarryIn, R(k.c));
    store_u64(l_.lf + kLfResult, k.r);
    if (k.op == FlagOp::Logic) return;  // (its flags depend on the result only: compute_arith_flags)
    store_u64(l_.lf + kLfSrc1, k.x);
    store_u64(l_.lf + kLfSrc2, k.y);
  }
  void store_u64(int32_t disp, Value v) {
    if (v.reg >= 0) {
      a_.mov_mr64(RBX, disp, R(v));
    } else if (fits_i32(v.k)) {
      a_.mov_m64_i(RBX, disp, static_cast<int32_t>(v.k));
    } else {
      a_.mov_m32_i(RBX, disp, static_cast<uint32_t>(v.k));
      a_.mov_m32_i(RBX, disp + 4, static_cast<uint32_t>(v.k >> 32));
    }
  }
  // Host registers (RBX holds the Cpu): the guest register cache (slot s: host register
  // slot_reg[s], holding guest register `guest` (or none), `dirty` when CpuState's copy
  // is older, `zext32` when its bits 63..32 are known to be zero; filled on first use,
  // least recently used slot replaced; decisions are made at translation time on
  // straight-line code) and the pool of per-instruction temporaries (pool[k], allocated
  // in order by fresh()). The split starts as kCacheRegs/kPool and changes by renaming
  // (set_reg, own_slot_reg); caller-saved registers on either side are saved around the
  // calls inline code makes (saved_across_call).
  // When an instruction needs more temporaries than the pool has, it takes the register
  // of a cache slot it does not use (steal_slot); begin() gives it back.
  static constexpr Reg kCacheRegs[] = {RBP, R12, R13, R14, R15, R8, R9, R10, R11};
  static constexpr Reg kPool[] = {RAX, RCX, RDX, RSI, RDI};
  static constexpr unsigned kCacheSize = sizeof kCacheRegs / sizeof kCacheRegs[0];
  static constexpr unsigned kPoolSize = sizeof kPool / sizeof kPool[0];
  static constexpr unsigned kMaxPool = kPoolSize + kCacheSize;
  static constexpr Reg kNoReg = RSP;  // a slot whose register is in the pool
  struct Cached {
    int8_t guest = -1;
    bool dirty = false;
    bool zext32 = false;
    unsigned last_use = 0;
  };
  struct RegCache {
    Cached slot[kCacheSize];
    Reg slot_reg[kCacheSize] = {RBP, R12, R13, R14, R15, R8, R9, R10, R11};
    Reg pool[kMaxPool] = {RAX, RCX, RDX, RSI, RDI};
    unsigned pool_size = kPoolSize;
  };
  struct Snapshot {
    uint64_t pending_rip = 0;
    bool flags_pending = false;
    Known known;
    RegCache cache;
    size_t slow_paths = 0;
  };
  static uint32_t bit(Reg r) { return 1u << r; }
  static bool callee_saved(Reg r) { return r == RBX || r == RBP || r >= R12; }
  // The allocated pool index holding host register h, or -1.
  int pool_index(int8_t h) const {
    for (unsigned k = 0; k < next_reg_; ++k)
      if (cache_.pool[k] == h) return static_cast<int>(k);
    return -1;
  }
  // Makes slot s's host register free to overwrite: when a value handed out this
  // instruction (or the pending flag record) may still name it, the slot takes a fresh
  // pool register instead (a copy of the old content if `keep`), and the old register
  // stays, allocated, in the pool.
  bool own_slot_reg(unsigned s, bool keep) {
    const Reg h = cache_.slot_reg[s];
    // (a register holding the flag producer's values is kept too, when that is free)
    if (!(referenced_ & bit(h)) && (!(live_known_registers() & bit(h)) || in_branch_)) {
      note_written(bit(h));
      return true;
    }
    if (in_branch_) {  // (if_else's paths must end with the same registers)
      fail();
      return false;
    }
    Value t = fresh();
    if (failed_) return false;
    if (keep) a_.mov_rr(R(t), h);
    std::swap(cache_.slot_reg[s], cache_.pool[next_reg_ - 1]);
    return true;
  }
  // The caller-saved host registers live across a call made at this point: the pool's
  // first `live`, those above that a value may name, the cache's (a cache register may
  // be lent to a value) and the flag producer's.
  struct SaveSet {
    Reg reg[16];
    unsigned n = 0;
  };
  SaveSet saved_across_call(unsigned live) const {
    SaveSet v;
    for (unsigned k = 0; k < next_reg_; ++k)
      if (!callee_saved(cache_.pool[k]) && (k < live || (referenced_ & bit(cache_.pool[k])))) v.reg[v.n++] = cache_.pool[k];
    for (unsigned s = 0; s < kCacheSize; ++s) {
      const Reg h = cache_.slot_reg[s];
      if (h != kNoReg && !callee_saved(h) && (cache_.slot[s].guest >= 0 || (referenced_ & bit(h)))) v.reg[v.n++] = h;
    }
    // The flag producer's registers (conditions and the pending record read them after).
    if (known_.valid && known_.in_regs)
      for (unsigned r = 0; r < 16; ++r) {
        const Reg h = static_cast<Reg>(r);
        bool have = false;
        for (unsigned k = 0; k < v.n; ++k) have = have || v.reg[k] == h;
        if ((known_registers() & bit(h)) && !callee_saved(h) && !have && h != RSP) v.reg[v.n++] = h;
      }
    return v;
  }
  int slot_of(unsigned g) const {
    for (unsigned s = 0; s < kCacheSize; ++s)
      if (cache_.slot[s].guest == static_cast<int8_t>(g)) return static_cast<int>(s);
    return -1;
  }
  // A slot for guest register g (a free one, else the least recently used, preferring
  // registers no value of this instruction names and guest registers the following
  // inline instructions do not name; written back first when dirty); its host
  // register's content is not loaded.
  unsigned take_slot(unsigned g) {
    auto rank = [&](unsigned s) {  // lower: a better victim
      if (cache_.slot[s].guest < 0) return 0u;
      const bool later = later_uses_ >> cache_.slot[s].guest & 1;
      return (referenced_ & bit(cache_.slot_reg[s]) ? 2u : 0u) + (later ? 1u : 0u) + 1u;
    };
    int best = -1;
    for (unsigned s = 0; s < kCacheSize; ++s) {
      if (cache_.slot_reg[s] == kNoReg) continue;
      if (best < 0 || rank(s) < rank(static_cast<unsigned>(best)) ||
          (rank(s) == rank(static_cast<unsigned>(best)) && cache_.slot[s].last_use < cache_.slot[best].last_use))
        best = static_cast<int>(s);
    }
    if (best < 0) {  // (every register is a temporary: cannot happen with kPoolSize >= 1)
      fail();
      best = 0;
    }
    evict(static_cast<unsigned>(best));
    cache_.slot[best].guest = static_cast<int8_t>(g);
    cache_.slot[best].last_use = ++use_clock_;
    return static_cast<unsigned>(best);
  }
  // Moves the register of a slot this instruction has not used (written back first) to
  // the pool; false when there is none.
  bool steal_slot() {
    if (in_branch_) return false;  // (if_else's paths must end with the same registers)
    int best = -1;
    for (unsigned s = 0; s < kCacheSize; ++s) {
      const Cached& c = cache_.slot[s];
      if (cache_.slot_reg[s] == kNoReg || (referenced_ & bit(cache_.slot_reg[s])) || c.last_use > insn_clock_) continue;
      auto rank = [&](const Cached& x) { return x.guest < 0 ? 0u : (later_uses_ >> x.guest & 1) ? 2u : 1u; };
      if (best < 0 || rank(c) < rank(cache_.slot[best]) || (rank(c) == rank(cache_.slot[best]) && c.last_use < cache_.slot[best].last_use))
        best = static_cast<int>(s);
    }
    if (best < 0) return false;
    evict(static_cast<unsigned>(best));
    cache_.pool[cache_.pool_size++] = cache_.slot_reg[best];
    cache_.slot_reg[best] = kNoReg;
    return true;
  }
  void evict(unsigned s) {
    Cached& c = cache_.slot[s];
    if (c.guest >= 0 && c.dirty) a_.mov_mr64(RBX, gpr(static_cast<unsigned>(c.guest)), cache_.slot_reg[s]);
    c = Cached{};
  }
  // The host register holding guest register g (loaded on first use).
  Reg cached(unsigned g) {
    int s = slot_of(g);
    if (s < 0) {
      s = static_cast<int>(take_slot(g));
      if (!own_slot_reg(static_cast<unsigned>(s), false)) return RAX;
      a_.mov_rm64(cache_.slot_reg[s], RBX, gpr(g));
    }
    cache_.slot[s].last_use = ++use_clock_;
    return cache_.slot_reg[s];
  }
  // A slot for a full (32/64-bit) write of guest register g: no load needed.
  unsigned slot_for_write(unsigned g) {
    const int s = slot_of(g);
    if (s >= 0) {
      cache_.slot[s].last_use = ++use_clock_;
      return static_cast<unsigned>(s);
    }
    return take_slot(g);
  }
  void mark_dirty(unsigned s) {
    cache_.slot[s].dirty = true;
    cache_.slot[s].last_use = ++use_clock_;
  }
  static bool valid_size(unsigned s) { return s == 1 || s == 2 || s == 4 || s == 8; }
  Value value(Value v) { return v; }
  Value value(uint64_t c) { return constant(c); }
  Value value(int c) { return constant(static_cast<uint64_t>(static_cast<int64_t>(c))); }
  Value value(unsigned c) { return constant(c); }
  Value value(bool c) { return constant(c ? 1 : 0); }
  Value load_lf(int32_t field) {
    Value v = fresh();
    if (!failed_) a_.mov_rm64(R(v), RBX, l_.lf + field);
    return v;
  }
  // After one path of if_else: RIP stored (absolute) unless the path stored it itself.
  void settle_rip() {
    if (failed_) return;
    if (!rip_stored_) store64(l_.rip, constant(rip_ + (pending_rip_ - at_begin_.pending_rip)));
    rip_stored_ = false;
    pending_rip_ = 0;
  }
  // rax = fn(cpu, arg) with the live caller-saved registers saved (the call cannot
  // raise; it reads the lazy flags, not the guest registers).
  Value helper_call(uint64_t fn, uint32_t arg) {
    const unsigned live = next_reg_;
    Value r = fresh();
    if (failed_) return r;
    materialize_flags();
    // (the helper reads the flags only: the cached registers stay)
    const SaveSet saved = saved_across_call(live);
    for (unsigned k = 0; k < saved.n; ++k) a_.push(saved.reg[k]);
    if (saved.n & 1) a_.sub_ri(RSP, 8);
    a_.mov_rr(RDI, RBX);
    a_.mov_ri(RSI, arg);
    a_.mov_ri(RAX, fn);
    a_.call_r(RAX);
    if (saved.n & 1) a_.add_ri(RSP, 8);
    if (R(r) != RAX) a_.mov_rr(R(r), RAX);
    for (unsigned k = saved.n; k-- > 0;) a_.pop(saved.reg[k]);
    return r;
  }
  static Reg R(Value v) { return static_cast<Reg>(v.reg); }
  int32_t gpr(unsigned n) const { return l_.gpr0 + static_cast<int32_t>(8 * n); }
  static bool fits_i32(uint64_t c) { return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(c))) == c; }
  static uint64_t fold(AluOp op, uint64_t x, uint64_t y) {
    switch (op) {
      case ADD: return x + y;
      case SUB: return x - y;
      case OR: return x | y;
      case AND: return x & y;
      default: return x ^ y;
    }
  }
  Value fail() {
    failed_ = true;
    return constant(0);
  }
  Value fresh() {
    if (next_reg_ >= cache_.pool_size && !steal_slot()) return fail();
    if (const uint32_t keep = live_known_registers()) {  // one not holding the flag producer's values
      unsigned k = next_reg_;
      while (k < cache_.pool_size && (keep & bit(cache_.pool[k]))) ++k;
      if (k == cache_.pool_size && !steal_slot()) k = next_reg_;  // (none: the record is stored)
      std::swap(cache_.pool[next_reg_], cache_.pool[k]);
    }
    const Reg r = cache_.pool[next_reg_++];
    note_written(bit(r));
    return Value{this, static_cast<int8_t>(r), 0};
  }
  // Frees the pool above index n (scratch) except registers a value may still name
  // (moved down to just above n).
  void release_to(unsigned n) {
    unsigned keep = n;
    for (unsigned k = n; k < next_reg_; ++k)
      if (referenced_ & bit(cache_.pool[k])) std::swap(cache_.pool[keep++], cache_.pool[k]);
    next_reg_ = keep;
  }
  Value in_register(Value v) {
    if (v.reg >= 0) return v;
    Value r = fresh();
    if (!failed_) a_.mov_ri(R(r), v.k);
    return r;
  }
  Value copy(Value v) {
    Value r = fresh();
    if (failed_) return r;
    if (v.reg >= 0) a_.mov_rr(R(r), R(v));
    else a_.mov_ri(R(r), v.k);
    return r;
  }
  // A fresh pool register holding guest register n (the caller may change it).
  Value load64(unsigned n) { return reg(n, 8); }
  void store64(int32_t disp, Value v) {
    if (v.reg < 0 && fits_i32(v.k)) {
      a_.mov_m64_i(RBX, disp, static_cast<int32_t>(v.k));
      return;
    }
    v = in_register(v);
    if (!failed_) a_.mov_mr64(RBX, disp, R(v));
  }

  // ---- inline soft-TLB accesses ----
  // An address as host code forms it: a register (pool or cached guest register, not
  // changed by the access) plus a displacement, or a constant (reg < 0).
  struct Addr {
    int8_t reg = -1;
    int64_t disp = 0;  // fits in int32 when reg >= 0
  };
  // Hit: the tag of the entry of the first byte's page equals the page of the last byte
  // (Cpu::TlbEntry: a page-crossing or non-canonical access never hits; invalid tags
  // have bit 0 set), then one host access at [addend + linear address]. For a register
  // address reg+disp (a 2048-entry set, 32-byte entries, at RBX + set offset):
  //   lea idx, [reg+disp]; shr idx, 7; and idx, 0xffe0        (entry offset)
  //   lea last, [reg+disp+size-1]; and last, -4096             (last byte's page)
  //   cmp last, [rbx+idx+tag]; jne slow
  //   mov idx, [rbx+idx+addend]; mov d, [idx+reg+disp]
  // A constant address (RIP-relative, absolute) has its entry and page known at
  // translation time: cmp [rbx+entry+tag], page; jne slow; mov t, [rbx+entry+addend];
  // mov d, [t+address]. Miss: the interpreter's path (canonical check, translation,
  // faults, code-page invalidation) with the pending state stored.
  static constexpr int32_t kTlbEntryBytes = 32, kReadTag = 0, kReadAddend = 8, kWriteTag = 16, kWriteAddend = 24;
  static constexpr unsigned kTlbEntryShift = 5;
  static_assert(kTlbEntryBytes == 1 << kTlbEntryShift);

  // The memory operand's address without computing it into a register when it is
  // base+disp (the cached base register) or a constant; base+index: one LEA.
  Addr operand_address(const isa::DecodedInsn& i) {
    if (i.asz != 8) {
      fail();
      return Addr{};
    }
    const auto disp = static_cast<uint64_t>(i.disp);
    if (i.base == isa::kRegRIP) return Addr{-1, static_cast<int64_t>(rip_ + i.length + disp)};
    if (i.base != isa::kNoReg && i.index == isa::kNoReg && fits_i32(disp)) {
      if (slot_of(i.base) < 0 && !(later_uses_ >> i.base & 1)) return Addr{fresh_loaded(i.base), static_cast<int64_t>(disp)};
      return Addr{static_cast<int8_t>(cached(i.base)), static_cast<int64_t>(disp)};
    }
    return address_of(effective_address(i));
  }
  static Addr address_of(Value ea) { return ea.reg >= 0 ? Addr{ea.reg, 0} : Addr{-1, static_cast<int64_t>(ea.k)}; }
  // A pool register holding guest register n, read straight from CpuState (-1 if none left).
  int8_t fresh_loaded(unsigned n) {
    Value v = fresh();
    if (failed_) return -1;
    a_.mov_rm64(R(v), RBX, gpr(n));
    return v.reg;
  }
  // The register holding RSP for a stack access: its cache register, or (not cached
  // and not named by a later inline instruction) a pool register loaded from CpuState.
  int8_t stack_pointer() {
    if (slot_of(emu::RSP) < 0 && !(later_uses_ >> emu::RSP & 1)) return fresh_loaded(emu::RSP);
    return static_cast<int8_t>(cached(emu::RSP));
  }

  // A read-modify-write operand's load keeps the host address of its hit (or 0 after
  // its slow path) in a pool register, reserved until the instruction's store to the
  // operand: `test h,h; jz slow; mov [h],v` instead of a second lookup (a hit checked
  // the write tag, and nothing in between can change the TLB; the templates write
  // memory before registers, so the address is the same).
  struct RmwHost {
    bool valid = false;
    unsigned seq = 0;
    const isa::DecodedInsn* insn = nullptr;
    unsigned size = 0;
    int8_t host = -1;  // h (pool[live + 1] of the load, allocated until the store)
  };
  Value load_memory(const isa::DecodedInsn& i, unsigned size, bool rmw) {
    const unsigned live = next_reg_;
    Value d = fresh();
    const Value h = rmw ? fresh() : Value{};
    const Addr ea = operand_address(i);
    load_core(i.seg, size, rmw, live, d, ea, h.reg);
    if (rmw && !failed_) rmw_ = RmwHost{true, insn_seq_, &i, size, h.reg};  // (load_core kept d and h)
    return d;
  }
  void store_memory(const isa::DecodedInsn& i, unsigned size, Value v) {
    v = in_register(v);
    const unsigned live = next_reg_;
    if (rmw_.valid && rmw_.seq == insn_seq_ && rmw_.insn == &i && rmw_.size == size && pool_index(rmw_.host) >= 0 && !failed_) {
      rmw_.valid = false;
      const auto h = static_cast<Reg>(rmw_.host);
      a_.test_rr(h, h);
      const size_t slow = a_.jcc32(E, ~size_t{0});
      a_.store_sz(size, h, 0, R(v));
      // The slow path recomputes the address from CpuState (registers stored first).
      const auto disp = static_cast<uint64_t>(i.disp);
      const bool constant = i.base == isa::kRegRIP || (i.base == isa::kNoReg && i.index == isa::kNoReg);
      const Addr ea = i.base == isa::kRegRIP ? Addr{-1, static_cast<int64_t>(rip_ + i.length + disp)} : Addr{-1, static_cast<int64_t>(disp)};
      defer_slow_call(slow, live, ea, &v, i.seg | size << 8, reinterpret_cast<uint64_t>(l_.store), RAX);
      if (!constant) slow_paths_.back().recompute = &i;
      release_to(live);
      wrote_memory_ = accessed_memory_ = true;
      return;
    }
    const Addr ea = operand_address(i);
    store_core(i.seg, size, live, v, ea);
  }
  // d = [seg:ea] (d is the pool register at index `live`; ea's register is not changed).
  // keep_host >= 0: that register gets the host address of a hit, 0 on the slow path.
  void load_core(unsigned seg, unsigned size, bool rmw, unsigned live, Value& d, Addr ea, int8_t keep_host = -1) {
    if (!valid_size(size)) fail();
    if (failed_) return;
    const size_t slow = tlb_lookup(seg, size, ea, rmw, R(d), [&](Reg host, int8_t index, int32_t disp) {
      if (keep_host >= 0) {
        const auto h = static_cast<Reg>(keep_host);
        a_.lea(h, true, host, index >= 0, static_cast<Reg>(index >= 0 ? index : 0), 0, disp);
        a_.load_zx(size, R(d), h, 0);
      } else if (index < 0) {
        a_.load_zx(size, R(d), host, disp);
      } else {
        a_.load_zx_bi(size, R(d), host, static_cast<Reg>(index), disp);
      }
    });
    if (failed_) return;
    defer_slow_call(slow, live, ea, nullptr, seg | size << 8, reinterpret_cast<uint64_t>(rmw ? l_.load_rmw : l_.load), R(d));
    slow_paths_.back().zero = keep_host;
    release_to(live + (keep_host >= 0 ? 2 : 1));  // only d (and the kept host address: pool[live + 1]) stay live
    accessed_memory_ = true;
    d.zext32 = size <= 4;
  }
  // [seg:ea] = v (v in a register; ea's register is not changed).
  void store_core(unsigned seg, unsigned size, unsigned live, Value v, Addr ea) {
    if (!valid_size(size)) fail();
    if (failed_) return;
    const size_t slow = tlb_lookup(seg, size, ea, true, std::nullopt, [&](Reg host, int8_t index, int32_t disp) {
      if (index < 0) a_.store_sz(size, host, disp, R(v));
      else a_.store_bi_sz(size, host, static_cast<Reg>(index), disp, R(v));
    });
    if (failed_) return;
    defer_slow_call(slow, live, ea, &v, seg | size << 8, reinterpret_cast<uint64_t>(l_.store), RAX);
    release_to(live);
    wrote_memory_ = accessed_memory_ = true;
  }
  // Emits the lookup (write tag for `write`) and, on a hit, `access(host, index, disp)`
  // for the operand [host + index + disp] (index < 0: [host + disp]); returns the
  // rel32 field of the branch to the slow path (emitted later by the caller).
  // `scratch`: a register the lookup may clobber (a load's destination).
  template <class Access>
  size_t tlb_lookup(unsigned seg, unsigned size, Addr a, bool write, std::optional<Reg> scratch, Access access) {
    const int32_t tag = l_.tlb + (write ? kWriteTag : kReadTag);
    const int32_t addend = l_.tlb + (write ? kWriteAddend : kReadAddend);
    if (seg == isa::SEG_FS || seg == isa::SEG_GS) {  // linear = segment base + ea
      Value lin = fresh();
      if (failed_) return 0;
      a_.mov_rm64(R(lin), RBX, seg == isa::SEG_FS ? l_.fs_base : l_.gs_base);
      if (a.reg >= 0) {  // base + reg, the displacement kept for the accesses
        a_.alu_rr(ADD, R(lin), static_cast<Reg>(a.reg));
        a = Addr{lin.reg, a.disp};
      } else if (fits_i32(static_cast<uint64_t>(a.disp))) {  // base + constant (per-CPU data)
        a = Addr{lin.reg, a.disp};
      } else {
        add_constant(R(lin), static_cast<uint64_t>(a.disp));
        a = Addr{lin.reg, 0};
      }
    }
    if (a.reg >= 0 && !fits_i32(static_cast<uint64_t>(a.disp))) {
      fail();
      return 0;
    }
    if (a.reg < 0) {  // a constant address: entry and page known now
      const auto lin = static_cast<uint64_t>(a.disp);
      const Reg host = scratch ? *scratch : R(fresh());
      if (failed_) return 0;
      if ((lin & 0xfff) + size > 0x1000) return a_.jmp32(~size_t{0});  // crosses a page: always the slow path
      const int32_t entry = static_cast<int32_t>(((lin >> 12) & (l_.tlb_entries - 1)) << kTlbEntryShift);
      const uint64_t page = lin & ~uint64_t{0xfff};
      if (fits_i32(page)) {
        a_.alu_m64_i(CMP, RBX, tag + entry, static_cast<int32_t>(page));
      } else {
        a_.mov_ri(host, page);
        a_.cmp_rm64(host, RBX, tag + entry);
      }
      const size_t miss = a_.jcc32(NE, ~size_t{0});
      a_.mov_rm64(host, RBX, addend + entry);
      if (fits_i32(lin)) {
        access(host, -1, static_cast<int32_t>(lin));
      } else {
        Value t = fresh();
        if (failed_) return miss;
        a_.mov_ri(R(t), lin);
        access(host, t.reg, 0);
      }
      return miss;
    }
    if (!fits_i32(static_cast<uint64_t>(a.disp + size - 1))) {  // (disp near 2^31: form the address first)
      Value t = fresh();
      if (failed_) return 0;
      a_.lea(R(t), true, static_cast<Reg>(a.reg), false, RAX, 0, static_cast<int32_t>(a.disp));
      a = Addr{t.reg, 0};
    }
    const Reg b = static_cast<Reg>(a.reg);
    const auto disp = static_cast<int32_t>(a.disp);
    const Reg idx = R(fresh());
    const Reg last = scratch ? *scratch : R(fresh());
    if (failed_) return 0;
    if (disp == 0) a_.mov_rr32(idx, b);
    else a_.lea(idx, true, b, false, RAX, 0, disp);
    a_.shr_ri32(idx, 12 - kTlbEntryShift);
    a_.alu_ri32(AND, idx, static_cast<int32_t>((l_.tlb_entries - 1) << kTlbEntryShift));
    const int32_t to_last = disp + static_cast<int32_t>(size - 1);
    if (to_last == 0) a_.mov_rr(last, b);
    else a_.lea(last, true, b, false, RAX, 0, to_last);
    a_.alu_ri(AND, last, -4096);
    a_.cmp_r_bi(last, RBX, idx, tag);
    const size_t miss = a_.jcc32(NE, ~size_t{0});
    a_.mov_r_bi(true, idx, RBX, idx, addend);
    access(idx, a.reg, disp);
    return miss;
  }
  // reg += c (64-bit).
  void add_constant(Reg r, uint64_t c) {
    if (c == 0) return;
    if (fits_i32(c)) {
      a_.lea(r, true, r, false, RAX, 0, static_cast<int32_t>(c));
      return;
    }
    Value t = fresh();
    if (failed_) return;
    a_.mov_ri(R(t), c);
    a_.alu_rr(ADD, r, R(t));
  }
  // Slow path (emitted out of line by emit_slow_paths, after the block's code): store
  // the pending state and the dirty cached registers, save the live pool registers,
  // call fn(cpu, seg_size, ea[, v]), put the result in `result`, restore, jump back.
  struct SlowPath {
    size_t branch = 0;  // rel32 field of the hot path's branch to it
    size_t resume = 0;  // where it jumps back to
    SaveSet saved;  // (saved_across_call)
    bool store_flags = false;  // the pending flag record (materialize_flags), stored first
    Known flags;
    Addr ea;        // the effective address (offset in the segment)
    int8_t v = -1;  // the stored value's register (stores)
    uint32_t seg_size = 0;
    uint64_t fn = 0;
    Reg result = RAX;
    unsigned pending_insns = 0;
    uint64_t pending_rip = 0;
    unsigned num_dirty = 0;
    Reg dirty_reg[kCacheSize] = {};
    int32_t dirty_at[kCacheSize] = {};
    int8_t zero = -1;  // a register set to 0 after the call (RmwHost)
    // Set: the address is the instruction's memory operand, recomputed from CpuState.
    const isa::DecodedInsn* recompute = nullptr;
  };
  void defer_slow_call(size_t branch, unsigned live, Addr ea, const Value* v, uint32_t seg_size, uint64_t fn, Reg result) {
    SlowPath p;
    p.branch = branch;
    p.resume = a_.size();
    p.saved = saved_across_call(live);
    p.store_flags = flags_pending_;
    p.flags = known_;
    p.ea = ea;
    p.v = v ? v->reg : -1;
    p.seg_size = seg_size;
    p.fn = fn;
    p.result = result;
    p.pending_insns = pending_insns_;
    p.pending_rip = pending_rip_;
    for (unsigned s = 0; s < kCacheSize; ++s)
      if (cache_.slot[s].guest >= 0 && cache_.slot[s].dirty) {
        p.dirty_reg[p.num_dirty] = cache_.slot_reg[s];
        p.dirty_at[p.num_dirty++] = gpr(static_cast<unsigned>(cache_.slot[s].guest));
      }
    slow_paths_.push_back(p);
  }
  void emit_slow_path(const SlowPath& p) {
    a_.patch_rel32(p.branch, a_.size());
    adjust_pending(true, p.pending_insns, p.pending_rip);
    // (a fault longjmps out: CpuState must hold this instruction's state)
    for (unsigned k = 0; k < p.num_dirty; ++k) a_.mov_mr64(RBX, p.dirty_at[k], p.dirty_reg[k]);
    if (p.store_flags) store_flag_record(p.flags);
    for (unsigned r = 0; r < p.saved.n; ++r) a_.push(p.saved.reg[r]);
    if (p.v >= 0) a_.push(static_cast<Reg>(p.v));
    // RDX = the effective address (its register is intact here), then RCX = v.
    if (p.recompute) {
      const isa::DecodedInsn& i = *p.recompute;
      const bool has_base = i.base != isa::kNoReg, has_index = i.index != isa::kNoReg;
      if (has_base) a_.mov_rm64(RDX, RBX, gpr(i.base));
      if (has_index) a_.mov_rm64(RSI, RBX, gpr(i.index));
      a_.lea(RDX, has_base, RDX, has_index, RSI, i.scale, static_cast<int32_t>(i.disp));
    } else if (p.ea.reg < 0) a_.mov_ri(RDX, static_cast<uint64_t>(p.ea.disp));
    else if (p.ea.disp == 0) a_.mov_rr(RDX, static_cast<Reg>(p.ea.reg));
    else a_.lea(RDX, true, static_cast<Reg>(p.ea.reg), false, RAX, 0, static_cast<int32_t>(p.ea.disp));
    if (p.v >= 0) a_.pop(RCX);
    a_.mov_rr(RDI, RBX);
    a_.mov_ri(RSI, p.seg_size);
    if (p.saved.n & 1) a_.sub_ri(RSP, 8);  // calls need a 16-byte aligned stack
    a_.mov_ri(RAX, p.fn);
    a_.call_r(RAX);
    if (p.saved.n & 1) a_.add_ri(RSP, 8);
    if (p.result != RAX) a_.mov_rr(p.result, RAX);
    if (p.zero >= 0) a_.alu_rr(XOR, static_cast<Reg>(p.zero), static_cast<Reg>(p.zero));
    for (unsigned r = p.saved.n; r-- > 0;) a_.pop(p.saved.reg[r]);
    adjust_pending(false, p.pending_insns, p.pending_rip);
    a_.jmp32(p.resume);
  }
  void adjust_pending(bool store) { adjust_pending(store, pending_insns_, pending_rip_); }
  void adjust_pending(bool store, unsigned pending_insns, uint64_t pending_rip) {
    if (!pending_insns) return;
    const auto n = static_cast<int32_t>(pending_insns);
    const auto bytes = static_cast<int32_t>(pending_rip);
    a_.alu_m64_i(store ? ADD : SUB, RBX, l_.retired, n);
    a_.alu_m64_i(store ? SUB : ADD, RBX, l_.budget, n);
    a_.alu_m64_i(store ? ADD : SUB, RBX, l_.rip, bytes);
  }

  Encoder& a_;
  StateLayout l_;
  unsigned pending_insns_ = 0;
  uint32_t later_uses_ = 0xffff;
  bool wrote_memory_ = false;
  bool accessed_memory_ = false;
  bool read_flags_ = false;
  bool may_leave_ = false;
  uint64_t rip_ = 0;
  bool flags_dead_ = false;
  bool failed_ = false;
  bool rip_stored_ = false;
  bool in_branch_ = false;  // emitting a path of if_else: no renaming
  // known_'s record is not in CpuState::lf yet (its values are in registers or constants);
  // eager_flags_: record_flags stores at once (inside a run-time conditional region).
  bool flags_pending_ = false, eager_flags_ = false;
  // Host registers (bit n: register n) a value of this instruction may name that were
  // cache registers when handed out (reg()) or became ones (renaming).
  uint32_t referenced_ = 0;
  unsigned insn_seq_ = 0;
  Known known_;
  std::vector<SlowPath> slow_paths_;  // not yet emitted
  RmwHost rmw_;
  RegCache cache_;
  unsigned use_clock_ = 0;
  unsigned insn_clock_ = 0;  // use_clock_ when this instruction began
  Snapshot at_begin_;
  unsigned next_reg_ = 0;
  uint64_t pending_rip_ = 0;

  // ==== jitforms: primitives of the rotate, variable-count shift, multiply/divide and
  // bit forms (kept in this one section) ====
 public:
  // x << n, x >> n (logical), x >> n (arithmetic) for a run-time n < 64 (CL's value).
  Value shift_by(int kind, Value x, Value n) {
    if (failed_) return x;
    if (n.reg < 0) return shift(kind, x, static_cast<unsigned>(n.k));
    Value r = on_count_in_cl(copy(x), n, [&](Reg t) { a_.shift_cl_sz(kind == 0 ? 4 : kind == 1 ? 5 : 7, 8, t); });
    r.zext32 = kind == 1 && x.zext32;
    return r;
  }
  // rotate_value() of cpu/sem/shift.h: host ROL/ROR at the operand size (a is
  // zero-extended; count already masked to 5/6 bits: the host takes it modulo the width).
  Value rotate(bool left, Value a, Value count, unsigned size) {
    if (!valid_size(size)) return fail();
    Value r = copy(a);
    if (failed_) return r;
    const unsigned digit = left ? 0 : 1;
    if (count.reg < 0) {
      const auto n = static_cast<uint8_t>(count.k & (8 * size - 1));
      if (n) a_.shift_ri_sz(digit, size, R(r), n);
    } else {
      r = on_count_in_cl(r, count, [&](Reg t) { a_.shift_cl_sz(digit, size, t); });
    }
    r.zext32 = size <= 4;
    return r;
  }
  // record_flags() unless count is zero (a run-time test when it is in a register); the
  // producer is then unknown at translation time.
  template <class TR, class TX>
  void record_flags_unless_zero(Value count, FlagOp op, unsigned size, TR r, TX x, Value y) {
    if (failed_) return;
    if (count.reg < 0) {
      if (count.k) record_flags(op, size, r, x, y, 0u);
      return;
    }
    materialize_flags();  // (a zero count keeps it)
    known_.valid = false;
    if (flags_dead_) return;
    a_.test_rr(R(count), R(count));
    const size_t skip = a_.jcc32(E, ~size_t{0});
    eager_flags_ = true;
    record_flags(op, size, r, x, y, 0u);
    eager_flags_ = false;
    a_.patch_rel32(skip, a_.size());
    known_.valid = false;
  }
  // record_rotate() of cpu/flags.h unless count is zero: CF/OF from `bits` (CF << 1 |
  // (CF ^ OF)) over the kept SF/ZF/AF/PF. With the previous producer known, three byte
  // stores; otherwise the run-time op decides (None: into RFLAGS; a record: becomes a
  // Rot record over it). `bits` is the instruction's last use of its register.
  void record_rotate(Value count, Value bits) {
    if (failed_ || (count.reg < 0 && count.k == 0)) return;
    materialize_flags();  // (the Rot record keeps its SF/ZF/AF/PF)
    const Known before = known_;
    known_.valid = false;  // (condition() reads a Rot record through the helper)
    if (flags_dead_) return;
    bits = in_register(bits);
    if (failed_) return;
    size_t skip = 0;
    if (count.reg >= 0) {
      a_.test_rr(R(count), R(count));
      skip = a_.jcc32(E, ~size_t{0});
    }
    constexpr auto kRot = static_cast<uint8_t>(FlagOp::Rot);
    if (before.valid) {
      a_.mov_m8_i(RBX, l_.lf + kLfHeader, kRot);
      a_.mov_m8_i(RBX, l_.lf + kLfPrev, static_cast<uint8_t>(before.op));
      a_.store_sz(1, RBX, l_.lf + kLfCarryIn, R(bits));
    } else {
      Value t = fresh();
      if (failed_) return;
      a_.load_zx(1, R(t), RBX, l_.lf + kLfHeader);
      a_.test_rr(R(t), R(t));
      const size_t none = a_.jcc32(E, ~size_t{0});
      a_.alu_ri(CMP, R(t), kRot);
      const size_t is_rot = a_.jcc32(E, ~size_t{0});
      a_.store_sz(1, RBX, l_.lf + kLfPrev, R(t));
      a_.mov_m8_i(RBX, l_.lf + kLfHeader, kRot);
      a_.patch_rel32(is_rot, a_.size());
      a_.store_sz(1, RBX, l_.lf + kLfCarryIn, R(bits));
      const size_t done = a_.jmp32(~size_t{0});
      a_.patch_rel32(none, a_.size());
      // RFLAGS holds the flags: CF (bit 0) = bits >> 1, OF (bit 11) = (bits ^ CF) & 1.
      a_.mov_rr(R(t), R(bits));
      a_.shr_ri(R(t), 1);
      a_.alu_rr(XOR, R(bits), R(t));
      a_.alu_ri(AND, R(bits), 1);
      a_.shl_ri(R(bits), 11);
      a_.alu_rr(OR, R(t), R(bits));
      a_.alu_m64_i(AND, RBX, rflags_offset(), ~static_cast<int32_t>(isa::FL_CF | isa::FL_OF));
      a_.alu_mr64(OR, RBX, rflags_offset(), R(t));
      a_.patch_rel32(done, a_.size());
    }
    if (count.reg >= 0) a_.patch_rel32(skip, a_.size());
  }
  // widening_multiply() of cpu/sem/muldiv.h: {low, high, overflow}. Up to 32 bits: one
  // 64-bit IMUL of the extended operands; 64 bits: host MUL/IMUL into rdx:rax. The
  // results take the first three registers it allocates (its scratch is released).
  std::tuple<Value, Value, Value> widening_multiply(bool sign, Value a, Value b, unsigned size) {
    if (!valid_size(size)) fail();
    const unsigned bits = 8 * size, base = next_reg_;
    Value lo = fresh(), hi = fresh(), o = fresh();
    if (failed_) return {lo, hi, o};
    if (size <= 4) {
      Value p = sign ? sign_extend(a, size) : copy(a);
      Value y = sign ? sign_extend(b, size) : in_register(b);
      if (failed_) return {lo, hi, o};
      a_.imul_rr_sz(8, R(p), R(y));
      a_.mov_rr(R(lo), R(p));
      a_.mov_rr(R(hi), R(p));
      a_.shr_ri(R(hi), static_cast<uint8_t>(bits));
      zero_extend_in_place(lo, size);
      zero_extend_in_place(hi, size);
    } else {
      rdx_rax_op(sign ? 5 : 4, in_register(a), nullptr, 3, in_register(b), lo, hi);
    }
    if (failed_) return {lo, hi, o};
    if (sign) {  // the high part is not the low part's sign
      Value t = size < 8 ? sign_extend(lo, size) : copy(lo);
      if (failed_) return {lo, hi, o};
      a_.sar_ri(R(t), 63);
      if (size < 8) zero_extend_in_place(t, size);
      a_.alu_rr(CMP, R(t), R(hi));
    } else {
      a_.test_rr(R(hi), R(hi));
    }
    a_.setcc(NE, R(o));
    a_.movzx_rr(1, R(o), R(o));
    o.zext32 = true;
    release_to(base + 3);
    return {lo, hi, o};
  }
  // divide() of cpu/sem/muldiv.h: {quotient, remainder}. Host DIV/IDIV (64-bit) after
  // run-time checks that it cannot fault; otherwise (#DE, or IDIV of a 128-bit dividend)
  // the interpreter's handler runs with the state at the instruction and its results
  // are taken from the registers. The results take the first two registers it allocates.
  std::pair<Value, Value> divide(bool sign, const isa::DecodedInsn& i, Value d, unsigned size) {
    if (!valid_size(size)) fail();
    materialize_flags();  // (the handler's #DE path must see it)
    const unsigned bits = 8 * size, base = next_reg_;
    Value q = fresh(), r = fresh();
    Value lo = reg(emu::RAX, size == 1 ? 2 : size);
    Value hi = size == 1 ? lo : reg(emu::RDX, size);
    Value dv = sign ? sign_extend(d, size) : in_register(d);
    if (failed_) return {q, r};
    size_t slow[4];
    unsigned nslow = 0;
    // INT64_MIN / -1 faults on the host: n == INT64_MIN (n - 1 overflows) && dv == -1.
    auto check_min_by_minus_one = [&](Value n) {
      Value t = copy(n);
      if (failed_) return;
      a_.alu_ri(SUB, R(t), 1);
      const size_t ok = a_.jcc32(NO, ~size_t{0});
      a_.alu_ri(CMP, R(dv), -1);
      slow[nslow++] = a_.jcc32(E, ~size_t{0});
      a_.patch_rel32(ok, a_.size());
    };
    if (size <= 4) {
      // The dividend as one 64-bit value (sign-extended for IDIV).
      Value n = lo;
      if (size > 1) {
        n = copy(hi);
        if (failed_) return {q, r};
        a_.shl_ri(R(n), static_cast<uint8_t>(bits));
        a_.alu_rr(OR, R(n), R(lo));
      }
      if (sign && size < 4) n = sign_extend(n, 2 * size);
      if (failed_) return {q, r};
      if (!sign) {  // quotient fits (and d != 0): n >> bits < d
        Value t = shift(1, n, bits);
        if (failed_) return {q, r};
        a_.alu_rr(CMP, R(t), R(dv));
        slow[nslow++] = a_.jcc32(AE, ~size_t{0});
        rdx_rax_op(6, n, nullptr, 1, dv, q, r);
      } else {
        a_.test_rr(R(dv), R(dv));
        slow[nslow++] = a_.jcc32(E, ~size_t{0});
        if (size == 4) check_min_by_minus_one(n);
        rdx_rax_op(7, n, nullptr, 2, dv, q, r);
        Value t = sign_extend(q, size);  // the quotient fits
        if (failed_) return {q, r};
        a_.alu_rr(CMP, R(t), R(q));
        slow[nslow++] = a_.jcc32(NE, ~size_t{0});
      }
    } else if (!sign) {
      a_.alu_rr(CMP, R(hi), R(dv));  // hi < d: the quotient fits (and d != 0)
      slow[nslow++] = a_.jcc32(AE, ~size_t{0});
      rdx_rax_op(6, lo, &hi, 0, dv, q, r);
    } else {
      Value t = copy(lo);
      if (failed_) return {q, r};
      a_.sar_ri(R(t), 63);
      a_.alu_rr(CMP, R(t), R(hi));  // a 64-bit dividend
      slow[nslow++] = a_.jcc32(NE, ~size_t{0});
      a_.test_rr(R(dv), R(dv));
      slow[nslow++] = a_.jcc32(E, ~size_t{0});
      check_min_by_minus_one(lo);
      rdx_rax_op(7, lo, nullptr, 2, dv, q, r);
    }
    if (failed_) return {q, r};
    const size_t done = a_.jmp32(~size_t{0});
    for (unsigned k = 0; k < nslow; ++k) a_.patch_rel32(slow[k], a_.size());
    handler_slow_path(i);
    if (size == 1) {
      a_.load_zx(1, R(q), RBX, gpr(emu::RAX));
      a_.load_zx(1, R(r), RBX, gpr(emu::RAX) + 1);
    } else {
      a_.load_zx(size, R(q), RBX, gpr(emu::RAX));
      a_.load_zx(size, R(r), RBX, gpr(emu::RDX));
    }
    a_.patch_rel32(done, a_.size());
    zero_extend_in_place(q, size);
    zero_extend_in_place(r, size);
    release_to(base + 2);
    return {q, r};
  }
  // values_equal() of cpu/sem/data.h: 1 if x == y (zero-extended values).
  Value equal(Value x, Value y) {
    if (failed_) return x;
    if (x.reg < 0 && y.reg < 0) return constant(x.k == y.k ? 1 : 0);
    Value a = in_register(x), b = in_register(y);
    Value c = fresh();
    if (failed_) return c;
    a_.alu_rr(CMP, R(a), R(b));
    a_.setcc(E, R(c));
    a_.movzx_rr(1, R(c), R(c));
    c.zext32 = true;
    return c;
  }
  // masked_difference() of cpu/sem/data.h: one subtraction at the operand size.
  Value masked_difference(Value x, Value y, unsigned size) {
    if (!valid_size(size)) return fail();
    Value r = copy(x);
    Value u = in_register(y);
    if (failed_) return r;
    a_.alu_rr_sz(SUB, size, R(r), R(u));
    if (size == 4) r.zext32 = true;  // (32-bit host ops zero-extend)
    else zero_extend_in_place(r, size);
    return r;
  }
  // bit_flag_bits() of cpu/sem/bits.h: host BT, then (CF << 1) as a value.
  Value bit_flag_bits(Value v, Value bit) {
    Value x = in_register(v);
    Value t = fresh();
    if (failed_) return t;
    if (bit.reg >= 0) a_.bt_rr(R(x), R(bit));
    else a_.bt_ri(R(x), static_cast<uint8_t>(bit.k & 63));
    a_.setcc(B, R(t));
    a_.movzx_rr(1, R(t), R(t));
    a_.alu_rr(ADD, R(t), R(t));
    t.zext32 = true;
    return t;
  }
  // bit_index() of cpu/sem/bits.h: host BSF/BSR on the zero-extended value.
  Value bit_index(bool reverse, Value v) {
    Value x = in_register(v);
    Value r = fresh();
    if (failed_) return r;
    a_.bsf_bsr_rr(reverse, R(r), R(x));
    r.zext32 = true;
    return r;
  }
  // byte_swap() of cpu/sem/bits.h (4 or 8 bytes).
  Value byte_swap(Value v, unsigned size) {
    Value r = copy(v);
    if (failed_) return r;
    a_.bswap(size == 8, R(r));
    r.zext32 = size == 4;
    return r;
  }
  // A case the template leaves to the handler (e.g. BT* bit strings in memory).
  void give_up() { fail(); }

 private:
  static constexpr int32_t kLfPrev = static_cast<int32_t>(offsetof(LazyFlags, prev));
  // CpuState::rflags, from the offset of CpuState::lf (both in the Cpu's CpuState).
  int32_t rflags_offset() const {
    return l_.lf - static_cast<int32_t>(offsetof(CpuState, lf)) + static_cast<int32_t>(offsetof(CpuState, rflags));
  }
  // out_lo/out_hi = rax/rdx after `F7 /digit qword [rsp]` (MUL IMUL DIV IDIV) with
  // rax = x, rdx = *y (rdx_mode 0), 0 (1), rax's sign (2, CQO) or anything (3) and [rsp] = m; the
  // host's rax/rdx are saved around unless they receive a result.
  void rdx_rax_op(unsigned digit, Value x, const Value* y, int rdx_mode, Value m, Value out_lo, Value out_hi) {
    if (failed_) return;
    a_.push(RAX);
    a_.push(RDX);
    a_.push(R(m));
    a_.push(R(x));
    if (rdx_mode == 0) {
      a_.push(R(*y));
      a_.pop(RDX);
    }
    a_.pop(RAX);
    if (rdx_mode == 1) a_.alu_rr(XOR, RDX, RDX);
    if (rdx_mode == 2) a_.cqo();
    a_.muldiv_m64(digit, RSP, 0);
    a_.push(RDX);
    a_.push(RAX);
    a_.pop(R(out_lo));
    a_.pop(R(out_hi));
    a_.add_ri(RSP, 8);  // m
    for (Reg h : {RDX, RAX}) {
      if (out_lo.reg == h || out_hi.reg == h) a_.add_ri(RSP, 8);
      else a_.pop(h);
    }
  }
  // Runs the instruction's interpreter handler (it may raise, with the state at the
  // instruction; RIP and the counters stored around it), then undoes its RIP advance:
  // the inline code that follows advances RIP itself.
  void handler_slow_path(const isa::DecodedInsn& i) {
    const unsigned live = next_reg_;
    adjust_pending(true);
    spill_registers();  // the handler reads them (and a #DE must see them in CpuState)
    spill_flags();
    const SaveSet saved = saved_across_call(live);
    for (unsigned k = 0; k < saved.n; ++k) a_.push(saved.reg[k]);
    if (saved.n & 1) a_.sub_ri(RSP, 8);
    a_.mov_rr(RDI, RBX);
    a_.mov_ri(RSI, reinterpret_cast<uint64_t>(&i));
    a_.mov_ri(RAX, reinterpret_cast<uint64_t>(interp::kDispatch[i.form]));
    a_.call_r(RAX);
    if (saved.n & 1) a_.add_ri(RSP, 8);
    for (unsigned k = saved.n; k-- > 0;) a_.pop(saved.reg[k]);
    a_.alu_m64_i(SUB, RBX, l_.rip, static_cast<int32_t>(i.length));
    adjust_pending(false);
  }
  // v = its low `size` bytes (a register this instruction owns).
  void zero_extend_in_place(Value& v, unsigned size) {
    if (failed_ || size >= 8) return;
    if (size == 4) a_.mov_rr32(R(v), R(v));
    else a_.movzx_rr(size, R(v), R(v));
    v.zext32 = true;
  }
  // Runs op(reg) with the count n in CL: r is a register this instruction owns (moved
  // out of RCX if it is there); RCX is saved around unless it holds n. Returns r's register.
  template <class Op>
  Value on_count_in_cl(Value r, Value n, Op op) {
    if (failed_) return r;
    if (r.reg == RCX) {
      Value t = fresh();
      if (failed_) return r;
      a_.mov_rr(R(t), RCX);
      r = t;
    }
    if (n.reg == RCX) {
      op(R(r));
      return r;
    }
    a_.push(RCX);
    a_.mov_rr(RCX, R(n));
    op(R(r));
    a_.pop(RCX);
    return r;
  }

  // ==== jitforms: SSE2 integer and move forms (cpu/sem/sse.h over Xmm values) ====
  // An Xmm is a host XMM register holding a 128-bit value for one instruction: guest XMM
  // registers are read from and written to CpuState::xmm (not cached across
  // instructions). Helper and slow-path calls clobber host XMM registers, so no Xmm is
  // live across one (the templates read memory operands before XMM registers). The
  // run-time checks of an SSE form (CR0.EM/TS and CR4.OSFXSR, 16-byte alignment, a
  // 16-byte access that misses the TLB or crosses a page) branch to one out-of-line
  // fallback per instruction that runs the interpreter's handler for it (which raises,
  // or does the access) and rejoins after the instruction's inline code; every check
  // comes before the instruction's first change of guest state.
 public:
  struct Xmm {
    Emitter* e = nullptr;
    int8_t reg = -1;  // host XMM register
  };
  // Around the template of an SSE form (x86_64_fast_forms.cpp).
  void sse_form_begin(const isa::DecodedInsn& i) {
    // The fallback's handler call clobbers the caller-saved registers a flag record may
    // be kept in, and may fault: a pending record is stored first (a flag producer just
    // before an SSE form in the same block is rare: loops branch in between).
    note_call();
    fallback_ = Fallback{};
    fallback_.insn = &i;
    fallback_.pending_insns = pending_insns_;
    fallback_.pending_rip = pending_rip_;
    fallback_.sse_checked = sse_checked_;
    next_xmm_ = 0;
    may_leave_ = true;  // (the fallback's handler may fault)
  }
  void sse_form_end() {
    if (failed_) sse_checked_ = fallback_.sse_checked;  // (its code is dropped)
    if (failed_ || fallback_.num_branches == 0) return;
    fallback_.resume = a_.size();
    fallback_.at_end = cache_;
    fallbacks_.push_back(fallback_);
  }
  // sse_check() of cpu/sem/sse.h: SSE usable (CR0.EM = CR0.TS = 0, CR4.OSFXSR = 1), else the
  // fallback (whose handler raises). Tested once per run of inline instructions: only
  // handlers change CR0/CR4.
  void sse_usable() {
    if (failed_ || sse_checked_) return;
    sse_checked_ = true;
    a_.test_m32_i(RBX, state_offset(offsetof(CpuState, cr0)), static_cast<uint32_t>(sem::kCr0EM | sem::kCr0TS));
    to_fallback(NE);
    a_.test_m32_i(RBX, state_offset(offsetof(CpuState, cr4)), static_cast<uint32_t>(sem::kCr4OSFXSR));
    to_fallback(E);
  }
  void raise(unsigned) { fail(); }  // translation-time cases only: the handler raises
  Xmm xmm(unsigned r) {
    Xmm v = fresh_xmm();
    if (!failed_) a_.sse_rm(0xf3, 0x6f, X(v), RBX, xmm_offset(r));  // movdqu
    return v;
  }
  void set_xmm(unsigned r, Xmm v) {
    if (!failed_) a_.sse_rm(0xf3, 0x7f, X(v), RBX, xmm_offset(r));
  }
  Value xmm_low(Xmm v) {
    Value r = fresh();
    if (!failed_) a_.movq_rx(R(r), X(v));
    return r;
  }
  Xmm xmm_from_low(Value lo) {
    lo = in_register(lo);
    Xmm v = fresh_xmm();
    if (!failed_) a_.movq_xr(X(v), R(lo));
    return v;
  }
  void require_aligned16(Value ea) {
    if (failed_) return;
    if (ea.reg < 0) {
      if (ea.k & 15) fail();  // the handler raises #GP(0)
      return;
    }
    Value t = copy(ea);
    if (failed_) return;
    a_.alu_ri(AND, R(t), 15);
    to_fallback(NE);
  }
  // 16 bytes at seg:ea through the inline TLB (one host access); a miss or a page
  // crossing takes the fallback.
  Xmm read_mem128(unsigned seg, Value ea) {
    ea = in_register(ea);
    Xmm d = fresh_xmm();
    const unsigned live = next_reg_;
    if (failed_) return d;
    const size_t miss = tlb_lookup(seg, 16, address_of(ea), false, std::nullopt, [&](Reg host, int8_t index, int32_t disp) {
      if (index < 0) a_.sse_rm(0xf3, 0x6f, X(d), host, disp);
      else a_.sse_rbi(0xf3, 0x6f, X(d), host, static_cast<Reg>(index), disp);
    });
    if (failed_) return d;
    add_fallback_branch(miss);
    release_to(live);
    accessed_memory_ = true;
    return d;
  }
  void write_mem128(unsigned seg, Value ea, Xmm v) {
    ea = in_register(ea);
    const unsigned live = next_reg_;
    if (failed_) return;
    const size_t miss = tlb_lookup(seg, 16, address_of(ea), true, std::nullopt, [&](Reg host, int8_t index, int32_t disp) {
      if (index < 0) a_.sse_rm(0xf3, 0x7f, X(v), host, disp);
      else a_.sse_rbi(0xf3, 0x7f, X(v), host, static_cast<Reg>(index), disp);
    });
    if (failed_) return;
    add_fallback_branch(miss);
    release_to(live);
    wrote_memory_ = accessed_memory_ = true;
  }
  // a `op` b for the SSE2 instruction 66 0F op (0: none, give up), in a new register.
  Xmm sse_op(uint8_t op, Xmm a, Xmm b) {
    if (op == 0) fail();
    Xmm r = fresh_xmm();
    if (failed_) return r;
    a_.sse_rr(0x66, 0x6f, X(r), X(a));  // movdqa
    a_.sse_rr(0x66, op, X(r), X(b));
    return r;
  }
  // a `66 0F map op [imm]` b for an SSSE3 instruction, in a new register; gives up when
  // the host lacks SSSE3.
  Xmm ssse3_op(uint8_t map, uint8_t op, Xmm a, Xmm b, int imm) {
    if (!__builtin_cpu_supports("ssse3")) fail();
    Xmm r = fresh_xmm();
    if (failed_) return r;
    a_.sse_rr(0x66, 0x6f, X(r), X(a));
    a_.sse_rr3(map, op, X(r), X(b), imm);
    return r;
  }
  // PSHUFD (prefix 66), PSHUFHW (F3), PSHUFLW (F2) of b, in a new register.
  Xmm sse_shuffle(uint8_t prefix, Xmm b, uint8_t imm) {
    Xmm r = fresh_xmm();
    if (!failed_) a_.pshuf(prefix, X(r), X(b), imm);
    return r;
  }
  // a shifted by the translation-time count n (66 0F group /digit ib; group 0: give up),
  // in a new register. Counts above 255 act as 255 (everything shifted out, as the host's).
  Xmm sse_shift(uint8_t group, unsigned digit, Xmm a, uint64_t n) {
    if (group == 0) fail();
    Xmm r = fresh_xmm();
    if (failed_) return r;
    a_.sse_rr(0x66, 0x6f, X(r), X(a));
    a_.sse_shift_ri(group, digit, X(r), static_cast<uint8_t>(n > 255 ? 255 : n));
    return r;
  }
  // movmsk() of the byte lanes (PMOVMSKB); other lane widths give up.
  Value sse_movmsk(Xmm v, bool bytes) {
    if (!bytes) return fail();
    Value r = fresh();
    if (!failed_) a_.sse_rr(0x66, 0xd7, R(r), X(v));
    r.zext32 = true;
    return r;
  }

 private:
  struct Fallback {
    const isa::DecodedInsn* insn = nullptr;
    size_t branch[4] = {};  // rel32 fields of the hot path's branches to it
    unsigned num_branches = 0;
    // The register cache at each branch (dirty registers are stored from there; a
    // register may have been renamed or lent since the instruction's start).
    RegCache at_branch[4];
    size_t resume = 0;
    unsigned pending_insns = 0;
    uint64_t pending_rip = 0;
    RegCache at_end;  // the register cache at the instruction's end
    bool sse_checked = false;   // sse_checked_ at the start
  };
  Fallback fallback_;
  std::vector<Fallback> fallbacks_;
  unsigned next_xmm_ = 0;
  bool sse_checked_ = false;  // SSE usability tested since the block's start or the last handler
  static Reg X(Xmm v) { return static_cast<Reg>(v.reg); }
  Xmm fresh_xmm() {
    if (next_xmm_ >= 16) {
      fail();
      return Xmm{this, 0};
    }
    return Xmm{this, static_cast<int8_t>(next_xmm_++)};
  }
  int32_t state_offset(size_t field) const {
    return l_.lf - static_cast<int32_t>(offsetof(CpuState, lf)) + static_cast<int32_t>(field);
  }
  int32_t xmm_offset(unsigned r) const {
    return state_offset(offsetof(CpuState, xmm)) + static_cast<int32_t>(sizeof(Vec128) * r);
  }
  void add_fallback_branch(size_t field) {
    if (fallback_.num_branches == std::size(fallback_.branch)) {
      fail();
      return;
    }
    fallback_.at_branch[fallback_.num_branches] = cache_;
    fallback_.branch[fallback_.num_branches++] = field;
  }
  void to_fallback(Cond c) { add_fallback_branch(a_.jcc32(c, ~size_t{0})); }
  // Stores the state at the instruction (pending RIP/counters, dirty cached registers),
  // runs its handler, undoes its RIP advance, reloads the registers cached at the
  // instruction's end (the handler may have written them) and rejoins.
  void emit_fallback(const Fallback& f) {
    size_t joins[std::size(f.branch)];
    unsigned num_joins = 0;
    for (unsigned k = 0; k < f.num_branches; ++k) {  // one entry per branch: its dirty registers
      a_.patch_rel32(f.branch[k], a_.size());
      const RegCache& c = f.at_branch[k];
      for (unsigned s = 0; s < kCacheSize; ++s)
        if (c.slot[s].guest >= 0 && c.slot[s].dirty)
          a_.mov_mr64(RBX, gpr(static_cast<unsigned>(c.slot[s].guest)), c.slot_reg[s]);
      if (k + 1 < f.num_branches) joins[num_joins++] = a_.jmp32(~size_t{0});
    }
    for (unsigned k = 0; k < num_joins; ++k) a_.patch_rel32(joins[k], a_.size());
    adjust_pending(true, f.pending_insns, f.pending_rip);
    a_.mov_rr(RDI, RBX);
    a_.mov_ri(RSI, reinterpret_cast<uint64_t>(f.insn));
    a_.mov_ri(RAX, reinterpret_cast<uint64_t>(interp::kDispatch[f.insn->form]));
    a_.call_r(RAX);
    a_.alu_m64_i(SUB, RBX, l_.rip, static_cast<int32_t>(f.insn->length));
    adjust_pending(false, f.pending_insns, f.pending_rip);
    for (unsigned s = 0; s < kCacheSize; ++s)
      if (f.at_end.slot[s].guest >= 0)
        a_.mov_rm64(f.at_end.slot_reg[s], RBX, gpr(static_cast<unsigned>(f.at_end.slot[s].guest)));
    a_.jmp32(f.resume);
  }
  void emit_fallbacks() {
    for (const Fallback& f : fallbacks_) emit_fallback(f);
    fallbacks_.clear();
  }
};

// The simd operations of cpu/sem/sse.h's XMM forms on the JIT's values (found by
// argument-dependent lookup; lane widths without an SSE2 instruction give up).
namespace sse_jit {
using Xmm = Emitter::Xmm;
using simd::Elem;
using simd::VecSize;
constexpr unsigned lane(Elem e) { return e == Elem::B ? 0 : e == Elem::W ? 1 : e == Elem::D ? 2 : 3; }
inline uint8_t by_lane(Elem e, uint8_t b, uint8_t w, uint8_t d, uint8_t q) {
  const uint8_t ops[4] = {b, w, d, q};
  return ops[lane(e)];
}
}  // namespace sse_jit
inline Emitter::Xmm pcmpeq(Emitter::Xmm a, Emitter::Xmm b, simd::Elem e, simd::VecSize) { return a.e->sse_op(sse_jit::by_lane(e, 0x74, 0x75, 0x76, 0), a, b); }
inline Emitter::Xmm pcmpgt(Emitter::Xmm a, Emitter::Xmm b, simd::Elem e, simd::VecSize) { return a.e->sse_op(sse_jit::by_lane(e, 0x64, 0x65, 0x66, 0), a, b); }
inline Emitter::Xmm padd(Emitter::Xmm a, Emitter::Xmm b, simd::Elem e, simd::VecSize) { return a.e->sse_op(sse_jit::by_lane(e, 0xfc, 0xfd, 0xfe, 0xd4), a, b); }
inline Emitter::Xmm psub(Emitter::Xmm a, Emitter::Xmm b, simd::Elem e, simd::VecSize) { return a.e->sse_op(sse_jit::by_lane(e, 0xf8, 0xf9, 0xfa, 0xfb), a, b); }
inline Emitter::Xmm punpckl(Emitter::Xmm a, Emitter::Xmm b, simd::Elem e, simd::VecSize) { return a.e->sse_op(sse_jit::by_lane(e, 0x60, 0x61, 0x62, 0x6c), a, b); }
inline Emitter::Xmm punpckh(Emitter::Xmm a, Emitter::Xmm b, simd::Elem e, simd::VecSize) { return a.e->sse_op(sse_jit::by_lane(e, 0x68, 0x69, 0x6a, 0x6d), a, b); }
inline Emitter::Xmm pminu(Emitter::Xmm a, Emitter::Xmm b, simd::Elem e, simd::VecSize) { return a.e->sse_op(sse_jit::by_lane(e, 0xda, 0, 0, 0), a, b); }
inline Emitter::Xmm pmaxu(Emitter::Xmm a, Emitter::Xmm b, simd::Elem e, simd::VecSize) { return a.e->sse_op(sse_jit::by_lane(e, 0xde, 0, 0, 0), a, b); }
inline Emitter::Xmm pand(Emitter::Xmm a, Emitter::Xmm b, simd::VecSize) { return a.e->sse_op(0xdb, a, b); }
inline Emitter::Xmm pandn(Emitter::Xmm a, Emitter::Xmm b, simd::VecSize) { return a.e->sse_op(0xdf, a, b); }
inline Emitter::Xmm por(Emitter::Xmm a, Emitter::Xmm b, simd::VecSize) { return a.e->sse_op(0xeb, a, b); }
inline Emitter::Xmm pxor(Emitter::Xmm a, Emitter::Xmm b, simd::VecSize) { return a.e->sse_op(0xef, a, b); }
inline Emitter::Xmm padds(Emitter::Xmm a, Emitter::Xmm b, simd::Elem e, simd::VecSize) { return a.e->sse_op(sse_jit::by_lane(e, 0xec, 0xed, 0, 0), a, b); }
inline Emitter::Xmm psubs(Emitter::Xmm a, Emitter::Xmm b, simd::Elem e, simd::VecSize) { return a.e->sse_op(sse_jit::by_lane(e, 0xe8, 0xe9, 0, 0), a, b); }
inline Emitter::Xmm paddus(Emitter::Xmm a, Emitter::Xmm b, simd::Elem e, simd::VecSize) { return a.e->sse_op(sse_jit::by_lane(e, 0xdc, 0xdd, 0, 0), a, b); }
inline Emitter::Xmm psubus(Emitter::Xmm a, Emitter::Xmm b, simd::Elem e, simd::VecSize) { return a.e->sse_op(sse_jit::by_lane(e, 0xd8, 0xd9, 0, 0), a, b); }
inline Emitter::Xmm pmull(Emitter::Xmm a, Emitter::Xmm b, simd::Elem e, simd::VecSize) { return a.e->sse_op(sse_jit::by_lane(e, 0, 0xd5, 0, 0), a, b); }
inline Emitter::Xmm pavg(Emitter::Xmm a, Emitter::Xmm b, simd::Elem e, simd::VecSize) { return a.e->sse_op(sse_jit::by_lane(e, 0xe0, 0xe3, 0, 0), a, b); }
inline Emitter::Xmm pmins(Emitter::Xmm a, Emitter::Xmm b, simd::Elem e, simd::VecSize) { return a.e->sse_op(sse_jit::by_lane(e, 0, 0xea, 0, 0), a, b); }
inline Emitter::Xmm pmaxs(Emitter::Xmm a, Emitter::Xmm b, simd::Elem e, simd::VecSize) { return a.e->sse_op(sse_jit::by_lane(e, 0, 0xee, 0, 0), a, b); }
// (packss/packus name the source lane width)
inline Emitter::Xmm packss(Emitter::Xmm a, Emitter::Xmm b, simd::Elem from, simd::VecSize) { return a.e->sse_op(sse_jit::by_lane(from, 0, 0x63, 0x6b, 0), a, b); }
inline Emitter::Xmm packus(Emitter::Xmm a, Emitter::Xmm b, simd::Elem from, simd::VecSize) { return a.e->sse_op(sse_jit::by_lane(from, 0, 0x67, 0, 0), a, b); }
inline Emitter::Xmm pmulhw(Emitter::Xmm a, Emitter::Xmm b, simd::VecSize) { return a.e->sse_op(0xe5, a, b); }
inline Emitter::Xmm pmulhuw(Emitter::Xmm a, Emitter::Xmm b, simd::VecSize) { return a.e->sse_op(0xe4, a, b); }
inline Emitter::Xmm pmuludq(Emitter::Xmm a, Emitter::Xmm b, simd::VecSize) { return a.e->sse_op(0xf4, a, b); }
inline Emitter::Xmm pmaddwd(Emitter::Xmm a, Emitter::Xmm b, simd::VecSize) { return a.e->sse_op(0xf5, a, b); }
inline Emitter::Xmm psadbw(Emitter::Xmm a, Emitter::Xmm b, simd::VecSize) { return a.e->sse_op(0xf6, a, b); }
inline Emitter::Xmm pshufd(Emitter::Xmm b, uint8_t imm) { return b.e->sse_shuffle(0x66, b, imm); }
inline Emitter::Xmm pshufhw(Emitter::Xmm b, uint8_t imm) { return b.e->sse_shuffle(0xf3, b, imm); }
inline Emitter::Xmm pshuflw(Emitter::Xmm b, uint8_t imm) { return b.e->sse_shuffle(0xf2, b, imm); }
inline Emitter::Xmm pshufb(Emitter::Xmm a, Emitter::Xmm b, simd::VecSize) { return a.e->ssse3_op(0x38, 0x00, a, b, -1); }
inline Emitter::Xmm palignr(Emitter::Xmm a, Emitter::Xmm b, uint8_t imm, simd::VecSize) { return a.e->ssse3_op(0x3a, 0x0f, a, b, imm); }
// Shifts by a translation-time count (the immediate groups 66 0F 71/72/73).
inline uint8_t shift_group(simd::Elem e) { return sse_jit::by_lane(e, 0, 0x71, 0x72, 0x73); }
inline Emitter::Xmm psrl(Emitter::Xmm a, uint64_t n, simd::Elem e, simd::VecSize) { return a.e->sse_shift(shift_group(e), 2, a, n); }
inline Emitter::Xmm psra(Emitter::Xmm a, uint64_t n, simd::Elem e, simd::VecSize) { return a.e->sse_shift(e == simd::Elem::Q ? 0 : shift_group(e), 4, a, n); }
inline Emitter::Xmm psll(Emitter::Xmm a, uint64_t n, simd::Elem e, simd::VecSize) { return a.e->sse_shift(shift_group(e), 6, a, n); }
inline Emitter::Xmm psrldq(Emitter::Xmm a, uint8_t n) { return a.e->sse_shift(0x73, 3, a, n); }
inline Emitter::Xmm pslldq(Emitter::Xmm a, uint8_t n) { return a.e->sse_shift(0x73, 7, a, n); }
inline Emitter::Value movmsk(Emitter::Xmm v, simd::Elem e, simd::VecSize) { return v.e->sse_movmsk(v, e == simd::Elem::B); }

// Value operators, so the templates' `a + b`, `r &= m` read the same for both emitters.
using Value = Emitter::Value;
inline Value operator+(Value x, Value y) { return x.e ? x.e->binop(ADD, x, y) : y.e->binop(ADD, x, y); }
inline Value operator-(Value x, Value y) { return x.e ? x.e->binop(SUB, x, y) : y.e->binop(SUB, x, y); }
inline Value operator|(Value x, Value y) { return x.e ? x.e->binop(OR, x, y) : y.e->binop(OR, x, y); }
inline Value operator&(Value x, Value y) { return x.e ? x.e->binop(AND, x, y) : y.e->binop(AND, x, y); }
inline Value operator^(Value x, Value y) { return x.e ? x.e->binop(XOR, x, y) : y.e->binop(XOR, x, y); }
inline Value operator+(Value x, uint64_t c) { return x.e->binop(ADD, x, Value{x.e, -1, c}); }
inline Value operator-(Value x, uint64_t c) { return x.e->binop(SUB, x, Value{x.e, -1, c}); }
inline Value operator-(uint64_t c, Value x) { return x.e->binop(SUB, Value{x.e, -1, c}, x); }
inline Value& operator&=(Value& x, uint64_t m) { return x = x.e->mask(x, m); }
inline Value operator&(Value x, uint64_t m) { return x.e->mask(x, m); }
inline Value operator~(Value x) { return x.e->binop(XOR, x, Value{x.e, -1, ~uint64_t{0}}); }
// sext() of cpu/sem/muldiv.h for the JIT's values (found by argument-dependent lookup).
inline Value sext(Value x, unsigned size) { return x.e->sign_extend(x, size); }
inline Value operator<<(Value x, unsigned n) { return x.e->shift(0, x, n); }
inline Value operator>>(Value x, unsigned n) { return x.e->shift(1, x, n); }
// sar64() of cpu/sem/muldiv.h.
inline Value sar64(Value x, unsigned n) { return x.e->shift(2, x, n); }
// (jitforms) The same by a run-time count (SHL/SHR/SAR by CL).
inline Value operator<<(Value x, Value n) { return (x.e ? x.e : n.e)->shift_by(0, x, n); }
inline Value operator>>(Value x, Value n) { return (x.e ? x.e : n.e)->shift_by(1, x, n); }
inline Value sar64(Value x, Value n) { return (x.e ? x.e : n.e)->shift_by(2, x, n); }

}  // namespace emu::jit::x64
