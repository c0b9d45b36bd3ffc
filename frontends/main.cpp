// Entry point of the `emu` command: parse the command line (and -config file), set up
// logging, and run the machine. Until the x86 CPU and the PC board exist, it stops after
// describing what it would run (exit status 3; usage errors are status 2).
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>

#include "base/log.h"
#include "frontends/options.h"
#include "frontends/run_plan.h"

namespace {

constexpr int kExitCannotRun = 3;

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

  // The board wiring replaces this part once the CPU and the PC devices exist.
  std::fputs(describe_run(options).c_str(), stdout);
  std::fflush(stdout);
  std::fprintf(stderr, "emu: cannot boot yet: the x86 CPU and PC board are not implemented in this build\n");
  return kExitCannotRun;
}
