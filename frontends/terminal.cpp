// Raw-mode guard, polled input and robust output for the terminal console (POSIX).
#include "frontends/terminal.h"

#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>

namespace emu::frontend {

namespace {

// State the signal handler needs: plain data only.
int g_tty_fd = -1;
struct termios g_saved_termios;
volatile sig_atomic_t g_raw_active = 0;

constexpr int kFatalSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGABRT};
struct sigaction g_old_actions[sizeof kFatalSignals / sizeof kFatalSignals[0]];

void on_fatal_signal(int sig) {
  int saved_errno = errno;
  restore_terminal();
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(sig, &dfl, nullptr);
  errno = saved_errno;
  raise(sig);  // delivered with the default action once this handler returns
}

void install_handlers() {
  for (size_t i = 0; i < sizeof kFatalSignals / sizeof kFatalSignals[0]; ++i) {
    struct sigaction sa {};
    sa.sa_handler = on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    sigaction(kFatalSignals[i], &sa, &g_old_actions[i]);
  }
}

void remove_handlers() {
  for (size_t i = 0; i < sizeof kFatalSignals / sizeof kFatalSignals[0]; ++i)
    sigaction(kFatalSignals[i], &g_old_actions[i], nullptr);
}

void restore_at_exit() { restore_terminal(); }

}  // namespace

void restore_terminal() {
  if (!g_raw_active) return;
  g_raw_active = 0;
  tcsetattr(g_tty_fd, TCSAFLUSH, &g_saved_termios);
}

TerminalRawMode::TerminalRawMode(int fd) {
  if (g_raw_active || !isatty(fd)) return;
  struct termios saved {};
  if (tcgetattr(fd, &saved) != 0) return;
  struct termios raw = saved;
  raw.c_iflag &= ~static_cast<tcflag_t>(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
  raw.c_oflag |= OPOST;
  raw.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
  raw.c_cflag &= ~static_cast<tcflag_t>(CSIZE | PARENB);
  raw.c_cflag |= CS8;
  raw.c_cc[VMIN] = 1;
  raw.c_cc[VTIME] = 0;

  g_tty_fd = fd;
  g_saved_termios = saved;
  static bool atexit_registered = false;
  if (!atexit_registered) atexit_registered = std::atexit(restore_at_exit) == 0;
  install_handlers();
  g_raw_active = 1;
  if (tcsetattr(fd, TCSAFLUSH, &raw) != 0) {
    g_raw_active = 0;
    remove_handlers();
    return;
  }
  owner_ = true;
}

TerminalRawMode::~TerminalRawMode() {
  if (!owner_) return;
  restore_terminal();
  remove_handlers();
}

std::vector<uint8_t> TerminalIo::poll_input(int timeout_ms) {
  std::vector<uint8_t> bytes;
  if (closed_) return bytes;
  struct pollfd pfd {};
  pfd.fd = in_fd_;
  pfd.events = POLLIN;
  int ready = ::poll(&pfd, 1, timeout_ms);
  if (ready < 0) {
    if (errno != EINTR) closed_ = true;
    return bytes;
  }
  if (ready == 0) return bytes;
  if (pfd.revents & POLLNVAL) {
    closed_ = true;
    return bytes;
  }
  // POLLIN or POLLHUP/POLLERR: a read tells data from end of input without blocking.
  uint8_t buffer[4096];
  ssize_t n;
  do {
    n = ::read(in_fd_, buffer, sizeof buffer);
  } while (n < 0 && errno == EINTR);
  if (n > 0) bytes.assign(buffer, buffer + n);
  else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) closed_ = true;
  return bytes;
}

bool TerminalIo::write_output(const void* data, size_t size) {
  const auto* p = static_cast<const uint8_t*>(data);
  while (size > 0) {
    ssize_t n = ::write(out_fd_, p, size);
    if (n > 0) {
      p += n;
      size -= static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      struct pollfd pfd {};
      pfd.fd = out_fd_;
      pfd.events = POLLOUT;
      ::poll(&pfd, 1, 100);
      continue;
    }
    return false;
  }
  return true;
}

}  // namespace emu::frontend
