// Hosts without a hardware SHA-256 path (see sha256_blocks.h): always the portable code.
#include "bios/sha256_blocks.h"

namespace emu {

bool sha256_blocks_in_hardware(uint32_t*, const uint8_t*, size_t) { return false; }

}  // namespace emu
