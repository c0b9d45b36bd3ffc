// ACPI table construction (see acpi_tables.h). Layouts follow the ACPI 6.x
// specification, chapter 5.2; the FADT is revision 5 (268 bytes).
#include "bios/acpi_tables.h"

#include <cstring>
#include <stdexcept>
#include <string>

#include "base/endian.h"
#include "bios/aml_builder.h"

namespace emu {

namespace {

constexpr char kOemId[7] = "EMU   ";
constexpr uint32_t kOemRevision = 1, kCreatorRevision = 1;
constexpr size_t kHeaderSize = 36;

using Bytes = std::vector<uint8_t>;

void put(Bytes& b, size_t at, uint64_t v, unsigned n) {
  for (unsigned i = 0; i < n; i++) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}
void push(Bytes& b, uint64_t v, unsigned n) {
  for (unsigned i = 0; i < n; i++) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// Fills in the standard description header at the start of `t` (whose first 36 bytes
// are reserved for it) and the checksum.
void finish_table(Bytes& t, const char* signature, uint8_t revision, const char* oem_table_id) {
  std::memcpy(&t[0], signature, 4);
  put(t, 4, t.size(), 4);
  t[8] = revision;
  t[9] = 0;
  std::memcpy(&t[10], kOemId, 6);
  char table_id[9] = "        ";
  std::memcpy(table_id, oem_table_id, std::min<size_t>(8, std::strlen(oem_table_id)));
  std::memcpy(&t[16], table_id, 8);
  put(t, 24, kOemRevision, 4);
  std::memcpy(&t[28], "EMU ", 4);
  put(t, 32, kCreatorRevision, 4);
  t[9] = static_cast<uint8_t>(0x100 - acpi_checksum(t.data(), t.size()));
}

// Generic Address Structure in system I/O space.
void put_gas_io(Bytes& b, size_t at, uint8_t bit_width, uint8_t access_size, uint64_t address) {
  b[at] = 1;  // SystemIO
  b[at + 1] = bit_width;
  b[at + 2] = 0;
  b[at + 3] = access_size;
  put(b, at + 4, address, 8);
}

Bytes build_facs() {
  Bytes t(64, 0);
  std::memcpy(&t[0], "FACS", 4);
  put(t, 4, 64, 4);
  t[32] = 2;  // version
  return t;  // no checksum: FACS has none
}

Bytes build_fadt(const AcpiConfig& c, uint64_t facs, uint64_t dsdt) {
  Bytes t(268, 0);
  put(t, 36, facs, 4);   // FIRMWARE_CTRL
  put(t, 40, dsdt, 4);   // DSDT
  t[45] = 0;             // preferred PM profile: unspecified
  put(t, 46, c.sci_irq, 2);
  put(t, 48, 0, 4);      // SMI_CMD = 0: no SMM, always in ACPI mode
  put(t, 56, c.pm_base + 0x00u, 4);  // PM1a_EVT_BLK
  put(t, 64, c.pm_base + 0x04u, 4);  // PM1a_CNT_BLK
  put(t, 76, c.pm_base + 0x08u, 4);  // PM_TMR_BLK
  t[88] = 4;             // PM1_EVT_LEN
  t[89] = 2;             // PM1_CNT_LEN
  t[91] = 4;             // PM_TMR_LEN
  put(t, 96, 0x0fff, 2);   // P_LVL2_LAT > 100: C2 not supported
  put(t, 98, 0x0fff, 2);   // P_LVL3_LAT > 1000: C3 not supported
  t[108] = 0x32;         // CENTURY: CMOS register 0x32
  put(t, 109, 0x0003, 2);  // IAPC_BOOT_ARCH: LEGACY_DEVICES | 8042
  constexpr uint32_t kWbinvd = 1u << 0, kProcC1 = 1u << 2, kSlpButton = 1u << 5, kRtcS4 = 1u << 7;
  constexpr uint32_t kResetRegSup = 1u << 10;
  put(t, 112, kWbinvd | kProcC1 | kSlpButton | kRtcS4 | kResetRegSup, 4);
  put_gas_io(t, 116, 8, 1, 0xcf9);  // RESET_REG
  t[128] = 0x06;                    // RESET_VALUE: hard reset
  t[131] = 1;                       // FADT minor version (5.1)
  put(t, 132, facs, 8);             // X_FIRMWARE_CTRL
  put(t, 140, dsdt, 8);             // X_DSDT
  put_gas_io(t, 148, 32, 2, c.pm_base + 0x00u);  // X_PM1a_EVT_BLK
  put_gas_io(t, 172, 16, 2, c.pm_base + 0x04u);  // X_PM1a_CNT_BLK
  put_gas_io(t, 208, 32, 3, c.pm_base + 0x08u);  // X_PM_TMR_BLK
  finish_table(t, "FACP", 5, "EMUFACP");
  return t;
}

Bytes build_madt(const AcpiConfig& c) {
  Bytes t(kHeaderSize, 0);
  push(t, c.local_apic_address, 4);
  push(t, 1, 4);  // PCAT_COMPAT: dual 8259s present
  for (unsigned cpu = 0; cpu < c.cpu_count; cpu++) {
    push(t, 0, 1);  // Processor Local APIC
    push(t, 8, 1);
    push(t, cpu, 1);  // ACPI processor UID
    push(t, cpu, 1);  // APIC ID
    push(t, 1, 4);    // enabled
  }
  push(t, 1, 1);  // I/O APIC
  push(t, 12, 1);
  push(t, c.cpu_count, 1);  // I/O APIC ID follows the CPUs
  push(t, 0, 1);
  push(t, c.ioapic_address, 4);
  push(t, 0, 4);  // GSI base
  auto iso = [&](uint8_t irq, uint32_t gsi, uint16_t flags) {
    push(t, 2, 1);  // Interrupt Source Override
    push(t, 10, 1);
    push(t, 0, 1);  // bus: ISA
    push(t, irq, 1);
    push(t, gsi, 4);
    push(t, flags, 2);
  };
  iso(0, 2, 0);  // the PIT's IRQ 0 is IOAPIC pin 2; conforming polarity/trigger
  constexpr uint16_t kLevelActiveHigh = 0x000d;  // polarity 01 (high), trigger 11 (level)
  for (uint8_t irq = 1; irq < 16; irq++)
    if (c.pci_irq_mask & (1u << irq)) iso(irq, irq, kLevelActiveHigh);
  push(t, 4, 1);  // Local APIC NMI: all processors, LINT1
  push(t, 6, 1);
  push(t, 0xff, 1);
  push(t, 0, 2);
  push(t, 1, 1);
  finish_table(t, "APIC", 3, "EMUAPIC");
  return t;
}

Bytes build_hpet(const AcpiConfig& c) {
  Bytes t(56, 0);
  put(t, 36, c.hpet_block_id, 4);
  t[40] = 0;  // SystemMemory
  t[41] = 64;
  t[42] = 0;
  t[43] = 0;
  put(t, 44, c.hpet_address, 8);
  t[52] = 0;               // HPET number
  put(t, 53, 0x0080, 2);   // minimum clock tick in periodic mode
  t[55] = 0;               // no page protection
  finish_table(t, "HPET", 1, "EMUHPET");
  return t;
}

Bytes build_sdt(const char* sig, const std::vector<uint64_t>& entries, unsigned width) {
  Bytes t(kHeaderSize, 0);
  for (uint64_t e : entries) push(t, e, width);
  finish_table(t, sig, 1, width == 4 ? "EMURSDT" : "EMUXSDT");
  return t;
}

}  // namespace

uint8_t acpi_checksum(const uint8_t* data, size_t len) {
  uint8_t sum = 0;
  for (size_t i = 0; i < len; i++) sum = static_cast<uint8_t>(sum + data[i]);
  return sum;
}

std::vector<uint8_t> build_dsdt(const AcpiConfig& c) {
  using namespace aml;
  if (c.low_ram_size == 0 || c.low_ram_size > c.pci_hole_end || c.pci_hole_end > 0xffffffffull)
    throw std::invalid_argument("ACPI: low RAM must end below the PCI hole");
  auto sta_present = name("_STA", integer(0x0f));
  Bytes pci_crs = resource_template({
      word_bus_number(0x00, 0xff),
      io(0x0cf8, 0x0cf8, 0x01, 0x08),  // the configuration ports, consumed by the bridge
      word_io(0x0000, 0x0cf7),
      word_io(0x0d00, 0xffff),
      dword_memory(0x000a0000, 0x000bffff, true, true),  // VGA window
      dword_memory(static_cast<uint32_t>(c.low_ram_size), static_cast<uint32_t>(c.pci_hole_end), false, true),
  });
  Bytes isa = device("ISA", join({
      name("_ADR", integer(0x00010000)),  // 00:01.0
      device("KBD", join({name("_HID", eisa_id("PNP0303")), sta_present,
                          name("_CRS", resource_template({io(0x60, 0x60, 1, 1), io(0x64, 0x64, 1, 1),
                                                          irq_no_flags({1})}))})),
      device("MOU", join({name("_HID", eisa_id("PNP0F13")), sta_present,
                          name("_CRS", resource_template({irq_no_flags({12})}))})),
      device("COM1", join({name("_HID", eisa_id("PNP0501")), name("_UID", integer(1)), sta_present,
                           name("_CRS", resource_template({io(0x3f8, 0x3f8, 0, 8), irq_no_flags({4})}))})),
      device("RTC", join({name("_HID", eisa_id("PNP0B00")),
                          name("_CRS", resource_template({io(0x70, 0x70, 1, 8), irq_no_flags({8})}))})),
      device("PIT", join({name("_HID", eisa_id("PNP0100")),
                          name("_CRS", resource_template({io(0x40, 0x40, 1, 4), irq_no_flags({0})}))})),
      device("PIC", join({name("_HID", eisa_id("PNP0000")),
                          name("_CRS", resource_template({io(0x20, 0x20, 1, 2), io(0xa0, 0xa0, 1, 2),
                                                          irq_no_flags({2})}))})),
  }));
  // _PRT: every slot's INTA-D goes to link PIRQ[(slot + pin - 1) & 3], the i440FX
  // board swizzle (Piix3Isa::pirq_for).
  static constexpr const char* kLinks[4] = {"\\_SB.LNKA", "\\_SB.LNKB", "\\_SB.LNKC", "\\_SB.LNKD"};
  std::vector<Bytes> prt;
  for (uint32_t slot = 0; slot < 32; slot++)
    for (uint32_t pin = 0; pin < 4; pin++)
      prt.push_back(package({integer((slot << 16) | 0xffff), integer(pin), name_ref(kLinks[(slot + pin + 3) & 3]),
                             integer(0)}));
  Bytes pci0 = device("PCI0", join({
      name("_HID", eisa_id("PNP0A03")),
      name("_ADR", integer(0)),
      name("_UID", integer(0)),
      name("_CRS", pci_crs),
      name("_PRT", package(prt)),
      isa,
  }));
  Bytes sb_body = pci0;
  // Link devices with a fixed IRQ each: _PRS offers only the current one and _SRS
  // accepts it, so Linux's IRQ balancing keeps what the PIIX3 is programmed with.
  for (unsigned i = 0; i < 4; i++) {
    uint8_t irq = c.pirq_irqs[i];
    if (irq < 3 || irq > 15 || irq == 8 || irq == 13) throw std::invalid_argument("ACPI: PIRQ IRQ not routable");
    Bytes res = resource_template({extended_interrupt(true, true, true, {irq})});
    append(sb_body, device(std::string("LNK") + static_cast<char>('A' + i), join({
        name("_HID", eisa_id("PNP0C0F")),
        name("_UID", integer(i)),
        name("_STA", integer(0x0b)),  // present, enabled, functioning (not shown in UI)
        name("_PRS", res),
        name("_CRS", res),
        method("_SRS", 1, false, {}),
        method("_DIS", 0, false, {}),
    })));
  }
  if (c.hpet) {
    append(sb_body, device("HPET", join({
        name("_HID", eisa_id("PNP0103")), name("_UID", integer(0)), sta_present,
        name("_CRS", resource_template({memory32_fixed(c.hpet_address, 0x400, false)})),
    })));
  }
  Bytes body = join({
      scope("\\_SB", sb_body),
      // \_S5: SLP_TYPa, SLP_TYPb (the values AcpiPm powers off on), two reserved.
      name("\\_S5", package({integer(c.s5_sleep_type), integer(c.s5_sleep_type), integer(0), integer(0)})),
  });
  Bytes t(kHeaderSize, 0);
  append(t, body);
  finish_table(t, "DSDT", 2, "EMUDSDT");  // revision 2: 64-bit integers
  return t;
}

AcpiTables build_acpi_tables(const AcpiConfig& c, uint64_t base) {
  if (base & 15) throw std::invalid_argument("ACPI: RSDP must be 16-byte aligned");
  if (c.cpu_count == 0 || c.cpu_count > 254) throw std::invalid_argument("ACPI: cpu count out of range");
  AcpiTables out;
  out.base = base;
  out.rsdp_address = base;
  Bytes& blob = out.blob;
  blob.assign(36, 0);  // RSDP; the FACS after it is placed 64-byte aligned
  auto place = [&](const char* sig, const Bytes& table, size_t align) {
    while ((base + blob.size()) % align) blob.push_back(0);
    uint64_t addr = base + blob.size();
    blob.insert(blob.end(), table.begin(), table.end());
    out.tables[sig] = {addr, static_cast<uint32_t>(table.size())};
    return addr;
  };
  uint64_t facs = place("FACS", build_facs(), 64);
  uint64_t dsdt = place("DSDT", build_dsdt(c), 16);
  std::vector<uint64_t> entries;
  entries.push_back(place("FACP", build_fadt(c, facs, dsdt), 16));
  entries.push_back(place("APIC", build_madt(c), 16));
  if (c.hpet) entries.push_back(place("HPET", build_hpet(c), 16));
  uint64_t rsdt = place("RSDT", build_sdt("RSDT", entries, 4), 16);
  uint64_t xsdt = place("XSDT", build_sdt("XSDT", entries, 8), 16);
  if (base + blob.size() > 0x100000000ull) throw std::invalid_argument("ACPI: tables must lie below 4 GiB");

  // RSDP revision 2.
  std::memcpy(&blob[0], "RSD PTR ", 8);
  std::memcpy(&blob[9], kOemId, 6);
  blob[15] = 2;
  put(blob, 16, rsdt, 4);
  put(blob, 20, 36, 4);
  put(blob, 24, xsdt, 8);
  blob[8] = static_cast<uint8_t>(0x100 - acpi_checksum(blob.data(), 20));
  blob[32] = static_cast<uint8_t>(0x100 - acpi_checksum(blob.data(), 36));
  out.rsdp.assign(blob.begin(), blob.begin() + 36);
  return out;
}

}  // namespace emu
