// x86 exception vectors and the record of a raised exception or software interrupt.
#pragma once
#include <cstdint>

namespace emu {

enum ExceptionVector : uint8_t {
  kDE = 0, kDB = 1, kNMI = 2, kBP = 3, kOF = 4, kBR = 5, kUD = 6, kNM = 7, kDF = 8,
  kTS = 10, kNP = 11, kSS = 12, kGP = 13, kPF = 14, kMF = 16, kAC = 17, kMC = 18, kXM = 19,
};

struct CpuException {
  uint8_t vector = 0;
  bool has_error_code = false;
  bool software = false;    // INT n / INT3 / INTO / INT1: RIP already points past the instruction
  bool int1 = false;        // INT1 (ICEBP, F1): delivered like a hardware #DB (no gate-DPL check, EXT set)
  uint32_t error_code = 0;
  uint64_t fault_address = 0;  // CR2 value for #PF
};

// Page-fault error code bits.
inline constexpr uint32_t kPfPresent = 1u << 0;
inline constexpr uint32_t kPfWrite = 1u << 1;
inline constexpr uint32_t kPfUser = 1u << 2;
inline constexpr uint32_t kPfFetch = 1u << 4;

// DR6.BS: the #DB was a single-step trap (EFLAGS.TF).
inline constexpr uint64_t kDr6SingleStep = 1u << 14;

}  // namespace emu
