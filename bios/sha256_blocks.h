// SHA-256's block function, split out so that a host with SHA instructions can run it
// in hardware (sha256_x86_64.cpp: the x86 SHA extensions, detected at run time) while
// sha256.cpp keeps the portable version for every other host.
#pragma once
#include <cstddef>
#include <cstdint>

namespace emu {

// Runs the compression function over `blocks` 64-byte blocks at `data` into `h` with
// the host's SHA instructions and returns true; false (h untouched) when the host has
// none, and the caller uses the portable code.
bool sha256_blocks_in_hardware(uint32_t h[8], const uint8_t* data, size_t blocks);

}  // namespace emu
