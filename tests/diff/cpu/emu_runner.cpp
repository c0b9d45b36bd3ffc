// EmuRunner: the interpreter (or the JIT) configured like the native runner's child
// process (see native_runner.h for the layout): user mode (CPL 3) in the case's mode
// (64-bit, 32-bit compatibility mode, 16-bit protected mode with the runner's LDT segments
// loaded), code region read+execute, the case's data pages read+write, everything else
// not present. INT n and INT1 cases are delivered by emu's system half through an IDT
// with the gate DPLs of the host kernel (see write_linux_idt): INT n through a DPL-0
// gate is #GP, INT1 through the DPL-0 #DB gate is not (it has no gate-DPL check).
#include "tests/diff/cpu/emu_runner.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "cpu/cpu.h"
#include "cpu/isa/decoder.h"
#include "cpu/flags.h"
#include "cpu/system/system_cpu.h"

namespace emu::diff {

namespace {

// Page permissions of the native runner, reported with Linux's page-fault error codes.
class RunnerLayoutTranslator : public AddressTranslator {
 public:
  uint64_t data_accessible = 0;
  Translation translate(uint64_t lin, Access a, unsigned cpl) override {
    const bool in_code = lin >= kCodeBase && lin < kCodeBase + kCodeSize;
    const bool in_data = lin >= kDataBase && lin < kDataBase + data_accessible;
    uint32_t err = (cpl == 3 ? kPfUser : 0) | (a == Access::Write ? kPfWrite : 0) | (a == Access::Fetch ? kPfFetch : 0);
    if (in_code) {
      if (a != Access::Write) return {true, lin, {}};
      err |= kPfPresent;
    } else if (in_data) {
      if (a != Access::Fetch) return {true, lin, {}};
      err |= kPfPresent;
    } else if (lin >= 0xffff800000000000ull) {
      err |= kPfPresent;  // the host kernel's half: mapped, supervisor only
    }
    Translation t;
    t.ok = false;
    t.fault.vector = kPF;
    t.fault.has_error_code = true;
    t.fault.error_code = err;
    t.fault.fault_address = lin;
    return t;
  }
};

// 32- and 16-bit cases load segment registers (POP DS, LES, MOV SS, ...): they need the
// system half of the CPU and descriptor tables like the host kernel's. emu keeps them in
// RAM of its own at kTablesBase (not part of the runner layout; only descriptor loads
// reach it: user accesses there fault like everything outside the two regions).
constexpr uint64_t kTablesBase = 0x20000000;
constexpr uint64_t kLdtOffset = 0x800;
constexpr uint16_t kLdtSelector = 0x50;

uint64_t descriptor(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags) {
  const uint32_t lo = (limit & 0xffff) | (base & 0xffff) << 16;
  const uint32_t hi = ((base >> 16) & 0xff) | uint32_t{access} << 8 | (limit & 0xf0000) | uint32_t{flags} << 20 | (base & 0xff000000u);
  return uint64_t{hi} << 32 | lo;
}

// Linux x86-64's GDT layout (kernel 0x08/0x10/0x18, user 0x23 32-bit code, 0x2b data,
// 0x33 64-bit code, the LDT descriptor) and the native runner's two LDT entries.
void write_descriptor_tables(uint8_t* t) {
  const uint64_t gdt[] = {0,
                          descriptor(0, 0xfffff, 0x9b, 0xc),  // 0x08 kernel 32-bit code
                          descriptor(0, 0xfffff, 0x9b, 0xa),  // 0x10 kernel code
                          descriptor(0, 0xfffff, 0x93, 0xc),  // 0x18 kernel data
                          descriptor(0, 0xfffff, 0xfb, 0xc),  // 0x23 user 32-bit code
                          descriptor(0, 0xfffff, 0xf3, 0xc),  // 0x2b user data
                          descriptor(0, 0xfffff, 0xfb, 0xa)}; // 0x33 user 64-bit code
  for (size_t k = 0; k < sizeof gdt / sizeof gdt[0]; ++k) store_le64(t + 8 * k, gdt[k]);
  store_le64(t + kLdtSelector, descriptor(static_cast<uint32_t>(kTablesBase + kLdtOffset), 15, 0x82, 0));
  store_le64(t + kLdtSelector + 8, 0);
  store_le64(t + kLdtOffset + (kLdtCode16 & ~7u), descriptor(static_cast<uint32_t>(kCodeBase), 0xffff, 0xfb, 0x1));
  store_le64(t + kLdtOffset + (kLdtData16 & ~7u), descriptor(static_cast<uint32_t>(kDataBase), 0xffff, 0xf3, 0x1));
}

// The IDT of Linux x86-64 as user mode sees it: 256 64-bit interrupt gates to the kernel
// code segment, DPL 0 except #BP (3), #OF (4) and the 32-bit system call gate (0x80),
// which user code may invoke. INT n through a DPL-0 gate is #GP(n*8+2) before the gate is
// used. The gates are marked not present: where the host kernel's handler would take
// over, emu's delivery stops with #NP(n*8+2) instead, which EmuRunner reports as the
// interrupt itself (what the host kernel signals, RIP past the instruction).
constexpr uint64_t kIdtBase = kTablesBase + kPageSize;
void write_linux_idt(uint8_t* idt) {
  for (unsigned v = 0; v < 256; ++v) {
    const unsigned dpl = v == kBP || v == kOF || v == 0x80 ? 3 : 0;
    const uint32_t lo = uint32_t{0x10} << 16;                   // selector 0x10, offset 0
    const uint32_t hi = (0xeu << 8) | (dpl << 13);              // 64-bit interrupt gate, P=0
    store_le32(idt + 16 * v, lo);
    store_le32(idt + 16 * v + 4, hi);
    store_le64(idt + 16 * v + 8, 0);
  }
}

// INT n and INT1 cases: their first instruction is INT n or INT1; returns its length
// (with prefixes), or 0.
unsigned interrupt_case_length(const NativeCase& c) {
  isa::DecodedInsn d;
  const unsigned bits = c.mode == CpuMode::Long64 ? 64 : c.mode == CpuMode::Compat32 ? 32 : 16;
  if (isa::decode(c.code.data(), c.code.size(), bits, &d) != isa::DecodeStatus::Ok) return 0;
  const std::string_view h = d.info().handler;
  return h == "intn" || h == "int1" ? d.length : 0;
}

}  // namespace

struct EmuRunner::Impl {
  PhysicalMemory mem;
  Cpu cpu{mem};
  RunnerLayoutTranslator tr;
  uint8_t* code = nullptr;
  uint8_t* data = nullptr;
  uint8_t* tables = nullptr;
  std::unique_ptr<SystemCpu> system;  // attached for 32- and 16-bit cases and interrupt cases
  // An interrupt case whose IDT gate check passed: reported as this vector, RIP past the insn.
  int passed_vector = -1;
  uint64_t passed_rip = 0;
  size_t dirty_code = 0;
  size_t dirty_data = 0;

