// ACPI PM block at 0x600: PM timer values against the 3.579545 MHz definition,
// RW1C status, SCI on IRQ 9, and the S5 shutdown path.
#include <catch2/catch.hpp>

#include "devices/acpi_pm.h"
#include "memory/io_space.h"
#include "test_io.h"

using namespace emu;

namespace {
struct Rig {
  uint64_t now = 0;
  IoSpace io;
  RecordingMachineControl mc;
  AcpiPm pm{[this] { return now; }, &mc};
  test::RecordingIrqSink pic;
  Rig() {
    io.map(AcpiPm::kDefaultBase, AcpiPm::kPortCount, &pm, "acpi-pm");
    pm.sci().connect(&pic, AcpiPm::kSciIrq);
  }
};
}  // namespace

TEST_CASE("PM timer counts at 3.579545 MHz and wraps at 24 bits", "[acpi-pm]") {
  Rig r;
  CHECK(r.io.read(0x608, 4) == 0);
  r.now = 1000000000;  // one second
  CHECK(r.io.read(0x608, 4) == 3579545u);
  r.now = 279;  // 279 ns * 3.579545 MHz = 0.9987 tick -> still 0
  CHECK(r.io.read(0x608, 4) == 0);
  r.now = 280;  // 1.0023 tick
  CHECK(r.io.read(0x608, 4) == 1);
  // 2^24 ticks = 2^24 * 1e9 / 3579545 ns = 4686968874.54 ns: the counter wraps there.
  r.now = 4686968874ull;
  CHECK(r.io.read(0x608, 4) == 0xffffffu);
  r.now = 4686968875ull;
  CHECK(r.io.read(0x608, 4) == 0u);
  // Byte reads see the same counter.
  r.now = 1000000000;
  CHECK(r.io.read(0x608, 1) == (3579545u & 0xff));
  CHECK(r.io.read(0x60a, 1) == ((3579545u >> 16) & 0xff));
  // Monotonic across an hour of nanosecond steps sampled sparsely.
  r.now = 0;
  uint64_t prev = 0, wraps = 0;
  for (uint64_t t = 0; t < 3600ull * 1000000000ull; t += 7777777) {
    r.now = t;
    uint64_t cur = r.io.read(0x608, 4);
    if (cur < prev) wraps++;
    prev = cur;
  }
  CHECK(wraps == 3600ull * 3579545ull / (1u << 24));
}

TEST_CASE("SCI_EN reads as set with no SMI command port", "[acpi-pm]") {
  Rig r;
  CHECK((r.io.read(0x604, 2) & AcpiPm::kSciEn) != 0);
  r.io.write(0x604, 2, 0);
  CHECK((r.io.read(0x604, 2) & AcpiPm::kSciEn) != 0);
}

TEST_CASE("timer overflow raises SCI only when enabled; status is RW1C", "[acpi-pm]") {
  Rig r;
  r.now = 3000000000ull;  // past the first MSB toggle (2^23 ticks = 2.34 s)
  CHECK((r.io.read(0x600, 2) & AcpiPm::kTmrSts) != 0);
  CHECK_FALSE(r.pic.level[9]);  // TMR_EN clear
  r.io.write(0x602, 2, AcpiPm::kTmrSts);  // TMR_EN
  CHECK(r.pic.level[9]);
  r.io.write(0x600, 2, AcpiPm::kPwrBtnSts);  // clearing another bit leaves it
  CHECK(r.pic.level[9]);
  r.io.write(0x600, 2, AcpiPm::kTmrSts);
  CHECK_FALSE(r.pic.level[9]);
  CHECK((r.io.read(0x600, 2) & AcpiPm::kTmrSts) == 0);
  // The board's deadline is the next MSB toggle: just before it nothing, at it SCI.
  uint64_t d = r.pm.next_deadline_ns();
  CHECK(d > r.now);
  CHECK(d < r.now + 2400000000ull);
  r.now = d - 1;
  r.pm.update();
  CHECK_FALSE(r.pic.level[9]);
  r.now = d;
  r.pm.update();
  CHECK(r.pic.level[9]);
}

TEST_CASE("power button event goes through PWRBTN_EN", "[acpi-pm]") {
  Rig r;
  r.pm.press_power_button();
  CHECK_FALSE(r.pic.level[9]);
  r.io.write(0x602, 2, AcpiPm::kPwrBtnSts);
  CHECK(r.pic.level[9]);
  r.io.write(0x601, 1, AcpiPm::kPwrBtnSts >> 8);  // byte write clears it
  CHECK_FALSE(r.pic.level[9]);
}

TEST_CASE("SLP_EN with the S5 type powers off, other types do not", "[acpi-pm]") {
  Rig r;
  r.io.write(0x604, 2, (1u << AcpiPm::kSlpTypShift) | AcpiPm::kSlpEn);  // S1-like: ignored
  CHECK(r.mc.requests.empty());
  r.io.write(0x604, 2, (AcpiPm::kSlpTypS5 << AcpiPm::kSlpTypShift) | AcpiPm::kSciEn);  // no SLP_EN
  CHECK(r.mc.requests.empty());
  r.io.write(0x604, 2, (AcpiPm::kSlpTypS5 << AcpiPm::kSlpTypShift) | AcpiPm::kSlpEn | AcpiPm::kSciEn);
  REQUIRE(r.mc.shutdowns() == 1);
  CHECK(r.mc.requests[0].exit_status == 0);
  CHECK((r.io.read(0x604, 2) & AcpiPm::kSlpEn) == 0);  // write-only bit
}
