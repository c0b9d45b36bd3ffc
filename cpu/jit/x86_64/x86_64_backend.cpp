// The x86-64 host backend (see backend.h). Generated code keeps the Cpu pointer in RBX.
// Per guest instruction it either emits inline code generated from the form's
// emitter-generic semantic template (x86_64_emitter.h: only a memory operand's slow
// path can fault or end the block, with the state stored around it; RIP and the
// counters of a run of such instructions are stored once, before the next handler
// call or the block's end; after an inline store: stop_block? -> exit), or calls the form's shared handler with
// the DecodedInsn the block owns, then retires it (retired += 1, budget -= 1) and
// leaves when the handler asked to end the block. So a fault (longjmp out of a
// handler) or an early end leaves RIP and the counters exactly as the interpreter
// would. A flag record is dropped when the next instruction is inline and overwrites
// all arithmetic flags without reading them. Block layout:
//
//   entry:  budget < n / exit request / chain budget spent -> exit (nothing executed)
//           n x { inline code | flush pending; call handler(cpu, &insn); retire;
//                 stop_block? -> exit }
//           flush pending
//           per direct successor: RIP == target? -> patchable jmp (to its link stub)
//           lookup: rax = hooks.lookup(cpu); rax ? jmp rax : exit
//           link stubs: rax = hooks.link(cpu, link); rax ? jmp rax : exit
//
// The cache starts with `enter` (saves RBX, RBX = cpu, jumps to the block) and `exit`.
#include <cstring>
#include <vector>

#include "cpu/cpu.h"
#include "cpu/interp/block_cache.h"
#include "cpu/jit/backend.h"
#include "cpu/interp/dispatch.h"
#include "cpu/jit/x86_64/x86_64_encoder.h"
#include "cpu/jit/x86_64/x86_64_fast_forms.h"

namespace emu::jit {

namespace {

using namespace x64;

constexpr Reg kCpuReg = RBX;

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
    state_.load = &slow_load;
    state_.load_rmw = &slow_load_rmw;
    state_.store = &slow_store;
  }

  const char* name() const override { return "x86-64"; }

  bool emit_runtime(CodeCache& cache) override {
    Encoder e(cache.write_cursor(), cache.free_bytes());
    // enter(Cpu* rdi, code rsi): after the push the stack is 16-byte aligned for calls.
    e.push(kCpuReg);
    e.mov_rr(kCpuReg, RDI);
    e.jmp_r(RSI);
    const size_t exit_at = e.size();
    e.pop(kCpuReg);
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
    e.alu_m32_i(CMP, kCpuReg, layout_.exit_request, 0);
    e.jcc32(NE, exit_off);
    e.alu_m32_i(SUB, kCpuReg, layout_.chain_left, 1);
    e.jcc32(S, exit_off);
    const std::vector<bool> inline_ok = plan_inline(b);
    t.inline_insns = t.inline_memory_insns = 0;
    // The block runs at one CPL (its mode key): probe that privilege class's TLB set.
    state_.tlb = ((b.mode >> 8) & 3) == 3 ? layout_.tlb_user : layout_.tlb_supervisor;
    Emitter em(e, state_);
    unsigned pending = 0;  // inline instructions not yet retired in memory
    auto flush_pending = [&] {
      const uint64_t rip_bytes = em.take_pending_rip();
      if (!pending) return;
      e.alu_m64_i(ADD, kCpuReg, layout_.retired, static_cast<int32_t>(pending));
      e.alu_m64_i(SUB, kCpuReg, layout_.budget, static_cast<int32_t>(pending));
      e.alu_m64_i(ADD, kCpuReg, layout_.rip, static_cast<int32_t>(rip_bytes));
      pending = 0;
    };
    uint64_t rip = b.linear;
    for (size_t k = 0; k < b.insns.size(); ++k) {
      const interp::BlockInsn& bi = b.insns[k];
      if (inline_ok[k]) {
        const size_t at = e.size();
        em.begin(rip, flags_dead(b, inline_ok, k), pending);
        kFastEmit[bi.d.form](em, bi.d);
        if (!em.failed()) {
          ++pending;
          ++t.inline_insns;
          if (em.accessed_memory()) ++t.inline_memory_insns;
          rip += bi.d.length;
          if (em.wrote_memory()) {
            // The store's slow path may have invalidated code (stop_block): leave with
            // this instruction retired, as after a handler.
            e.cmp_m8_i(kCpuReg, layout_.stop_block, 0);
            const size_t go_on = e.jcc32(E, ~size_t{0});
            e.alu_m64_i(ADD, kCpuReg, layout_.retired, static_cast<int32_t>(pending));
            e.alu_m64_i(SUB, kCpuReg, layout_.budget, static_cast<int32_t>(pending));
            e.alu_m64_i(ADD, kCpuReg, layout_.rip, static_cast<int32_t>(em.pending_rip()));
            e.jmp32(exit_off);
            e.patch_rel32(go_on, e.size());
          }
          continue;
        }
        e.truncate(at);
        em.take_pending_rip();  // (never reached: plan_inline tried the same emission)
      }
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
    emit_call_and_dispatch(e, reinterpret_cast<uint64_t>(hooks_.lookup), nullptr, exit_off);
    size_t stub_at[2] = {};
    for (unsigned k = 0; k < t.num_out; ++k) {
      stub_at[k] = e.size();
      e.patch_rel32(site_field[k], stub_at[k]);
      emit_call_and_dispatch(e, reinterpret_cast<uint64_t>(hooks_.link), &t.out[k], exit_off);
    }
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
  // emission succeeds for these operands (tried into a scratch buffer), in 64-bit mode.
  std::vector<bool> plan_inline(const interp::Block& b) const {
    std::vector<bool> ok(b.insns.size(), false);
    if ((b.mode & 0xff) != 64) return ok;
    uint8_t scratch[512];
    uint64_t rip = b.linear;
    for (size_t k = 0; k < b.insns.size(); ++k) {
      const interp::BlockInsn& bi = b.insns[k];
      const FastEmitFn fn = kFastEmit[bi.d.form];
      if (fn && bi.fn == interp::kDispatch[bi.d.form]) {  // not the CPL check's #GP stand-in
        Encoder probe(scratch, sizeof scratch);
        Emitter pe(probe, state_);
        pe.begin(rip, false);
        fn(pe, bi.d);
        ok[k] = !pe.failed() && !probe.overflowed();
      }
      rip += bi.d.length;
    }
    return ok;
  }
  // The flag record of instruction k is dead when the next one is inline and writes
  // every arithmetic flag without reading any, and neither accesses memory (an inline
  // memory access may fault or end the block on its slow path).
  static bool flags_dead(const interp::Block& b, const std::vector<bool>& inline_ok, size_t k) {
    if (k + 1 >= b.insns.size() || !inline_ok[k + 1]) return false;
    if (touches_memory(b.insns[k].d) || touches_memory(b.insns[k + 1].d)) return false;
    const isa::Form& next = b.insns[k + 1].d.info();
    return next.flags_read == 0 && (next.flags_written & isa::FL_ARITH) == isa::FL_ARITH;
  }

  static bool touches_memory(const isa::DecodedInsn& d) {
    for (const isa::Operand& o : d.op)
      if (o.type == isa::OperandType::Mem) return true;
    return false;
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
