// Native runner for x86-64 Linux hosts: a persistent child process executes snippets
// through the trampolines in native_x86_64.S.
//
// Parent (test process)                      Child (runner, forked once, respawned)
//   packs up to kMaxBatch cases (snapshots     maps a memfd at kCodeBase (R+X) and again
//   in a shared block, code/data bytes in a    RW for itself, the data region privately
//   shared arena), sends 1 byte on a           (RW for the accessible part, PROT_NONE
//   socketpair and waits (poll; a watchdog     beyond); per case: places code and data,
//   kills a child that makes no progress).     runs it, writes result and final data
//                                              back to the arena; then sends 1 byte.
// Faults and timeouts are caught in the child's signal handler (on an alternate stack),
// which copies the state from the ucontext and redirects to emu_native_resume.
// Timeouts use ITIMER_VIRTUAL (user CPU time of the child), so a loaded machine does not
// cause spurious timeouts. A seccomp filter turns syscalls made from the code region
// into SIGSYS and kills the child for any syscall outside its small working set.
#include "tests/diff/harness/native_runner.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstddef>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <asm/ldt.h>
#include <asm/prctl.h>
#include <linux/seccomp.h>
#include <sys/auxv.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

namespace emu::diff {
namespace {

// Mirrors the layout of emu_native_ctx in native_x86_64.S.
struct alignas(64) NativeCtx {
  uint64_t in_gpr[16];
  uint64_t in_rflags;
  uint64_t entry_rip;
  uint64_t host_rsp;
  uint32_t host_mxcsr;
  uint32_t host_fcw;
  uint64_t out_gpr[16];
  uint64_t out_rflags;
  uint64_t in_snippet;
  uint8_t pad[16];
  alignas(16) uint8_t in_fx[512];
  alignas(16) uint8_t out_fx[512];
  uint64_t host_fs_base;
  uint64_t host_gs_base;
  uint16_t host_fs_sel;
  uint16_t host_gs_sel;
  uint32_t has_fsgsbase;
  uint64_t seg_changed;  // set by the trampoline when it had to reload FS/GS selectors
  uint32_t has_avx;      // vzeroupper usable
  uint32_t pad2;
  uint32_t entry_far_off;  // far entry of 32-/16-bit snippets (emu_native_far_entry)
  uint16_t entry_far_sel;
  uint16_t entry_ds;       // DS and ES for the snippet
  uint16_t entry_ss;
  uint16_t host_ds, host_es, host_ss;  // restored when the snippet ends
  uint8_t pad3[8];
  uint16_t out_seg[6];  // ES CS SS DS FS GS when the snippet reached the exit landing
  uint8_t pad4[52];
};
static_assert(offsetof(NativeCtx, in_rflags) == 128);
static_assert(offsetof(NativeCtx, entry_rip) == 136);
static_assert(offsetof(NativeCtx, host_rsp) == 144);
static_assert(offsetof(NativeCtx, host_mxcsr) == 152);
static_assert(offsetof(NativeCtx, host_fcw) == 156);
static_assert(offsetof(NativeCtx, out_gpr) == 160);
static_assert(offsetof(NativeCtx, out_rflags) == 288);
static_assert(offsetof(NativeCtx, in_snippet) == 296);
static_assert(offsetof(NativeCtx, in_fx) == 320);
static_assert(offsetof(NativeCtx, out_fx) == 832);
static_assert(offsetof(NativeCtx, host_fs_base) == 1344);
static_assert(offsetof(NativeCtx, host_gs_base) == 1352);
static_assert(offsetof(NativeCtx, host_fs_sel) == 1360);
static_assert(offsetof(NativeCtx, host_gs_sel) == 1362);
static_assert(offsetof(NativeCtx, has_fsgsbase) == 1364);
static_assert(offsetof(NativeCtx, seg_changed) == 1368);
static_assert(offsetof(NativeCtx, has_avx) == 1376);
static_assert(offsetof(NativeCtx, entry_far_off) == 1384);
static_assert(offsetof(NativeCtx, entry_far_sel) == 1388);
static_assert(offsetof(NativeCtx, entry_ds) == 1390);
static_assert(offsetof(NativeCtx, entry_ss) == 1392);
static_assert(offsetof(NativeCtx, host_ds) == 1394);
static_assert(offsetof(NativeCtx, host_ss) == 1398);
static_assert(offsetof(NativeCtx, out_seg) == 1408);
static_assert(sizeof(NativeCtx) == 1472);

}  // namespace
}  // namespace emu::diff

