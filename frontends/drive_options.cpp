// -drive property parsing and drive slot assignment.
#include "frontends/drive_options.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "frontends/file_check.h"
#include "frontends/value_parse.h"

namespace emu::frontend {

namespace {

[[noreturn]] void fail(std::string_view what, const std::string& message) {
  throw OptionError{std::string(what) + ": " + message};
}

bool on_off_prop(const std::string& value, const char* key, std::string_view what) {
  auto b = parse_on_off(value);
  if (!b) fail(what, std::string(key) + "='" + value + "' is not on or off");
  return *b;
}

}  // namespace

int drive_slots(DriveInterface interface) {
  switch (interface) {
    case DriveInterface::Ide: return kIdeDriveSlots;
    case DriveInterface::Floppy: return 2;
    default: return 32;
  }
}

const char* drive_interface_name(DriveInterface interface) {
  switch (interface) {
    case DriveInterface::Ide: return "ide";
    case DriveInterface::Floppy: return "floppy";
    case DriveInterface::Virtio: return "virtio";
    case DriveInterface::Scsi: return "scsi";
    case DriveInterface::None: return "none";
  }
  return "?";
}

DriveOptions parse_drive_option(std::string_view text, std::string_view what) {
  PropList props;
  std::string error;
  if (!parse_prop_list(text, "", &props, &error)) fail(what, error);
  static const char* const kKnown[] = {"file", "format", "if", "index", "bus", "unit",
                                       "media", "readonly", "snapshot", "id", nullptr};
  if (const std::string* bad = props.first_unknown(kKnown))
    fail(what, "unknown drive property '" + *bad +
                   "' (known: file, format, if, index, bus, unit, media, readonly, snapshot, id)");

  DriveOptions d;
  d.origin = std::string(what);
  if (auto* v = props.find("file")) d.file = *v;
  if (auto* v = props.find("format")) {
    if (*v != "raw" && *v != "qcow2")
      fail(what, "unknown drive format '" + *v + "'" + (d.file.empty() ? "" : " for '" + d.file + "'") +
                     " (known: raw, qcow2)");
    d.format = *v;
  }
  if (auto* v = props.find("if")) {
    static const std::pair<const char*, DriveInterface> kIfs[] = {
        {"ide", DriveInterface::Ide},       {"floppy", DriveInterface::Floppy}, {"virtio", DriveInterface::Virtio},
        {"scsi", DriveInterface::Scsi},     {"none", DriveInterface::None}};
    auto it = std::find_if(std::begin(kIfs), std::end(kIfs), [&](const auto& p) { return *v == p.first; });
    if (it == std::end(kIfs)) fail(what, "unknown drive interface if='" + *v + "' (known: ide, floppy, virtio, scsi, none)");
    d.interface = it->second;
  }
  if (auto* v = props.find("media")) {
    if (*v == "disk") d.media = DriveMedia::Disk;
    else if (*v == "cdrom") d.media = DriveMedia::Cdrom;
    else fail(what, "unknown media='" + *v + "' (use disk or cdrom)");
  }
  if (auto* v = props.find("readonly")) d.readonly = on_off_prop(*v, "readonly", what);
  if (auto* v = props.find("snapshot")) d.snapshot = on_off_prop(*v, "snapshot", what);
  if (auto* v = props.find("id")) d.id = *v;

  const int slots = drive_slots(d.interface);
  auto index_prop = [&](const char* key, uint64_t limit) -> int {
    const std::string* v = props.find(key);
    if (!v) return -1;
    auto n = parse_uint(*v);
    if (!n) fail(what, std::string(key) + "='" + *v + "' is not a number");
    if (*n >= limit)
      fail(what, std::string(key) + "=" + *v + " is out of range for if=" + drive_interface_name(d.interface) +
                     " (0.." + std::to_string(limit - 1) + ")");
    return static_cast<int>(*n);
  };
  d.index = index_prop("index", static_cast<uint64_t>(slots));
  if (props.has("bus") || props.has("unit")) {
    if (d.interface != DriveInterface::Ide) fail(what, "bus= and unit= are only supported with if=ide");
    if (d.index >= 0) fail(what, "index= cannot be combined with bus= or unit=");
    int bus = index_prop("bus", 2), unit = index_prop("unit", 2);
    d.index = std::max(bus, 0) * 2 + std::max(unit, 0);
  }
  if (d.media == DriveMedia::Cdrom) d.readonly = true;
  if (d.file.empty() && d.media != DriveMedia::Cdrom) fail(what, "missing file= (only a CD-ROM drive may be empty)");
  return d;
}

void add_drive(EmuOptions& options, DriveOptions drive, std::string_view what) {
  auto occupant = [&](int index) {
    return std::find_if(options.drives.begin(), options.drives.end(), [&](const DriveOptions& d) {
      return d.interface == drive.interface && d.index == index;
    });
  };
  if (drive.index < 0) {
    for (int i = 0; i < drive_slots(drive.interface) && drive.index < 0; ++i)
      if (occupant(i) == options.drives.end()) drive.index = i;
    if (drive.index < 0)
      throw OptionError{std::string(what) + ": no free if=" + drive_interface_name(drive.interface) + " drive slot left"};
  }
  auto it = occupant(drive.index);
  if (it != options.drives.end()) {
    if (it->from_config && !drive.from_config) {
      *it = std::move(drive);  // the command line overrides the config file
      return;
    }
    throw OptionError{std::string(what) + ": drive index " + std::to_string(drive.index) + " of if=" +
                      drive_interface_name(drive.interface) + " is already used by " + it->origin};
  }
  options.drives.push_back(std::move(drive));
}

void check_drive_files(const EmuOptions& options) {
  for (const DriveOptions& d : options.drives) {
    if (d.file.empty()) continue;
    check_file(d.file, d.origin, false);
    if (d.readonly || d.snapshot || options.snapshot || d.media != DriveMedia::Disk) continue;
    // The guest will write: a file without write permission is refused even where the
    // user could write it anyway (root), rather than modified behind its mode bits.
    struct stat st {};
    const bool no_write_bits = ::stat(d.file.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0222) == 0;
    if (no_write_bits || ::access(d.file.c_str(), W_OK) != 0)
      fail(d.origin, "'" + d.file + "' is read-only (add readonly=on to -drive, or use -snapshot)");
  }
}

}  // namespace emu::frontend
