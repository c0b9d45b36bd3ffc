// The JIT emitter for the x86-64 backend: the `E` the emitter-generic semantic templates
// (cpu/sem/alu.h, data.h) are instantiated with to produce inline host code instead of
// computing values. A Value is a host register or a constant known at translation
// time. Inline: 64-bit mode, 32/64-bit GPR, immediate and memory operands, LEA; anything
// else (8/16-bit operands, flags read, other address sizes) marks the attempt as given
// up and the backend calls the shared handler instead. Memory operands use the soft TLB
// inline; only their slow path (a call of the interpreter's access) can fault or end
// the block. RIP, the retired count and the budget of inline instructions are added up
// and stored before the next handler call or block exit, and around a slow path.
#pragma once
#include <cstddef>
#include <cstdint>
#include <utility>

#include "cpu/cpu_state.h"
#include "cpu/flags.h"
#include "cpu/isa/decoded_insn.h"
#include "cpu/jit/x86_64/x86_64_encoder.h"

namespace emu::jit::x64 {

// Byte offsets (from the Cpu object in RBX) of the state inline code touches.
struct StateLayout {
  int32_t gpr0 = 0;  // CpuState::gpr[0]
  int32_t lf = 0;    // CpuState::lf
  int32_t rip = 0;       // CpuState::rip
  int32_t retired = 0;   // instructions retired
  int32_t budget = 0;    // instructions left in this run() call
  int32_t tlb = 0;       // the block's TLB set in Cpu::tlb_ (entries of 32 bytes: read tag/host, write tag/host)
  int32_t fs_base = 0;   // CpuState::seg[FS].base
  int32_t gs_base = 0;   // CpuState::seg[GS].base
  // Slow paths of the inline memory accesses (the interpreter's own memory path; may
  // raise): seg_size = segment | size << 8, offset = effective address.
  uint64_t (*load)(void* cpu, uint32_t seg_size, uint64_t offset) = nullptr;
  uint64_t (*load_rmw)(void* cpu, uint32_t seg_size, uint64_t offset) = nullptr;
  void (*store)(void* cpu, uint32_t seg_size, uint64_t offset, uint64_t v) = nullptr;
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
  void begin(uint64_t rip, bool flags_dead, unsigned pending = 0) {
    rip_ = rip;
    flags_dead_ = flags_dead;
    failed_ = false;
    next_reg_ = 0;
    pending_insns_ = pending;
    wrote_memory_ = false;
    accessed_memory_ = false;
  }
  bool failed() const { return failed_; }
  // The instruction stored to memory (its slow path may have ended the block).
  bool wrote_memory() const { return wrote_memory_; }
  bool accessed_memory() const { return accessed_memory_; }
  uint64_t pending_rip() const { return pending_rip_; }