  explicit Impl(Engine engine) {
    if (engine == Engine::Jit && !cpu.use_jit(true, 0)) {
      std::fprintf(stderr, "cpu_diff: no JIT backend on this host\n");
      std::exit(2);
    }
    code = mem.add_ram(kCodeBase, kCodeSize, "diff-code");
    data = mem.add_ram(kDataBase, kDataSize, "diff-data");
    std::memset(code, kCodeFiller, kCodeSize);
    tables = mem.add_ram(kTablesBase, kPageSize, "diff-descriptor-tables");
    write_linux_idt(mem.add_ram(kIdtBase, kPageSize, "diff-idt"));
    cpu.set_translator(&tr);
  }

  // Segment state of the native runner for the mode (long mode stays enabled: 32- and
  // 16-bit cases run in compatibility mode under a 64-bit kernel).
  void enter_mode(CpuMode mode, bool interrupt_case) {
    const bool need_system = mode != CpuMode::Long64 || interrupt_case;
    if (!need_system && system) system.reset();
    if (need_system && !system) {
      // System mode for descriptor loads and INT n gate checks: exceptions end run(), no
      // external interrupts.
      system = std::make_unique<SystemCpu>(cpu);
      cpu.interrupt_hook = nullptr;
    }
    cpu.exception_hook = nullptr;
    passed_vector = -1;
    if (interrupt_case) {
      system->delivering = false;
      cpu.exception_hook = [this](Cpu&, const CpuException& e) { return deliver_through_idt(e); };
    }
    cpu.set_translator(&tr);
    cpu.set_flat_long_mode(3);
    // Linux user mode: CS 0x33, SS 0x2b, null data selectors; CR0.NE (x87 errors as #MF).
    CpuState& s = cpu.state();
    s.cr0 |= 1u << 5;
    s.seg[isa::SEG_CS].selector = kUserCs64;
    s.seg[isa::SEG_SS].selector = kUserDs;
    for (unsigned k : {isa::SEG_DS, isa::SEG_ES, isa::SEG_FS, isa::SEG_GS}) s.seg[k].selector = 0;
    if (mode == CpuMode::Compat32) {
      s.seg[isa::SEG_CS].selector = kUserCs32;
      s.seg[isa::SEG_CS].attr = static_cast<uint16_t>(0xfb | kSegAttrDB | kSegAttrG);
      s.seg[isa::SEG_DS].selector = s.seg[isa::SEG_ES].selector = kUserDs;
    }
    if (need_system) {
      // Descriptor reads go through the system half's paging: off, so they are physical.
      s.cr0 &= ~uint64_t{kCr0PG};
      s.idtr = DescriptorTableReg{kIdtBase, 0xfff};
      write_descriptor_tables(tables);
      s.gdtr = DescriptorTableReg{kTablesBase, 0x7f};
      s.ldtr.selector = kLdtSelector;
      s.ldtr.base = kTablesBase + kLdtOffset;
      s.ldtr.limit = 15;
      s.ldtr.attr = 0x82;
    }
    if (mode == CpuMode::Prot16) {
      SegmentCache& cs = s.seg[isa::SEG_CS];
      cs.selector = kLdtCode16;
      cs.base = kCodeBase;
      cs.limit = 0xffff;
      cs.attr = 0xfb;
      for (unsigned k : {isa::SEG_DS, isa::SEG_ES, isa::SEG_SS}) {
        SegmentCache& d = s.seg[k];
        d.selector = kLdtData16;
        d.base = kDataBase;
        d.limit = 0xffff;
        d.attr = 0xf3;
      }
    }
    cpu.refresh_mode();
  }

