// Headless serial console: terminal input through the escape keys to the guest.
#include "frontends/console.h"

#include <cstring>

namespace emu::frontend {

std::vector<uint8_t> HeadlessConsole::poll_input(int timeout_ms) {
  std::vector<uint8_t> raw = io_.poll_input(timeout_ms);
  if (!escapes_) return raw;
  std::vector<uint8_t> to_guest;
  to_guest.reserve(raw.size());
  for (uint8_t byte : raw) {
    EscapeKeyFilter::Result r = filter_.feed(byte);
    if (r.forward) to_guest.push_back(r.byte);
    if (r.action != EscapeKeyFilter::Action::None) handle(r.action);
  }
  return to_guest;
}

bool HeadlessConsole::take_break_request() {
  bool b = break_;
  break_ = false;
  return b;
}

void HeadlessConsole::say(const char* text) {
  flush_output();  // after what the guest printed before
  io_.write_output(text, std::strlen(text));
}

void HeadlessConsole::write_output(const uint8_t* data, size_t size) {
  pending_.insert(pending_.end(), data, data + size);
  if (pending_.size() >= 64 * 1024) flush_output();
}

bool HeadlessConsole::flush_output() {
  if (pending_.empty()) return true;
  const bool ok = io_.write_output(pending_.data(), pending_.size());
  pending_.clear();
  return ok;
}

void HeadlessConsole::handle(EscapeKeyFilter::Action action) {
  using A = EscapeKeyFilter::Action;
  switch (action) {
    case A::Quit:
      say("\r\nemu: terminated\r\n");
      quit_ = true;
      break;
    case A::Help: {
      std::string help = escape_help_text();
      flush_output();
      io_.write_output(help.data(), help.size());
      break;
    }
    case A::ToggleMonitor: say("\r\nemu: the monitor is not supported yet\r\n"); break;
    case A::Break: break_ = true; break;
    case A::CommitDisks: say("\r\nemu: C-a s: -snapshot is not supported yet\r\n"); break;
    case A::ToggleTimestamps: say("\r\nemu: C-a t: console timestamps are not supported yet\r\n"); break;
    case A::None: break;
  }
}

}  // namespace emu::frontend
