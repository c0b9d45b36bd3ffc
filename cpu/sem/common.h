// Shared pieces of the instruction semantics: advancing RIP, branching with the
// operand-size and canonical checks, and operand shorthands. Semantics are templates
// over an emitter E (the interpreter uses emu::Cpu, which computes values directly).
#pragma once
#include <cstdint>

#include "cpu/address_translator.h"
#include "cpu/cpu_state.h"
#include "cpu/exception.h"
#include "cpu/flags.h"
#include "cpu/isa/decoded_insn.h"
#include "cpu/system/io_permission.h"

namespace emu::sem {

using isa::DecodedInsn;
using isa::OperandType;

// The address of the instruction (the JIT's emitter knows it at translation time).
template <class E>
inline uint64_t insn_rip(E& e) {
  if constexpr (requires { e.insn_rip(); }) return e.insn_rip();
  else return e.state().rip;
}
template <class E>
inline uint64_t next_rip(E& e, const DecodedInsn& i) {
  uint64_t n = insn_rip(e) + i.length;
  return e.mode64() ? n : (n & 0xffffffffu);
}
// An emitter that tracks RIP itself (the JIT's) says so with advance_rip().
template <class E>
inline void advance(E& e, const DecodedInsn& i) {
  if constexpr (requires { e.advance_rip(i); }) e.advance_rip(i);
  else e.state().rip = next_rip(e, i);
}

// #GP(0) for a near branch target (already cut to the operand size) that is
// non-canonical (64-bit mode) or beyond CS's limit (elsewhere), before anything changes.
// The JIT's emitter only translates 64-bit code (it has no state()).
template <class E, class V>
inline void check_branch_target(E& e, V target) {
  if (e.mode64()) {
    if (!e.is_canonical(target)) e.raise_gp0();
  } else if constexpr (requires { e.state(); }) {
    if (target > e.state().seg[isa::SEG_CS].limit) e.raise_gp0();
  }
}
// Operands accessed in parts (16-byte SSE, 80-bit x87, whose parts may wrap at the
// address size) are one access for the segment limit check: checked whole first.
template <class E>
inline void check_segment_range(E& e, unsigned seg, uint64_t ea, unsigned size, Access access) {
  if (!e.mode64()) e.linear(seg, ea, size, access);
}
// RIP = target (the JIT's emitter stores it itself).
template <class E, class V>
inline void jump(E& e, V target) {
  if constexpr (requires { e.jump_to(target); }) e.jump_to(target);
  else e.state().rip = target;
}
// Sets RIP to a branch target of operand size osz.
template <class E, class V>
inline void branch_to(E& e, V target, unsigned osz) {
  target &= size_mask(osz);
  check_branch_target(e, target);
  jump(e, target);
}
// An immediate as the emitter's value (the JIT's: a translation-time constant).
template <class E>
inline auto imm_value(E& e, uint64_t k) {
  if constexpr (requires { e.constant(k); }) return e.constant(k);
  else return k;
}

// Conditions and choices, written once for both emitters: the interpreter evaluates
// them now (bool, ?:, if); the JIT's emitter (it has condition/select/if_else) emits
// host code that does so at run time.
template <class E>
inline auto condition(E& e, unsigned cc) {
  if constexpr (requires { e.condition(cc); }) return e.condition(cc);
  else return eval_condition(e.state(), cc);
}
template <class E, class C, class V>
inline V select(E& e, C c, V a, V b) {
  if constexpr (requires { e.select(c, a, b); }) return e.select(c, a, b);
  else return c ? a : b;
}
template <class E, class C, class Then, class Else>
inline void if_else(E& e, C c, Then then_path, Else else_path) {
  if constexpr (requires { e.if_else(c, then_path, else_path); }) e.if_else(c, then_path, else_path);
  else if (c) then_path();
  else else_path();
}

template <class E>
inline uint64_t branch_target(E& e, const DecodedInsn& i) {
  return next_rip(e, i) + i.imm;
}

inline unsigned dst_size(const DecodedInsn& i) { return i.op[0].size; }
inline bool dst_is_mem(const DecodedInsn& i) { return i.op[0].type == OperandType::Mem; }

inline constexpr uint64_t kRflagsVM = uint64_t{1} << 17;
inline unsigned iopl_of(const CpuState& s) { return (s.rflags >> 12) & 3; }

// IOPL-sensitive instructions (CLI, STI): allowed in real mode and when CPL <= IOPL
// (virtual-8086 code runs at CPL 3, so only with IOPL 3; CR4.VME is not offered).
template <class E>
inline bool iopl_allows(E& e) {
  const CpuState& s = e.state();
  if (!(s.cr0 & kCr0PE)) return true;  // real mode
  return s.cpl <= iopl_of(s);
}
// Virtual-8086 code with IOPL < 3 may not run PUSHF/POPF/INT n/IRET (#GP(0); no VME).
template <class E>
inline bool v86_iopl_blocks(E& e) {
  const CpuState& s = e.state();
  return (s.cr0 & kCr0PE) && (s.rflags & kRflagsVM) && iopl_of(s) < 3;
}
// IN/OUT/INS/OUTS on ports port..port+size-1: allowed in real mode and at CPL <= IOPL
// outside virtual-8086 mode, else only if the TSS's I/O permission bitmap allows them.
template <class E>
inline bool io_allowed(E& e, uint16_t port, unsigned size) {
  const CpuState& s = e.state();
  if (!(s.cr0 & kCr0PE)) return true;
  if (!(s.rflags & kRflagsVM) && s.cpl <= iopl_of(s)) return true;
  return e.system && sys::io_bitmap_allows(e, port, size);
}

template <class E>
void sem_ud(E& e, const DecodedInsn&) { e.raise(kUD); }
template <class E>
void sem_nop(E& e, const DecodedInsn& i) { advance(e, i); }
// Installed instead of the form's handler when a CPL-0 instruction is decoded at CPL > 0.
template <class E>
void sem_privileged_gp(E& e, const DecodedInsn&) { e.raise_gp0(); }

}  // namespace emu::sem
