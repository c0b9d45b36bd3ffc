// The JIT's host backend interface: everything that depends on the host instruction set.
// The engine (engine.h) decides what to translate, keeps the links and the statistics;
// a backend turns a decoded block into host code in the code cache, patches chaining
// jumps and enters generated code. x86-64 is the only backend so far
// (x86_64/x86_64_backend.cpp); on other hosts make_host_backend() returns null and the
// CPU runs interpreted.
#pragma once
#include <cstdint>
#include <memory>

#include "cpu/jit/code_cache.h"
#include "cpu/jit/translation.h"

namespace emu {
class Cpu;
}

namespace emu::jit {

// Byte offsets of the CPU fields generated code touches, from the Cpu object.
struct CpuLayout {
  int32_t rip = 0;           // uint64_t: CpuState::rip
  int32_t gpr0 = 0;          // uint64_t[16]: CpuState::gpr
  int32_t lf = 0;            // LazyFlags: CpuState::lf
  int32_t retired = 0;       // uint64_t: instructions retired
  int32_t budget = 0;        // uint64_t: instructions left in this run() call
  int32_t stop_block = 0;    // bool: end the block after this instruction
  int32_t attention = 0;     // uint32_t: nonzero = leave generated code at the next block
  // Cpu::TlbEntry[tlb_entries] of each privilege class (read_tag, read_addend,
  // write_tag, write_addend; host address = addend + linear address): a block probes
  // the set of the CPL in its mode key.
  int32_t tlb_supervisor = 0;
  int32_t tlb_user = 0;
  uint32_t tlb_entries = 0;  // entries per set (a power of two)
  int32_t fs_base = 0;       // uint64_t: CpuState::seg[FS].base
  int32_t gs_base = 0;       // uint64_t: CpuState::seg[GS].base
};

struct JumpTable;

// Engine functions generated code calls. Both return the entry of the translated block
// that RIP now points at, or null to return to the run loop.
struct RuntimeHooks {
  const uint8_t* (*lookup)(Cpu* cpu) = nullptr;            // indirect branches, returns
  const uint8_t* (*link)(Cpu* cpu, Link* link) = nullptr;  // first use of a direct link
  // Probed inline before `lookup` in 64-bit blocks (null: no inline probe, e.g. nochain).
  const JumpTable* jump_table = nullptr;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;
  // Emits the shared entry/exit code into an empty cache; false if it does not fit.
  virtual bool emit_runtime(CodeCache& cache) = 0;
  // Emits the block; fills t.entry, t.code_size and each out link's site/unlinked.
  // Returns false if the cache has no room (nothing committed then).
  virtual bool emit_block(CodeCache& cache, const interp::Block& b, Translation& t) = 0;
  // Points the patchable jump at `site` to `target` (both executable addresses).
  virtual void patch_jump(CodeCache& cache, const uint8_t* site, const uint8_t* target) = 0;
  // Runs generated code from `entry` until it returns to the run loop.
  virtual void enter(Cpu& cpu, const uint8_t* entry) = 0;
  // Capstone architecture/mode numbers for `-d out_asm` (cs_arch, cs_mode).
  virtual void capstone_target(int* arch, int* mode) const = 0;
};

// Whether this build has a backend for the host it runs on.
bool host_backend_available();
// The backend for this host, or null where there is none.
std::unique_ptr<Backend> make_host_backend(const CpuLayout& layout, const RuntimeHooks& hooks);

}  // namespace emu::jit
