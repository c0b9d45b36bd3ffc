// Disassembly text for decoded instructions (mnemonics and operand notation come from
// the opcode table), used in test reports and `-d in_asm` traces.
#pragma once
#include <cstdint>
#include <string>

#include "cpu/isa/decoded_insn.h"

namespace emu::isa {

// Intel-syntax text, e.g. "ADD qword [rax+rbx*4+0x10], 0x5". rip is the address of the
// instruction (for branch targets and RIP-relative operands).
std::string disassemble(const DecodedInsn& d, uint64_t rip);
// Hex dump of the instruction bytes.
std::string hex_bytes(const uint8_t* bytes, size_t len);

}  // namespace emu::isa
