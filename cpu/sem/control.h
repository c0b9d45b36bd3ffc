// Control flow and stack semantics: Jcc JMP CALL RET LOOP/LOOPE/LOOPNE JrCXZ, PUSH POP
// PUSHF POPF ENTER LEAVE. Every memory access happens before any register changes, so
// a fault leaves the state at the instruction.
#pragma once
#include "cpu/sem/common.h"

namespace emu::sem {

template <class E>
void sem_jcc(E& e, const DecodedInsn& i) {
  if_else(e, condition(e, i.opcode & 15), [&] { branch_to(e, branch_target(e, i), i.osz); }, [&] { advance(e, i); });
}
template <class E>
void sem_jmp(E& e, const DecodedInsn& i) {
  if (i.op[0].type == OperandType::Imm) branch_to(e, branch_target(e, i), i.osz);
  else branch_to(e, e.read_operand(i, 0), i.osz);
}
template <class E>
void sem_call(E& e, const DecodedInsn& i) {
  auto target = i.op[0].type == OperandType::Imm ? imm_value(e, branch_target(e, i)) : e.read_operand(i, 0);
  target &= size_mask(i.osz);
  check_branch_target(e, target);
  e.push(next_rip(e, i), i.osz);
  jump(e, target);
}
template <class E>
void sem_ret(E& e, const DecodedInsn& i) {
  auto target = e.peek(i.osz);
  target &= size_mask(i.osz);
  check_branch_target(e, target);
  unsigned ssz = e.stack_addr_size();
  uint64_t extra = i.num_ops ? (i.imm & 0xffff) : 0;
  e.set_reg(RSP, ssz, e.reg(RSP, ssz) + (i.osz + extra));
  jump(e, target);
}
template <class E>
void sem_loop(E& e, const DecodedInsn& i) {
  uint64_t c = (e.reg(RCX, i.asz) - 1) & size_mask(i.asz);
  bool take = c != 0;
  if (i.opcode == 0xE0) take = take && !flag_zf(e.state());
  if (i.opcode == 0xE1) take = take && flag_zf(e.state());
  uint64_t target = branch_target(e, i) & size_mask(i.osz);
  if (take) check_branch_target(e, target);
  e.set_reg(RCX, i.asz, c);
  if (take) e.state().rip = target;
  else advance(e, i);
}
template <class E>
void sem_jcxz(E& e, const DecodedInsn& i) {
  if (e.reg(RCX, i.asz) == 0) branch_to(e, branch_target(e, i), i.osz);
  else advance(e, i);
}

template <class E>
void sem_push(E& e, const DecodedInsn& i) {
  auto v = i.op[0].type == OperandType::Imm ? imm_value(e, i.imm) : e.read_operand(i, 0);
  e.push(v & size_mask(i.osz), i.osz);
  advance(e, i);
}
template <class E>
void sem_pop(E& e, const DecodedInsn& i) {
  unsigned ssz = e.stack_addr_size();
  auto v = e.peek(i.osz);
  auto new_sp = e.reg(RSP, ssz) + i.osz;
  if (dst_is_mem(i)) {
    // The address is computed with the incremented rSP (Intel SDM, POP).
    auto ea = e.effective_address(i);
    if (i.base == RSP) ea = (ea + i.osz) & size_mask(i.asz);
    e.write_mem(i.seg, ea, i.osz, v);
    e.set_reg(RSP, ssz, new_sp);
  } else {
    e.set_reg(RSP, ssz, new_sp);
    e.write_operand(i, 0, v);
  }
  advance(e, i);
}
template <class E>
void sem_push_sreg(E& e, const DecodedInsn& i) {
  e.push(e.state().seg[i.op[0].reg].selector, i.osz);
  advance(e, i);
}

// RFLAGS bits POPF may change at CPL 0 with IOPL 3 (others keep their value).
inline constexpr uint64_t kPopfMask = 0x00257fd5;  // CF PF AF ZF SF TF IF DF OF IOPL NT AC ID

template <class E>
void sem_pushf(E& e, const DecodedInsn& i) {
  if (v86_iopl_blocks(e)) e.raise_gp0();
  uint64_t f = read_rflags(e.state()) & ~uint64_t{0x30000};  // VM and RF read as 0
  e.push(f & size_mask(i.osz), i.osz);
  advance(e, i);
}
template <class E>
void sem_popf(E& e, const DecodedInsn& i) {
  CpuState& s = e.state();
  if (v86_iopl_blocks(e)) e.raise_gp0();
  uint64_t v = e.pop(i.osz);
  uint64_t mask = kPopfMask;
  unsigned iopl = (s.rflags >> 12) & 3;
  if (s.cpl > 0) mask &= ~uint64_t{0x3000};  // IOPL only at CPL 0
  if ((s.cr0 & kCr0PE) && s.cpl > iopl) mask &= ~uint64_t{isa::FL_IF};
  if (i.osz == 2) mask &= 0xffff;
  materialize_flags(s);
  const bool if_was_clear = !(s.rflags & isa::FL_IF);
  s.rflags = (s.rflags & ~mask) | (v & mask) | 2;
  if (if_was_clear && (s.rflags & isa::FL_IF)) e.signal_interrupt();  // a pending INTR may go now
  e.end_block();
  advance(e, i);
}

template <class E>
void sem_enter(E& e, const DecodedInsn& i) {
  CpuState& s = e.state();
  const unsigned osz = i.osz, ssz = e.stack_addr_size();
  const uint64_t smask = size_mask(ssz);
  const uint64_t alloc = i.imm & 0xffff;
  const unsigned level = i.imm2 & 31;
  uint64_t sp = s.gpr[RSP] & smask;
  uint64_t bp = s.gpr[RBP];
  // Compute every store first and check the whole frame is writable: no partial state.
  uint64_t frame_top = (sp - osz) & smask;
  e.probe_stack_push(sp, level + 1, osz);
  e.write_mem(isa::SEG_SS, frame_top, osz, bp & size_mask(osz));
  uint64_t cur = frame_top;
  for (unsigned k = 1; k < level; ++k) {
    // Read and push one by one, as the hardware does (the frame may overlap the copies).
    uint64_t v = e.read_mem(isa::SEG_SS, (bp - uint64_t{k} * osz) & smask, osz);
    cur = (cur - osz) & smask;
    e.write_mem(isa::SEG_SS, cur, osz, v);
  }
  if (level > 0) {
    cur = (cur - osz) & smask;
    e.write_mem(isa::SEG_SS, cur, osz, frame_top);
  }
  e.set_reg(RBP, osz, frame_top);
  e.set_reg(RSP, ssz, (cur - alloc) & smask);
  advance(e, i);
}
template <class E>
void sem_leave(E& e, const DecodedInsn& i) {
  unsigned ssz = e.stack_addr_size();
  auto bp = e.reg(RBP, ssz);
  auto v = e.read_mem(isa::SEG_SS, bp, i.osz);
  e.set_reg(RSP, ssz, bp + i.osz);
  e.set_reg(RBP, i.osz, v);
  advance(e, i);
}

}  // namespace emu::sem
