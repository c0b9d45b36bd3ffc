// The differential tests' rule for RDRAND and RDSEED: the value they write is random on
// the host and in emu, so the destination register's written bytes are taken from the
// host's result before comparing; everything else (flags: CF=1, OF SF ZF AF PF clear;
// the other registers; the destination's bytes above a 16-bit write; the zero-extension
// of a 32-bit write) is compared as usual.
#pragma once
#include <cstdint>
#include <vector>

#include "tests/diff/harness/native_runner.h"

namespace emu::diff {

struct RandomDestination {
  int reg = -1;        // GPR written with a random value, -1 for other instructions
  unsigned bytes = 0;  // bytes of it written (2, 4 or 8)
};

// The random destination of `code` (decoded with `bits`-bit default sizes), if it is
// RDRAND or RDSEED.
RandomDestination random_destination(const std::vector<uint8_t>& code, unsigned bits);

// Copies the host's written bytes of the destination into emu's result (both completed).
void accept_random_destination(const RandomDestination& d, const NativeResult& host, NativeResult& mine);

}  // namespace emu::diff
