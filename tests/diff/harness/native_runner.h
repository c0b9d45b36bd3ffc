// Reference side of emu's differential tests: runs a short x86-64 machine-code
// sequence on the HOST CPU from a fully specified initial state and captures the
// complete final state (GPRs, RIP, RFLAGS, FXSAVE image, data region), or the fault
// it raised. Only x86-64 Linux hosts can do this; elsewhere available() is false.
//
// Execution model (see native_runner_x86_64.cpp for the mechanics):
// - A persistent child process ("the runner", a fork of the test process) maps a code
//   region and a data region at the fixed linear addresses below, so emu can put the
//   same bytes at the same addresses. Cases and results go through shared memory, up to
//   256 cases per round trip (run_batch). A runner that dies or is wedged (see
//   set_watchdog_ms) is killed and respawned; the case it was running reports
//   RunnerCrashed and the following cases run in the new runner.
// - Code region [kCodeBase, kCodeBase+kCodeSize): the case's code bytes at kCodeBase,
//   directly followed by the exit stub (exit_stub_bytes(): `jmp rel32` to kExitLanding),
//   then 0xCC filler up to kExitLanding. The code region is READ+EXECUTE only for the
//   snippet (a write faults with #PF, error code 7): the runner fills it through a second
//   RW mapping of the same memfd, so no mprotect is needed per case, and nothing is RWX.
// - Data region at kDataBase: only the first round_up(data.size(), kPageSize) bytes are
//   accessible (read/write, not executable): the case's bytes followed by zeros. The rest
//   of the region is inaccessible (#PF). NativeResult::data holds that accessible range.
//   Nothing else is mapped near the two regions (the test process's own mappings are
//   far away), so stray accesses next to them fault with #PF.
// - Initial RFLAGS: only CF PF AF ZF SF DF OF (kCaseFlagsMask) come from the case;
//   bit 1 and IF are set, everything else (TF, AC, NT, ID, ...) is 0.
// - Initial x87/SSE state: FXRSTOR64 of in.fxsave, with MXCSR &= 0xFFFF & the host's
//   MXCSR_MASK (so FXRSTOR cannot #GP, and AMD's bit 17 "MM" stays off). The other
//   fields are loaded as given, including FSW.ES: a pending unmasked x87 exception raises
//   #MF at the snippet's first waiting x87 instruction. YMM upper halves are zeroed
//   (vzeroupper) on AVX hosts; AVX state beyond XMM is not captured.
// - Completion: the snippet falls through to the exit stub; out.rip = kCodeBase +
//   code.size(). Fault: out holds the state the kernel reports for the exception: RIP of
//   the faulting instruction for faults, after the instruction for traps (int3, #DB).
// - out.rflags is the host value with RF (bit 16) cleared; compare it under
//   kCaseFlagsMask (minus the instruction's undefined flags).
// - out.fxsave: bytes 416..511 are zeroed. FIP/FDP/FOP are host-dependent (AMD CPUs only
//   store them when an x87 exception is pending): compare them only when meaningful.
// - out.seg: the selectors when the snippet ended (CS and SS as the snippet had them).
// - FS/GS bases are the runner's own (not part of the case; snippets should not use
//   FS/GS overrides). Snippets may load segment registers or far-jump into 32-bit
//   compatibility mode: the runner restores its FS/GS/CS/SS afterwards.
// - Timeout: code still running after 30..40 ms of its own CPU time (not wall time, so
//   a loaded machine does not cause spurious timeouts).
// - syscall / int 0x80 / sysenter in the code region are blocked (seccomp) and report
//   Fault with signal SIGSYS and vector -1 (RIP after the instruction; RCX/R11 as the
//   syscall instruction left them).
// - One NativeRunner must not be used by two threads at once; separate runners are
//   independent (each has its own child process).
// - Mode (NativeCase::mode): Long64 (default) runs the snippet in 64-bit mode as above.
//   Compat32 enters it with a far jump to the kernel's 32-bit user code segment 0x23
//   (flat, DS=ES=SS=0x2b): EIP starts at kCodeBase, addresses are the same linear ones.
//   Prot16 enters a 16-bit code segment of the runner's LDT (kLdtCode16: base kCodeBase,
//   limit 0xFFFF) with DS=ES=SS=kLdtData16 (16-bit, base kDataBase, limit 0xFFFF): IP
//   starts at 0 and offsets are relative to the region bases; out.rip is an offset too.
//   In both the exit stub jumps to the mode's landing (exit_landing()), which far-jumps
//   back to 64-bit mode. Only the low 32 bits of RAX..RDI are meaningful afterwards
//   (R8..R15 keep their values; the upper halves are architecturally undefined).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/endian.h"