extern "C" {
__attribute__((visibility("hidden"))) extern emu::diff::NativeCtx emu_native_ctx;
__attribute__((visibility("hidden"))) int emu_native_enter();
__attribute__((visibility("hidden"))) void emu_native_exit();
__attribute__((visibility("hidden"))) void emu_native_far_entry();
__attribute__((visibility("hidden"))) void emu_native_resume();
__attribute__((visibility("hidden"))) void emu_native_fxsave(void* buf);
__attribute__((visibility("hidden"))) uint32_t emu_native_read_cs_ss();
__attribute__((visibility("hidden"))) void emu_native_signal_entry(int, siginfo_t*, void*);
__attribute__((visibility("hidden"))) extern const char emu_native_tramp_begin[];
__attribute__((visibility("hidden"))) extern const char emu_native_tramp_end[];
__attribute__((visibility("hidden"))) void emu_native_signal_handler(int sig, siginfo_t* si, void* ucv);
}

namespace emu::diff {
namespace {

constexpr int kTimerIntervalUs = 10000;  // ITIMER_VIRTUAL period (user CPU time)
constexpr int kTimeoutTicks = 4;         // ticks within one case => Timeout (30..40 ms CPU)
constexpr int kWatchdogMs = 3000;        // see wait_child(): CPU or blocked time without progress
constexpr int kStartupTimeoutMs = 20000; // same limit for a new child to report ready
constexpr int kChildCrashExit = 113;
constexpr size_t kAltStackSize = 64 * 1024;
constexpr size_t kFxCompareEnd = 416;    // FXSAVE bytes past this are zeroed in results
constexpr uint32_t kMaxBatch = 256;      // cases per request
constexpr size_t kArenaSize = 24u << 20; // code and data bytes of one request

// Result of one case, written by the child (main loop or signal handler).
struct SlotResult {
  int32_t outcome;
  int32_t signal;
  int32_t si_code;
  int32_t vector;
  uint64_t fault_address;
  uint64_t error_code;
  CpuSnapshot out;
};

// One case of a request; its code and data bytes live in the arena. The child writes
// the final accessible data back over the initial data (the parent reserved
// accessible_data_size(data_size) bytes at data_off).
struct CaseSlot {
  CpuMode mode;
  uint64_t code_off;
  uint64_t code_size;
  uint64_t data_off;
  uint64_t data_size;
  CpuSnapshot in;
  SlotResult res;
};

// Request/response block shared between parent and child (MAP_SHARED anonymous, created
// before the first fork, so every respawned child has it at the same address).
struct SharedBlock {
  uint64_t seq;        // request number (parent)
  uint32_t count;      // cases in the request
  uint32_t start;      // first case the child should run (after a respawn mid-request)
  uint64_t resp_seq;   // child: request finished
  uint32_t done;       // child: cases [0, done) have results (atomic)
  int32_t init_error;  // errno of a failed child setup step, 0 if fine
  int32_t init_step;
  CaseSlot slots[kMaxBatch];
};

// Child-side globals (only touched in the child process and its signal handler).
SlotResult* g_result = nullptr;  // where the handler stores the current case's fault
volatile sig_atomic_t g_ticks = 0;
uint32_t g_mxcsr_mask = 0xFFBF;
uint32_t g_host_cs_ss = 0;  // runner's CS | SS << 16, restored when leaving a snippet

bool rip_in_trampoline(uint64_t rip) {
  return rip >= reinterpret_cast<uint64_t>(emu_native_tramp_begin) &&
         rip < reinterpret_cast<uint64_t>(emu_native_tramp_end);
}

[[noreturn]] void child_exit(int code) { syscall(SYS_exit_group, code); __builtin_unreachable(); }

void finish_out_snapshot(CpuSnapshot& s) {
  s.rflags &= ~kFlagRF;
  std::memset(s.fxsave + kFxCompareEnd, 0, sizeof s.fxsave - kFxCompareEnd);
}

}  // namespace
}  // namespace emu::diff

using namespace emu::diff;

