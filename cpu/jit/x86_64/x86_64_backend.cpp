// The x86-64 host backend (see backend.h). Generated code keeps the Cpu pointer in RBX.
// Per guest instruction it either emits inline code generated from the form's
// emitter-generic semantic template (x86_64_emitter.h: only a memory operand's slow
// path can fault or end the block, with the state stored around it; RIP and the
// counters of a run of such instructions are stored once, before the next handler
// call or the block's end; after an inline store: stop_block? -> exit), or calls the form's shared handler with
// the DecodedInsn the block owns, then retires it (retired += 1, budget -= 1) and
// leaves when the handler asked to end the block. So a fault (longjmp out of a
// handler) or an early end leaves RIP and the counters exactly as the interpreter
// would. A flag record is dropped when a later inline instruction overwrites all
// arithmetic flags before anything can read them, fault or leave (flags_dead). An
// inline Jcc/CALL/RET/JMP stores RIP itself and falls into the successor checks below.
// Block layout:
//
//   entry:  budget < n / attention word set -> exit (nothing executed)
//           n x { inline code | flush pending; call handler(cpu, &insn); retire;
//                 stop_block? -> exit }
//           flush pending
//           per direct successor: RIP == target? -> patchable jmp (to its link stub)
//           64-bit blocks: jump table hit at RIP? -> jmp its code (inline probe)
//           lookup: rax = hooks.lookup(cpu); rax ? jmp rax : exit
//           link stubs: rax = hooks.link(cpu, link); rax ? jmp rax : exit
//
// Guest registers cached in host registers by the inline code (see the emitter) are
// written back before each handler call, at the end and on the early exits; so is the
// last inline flag record (kept in registers until something may read it).
// The cache starts with `enter` (saves RBX and RBP/R12-R15, RBX = cpu, jumps to the
// block) and `exit`.
#include <cstddef>
#include <cstring>
#include <iterator>
#include <string_view>
#include <vector>

#include "cpu/cpu.h"
#include "cpu/interp/block_cache.h"
#include "cpu/jit/backend.h"
#include "cpu/jit/jump_table.h"
#include "cpu/interp/dispatch.h"
#include "cpu/jit/x86_64/x86_64_encoder.h"
#include "cpu/jit/x86_64/x86_64_fast_forms.h"

namespace emu::jit {

namespace {

using namespace x64;

constexpr Reg kCpuReg = RBX;
// Callee-saved registers generated code uses: the Cpu pointer and the guest register cache.
constexpr Reg kSavedRegs[] = {RBX, RBP, R12, R13, R14, R15};
static_assert(std::size(kSavedRegs) % 2 == 0, "enter pads the stack by 8 after an even number of pushes");

// Slow paths of inline memory operands: exactly the interpreter's accesses (may raise).
uint64_t slow_load(void* cpu, uint32_t seg_size, uint64_t off) {
  return static_cast<Cpu*>(cpu)->read_mem(seg_size & 0xff, off, seg_size >> 8);
}
uint64_t slow_load_rmw(void* cpu, uint32_t seg_size, uint64_t off) {
  return static_cast<Cpu*>(cpu)->read_mem_rmw(seg_size & 0xff, off, seg_size >> 8);
}
void slow_store(void* cpu, uint32_t seg_size, uint64_t off, uint64_t v) {
  static_cast<Cpu*>(cpu)->write_mem(seg_size & 0xff, off, seg_size >> 8, v);
}
// A condition whose flag producer is not known at translation time.
uint64_t condition_of(void* cpu, uint32_t cc) { return eval_condition(static_cast<Cpu*>(cpu)->state(), cc); }
// A non-canonical RET/indirect-branch target found by inline code.
[[noreturn]] void raise_gp0(void* cpu) { static_cast<Cpu*>(cpu)->raise_gp0(); }

class X86_64Backend final : public Backend {
 public:
  X86_64Backend(const CpuLayout& l, const RuntimeHooks& h) : layout_(l), hooks_(h) {
    state_.gpr0 = l.gpr0;
    state_.lf = l.lf;
    state_.rip = l.rip;
    state_.retired = l.retired;
    state_.budget = l.budget;
    state_.fs_base = l.fs_base;
    state_.gs_base = l.gs_base;
    state_.tlb_entries = l.tlb_entries;
    state_.load = &slow_load;
    state_.load_rmw = &slow_load_rmw;
    state_.store = &slow_store;
    state_.condition = &condition_of;
    state_.raise_gp0 = &raise_gp0;
  }

