// Character device specs as QEMU's -serial and -debugcon take them:
// stdio, mon:stdio, null, none, vc, pty, file:PATH, tcp:HOST:PORT, unix:PATH.
#pragma once
#include <string>
#include <string_view>

#include "frontends/options.h"

namespace emu::frontend {

// Throws OptionError "<what>: unknown character device '<text>'" (and similar) on bad input.
CharDevSpec parse_chardev(std::string_view text, std::string_view what);

// A short description for the "would run" summary, e.g. "the terminal (Ctrl-A H for help)".
std::string describe_chardev(const CharDevSpec& spec);

}  // namespace emu::frontend