// Runs in the child on the alternate signal stack (entered through
// emu_native_signal_entry, which already cleared AC and DF).
extern "C" void emu_native_signal_handler(int sig, siginfo_t* si, void* ucv) {
  auto* uc = static_cast<ucontext_t*>(ucv);
  greg_t* g = uc->uc_mcontext.gregs;
  const auto rip = static_cast<uint64_t>(g[REG_RIP]);
  const bool snippet_running = emu_native_ctx.in_snippet != 0 && !rip_in_trampoline(rip);
  SlotResult* sh = g_result;
  NativeResult::Outcome outcome;
  if (sig == SIGVTALRM) {
    if (!snippet_running) return;
    g_ticks = g_ticks + 1;
    if (g_ticks < kTimeoutTicks) return;
    outcome = NativeResult::Timeout;
    sh->signal = 0;
    sh->si_code = 0;
    sh->vector = -1;
    sh->fault_address = 0;
    sh->error_code = 0;
  } else {
    if (!snippet_running) child_exit(kChildCrashExit);  // the runner itself faulted
    outcome = NativeResult::Fault;
    sh->signal = sig;
    sh->si_code = si->si_code;
    sh->vector = sig == SIGSYS ? -1 : static_cast<int32_t>(g[REG_TRAPNO]);
    sh->error_code = static_cast<uint64_t>(g[REG_ERR]);
    sh->fault_address = sh->vector == 14 ? reinterpret_cast<uint64_t>(si->si_addr) : 0;
  }
  CpuSnapshot& o = sh->out;
  o.gpr[RAX] = static_cast<uint64_t>(g[REG_RAX]);
  o.gpr[RCX] = static_cast<uint64_t>(g[REG_RCX]);
  o.gpr[RDX] = static_cast<uint64_t>(g[REG_RDX]);
  o.gpr[RBX] = static_cast<uint64_t>(g[REG_RBX]);
  o.gpr[RSP] = static_cast<uint64_t>(g[REG_RSP]);
  o.gpr[RBP] = static_cast<uint64_t>(g[REG_RBP]);
  o.gpr[RSI] = static_cast<uint64_t>(g[REG_RSI]);
  o.gpr[RDI] = static_cast<uint64_t>(g[REG_RDI]);
  o.gpr[R8] = static_cast<uint64_t>(g[REG_R8]);
  o.gpr[R9] = static_cast<uint64_t>(g[REG_R9]);
  o.gpr[R10] = static_cast<uint64_t>(g[REG_R10]);
  o.gpr[R11] = static_cast<uint64_t>(g[REG_R11]);
  o.gpr[R12] = static_cast<uint64_t>(g[REG_R12]);
  o.gpr[R13] = static_cast<uint64_t>(g[REG_R13]);
  o.gpr[R14] = static_cast<uint64_t>(g[REG_R14]);
  o.gpr[R15] = static_cast<uint64_t>(g[REG_R15]);
  o.rip = rip;
  o.rflags = static_cast<uint64_t>(g[REG_EFL]);
  // Selectors: CS and SS from the signal frame (its FS/GS fields are 0); DS, ES, FS, GS
  // are still the snippet's (64-bit signal delivery leaves them alone).
  const auto frame_segs = static_cast<uint64_t>(g[REG_CSGSFS]);
  uint16_t ds, es, fs, gs;
  asm volatile("movw %%ds, %0\n\tmovw %%es, %1\n\tmovw %%fs, %2\n\tmovw %%gs, %3"
               : "=r"(ds), "=r"(es), "=r"(fs), "=r"(gs));
  o.seg[0] = es;
  o.seg[1] = static_cast<uint16_t>(frame_segs);
  o.seg[2] = static_cast<uint16_t>(frame_segs >> 48);
  o.seg[3] = ds;
  o.seg[4] = fs;
  o.seg[5] = gs;
  if (uc->uc_mcontext.fpregs)
    std::memcpy(o.fxsave, uc->uc_mcontext.fpregs, sizeof o.fxsave);
  else
    std::memset(o.fxsave, 0, sizeof o.fxsave);
  sh->outcome = outcome;
  emu_native_ctx.in_snippet = 0;
  // Return into the runner instead of the snippet.
  g[REG_RIP] = reinterpret_cast<greg_t>(&emu_native_resume);
  g[REG_RSP] = static_cast<greg_t>(emu_native_ctx.host_rsp);
  g[REG_EFL] = 0x202;
  // A far jump/return may have left the snippet in compatibility mode: resume in the
  // runner's 64-bit code segment (and its stack segment).
  auto csgsfs = static_cast<uint64_t>(g[REG_CSGSFS]);
  csgsfs = (csgsfs & 0x0000FFFFFFFF0000ull) | (g_host_cs_ss & 0xFFFF) | (static_cast<uint64_t>(g_host_cs_ss >> 16) << 48);
  g[REG_CSGSFS] = static_cast<greg_t>(csgsfs);
}