  const char* name() const override { return "x86-64"; }

  bool emit_runtime(CodeCache& cache) override {
    Encoder e(cache.write_cursor(), cache.free_bytes());
    // enter(Cpu* rdi, code rsi): saves RBX and the callee-saved registers that cache
    // guest registers; after the pushes and the 8-byte pad the stack is 16-byte aligned
    // for calls.
    for (Reg r : kSavedRegs) e.push(r);
    e.sub_ri(RSP, 8);
    e.mov_rr(kCpuReg, RDI);
    e.jmp_r(RSI);
    const size_t exit_at = e.size();
    e.add_ri(RSP, 8);
    for (size_t k = std::size(kSavedRegs); k-- > 0;) e.pop(kSavedRegs[k]);
    e.ret();
    if (e.overflowed()) return false;
    enter_ = cache.commit(e.size());
    exit_ = enter_ + exit_at;
    return true;
  }

  bool emit_block(CodeCache& cache, const interp::Block& b, Translation& t) override {
    uint8_t* const base_rw = cache.write_cursor();
    const uint8_t* const base_rx = cache.executable(base_rw);
    Encoder e(base_rw, cache.free_bytes());
    // Offset of an executable address relative to this block's buffer (for rel32).
    auto off = [&](const uint8_t* exec) { return static_cast<size_t>(exec - base_rx); };
    const size_t exit_off = off(exit_);

    const auto n = static_cast<int32_t>(b.insns.size());
    e.alu_m64_i(CMP, kCpuReg, layout_.budget, n);
    e.jcc32(B, exit_off);
    e.alu_m32_i(CMP, kCpuReg, layout_.attention, 0);
    e.jcc32(NE, exit_off);
    // The block runs at one CPL (its mode key): probe that privilege class's TLB set.
    state_.tlb = ((b.mode >> 8) & 3) == 3 ? layout_.tlb_user : layout_.tlb_supervisor;
    const std::vector<InsnPlan> plan = plan_inline(b);
    const std::vector<uint32_t> later = later_register_uses(b, plan);
    t.inline_insns = t.inline_memory_insns = t.flag_records_dropped = 0;
    Emitter em(e, state_);
    unsigned pending = 0;  // inline instructions not yet retired in memory
    auto flush_pending = [&] {
      const uint64_t rip_bytes = em.take_pending_rip();
      if (!pending) return;
      e.alu_m64_i(ADD, kCpuReg, layout_.retired, static_cast<int32_t>(pending));
      e.alu_m64_i(SUB, kCpuReg, layout_.budget, static_cast<int32_t>(pending));
      if (rip_bytes) e.alu_m64_i(ADD, kCpuReg, layout_.rip, static_cast<int32_t>(rip_bytes));
      pending = 0;
    };
    uint64_t rip = b.linear;
    for (size_t k = 0; k < b.insns.size(); ++k) {
      const interp::BlockInsn& bi = b.insns[k];
      if (plan[k].inline_ok) {
        const size_t at = e.size();
        const bool dead = flags_dead(b, plan, k);
        em.begin(rip, dead, pending, later[k]);
        kFastEmit[bi.d.form](em, bi.d);
        if (!em.failed()) {
          ++pending;
          ++t.inline_insns;
          if (dead && em.recorded_flags()) ++t.flag_records_dropped;
          if (em.accessed_memory()) ++t.inline_memory_insns;
          rip += bi.d.length;
          if (em.wrote_memory()) {
            // The store's slow path may have invalidated code (stop_block): leave with
            // this instruction retired, as after a handler.
            e.cmp_m8_i(kCpuReg, layout_.stop_block, 0);
            const size_t go_on = e.jcc32(E, ~size_t{0});
            em.spill_registers();
            em.spill_flags();
            e.alu_m64_i(ADD, kCpuReg, layout_.retired, static_cast<int32_t>(pending));
            e.alu_m64_i(SUB, kCpuReg, layout_.budget, static_cast<int32_t>(pending));
            e.alu_m64_i(ADD, kCpuReg, layout_.rip, static_cast<int32_t>(em.pending_rip()));
            e.jmp32(exit_off);
            e.patch_rel32(go_on, e.size());
          }
          continue;
        }
        e.truncate(at);
        em.rollback();  // (never reached: plan_inline made the same emission)
      }
      em.handler_ran(writes_flags(bi.d));
      t.handler_forms.push_back(bi.d.form);
      flush_pending();
      e.mov_rr(RDI, kCpuReg);
      e.mov_ri(RSI, reinterpret_cast<uint64_t>(&bi.d));
      e.mov_ri(RAX, reinterpret_cast<uint64_t>(bi.fn));
      e.call_r(RAX);
      e.alu_m64_i(ADD, kCpuReg, layout_.retired, 1);
      e.alu_m64_i(SUB, kCpuReg, layout_.budget, 1);
      e.cmp_m8_i(kCpuReg, layout_.stop_block, 0);
      e.jcc32(NE, exit_off);
      rip += bi.d.length;
    }
    em.materialize_flags();
    em.write_back_registers();
    flush_pending();
    size_t site_field[2] = {};
    size_t site_at[2] = {};
    for (unsigned k = 0; k < t.num_out; ++k) {
      e.mov_ri(RAX, t.out[k].target_rip);
      e.cmp_rm64(RAX, kCpuReg, layout_.rip);
      const size_t skip = e.jcc32(NE, ~size_t{0});
      site_at[k] = e.size();
      site_field[k] = e.jmp32(~size_t{0});
      e.patch_rel32(skip, e.size());
    }
    if (hooks_.jump_table && (b.mode & 0xff) == 64) emit_jump_table_probe(e, b.mode);
    emit_call_and_dispatch(e, reinterpret_cast<uint64_t>(hooks_.lookup), nullptr, exit_off);
    size_t stub_at[2] = {};
    for (unsigned k = 0; k < t.num_out; ++k) {
      stub_at[k] = e.size();
      e.patch_rel32(site_field[k], stub_at[k]);
      emit_call_and_dispatch(e, reinterpret_cast<uint64_t>(hooks_.link), &t.out[k], exit_off);
    }
    em.emit_slow_paths();
    if (e.overflowed()) return false;
    t.entry = cache.commit(e.size());
    t.code_size = e.size();
    for (unsigned k = 0; k < t.num_out; ++k) {
      t.out[k].site = t.entry + site_at[k];
      t.out[k].unlinked = t.entry + stub_at[k];
    }
    return true;
  }

