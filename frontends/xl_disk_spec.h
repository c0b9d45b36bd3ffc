// One entry of an xl config's `disk = [ ... ]` list, as xl-disk-configuration(5)
// describes it: positional "target,format,vdev,access", key=value pairs, the "cdrom"
// flag, a final "target=" that swallows the rest (commas included), and the deprecated
// "file:/path", "phy:", "tap:aio:", "qcow2:" target prefixes and "hdc:cdrom" vdev suffix.
#pragma once
#include <string_view>

#include "frontends/options.h"

namespace emu::frontend {

// Returns the drive with file = the target as written (not yet resolved against the
// config directory) and index from vdev (hda..hdd, xvda..xvdd, sda..sdd -> IDE 0..3).
// Throws OptionError prefixed with `what` ("vm.cfg:7: disk: ...").
DriveOptions parse_xl_disk_spec(std::string_view spec, std::string_view what);

}  // namespace emu::frontend
