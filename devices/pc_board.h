// emu's PC: the guest memory map, the I/O port space, the virtual clock, every device
// of the board wired to its ports, MMIO window and IRQ lines (ISA IRQs to both the PIC
// pair and the I/O APIC, the PIC's INTR through the local APIC's virtual wire), the
// tables firmware would leave (E820, ACPI, CMOS, fw_cfg), the boot paths of bios/ and
// the CPU with the loop that runs it against the clock's deadlines.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "bios/acpi_tables.h"
#include "bios/boot_entry.h"
#include "bios/pc_memory_map.h"
#include "cpu/cpu.h"
#include "cpu/interrupt_source.h"
#include "cpu/system/system_cpu.h"
#include "devices/guest_profile.h"
#include "devices/acpi_pm.h"
#include "devices/apic_bus.h"
#include "devices/char_backend.h"
#include "devices/clock.h"
#include "devices/debug_exit.h"
#include "devices/debugcon.h"
#include "devices/fw_cfg.h"
#include "devices/hpet.h"
#include "devices/i440fx_host.h"
#include "devices/i8042.h"
#include "devices/i8254_pit.h"
#include "devices/i8259_pic.h"
#include "devices/ide/ide_device.h"
#include "devices/ide/piix_ide.h"
#include "devices/ioapic.h"
#include "devices/irq.h"
#include "devices/local_apic.h"
#include "devices/machine_control.h"
#include "devices/mc146818_rtc.h"
#include "devices/pci_bus.h"
#include "devices/piix3_isa.h"
#include "devices/port61.h"
#include "devices/ps2_keyboard.h"
#include "devices/ps2_mouse.h"
#include "devices/reset_control.h"
#include "devices/uart_16550.h"
#include "memory/io_space.h"
#include "memory/physical_memory.h"

namespace emu {

struct PcBoardConfig {
  uint64_t ram_bytes = 512ull << 20;
  unsigned cpus = 1;
  bool no_reboot = false;                      // a reset request ends the run instead
  CharBackend* com1 = nullptr;                 // the serial console's host side
  std::function<void(uint8_t)> debugcon;       // port 0xE9 output (none: the port is absent)
  std::optional<std::pair<uint16_t, uint16_t>> debug_exit;  // isa-debug-exit iobase, iosize
  ClockMode clock_mode = ClockMode::RealTime;
  uint64_t tsc_hz = 2'000'000'000;             // the guest's TSC frequency
  uint64_t bios_rom_bytes = 0;                 // size of a -bios image (reserved in E820)
  bool pvh = true;                             // -kernel: try the PVH fast path first
  bool jit = true;                             // hot guest code runs as host code (where available)
  size_t jit_code_cache_bytes = 0;             // the JIT's code cache (0: its default)
};

// How a run ended.
struct BoardExit {
  enum class Kind { PoweredOff, Reset, TripleFault, GuestStopped, HostError } kind = Kind::HostError;
  // Reset and TripleFault: the caller resets the machine, or ends the run with -no-reboot.
  int status = 0;        // the process exit status emu should use
  std::string message;   // one line for the user
};

class PcBoard : public MachineControl, public InterruptSource {
 public:
  explicit PcBoard(const PcBoardConfig& config);
  ~PcBoard() override;
  PcBoard(const PcBoard&) = delete;
  PcBoard& operator=(const PcBoard&) = delete;

  // Boot sources; each returns false with *error set to one line naming the file.
  bool boot_firmware(std::span<const uint8_t> rom, const std::string& name, std::string* error);
  // -kernel of a Linux kernel: through PVH (the bzImage's payload decompressed on the
  // host, cached; or an ELF vmlinux) unless config.pvh is off or the kernel has no PVH
  // entry, else the ordinary boot protocol. `*used_pvh` says which (may be null).
  bool boot_linux(std::span<const uint8_t> kernel, std::span<const uint8_t> initrd, const std::string& cmdline,
                  const std::string& name, std::string* error, bool* used_pvh = nullptr);
  bool boot_multiboot(std::span<const uint8_t> kernel, std::span<const uint8_t> initrd, const std::string& cmdline,
                      const std::string& name, std::string* error);