  void patch_jump(CodeCache& cache, const uint8_t* site, const uint8_t* target) override {
    // The site is `jmp rel32` (E9 xx xx xx xx); the 4-byte store is atomic enough for a
    // single-threaded CPU, and x86 keeps instruction fetch coherent with the alias.
    int32_t rel = static_cast<int32_t>(target - (site + 5));
    std::memcpy(cache.writable(site) + 1, &rel, 4);
  }

  void enter(Cpu& cpu, const uint8_t* entry) override {
    using EnterFn = void (*)(Cpu*, const uint8_t*);
    EnterFn fn;
    std::memcpy(&fn, &enter_, sizeof fn);
    fn(&cpu, entry);
  }

  void capstone_target(int* arch, int* mode) const override {
    *arch = 3;      // CS_ARCH_X86
    *mode = 1 << 3;  // CS_MODE_64
  }

 private:
  // Which instructions get inline code: forms with an emitter-generic template whose
  // emission succeeds for these operands, in 64-bit mode only (elsewhere memory operands
  // need Cpu::linear's segment limit and type checks). Tried into a scratch buffer
  // by one emitter walking the block in order, as emit_block's does (what it knows of
  // the flag producers, hence what it emits, is the same).
  // Per instruction: inline? and did its inline code record lazy flags?
  struct InsnPlan {
    bool inline_ok = false;
    bool records_flags = false;
    bool reads_flags = false;  // (a condition, a carry)
    bool may_leave = false;    // may fault or leave the block
  };
  std::vector<InsnPlan> plan_inline(const interp::Block& b) const {
    std::vector<InsnPlan> plan(b.insns.size());
    if ((b.mode & 0xff) != 64) return plan;
    uint8_t scratch[1024];
    Encoder probe(scratch, sizeof scratch);
    Emitter pe(probe, state_);
    uint64_t rip = b.linear;
    for (size_t k = 0; k < b.insns.size(); ++k) {
      const interp::BlockInsn& bi = b.insns[k];
      const FastEmitFn fn = kFastEmit[bi.d.form];
      if (fn && bi.fn == interp::kDispatch[bi.d.form]) {  // not the CPL check's #GP stand-in
        probe.truncate(0);
        pe.begin(rip, false);
        fn(pe, bi.d);
        plan[k].inline_ok = !pe.failed() && !probe.overflowed();
        plan[k].records_flags = plan[k].inline_ok && pe.recorded_flags();
        plan[k].reads_flags = pe.read_flags();
        plan[k].may_leave = pe.may_leave();
        if (!plan[k].inline_ok) pe.rollback();
        pe.drop_slow_paths();
      }
      if (!plan[k].inline_ok) {
        probe.truncate(0);
        pe.handler_ran(writes_flags(bi.d));
      }
      rip += bi.d.length;
    }
    return plan;
  }
  static bool writes_flags(const isa::DecodedInsn& d) {
    const isa::Form& f = d.info();
    return (f.flags_written | f.flags_undefined) != 0;
  }
  // The flag record of instruction k is dead when a later instruction j overwrites it
  // first: j is inline, records its own (a shift by 0 does not) and writes every
  // arithmetic flag without reading any, and nothing can see the record before j: every
  // instruction from k+1 to j is inline, reads no flags, writes none without a record of
  // its own, and can neither fault nor leave the block (no memory operand, no run-time
  // check, no branch). k keeps its record when it accesses memory itself.
  static bool flags_dead(const interp::Block& b, const std::vector<InsnPlan>& plan, size_t k) {
    if (!plan[k].records_flags || plan[k].may_leave || touches_memory(b.insns[k].d)) return false;
    for (size_t j = k + 1; j < b.insns.size(); ++j) {
      const isa::Form& f = b.insns[j].d.info();
      if (!plan[j].inline_ok || plan[j].reads_flags || f.flags_read != 0) return false;
      if (plan[j].may_leave || touches_memory(b.insns[j].d)) return false;
      if (plan[j].records_flags) {
        if ((f.flags_written & isa::FL_ARITH) == isa::FL_ARITH) return true;
      } else if ((f.flags_written | f.flags_undefined) != 0) {
        return false;
      }
    }
    return false;  // the block's end needs it
  }

