// Checks that a file named on the command line or in a config file can be opened, so
// the user hears about a typo before anything starts ("emu: -kernel: cannot open ...").
#pragma once
#include <string>
#include <string_view>

namespace emu::frontend {

// Throws OptionError "<what>: cannot open '<path>': <reason>" unless path names an
// openable non-directory, for reading and, when for_writing, for writing too.
void check_file(const std::string& path, std::string_view what, bool for_writing);

}  // namespace emu::frontend
