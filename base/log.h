// Diagnostic logging by category, selected with `-d cat1,cat2` and sent to stderr
// or the file given with `-D`. Logging costs one branch when a category is off.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace emu {

enum class LogCategory : uint32_t {
  Unimp = 1u << 0,   // guest touched unimplemented ports/MMIO/MSRs
  Guest = 1u << 1,   // guest errors (bad descriptors, invalid opcodes, ...)
  Int = 1u << 2,     // interrupts and exceptions
  Boot = 1u << 3,    // boot path decisions (-kernel loading, PVH, fallbacks)
  InAsm = 1u << 4,   // guest code as it is decoded
  OutAsm = 1u << 5,  // host code from the JIT
  Exec = 1u << 6,    // each block as it starts running (not between chained blocks)
  Cpu = 1u << 7,     // CPU state before each block (where exec logs one)
  NoChain = 1u << 8, // do not chain JIT blocks nor probe the jump table inline
  Device = 1u << 9,  // device register traffic
  Jit = 1u << 10,    // JIT statistics at exit
  Stats = 1u << 11,  // guest instructions retired, wall time, MIPS at exit
  Profile = 1u << 12,  // guest RIP samples per time slice, printed at exit (devices/guest_profile.h)
  PerfMap = 1u << 13,  // /tmp/perf-<pid>.map: generated code named by guest RIP, for perf
};

struct LogCategoryName {
  const char* name;
  LogCategory category;
  const char* help;
};

// The categories `-d` accepts, for parsing and for `-d help`.
const LogCategoryName* log_category_names(size_t* count);

// Parses "unimp,int,..." into a mask. On an unknown name returns false and stores it in *bad.
bool parse_log_categories(std::string_view list, uint32_t* mask, std::string* bad);

void set_log_mask(uint32_t mask);
// Redirects log output to a file (for -D); an empty path closes it and logs to stderr
// again. Returns false (with errno set) on failure.
bool set_log_file(const std::string& path);

extern uint32_t g_log_mask;
inline bool log_enabled(LogCategory c) { return (g_log_mask & static_cast<uint32_t>(c)) != 0; }
void log_printf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// Writes out what the log file buffered (stderr is unbuffered).
void log_flush();

}  // namespace emu

#define EMU_LOG(cat, ...)                                              \
  do {                                                                 \
    if (::emu::log_enabled(::emu::LogCategory::cat)) ::emu::log_printf(__VA_ARGS__); \
  } while (0)
