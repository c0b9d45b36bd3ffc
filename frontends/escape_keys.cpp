// Ctrl-A escape key state machine (see escape_keys.h).
#include "frontends/escape_keys.h"

namespace emu::frontend {

EscapeKeyFilter::Result EscapeKeyFilter::feed(uint8_t byte) {
  Result r;
  if (!got_escape_) {
    if (byte == kEscapeChar) {
      got_escape_ = true;
    } else {
      r.forward = true;
      r.byte = byte;
    }
    return r;
  }
  got_escape_ = false;
  switch (byte) {
    case kEscapeChar: r.forward = true; r.byte = byte; break;
    case 'x': case 'X': r.action = Action::Quit; break;
    case 'h': case 'H': case '?': r.action = Action::Help; break;
    case 'c': case 'C': r.action = Action::ToggleMonitor; break;
    case 'b': case 'B': r.action = Action::Break; break;
    case 's': case 'S': r.action = Action::CommitDisks; break;
    case 't': case 'T': r.action = Action::ToggleTimestamps; break;
    default: break;  // consumed, as QEMU does
  }
  return r;
}

std::string escape_help_text() {
  return "\r\n"
         "C-a h    print this help\r\n"
         "C-a x    exit emulator\r\n"
         "C-a s    save disk data back to file (if -snapshot)\r\n"
         "C-a t    toggle console timestamps\r\n"
         "C-a b    send break (magic sysrq)\r\n"
         "C-a c    switch between console and monitor\r\n"
         "C-a C-a  sends C-a\r\n";
}

}  // namespace emu::frontend
