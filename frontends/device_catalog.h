// The devices `-device` can name and the NIC models `-nic model=` accepts, with the
// properties each takes, so a typo is caught at parse time (`-device help` lists them).
#pragma once
#include <string>
#include <string_view>

#include "frontends/options.h"

namespace emu::frontend {

struct DeviceInfo {
  const char* name;
  const char* const* props;  // null-terminated list of accepted properties (besides id)
  bool is_nic;               // may also be named by -nic model=
  bool implemented;          // false: parsed and validated, but not built yet
  const char* help;
};

// Null when the driver is unknown.
const DeviceInfo* find_device(std::string_view name);

// Validates a parsed -device: known driver, known properties, numeric ones in range.
// Throws OptionError naming `what`.
void validate_device(const NamedProps& device, std::string_view what);

// Validates a -nic model= value.
void validate_nic_model(std::string_view model, std::string_view what);

// The text of `-device help` (and `-nic model=help`).
std::string device_help_text();

}  // namespace emu::frontend