namespace emu::diff {
namespace {

// Seccomp filter for the child: syscalls issued from the code region raise SIGSYS (the
// snippet's fault); the runner's own few syscalls are allowed; anything else kills it.
bool install_seccomp() {
  const uint32_t lo_begin = static_cast<uint32_t>(kCodeBase);
  const uint32_t lo_end = static_cast<uint32_t>(kCodeBase + kCodeSize);
  static_assert((kCodeBase >> 32) == 0 && ((kCodeBase + kCodeSize) >> 32) == 0);
  const uint32_t allowed[] = {SYS_read, SYS_write, SYS_recvfrom, SYS_sendto, SYS_mprotect,
                              SYS_rt_sigreturn, SYS_restart_syscall, SYS_exit, SYS_exit_group,
                              SYS_arch_prctl};
  constexpr uint32_t kIpLo = offsetof(seccomp_data, instruction_pointer);
  constexpr uint32_t kIpHi = kIpLo + 4;
  sock_filter prog[32];
  unsigned n = 0;
  auto stmt = [&](uint16_t code, uint32_t k) { prog[n++] = BPF_STMT(code, k); };
  auto jump = [&](uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) { prog[n++] = BPF_JUMP(code, k, jt, jf); };
  // [0..4] ip in code region -> TRAP
  stmt(BPF_LD | BPF_W | BPF_ABS, kIpHi);
  jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 4);           // high half nonzero: skip to arch check
  stmt(BPF_LD | BPF_W | BPF_ABS, kIpLo);
  jump(BPF_JMP | BPF_JGE | BPF_K, lo_begin, 0, 2);    // below region: skip
  jump(BPF_JMP | BPF_JGE | BPF_K, lo_end, 1, 0);      // at/after end: skip
  stmt(BPF_RET | BPF_K, SECCOMP_RET_TRAP);
  // arch must be x86-64
  stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch));
  jump(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
  stmt(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
  stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr));
  for (uint32_t nr : allowed) {
    jump(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1);
    stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  }
  stmt(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
  sock_fprog fprog{static_cast<unsigned short>(n), prog};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return false;
  return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) == 0;
}

// LDT entries of Prot16 cases: a 16-bit code segment based at kCodeBase and a 16-bit
// data/stack segment based at kDataBase, both with limit 0xFFFF and DPL 3.
bool install_ldt() {
  user_desc d{};
  d.entry_number = kLdtCode16 >> 3;
  d.base_addr = static_cast<unsigned>(kCodeBase);
  d.limit = 0xFFFF;
  d.seg_32bit = 0;
  d.contents = 2;  // code (execute/read: read_exec_only = 0)
  d.useable = 1;
  if (syscall(SYS_modify_ldt, 1, &d, sizeof d) != 0) return false;
  d = user_desc{};
  d.entry_number = kLdtData16 >> 3;
  d.base_addr = static_cast<unsigned>(kDataBase);
  d.limit = 0xFFFF;
  d.seg_32bit = 0;
  d.contents = 0;  // data, expand-up, writable
  d.useable = 1;
  return syscall(SYS_modify_ldt, 1, &d, sizeof d) == 0;
}

