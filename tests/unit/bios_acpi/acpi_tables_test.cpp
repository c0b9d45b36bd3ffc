// ACPI tables: checksums, lengths, pointers between tables and the fields Linux uses,
// parsed back from the blob; then iasl (acpica-tools) must disassemble the DSDT, FADT
// and MADT without errors.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <map>
#include <set>
#include <string>
#include <unistd.h>

#include "base/endian.h"
#include "bios/acpi_tables.h"
#include "devices/acpi_pm.h"

using namespace emu;

namespace {

constexpr uint64_t kBase = 0xe0000;

struct Parsed {
  AcpiTables t;
  const uint8_t* at(uint64_t addr) const {
    REQUIRE(addr >= t.base);
    REQUIRE(addr - t.base < t.blob.size());
    return t.blob.data() + (addr - t.base);
  }
  uint32_t u32(uint64_t addr) const { return load_le32(at(addr)); }
  // Table at `addr`: header length within the blob and checksum zero.
  const uint8_t* table(uint64_t addr, const char* sig) const {
    const uint8_t* p = at(addr);
    CHECK(std::string(reinterpret_cast<const char*>(p), 4) == sig);
    uint32_t len = load_le32(p + 4);
    REQUIRE(addr - t.base + len <= t.blob.size());
    CHECK(acpi_checksum(p, len) == 0);
    CHECK(std::string(reinterpret_cast<const char*>(p + 10), 6) == "EMU   ");
    return p;
  }
};

Parsed build(const AcpiConfig& c) { return Parsed{build_acpi_tables(c, kBase)}; }

}  // namespace

TEST_CASE("RSDP, RSDT and XSDT point at checksummed tables", "[acpi]") {
  AcpiConfig c;
  c.cpu_count = 2;
  Parsed p = build(c);
  const uint8_t* rsdp = p.at(p.t.rsdp_address);
  CHECK(p.t.rsdp_address == kBase);
  CHECK(std::string(reinterpret_cast<const char*>(rsdp), 8) == "RSD PTR ");
  CHECK(acpi_checksum(rsdp, 20) == 0);
  CHECK(acpi_checksum(rsdp, 36) == 0);
  CHECK(rsdp[15] == 2);
  CHECK(p.t.rsdp == std::vector<uint8_t>(rsdp, rsdp + 36));
  CHECK(load_le32(rsdp + 20) == 36);
  uint64_t rsdt = load_le32(rsdp + 16), xsdt = load_le64(rsdp + 24);
  const uint8_t* r = p.table(rsdt, "RSDT");
  const uint8_t* x = p.table(xsdt, "XSDT");
  uint32_t n = (load_le32(r + 4) - 36) / 4;
  REQUIRE(n == 3);  // FACP, APIC, HPET
  REQUIRE((load_le32(x + 4) - 36) / 8 == n);
  std::set<std::string> seen;
  for (uint32_t i = 0; i < n; i++) {
    uint64_t a = load_le32(r + 36 + 4 * i);
    CHECK(load_le64(x + 36 + 8 * i) == a);
    std::string sig(reinterpret_cast<const char*>(p.at(a)), 4);
    p.table(a, sig.c_str());
    seen.insert(sig);
  }
  CHECK(seen == std::set<std::string>{"FACP", "APIC", "HPET"});
  // No HPET: two entries.
  c.hpet = false;
  Parsed q = build(c);
  CHECK((q.u32(q.t.tables.at("RSDT").address + 4) - 36) / 4 == 2);
  CHECK_THROWS(build_acpi_tables(c, kBase + 8));
  // A base that is not 64-byte aligned still gets an aligned FACS.
  AcpiTables odd = build_acpi_tables(c, 0x7fe0010);
  CHECK(odd.tables.at("FACS").address % 64 == 0);
  CHECK(odd.rsdp_address == 0x7fe0010);
}

