// Unit tests for the terminal console's host side: raw mode on a pseudo-terminal and
// its restoration (guard, fatal signal), polled input from pipes and /dev/null, and
// complete output through a pipe that accepts only part of each write.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <string>
#include <thread>

#include "frontends/terminal.h"

using emu::frontend::TerminalIo;
using emu::frontend::TerminalRawMode;

namespace {

struct Pty {
  int master = -1, slave = -1;
  Pty() {
    master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0) {
      const char* name = ptsname(master);
      if (name) slave = open(name, O_RDWR | O_NOCTTY);
    }
  }
  ~Pty() {
    if (slave >= 0) close(slave);
    if (master >= 0) close(master);
  }
};

tcflag_t lflags(int fd) {
  struct termios t {};
  tcgetattr(fd, &t);
  return t.c_lflag;
}

struct Pipe {
  int fds[2] = {-1, -1};
  Pipe() { REQUIRE(pipe(fds) == 0); }
  ~Pipe() {
    close_read();
    close_write();
  }
  void close_read() {
    if (fds[0] >= 0) close(fds[0]);
    fds[0] = -1;
  }
  void close_write() {
    if (fds[1] >= 0) close(fds[1]);
    fds[1] = -1;
  }
};

}  // namespace

TEST_CASE("raw mode on a terminal is set by the guard and restored when it dies") {
  Pty pty;
  if (pty.slave < 0) {
    WARN("no pseudo-terminal available; skipping");
    return;
  }
  tcflag_t before = lflags(pty.slave);
  REQUIRE((before & ICANON) != 0);
  REQUIRE((before & ECHO) != 0);
  {
    TerminalRawMode raw(pty.slave);
    REQUIRE(raw.active());
    tcflag_t now = lflags(pty.slave);
    CHECK((now & ICANON) == 0);
    CHECK((now & ECHO) == 0);
    CHECK((now & ISIG) == 0);  // Ctrl-C goes to the guest
    TerminalRawMode nested(pty.slave);
    CHECK_FALSE(nested.active());
  }
  CHECK(lflags(pty.slave) == before);
}

TEST_CASE("raw mode does nothing when the descriptor is not a terminal") {
  Pipe p;
  TerminalRawMode raw(p.fds[0]);
  CHECK_FALSE(raw.active());
}

TEST_CASE("a fatal signal restores the terminal before the process dies of it") {
  Pty pty;
  if (pty.slave < 0) {
    WARN("no pseudo-terminal available; skipping");
    return;
  }
  tcflag_t before = lflags(pty.slave);
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    TerminalRawMode raw(pty.slave);
    if (!raw.active() || (lflags(pty.slave) & ICANON)) _exit(10);
    raise(SIGTERM);
    _exit(11);  // not reached: SIGTERM's default action ends the process
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGTERM);
  CHECK(lflags(pty.slave) == before);
}

TEST_CASE("exit() restores the terminal too") {
  Pty pty;
  if (pty.slave < 0) {
    WARN("no pseudo-terminal available; skipping");
    return;
  }
  tcflag_t before = lflags(pty.slave);
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto* raw = new TerminalRawMode(pty.slave);  // never destroyed: exit() must restore
    std::exit(raw->active() ? 0 : 10);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(lflags(pty.slave) == before);
}

TEST_CASE("input from a pipe is returned as it arrives, and EOF closes it for good") {
  Pipe p;
  TerminalIo io(p.fds[0], -1);
  CHECK(io.poll_input(0).empty());
  CHECK_FALSE(io.input_closed());
  REQUIRE(write(p.fds[1], "hello", 5) == 5);
  std::vector<uint8_t> got = io.poll_input(1000);
  CHECK(std::string(got.begin(), got.end()) == "hello");
  p.close_write();
  CHECK(io.poll_input(1000).empty());
  CHECK(io.input_closed());
  auto start = std::chrono::steady_clock::now();
  CHECK(io.poll_input(-1).empty());  // returns at once instead of waiting forever
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
}

TEST_CASE("/dev/null as input is end of input at once") {
  int fd = open("/dev/null", O_RDONLY);
  REQUIRE(fd >= 0);
  TerminalIo io(fd, -1);
  CHECK(io.poll_input(0).empty());
  CHECK(io.input_closed());
  close(fd);
}

TEST_CASE("output is written completely through a non-blocking pipe that fills up") {
  Pipe p;
  REQUIRE(fcntl(p.fds[1], F_SETFL, fcntl(p.fds[1], F_GETFL) | O_NONBLOCK) == 0);
  std::string data;
  for (int i = 0; i < 300000; ++i) data += static_cast<char>('a' + i % 26);
  std::string received;
  std::thread reader([&] {
    char buf[7000];
    ssize_t n;
    while ((n = read(p.fds[0], buf, sizeof buf)) > 0) {
      received.append(buf, static_cast<size_t>(n));
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });
  TerminalIo io(-1, p.fds[1]);
  bool ok = io.write_output(data.data(), data.size());
  p.close_write();
  reader.join();
  CHECK(ok);
  CHECK(received.size() == data.size());
  CHECK(received == data);
}

TEST_CASE("writing to a closed descriptor reports failure") {
  TerminalIo io(-1, -1);
  CHECK_FALSE(io.write_output("x", 1));
}
