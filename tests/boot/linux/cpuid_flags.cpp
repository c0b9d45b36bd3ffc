// Prints the /proc/cpuinfo flag names of the CPUID bits emu advertises (cpu/cpuid.cpp),
// one line, for the boot test to compare with what Linux shows. A set bit without a
// name here is printed as "unnamed-<leaf>-<reg>-<bit>" so the comparison fails until
// this table learns it (the names are Linux's, arch/x86/include/asm/cpufeatures.h).
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "cpu/cpuid.h"

namespace {

struct Word {
  uint32_t leaf;
  char reg;              // 'b', 'c', 'd'
  const char* names[32];  // "" for bits Linux does not show
};

const Word kWords[] = {
    {1, 'd', {"fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "", "sep", "mtrr", "pge", "mca",
              "cmov", "pat", "pse36", "pn", "clflush", "", "dts", "acpi", "mmx", "fxsr", "sse", "sse2", "ss", "ht",
              "tm", "ia64", "pbe"}},
    {1, 'c', {"pni", "pclmulqdq", "dtes64", "monitor", "ds_cpl", "vmx", "smx", "est", "tm2", "ssse3", "cid", "sdbg",
              "fma", "cx16", "xtpr", "pdcm", "", "pcid", "dca", "sse4_1", "sse4_2", "x2apic", "movbe", "popcnt",
              "tsc_deadline_timer", "aes", "xsave", "", "avx", "f16c", "rdrand", "hypervisor"}},
    {7, 'b', {"fsgsbase", "tsc_adjust", "sgx", "bmi1", "hle", "avx2", "", "smep", "bmi2", "erms", "invpcid", "rtm",
              "cqm", "", "mpx", "rdt_a", "avx512f", "avx512dq", "rdseed", "adx", "smap", "avx512ifma", "",
              "clflushopt", "clwb", "intel_pt", "avx512pf", "avx512er", "avx512cd", "sha_ni", "avx512bw", "avx512vl"}},
    // AMD's repeats of leaf-1 EDX bits have no names of their own.
    {0x80000001, 'd', {"", "", "", "", "", "", "", "", "", "", "", "syscall", "", "", "", "", "", "", "", "mp", "nx",
                       "", "mmxext", "", "", "fxsr_opt", "pdpe1gb", "rdtscp", "", "lm", "3dnowext", "3dnow"}},
    {0x80000001, 'c', {"lahf_lm", "cmp_legacy", "svm", "extapic", "cr8_legacy", "abm", "sse4a", "misalignsse",
                       "3dnowprefetch", "osvw", "ibs", "xop", "skinit", "wdt", "", "lwp", "fma4", "tce", "",
                       "nodeid_msr", "", "tbm", "topoext", "perfctr_core", "perfctr_nb", "", "bpext", "ptsc",
                       "perfctr_llc", "mwaitx", "", ""}},
};

bool amd_alias(const Word& w, unsigned bit) {
  return w.leaf == 0x80000001 && w.reg == 'd' && ((0x0183f3ffu >> bit) & 1);
}

}  // namespace

int main() {
  std::vector<std::string> flags;
  const uint32_t max_basic = emu::cpuid_query(0, 0).eax;
  const uint32_t max_ext = emu::cpuid_query(0x80000000, 0).eax;
  for (const Word& w : kWords) {
    if (w.leaf < 0x80000000 ? w.leaf > max_basic : w.leaf > max_ext) continue;
    const emu::CpuidResult r = emu::cpuid_query(w.leaf, 0);
    const uint32_t v = w.reg == 'b' ? r.ebx : w.reg == 'c' ? r.ecx : r.edx;
    for (unsigned bit = 0; bit < 32; bit++) {
      if (!((v >> bit) & 1) || amd_alias(w, bit)) continue;
      if (w.names[bit][0]) {
        flags.push_back(w.names[bit]);
      } else {
        char buf[48];
        std::snprintf(buf, sizeof buf, "unnamed-%x-e%cx-%u", w.leaf, w.reg, bit);
        flags.push_back(buf);
      }
    }
  }
  // Invariant TSC (0x80000007 EDX bit 8): Linux shows it as these two.
  if (max_ext >= 0x80000007 && (emu::cpuid_query(0x80000007, 0).edx & (1u << 8))) {
    flags.push_back("constant_tsc");
    flags.push_back("nonstop_tsc");
  }
  for (size_t i = 0; i < flags.size(); i++) std::printf("%s%s", i ? " " : "", flags[i].c_str());
  std::printf("\n");
  return 0;
}