TEST_CASE("FADT fields for the PM block, SCI and reset register", "[acpi]") {
  Parsed p = build(AcpiConfig{});
  uint64_t fadt_addr = p.t.tables.at("FACP").address;
  const uint8_t* f = p.table(fadt_addr, "FACP");
  CHECK(load_le32(f + 4) == 268);  // revision 5 length
  CHECK(f[8] == 5);
  uint64_t facs = load_le32(f + 36), dsdt = load_le32(f + 40);
  CHECK(load_le64(f + 132) == facs);
  CHECK(load_le64(f + 140) == dsdt);
  CHECK(facs % 64 == 0);
  CHECK(std::string(reinterpret_cast<const char*>(p.at(facs)), 4) == "FACS");
  CHECK(p.u32(facs + 4) == 64);
  p.table(dsdt, "DSDT");
  CHECK(load_le16(f + 46) == AcpiPm::kSciIrq);
  CHECK(load_le32(f + 48) == 0);  // no SMI_CMD: always in ACPI mode
  CHECK(load_le32(f + 56) == AcpiPm::kDefaultBase + AcpiPm::kPm1EvtOffset);
  CHECK(load_le32(f + 64) == AcpiPm::kDefaultBase + AcpiPm::kPm1CntOffset);
  CHECK(load_le32(f + 76) == AcpiPm::kDefaultBase + AcpiPm::kPmTmrOffset);
  CHECK(f[88] == 4);
  CHECK(f[89] == 2);
  CHECK(f[91] == 4);
  uint32_t flags = load_le32(f + 112);
  CHECK((flags & (1u << 10)) != 0);  // RESET_REG_SUP
  CHECK((flags & (1u << 8)) == 0);   // 24-bit PM timer
  CHECK((flags & (1u << 4)) == 0);   // fixed-feature power button present
  CHECK(f[116] == 1);                // reset register in system I/O
  CHECK(load_le64(f + 120) == 0xcf9);
  CHECK(f[128] == 0x06);
  CHECK((load_le16(f + 109) & 2) != 0);  // IAPC_BOOT_ARCH: 8042 present
  CHECK(load_le64(f + 148 + 4) == 0x600);  // X_PM1a_EVT_BLK
  CHECK(f[148 + 1] == 32);
  CHECK(load_le64(f + 208 + 4) == 0x608);  // X_PM_TMR_BLK
}

TEST_CASE("MADT: one local APIC per CPU, IOAPIC after them, overrides and NMI", "[acpi]") {
  AcpiConfig c;
  c.cpu_count = 4;
  Parsed p = build(c);
  const uint8_t* m = p.table(p.t.tables.at("APIC").address, "APIC");
  uint32_t len = load_le32(m + 4);
  CHECK(load_le32(m + 36) == 0xfee00000u);
  CHECK((load_le32(m + 40) & 1) == 1);
  unsigned lapics = 0, ioapics = 0, nmis = 0;
  std::map<unsigned, std::pair<unsigned, unsigned>> overrides;  // irq -> gsi, flags
  for (uint32_t off = 44; off < len;) {
    uint8_t type = m[off], l = m[off + 1];
    REQUIRE(l >= 2);
    REQUIRE(off + l <= len);
    if (type == 0) {
      CHECK(l == 8);
      CHECK(m[off + 3] == lapics);  // APIC ID
      CHECK(load_le32(m + off + 4) == 1);
      lapics++;
    } else if (type == 1) {
      CHECK(l == 12);
      CHECK(m[off + 2] == 4);  // ID after the 4 CPUs
      CHECK(load_le32(m + off + 4) == 0xfec00000u);
      CHECK(load_le32(m + off + 8) == 0);
      ioapics++;
    } else if (type == 2) {
      CHECK(l == 10);
      overrides[m[off + 3]] = {load_le32(m + off + 4), load_le16(m + off + 8)};
    } else if (type == 4) {
      CHECK(l == 6);
      CHECK(m[off + 5] == 1);  // LINT1
      nmis++;
    }
    off += l;
  }
  CHECK(lapics == 4);
  CHECK(ioapics == 1);
  CHECK(nmis == 1);
  REQUIRE(overrides.count(0));
  CHECK(overrides[0].first == 2);
  REQUIRE(overrides.count(9));
  CHECK(overrides[9].first == 9);
  CHECK(overrides[9].second == 0x000d);  // level, active high
  CHECK(overrides.count(1) == 0);
}

TEST_CASE("HPET table", "[acpi]") {
  Parsed p = build(AcpiConfig{});
  const uint8_t* h = p.table(p.t.tables.at("HPET").address, "HPET");
  CHECK(load_le32(h + 4) == 56);
  CHECK(h[40] == 0);  // system memory
  CHECK(load_le64(h + 44) == 0xfed00000u);
}

TEST_CASE("DSDT \\_S5 carries the sleep type the PM block powers off on", "[acpi]") {
  AcpiConfig c;
  c.s5_sleep_type = AcpiPm::kSlpTypS5;
  std::vector<uint8_t> d = build_dsdt(c);
  CHECK(acpi_checksum(d.data(), d.size()) == 0);
  CHECK(load_le32(d.data() + 4) == d.size());
  CHECK(d[8] == 2);
  // Name(\_S5, Package(4){typ, typ, 0, 0}): 08 5C "_S5_" 12 len 04 ...
  std::string s(d.begin(), d.end());
  size_t at = s.find(std::string("\x08\\_S5_", 6));
  REQUIRE(at != std::string::npos);
  CHECK(d[at + 6] == 0x12);
  CHECK(d[at + 8] == 4);
  CHECK(d[at + 9] == (AcpiPm::kSlpTypS5 == 0 ? 0x00 : 0x0a));
  // The root bridge and the legacy devices are declared.
  for (auto hid : {std::string("\x0c\x41\xd0\x0a\x03", 5), std::string("\x0c\x41\xd0\x03\x03", 5),
                   std::string("\x0c\x41\xd0\x05\x01", 5), std::string("\x0c\x41\xd0\x0b\x00", 5)})
    CHECK(s.find(hid) != std::string::npos);
  // _PRT: slot 3 INTA reaches PIRQC on the i440FX (QEMU's e1000 gets LNKC):
  // Package(4){0x0003FFFF, Zero, \_SB.LNKC, Zero}.
  const char prt_slot3_inta[] = "\x12\x13\x04\x0c\xff\xff\x03\x00\x00\\\x2e_SB_LNKC\x00";
  CHECK(s.find(std::string(prt_slot3_inta, sizeof prt_slot3_inta - 1)) != std::string::npos);
  // Link C holds PIRQC's IRQ: Interrupt(Consumer, Level, ActiveHigh, Shared){11}.
  CHECK(s.find(std::string("\x89\x06\x00\x09\x01\x0b\x00\x00\x00", 9)) != std::string::npos);
  c.pirq_irqs[0] = 2;
  CHECK_THROWS(build_dsdt(c));
  c.pirq_irqs[0] = 10;
  c.low_ram_size = 0xff000000ull;  // above the hole's end
  CHECK_THROWS(build_dsdt(c));
}

