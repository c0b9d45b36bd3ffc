// The `emu` command line: what the user asked for (EmuOptions, plain data) and the
// QEMU-compatible parser that fills it from argv (and from an xl-style -config file).
// The parser never exits the process: it returns a ParseResult the caller acts on.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "frontends/prop_list.h"

namespace emu::frontend {

inline constexpr uint64_t kMiB = uint64_t{1} << 20;
inline constexpr uint64_t kGiB = uint64_t{1} << 30;
inline constexpr uint64_t kDefaultMemory = 512 * kMiB;  // enough for Debian's kernel + initrd (QEMU's is 128 MiB)
inline constexpr uint64_t kMinMemory = 16 * kMiB;
inline constexpr uint64_t kMaxMemory = 64 * kGiB;
inline constexpr unsigned kMaxCpus = 255;
inline constexpr int kIdeDriveSlots = 4;  // two IDE buses, master and slave each
inline constexpr int kMaxSerialPorts = 4;

enum class Accel { Auto, Interp, Jit };
enum class DisplayKind { Default, None, Sdl };
enum class DriveInterface { Ide, Floppy, Virtio, Scsi, None };
enum class DriveMedia { Disk, Cdrom };

struct DriveOptions {
  std::string file;    // empty only for an empty CD-ROM drive
  std::string format;  // "raw", "qcow2"...; empty when not given (probed: qcow2 by its magic, else raw)
  DriveInterface interface = DriveInterface::Ide;
  int index = -1;      // -1 until assigned: the first free slot of its interface
  DriveMedia media = DriveMedia::Disk;
  bool readonly = false;
  bool snapshot = false;
  std::string id;
  std::string origin;  // where it came from, for messages: "-hda", "-drive", "vm.cfg:4"
  bool from_config = false;
};

// A character device back end as -serial and -debugcon take it.
struct CharDevSpec {
  enum class Kind { Stdio, Null, None, File, Vc, Pty, Tcp, Unix };
  Kind kind = Kind::Null;
  std::string path;          // file name for File, "host:port" for Tcp, socket path for Unix
  bool mux_monitor = false;  // "mon:stdio": the monitor shares the terminal (Ctrl-A C)
  std::string text;          // as given
};

// -netdev user,id=n0 / -nic user,model=e1000 / -device e1000,netdev=n0 / -machine pc
struct NamedProps {
  std::string name;  // the implied first value: back end, device driver, machine type
  PropList props;    // the remaining key=value pairs (the implied key removed)
  std::string text;  // as given
};

struct EmuOptions {
  uint64_t memory_bytes = kDefaultMemory;
  unsigned smp = 1;
  unsigned max_cpus = 1;
  std::string kernel, initrd, append, bios;
  bool append_given = false;
  std::vector<DriveOptions> drives;
  bool nographic = false;
  std::vector<CharDevSpec> serials;  // COM1..COM4 in order; empty = the default
  bool serial_given = false;         // -serial appeared (even -serial none)
  DisplayKind display = DisplayKind::Default;
  std::vector<NamedProps> netdevs, nics, devices;
  bool no_reboot = false;
  Accel accel = Accel::Auto;
  uint64_t tb_size_mib = 0;  // -accel jit,tb-size=N: the JIT's code cache in MiB (0: its default)
  uint32_t log_mask = 0;
  std::string log_file;       // -D
  std::string gdb;            // "" = off, else a chardev such as "tcp::1234"
  bool start_paused = false;  // -S
  std::vector<std::string> config_files;
  bool snapshot = false;
  std::string machine_type = "pc";
  bool pvh = true;  // -machine pvh=off: -kernel bzImages use the ordinary boot protocol
  std::vector<CharDevSpec> debugcons;
  std::string name;
  std::string on_poweroff = "destroy", on_crash = "destroy";  // from a -config file
};

struct ParseResult {
  enum class Action {
    Run,   // options is complete and validated
    Exit,  // print text to stdout (help, version, lists) and exit with exit_code (0)
    Error  // print text (one line, "emu: ...") to stderr and exit with exit_code (2)
  };
  Action action = Action::Run;
  EmuOptions options;
  std::string text;
  int exit_code = 0;
};

inline constexpr int kExitUsage = 2;

// args are the arguments after the program name.
ParseResult parse_options(std::span<const char* const> args);

// Thrown inside the parser and the config reader; message is the complete line without
// the "emu: " prefix and without a newline.
struct OptionError {
  std::string message;
};

// Checks a memory size against kMinMemory..kMaxMemory; throws OptionError
// "<what>: invalid memory size '<as_given>' (...)". Shared with the config reader.
uint64_t checked_memory_size(uint64_t bytes, std::string_view what, std::string_view as_given);

}  // namespace emu::frontend
