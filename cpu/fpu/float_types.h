// Software floating point with x86 semantics: value types (80-bit extended, single and
// double as bit patterns), the rounding/exception environment, and conversions between
// that environment and the MXCSR / x87 control and status word layouts.
#pragma once
#include <cstdint>

namespace emu::fpu {

// x87 80-bit extended precision value: 64-bit significand with explicit integer bit
// (bit 63) and a 16-bit sign/exponent word (bit 15 sign, bits 14..0 biased exponent).
struct Float80 {
  uint64_t signif = 0;
  uint16_t sign_exp = 0;
  friend bool operator==(const Float80&, const Float80&) = default;
  bool sign() const { return (sign_exp >> 15) != 0; }
  uint16_t exponent() const { return sign_exp & 0x7FFF; }
};

// Single and double precision values are plain IEEE bit patterns.
using Float32 = uint32_t;
using Float64 = uint64_t;

// Rounding control; the encoding matches x87 FCW.RC and MXCSR.RC.
enum class Rounding : uint8_t { NearestEven = 0, Down = 1, Up = 2, TowardZero = 3 };

// x87 precision control (FCW.PC). Value 1 is reserved and behaves like Extended64 here.
enum class Precision : uint8_t { Single24 = 0, Reserved = 1, Double53 = 2, Extended64 = 3 };

// Exception flag bits; the same positions in FSW (bits 0-5), FCW masks (bits 0-5),
// MXCSR flags (bits 0-5) and MXCSR masks (bits 7-12).
namespace flag {
constexpr uint8_t Invalid = 0x01;       // IE
constexpr uint8_t Denormal = 0x02;      // DE: denormal operand
constexpr uint8_t DivideByZero = 0x04;  // ZE
constexpr uint8_t Overflow = 0x08;      // OE
constexpr uint8_t Underflow = 0x10;     // UE
constexpr uint8_t Precision = 0x20;     // PE: inexact
constexpr uint8_t All = 0x3F;
// Exceptions detected before computing: when unmasked, no result is produced at all.
constexpr uint8_t PreComputation = Invalid | Denormal | DivideByZero;
}  // namespace flag

// Environment of one operation plus its outputs. Every operation ORs the exceptions it
// raises into `flags` and overwrites `c1` (x87 "rounded up": the result's magnitude was
// increased by rounding). Clear `flags` before an operation to learn what it raised.
struct FloatStatus {
  Rounding rounding = Rounding::NearestEven;
  Precision precision = Precision::Extended64;  // x87 FADD/FSUB/FMUL/FDIV/FSQRT only
  bool flush_to_zero = false;       // SSE MXCSR.FTZ (applies to f32/f64 results)
  bool denormals_are_zero = false;  // SSE MXCSR.DAZ (applies to f32/f64 operands)
  uint8_t masks = flag::All;        // masked exceptions (a set bit = masked)
  uint8_t flags = 0;                // accumulated exception flags
  bool c1 = false;                  // x87 C1 after the last rounding operation
};

// --- MXCSR ---------------------------------------------------------------------------
namespace mxcsr {
constexpr uint32_t FlagsMask = 0x3F;
constexpr uint32_t DAZ = 1u << 6;
constexpr uint32_t MaskShift = 7;
constexpr uint32_t RoundingShift = 13;
constexpr uint32_t FTZ = 1u << 15;
constexpr uint32_t Default = 0x1F80;
}  // namespace mxcsr

// The environment an SSE instruction runs in; `flags` starts empty.
FloatStatus status_from_mxcsr(uint32_t mxcsr_value);
// MXCSR after an operation: ORs the raised flags into the sticky flag bits.
uint32_t mxcsr_merge_flags(uint32_t mxcsr_value, const FloatStatus& status);

// --- x87 control and status words ----------------------------------------------------
namespace x87sw {
constexpr uint16_t ES = 1u << 7;  // error summary
constexpr uint16_t SF = 1u << 6;  // stack fault
constexpr uint16_t C0 = 1u << 8;
constexpr uint16_t C1 = 1u << 9;
constexpr uint16_t C2 = 1u << 10;
constexpr uint16_t C3 = 1u << 14;
constexpr uint16_t B = 1u << 15;
constexpr uint16_t ConditionMask = C0 | C1 | C2 | C3;
}  // namespace x87sw

// The environment an x87 instruction runs in (from FCW); `flags` starts empty.
FloatStatus status_from_x87_control(uint16_t fcw);
// FSW after a rounding operation: ORs the raised flags, sets C1 from status.c1, and sets
// ES and B when an unmasked exception is pending.
uint16_t x87_status_merge(uint16_t fsw, const FloatStatus& status);

// Whether the destination is written, given the flags raised by one operation (`raised`,
// i.e. FloatStatus::flags cleared before it) and the masks:
// SSE: any unmasked exception suppresses the result (the caller raises #XM).
inline bool sse_result_written(uint8_t raised, uint8_t masks) { return (raised & ~masks & flag::All) == 0; }
// x87 register destination: unmasked IE/DE/ZE suppress it; unmasked OE/UE still deliver
// the exponent-biased result (the caller raises #MF at the next waiting instruction).
inline bool x87_result_written(uint8_t raised, uint8_t masks) {
  return (raised & ~masks & flag::PreComputation) == 0;
}
// x87 load of a single/double (FLD m32/m64): only an unmasked IE (SNaN operand) stops the
// push; a denormal operand is converted and pushed even with DE unmasked (seen on AMD Zen;
// the #MF comes at the next waiting instruction).
inline bool x87_load_written(uint8_t raised, uint8_t masks) { return (raised & ~masks & flag::Invalid) == 0; }
// x87 store to memory (FST m32/m64, FIST, FBSTP): unmasked IE, OE or UE leave memory unchanged.
inline bool x87_store_written(uint8_t raised, uint8_t masks) {
  return (raised & ~masks & (flag::PreComputation | flag::Overflow | flag::Underflow)) == 0;
}

}  // namespace emu::fpu