namespace {

bool have_iasl() { return std::system("iasl -v > /dev/null 2>&1") == 0; }

// Writes `bytes` to <dir>/<name>.dat, runs `iasl -d` there and returns the .dsl text
// (empty when iasl failed).
std::string disassemble(const std::filesystem::path& dir, const std::string& name, const std::vector<uint8_t>& bytes,
                        std::string* log) {
  auto file = dir / (name + ".dat");
  std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));
  std::string cmd = "cd '" + dir.string() + "' && iasl -d " + name + ".dat > " + name + ".log 2>&1";
  int rc = std::system(cmd.c_str());
  std::ifstream lf(dir / (name + ".log"));
  std::stringstream ls;
  ls << lf.rdbuf();
  *log = ls.str();
  if (rc != 0) return {};
  std::ifstream in(dir / (name + ".dsl"));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<uint8_t> slice(const AcpiTables& t, const char* sig) {
  auto e = t.tables.at(sig);
  auto b = t.blob.begin() + static_cast<std::ptrdiff_t>(e.address - t.base);
  return {b, b + e.length};
}

}  // namespace

TEST_CASE("iasl disassembles the DSDT, FADT and MADT without errors", "[acpi][iasl]") {
  if (!have_iasl()) {
    WARN("iasl not found (Debian package acpica-tools): skipping the disassembly checks");
    return;
  }
  AcpiConfig c;
  c.cpu_count = 2;
  c.low_ram_size = 512ull << 20;
  AcpiTables t = build_acpi_tables(c, kBase);
  auto dir = std::filesystem::temp_directory_path() / ("emu_acpi_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string log;

  std::string dsdt = disassemble(dir, "dsdt", slice(t, "DSDT"), &log);
  INFO(log);
  REQUIRE_FALSE(dsdt.empty());
  CHECK(log.find("Error") == std::string::npos);
  CHECK(dsdt.find("PNP0A03") != std::string::npos);
  CHECK(dsdt.find("PNP0303") != std::string::npos);
  CHECK(dsdt.find("PNP0F13") != std::string::npos);
  CHECK(dsdt.find("PNP0501") != std::string::npos);
  CHECK(dsdt.find("PNP0B00") != std::string::npos);
  CHECK(dsdt.find("PNP0103") != std::string::npos);
  CHECK(dsdt.find("_S5_") != std::string::npos);
  CHECK(dsdt.find("PNP0C0F") != std::string::npos);
  CHECK(dsdt.find("Interrupt (ResourceConsumer, Level, ActiveHigh, Shared") != std::string::npos);
  CHECK(dsdt.find("Name (_PRT, Package (0x80)") != std::string::npos);
  CHECK(dsdt.find("0x20000000,         // Range Minimum") != std::string::npos);  // hole start = 512 MiB
  CHECK(dsdt.find("0xFEBFFFFF,         // Range Maximum") != std::string::npos);
  // Recompiling the disassembly must succeed too.
  std::string cmd = "cd '" + dir.string() + "' && iasl -p recompiled dsdt.dsl > recompile.log 2>&1";
  CHECK(std::system(cmd.c_str()) == 0);

  std::string fadt = disassemble(dir, "facp", slice(t, "FACP"), &log);
  INFO(log);
  REQUIRE_FALSE(fadt.empty());
  CHECK(log.find("Error") == std::string::npos);
  CHECK(fadt.find("Reset Register Supported") != std::string::npos);

  std::string madt = disassemble(dir, "apic", slice(t, "APIC"), &log);
  INFO(log);
  REQUIRE_FALSE(madt.empty());
  CHECK(madt.find("Interrupt Source Override") != std::string::npos);
  CHECK(madt.find("Local APIC NMI") != std::string::npos);

  std::filesystem::remove_all(dir);
}
