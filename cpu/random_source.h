// The entropy source behind RDRAND and RDSEED: a per-thread 64-bit generator seeded once
// from std::random_device (portable: no host RDRAND intrinsics).
#pragma once
#include <cstdint>

namespace emu {

uint64_t random_u64();

}  // namespace emu
