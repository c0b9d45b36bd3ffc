// The headless serial console: joins the host terminal (TerminalIo) to a guest serial
// port through the Ctrl-A escape keys when the monitor shares the terminal
// (-nographic, -serial mon:stdio). The board polls it for input bytes and hands it the
// guest's output; quit and break requests are flags the run loop reads. Guest output is
// collected and written when the run loop polls (every time slice, ~0.1 ms of guest
// time) instead of one write(2) per byte the guest sends.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "frontends/escape_keys.h"
#include "frontends/terminal.h"

namespace emu::frontend {

class HeadlessConsole {
 public:
  // escapes: interpret Ctrl-A keys (mon:stdio); otherwise every byte goes to the guest.
  HeadlessConsole(TerminalIo& io, bool escapes) : io_(io), escapes_(escapes) {}

  // Bytes for the guest's serial port, after escape handling. Waits up to timeout_ms.
  std::vector<uint8_t> poll_input(int timeout_ms = 0);

  // Guest output for the terminal: kept until flush_output() (or 64 KiB have piled up).
  void write_output(const uint8_t* data, size_t size);
  // Writes what the guest sent since the last flush (false if the terminal is gone).
  bool flush_output();

  bool quit_requested() const { return quit_; }   // Ctrl-A X
  bool take_break_request();                      // Ctrl-A B, cleared by reading
  bool input_closed() const { return io_.input_closed(); }

 private:
  void handle(EscapeKeyFilter::Action action);
  void say(const char* text);

  TerminalIo& io_;
  bool escapes_;
  EscapeKeyFilter filter_;
  bool quit_ = false;
  bool break_ = false;
  std::vector<uint8_t> pending_;  // guest output not written yet
};

}  // namespace emu::frontend