  // Per instruction: the guest GPRs (bit n: register n) the following inline
  // instructions name (operands, address registers, RSP of the stack forms) up to the
  // next handler or the block's end. Only a hint for the register cache.
  static std::vector<uint32_t> later_register_uses(const interp::Block& b, const std::vector<InsnPlan>& plan) {
    std::vector<uint32_t> later(b.insns.size());
    uint32_t acc = 0;
    for (size_t k = b.insns.size(); k-- > 0;) {
      later[k] = acc;
      acc = plan[k].inline_ok ? acc | registers_named(b.insns[k].d) : 0;
    }
    return later;
  }
  static uint32_t registers_named(const isa::DecodedInsn& d) {
    uint32_t m = 0;
    for (const isa::Operand& o : d.op) {
      if (o.type == isa::OperandType::Reg && o.reg < 16) m |= 1u << o.reg;
      if (o.type == isa::OperandType::Reg && o.reg >= isa::kRegAH && o.reg < isa::kRegAH + 4) m |= 1u << (o.reg - isa::kRegAH);
    }
    if (d.base < 16) m |= 1u << d.base;
    if (d.index < 16) m |= 1u << d.index;
    const std::string_view h = d.info().handler;
    if (h == "push" || h == "pop" || h == "call" || h == "ret") m |= 1u << emu::RSP;
    return m;
  }