// Child side of one case: place code and data, run, store the result and final data.
void child_run_case(CaseSlot& slot, const uint8_t* arena_in, uint8_t* arena_out, uint8_t* code_rw,
                    uint64_t& accessible, size_t& code_dirty_end) {
  // Code bytes, exit stub, and filler over what the previous case left behind.
  const size_t end = slot.code_size + kExitStubSize;
  std::memcpy(code_rw, arena_in + slot.code_off, slot.code_size);
  write_exit_stub(code_rw + slot.code_size, slot.code_size, slot.mode);
  if (code_dirty_end > end) std::memset(code_rw + end, kCodeFiller, code_dirty_end - end);
  code_dirty_end = end;
  // Data: accessible part of the region, the case's bytes, zeros up to the page end.
  const uint64_t want = accessible_data_size(slot.data_size);
  if (want > accessible)
    mprotect(reinterpret_cast<void*>(kDataBase + accessible), want - accessible, PROT_READ | PROT_WRITE);
  else if (want < accessible)
    mprotect(reinterpret_cast<void*>(kDataBase + want), accessible - want, PROT_NONE);
  accessible = want;
  auto* data = reinterpret_cast<uint8_t*>(kDataBase);
  std::memcpy(data, arena_in + slot.data_off, slot.data_size);
  std::memset(data + slot.data_size, 0, want - slot.data_size);

  NativeCtx& ctx = emu_native_ctx;
  const CpuSnapshot& in = slot.in;
  std::memcpy(ctx.in_gpr, in.gpr, sizeof ctx.in_gpr);
  ctx.in_rflags = (in.rflags & kCaseFlagsMask) | kForcedFlags;
  switch (slot.mode) {
    case CpuMode::Compat32:
    case CpuMode::Prot16: {
      const bool is16 = slot.mode == CpuMode::Prot16;
      ctx.entry_rip = reinterpret_cast<uint64_t>(&emu_native_far_entry);
      ctx.entry_far_off = static_cast<uint32_t>(code_entry_ip(slot.mode));
      ctx.entry_far_sel = is16 ? kLdtCode16 : kUserCs32;
      ctx.entry_ds = ctx.entry_ss = is16 ? kLdtData16 : kUserDs;
      break;
    }
    default:
      ctx.entry_rip = kCodeBase;
      break;
  }
  std::memcpy(ctx.in_fx, in.fxsave, sizeof ctx.in_fx);
  store_le32(ctx.in_fx + 24, load_le32(in.fxsave + 24) & g_mxcsr_mask & 0xFFFF);
  SlotResult& res = slot.res;
  g_result = &res;
  g_ticks = 0;
  const int redirected = emu_native_enter();
  if (ctx.seg_changed) {
    // Without FSGSBASE the trampoline could only reload the selectors: reset the bases.
    if (!ctx.has_fsgsbase) {
      syscall(SYS_arch_prctl, ARCH_SET_FS, ctx.host_fs_base);
      syscall(SYS_arch_prctl, ARCH_SET_GS, ctx.host_gs_base);
    }
    ctx.seg_changed = 0;
  }
  if (!redirected) {
    CpuSnapshot& o = res.out;
    std::memcpy(o.gpr, ctx.out_gpr, sizeof o.gpr);
    o.rip = code_entry_ip(slot.mode) + slot.code_size;
    o.rflags = ctx.out_rflags;
    std::memcpy(o.fxsave, ctx.out_fx, sizeof o.fxsave);
    std::memcpy(o.seg, ctx.out_seg, sizeof o.seg);
    // The landing far-jumped to the runner's CS: report the snippet's.
    o.seg[1] = slot.mode == CpuMode::Prot16 ? kLdtCode16 : slot.mode == CpuMode::Compat32 ? kUserCs32 : kUserCs64;
    res.outcome = NativeResult::Completed;
    res.signal = 0;
    res.si_code = 0;
    res.vector = -1;
    res.fault_address = 0;
    res.error_code = 0;
  }
  finish_out_snapshot(res.out);
  std::memcpy(arena_out + slot.data_off, data, want);
}

