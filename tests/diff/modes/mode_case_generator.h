// Differential-test cases for 32-bit (compatibility mode) and 16-bit protected mode,
// driven by the opcode table: the forms valid outside 64-bit mode, and random encodings
// of a form in such a mode (operand-/address-size prefixes, 16-bit ModRM addressing
// with BX/BP/SI/DI, 32-bit ModRM/SIB, immediates, string and loop counters in CX/ECX,
// edge-valued registers and flags) as NativeCases with NativeCase::mode set.
#pragma once
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "cpu/isa/opcode_table.h"
#include "tests/diff/cpu/int1_trap_rip.h"
#include "tests/diff/cpu/random_destination.h"
#include "tests/diff/harness/native_runner.h"

namespace emu::diff {

// Why a form valid in the mode is not compared against the host.
enum class ModePlan : uint8_t {
  Run,             // generate cases and compare
  RunMaskedRegs,   // run; EAX..EDX hold host-specific values (CPUID, RDTSC)
  NotImplemented,  // emu raises #UD (UD attribute): not covered
};

struct ModeForm {
  size_t form;  // index into isa::kForms
  ModePlan plan;
};

// User-mode forms valid in a 32- or 16-bit code segment (not O64, not PRIV; of the SYS
// forms only the segment register loads, ARPL and far JMP/CALL/RET).
std::vector<ModeForm> mode_forms(CpuMode mode);

struct ModeCase {
  NativeCase c;
  uint32_t undefined_flags = 0;  // RFLAGS bits not compared
  uint16_t gpr_mask = 0x00ff;    // GPRs compared (low 32 bits; SP only in 16-bit mode)
  // Data bytes whose value is host-specific (FXSAVE's MXCSR_MASK): offset, length.
  uint32_t host_specific_offset = 0, host_specific_len = 0;
  bool approx_xmm = false;  // RCP/RSQRT: compared within the architectural error
  RandomDestination random_dest;  // RDRAND/RDSEED: the written value is not compared
  Int1Trap int1;                  // INT1: the host's RIP may be the VM's (int1_trap_rip.h)
};

class ModeCaseGenerator {
 public:
  explicit ModeCaseGenerator(uint64_t seed) : rng_(seed) {}
  // A random case for the form in the mode; false if this draw gave no valid encoding.
  bool generate(size_t form, CpuMode mode, ModeCase* out);

 private:
  uint32_t edge_or_random();
  unsigned below(unsigned n) { return static_cast<unsigned>(rng_() % n); }
  bool chance(unsigned percent) { return below(100) < percent; }
  std::mt19937_64 rng_;
};

}  // namespace emu::diff
