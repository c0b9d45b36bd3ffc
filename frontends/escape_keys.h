// QEMU's terminal escape keys for a console shared by the guest serial port and the
// monitor (-nographic, -serial mon:stdio): Ctrl-A followed by a command key. Pure state
// machine, no I/O, so it can be tested byte by byte.
//
//   Ctrl-A x      quit            Ctrl-A h or ?   print help
//   Ctrl-A c      monitor toggle  Ctrl-A b        send break
//   Ctrl-A s      commit disks    Ctrl-A t        toggle timestamps
//   Ctrl-A Ctrl-A send one Ctrl-A to the guest
// Like QEMU, Ctrl-A followed by any other key is consumed (neither byte reaches the
// guest). Command letters are accepted in either case.
#pragma once
#include <cstdint>
#include <string>

namespace emu::frontend {

inline constexpr uint8_t kEscapeChar = 0x01;  // Ctrl-A

class EscapeKeyFilter {
 public:
  enum class Action { None, Quit, Help, ToggleMonitor, Break, CommitDisks, ToggleTimestamps };

  struct Result {
    bool forward = false;  // `byte` goes to the guest
    uint8_t byte = 0;
    Action action = Action::None;
  };

  Result feed(uint8_t byte);
  bool pending_escape() const { return got_escape_; }

 private:
  bool got_escape_ = false;
};

// The lines Ctrl-A H prints (with \r\n line ends, for a raw-mode terminal).
std::string escape_help_text();

}  // namespace emu::frontend
