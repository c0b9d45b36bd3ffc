// Parser for xl disk specifications (see xl-disk-configuration(5)).
#include "frontends/xl_disk_spec.h"

#include <optional>
#include <string>

namespace emu::frontend {

namespace {

[[noreturn]] void fail(std::string_view what, const std::string& message) {
  throw OptionError{std::string(what) + ": disk: " + message};
}

std::string_view trim_left(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Deprecated "<backend>:<path>" targets: the prefix implies the format.
struct LegacyPrefix {
  const char* prefix;
  const char* format;
};
const LegacyPrefix kLegacyPrefixes[] = {
    {"tap:aio:", "raw"}, {"tap:qcow2:", "qcow2"}, {"tap2:aio:", "raw"}, {"file:", "raw"}, {"phy:", "raw"},
    {"aio:", "raw"},     {"raw:", "raw"},         {"qcow2:", "qcow2"},
};

struct Fields {
  std::optional<std::string> target, format, vdev, access;
  bool cdrom = false;
};

void set_once(std::optional<std::string>& field, std::string_view value, const char* name, std::string_view what) {
  if (field) fail(what, std::string(name) + " given twice");
  field = std::string(value);
}

void set_target(Fields& f, std::string_view value, std::string_view what) {
  for (const LegacyPrefix& p : kLegacyPrefixes) {
    if (value.substr(0, std::string_view(p.prefix).size()) == p.prefix) {
      value.remove_prefix(std::string_view(p.prefix).size());
      if (!f.format) f.format = p.format;  // the prefix counts as the format parameter
      break;
    }
  }
  set_once(f.target, value, "target", what);
}

// "hda", "xvdb", "sdc:cdrom": what no format name looks like.
bool looks_like_vdev(std::string_view v) {
  v = v.substr(0, v.find(':'));
  for (std::string_view prefix : {"hd", "xvd", "sd"})
    if (v.size() > prefix.size() && v.substr(0, prefix.size()) == prefix) return true;
  return false;
}

void set_positional(Fields& f, std::string_view value, std::string_view what) {
  if (!f.target) {
    set_target(f, value, what);
  } else if (!f.format && looks_like_vdev(value)) {
    f.format = "";  // lenient: "image.img,hda,w" is read as target,vdev,access
    f.vdev = std::string(value);
  } else if (!f.format) f.format = std::string(value);
  else if (!f.vdev) f.vdev = std::string(value);
  else if (!f.access) f.access = std::string(value);
  else fail(what, "too many positional parameters at '" + std::string(value) + "'");
}

int vdev_index(std::string_view vdev, std::string_view what) {
  for (std::string_view prefix : {"hd", "xvd", "sd"}) {
    if (vdev.size() == prefix.size() + 1 && vdev.substr(0, prefix.size()) == prefix) {
      char letter = vdev.back();
      if (letter >= 'a' && letter < 'a' + kIdeDriveSlots) return letter - 'a';
    }
  }
  fail(what, "unsupported vdev '" + std::string(vdev) + "' (use hda..hdd; xvda..xvdd and sda..sdd map to them)");
}

}  // namespace

DriveOptions parse_xl_disk_spec(std::string_view spec, std::string_view what) {
  Fields f;
  std::string_view rest = spec;
  while (true) {
    rest = trim_left(rest);
    if (rest.substr(0, 7) == "target=") {  // swallows the rest, commas included
      set_once(f.target, rest.substr(7), "target", what);
      break;
    }
    size_t comma = rest.find(',');
    std::string_view param = trim_right(rest.substr(0, comma));
    size_t eq = param.find('=');
    if (eq != std::string_view::npos) {
      std::string_view key = param.substr(0, eq), value = param.substr(eq + 1);
      if (key == "format") set_once(f.format, value, "format", what);
      else if (key == "vdev") set_once(f.vdev, value, "vdev", what);
      else if (key == "access") set_once(f.access, value, "access", what);
      else if (key == "devtype") {
        if (value != "cdrom" && value != "disk") fail(what, "unknown devtype '" + std::string(value) + "'");
        f.cdrom = value == "cdrom";
      } else if (key == "backendtype") {
        if (value != "phy" && value != "qdisk" && value != "tap")
          fail(what, "unknown backendtype '" + std::string(value) + "'");
      } else {
        fail(what, "unknown parameter '" + std::string(key) + "'");
      }
    } else if (param == "cdrom") {
      f.cdrom = true;
    } else {
      set_positional(f, param, what);
    }
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }

  DriveOptions d;
  d.origin = std::string(what);
  if (!f.vdev || f.vdev->empty()) fail(what, "missing vdev (e.g. hda) in '" + std::string(spec) + "'");
  std::string vdev = *f.vdev;
  if (size_t colon = vdev.find(':'); colon != std::string::npos) {  // deprecated "hdc:cdrom"
    std::string type = vdev.substr(colon + 1);
    if (type != "cdrom" && type != "disk") fail(what, "unknown device type in vdev '" + vdev + "'");
    f.cdrom = f.cdrom || type == "cdrom";
    vdev.resize(colon);
  }
  d.index = vdev_index(vdev, what);
  if (f.format && !f.format->empty()) {
    if (*f.format != "raw" && *f.format != "qcow2")
      fail(what, "unsupported format '" + *f.format + "' (raw or qcow2)");
    d.format = *f.format;
  }
  std::string access = f.access.value_or("");
  if (access == "r" || access == "ro") d.readonly = true;
  else if (!access.empty() && access != "w" && access != "rw")
    fail(what, "unknown access '" + access + "' (r, ro, w or rw)");
  if (f.cdrom) {
    d.media = DriveMedia::Cdrom;
    d.readonly = true;
  }
  d.file = f.target.value_or("");
  if (d.file.empty() && !f.cdrom) fail(what, "missing target (the image file) in '" + std::string(spec) + "'");
  d.from_config = true;
  return d;
}

}  // namespace emu::frontend
