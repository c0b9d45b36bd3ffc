// The ACPI tables of the emulated PC, built in memory for the guest: RSDP (revision 2,
// pointing at both RSDT and XSDT), FADT (revision 5: PM1a event/control blocks, PM
// timer, SCI, reset register 0xCF9 = 0x06), FACS, MADT (local APICs, IOAPIC, interrupt
// source overrides as QEMU's i440FX machine has them, LINT1 NMI), HPET and a DSDT
// (PCI root bridge PNP0A03 with its _CRS windows and _PRT, PCI interrupt link
// devices, the legacy ISA devices, \_S5).
// All tables sit in one blob meant for guest address `base`, RSDP first.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace emu {

struct AcpiConfig {
  unsigned cpu_count = 1;                  // local APIC IDs 0..cpu_count-1
  uint64_t low_ram_size = 128ull << 20;    // RAM below 4 GiB; the PCI hole starts here
  uint16_t pm_base = 0x600;                // AcpiPm::kDefaultBase
  uint8_t sci_irq = 9;                     // AcpiPm::kSciIrq
  uint8_t s5_sleep_type = 0;               // AcpiPm::kSlpTypS5
  uint32_t local_apic_address = 0xFEE00000;
  uint32_t ioapic_address = 0xFEC00000;    // its ID is cpu_count (after the CPUs)
  bool hpet = true;
  uint32_t hpet_address = 0xFED00000;
  uint32_t hpet_block_id = 0x8086A201;     // as the HPET's capabilities register, low half
  // ISA IRQs PCI devices may be routed to: declared level-triggered active-high in
  // the MADT, like QEMU's default (5, 9, 10, 11).
  uint16_t pci_irq_mask = (1u << 5) | (1u << 9) | (1u << 10) | (1u << 11);
  uint64_t pci_hole_end = 0xFEBFFFFF;      // last address of the 32-bit PCI window
  // ISA IRQs of PIRQA-D. The DSDT describes PCI interrupt routing with fixed link
  // devices LNKA-LNKD (level, active-high, shared) holding these IRQs, so the board
  // must program the PIIX3 the same way: Piix3Isa::set_pirq_route(i, pirq_irqs[i]).
  uint8_t pirq_irqs[4] = {10, 10, 11, 11};
};

struct AcpiTables {
  std::vector<uint8_t> blob;  // copy to guest-physical `base`
  uint64_t base = 0;
  uint64_t rsdp_address = 0;  // == base: the blob starts with the RSDP
  // The same 36 RSDP bytes: they hold no pointer to themselves, so a caller that puts
  // the blob elsewhere (e.g. high RAM) may copy them to any 16-byte aligned address in
  // the 0xE0000-0xFFFFF BIOS area for Linux's scan to find.
  std::vector<uint8_t> rsdp;
  struct Table {
    uint64_t address;
    uint32_t length;
  };
  std::map<std::string, Table> tables;  // by signature: "RSDT", "XSDT", "FACP", "DSDT", ...
};

// Builds the tables for guest address `base` (16-byte aligned; for Linux to find the
// RSDP by scanning, in 0xE0000-0xFFFFF; else pass rsdp_address in boot_params).
// Throws std::invalid_argument for a bad configuration.
AcpiTables build_acpi_tables(const AcpiConfig& config, uint64_t base);

// The DSDT alone (header included), as built into the blob.
std::vector<uint8_t> build_dsdt(const AcpiConfig& config);

// Sum of all bytes mod 256 (0 for a valid table or RSDP).
uint8_t acpi_checksum(const uint8_t* data, size_t len);

}  // namespace emu
