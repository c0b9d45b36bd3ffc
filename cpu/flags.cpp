// Lazy arithmetic flag evaluation (see flags.h).
#include "cpu/flags.h"

namespace emu {

using namespace isa;

static bool carry_of(const LazyFlags& lf, uint64_t rflags) {
  const uint64_t m = size_mask(lf.size);
  const uint64_t a = lf.src1 & m, b = lf.src2 & m, r = lf.result & m;
  const unsigned bits = 8u * lf.size;
  const uint64_t c = lf.src2;  // shift count, 1..63
  switch (lf.op) {
    // The last bit shifted out (none past the operand's width; SAR shifts in sign bits).
    case FlagOp::Shl: return c <= bits && ((a >> (bits - c)) & 1);
    case FlagOp::Shr: return c <= bits && ((a >> (c - 1)) & 1);
    case FlagOp::Sar: {
      const int64_t sa = static_cast<int64_t>(a << (64 - bits)) >> (64 - bits);
      return (sa >> (c >= bits ? bits - 1 : c - 1)) & 1;
    }
    case FlagOp::Add: return r < a;
    case FlagOp::Adc: return lf.carry_in ? r <= a : r < a;
    case FlagOp::Sub: return a < b;
    case FlagOp::Sbb: return lf.carry_in ? a <= b : a < b;
    case FlagOp::Logic: return false;
    case FlagOp::Inc: case FlagOp::Dec: return lf.carry_in;
    case FlagOp::Mul: return lf.src1 != 0;
    case FlagOp::Rot: return (lf.carry_in >> 1) & 1;
    case FlagOp::None: return rflags & FL_CF;
  }
  return false;
}

static bool overflow_of(const LazyFlags& lf, uint64_t rflags) {
  const uint64_t sb = sign_bit(lf.size);
  const uint64_t a = lf.src1, b = lf.src2, r = lf.result;
  switch (lf.op) {
    case FlagOp::Add: case FlagOp::Adc: case FlagOp::Inc: return ((a ^ r) & (b ^ r)) & sb;
    case FlagOp::Sub: case FlagOp::Sbb: case FlagOp::Dec: return ((a ^ b) & (a ^ r)) & sb;
    case FlagOp::Logic: case FlagOp::Sar: return false;
    case FlagOp::Shl: return ((r & sb) != 0) != carry_of(lf, rflags);
    case FlagOp::Shr: return (a & sb) != 0;  // the operand's sign bit
    case FlagOp::Mul: return lf.src1 != 0;
    case FlagOp::Rot: return ((lf.carry_in >> 1) ^ lf.carry_in) & 1;
    case FlagOp::None: return rflags & FL_OF;
  }
  return false;
}

uint32_t compute_arith_flags(const LazyFlags& lf, uint64_t rflags) {
  uint32_t f = szp_flags(lf.result, lf.size);
  if (carry_of(lf, rflags)) f |= FL_CF;
  if (overflow_of(lf, rflags)) f |= FL_OF;
  const FlagOp af_op = lf.op == FlagOp::Rot ? lf.prev : lf.op;  // a Rot record keeps AF
  const bool af_clear = af_op == FlagOp::Logic || af_op == FlagOp::Shl || af_op == FlagOp::Shr || af_op == FlagOp::Sar ||
                        af_op == FlagOp::Mul;
  if (!af_clear && ((lf.src1 ^ lf.src2 ^ lf.result) & 0x10)) f |= FL_AF;
  return f;
}

bool flag_cf(const CpuState& s) { return s.lf.op == FlagOp::None ? (s.rflags & FL_CF) : carry_of(s.lf, s.rflags); }
bool flag_of(const CpuState& s) { return s.lf.op == FlagOp::None ? (s.rflags & FL_OF) : overflow_of(s.lf, s.rflags); }
bool flag_zf(const CpuState& s) {
  return s.lf.op == FlagOp::None ? (s.rflags & FL_ZF) : (s.lf.result & size_mask(s.lf.size)) == 0;
}
bool flag_sf(const CpuState& s) {
  return s.lf.op == FlagOp::None ? (s.rflags & FL_SF) : (s.lf.result & sign_bit(s.lf.size)) != 0;
}
bool flag_pf(const CpuState& s) { return s.lf.op == FlagOp::None ? (s.rflags & FL_PF) : parity_even(s.lf.result); }

bool eval_condition(const CpuState& s, unsigned cc) { return eval_condition_inline(s, cc); }

bool eval_condition_from_flags(const CpuState& s, unsigned cc) {
  bool r;
  switch (cc >> 1) {
    case 0: r = flag_of(s); break;
    case 1: r = flag_cf(s); break;
    case 2: r = flag_zf(s); break;
    case 3: r = flag_cf(s) || flag_zf(s); break;
    case 4: r = flag_sf(s); break;
    case 5: r = flag_pf(s); break;
    case 6: r = flag_sf(s) != flag_of(s); break;
    default: r = flag_zf(s) || (flag_sf(s) != flag_of(s)); break;
  }
  return (cc & 1) ? !r : r;
}

}  // namespace emu
