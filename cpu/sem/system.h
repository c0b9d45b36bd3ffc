// Flag-control, port I/O, software interrupt, TSC, CPUID, HLT and segment-register
// semantics, CLFLUSH. Interrupts are raised as exception requests (software = true, RIP past
// the instruction); IDT delivery is the system step's exception hook.
#pragma once
#include "cpu/address_translator.h"
#include "cpu/cpuid.h"
#include "cpu/sem/common.h"

namespace emu::sem {

template <class E>
void sem_clc(E& e, const DecodedInsn& i) { set_arith_flags(e.state(), isa::FL_CF, 0); advance(e, i); }
template <class E>
void sem_stc(E& e, const DecodedInsn& i) { set_arith_flags(e.state(), isa::FL_CF, isa::FL_CF); advance(e, i); }
template <class E>
void sem_cmc(E& e, const DecodedInsn& i) {
  set_arith_flags(e.state(), isa::FL_CF, flag_cf(e.state()) ? 0 : isa::FL_CF);
  advance(e, i);
}
template <class E>
void sem_cld(E& e, const DecodedInsn& i) { e.state().rflags &= ~uint64_t{isa::FL_DF}; advance(e, i); }
template <class E>
void sem_std(E& e, const DecodedInsn& i) { e.state().rflags |= isa::FL_DF; advance(e, i); }
template <class E>
void sem_cli(E& e, const DecodedInsn& i) {
  if (!iopl_allows(e)) e.raise_gp0();
  e.state().rflags &= ~uint64_t{isa::FL_IF};
  advance(e, i);
}
template <class E>
void sem_sti(E& e, const DecodedInsn& i) {
  if (!iopl_allows(e)) e.raise_gp0();
  e.state().rflags |= isa::FL_IF;  // TODO(system step): one-instruction interrupt shadow
  advance(e, i);
}

template <class E>
void sem_in(E& e, const DecodedInsn& i) {
  uint16_t port = i.op[1].type == OperandType::Imm ? static_cast<uint16_t>(i.imm & 0xff)
                                                  : static_cast<uint16_t>(e.state().gpr[RDX]);
  if (!io_allowed(e, port, dst_size(i))) e.raise_gp0();
  e.set_reg(RAX, dst_size(i), e.port_in(port, dst_size(i)));
  advance(e, i);
}
template <class E>
void sem_out(E& e, const DecodedInsn& i) {
  uint16_t port = i.op[0].type == OperandType::Imm ? static_cast<uint16_t>(i.imm & 0xff)
                                                  : static_cast<uint16_t>(e.state().gpr[RDX]);
  unsigned sz = i.op[1].size;
  if (!io_allowed(e, port, sz)) e.raise_gp0();
  e.port_out(port, sz, static_cast<uint32_t>(e.reg(RAX, sz)));
  advance(e, i);
}

template <class E>
[[noreturn]] void software_interrupt(E& e, const DecodedInsn& i, uint8_t vector) {
  if (v86_iopl_blocks(e)) e.raise_gp0();  // INT n, INT3, INTO (not INT1)
  advance(e, i);
  CpuException x;
  x.vector = vector;
  x.software = true;
  e.raise_exception(x);
}
template <class E>
void sem_int3(E& e, const DecodedInsn& i) { software_interrupt(e, i, kBP); }
template <class E>
void sem_intn(E& e, const DecodedInsn& i) { software_interrupt(e, i, static_cast<uint8_t>(i.imm)); }
template <class E>
void sem_int1(E& e, const DecodedInsn& i) {
  advance(e, i);
  CpuException x;
  x.vector = kDB;
  x.software = true;  // a trap: RIP past the instruction, and it retires
  x.int1 = true;
  e.raise_exception(x);
}
template <class E>
void sem_into(E& e, const DecodedInsn& i) {
  if (flag_of(e.state())) software_interrupt(e, i, kOF);
  advance(e, i);
}
template <class E>
void sem_hlt(E& e, const DecodedInsn& i) {
  advance(e, i);
  e.set_halted();
}

template <class E>
void sem_rdtsc(E& e, const DecodedInsn& i) {
  CpuState& s = e.state();
  if ((s.cr4 & kCr4TSD) && s.cpl != 0) e.raise_gp0();
  uint64_t t = e.read_tsc();
  e.set_reg(RAX, 4, t & 0xffffffffu);
  e.set_reg(RDX, 4, t >> 32);
  advance(e, i);
}
template <class E>
void sem_rdtscp(E& e, const DecodedInsn& i) {
  CpuState& s = e.state();
  if ((s.cr4 & kCr4TSD) && s.cpl != 0) e.raise_gp0();
  uint64_t t = e.read_tsc();
  e.set_reg(RAX, 4, t & 0xffffffffu);
  e.set_reg(RDX, 4, t >> 32);
  e.set_reg(RCX, 4, s.tsc_aux & 0xffffffffu);
  advance(e, i);
}
template <class E>
void sem_cpuid(E& e, const DecodedInsn& i) {
  CpuState& s = e.state();
  CpuidResult r = cpuid_query(static_cast<uint32_t>(s.gpr[RAX]), static_cast<uint32_t>(s.gpr[RCX]));
  e.set_reg(RAX, 4, r.eax);
  e.set_reg(RBX, 4, r.ebx);
  e.set_reg(RCX, 4, r.ecx);
  e.set_reg(RDX, 4, r.edx);
  advance(e, i);
}

// Segment register loads. Real mode only for now: protected-mode descriptor loads
// (GDT/LDT lookup, checks, #GP/#NP/#SS) come with the system step and raise #UD here.
template <class E>
void load_segment_real(E& e, unsigned seg, uint16_t sel) {
  CpuState& s = e.state();
  if ((s.cr0 & kCr0PE) || seg == isa::SEG_CS || seg > 5) e.raise(kUD);
  s.seg[seg].selector = sel;
  s.seg[seg].base = uint64_t{sel} << 4;
}
// CLFLUSH: emu has no caches to flush, but the address is translated as a byte read
// would be, so an unmapped or non-canonical line faults as on hardware (reported as a read).
template <class E>
void sem_clflush(E& e, const DecodedInsn& i) {
  e.translate_or_raise(e.linear(i.seg, e.effective_address(i), 1, Access::Read), Access::Read);
  advance(e, i);
}

// MOV Sreg, r/m: CS and the register numbers 6 and 7 are #UD, raised before the operand is read.
inline bool loadable_by_mov(unsigned seg) { return seg <= 5 && seg != isa::SEG_CS; }
template <class E>
void sem_mov_to_sreg(E& e, const DecodedInsn& i) {
  if (!loadable_by_mov(i.op[0].reg)) e.raise(kUD);
  uint16_t sel = static_cast<uint16_t>(e.read_operand(i, 1));
  load_segment_real(e, i.op[0].reg, sel);
  advance(e, i);
}
template <class E>
void sem_pop_sreg(E& e, const DecodedInsn& i) {
  uint16_t sel = static_cast<uint16_t>(e.peek(i.osz));
  load_segment_real(e, i.op[0].reg, sel);
  unsigned ssz = e.stack_addr_size();
  e.set_reg(RSP, ssz, e.reg(RSP, ssz) + i.osz);
  advance(e, i);
}

}  // namespace emu::sem