  // Exception hook of interrupt cases: a software interrupt (not the exit stub's INT3)
  // goes to emu's IDT delivery; the fault that delivery raises ends run(): #GP(n*8+2)
  // from a DPL-0 gate (RIP at the INT instruction, as SystemCpu reports faults while
  // delivering INT n, but with its prefixes: the INT n is the case's first instruction), or
  // #NP from the not-present gates once the checks passed.
  bool deliver_through_idt(const CpuException& e) {
    CpuState& s = cpu.state();
    if (system->delivering) {
      system->delivering = false;
      if (e.vector == kNP) {
        passed_vector = system->delivering_vector;
        passed_rip = passed_next_rip;
      } else {
        s.rip = passed_next_rip - interrupt_length;
      }
      return false;
    }
    if (!e.software || s.seg[isa::SEG_CS].base + s.rip == exit_landing_plus_one) return false;
    passed_next_rip = s.rip;
    return system->deliver_exception(e);
  }
  uint64_t passed_next_rip = 0;
  unsigned interrupt_length = 0;
  uint64_t exit_landing_plus_one = 0;
};

EmuRunner::EmuRunner(Engine engine) : impl_(std::make_unique<Impl>(engine)) {}
EmuRunner::~EmuRunner() = default;

void EmuRunner::run(const NativeCase& c, NativeResult& r, uint64_t max_instructions) {
  Impl& m = *impl_;
  // Restore the filler and zeros the previous case changed, then place this case.
  std::memset(m.code, kCodeFiller, m.dirty_code);
  std::memset(m.data, 0, m.dirty_data);
  std::memcpy(m.code, c.code.data(), c.code.size());
  std::vector<uint8_t> stub = exit_stub_bytes(c.code.size(), c.mode);
  std::memcpy(m.code + c.code.size(), stub.data(), stub.size());
  m.dirty_code = c.code.size() + stub.size();
  const uint64_t acc = accessible_data_size(c.data.size());
  std::memcpy(m.data, c.data.data(), c.data.size());
  m.dirty_data = acc;
  m.tr.data_accessible = acc;
  m.exit_landing_plus_one = exit_landing(c.mode) + 1;
  m.interrupt_length = interrupt_case_length(c);
  m.enter_mode(c.mode, m.interrupt_length != 0);
  m.cpu.flush_code_cache();

  CpuState& s = m.cpu.state();
  for (int k = 0; k < 16; ++k) s.gpr[k] = c.in.gpr[k];
  s.rip = code_entry_ip(c.mode);
  s.lf = LazyFlags{};
  s.rflags = (c.in.rflags & kCaseFlagsMask) | kForcedFlags;
  for (int k = 0; k < 16; ++k) {
    s.xmm[k].q[0] = c.in.xmm_lo(k);
    s.xmm[k].q[1] = c.in.xmm_hi(k);
  }
  s.mxcsr = c.in.mxcsr() & 0xffff;
  // x87 state from the FXSAVE image: ST(i) is physical register (TOP + i) & 7.
  s.x87.fcw = c.in.fcw();
  s.x87.fsw = c.in.fsw();
  s.x87.fop = c.in.fop();  // last-instruction pointers (FXSAVE64 layout: no selectors)
  s.x87.fip = c.in.fip();
  s.x87.fdp = c.in.fdp();
  s.x87.fcs = s.x87.fds = 0;
  const unsigned top = (s.x87.fsw >> 11) & 7;
  s.x87.ftw = 0;
  for (unsigned p = 0; p < 8; ++p)
    if (!(c.in.ftw() & (1u << p))) s.x87.ftw = static_cast<uint16_t>(s.x87.ftw | (3u << (2 * p)));
  for (int k = 0; k < 8; ++k) {
    s.x87.st[(top + k) & 7].signif = c.in.st_mantissa(k);
    s.x87.st[(top + k) & 7].sign_exp = c.in.st_sign_exp(k);
  }

  RunResult res = m.cpu.run(max_instructions);
  r.signal = 0;
  r.si_code = 0;
  r.fault_address = 0;
  r.vector = -1;
  r.error_code = 0;
  r.out = c.in;
  for (int k = 0; k < 16; ++k) r.out.gpr[k] = s.gpr[k];
  r.out.rip = s.rip;
  r.out.rflags = read_rflags(s);
  for (int k = 0; k < 6; ++k) r.out.seg[k] = s.seg[k].selector;
  for (int k = 0; k < 16; ++k) r.out.set_xmm(k, s.xmm[k].q[0], s.xmm[k].q[1]);
  r.out.set_mxcsr(s.mxcsr);
  r.out.set_fcw(s.x87.fcw);
  r.out.set_fsw(s.x87.fsw);
  uint8_t abridged = 0;
  for (unsigned p = 0; p < 8; ++p)
    if (((s.x87.ftw >> (2 * p)) & 3) != 3) abridged = static_cast<uint8_t>(abridged | (1u << p));
  r.out.set_ftw(abridged);
  const unsigned out_top = (s.x87.fsw >> 11) & 7;
  for (int k = 0; k < 8; ++k) r.out.set_st(k, s.x87.st[(out_top + k) & 7].signif, s.x87.st[(out_top + k) & 7].sign_exp);
  switch (res.reason) {
    case RunResult::Reason::Exception:
      if (res.exception.vector == kBP && res.exception.software &&
          s.seg[isa::SEG_CS].base + s.rip == exit_landing(c.mode) + 1) {
        r.outcome = NativeResult::Completed;
        r.out.rip = code_entry_ip(c.mode) + c.code.size();
      } else if (m.passed_vector >= 0) {
        r.outcome = NativeResult::Fault;
        r.vector = m.passed_vector;
        r.out.rip = m.passed_rip;
      } else {
        r.outcome = NativeResult::Fault;
        r.vector = res.exception.vector;
        r.error_code = res.exception.error_code;
        if (res.exception.vector == kPF) r.fault_address = res.exception.fault_address;
      }
      break;
    case RunResult::Reason::InstructionLimit:
    case RunResult::Reason::ExitRequest:
      r.outcome = NativeResult::Timeout;
      break;
    case RunResult::Reason::Halted:
    case RunResult::Reason::TripleFault:  // system mode only; never in user-mode cases
      r.outcome = NativeResult::Fault;
      break;
  }
  r.data.assign(m.data, m.data + acc);
}

}  // namespace emu::diff
