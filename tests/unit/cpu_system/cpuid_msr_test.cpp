// CPUID identity and extended leaves (vendor Linux recognises, address sizes that agree
// with the page walker, brand string) and the AMD MSRs Linux's K8 set-up touches;
// unknown MSRs fail (the CPU raises #GP(0)).
#include <catch2/catch.hpp>

#include <string>

#include "cpu/cpuid.h"
#include "cpu/system/msr.h"
#include "memory/page_walker.h"
#include "system_machine.h"

using namespace emu;

namespace {
std::string regs_text(std::initializer_list<uint32_t> regs) {
  std::string s;
  for (uint32_t r : regs)
    for (int i = 0; i < 4; i++) s += static_cast<char>(r >> (8 * i));
  return s;
}
}  // namespace

TEST_CASE("CPUID: AMD vendor string in leaf 0 and 0x80000000, extended leaves up to 0x80000008") {
  const CpuidResult l0 = cpuid_query(0, 0);
  CHECK(regs_text({l0.ebx, l0.edx, l0.ecx}) == "AuthenticAMD");
  const CpuidResult e0 = cpuid_query(0x80000000, 0);
  CHECK(e0.eax == 0x80000008);
  CHECK(regs_text({e0.ebx, e0.edx, e0.ecx}) == "AuthenticAMD");
  // Family 15 (K8), model 107, stepping 1: the signature in leaves 1 and 0x80000001.
  const CpuidResult l1 = cpuid_query(1, 0);
  const unsigned family = ((l1.eax >> 8) & 0xf) + ((l1.eax >> 20) & 0xff);
  const unsigned model = ((l1.eax >> 4) & 0xf) | ((l1.eax >> 12) & 0xf0);
  CHECK(family == 15);
  CHECK(model == 107);
  CHECK(cpuid_query(0x80000001, 0).eax == l1.eax);
}

TEST_CASE("CPUID 0x80000001 repeats AMD's leaf-1 aliases and keeps long mode, NX, SYSCALL, RDTSCP") {
  const uint32_t edx1 = cpuid_query(1, 0).edx;
  const uint32_t edx = cpuid_query(0x80000001, 0).edx;
  for (unsigned bit : {0u, 3u, 4u, 5u, 6u, 8u, 9u, 12u, 13u, 15u, 16u, 23u, 24u})
    CHECK(((edx >> bit) & 1) == ((edx1 >> bit) & 1));
  CHECK((edx & (1u << 29)));  // LM
  CHECK((edx & (1u << 20)));  // NX
  CHECK((edx & (1u << 11)));  // SYSCALL
  CHECK((edx & (1u << 27)));  // RDTSCP
  CHECK(!(edx & (1u << 26)));  // no 1 GiB pages: the walker is built without them here
}

TEST_CASE("CPUID 0x80000008 address sizes agree with the page walker") {
  const CpuidResult r = cpuid_query(0x80000008, 0);
  CHECK((r.eax & 0xff) == PagingContext{}.maxphyaddr);
  CHECK(((r.eax >> 8) & 0xff) == 48);  // 4-level paging
  CHECK((r.ecx & 0xff) == 0);          // one core
}

TEST_CASE("CPUID brand string: 48 bytes, NUL-terminated, printable") {
  std::string brand;
  for (uint32_t leaf = 0x80000002; leaf <= 0x80000004; leaf++) {
    const CpuidResult r = cpuid_query(leaf, 0);
    brand += regs_text({r.eax, r.ebx, r.ecx, r.edx});
  }
  REQUIRE(brand.size() == 48);
  const size_t end = brand.find('\0');
  REQUIRE(end != std::string::npos);
  CHECK(end > 0);
  for (size_t i = 0; i < end; i++) CHECK((brand[i] >= 0x20 && brand[i] < 0x7f));
}

TEST_CASE("MSRs: AMD SYSCFG and HWCR keep what is written, INT_PENDING_MSG reads 0, unknown MSRs fail") {
  test::SystemMachine m;
  uint64_t v = 1;
  REQUIRE(sys::read_msr(m.cpu, sys::msr_index::kAmdSyscfg, &v));  // Linux's MTRR code, unguarded
  CHECK(v == 0);
  v = 1;
  REQUIRE(sys::read_msr(m.cpu, sys::msr_index::kAmdHwcr, &v));
  CHECK(v == 0);
  REQUIRE(sys::write_msr(m.cpu, sys::msr_index::kAmdHwcr, 1u << 6));  // Linux: FFDIS
  REQUIRE(sys::read_msr(m.cpu, sys::msr_index::kAmdHwcr, &v));
  CHECK(v == (1u << 6));
  v = 1;
  REQUIRE(sys::read_msr(m.cpu, sys::msr_index::kAmdIntPendingMsg, &v));
  CHECK(v == 0);
  // Performance counters and the patch level are not implemented: #GP, which Linux's
  // rdmsr_safe/wrmsr_safe probes expect from hardware without them.
  CHECK(!sys::read_msr(m.cpu, 0xc0010000, &v));
  CHECK(!sys::write_msr(m.cpu, 0xc0010004, 0));
  CHECK(!sys::read_msr(m.cpu, 0x8b, &v));
}
