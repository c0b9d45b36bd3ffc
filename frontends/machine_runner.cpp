// Runs the machine described by EmuOptions (see machine_runner.h).
#include "frontends/machine_runner.h"

#include <signal.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <vector>

#include "base/log.h"
#include "bios/linux_boot.h"
#include "bios/multiboot.h"
#include "cpu/cpu.h"
#include "cpu/jit/engine.h"
#include "devices/block/drive_image.h"
#include "devices/ide/ata_disk.h"
#include "devices/ide/atapi_cdrom.h"
#include "devices/pc_board.h"
#include "frontends/console.h"
#include "frontends/terminal.h"

namespace emu::frontend {
namespace {

bool read_file(const std::string& path, std::vector<uint8_t>* out, std::string* error) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) {
    *error = path + ": cannot open";
    return false;
  }
  // One read of the whole file (a kernel is megabytes: no byte-wise stream iteration).
  const std::streamoff size = f.tellg();
  if (size < 0) {
    *error = path + ": cannot tell its size";
    return false;
  }
  out->resize(static_cast<size_t>(size));
  f.seekg(0);
  if (!f.read(reinterpret_cast<char*>(out->data()), size)) {
    *error = path + ": read error";
    return false;
  }
  return true;
}

// A character back end writing to a FILE* (stdout or a log file).
class FileBackend : public CharBackend {
 public:
  explicit FileBackend(FILE* f) : f_(f) {}
  void write(const uint8_t* data, size_t len) override {
    std::fwrite(data, 1, len, f_);
    std::fflush(f_);
  }

 private:
  FILE* f_;
};

// The serial console on the terminal (with Ctrl-A escapes when multiplexed).
class ConsoleBackend : public CharBackend {
 public:
  explicit ConsoleBackend(HeadlessConsole& c) : console_(c) {}
  void write(const uint8_t* data, size_t len) override { console_.write_output(data, len); }

 private:
  HeadlessConsole& console_;
};

// A drive's view of an image the runner keeps open across machine resets.
class BorrowedImage : public BlockDevice {
 public:
  explicit BorrowedImage(BlockDevice& image) : image_(image) {}
  uint64_t size_bytes() const override { return image_.size_bytes(); }
  bool read_only() const override { return image_.read_only(); }
  bool read(uint64_t offset, void* buf, size_t len) override { return image_.read(offset, buf, len); }
  bool write(uint64_t offset, const void* buf, size_t len) override { return image_.write(offset, buf, len); }
  bool flush() override { return image_.flush(); }

 private:
  BlockDevice& image_;
};

// SIGUSR1 (`kill -USR1 <emu pid>`) asks for the statistics `-d jit` prints at exit (and,
// under `-d profile`, the guest-RIP histogram so far); the handler only sets this flag,
// the run loop prints them at its next host poll.
volatile std::sig_atomic_t g_statistics_requested = 0;

void request_statistics(int) { g_statistics_requested = 1; }

void print_statistics(PcBoard& board) {
  Cpu& cpu = board.cpu();
  if (jit::Engine* jit = cpu.jit_engine()) {
    jit->print_stats();
  } else {
    log_printf("interp: %llu guest insns retired, %llu soft TLB fills (no JIT statistics: interpreter only)\n",
               static_cast<unsigned long long>(cpu.retired_instructions()),
               static_cast<unsigned long long>(cpu.tlb_fills()));
  }
  log_printf("clock: guest time %.3f s, of which %.3f s dropped as host stalls (guest-timed figures exclude them)\n",
             static_cast<double>(board.clock().now()) / 1e9, static_cast<double>(board.clock().dropped_ns()) / 1e9);
  board.print_profile("signal");
  log_flush();  // a -D file: readable now, not only when emu ends
}