  // Puts a drive at IDE position `index` (0 primary master ... 3 secondary slave).
  void attach_ide(unsigned index, std::unique_ptr<IdeDevice> drive) { ide_->attach(index / 2, index % 2, std::move(drive)); }

  // Runs the machine until it powers off, resets (with no_reboot), or stops.
  // `poll_host` is called between CPU slices (serial input, UI events). With `-d stats`
  // it logs the guest instructions retired, the wall time and the guest MIPS at the end.
  BoardExit run(const std::function<void()>& poll_host = {});

  // Bytes typed on the serial console.
  void serial_input(const uint8_t* data, size_t len) { com1_->receive(data, len); }

  // MachineControl
  void request_shutdown(int exit_status, std::string reason) override;
  void request_reset(std::string reason) override;

  // InterruptSource (the BSP's view)
  bool intr_pending() override { return lapic_->interrupt_pending(); }
  uint8_t acknowledge() override { return lapic_->acknowledge(); }
  bool take_nmi() override { return lapic_->take_nmi(); }

  Cpu& cpu() { return *cpu_; }
  Clock& clock() { return clock_; }
  PhysicalMemory& memory() { return memory_; }
  IoSpace& io() { return io_; }
  const PcMemoryMap& memory_map() const { return map_; }
  uint64_t rsdp_address() const { return acpi_.rsdp_address; }
  uint64_t guest_tsc();
  // -d profile: prints the guest-RIP histogram so far and clears it (else nothing).
  void print_profile(const char* why) {
    if (profile_) profile_->print_and_clear(why);
  }

 private:
  BoardExit run_slices(const std::function<void()>& poll_host);
  PcBoardConfig config_;
  PcMemoryMap map_;
  Clock clock_;
  PhysicalMemory memory_;
  IoSpace io_;
  std::array<IrqLine, 16> isa_irq_;
  IrqLine pit_irq_, rtc_irq_;  // routed onto isa_irq_[0] / [8] unless the HPET takes over
  bool hpet_legacy_ = false;

  ApicBus apic_bus_;
  std::unique_ptr<I8259Pic> pic_;
  std::unique_ptr<IoApic> ioapic_;
  std::unique_ptr<LocalApic> lapic_;
  std::unique_ptr<I8254Pit> pit_;
  std::unique_ptr<Port61> port61_;
  std::unique_ptr<Mc146818Rtc> rtc_;
  std::unique_ptr<Hpet> hpet_;
  std::unique_ptr<Uart16550> com1_;
  std::unique_ptr<Ps2Keyboard> keyboard_;
  std::unique_ptr<Ps2Mouse> mouse_;
  std::unique_ptr<I8042> i8042_;
  std::unique_ptr<PciBus> pci_;
  std::unique_ptr<I440fxHost> host_bridge_;
  std::unique_ptr<Piix3Isa> isa_bridge_;
  std::unique_ptr<PiixIde> ide_;
  std::unique_ptr<AcpiPm> acpi_pm_;
  std::unique_ptr<ResetControl> reset_control_;
  std::unique_ptr<FwCfg> fw_cfg_;
  std::unique_ptr<Debugcon> debugcon_;
  std::unique_ptr<DebugExit> debug_exit_;
  std::unique_ptr<Cpu> cpu_;
  std::unique_ptr<SystemCpu> system_;  // puts cpu_ in system mode (IDT delivery, paging, MSRs)
  AcpiTables acpi_;

  struct GateSink;  // forwards PIT/RTC outputs unless the HPET's legacy mode owns the line
  std::unique_ptr<GateSink> pit_gate_, rtc_gate_;
  struct IsaIrqFanout;  // PCI INTx (via PIIX3 PIRQ routing) onto the ISA IRQ lines
  std::unique_ptr<IsaIrqFanout> isa_fanout_;

  std::optional<BoardExit> exit_;  // set by request_shutdown/request_reset
  std::unique_ptr<GuestProfile> profile_;  // -d profile

  void wire_interrupts();
  void map_devices();
  void write_firmware_tables();
  void apply_entry(const BootEntry& entry);
};

}  // namespace emu