  static bool touches_memory(const isa::DecodedInsn& d) {
    for (const isa::Operand& o : d.op)
      if (o.type == isa::OperandType::Mem) return true;
    return false;
  }

  // Inline probe of the jump table (jump_table.h) at RIP: slot = entries[index(RIP)];
  // slot.rip == RIP && slot.tag == (epoch << 32 | mode) ? jmp slot.code : fall through
  // (to the C++ lookup). `mode` is this block's: every instruction that changes the mode
  // ends the block early (stop_block), so at this point it is still the CPU's mode.
  void emit_jump_table_probe(Encoder& e, uint32_t mode) {
    const JumpTable* jt = hooks_.jump_table;
    e.mov_rm64(RAX, kCpuReg, layout_.rip);
    e.mov_rr(RCX, RAX);
    e.shr_ri(RCX, JumpTable::kBits);
    e.alu_rr(XOR, RCX, RAX);
    e.alu_ri(AND, RCX, JumpTable::kSize - 1);
    e.shl_ri(RCX, 5);
    e.mov_ri(RSI, reinterpret_cast<uint64_t>(&jt->entries[0]));
    e.alu_rr(ADD, RCX, RSI);
    e.cmp_rm64(RAX, RCX, static_cast<int32_t>(offsetof(JumpTable::Entry, rip)));
    const size_t miss_rip = e.jcc32(NE, ~size_t{0});
    constexpr auto kEpochFromEntries =
        static_cast<int32_t>(offsetof(JumpTable, epoch_tag)) - static_cast<int32_t>(offsetof(JumpTable, entries));
    e.mov_rm64(RDX, RSI, kEpochFromEntries);
    e.alu_ri(OR, RDX, static_cast<int32_t>(mode));
    e.cmp_rm64(RDX, RCX, static_cast<int32_t>(offsetof(JumpTable::Entry, tag)));
    const size_t miss_tag = e.jcc32(NE, ~size_t{0});
    e.mov_rm64(RAX, RCX, static_cast<int32_t>(offsetof(JumpTable::Entry, code)));
    e.jmp_r(RAX);
    e.patch_rel32(miss_rip, e.size());
    e.patch_rel32(miss_tag, e.size());
  }

  // rax = fn(cpu[, arg]); rax ? jmp rax : jmp exit
  void emit_call_and_dispatch(Encoder& e, uint64_t fn, const void* arg, size_t exit_off) {
    e.mov_rr(RDI, kCpuReg);
    if (arg) e.mov_ri(RSI, reinterpret_cast<uint64_t>(arg));
    e.mov_ri(RAX, fn);
    e.call_r(RAX);
    e.test_rr(RAX, RAX);
    e.jcc32(E, exit_off);
    e.jmp_r(RAX);
  }

  CpuLayout layout_;
  StateLayout state_;
  RuntimeHooks hooks_;
  const uint8_t* enter_ = nullptr;
  const uint8_t* exit_ = nullptr;
};

}  // namespace

bool host_backend_available() { return true; }
std::unique_ptr<Backend> make_host_backend(const CpuLayout& layout, const RuntimeHooks& hooks) {
  return std::make_unique<X86_64Backend>(layout, hooks);
}

}  // namespace emu::jit