FILE* open_chardev_file(const CharDevSpec& spec, std::string* error) {
  if (spec.kind == CharDevSpec::Kind::Stdio) return stdout;
  if (spec.kind == CharDevSpec::Kind::File) {
    FILE* f = std::fopen(spec.path.c_str(), "wb");
    if (!f) *error = spec.path + ": cannot open for writing";
    return f;
  }
  return nullptr;
}

}  // namespace

int run_machine(const EmuOptions& options) {
  std::string error;
  auto fail = [&](int status) {
    std::fprintf(stderr, "emu: %s\n", error.c_str());
    return status;
  };

  PcBoardConfig cfg;
  cfg.ram_bytes = options.memory_bytes;
  cfg.cpus = options.smp;
  cfg.no_reboot = options.no_reboot;
  cfg.pvh = options.pvh;
  cfg.jit = options.accel != Accel::Interp;  // auto/tcg: the JIT where the host has one
  cfg.jit_code_cache_bytes = options.tb_size_mib * kMiB;
  struct sigaction on_usr1 = {};
  on_usr1.sa_handler = request_statistics;
  sigemptyset(&on_usr1.sa_mask);
  on_usr1.sa_flags = SA_RESTART;
  sigaction(SIGUSR1, &on_usr1, nullptr);

  // COM1.
  std::unique_ptr<TerminalRawMode> raw_mode;
  std::unique_ptr<TerminalIo> terminal;
  std::unique_ptr<HeadlessConsole> console;
  std::unique_ptr<CharBackend> com1;
  std::vector<FILE*> files_to_close;
  const CharDevSpec com1_spec = options.serials.empty() ? CharDevSpec{} : options.serials[0];
  if (com1_spec.kind == CharDevSpec::Kind::Stdio) {
    std::signal(SIGPIPE, SIG_IGN);
    raw_mode = std::make_unique<TerminalRawMode>(0);
    terminal = std::make_unique<TerminalIo>(0, 1);
    console = std::make_unique<HeadlessConsole>(*terminal, com1_spec.mux_monitor);
    com1 = std::make_unique<ConsoleBackend>(*console);
  } else if (com1_spec.kind == CharDevSpec::Kind::File) {
    FILE* f = open_chardev_file(com1_spec, &error);
    if (!f) return fail(kExitUsage);
    files_to_close.push_back(f);
    com1 = std::make_unique<FileBackend>(f);
  }
  cfg.com1 = com1.get();

  // -debugcon (port 0xE9).
  if (!options.debugcons.empty()) {
    FILE* f = open_chardev_file(options.debugcons[0], &error);
    if (!f && !error.empty()) return fail(kExitUsage);
    if (f) {
      if (f != stdout) files_to_close.push_back(f);
      cfg.debugcon = [f](uint8_t c) {
        std::fputc(c, f);
        if (c == '\n') std::fflush(f);
      };
    } else {
      cfg.debugcon = [](uint8_t) {};
    }
  }
  // -device isa-debug-exit.
  for (const NamedProps& d : options.devices) {
    if (d.name != "isa-debug-exit") continue;
    auto prop = [&](const char* key, uint16_t def) {
      const std::string* v = d.props.find(key);
      return v ? static_cast<uint16_t>(std::stoul(*v, nullptr, 0)) : def;
    };
    cfg.debug_exit = std::make_pair(prop("iobase", DebugExit::kDefaultBase), prop("iosize", DebugExit::kDefaultSize));
  }

  std::vector<uint8_t> bios;
  if (!options.bios.empty()) {
    if (!read_file(options.bios, &bios, &error)) return fail(kExitLoadError);
    cfg.bios_rom_bytes = bios.size();
  }

  std::vector<uint8_t> kernel, initrd;
  if (!options.kernel.empty()) {
    if (!read_file(options.kernel, &kernel, &error)) return fail(kExitLoadError);
    if (!options.initrd.empty() && !read_file(options.initrd, &initrd, &error)) return fail(kExitLoadError);
  } else if (bios.empty()) {
    error = "nothing to boot: give -kernel or -bios (booting from a disk through a built-in BIOS is not supported yet)";
    return fail(kExitUsage);
  }

  // Drives are opened once (an image locked by another emu, or missing, is reported
  // before anything runs) and handed to the board at each power-on.
  struct OpenDrive {
    int index;
    bool cdrom;
    std::unique_ptr<BlockDevice> image;
  };
  std::vector<OpenDrive> drives;
  for (const DriveOptions& d : options.drives) {
    const bool cdrom = d.media == DriveMedia::Cdrom;
    if (d.file.empty()) continue;  // an empty CD-ROM drive
    try {
      std::unique_ptr<BlockDevice> image =
          open_drive_image({d.file, d.format, cdrom, d.readonly, d.snapshot || options.snapshot});
      drives.push_back({d.index, cdrom, std::move(image)});
    } catch (const BlockError& e) {
      error = std::string(d.origin) + ": " + e.what();
      return fail(kExitLoadError);
    }
  }

  // Each pass is one power-on of the machine; a guest reset (or a triple fault) starts
  // the next one unless -no-reboot.
  BoardExit result;
  for (;;) {
    PcBoard board(cfg);
    for (OpenDrive& d : drives) {
      // The board owns the drive for this power-on; the image stays open across resets.
      auto view = std::make_unique<BorrowedImage>(*d.image);
      if (d.cdrom)
        board.attach_ide(static_cast<unsigned>(d.index), std::make_unique<AtapiCdrom>(std::move(view)));
      else
        board.attach_ide(static_cast<unsigned>(d.index), std::make_unique<AtaDisk>(std::move(view)));
    }
    bool ok;
    if (!options.kernel.empty()) {
      const bool elf = kernel.size() >= 4 && kernel[0] == 0x7f && kernel[1] == 'E' && kernel[2] == 'L' && kernel[3] == 'F';
      if (find_multiboot_header(kernel)) {
        ok = board.boot_multiboot(kernel, initrd, options.append, options.kernel, &error);
      } else if (is_linux_bzimage(kernel) || elf) {
        ok = board.boot_linux(kernel, initrd, options.append, options.kernel, &error);
      } else {
        error = options.kernel + ": not a Linux kernel (bzImage) or multiboot image";
        ok = false;
      }
    } else {
      ok = board.boot_firmware(bios, options.bios, &error);
    }
    if (!ok) return fail(kExitLoadError);

    result = board.run([&] {
      if (g_statistics_requested) {
        g_statistics_requested = 0;
        print_statistics(board);
      }
      if (!console) return;
      console->flush_output();
      std::vector<uint8_t> in = console->poll_input(0);
      if (!in.empty()) board.serial_input(in.data(), in.size());
      if (console->quit_requested()) board.request_shutdown(0, "quit from the console (Ctrl-A X)");
    });
    if (console) console->flush_output();
    const bool resets = result.kind == BoardExit::Kind::Reset || result.kind == BoardExit::Kind::TripleFault;
    if (!resets || options.no_reboot) break;
    EMU_LOG(Boot, "boot: machine reset: %s\n", result.message.c_str());
  }
  raw_mode.reset();  // restore the terminal before printing
  for (FILE* f : files_to_close) std::fclose(f);
  switch (result.kind) {
    case BoardExit::Kind::PoweredOff:
      if (console && console->quit_requested()) std::fprintf(stderr, "emu: terminated by the console (Ctrl-A X)\n");
      return result.status;
    case BoardExit::Kind::Reset:
      return 0;  // with -no-reboot, as QEMU: a reset request ends emu cleanly
    case BoardExit::Kind::TripleFault:  // only reaches here with -no-reboot
      std::fprintf(stderr, "emu: %s; stopping instead of resetting (-no-reboot)\n", result.message.c_str());
      return kExitLoadError;  // status 1, as documented for a triple fault with -no-reboot
    default:
      std::fprintf(stderr, "emu: %s\n", result.message.c_str());
      return result.status ? result.status : kExitGuestStopped;
  }
}

}  // namespace emu::frontend
