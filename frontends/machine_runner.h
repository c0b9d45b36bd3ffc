// Turns validated EmuOptions into a running PC: builds the board, connects the serial
// console and debug ports to their host back ends, loads the boot source (-kernel as a
// Linux bzImage or multiboot image, or -bios), runs until the guest powers off or
// stops, and returns emu's exit status.
#pragma once
#include "frontends/options.h"

namespace emu::frontend {

// Exit statuses beyond the usage error (2).
inline constexpr int kExitLoadError = 1;   // a boot file is not what it claims; a triple fault with -no-reboot
inline constexpr int kExitGuestStopped = 3;  // the guest stopped where emu cannot go on

int run_machine(const EmuOptions& options);

}  // namespace emu::frontend
