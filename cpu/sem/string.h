// String instruction semantics: MOVS CMPS SCAS LODS STOS INS OUTS with REP/REPE/REPNE
// and every address size. A REP instruction runs in chunks: when a chunk ends before the
// count does, RIP stays at the instruction (registers reflect the finished iterations),
// so interrupts and the instruction budget are honoured at iteration boundaries.
#pragma once
#include "cpu/sem/common.h"

namespace emu::sem {

enum class StrOp { Movs, Cmps, Scas, Lods, Stos, Ins, Outs };
inline constexpr unsigned kRepChunk = 4096;

template <StrOp Op, class E>
void string_op(E& e, const DecodedInsn& i) {
  CpuState& s = e.state();
  const unsigned asz = i.asz;
  const uint64_t am = size_mask(asz);
  // Element size: the string operand's size.
  const unsigned sz = (Op == StrOp::Outs || Op == StrOp::Lods || Op == StrOp::Scas) ? i.op[1].size : i.op[0].size;
  if constexpr (Op == StrOp::Ins || Op == StrOp::Outs) {
    if (!io_allowed(e, static_cast<uint16_t>(s.gpr[RDX]), sz)) e.raise_gp0();
  }
  const bool rep = i.prefixes & (isa::PFX_REP | isa::PFX_REPNE);
  const bool repne = i.prefixes & isa::PFX_REPNE;
  const int64_t step = (s.rflags & isa::FL_DF) ? -static_cast<int64_t>(sz) : static_cast<int64_t>(sz);
  if (rep && e.reg(RCX, asz) == 0) {
    advance(e, i);
    return;
  }
  for (unsigned n = 0;; ++n) {
    if (n == kRepChunk) {  // yield with RIP at the instruction
      e.end_block();
      return;
    }
    uint64_t si = s.gpr[RSI] & am, di = s.gpr[RDI] & am;
    bool advance_si = false, advance_di = false;
    switch (Op) {
      case StrOp::Movs: {
        uint64_t v = e.read_mem(i.seg, si, sz);
        e.write_mem(isa::SEG_ES, di, sz, v);
        advance_si = advance_di = true;
        break;
      }
      case StrOp::Cmps: {
        uint64_t a = e.read_mem(i.seg, si, sz), b = e.read_mem(isa::SEG_ES, di, sz);
        record_flags(s, FlagOp::Sub, sz, (a - b) & size_mask(sz), a, b);
        advance_si = advance_di = true;
        break;
      }
      case StrOp::Scas: {
        uint64_t a = e.reg(RAX, sz), b = e.read_mem(isa::SEG_ES, di, sz);
        record_flags(s, FlagOp::Sub, sz, (a - b) & size_mask(sz), a, b);
        advance_di = true;
        break;
      }
      case StrOp::Lods:
        e.set_reg(RAX, sz, e.read_mem(i.seg, si, sz));
        advance_si = true;
        break;
      case StrOp::Stos:
        e.write_mem(isa::SEG_ES, di, sz, e.reg(RAX, sz));
        advance_di = true;
        break;
      case StrOp::Ins: {
        e.probe_write(isa::SEG_ES, di, sz);
        uint64_t v = e.port_in(static_cast<uint16_t>(s.gpr[RDX]), sz);
        e.write_mem(isa::SEG_ES, di, sz, v);
        advance_di = true;
        break;
      }
      case StrOp::Outs:
        e.port_out(static_cast<uint16_t>(s.gpr[RDX]), sz, static_cast<uint32_t>(e.read_mem(i.seg, si, sz)));
        advance_si = true;
        break;
    }
    if (advance_si) e.set_reg(RSI, asz, si + static_cast<uint64_t>(step));
    if (advance_di) e.set_reg(RDI, asz, di + static_cast<uint64_t>(step));
    if (!rep) break;
    uint64_t c = (e.reg(RCX, asz) - 1) & am;
    e.set_reg(RCX, asz, c);
    if (c == 0) break;
    if constexpr (Op == StrOp::Cmps || Op == StrOp::Scas) {
      if (repne == flag_zf(s)) break;  // REPE stops on ZF=0, REPNE on ZF=1
    }
  }
  advance(e, i);
}

template <class E> void sem_movs(E& e, const DecodedInsn& i) { string_op<StrOp::Movs>(e, i); }
template <class E> void sem_cmps(E& e, const DecodedInsn& i) { string_op<StrOp::Cmps>(e, i); }
template <class E> void sem_scas(E& e, const DecodedInsn& i) { string_op<StrOp::Scas>(e, i); }
template <class E> void sem_lods(E& e, const DecodedInsn& i) { string_op<StrOp::Lods>(e, i); }
template <class E> void sem_stos(E& e, const DecodedInsn& i) { string_op<StrOp::Stos>(e, i); }
template <class E> void sem_ins(E& e, const DecodedInsn& i) { string_op<StrOp::Ins>(e, i); }
template <class E> void sem_outs(E& e, const DecodedInsn& i) { string_op<StrOp::Outs>(e, i); }

}  // namespace emu::sem
