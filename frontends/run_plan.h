// What a parsed command line amounts to: the defaults QEMU users expect filled in
// (display, serial console), the features not built yet, and a readable summary of
// the machine emu would run.
#pragma once
#include <optional>
#include <string>

#include "frontends/options.h"

namespace emu::frontend {

// True when this build has the SDL2 window (EMU_HAVE_SDL).
bool sdl_compiled_in();

// Fills in the defaults: -nographic and a default display without a usable window mean
// display none; with no display window and no -serial, COM1 is mon:stdio (the terminal,
// Ctrl-A escapes), so a headless `emu -kernel ...` shows the guest's console.
void apply_defaults(EmuOptions& options, bool window_available);

// "<option>: not supported yet" (or "...: this build has no SDL2") for the first
// requested feature this build cannot provide, or nullopt.
std::optional<std::string> first_unsupported_feature(const EmuOptions& options);

// Multi-line, human-readable description of the VM the options describe.
std::string describe_run(const EmuOptions& options);

}  // namespace emu::frontend
