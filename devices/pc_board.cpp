// emu's PC board (see pc_board.h): construction and wiring, firmware tables, boot
// paths and the run loop.
#include "devices/pc_board.h"

#include <chrono>
#include <cstring>
#include <thread>

#include "base/log.h"
#include "bios/firmware_rom.h"
#include "bios/linux_boot.h"
#include "bios/multiboot.h"
#include "bios/pvh_boot.h"
#include "bios/pvh_kernel.h"

namespace emu {

// Forwards an interrupt source onto an ISA IRQ line unless it is switched off (the
// HPET's legacy replacement mode takes IRQ0 and IRQ8 from the PIT and the RTC).
struct PcBoard::GateSink : IrqSink {
  IrqLine* target;
  bool enabled = true;
  bool level = false;
  explicit GateSink(IrqLine* t) : target(t) {}
  void set_irq_level(unsigned, bool l) override {
    level = l;
    if (enabled) target->set(l);
  }
  void set_enabled(bool on) {
    enabled = on;
    if (!on) target->set(false);
    else target->set(level);
  }
};

// Drives ISA IRQ line n for "input n" (the PIIX3's PIRQ outputs).
struct PcBoard::IsaIrqFanout : IrqSink {
  IrqLine* lines;
  explicit IsaIrqFanout(IrqLine* l) : lines(l) {}
  void set_irq_level(unsigned line, bool level) override {
    if (line < 16) lines[line].set(level);
  }
};

namespace {

// I/O APIC input of ISA IRQ n: IRQ0 arrives on pin 2 (the MADT's interrupt source
// override), the rest on the pin of the same number.
unsigned ioapic_pin_of_isa_irq(unsigned irq) { return irq == 0 ? 2 : irq; }

}  // namespace

PcBoard::PcBoard(const PcBoardConfig& config)
    : config_(config),
      map_(make_pc_memory_map(config.ram_bytes, config.bios_rom_bytes)),
      clock_(config.clock_mode) {
  memory_.add_ram(0, map_.low_ram, "ram-below-4g");
  if (map_.high_ram) memory_.add_ram(PcMemoryMap::kHighRamStart, map_.high_ram, "ram-above-4g");

  pic_ = std::make_unique<I8259Pic>();
  ioapic_ = std::make_unique<IoApic>(apic_bus_, static_cast<uint8_t>(config.cpus));
  const uint64_t tsc_hz = config.tsc_hz;
  lapic_ = std::make_unique<LocalApic>(clock_, apic_bus_, 0, true, [tsc_hz](uint64_t tsc) {
    return static_cast<uint64_t>(static_cast<unsigned __int128>(tsc) * 1'000'000'000u / tsc_hz);
  });
  isa_fanout_ = std::make_unique<IsaIrqFanout>(isa_irq_.data());
  pit_gate_ = std::make_unique<GateSink>(&isa_irq_[0]);
  rtc_gate_ = std::make_unique<GateSink>(&isa_irq_[8]);
  pit_irq_.connect(pit_gate_.get(), 0);
  rtc_irq_.connect(rtc_gate_.get(), 8);
  pit_ = std::make_unique<I8254Pit>(clock_, pit_irq_);
  port61_ = std::make_unique<Port61>(clock_, *pit_);
  rtc_ = std::make_unique<Mc146818Rtc>(clock_, rtc_irq_);
  hpet_ = std::make_unique<Hpet>(clock_, ioapic_.get(), &isa_irq_[0], &isa_irq_[8]);
  com1_ = std::make_unique<Uart16550>(clock_, isa_irq_[4], config.com1);
  keyboard_ = std::make_unique<Ps2Keyboard>();
  mouse_ = std::make_unique<Ps2Mouse>();
  i8042_ = std::make_unique<I8042>(keyboard_.get(), mouse_.get(), this);
  pci_ = std::make_unique<PciBus>(&io_, &memory_);
  host_bridge_ = std::make_unique<I440fxHost>();
  isa_bridge_ = std::make_unique<Piix3Isa>();
  ide_ = std::make_unique<PiixIde>(&io_, &memory_, &isa_irq_[14], &isa_irq_[15]);  // maps its legacy ports
  acpi_pm_ = std::make_unique<AcpiPm>([this] { return clock_.now(); }, this);
  reset_control_ = std::make_unique<ResetControl>(this);
  fw_cfg_ = std::make_unique<FwCfg>();
  if (config.debugcon) debugcon_ = std::make_unique<Debugcon>(config.debugcon);
  if (config.debug_exit) debug_exit_ = std::make_unique<DebugExit>(this);

  cpu_ = std::make_unique<Cpu>(memory_, &io_);
  cpu_->tsc_source = [this] { return guest_tsc(); };
  // (use_jit is false on hosts without a backend: the CPU runs interpreted)
  if (config_.jit) cpu_->use_jit(true, Cpu::kJitHotThreshold, config_.jit_code_cache_bytes);
  // Host stalls are not guest time (see Clock::limit_to_progress): an interval in which
  // the CPU ran slower than 10 MIPS counts as 20 ns per instruction.
  if (clock_.mode() == ClockMode::RealTime)
    clock_.limit_to_progress([this] { return cpu_->retired_instructions(); }, 100, 20);
  system_ = std::make_unique<SystemCpu>(*cpu_);
  cpu_->interrupts = this;
  SystemHooks& hooks = system_->hooks;
  hooks.read_apic_base = [this] { return lapic_->base_msr(); };
  hooks.write_apic_base = [this](uint64_t v) {
    const uint64_t old_base = lapic_->base_address();
    if (!lapic_->write_base_msr(v)) return false;
    if (lapic_->base_address() != old_base) {  // the guest moved the APIC page
      memory_.remove_mmio(lapic_.get());
      memory_.add_mmio(lapic_->base_address(), 0x1000, lapic_.get(), "lapic");
    }
    return true;
  };
  hooks.read_tsc_deadline = [this] { return lapic_->tsc_deadline(); };
  hooks.write_tsc_deadline = [this](uint64_t v) { lapic_->write_tsc_deadline(v); };
  hooks.read_tpr = [this] { return static_cast<uint8_t>(lapic_->tpr() >> 4); };
  hooks.write_tpr = [this](uint8_t cr8) { lapic_->write_tpr(static_cast<uint8_t>(cr8 << 4)); };

  wire_interrupts();
  map_devices();
  write_firmware_tables();
}

PcBoard::~PcBoard() { clock_.limit_to_progress({}, 0, 0); }  // the CPU goes before the clock

uint64_t PcBoard::guest_tsc() {
  return static_cast<uint64_t>(static_cast<unsigned __int128>(clock_.now()) * config_.tsc_hz / 1'000'000'000u);
}

void PcBoard::wire_interrupts() {
  for (unsigned irq = 0; irq < 16; irq++) {
    isa_irq_[irq].connect(pic_.get(), irq);
    isa_irq_[irq].connect(ioapic_.get(), ioapic_pin_of_isa_irq(irq));
  }
  // The PIC's INTR reaches the CPU through the local APIC's LINT0 (virtual wire).
  pic_->on_intr_change = [this](bool level) { lapic_->set_lint(0, level); };
  lapic_->extint_acknowledge = [this] { return pic_->acknowledge(); };
  // The CPU polls the APIC at the next block boundary once told that something may be
  // deliverable (Cpu::signal_interrupt); a halted CPU is woken by the run loop.
  lapic_->on_interrupt = [this] { cpu_->signal_interrupt(); };
  // Devices with their own IRQ lines.
  i8042_->keyboard_irq().connect(pic_.get(), 1);
  i8042_->keyboard_irq().connect(ioapic_.get(), 1);
  i8042_->mouse_irq().connect(pic_.get(), 12);
  i8042_->mouse_irq().connect(ioapic_.get(), 12);
  acpi_pm_->sci().connect(pic_.get(), AcpiPm::kSciIrq);
  acpi_pm_->sci().connect(ioapic_.get(), AcpiPm::kSciIrq);
  // PCI INTx through the PIIX3's PIRQ routing onto ISA IRQ lines, which reach both the
  // PIC and the I/O APIC pin of the same number (as on QEMU's i440FX board; the DSDT's
  // link devices describe exactly this routing).
  isa_bridge_->set_isa_irq_sink(isa_fanout_.get());
  pci_->set_intx_router(isa_bridge_.get());
  hpet_->on_legacy_mode_change = [this](bool on) {
    hpet_legacy_ = on;
    pit_gate_->set_enabled(!on);
    rtc_gate_->set_enabled(!on);
  };
}

void PcBoard::map_devices() {
  pic_->map_ports(io_);
  io_.map(0x40, 4, pit_.get(), "pit");
  io_.map(0x61, 1, port61_.get(), "port61");
  io_.map(0x70, 2, rtc_.get(), "rtc");
  io_.map(0x3f8, 8, com1_.get(), "com1");
  io_.map(0x60, 1, i8042_.get(), "i8042-data");
  io_.map(0x64, 1, &i8042_->command_port(), "i8042-command");
  io_.map(AcpiPm::kDefaultBase, AcpiPm::kPortCount, acpi_pm_.get(), "acpi-pm");
  io_.map(PciBus::kConfigPortBase, PciBus::kConfigPortCount, pci_.get(), "pci-config");
  pci_->set_reset_control_port(reset_control_.get());  // 0xCF9 sits inside 0xCF8-0xCFB
  io_.map(FwCfg::kPortBase, FwCfg::kPortCount, fw_cfg_.get(), "fw_cfg");
  if (debugcon_) io_.map(0xe9, 1, debugcon_.get(), "debugcon");
  if (debug_exit_) io_.map(config_.debug_exit->first, config_.debug_exit->second, debug_exit_.get(), "isa-debug-exit");

  pci_->attach(host_bridge_.get(), 0, 0);
  pci_->attach(isa_bridge_.get(), 1, 0);
  pci_->attach(ide_.get(), 1, 1);

  memory_.add_mmio(IoApic::kDefaultBase, 0x1000, ioapic_.get(), "ioapic");
  memory_.add_mmio(Hpet::kDefaultBase, 0x400, hpet_.get(), "hpet");
  memory_.add_mmio(LocalApic::kDefaultBase, 0x1000, lapic_.get(), "lapic");
}

void PcBoard::write_firmware_tables() {
  // ACPI tables at the top of low RAM (an E820 ACPI region); the RSDP also goes in the
  // BIOS area where kernels that do not get its address from a boot protocol scan.
  AcpiConfig acpi;
  acpi.cpu_count = config_.cpus;
  acpi.low_ram_size = map_.low_ram;
  acpi_ = build_acpi_tables(acpi, map_.acpi_base);
  memory_.load_bytes(acpi_.base, acpi_.blob.data(), acpi_.blob.size());
  constexpr uint64_t kRsdpCopy = 0xf5a40;
  memory_.load_bytes(kRsdpCopy, acpi_.blob.data(), std::min<size_t>(36, acpi_.blob.size()));

  PcCmosConfig cmos;
  cmos.ram_below_4g = map_.low_ram;
  cmos.ram_above_4g = map_.high_ram;
  cmos.cpus = config_.cpus;
  rtc_->configure_pc(cmos);

  fw_cfg_->set_ram_size(config_.ram_bytes);
  fw_cfg_->set_cpu_counts(static_cast<uint16_t>(config_.cpus), static_cast<uint16_t>(config_.cpus));
  fw_cfg_->add_file("etc/e820", e820_to_bytes(map_.e820));
}

void PcBoard::apply_entry(const BootEntry& entry) {
  system_->reset();  // the power-on state: real mode at F000:FFF0
  CpuState& s = cpu_->state();
  if (entry.mode == BootEntry::Mode::Protected32) {
    for (unsigned i = 0; i < 8; i++) s.gpr[i] = entry.gpr[i];
    s.rflags = 0x2;
    s.cr0 |= kCr0PE;
    s.gdtr.base = entry.gdt_base;
    s.gdtr.limit = entry.gdt_limit;
    s.seg[1].selector = entry.code_selector;
    s.seg[1].base = 0;
    s.seg[1].limit = 0xffffffffu;
    s.seg[1].attr = 0xc09b;
    for (unsigned seg : {0u, 2u, 3u, 4u, 5u}) {
      s.seg[seg].selector = entry.data_selector;
      s.seg[seg].base = 0;
      s.seg[seg].limit = 0xffffffffu;
      s.seg[seg].attr = 0xc093;
    }
    s.rip = entry.rip;
    s.cpl = 0;
  }
  cpu_->refresh_mode();
  cpu_->flush_tlb();
  cpu_->flush_code_cache();
}

bool PcBoard::boot_firmware(std::span<const uint8_t> rom, const std::string& name, std::string* error) {
  auto r = map_firmware_rom(memory_, rom, name);
  if (!r.ok) {
    *error = r.error;
    return false;
  }
  apply_entry(BootEntry{});
  return true;
}

bool PcBoard::boot_linux(std::span<const uint8_t> kernel, std::span<const uint8_t> initrd, const std::string& cmdline,
                         const std::string& name, std::string* error, bool* used_pvh) {
  if (used_pvh) *used_pvh = false;
  if (config_.pvh) {
    KernelCache cache(KernelCache::default_dir());
    PvhKernel k = prepare_pvh_kernel(kernel, cache, name);
    if (!k.cache_warning.empty()) EMU_LOG(Boot, "boot: %s: kernel cache: %s\n", name.c_str(), k.cache_warning.c_str());
    if (k.decision == PvhKernel::Decision::Error) {
      *error = k.reason;
      return false;
    }
    if (k.decision == PvhKernel::Decision::Pvh) {
      auto r = load_pvh(memory_, k.vmlinux, k.elf, PvhBootConfig{cmdline, initrd, map_.e820, acpi_.rsdp_address}, name);
      if (r.ok) {
        EMU_LOG(Boot, "boot: %s: PVH entry at 0x%llx (%s)\n", name.c_str(), (unsigned long long)r.entry.rip,
                k.from_cache ? "decompressed kernel from the cache" : "decompressed on the host");
        apply_entry(r.entry);
        if (used_pvh) *used_pvh = true;
        return true;
      }
      EMU_LOG(Boot, "boot: %s; using the Linux boot protocol\n", r.error.c_str());
    } else {
      EMU_LOG(Boot, "boot: %s\n", k.reason.c_str());
    }
  }
  LinuxBootConfig cfg{cmdline, initrd, map_.e820, acpi_.rsdp_address};
  auto r = load_linux_bzimage(memory_, kernel, cfg, name);
  if (!r.ok) {
    *error = r.error;
    return false;
  }
  apply_entry(r.entry);
  return true;
}

bool PcBoard::boot_multiboot(std::span<const uint8_t> kernel, std::span<const uint8_t> initrd, const std::string& cmdline,
                             const std::string& name, std::string* error) {
  MultibootConfig cfg;
  cfg.cmdline = cmdline;
  cfg.e820 = map_.e820;
  if (!initrd.empty()) cfg.modules.push_back({initrd, "initrd"});
  auto r = load_multiboot(memory_, kernel, cfg, name);
  if (!r.ok) {
    *error = r.error;
    return false;
  }
  apply_entry(r.entry);
  return true;
}

void PcBoard::request_shutdown(int exit_status, std::string reason) {
  if (!exit_) exit_ = BoardExit{BoardExit::Kind::PoweredOff, exit_status, std::move(reason)};
  cpu_->request_exit();
}

void PcBoard::request_reset(std::string reason) {
  if (!exit_) exit_ = BoardExit{BoardExit::Kind::Reset, 0, std::move(reason)};
  cpu_->request_exit();
}

BoardExit PcBoard::run(const std::function<void()>& poll_host) {
  const auto start = std::chrono::steady_clock::now();
  const uint64_t retired_before = cpu_->retired_instructions();
  BoardExit e = run_slices(poll_host);
  print_profile("stop");
  if (log_enabled(LogCategory::Stats)) {
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const uint64_t n = cpu_->retired_instructions() - retired_before;
    log_printf("stats: %llu guest instructions retired in %.3f s wall time (%.2f MIPS)\n",
               static_cast<unsigned long long>(n), secs, secs > 0 ? static_cast<double>(n) / secs / 1e6 : 0.0);
    // Guest time lags wall time by what the clock dropped as host stalls: guest-timed
    // measurements (the guest's own clock) flatter emu by this much.
    log_printf("stats: guest clock dropped %.3f s of host stalls (emu ran slower than 10 MIPS)\n",
               static_cast<double>(clock_.dropped_ns()) / 1e9);
  }
  return e;
}

BoardExit PcBoard::run_slices(const std::function<void()>& poll_host) {
  using namespace std::chrono;
  constexpr uint64_t kSlice = 20'000;  // instructions between timer and host checks
  if (log_enabled(LogCategory::Profile) && !profile_) profile_ = std::make_unique<GuestProfile>(kSlice);
  while (!exit_) {
    clock_.run_expired();
    if (poll_host) poll_host();
    if (exit_) break;
    clock_.set_idle(false);
    const RunResult r = cpu_->run(kSlice);
    if (profile_ && r.reason == RunResult::Reason::InstructionLimit) profile_->sample(cpu_->state().rip);
    if (exit_) break;  // a device asked to stop during the slice
    switch (r.reason) {
      case RunResult::Reason::TripleFault: {
        char msg[120];
        std::snprintf(msg, sizeof msg, "triple fault (exception %u while delivering a double fault) at RIP 0x%llx",
                      r.exception.vector, (unsigned long long)cpu_->state().rip);
        return BoardExit{BoardExit::Kind::TripleFault, 1, msg};
      }
      case RunResult::Reason::Exception: {  // only without system mode; kept for safety
        char msg[120];
        std::snprintf(msg, sizeof msg, "unhandled exception %u at RIP 0x%llx", r.exception.vector,
                      (unsigned long long)cpu_->state().rip);
        return BoardExit{BoardExit::Kind::GuestStopped, 3, msg};
      }
      case RunResult::Reason::Halted: {
        const uint64_t next = clock_.next_deadline();
        const bool can_wake = (cpu_->state().rflags & (1u << 9)) && next != Clock::kNever;
        if (!can_wake && !lapic_->nmi_pending()) {
          char msg[120];
          std::snprintf(msg, sizeof msg, "the guest halted the CPU at RIP 0x%llx with interrupts disabled",
                        (unsigned long long)cpu_->state().rip);
          return BoardExit{BoardExit::Kind::GuestStopped, 3, msg};
        }
        if (clock_.mode() == ClockMode::RealTime) {
          clock_.set_idle(true);  // waiting for a deadline: guest time follows the host again
          const uint64_t now = clock_.now();
          if (next > now) std::this_thread::sleep_for(nanoseconds(std::min<uint64_t>(next - now, 10'000'000)));
        } else {
          clock_.idle_skip_to(next);
        }
        break;
      }
      default:
        break;
    }
  }
  return *exit_;
}

}  // namespace emu
