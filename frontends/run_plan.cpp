// Defaults, not-yet-supported features and the run summary for parsed options.
#include "frontends/run_plan.h"

#include "base/log.h"
#include "cpu/cpu.h"
#include "frontends/chardev_spec.h"
#include "frontends/device_catalog.h"
#include "frontends/drive_options.h"
#include "frontends/value_parse.h"

namespace emu::frontend {

bool sdl_compiled_in() {
#ifdef EMU_HAVE_SDL
  return true;
#else
  return false;
#endif
}

void apply_defaults(EmuOptions& o, bool window_available) {
  if (o.nographic || (o.display == DisplayKind::Default && !window_available)) o.display = DisplayKind::None;
  if (o.display == DisplayKind::Default) o.display = DisplayKind::Sdl;
  if (!o.serial_given && o.serials.empty()) {
    o.serials.push_back(parse_chardev(o.display == DisplayKind::None ? "mon:stdio" : "vc", "-serial"));
  }
}

std::optional<std::string> first_unsupported_feature(const EmuOptions& o) {
  auto unsupported = [](std::string what) { return std::optional<std::string>(what + ": not supported yet"); };
  if (o.machine_type != "pc") return unsupported("-machine " + o.machine_type);
  if (o.smp > 1 || o.max_cpus > 1) return unsupported("-smp " + std::to_string(o.smp) + " (more than one CPU)");
  if (!o.gdb.empty()) return unsupported("-gdb " + o.gdb + " (-s)");
  if (o.start_paused) return unsupported("-S");
  for (const DriveOptions& d : o.drives) {
    if (d.interface != DriveInterface::Ide)
      return unsupported(d.origin + " if=" + drive_interface_name(d.interface));
  }
  if (o.display == DisplayKind::Sdl) {
    if (!sdl_compiled_in()) return std::string("-display sdl: this build has no SDL2 support");
    return unsupported("-display sdl");
  }
  for (const CharDevSpec& s : o.serials) {
    using K = CharDevSpec::Kind;
    if (s.kind == K::Vc || s.kind == K::Pty || s.kind == K::Tcp || s.kind == K::Unix)
      return unsupported("-serial " + s.text);
  }
  for (const CharDevSpec& d : o.debugcons) {
    using K = CharDevSpec::Kind;
    if (d.kind != K::Stdio && d.kind != K::File && d.kind != K::Null) return unsupported("-debugcon " + d.text);
  }
  if (o.accel == Accel::Jit && !Cpu::jit_available()) return unsupported("-accel jit on this host (no JIT backend)");
  if (!o.netdevs.empty()) return unsupported("-netdev");
  for (const NamedProps& n : o.nics)
    if (n.name != "none") return unsupported("-nic " + n.name);
  for (const NamedProps& d : o.devices) {
    const DeviceInfo* info = find_device(d.name);
    if (!info || !info->implemented) return unsupported("-device " + d.name);
  }
  if (o.on_poweroff != "destroy") return unsupported("on_poweroff = \"" + o.on_poweroff + "\"");
  if (o.on_crash != "destroy") return unsupported("on_crash = \"" + o.on_crash + "\"");
  return std::nullopt;
}

namespace {

const char* accel_name(Accel a) {
  switch (a) {
    case Accel::Interp: return "interp";
    case Accel::Jit: return "jit";
    case Accel::Auto: return "auto";
  }
  return "?";
}

std::string ide_position(int index) {
  static const char* const kNames[] = {"primary master", "primary slave", "secondary master", "secondary slave"};
  return index >= 0 && index < 4 ? kNames[index] : "index " + std::to_string(index);
}

}  // namespace

std::string describe_run(const EmuOptions& o) {
  std::string accel = accel_name(o.accel);
  if (o.tb_size_mib) accel += " (code cache " + format_size(o.tb_size_mib * kMiB) + ")";
  std::string s = "machine:  " + o.machine_type + " (i440FX + PIIX3), accel " + accel + ", " +
                  std::to_string(o.smp) + " CPU" + (o.smp == 1 ? "" : "s") + ", " + format_size(o.memory_bytes) +
                  " RAM";
  if (!o.name.empty()) s += ", name '" + o.name + "'";
  s += "\n";
  for (const std::string& c : o.config_files) s += "config:   " + c + "\n";
  if (!o.kernel.empty()) s += "kernel:   " + o.kernel + " (direct Linux boot)\n";
  if (!o.initrd.empty()) s += "initrd:   " + o.initrd + "\n";
  if (o.append_given) s += "cmdline:  " + o.append + "\n";
  s += "firmware: " + (o.bios.empty() ? std::string("built-in") : o.bios) + "\n";
  for (const DriveOptions& d : o.drives) {
    s += "drive:    " + std::string(drive_interface_name(d.interface)) + " " + std::to_string(d.index);
    if (d.interface == DriveInterface::Ide) s += " (" + ide_position(d.index) + ")";
    s += d.media == DriveMedia::Cdrom ? ": cdrom " : ": disk ";
    s += d.file.empty() ? "(empty)" : "'" + d.file + "'";
    s += " " + (d.format.empty() ? std::string("raw") : d.format);
    s += d.readonly ? ", read-only" : ", read-write";
    if (d.snapshot || o.snapshot) s += ", snapshot";
    s += "  [" + d.origin + "]\n";
  }
  s += std::string("display:  ") + (o.display == DisplayKind::Sdl ? "SDL window" : "none") + "\n";
  for (size_t i = 0; i < o.serials.size(); ++i)
    s += "serial:   COM" + std::to_string(i + 1) + " -> " + describe_chardev(o.serials[i]) + "\n";
  for (const CharDevSpec& d : o.debugcons) s += "debugcon: port 0xe9 -> " + describe_chardev(d) + "\n";
  for (const NamedProps& n : o.netdevs) s += "netdev:   " + n.text + "\n";
  for (const NamedProps& n : o.nics) s += "nic:      " + n.text + "\n";
  for (const NamedProps& d : o.devices) s += "device:   " + d.text + "\n";
  s += std::string("reboot:   ") + (o.no_reboot ? "exit instead of rebooting" : "reboot the guest") + "\n";
  if (o.log_mask) {
    size_t count = 0;
    const LogCategoryName* names = log_category_names(&count);
    s += "log:     ";
    for (size_t i = 0; i < count; ++i)
      if (o.log_mask & static_cast<uint32_t>(names[i].category)) s += std::string(" ") + names[i].name;
    s += " -> " + (o.log_file.empty() ? std::string("stderr") : o.log_file) + "\n";
  }
  if (!o.gdb.empty()) s += "gdb:      " + o.gdb + (o.start_paused ? ", CPU paused at start" : "") + "\n";
  else if (o.start_paused) s += "start:    paused\n";
  return s;
}

}  // namespace emu::frontend
