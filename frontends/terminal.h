// The host side of the headless serial console: raw mode for a terminal on stdin
// (restored on every way out), non-blocking polled input that also works on pipes and
// /dev/null, and output writes that survive partial writes and EINTR. POSIX hosts.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace emu::frontend {

// Puts fd in raw mode when it is a terminal (no echo, no line editing, no signals from
// Ctrl-C/Ctrl-Z: those bytes go to the guest; output processing stays on). The saved
// settings come back when the guard dies, at exit(), and on SIGINT/SIGTERM/SIGHUP/
// SIGQUIT/SIGSEGV/SIGBUS/SIGABRT (the handler restores, then re-raises with the default
// action). One guard is active at a time; a second one on top does nothing.
class TerminalRawMode {
 public:
  explicit TerminalRawMode(int fd = 0);
  ~TerminalRawMode();
  TerminalRawMode(const TerminalRawMode&) = delete;
  TerminalRawMode& operator=(const TerminalRawMode&) = delete;

  bool active() const { return owner_; }  // false when fd is not a terminal

 private:
  bool owner_ = false;
};

// Restores the saved terminal settings, if any. Async-signal-safe; idempotent.
void restore_terminal();

class TerminalIo {
 public:
  explicit TerminalIo(int in_fd = 0, int out_fd = 1) : in_fd_(in_fd), out_fd_(out_fd) {}

  // Returns the bytes available now, waiting at most timeout_ms (0: do not wait,
  // negative: wait for input). After end of input (EOF, a closed pipe, /dev/null, a
  // read error) it returns nothing at once and input_closed() is true, so callers that
  // poll in a loop never spin on a dead descriptor.
  std::vector<uint8_t> poll_input(int timeout_ms = 0);
  bool input_closed() const { return closed_; }

  // Writes all of data, retrying on partial writes, EINTR and EAGAIN. Returns false if
  // the output is gone (EPIPE, EBADF, ...).
  bool write_output(const void* data, size_t size);

 private:
  int in_fd_, out_fd_;
  bool closed_ = false;
};

}  // namespace emu::frontend
