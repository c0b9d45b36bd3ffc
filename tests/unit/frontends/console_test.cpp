// Unit tests for the headless console: terminal bytes through the escape keys to the
// guest, and the replies the escape keys print.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "frontends/console.h"

using emu::frontend::HeadlessConsole;
using emu::frontend::TerminalIo;

namespace {

// Input and output pipes around a console.
struct Rig {
  int in[2], out[2];
  Rig() {
    REQUIRE(pipe(in) == 0);
    REQUIRE(pipe(out) == 0);
    fcntl(out[0], F_SETFL, O_NONBLOCK);
  }
  ~Rig() {
    for (int fd : {in[0], in[1], out[0], out[1]})
      if (fd >= 0) close(fd);
  }
  void type(const std::string& s) { REQUIRE(write(in[1], s.data(), s.size()) == static_cast<ssize_t>(s.size())); }
  std::string printed() {
    std::string s;
    char buf[512];
    ssize_t n;
    while ((n = read(out[0], buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
    return s;
  }
};

std::string str(const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); }

}  // namespace

TEST_CASE("with escapes: Ctrl-A keys act, other bytes reach the guest") {
  Rig rig;
  TerminalIo io(rig.in[0], rig.out[1]);
  HeadlessConsole console(io, true);
  rig.type("ls\r\x01\x01\x01h");
  CHECK(str(console.poll_input(1000)) == "ls\r\x01");
  CHECK(rig.printed().find("C-a x") != std::string::npos);  // the help
  rig.type("\x01" "c");
  CHECK(console.poll_input(1000).empty());
  CHECK(rig.printed().find("monitor is not supported yet") != std::string::npos);
  rig.type("\x01" "b");
  console.poll_input(1000);
  CHECK(console.take_break_request());
  CHECK_FALSE(console.take_break_request());
  CHECK_FALSE(console.quit_requested());
  rig.type("\x01x");
  console.poll_input(1000);
  CHECK(console.quit_requested());
  CHECK(rig.printed().find("terminated") != std::string::npos);
}

TEST_CASE("without escapes every byte reaches the guest") {
  Rig rig;
  TerminalIo io(rig.in[0], rig.out[1]);
  HeadlessConsole console(io, false);
  rig.type("\x01x");
  CHECK(str(console.poll_input(1000)) == "\x01x");
  CHECK_FALSE(console.quit_requested());
}

TEST_CASE("guest output goes to the terminal unchanged, when the run loop flushes it") {
  Rig rig;
  TerminalIo io(rig.in[0], rig.out[1]);
  HeadlessConsole console(io, true);
  const uint8_t text[] = {'o', 'k', '\r', '\n', 0x01};
  console.write_output(text, 2);
  console.write_output(text + 2, sizeof text - 2);
  CHECK(console.flush_output());
  CHECK(rig.printed() == std::string("ok\r\n\x01"));
}
