// The differential tests' rule for INT1 (ICEBP, F1): the one form whose host report
// depends on where the host runs. The SDM delivers INT1 as a trap-class #DB: the saved RIP
// is the next instruction's, and emu does so (cpu/sem/system.h sem_int1). Linux turns
// that #DB into SIGTRAP, si_code TRAP_BRKPT (DR6 has no cause bit: "icebp"), trapno 1,
// and the ucontext RIP is what the CPU pushed. Bare metal reports the RIP after F1. A
// host that is a virtual machine may re-inject the #DB as a fault-class exception at the
// instruction: observed on this project's host (KVM/Firecracker on AMD EPYC, kernel
// 6.18, 2026-11-22): SIGTRAP, si_code 1 (TRAP_BRKPT), trapno 1, error code 0, ucontext
// RIP = si_addr = the instruction's FIRST byte (its first prefix, not the F1 byte: 66 2E F1
// reports the 66), RFLAGS unchanged; INT3 there reports RIP after CC (si_code 128).
//
// Rule: vector, registers, flags, x87/SSE state, memory are compared as for every form;
// the host's RIP may be either of exactly two values, the instruction's start (VM) or its
// end (bare metal). A host report at the start is counted and replaced by the end before
// comparing, so emu's RIP must be the architectural one (the end) in both cases; any
// other host RIP, a fault other than #DB or a signal other than SIGTRAP compares as is.
#pragma once
#include <cstdint>
#include <vector>

#include "tests/diff/harness/native_runner.h"

namespace emu::diff {

struct Int1Trap {
  bool applies = false;  // the case's code is one INT1 instruction
  uint64_t start = 0;    // RIP of its first byte (a CS offset in Prot16)
  uint64_t next = 0;     // the architectural RIP of the trap: after the instruction
};

// The INT1 rule for `code` run in `mode` (applies when code is exactly one INT1).
Int1Trap int1_trap(const std::vector<uint8_t>& code, CpuMode mode);

// How the host reported an INT1 case.
enum class Int1HostRip { NotApplicable, AfterInstruction, AtInstruction, Other };

// Classifies the host's report and, for a #DB/SIGTRAP at the instruction's start, sets the
// host's RIP to the architectural one (see the rule above).
Int1HostRip accept_int1_host_rip(const Int1Trap& t, NativeResult& host);

}  // namespace emu::diff