namespace emu::diff {

// --- fixed guest-visible layout ----------------------------------------------------
inline constexpr uint64_t kPageSize = 0x1000;
inline constexpr uint64_t kCodeBase = 0x0000000010000000ull;
inline constexpr uint64_t kCodeSize = 0x10000;            // 64 KiB
inline constexpr uint64_t kExitLanding = kCodeBase + kCodeSize - 64;  // runner-private exit code
inline constexpr size_t kExitStubSize = 5;               // E9 rel32 -> kExitLanding
inline constexpr size_t kMaxCodeSize = (kExitLanding - kCodeBase) - kExitStubSize;
inline constexpr uint64_t kDataBase = 0x0000000010100000ull;
inline constexpr uint64_t kDataSize = 0x100000;           // 1 MiB
inline constexpr uint8_t kCodeFiller = 0xCC;              // fills code region after the stub

// --- execution modes ---------------------------------------------------------------
enum class CpuMode : uint8_t { Long64, Compat32, Prot16 };
inline constexpr uint16_t kUserCs64 = 0x33, kUserCs32 = 0x23, kUserDs = 0x2b;  // Linux GDT
inline constexpr uint16_t kLdtCode16 = 0x07, kLdtData16 = 0x0f;  // LDT entries 0, 1 (RPL 3)
const char* mode_name(CpuMode m);
inline unsigned mode_bits(CpuMode m) { return m == CpuMode::Long64 ? 64 : m == CpuMode::Compat32 ? 32 : 16; }
// Instruction pointer of the snippet's first byte (a CS offset: 0 in Prot16).
inline uint64_t code_entry_ip(CpuMode m) { return m == CpuMode::Prot16 ? 0 : kCodeBase; }
// Where the exit stub jumps (linear; each mode has its own landing code there).
inline uint64_t exit_landing(CpuMode m) {
  return kExitLanding + (m == CpuMode::Long64 ? 0 : m == CpuMode::Compat32 ? 16 : 32);
}

// --- RFLAGS bits ---------------------------------------------------------------------
inline constexpr uint64_t kFlagCF = 1u << 0, kFlagPF = 1u << 2, kFlagAF = 1u << 4,
                          kFlagZF = 1u << 6, kFlagSF = 1u << 7, kFlagTF = 1u << 8,
                          kFlagIF = 1u << 9, kFlagDF = 1u << 10, kFlagOF = 1u << 11,
                          kFlagRF = 1u << 16, kFlagAC = 1u << 18, kFlagID = 1u << 21;
inline constexpr uint64_t kArithFlagsMask = kFlagCF | kFlagPF | kFlagAF | kFlagZF | kFlagSF | kFlagOF;
// Bits of CpuSnapshot::rflags a case controls; the comparison mask for results too.
inline constexpr uint64_t kCaseFlagsMask = kArithFlagsMask | kFlagDF;
// Forced initial RFLAGS bits (reserved bit 1 and IF).
inline constexpr uint64_t kForcedFlags = 0x2 | kFlagIF;

// GPR indices in encoding order.
enum Gpr : int { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };

// Complete user-visible CPU state of a case (in) or its result (out).
struct CpuSnapshot {
  uint64_t gpr[16] = {};  // RAX,RCX,RDX,RBX,RSP,RBP,RSI,RDI,R8..R15
  uint64_t rip = kCodeBase;
  uint64_t rflags = kForcedFlags;
  // FXSAVE64 image: 0 FCW, 2 FSW, 4 abridged FTW (bit per PHYSICAL register, 1=valid),
  // 6 FOP, 8 FIP(64), 16 FDP(64), 24 MXCSR, 28 MXCSR_MASK, 32+16*i ST(i) (80 bits, stack
  // order relative to TOP), 160+16*i XMM(i).
  alignas(16) uint8_t fxsave[512] = {};
  // Segment selectors ES CS SS DS FS GS (results only; the input ones are the mode's).
  uint16_t seg[6] = {};

  // A snapshot in the state after FNINIT + default MXCSR: FCW=0x037F, MXCSR=0x1F80,
  // all x87 registers empty, everything else zero; RIP = kCodeBase, RFLAGS = 0x202.
  static CpuSnapshot initial();

  uint16_t fcw() const { return load_le16(fxsave + 0); }
  uint16_t fsw() const { return load_le16(fxsave + 2); }
  uint8_t ftw() const { return fxsave[4]; }  // abridged tag word
  uint16_t fop() const { return load_le16(fxsave + 6); }
  uint64_t fip() const { return load_le64(fxsave + 8); }
  uint64_t fdp() const { return load_le64(fxsave + 16); }
  uint32_t mxcsr() const { return load_le32(fxsave + 24); }
  uint32_t mxcsr_mask() const { return load_le32(fxsave + 28); }
  const uint8_t* st(int i) const { return fxsave + 32 + 16 * (i & 7); }  // 10 bytes
  uint64_t st_mantissa(int i) const { return load_le64(st(i)); }
  uint16_t st_sign_exp(int i) const { return load_le16(st(i) + 8); }
  uint64_t xmm_lo(int i) const { return load_le64(fxsave + 160 + 16 * (i & 15)); }
  uint64_t xmm_hi(int i) const { return load_le64(fxsave + 168 + 16 * (i & 15)); }
  uint32_t xmm_u32(int i, int lane) const { return load_le32(fxsave + 160 + 16 * (i & 15) + 4 * (lane & 3)); }

