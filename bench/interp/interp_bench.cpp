// CPU engine benchmark: runs small guest loops (ALU + load/store + branch, and a
// memcpy-like loop) in 64-bit mode and in flat 32-bit protected mode (where every data
// access passes the segment limit check) in emu's interpreter or JIT and prints millions
// of guest instructions per second of wall time and of the process's CPU time (the
// latter does not depend on how busy a shared host is).
// Usage: bench_interp [iterations-in-millions] [interp|jit] [64|32 (only those programs)]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "cpu/cpu.h"

using namespace emu;

namespace {

constexpr uint64_t kCode = 0x10000;
constexpr uint64_t kData = 0x100000;

struct Program {
  const char* name;
  std::vector<uint8_t> code;
  unsigned insns_per_iter;
  unsigned bits = 64;  // 64: flat long mode; 32: flat protected mode
};

double run_program(const Program& p, uint64_t iterations, bool jit) {
  PhysicalMemory mem;
  mem.add_ram(0, 0x400000);
  Cpu cpu(mem);
  if (jit && !cpu.use_jit(true)) {
    std::fprintf(stderr, "bench_interp: no JIT backend on this host\n");
    std::exit(1);
  }
  if (p.bits == 32) cpu.set_flat_protected_mode(3);
  else cpu.set_flat_long_mode(3);
  mem.load_bytes(kCode, p.code.data(), p.code.size());
  CpuState& s = cpu.state();
  s.rip = kCode;
  s.gpr[RSP] = 0x80000;
  s.gpr[RCX] = iterations;
  s.gpr[RSI] = kData;
  s.gpr[RDI] = kData + 0x100000;
  const std::clock_t c0 = std::clock();
  auto t0 = std::chrono::steady_clock::now();
  RunResult r = cpu.run(~uint64_t{0});
  auto t1 = std::chrono::steady_clock::now();
  const double cpu_secs = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  double secs = std::chrono::duration<double>(t1 - t0).count();
  if (r.reason != RunResult::Reason::Exception || r.exception.vector != kBP) {
    std::fprintf(stderr, "%s: unexpected stop (vector %u)\n", p.name, r.exception.vector);
    std::exit(1);
  }
  double mips = static_cast<double>(r.instructions) / secs / 1e6;
  const double cpu_mips = cpu_secs > 0 ? static_cast<double>(r.instructions) / cpu_secs / 1e6 : 0.0;
  std::printf("%-28s %12llu insns  %7.3f s  %8.1f MIPS  (CPU %7.3f s  %8.1f MIPS)\n", p.name,
              static_cast<unsigned long long>(r.instructions), secs, mips, cpu_secs, cpu_mips);
  return mips;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t millions = argc > 1 ? std::strtoull(argv[1], nullptr, 0) : 5;
  const std::string engine = argc > 2 ? argv[2] : "interp";
  const unsigned only_bits = argc > 3 ? static_cast<unsigned>(std::strtoul(argv[3], nullptr, 0)) : 0;
  if (millions == 0 || (engine != "interp" && engine != "jit") || (argc > 3 && only_bits != 64 && only_bits != 32)) {
    std::fprintf(stderr, "usage: bench_interp [iterations-in-millions > 0] [interp|jit] [64|32]\n");
    return 2;
  }
  std::vector<Program> programs = {
      {"alu+load/store+branch",
       {
           // L: add rax, rbx; xor rdx, rax; mov [rdi], rax; mov r8, [rdi+8]; inc rbx;
           //    dec rcx; jnz L; int3
           0x48, 0x01, 0xd8, 0x48, 0x31, 0xc2, 0x48, 0x89, 0x07, 0x4c, 0x8b, 0x47, 0x08,
           0x48, 0xff, 0xc3, 0x48, 0xff, 0xc9, 0x75, 0xeb, 0xcc,
       },
       7},
      {"memcpy loop (8-byte moves)",
       {
           // L: mov rax, [rsi]; mov [rdi], rax; add rsi, 8; add rdi, 8; and rsi, 0x1fffff
           //    (stay in the buffer) ... simplified: and esi/edi masks keep addresses bounded
           0x48, 0x8b, 0x06,                          // mov rax, [rsi]
           0x48, 0x89, 0x07,                          // mov [rdi], rax
           0x48, 0x83, 0xc6, 0x08,                    // add rsi, 8
           0x48, 0x83, 0xc7, 0x08,                    // add rdi, 8
           0x81, 0xe6, 0xff, 0xff, 0x10, 0x00,        // and esi, 0x10ffff
           0x81, 0xe7, 0xff, 0xff, 0x20, 0x00,        // and edi, 0x20ffff
           0x48, 0xff, 0xc9, 0x75, 0xe1, 0xcc,        // dec rcx; jnz L; int3
       },
       8},
      {"alu+load/store+branch 32-bit",
       {
           // L: add eax, ebx; xor edx, eax; mov [edi], eax; mov ebp, [edi+8]; inc ebx;
           //    dec ecx; jnz L; int3
           0x01, 0xd8, 0x31, 0xc2, 0x89, 0x07, 0x8b, 0x6f, 0x08, 0xff, 0xc3, 0xff, 0xc9, 0x75, 0xf1, 0xcc,
       },
       7, 32},
      {"memcpy loop 32-bit (4-byte)",
       {
           0x8b, 0x06,                                // mov eax, [esi]
           0x89, 0x07,                                // mov [edi], eax
           0x83, 0xc6, 0x04,                          // add esi, 4
           0x83, 0xc7, 0x04,                          // add edi, 4
           0x81, 0xe6, 0xff, 0xff, 0x10, 0x00,        // and esi, 0x10ffff
           0x81, 0xe7, 0xff, 0xff, 0x20, 0x00,        // and edi, 0x20ffff
           0xff, 0xc9, 0x75, 0xe6, 0xcc,              // dec ecx; jnz L; int3
       },
       8, 32},
  };
  std::printf("emu %s benchmark (%llu M instructions per program)\n", engine.c_str(), static_cast<unsigned long long>(millions));
  for (auto& p : programs)
    if (only_bits == 0 || p.bits == only_bits) run_program(p, millions * 1000000 / p.insns_per_iter, engine == "jit");
  return 0;
}