// The child's whole life: set up, then serve requests until the socket closes.
[[noreturn]] void child_main(int sock, SharedBlock* shared, uint8_t* arena, bool avx_usable) {
  auto fail = [&](int step) {
    shared->init_error = errno ? errno : -1;
    shared->init_step = step;
    char b = 'E';
    (void)send(sock, &b, 1, MSG_NOSIGNAL);
    child_exit(kChildCrashExit);
  };
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);  // a crashing runner must not write core dumps
  // Code region: one memfd mapped R+X at kCodeBase for the snippet and RW elsewhere for
  // the runner, so placing code needs no mprotect.
  const int code_fd = memfd_create("emu-native-code", MFD_CLOEXEC);
  if (code_fd < 0 || ftruncate(code_fd, kCodeSize) != 0) fail(1);
  void* code = mmap(reinterpret_cast<void*>(kCodeBase), kCodeSize, PROT_READ | PROT_EXEC,
                    MAP_SHARED | MAP_FIXED_NOREPLACE, code_fd, 0);
  if (code != reinterpret_cast<void*>(kCodeBase)) fail(2);
  auto* code_rw = static_cast<uint8_t*>(mmap(nullptr, kCodeSize, PROT_READ | PROT_WRITE, MAP_SHARED, code_fd, 0));
  if (code_rw == MAP_FAILED) fail(3);
  close(code_fd);
  void* data = mmap(reinterpret_cast<void*>(kDataBase), kDataSize, PROT_NONE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (data != reinterpret_cast<void*>(kDataBase)) fail(4);
  void* alt = mmap(nullptr, kAltStackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (alt == MAP_FAILED) fail(5);
  stack_t ss{};
  ss.ss_sp = alt;
  ss.ss_size = kAltStackSize;
  if (sigaltstack(&ss, nullptr) != 0) fail(6);
  struct sigaction sa {};
  sa.sa_sigaction = &emu_native_signal_entry;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
  sigfillset(&sa.sa_mask);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGVTALRM})
    if (sigaction(sig, &sa, nullptr) != 0) fail(7);
  sigset_t unblock;
  sigemptyset(&unblock);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGVTALRM}) sigaddset(&unblock, sig);
  sigprocmask(SIG_UNBLOCK, &unblock, nullptr);
  itimerval tv{};
  tv.it_interval.tv_usec = kTimerIntervalUs;
  tv.it_value.tv_usec = kTimerIntervalUs;
  if (setitimer(ITIMER_VIRTUAL, &tv, nullptr) != 0) fail(8);
  alignas(16) uint8_t host_fx[512];
  emu_native_fxsave(host_fx);
  const uint32_t mask = load_le32(host_fx + 28);
  g_mxcsr_mask = mask ? mask : 0xFFBF;
  g_host_cs_ss = emu_native_read_cs_ss();
  {
    NativeCtx& ctx = emu_native_ctx;
    unsigned long base = 0;
    syscall(SYS_arch_prctl, ARCH_GET_FS, &base);
    ctx.host_fs_base = base;
    base = 0;
    syscall(SYS_arch_prctl, ARCH_GET_GS, &base);
    ctx.host_gs_base = base;
    ctx.has_fsgsbase = (getauxval(AT_HWCAP2) & 2) ? 1 : 0;  // HWCAP2_FSGSBASE
    ctx.seg_changed = 0;
    ctx.has_avx = avx_usable ? 1 : 0;
  }
  // Code region: filler everywhere, the exit landing at its fixed place:
  // jmp *0(%rip); .quad emu_native_exit
  std::memset(code_rw, kCodeFiller, kCodeSize);
  uint8_t* landing = code_rw + (kExitLanding - kCodeBase);
  const uint8_t jmp_abs[6] = {0xFF, 0x25, 0, 0, 0, 0};
  std::memcpy(landing, jmp_abs, sizeof jmp_abs);
  store_le64(landing + 6, reinterpret_cast<uint64_t>(&emu_native_exit));
  // 32-bit landing: jmp far [cs:abs32] -> 0x33:kExitLanding.
  uint8_t* l32 = code_rw + (exit_landing(CpuMode::Compat32) - kCodeBase);
  const uint8_t jmpf32[3] = {0x2E, 0xFF, 0x2D};
  std::memcpy(l32, jmpf32, sizeof jmpf32);
  store_le32(l32 + 3, static_cast<uint32_t>(exit_landing(CpuMode::Compat32) + 8));
  store_le32(l32 + 8, static_cast<uint32_t>(kExitLanding));
  store_le16(l32 + 12, kUserCs64);
  // 16-bit landing (CS base kCodeBase): jmp far dword [cs:disp16] -> 0x33:kExitLanding.
  uint8_t* l16 = code_rw + (exit_landing(CpuMode::Prot16) - kCodeBase);
  const uint8_t jmpf16[4] = {0x2E, 0x66, 0xFF, 0x2E};
  std::memcpy(l16, jmpf16, sizeof jmpf16);
  store_le16(l16 + 4, static_cast<uint16_t>(exit_landing(CpuMode::Prot16) + 8 - kCodeBase));
  store_le32(l16 + 8, static_cast<uint32_t>(kExitLanding));
  store_le16(l16 + 12, kUserCs64);
  // LDT for 16-bit snippets (modify_ldt is not allowed after the seccomp filter).
  if (!install_ldt()) fail(10);
  // Required: without it a snippet's `syscall` could kill or alter the test process.
  if (!install_seccomp()) fail(9);

  uint64_t accessible = 0;
  size_t code_dirty_end = 0;
  char b = 'R';
  if (send(sock, &b, 1, MSG_NOSIGNAL) != 1) child_exit(0);
  for (;;) {
    if (recv(sock, &b, 1, 0) != 1) child_exit(0);
    const uint32_t count = shared->count < kMaxBatch ? shared->count : kMaxBatch;
    for (uint32_t i = shared->start; i < count; ++i) {
      child_run_case(shared->slots[i], arena, arena, code_rw, accessible, code_dirty_end);
      __atomic_store_n(&shared->done, i + 1, __ATOMIC_RELEASE);
    }
    shared->resp_seq = shared->seq;
    if (send(sock, &b, 1, MSG_NOSIGNAL) != 1) child_exit(0);
  }
}

}  // namespace

struct NativeRunner::Impl {
  SharedBlock* shared = nullptr;
  uint8_t* arena = nullptr;  // code and data bytes of the current request (shared)
  pid_t child = -1;
  int sock = -1;
  int spawns = 0;
  int watchdog_ms = kWatchdogMs;
  size_t data_offsets[kMaxBatch] = {};  // parent's copy of each slot's data_off
  // Checked in the parent (the CPU feature test is not async-signal-safe after fork):
  // AVX implemented and enabled by the OS (libgcc checks XCR0).
  const bool avx_usable = [] {
    __builtin_cpu_init();  // in case a runner is created before libgcc's own constructor ran
    return __builtin_cpu_supports("avx") != 0;
  }();

