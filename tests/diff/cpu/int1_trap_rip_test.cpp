// Unit tests of the INT1 trap RIP rule of the differential tests (int1_trap_rip.h): which
// cases it applies to, the two host RIPs it accepts, and that it leaves everything else
// to the ordinary comparison.
#include <catch2/catch.hpp>

#include <csignal>

#include "tests/diff/cpu/int1_trap_rip.h"

using namespace emu::diff;

namespace {

NativeResult host_db(uint64_t rip) {
  NativeResult r;
  r.outcome = NativeResult::Fault;
  r.signal = SIGTRAP;
  r.si_code = 1;  // TRAP_BRKPT
  r.vector = 1;
  r.out.rip = rip;
  return r;
}

}  // namespace

TEST_CASE("INT1 rule: applies to exactly one INT1 instruction, in every mode", "[int1]") {
  const Int1Trap t64 = int1_trap({0x66, 0x2e, 0xf1}, CpuMode::Long64);
  CHECK(t64.applies);
  CHECK(t64.start == kCodeBase);
  CHECK(t64.next == kCodeBase + 3);
  const Int1Trap t16 = int1_trap({0xf1}, CpuMode::Prot16);
  CHECK(t16.applies);
  CHECK(t16.start == 0);
  CHECK(t16.next == 1);
  CHECK(int1_trap({0xf1}, CpuMode::Compat32).next == kCodeBase + 1);
  CHECK_FALSE(int1_trap({0xcc}, CpuMode::Long64).applies);        // INT3
  CHECK_FALSE(int1_trap({0x90, 0xf1}, CpuMode::Long64).applies);  // INT1 not first
  CHECK_FALSE(int1_trap({0xf1, 0x90}, CpuMode::Long64).applies);  // more code after it
}

TEST_CASE("INT1 rule: the host's RIP at the start is replaced by the architectural one", "[int1]") {
  const Int1Trap t = int1_trap({0x36, 0xf1}, CpuMode::Long64);
  NativeResult at = host_db(kCodeBase);
  CHECK(accept_int1_host_rip(t, at) == Int1HostRip::AtInstruction);
  CHECK(at.out.rip == kCodeBase + 2);
  NativeResult after = host_db(kCodeBase + 2);
  CHECK(accept_int1_host_rip(t, after) == Int1HostRip::AfterInstruction);
  CHECK(after.out.rip == kCodeBase + 2);
}

TEST_CASE("INT1 rule: any other host report is compared as it is", "[int1]") {
  const Int1Trap t = int1_trap({0xf1}, CpuMode::Long64);
  NativeResult elsewhere = host_db(kCodeBase + 7);
  CHECK(accept_int1_host_rip(t, elsewhere) == Int1HostRip::Other);
  CHECK(elsewhere.out.rip == kCodeBase + 7);
  NativeResult gp = host_db(kCodeBase);
  gp.vector = 13;
  gp.signal = SIGSEGV;
  CHECK(accept_int1_host_rip(t, gp) == Int1HostRip::Other);
  CHECK(gp.out.rip == kCodeBase);
  NativeResult not_int1 = host_db(kCodeBase);
  CHECK(accept_int1_host_rip(int1_trap({0xcc}, CpuMode::Long64), not_int1) == Int1HostRip::NotApplicable);
  CHECK(not_int1.out.rip == kCodeBase);
}
