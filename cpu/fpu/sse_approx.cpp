// RCPSS/RCPPS and RSQRTSS/RSQRTPS: hardware returns a table-based approximation (relative
// error <= 1.5 * 2^-12, different between Intel and AMD). We return the correctly
// rounded single-precision value, which meets that bound on every host, with the
// architectural specials: no exceptions, denormal inputs read as zero, tiny results
// flushed to zero, NaNs quieted.
#include "cpu/fpu/float_internal.h"
#include "cpu/fpu/softfloat.h"
#include "cpu/fpu/wide_float.h"

namespace emu::fpu {
using namespace detail;

namespace {

Float32 approx(Float32 a, bool reciprocal_sqrt) {
  FloatStatus quiet;  // all masked; the flags are discarded (these instructions signal nothing)
  quiet.flush_to_zero = true;
  Ctx c(quiet);
  const Operand o = unpack_f32(a);
  if (o.is_nan()) return pack_f32(quiet_nan(kF32, o));
  if (o.cls == Class::Zero || o.cls == Class::Denormal) return pack_f32(packed_inf(kF32, o.sign));
  if (reciprocal_sqrt && o.sign) return pack_f32(packed_default_nan(kF32));
  if (o.cls == Class::Inf) return pack_f32(packed_zero(kF32, o.sign));
  Wide x = wide_from_operand(o);
  if (reciprocal_sqrt) x = wide_sqrt(x);
  const Wide r = wide_div(wide_from_int(1), x);  // carries the sign of x
  return pack_f32(round_pack(c, kF32, 24, r.neg, r.exp - 127, r.m));
}

}  // namespace

Float32 f32_rcp_approx(Float32 a) { return approx(a, false); }
Float32 f32_rsqrt_approx(Float32 a) { return approx(a, true); }

}  // namespace emu::fpu
