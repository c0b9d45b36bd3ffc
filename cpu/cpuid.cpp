// CPUID leaves of the emulated CPU (see cpuid.h for the policy).
#include "cpu/cpuid.h"

#include <cstring>

namespace emu {

static uint32_t chars4(const char* s) {
  return uint32_t(uint8_t(s[0])) | uint32_t(uint8_t(s[1])) << 8 | uint32_t(uint8_t(s[2])) << 16 |
         uint32_t(uint8_t(s[3])) << 24;
}

CpuidResult cpuid_query(uint32_t leaf, uint32_t subleaf) {
  // AMD's vendor string, as QEMU's default TCG model (qemu64) reports: Linux then runs
  // its K8 set-up, whose MSRs cpu/system/msr.cpp implements or refuses with #GP where
  // Linux probes them with the safe accessors.
  static const char kVendor[] = "AuthenticAMD";  // EBX, EDX, ECX order
  static const char kBrand[48] = "emu x86-64 interpreter";
  CpuidResult r;
  switch (leaf) {
    case 0:
      r.eax = 7;  // leaves 2-6 report nothing (zeros)
      r.ebx = chars4(kVendor);
      r.edx = chars4(kVendor + 4);
      r.ecx = chars4(kVendor + 8);
      break;
    case 1:
      r.eax = kCpuidSignature;
      r.ebx = 0;           // APIC ID 0, no CLFLUSH line size advertised
      r.edx = (1u << 4)    // TSC
              | (1u << 8)  // CMPXCHG8B
              | (1u << 15)   // CMOV
              | (1u << 0) | (1u << 23) | (1u << 24)  // FPU, MMX, FXSR (x87 helper)
              | (1u << 25) | (1u << 26)              // SSE, SSE2
              // System features (cpu/system/, cpu-system helper):
              | (1u << 2) | (1u << 3) | (1u << 5) | (1u << 6)     // DE, PSE, MSR, PAE
              | (1u << 9) | (1u << 11) | (1u << 12) | (1u << 13)  // APIC, SEP, MTRR, PGE
              | (1u << 16);                                       // PAT
      r.ecx = (1u << 0) | (1u << 9)     // SSE3, SSSE3 (not MONITOR/MWAIT: bit 3 stays 0)
              | (1u << 19) | (1u << 20)  // SSE4.1, SSE4.2 (cpu/sem/sse4.h)
              | (1u << 13)   // CMPXCHG16B
              | (1u << 22)   // MOVBE
              | (1u << 23)   // POPCNT
              | (1u << 30)   // RDRAND (cpu/sem/random.h)
              | (1u << 31);  // hypervisor: a virtual machine (Linux then skips the PMU, which emu lacks)
      break;
    case 7:  // structured extended features: subleaf 0 only (EAX = highest subleaf 0)
      if (subleaf == 0) r.ebx = 1u << 18;  // RDSEED (cpu/sem/random.h)
      break;
    case 0x80000000:  // highest extended leaf; AMD repeats the vendor string here
      r.eax = kCpuidMaxExtendedLeaf;
      r.ebx = chars4(kVendor);
      r.edx = chars4(kVendor + 4);
      r.ecx = chars4(kVendor + 8);
      break;
    case 0x80000001:
      r.eax = kCpuidSignature;
      r.ecx = (1u << 0)   // LAHF/SAHF in 64-bit mode
              | (1u << 5);  // LZCNT
      r.edx = (1u << 27)  // RDTSCP
              | (1u << 29)   // long mode
              | (1u << 11) | (1u << 20);  // SYSCALL/SYSRET, NX (cpu/system/)
      // AMD repeats leaf 1 EDX bits 0-9, 12-17, 23 and 24 (FPU..APIC, MTRR..PSE36, MMX, FXSR).
      r.edx |= cpuid_query(1, 0).edx & 0x0183f3ffu;
      break;
    case 0x80000002: case 0x80000003: case 0x80000004: {
      const char* p = kBrand + (leaf - 0x80000002) * 16;
      r.eax = chars4(p);
      r.ebx = chars4(p + 4);
      r.ecx = chars4(p + 8);
      r.edx = chars4(p + 12);
      break;
    }
    case 0x80000005:  // L1 cache/TLB and L2/L3 descriptions: not reported (zeros)
    case 0x80000006:
      break;
    case 0x80000007:
      r.edx = 1u << 8;  // invariant TSC: the TSC follows the board clock at a fixed rate
      break;
    case 0x80000008:  // address sizes: what memory/page_walker checks and the memory map fits in
      r.eax = kPhysicalAddressBits | kLinearAddressBits << 8;
      break;             // EBX: no extended features; ECX: one core
    default: break;  // unknown leaves return zeros
  }
  return r;
}

}  // namespace emu