  void set_fcw(uint16_t v) { store_le16(fxsave + 0, v); }
  void set_fsw(uint16_t v) { store_le16(fxsave + 2, v); }
  void set_ftw(uint8_t v) { fxsave[4] = v; }
  void set_mxcsr(uint32_t v) { store_le32(fxsave + 24, v); }
  void set_st(int i, uint64_t mantissa, uint16_t sign_exp) {
    store_le64(fxsave + 32 + 16 * (i & 7), mantissa);
    store_le16(fxsave + 40 + 16 * (i & 7), sign_exp);
  }
  void set_xmm(int i, uint64_t lo, uint64_t hi) {
    store_le64(fxsave + 160 + 16 * (i & 15), lo);
    store_le64(fxsave + 168 + 16 * (i & 15), hi);
  }
  void set_xmm_u32(int i, int lane, uint32_t v) { store_le32(fxsave + 160 + 16 * (i & 15) + 4 * (lane & 3), v); }
};

struct NativeCase {
  CpuMode mode = CpuMode::Long64;
  std::vector<uint8_t> code;  // at most kMaxCodeSize bytes, placed at kCodeBase
  CpuSnapshot in;             // in.rip is ignored: execution starts at code_entry_ip(mode)
  std::vector<uint8_t> data;  // initial data region contents (size <= kDataSize)
};

struct NativeResult {
  enum Outcome { Completed, Fault, Timeout, RunnerCrashed };
  Outcome outcome = RunnerCrashed;
  int signal = 0;              // host signal for Fault (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS)
  int si_code = 0;             // the signal's si_code
  uint64_t fault_address = 0;  // CR2 for #PF (si_addr); 0 otherwise
  int vector = -1;             // x86 exception vector for Fault (#DE=0 #DB=1 #BP=3 #UD=6 #NM=7
                               // #SS=12 #GP=13 #PF=14 #MF=16 #AC=17 #XM=19), -1 if none/unknown
  uint64_t error_code = 0;     // exception error code (#PF, #GP, #SS, ...) as the kernel reports it
  CpuSnapshot out;             // final state (Completed, Fault, Timeout)
  std::vector<uint8_t> data;   // final accessible data region: round_up(case.data.size(), kPageSize) bytes
};

const char* outcome_name(NativeResult::Outcome o);
// One-line human description of a result (outcome, vector, rip, fault address).
std::string describe(const NativeResult& r);
// Appends to `diffs` how `actual` ends differently from `expected`: the outcome, or for
// two faults the vector, the error code (#SS/#GP/#PF) and the #PF address. Returns true
// when the outcomes differ (the final states are then not comparable).
bool outcome_differences(const NativeResult& expected, const NativeResult& actual, std::vector<std::string>* diffs);

// The bytes placed at kCodeBase + code_size: a `jmp rel32` to kExitLanding (in Prot16
// `jmp rel16` to the 16-bit landing and two filler bytes). emu's side can put the same
// bytes there so code-region reads match; it stops at exit_landing(mode).
std::vector<uint8_t> exit_stub_bytes(size_t code_size, CpuMode mode = CpuMode::Long64);
// Same bytes written to dst[0..kExitStubSize) (no allocation).
void write_exit_stub(uint8_t* dst, size_t code_size, CpuMode mode = CpuMode::Long64);
// Accessible data bytes for a case: data.size() rounded up to kPageSize.
inline uint64_t accessible_data_size(size_t data_size) {
  return (static_cast<uint64_t>(data_size) + kPageSize - 1) & ~(kPageSize - 1);
}

class NativeRunner {
 public:
  NativeRunner();
  ~NativeRunner();
  NativeRunner(const NativeRunner&) = delete;
  NativeRunner& operator=(const NativeRunner&) = delete;

  // True on an x86-64 Linux host where the runner process can be started.
  // Probes once (runs a nop case) and caches the answer.
  static bool available();
  // Why available() is false ("" when it is true), for skip messages.
  static std::string unavailable_reason();

  // Runs one case. Never throws for anything the code does; throws std::invalid_argument
  // for a malformed case (code or data too large) and std::runtime_error if the runner
  // cannot be started at all.
  NativeResult run(const NativeCase& c);
  // Same, reusing `r`'s buffers (faster in loops).
  void run(const NativeCase& c, NativeResult& r);
  // Runs many cases with one round trip to the runner per up to 256 cases: several times
  // faster than run() per case. results[i] belongs to cases[i]; each case starts from its
  // own state exactly as with run() (nothing carries over between cases).
  void run_batch(std::span<const NativeCase> cases, std::vector<NativeResult>& results);

  // How many times the runner process was (re)started (tests use it).
  int spawn_count() const;
  // Process id of the current runner process, -1 before the first run (tests use it).
  int runner_pid() const;
  // Watchdog: a runner that finishes no case while it uses `ms` of CPU time, or while it
  // sits `ms` of wall time stopped or blocked, is killed and respawned (RunnerCrashed).
  // A runnable runner that just gets no CPU on a loaded machine is never killed.
  // Default 3000 ms; CPU-time Timeouts (30..40 ms) come much earlier.
  void set_watchdog_ms(int ms);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace emu::diff
