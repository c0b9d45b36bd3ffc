// Reader for xl-style VM config files (as Xen's `xl create` takes them):
//   name = "busybox"            # comments run to the end of the line
//   kernel = "vmlinuz"          # relative paths are relative to the config file
//   memory = 512                # MiB
//   disk = [ 'file:busybox.img,hda,w' ]
// Settings are applied onto EmuOptions; the command line is applied afterwards and so
// overrides them. Errors name the file and line: "vm.cfg:3: expected '=' after 'memory'".
#pragma once
#include <string>
#include <string_view>

#include "frontends/options.h"

namespace emu::frontend {

// Reads and applies a config file. Throws OptionError ("<path>:<line>: ...").
void load_vm_config(const std::string& path, EmuOptions& options);

// The same on text already in memory: display_name prefixes messages and base_dir
// (ending in '/', or "" to leave relative paths alone) is prepended to relative paths.
void apply_vm_config_text(std::string_view text, std::string_view display_name, std::string_view base_dir,
                          EmuOptions& options);

}  // namespace emu::frontend