  Impl() {
    void* sh = mmap(nullptr, sizeof(SharedBlock), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    void* ar = mmap(nullptr, kArenaSize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (sh == MAP_FAILED || ar == MAP_FAILED) throw std::runtime_error("native runner: mmap failed");
    shared = static_cast<SharedBlock*>(sh);
    arena = static_cast<uint8_t*>(ar);
  }

  ~Impl() {
    stop_child();
    if (shared) munmap(shared, sizeof(SharedBlock));
    if (arena) munmap(arena, kArenaSize);
  }

  void stop_child() {
    if (sock >= 0) close(sock);
    sock = -1;
    if (child > 0) {
      kill(child, SIGKILL);
      int status;
      while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
      }
    }
    child = -1;
  }

  // The child's scheduler state letter from /proc ('R' runnable, 'S', 'D', 'T', ...;
  // '?' if unreadable) and its CPU time in nanoseconds.
  void child_usage(char& state, uint64_t& cpu_ns) const {
    state = '?';
    cpu_ns = 0;
    clockid_t cid;
    timespec ts{};
    if (clock_getcpuclockid(child, &cid) == 0 && clock_gettime(cid, &ts) == 0)
      cpu_ns = static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
    char path[48];
    std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(child));
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    char buf[256];
    const ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return;
    buf[n] = 0;
    const char* paren = std::strrchr(buf, ')');  // "pid (comm) S ..."
    if (paren && paren[1] == ' ' && paren[2]) state = paren[2];
  }

  // Waits for one byte from the child; false if it died or is wedged: no case finished
  // while it used `limit_ms` of CPU time, or while it sat for `limit_ms` of wall time in
  // a non-runnable state (stopped, blocked). A runnable child that merely gets no CPU on
  // a loaded machine is waited for.
  bool wait_child(char& b, int limit_ms) {
    pollfd p{sock, POLLIN, 0};
    const int tick_ms = limit_ms < 250 ? limit_ms : 250;
    const auto limit = std::chrono::milliseconds(limit_ms);
    uint32_t last_done = __atomic_load_n(&shared->done, __ATOMIC_ACQUIRE);
    auto progress_time = std::chrono::steady_clock::now();
    char state;
    uint64_t progress_cpu;
    child_usage(state, progress_cpu);
    for (;;) {
      int r = poll(&p, 1, tick_ms);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return false;
      if (r > 0) break;
      uint64_t cpu;
      child_usage(state, cpu);
      const uint32_t d = __atomic_load_n(&shared->done, __ATOMIC_ACQUIRE);
      if (d != last_done) {
        last_done = d;
        progress_time = std::chrono::steady_clock::now();
        progress_cpu = cpu;
        continue;
      }
      if (cpu - progress_cpu >= static_cast<uint64_t>(limit_ms) * 1000000ull) return false;
      if (state != 'R' && std::chrono::steady_clock::now() - progress_time >= limit) return false;
    }
    ssize_t got;
    do got = recv(sock, &b, 1, 0);
    while (got < 0 && errno == EINTR);
    return got == 1;
  }

  void start_child() {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
      throw std::runtime_error("native runner: socketpair failed");
    shared->init_error = 0;
    shared->init_step = 0;
    pid_t pid = fork();
    if (pid < 0) {
      close(sv[0]);
      close(sv[1]);
      throw std::runtime_error("native runner: fork failed");
    }
    if (pid == 0) {
      close(sv[0]);
      child_main(sv[1], shared, arena, avx_usable);
    }
    close(sv[1]);
    child = pid;
    sock = sv[0];
    ++spawns;
    char b = 0;
    if (!wait_child(b, kStartupTimeoutMs) || b != 'R') {
      const int err = shared->init_error, step = shared->init_step;
      stop_child();
      throw std::runtime_error("native runner: child setup failed at step " + std::to_string(step) +
                               ": " + std::strerror(err > 0 ? err : EINVAL));
    }
  }

  static void validate(const NativeCase& c) {
    if (c.code.size() > kMaxCodeSize) throw std::invalid_argument("native runner: code too large");
    if (c.data.size() > kDataSize) throw std::invalid_argument("native runner: data too large");
  }

  static size_t arena_need(const NativeCase& c) {
    return ((c.code.size() + 15) & ~size_t{15}) + accessible_data_size(c.data.size());
  }

