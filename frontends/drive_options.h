// Guest drives: QEMU's -drive property syntax and the slot assignment shared by
// -hda..-hdd, -cdrom, -drive and the disks of a -config file.
#pragma once
#include <string_view>

#include "frontends/options.h"

namespace emu::frontend {

// Parses "file=x.img,format=raw,if=ide,index=1,media=disk,readonly=on,snapshot=off"
// (commas inside values escaped as ",,"). Throws OptionError naming `what` on unknown
// properties or bad values. Does not check the file.
DriveOptions parse_drive_option(std::string_view text, std::string_view what);

// Highest index + 1 an interface offers (IDE: 4, floppy: 2, others 32).
int drive_slots(DriveInterface interface);
const char* drive_interface_name(DriveInterface interface);

// Adds a drive, giving it the first free index of its interface when it has none, and
// rejects an occupied or out-of-range index. A command-line drive replaces a drive from a
// config file at the same index (the command line overrides the file).
void add_drive(EmuOptions& options, DriveOptions drive, std::string_view what);

// Checks every drive's file can be opened, and that the guest may write it unless the
// drive is read-only, a CD-ROM, or writes go to a snapshot (a file without write
// permission bits counts as read-only, also for root); the message names the drive's
// origin and the file.
void check_drive_files(const EmuOptions& options);

}  // namespace emu::frontend
