// Conversions between FloatStatus and the MXCSR / x87 control and status words.
#include "cpu/fpu/float_types.h"

namespace emu::fpu {

FloatStatus status_from_mxcsr(uint32_t m) {
  FloatStatus s;
  s.rounding = static_cast<Rounding>((m >> mxcsr::RoundingShift) & 3);
  s.precision = Precision::Extended64;
  s.flush_to_zero = (m & mxcsr::FTZ) != 0;
  s.denormals_are_zero = (m & mxcsr::DAZ) != 0;
  s.masks = static_cast<uint8_t>((m >> mxcsr::MaskShift) & flag::All);
  s.flags = 0;
  return s;
}

uint32_t mxcsr_merge_flags(uint32_t m, const FloatStatus& s) { return m | (s.flags & flag::All); }

FloatStatus status_from_x87_control(uint16_t fcw) {
  FloatStatus s;
  s.rounding = static_cast<Rounding>((fcw >> 10) & 3);
  s.precision = static_cast<Precision>((fcw >> 8) & 3);
  s.masks = static_cast<uint8_t>(fcw & flag::All);
  s.flags = 0;
  return s;
}

uint16_t x87_status_merge(uint16_t fsw, const FloatStatus& s) {
  uint16_t r = static_cast<uint16_t>((fsw & ~x87sw::C1) | (s.flags & flag::All) | (s.c1 ? x87sw::C1 : 0));
  if (r & ~s.masks & flag::All) r |= x87sw::ES | x87sw::B;
  return r;
}

}  // namespace emu::fpu
