// x86 instruction decoder for 16-, 32- and 64-bit code, driven by the opcode table.
// The caller fetches up to 15 bytes (fewer when a later page is not accessible); the
// decoder reports NeedMoreBytes when the instruction extends past what was available,
// so the fetch fault is raised only when the instruction really reaches the bad page.
#pragma once
#include <cstddef>
#include <cstdint>

#include "cpu/isa/decoded_insn.h"

namespace emu::isa {

enum class DecodeStatus : uint8_t {
  Ok,
  NeedMoreBytes,  // the instruction continues past `avail` bytes (fetch fault)
  Invalid,        // #UD: no such encoding, invalid in this mode, or bad LOCK
  TooLong,        // #GP(0): longer than 15 bytes
};

inline constexpr unsigned kMaxInsnLength = 15;

// code_bits: 16, 32 or 64 (CS.L / CS.D).
DecodeStatus decode(const uint8_t* bytes, size_t avail, unsigned code_bits, DecodedInsn* out);

}  // namespace emu::isa