  // Runs slots [0, count) of the prepared request; respawns the child as needed. A case
  // during which the child died or wedged keeps outcome RunnerCrashed.
  void execute(uint32_t count) {
    uint32_t start = 0;
    while (start < count) {
      if (child <= 0) start_child();
      shared->seq++;
      shared->count = count;
      shared->start = start;
      __atomic_store_n(&shared->done, start, __ATOMIC_RELEASE);
      char b = 'C';
      if (send(sock, &b, 1, MSG_NOSIGNAL) == 1 && wait_child(b, watchdog_ms) && shared->resp_seq == shared->seq) return;
      stop_child();  // the child is dead after this: `done` is final
      // `done` sits in memory the snippet could have scribbled on: clamp it so the loop
      // always advances and indexes stay in range.
      uint32_t done = __atomic_load_n(&shared->done, __ATOMIC_ACQUIRE);
      if (done < start) done = start;
      if (done < count) shared->slots[done].res.outcome = NativeResult::RunnerCrashed;
      start = done + 1;
    }
  }

  void run_batch(std::span<const NativeCase> cases, NativeResult* results) {
    for (const auto& c : cases) validate(c);
    size_t next = 0;
    while (next < cases.size()) {
      // Pack as many cases as fit into one request.
      uint32_t count = 0;
      size_t used = 0;
      while (next + count < cases.size() && count < kMaxBatch) {
        const NativeCase& c = cases[next + count];
        const size_t need = arena_need(c);
        if (count > 0 && used + need > kArenaSize) break;
        CaseSlot& slot = shared->slots[count];
        slot.code_off = used;
        slot.code_size = c.code.size();
        slot.data_off = used + ((c.code.size() + 15) & ~size_t{15});
        data_offsets[count] = slot.data_off;
        slot.data_size = c.data.size();
        if (!c.code.empty()) std::memcpy(arena + slot.code_off, c.code.data(), c.code.size());
        if (!c.data.empty()) std::memcpy(arena + slot.data_off, c.data.data(), c.data.size());
        slot.in = c.in;
        slot.mode = c.mode;
        slot.res.outcome = NativeResult::RunnerCrashed;
        used += need;
        ++count;
      }
      execute(count);
      for (uint32_t k = 0; k < count; ++k) collect(shared->slots[k], data_offsets[k], cases[next + k], results[next + k]);
      next += count;
    }
  }

  // Takes a result out of shared memory. Only the parent's own bookkeeping (data_off,
  // the case's data size) decides what is read from the arena, so a runner that wrote
  // garbage into the shared block cannot make the parent read out of bounds.
  void collect(const CaseSlot& slot, size_t data_off, const NativeCase& c, NativeResult& r) const {
    const SlotResult& res = slot.res;
    const int32_t outcome = res.outcome;
    r.outcome = outcome >= NativeResult::Completed && outcome <= NativeResult::RunnerCrashed
                    ? static_cast<NativeResult::Outcome>(outcome)
                    : NativeResult::RunnerCrashed;
    if (r.outcome == NativeResult::RunnerCrashed) {
      r.signal = 0;
      r.si_code = 0;
      r.vector = -1;
      r.fault_address = 0;
      r.error_code = 0;
      r.out = c.in;
      r.data.clear();
      return;
    }
    r.signal = res.signal;
    r.si_code = res.si_code;
    r.vector = res.vector;
    r.fault_address = res.fault_address;
    r.error_code = res.error_code;
    r.out = res.out;
    const uint8_t* d = arena + data_off;
    r.data.assign(d, d + accessible_data_size(c.data.size()));
  }
};

NativeRunner::NativeRunner() : impl_(std::make_unique<Impl>()) {}
NativeRunner::~NativeRunner() = default;

namespace {

// Runs a `nop` case once; empty string when that worked, else why not.
const std::string& probe_result() {
  static const std::string reason = []() -> std::string {
    try {
      NativeRunner probe;
      NativeCase c;
      c.code = {0x90};  // nop
      c.in = CpuSnapshot::initial();
      const NativeResult r = probe.run(c);
      return r.outcome == NativeResult::Completed ? "" : "probe case did not complete: " + describe(r);
    } catch (const std::exception& e) {
      return e.what();
    }
  }();
  return reason;
}

}  // namespace

bool NativeRunner::available() { return probe_result().empty(); }
std::string NativeRunner::unavailable_reason() { return probe_result(); }

int NativeRunner::spawn_count() const { return impl_->spawns; }
int NativeRunner::runner_pid() const { return impl_->child; }
void NativeRunner::set_watchdog_ms(int ms) { impl_->watchdog_ms = ms > 0 ? ms : kWatchdogMs; }

NativeResult NativeRunner::run(const NativeCase& c) {
  NativeResult r;
  run(c, r);
  return r;
}

void NativeRunner::run(const NativeCase& c, NativeResult& r) { impl_->run_batch(std::span<const NativeCase>(&c, 1), &r); }

void NativeRunner::run_batch(std::span<const NativeCase> cases, std::vector<NativeResult>& results) {
  results.resize(cases.size());
  impl_->run_batch(cases, results.data());
}

}  // namespace emu::diff
