// x86 NaN propagation (Intel SDM vol. 1 table 4-7): SNaN operands raise IE and are
// quieted; SSE returns the first NaN source operand, x87 prefers a QNaN over an SNaN
// and otherwise the NaN with the larger significand. Unsupported x87 encodings are
// invalid operands and produce the real indefinite.
#include "cpu/fpu/float_internal.h"

namespace emu::fpu::detail {

Packed propagate_nan2(Ctx& c, const Format& f, const Operand& a, const Operand& b) {
  if (a.cls == Class::Unsupported || b.cls == Class::Unsupported) {
    c.raise(flag::Invalid);
    return packed_default_nan(f);
  }
  if (a.cls == Class::SNaN || b.cls == Class::SNaN) c.raise(flag::Invalid);
  if (f.sse || !(a.is_nan() && b.is_nan())) return quiet_nan(f, a.is_nan() ? a : b);
  if (a.cls != b.cls) return quiet_nan(f, a.cls == Class::QNaN ? a : b);
  if (a.sig != b.sig) return quiet_nan(f, a.sig > b.sig ? a : b);
  return quiet_nan(f, a.sign ? b : a);  // equal significands: the positive one
}

Packed propagate_nan1(Ctx& c, const Format& f, const Operand& a) {
  if (a.cls == Class::Unsupported) {
    c.raise(flag::Invalid);
    return packed_default_nan(f);
  }
  if (a.cls == Class::SNaN) c.raise(flag::Invalid);
  return quiet_nan(f, a);
}

}  // namespace emu::fpu::detail
