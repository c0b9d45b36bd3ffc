// The x86-64 host backend (see backend.h). Generated code keeps the Cpu pointer in RBX
// and, per guest instruction, calls the form's shared handler with the DecodedInsn the
// block owns, then retires it (retired += 1, budget -= 1) and leaves when the handler
// asked to end the block, so a fault (longjmp out of a handler) or an early end leaves
// RIP and the counters exactly as the interpreter would. Block layout:
//
//   entry:  budget < n / exit request / chain budget spent -> exit (nothing executed)
//           n x { call handler(cpu, &insn); retire; stop_block? -> exit }
//           per direct successor: RIP == target? -> patchable jmp (to its link stub)
//           lookup: rax = hooks.lookup(cpu); rax ? jmp rax : exit
//           link stubs: rax = hooks.link(cpu, link); rax ? jmp rax : exit
//
// The cache starts with `enter` (saves RBX, RBX = cpu, jumps to the block) and `exit`.
#include <cstring>

#include "cpu/cpu.h"
#include "cpu/interp/block_cache.h"
#include "cpu/jit/backend.h"
#include "cpu/jit/x86_64/x86_64_encoder.h"

namespace emu::jit {

namespace {

using namespace x64;

constexpr Reg kCpuReg = RBX;

class X86_64Backend final : public Backend {
 public:
  X86_64Backend(const CpuLayout& l, const RuntimeHooks& h) : layout_(l), hooks_(h) {}

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
    for (const interp::BlockInsn& bi : b.insns) {
      e.mov_rr(RDI, kCpuReg);
      e.mov_ri(RSI, reinterpret_cast<uint64_t>(&bi.d));
      e.mov_ri(RAX, reinterpret_cast<uint64_t>(bi.fn));
      e.call_r(RAX);
      e.alu_m64_i(ADD, kCpuReg, layout_.retired, 1);
      e.alu_m64_i(SUB, kCpuReg, layout_.budget, 1);
      e.cmp_m8_i(kCpuReg, layout_.stop_block, 0);
      e.jcc32(NE, exit_off);
    }
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
