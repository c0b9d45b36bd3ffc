// The text of `emu --help` and `emu --version`.
#pragma once
#include <string>

namespace emu::frontend {

std::string usage_text();
std::string version_text();  // "emu 0.1.0\n" (the CMake project version)

}  // namespace emu::frontend
