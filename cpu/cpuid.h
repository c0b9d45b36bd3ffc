// The CPUID model: one table describing exactly what the CPU core implements. Features
// whose semantics are missing (AVX, BMI, AES, ...) are not advertised.
#pragma once
#include <cstdint>

namespace emu {

struct CpuidResult {
  uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0;
};

// Leaf 1 EAX: family 15, model 107, stepping 1 (extended model 6), like QEMU's qemu64.
inline constexpr uint32_t kCpuidSignature = 0x00060fb1;
inline constexpr uint32_t kCpuidMaxExtendedLeaf = 0x80000008;
// Leaf 0x80000008: MAXPHYADDR (memory/page_walker's reserved-bit checks use the same
// width) and the linear address width of 4-level paging.
inline constexpr unsigned kPhysicalAddressBits = 40;
inline constexpr unsigned kLinearAddressBits = 48;

CpuidResult cpuid_query(uint32_t leaf, uint32_t subleaf);

}  // namespace emu
