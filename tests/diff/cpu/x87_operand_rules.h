// Operand rules for the x87 forms whose results are undefined or CPU-model-specific for
// some inputs, shared by the case generators of every mode (tests/diff/cpu, tests/diff/modes):
// ST(0) is kept inside F2XM1's and FYL2XP1's defined domains, and transcendental operands
// whose exact result lies in the host's rounding-uncertainty band are redrawn.
#pragma once
#include <random>
#include <string_view>

#include "tests/diff/harness/native_runner.h"

namespace emu::diff {

// Adjusts ST(0)/ST(1) of `s` for the x87 form with semantic handler `handler` (no-op for
// other forms).
void apply_x87_operand_rules(CpuSnapshot& s, std::string_view handler, std::mt19937_64& rng);

}  // namespace emu::diff
