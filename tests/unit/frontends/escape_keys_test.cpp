// Unit tests for the Ctrl-A escape key state machine (QEMU's mux console keys).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "frontends/escape_keys.h"

using emu::frontend::EscapeKeyFilter;
using Action = EscapeKeyFilter::Action;

namespace {

struct Fed {
  std::string to_guest;
  std::vector<Action> actions;
};

Fed feed_all(EscapeKeyFilter& f, const std::string& bytes) {
  Fed out;
  for (char c : bytes) {
    auto r = f.feed(static_cast<uint8_t>(c));
    if (r.forward) out.to_guest += static_cast<char>(r.byte);
    if (r.action != Action::None) out.actions.push_back(r.action);
  }
  return out;
}

}  // namespace

TEST_CASE("ordinary bytes pass straight through, including Ctrl-C") {
  EscapeKeyFilter f;
  Fed out = feed_all(f, std::string("ls -l\r\x03\x1b[A", 10));
  CHECK(out.to_guest == std::string("ls -l\r\x03\x1b[A", 10));
  CHECK(out.actions.empty());
}

TEST_CASE("Ctrl-A x quits, Ctrl-A h prints help, Ctrl-A c toggles the monitor") {
  EscapeKeyFilter f;
  CHECK(feed_all(f, "\x01x").actions == std::vector<Action>{Action::Quit});
  CHECK(feed_all(f, "\x01X").actions == std::vector<Action>{Action::Quit});
  CHECK(feed_all(f, "\x01h").actions == std::vector<Action>{Action::Help});
  CHECK(feed_all(f, "\x01?").actions == std::vector<Action>{Action::Help});
  CHECK(feed_all(f, "\x01" "c").actions == std::vector<Action>{Action::ToggleMonitor});
  CHECK(feed_all(f, "\x01" "b").actions == std::vector<Action>{Action::Break});
  CHECK(feed_all(f, "\x01s\x01t").actions == std::vector<Action>{Action::CommitDisks, Action::ToggleTimestamps});
  CHECK(feed_all(f, "\x01x").to_guest.empty());
}

TEST_CASE("Ctrl-A Ctrl-A sends one Ctrl-A, then escapes work again") {
  EscapeKeyFilter f;
  Fed out = feed_all(f, "a\x01\x01" "b\x01x");
  CHECK(out.to_guest == "a\x01" "b");
  CHECK(out.actions == std::vector<Action>{Action::Quit});
}

TEST_CASE("Ctrl-A followed by another key is consumed, as in QEMU") {
  EscapeKeyFilter f;
  Fed out = feed_all(f, "\x01zq");
  CHECK(out.to_guest == "q");
  CHECK(out.actions.empty());
  CHECK_FALSE(f.pending_escape());
}

TEST_CASE("the escape state survives across separate reads") {
  EscapeKeyFilter f;
  CHECK(feed_all(f, "abc\x01").to_guest == "abc");
  CHECK(f.pending_escape());
  Fed out = feed_all(f, "x");
  CHECK(out.actions == std::vector<Action>{Action::Quit});
}

TEST_CASE("the help text lists the keys with terminal line ends") {
  std::string help = emu::frontend::escape_help_text();
  for (const char* key : {"C-a h", "C-a x", "C-a c", "C-a C-a"}) CHECK(help.find(key) != std::string::npos);
  CHECK(help.find("\r\n") != std::string::npos);
}