  // ---- the interface the semantic templates use ----
  Value read_operand(const isa::DecodedInsn& i, unsigned k) {
    const isa::Operand& o = i.op[k];
    if (o.type == isa::OperandType::Imm) return constant(o.reg == 1 ? 1 : i.imm & size_mask(o.size));
    if (o.type == isa::OperandType::Mem) return load_memory(i, o.size, false);
    if (o.type != isa::OperandType::Reg || o.reg >= isa::kRegAH || (o.size != 4 && o.size != 8)) return fail();
    Value v = fresh();
    if (failed_) return v;
    if (o.size == 8) {
      a_.mov_rm64(R(v), RBX, gpr(o.reg));
    } else {
      a_.mov_rm32(R(v), RBX, gpr(o.reg));
      v.zext32 = true;
    }
    return v;
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
    if (o.type != isa::OperandType::Reg || o.reg >= isa::kRegAH || (o.size != 4 && o.size != 8)) {
      fail();
      return;
    }
    if (failed_) return;
    if (v.reg < 0) {
      const uint64_t c = o.size == 4 ? (v.k & 0xffffffffu) : v.k;
      if (static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(c))) == c) {
        a_.mov_m64_i(RBX, gpr(o.reg), static_cast<int32_t>(c));
        return;
      }
      v = in_register(v);
      if (failed_) return;
    }
    if (o.size == 4 && !v.zext32) a_.mov_rr32(R(v), R(v));  // 32-bit writes zero-extend
    a_.mov_mr64(RBX, gpr(o.reg), R(v));
  }
  Value effective_address(const isa::DecodedInsn& i) {
    if (i.asz != 8) return fail();
    Value ea = constant(static_cast<uint64_t>(i.disp));
    if (i.base == isa::kRegRIP) ea = constant(rip_ + i.length + static_cast<uint64_t>(i.disp));
    else if (i.base != isa::kNoReg) ea = binop(ADD, load64(i.base), ea);
    if (i.index != isa::kNoReg) {
      Value x = load64(i.index);
      if (!failed_ && i.scale) a_.shl_ri(R(x), i.scale);
      ea = binop(ADD, x, ea);
    }
    return ea;
  }
  unsigned carry_flag() {
    fail();
    return 0;
  }
  void record_flags(FlagOp op, unsigned size, Value r, Value x, Value y, unsigned carry_in) {
    if (failed_ || flags_dead_) return;
    a_.mov_m32_i(RBX, l_.lf + kLfHeader, static_cast<uint32_t>(op) | (size << 8) | (carry_in << 16));
    store64(l_.lf + kLfResult, r);
    store64(l_.lf + kLfSrc1, x);
    store64(l_.lf + kLfSrc2, y);
  }
  void advance_rip(const isa::DecodedInsn& i) { pending_rip_ += i.length; }

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
    if (m == 0xffffffffu) {
      if (x.zext32) return x;
      Value r = copy(x);
      if (!failed_) a_.mov_rr32(R(r), R(r));
      r.zext32 = true;
      return r;
    }
    return binop(AND, x, constant(m));
  }

 private:
  // CpuState::lf layout: op, size, carry_in bytes, then result, src1, src2.
  static constexpr int32_t kLfHeader = static_cast<int32_t>(offsetof(LazyFlags, op));
  static constexpr int32_t kLfResult = static_cast<int32_t>(offsetof(LazyFlags, result));
  static constexpr int32_t kLfSrc1 = static_cast<int32_t>(offsetof(LazyFlags, src1));
  static constexpr int32_t kLfSrc2 = static_cast<int32_t>(offsetof(LazyFlags, src2));
  static_assert(offsetof(LazyFlags, size) == 1 && offsetof(LazyFlags, carry_in) == 2, "lf header packs into 32 bits");
  static constexpr Reg kPool[] = {RAX, RCX, RDX, RSI, RDI, R8, R9, R10, R11};

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
  Value constant(uint64_t c) { return Value{this, -1, c}; }
  Value fresh() {
    if (next_reg_ >= sizeof kPool / sizeof kPool[0]) return fail();
    return Value{this, static_cast<int8_t>(kPool[next_reg_++]), 0};
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
  Value load64(unsigned n) {
    Value v = fresh();
    if (!failed_) a_.mov_rm64(R(v), RBX, gpr(n));
    return v;
  }
  void store64(int32_t disp, Value v) {
    if (v.reg < 0 && fits_i32(v.k)) {
      a_.mov_m64_i(RBX, disp, static_cast<int32_t>(v.k));
      return;
    }
    v = in_register(v);
    if (!failed_) a_.mov_mr64(RBX, disp, R(v));
  }

  // ---- inline soft-TLB accesses ----
  // Hit: the tag of the entry of the first byte's page equals the page of the last byte
  // (so a page-crossing or non-canonical access never hits; invalid tags have bit 0
  // set), then one host load/store. Miss: the interpreter's path (canonical check,
  // translation, faults, code-page invalidation) with the pending state stored.
  static constexpr int32_t kTlbEntryBytes = 32, kReadTag = 0, kReadHost = 8, kWriteTag = 16, kWriteHost = 24;

  Value load_memory(const isa::DecodedInsn& i, unsigned size, bool rmw) {
    if (size != 4 && size != 8) return fail();
    const unsigned live = next_reg_;
    Value d = fresh();
    Value ea = in_register(effective_address(i));
    if (failed_) return d;
    const size_t slow = tlb_lookup(i, size, ea, rmw ? kWriteTag : kReadTag, rmw ? kWriteHost : kReadHost, [&](Reg host, Reg off) {
      a_.mov_r_bi(size == 8, R(d), host, off, 0);
    });
    if (failed_) return d;
    const size_t done = a_.jmp32(~size_t{0});
    a_.patch_rel32(slow, a_.size());
    slow_call(live, ea, nullptr, i.seg | size << 8, reinterpret_cast<uint64_t>(rmw ? l_.load_rmw : l_.load), R(d));
    a_.patch_rel32(done, a_.size());
    next_reg_ = live + 1;  // only d stays live
    accessed_memory_ = true;
    d.zext32 = size == 4;
    return d;
  }
  void store_memory(const isa::DecodedInsn& i, unsigned size, Value v) {
    if (size != 4 && size != 8) {
      fail();
      return;
    }
    v = in_register(v);
    const unsigned live = next_reg_;
    Value ea = in_register(effective_address(i));
    if (failed_) return;
    const size_t slow = tlb_lookup(i, size, ea, kWriteTag, kWriteHost, [&](Reg host, Reg off) {
      a_.mov_bi_r(size == 8, host, off, 0, R(v));
    });
    if (failed_) return;
    const size_t done = a_.jmp32(~size_t{0});
    a_.patch_rel32(slow, a_.size());
    slow_call(live, ea, &v, i.seg | size << 8, reinterpret_cast<uint64_t>(l_.store), RAX);
    a_.patch_rel32(done, a_.size());
    next_reg_ = live;
    wrote_memory_ = accessed_memory_ = true;
  }
  // Emits the lookup and `access(host page, offset in page)` on a hit; returns the
  // rel32 field of the branch to the slow path (emitted after by the caller).
  template <class Access>
  size_t tlb_lookup(const isa::DecodedInsn& i, unsigned size, Value ea, int32_t tag, int32_t host, Access access) {
    Value lin = ea;
    if (i.seg == isa::SEG_FS || i.seg == isa::SEG_GS) {
      lin = copy(ea);
      if (failed_) return 0;
      a_.alu_rm64(ADD, R(lin), RBX, i.seg == isa::SEG_FS ? l_.fs_base : l_.gs_base);
    }
    Value idx = copy(lin);
    Value last = copy(lin);
    if (failed_) return 0;
    a_.shr_ri(R(idx), 12);
    a_.alu_ri(AND, R(idx), 511);
    a_.shl_ri(R(idx), 5);
    static_assert(kTlbEntryBytes == 1 << 5);
    a_.alu_ri(ADD, R(last), static_cast<int32_t>(size - 1));
    a_.alu_ri(AND, R(last), -4096);
    a_.cmp_r_bi(R(last), RBX, R(idx), l_.tlb + tag);
    const size_t miss = a_.jcc32(NE, ~size_t{0});
    a_.mov_r_bi(true, R(idx), RBX, R(idx), l_.tlb + host);
    a_.alu_ri(AND, R(lin), 0xfff);
    access(R(idx), R(lin));
    return miss;
  }
  // Slow path: store the pending state, save the live pool registers, call
  // fn(cpu, seg_size, ea[, v]), put the result in `result`, restore.
  void slow_call(unsigned live, Value ea, const Value* v, uint32_t seg_size, uint64_t fn, Reg result) {
    adjust_pending(true);
    for (unsigned r = 0; r < live; ++r) a_.push(kPool[r]);
    a_.push(R(ea));
    if (v) {
      a_.push(R(*v));
      a_.pop(RCX);
    }
    a_.pop(RDX);
    a_.mov_rr(RDI, RBX);
    a_.mov_ri(RSI, seg_size);
    if (live & 1) a_.sub_ri(RSP, 8);  // calls need a 16-byte aligned stack
    a_.mov_ri(RAX, fn);
    a_.call_r(RAX);
    if (live & 1) a_.add_ri(RSP, 8);
    if (result != RAX) a_.mov_rr(result, RAX);
    for (unsigned r = live; r-- > 0;) a_.pop(kPool[r]);
    adjust_pending(false);
  }
  void adjust_pending(bool store) {
    if (!pending_insns_) return;
    const auto n = static_cast<int32_t>(pending_insns_);
    const auto bytes = static_cast<int32_t>(pending_rip_);
    a_.alu_m64_i(store ? ADD : SUB, RBX, l_.retired, n);
    a_.alu_m64_i(store ? SUB : ADD, RBX, l_.budget, n);
    a_.alu_m64_i(store ? ADD : SUB, RBX, l_.rip, bytes);
  }

  Encoder& a_;
  StateLayout l_;
  unsigned pending_insns_ = 0;
  bool wrote_memory_ = false;
  bool accessed_memory_ = false;
  uint64_t rip_ = 0;
  bool flags_dead_ = false;
  bool failed_ = false;
  unsigned next_reg_ = 0;
  uint64_t pending_rip_ = 0;
};

// Value operators, so the templates' `a + b`, `r &= m` read the same for both emitters.
using Value = Emitter::Value;
inline Value operator+(Value x, Value y) { return x.e ? x.e->binop(ADD, x, y) : y.e->binop(ADD, x, y); }
inline Value operator-(Value x, Value y) { return x.e ? x.e->binop(SUB, x, y) : y.e->binop(SUB, x, y); }
inline Value operator|(Value x, Value y) { return x.e ? x.e->binop(OR, x, y) : y.e->binop(OR, x, y); }
inline Value operator&(Value x, Value y) { return x.e ? x.e->binop(AND, x, y) : y.e->binop(AND, x, y); }
inline Value operator^(Value x, Value y) { return x.e ? x.e->binop(XOR, x, y) : y.e->binop(XOR, x, y); }
inline Value operator+(Value x, uint64_t c) { return x.e->binop(ADD, x, Value{x.e, -1, c}); }
inline Value operator-(Value x, uint64_t c) { return x.e->binop(SUB, x, Value{x.e, -1, c}); }
inline Value& operator&=(Value& x, uint64_t m) { return x = x.e->mask(x, m); }

}  // namespace emu::jit::x64
