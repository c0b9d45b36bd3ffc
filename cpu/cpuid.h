// The CPUID model: one table describing exactly what the CPU core implements. Features
// whose semantics are missing (x87, MMX, SSE*, AVX, BMI, RDRAND, ...) are not advertised.
#pragma once
#include <cstdint>

namespace emu {

struct CpuidResult {
  uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0;
};

CpuidResult cpuid_query(uint32_t leaf, uint32_t subleaf);

}  // namespace emu
