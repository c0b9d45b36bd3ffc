// Entry point of the `emu` command: parse the command line (and -config file), set up
// logging, and run the machine (usage errors are status 2; see machine_runner.h for the rest).
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>

#include "base/log.h"
#include "frontends/options.h"
#include "frontends/machine_runner.h"
#include "frontends/run_plan.h"

namespace {

bool window_available() {
  return emu::frontend::sdl_compiled_in() && (std::getenv("DISPLAY") || std::getenv("WAYLAND_DISPLAY"));
}

}  // namespace

int main(int argc, char** argv) {
  using namespace emu::frontend;
  ParseResult parsed = parse_options(std::span<const char* const>(argv + 1, static_cast<size_t>(argc > 0 ? argc - 1 : 0)));
  if (parsed.action == ParseResult::Action::Exit) {
    std::fputs(parsed.text.c_str(), stdout);
    return parsed.exit_code;
  }
  if (parsed.action == ParseResult::Action::Error) {
    std::fprintf(stderr, "%s\n", parsed.text.c_str());
    return parsed.exit_code;
  }
  EmuOptions& options = parsed.options;
  apply_defaults(options, window_available());
  if (auto missing = first_unsupported_feature(options)) {
    std::fprintf(stderr, "emu: %s\n", missing->c_str());
    return kExitUsage;
  }
  emu::set_log_mask(options.log_mask);
  if (!options.log_file.empty() && !emu::set_log_file(options.log_file)) {
    std::fprintf(stderr, "emu: -D: cannot open '%s': %s\n", options.log_file.c_str(), std::strerror(errno));
    return kExitUsage;
  }

  if (options.log_mask & static_cast<uint32_t>(emu::LogCategory::Boot)) std::fputs(describe_run(options).c_str(), stderr);
  return run_machine(options);
}
