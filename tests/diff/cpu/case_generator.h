// Differential-test case generation driven by the opcode table: the list of user-mode
// 64-bit forms, and random encodings of a form (prefixes, REX, ModRM/SIB addressing into
// the data region, immediates, edge-valued registers and flags) as NativeCases.
#pragma once
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "cpu/isa/opcode_table.h"
#include "tests/diff/cpu/int1_trap_rip.h"
#include "tests/diff/cpu/random_destination.h"
#include "tests/diff/harness/native_runner.h"

namespace emu::diff {

// Why a user-mode form is not run against the host.
enum class FormPlan : uint8_t {
  Run,              // generate cases and compare
  RunMaskedRegs,    // run, but RAX/RBX/RCX/RDX hold host-specific values (CPUID, RDTSC)
  NotImplemented,   // semantics missing in emu (#UD): counted as not covered
};

struct FormInfo {
  size_t form;        // index into kForms
  FormPlan plan;
};

// Every user-mode form of 64-bit mode (not SYS/PRIV/invalid-in-64), with its plan.
std::vector<FormInfo> user_mode_forms();

// The x87 escape encodings (D8-DF with every register ModRM, and every /digit with a
// [rbx] operand) that match no form of the table: emu raises #UD for them, and the host
// must agree (its undocumented aliases are forms of the table).
std::vector<std::vector<uint8_t>> x87_unlisted_encodings();

struct GeneratedCase {
  NativeCase c;
  uint32_t undefined_flags = 0;  // RFLAGS bits not compared
  uint16_t gpr_mask = 0xffff;    // GPRs compared
  // Data bytes whose value is host-specific and not compared (offset from kDataBase, length):
  // FXSAVE's MXCSR_MASK (AMD hosts report the misaligned-SSE bit 17; emu reports 0xFFFF).
  uint32_t host_specific_offset = 0, host_specific_len = 0;
  // RCPPS/RCPSS/RSQRTPS/RSQRTSS: hardware tables differ by vendor; XMM lanes are compared
  // within the architectural relative error 1.5 * 2^-12 instead of exactly.
  bool approx_xmm = false;
  RandomDestination random_dest;  // RDRAND/RDSEED: the written value is not compared
  Int1Trap int1;                  // INT1: the host's RIP may be the VM's (int1_trap_rip.h)
};

class CaseGenerator {
 public:
  explicit CaseGenerator(uint64_t seed) : rng_(seed) {}
  // A random case for the form; false if this draw produced no valid encoding.
  bool generate(size_t form, GeneratedCase* out);
  // A random x87 state (RBX pointing into the data page) for the given instruction bytes.
  bool generate_encoding(const std::vector<uint8_t>& code, GeneratedCase* out);

 private:
  void random_state(bool x87, GeneratedCase& g);
  uint64_t edge_or_random();
  // Float lanes for the SSE float forms: zeros, denormals, infinities, QNaN/SNaN, the
  // indefinite, values near integers and halves, extremes (Width 4 or 8 bytes).
  uint64_t float_lane(unsigned width);
  // A 16-byte SSE4.2 string operand: a few letters, sometimes a NUL element.
  void string_operand(uint8_t* bytes);
  // MXCSR for the float forms: rounding mode, DAZ, FTZ, sticky flags, sometimes unmasked
  // exceptions.
  uint32_t random_mxcsr();
  uint64_t bits64() { return rng_(); }
  unsigned below(unsigned n) { return static_cast<unsigned>(rng_() % n); }
  bool chance(unsigned percent) { return below(100) < percent; }
  std::mt19937_64 rng_;
};

}  // namespace emu::diff
