// Parsing and describing -serial / -debugcon character device specs.
#include "frontends/chardev_spec.h"

#include "frontends/value_parse.h"

namespace emu::frontend {

namespace {

[[noreturn]] void fail(std::string_view what, std::string message) {
  throw OptionError{std::string(what) + ": " + message};
}

// "host:port" or ":port" with port 1..65535, optionally followed by ",server,nowait"-style
// flags, which we keep in the text but do not interpret yet.
void check_host_port(std::string_view address, std::string_view what, std::string_view text) {
  address = address.substr(0, address.find(','));
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) fail(what, "expected HOST:PORT in '" + std::string(text) + "'");
  auto port = parse_uint(address.substr(colon + 1));
  if (!port || *port == 0 || *port > 65535)
    fail(what, "invalid port '" + std::string(address.substr(colon + 1)) + "' in '" + std::string(text) + "'");
}

}  // namespace

CharDevSpec parse_chardev(std::string_view text, std::string_view what) {
  CharDevSpec spec;
  spec.text = std::string(text);
  std::string_view rest = text;
  if (rest.substr(0, 4) == "mon:") {
    spec.mux_monitor = true;
    rest.remove_prefix(4);
  }
  using K = CharDevSpec::Kind;
  if (rest == "stdio") {
    spec.kind = K::Stdio;
  } else if (rest == "null") {
    spec.kind = K::Null;
  } else if (rest == "none") {
    spec.kind = K::None;
  } else if (rest == "vc" || rest.substr(0, 3) == "vc:") {
    spec.kind = K::Vc;
  } else if (rest == "pty") {
    spec.kind = K::Pty;
  } else if (rest.substr(0, 5) == "file:") {
    spec.kind = K::File;
    spec.path = std::string(rest.substr(5));
    if (spec.path.empty()) fail(what, "missing file name in '" + std::string(text) + "'");
  } else if (rest.substr(0, 4) == "tcp:") {
    spec.kind = K::Tcp;
    spec.path = std::string(rest.substr(4));
    check_host_port(spec.path, what, text);
  } else if (rest.substr(0, 5) == "unix:") {
    spec.kind = K::Unix;
    spec.path = std::string(rest.substr(5));
    if (spec.path.empty()) fail(what, "missing socket path in '" + std::string(text) + "'");
  } else {
    fail(what, "unknown character device '" + std::string(text) +
                   "' (use stdio, mon:stdio, null, none, vc, pty, file:PATH, tcp:HOST:PORT or unix:PATH)");
  }
  if (spec.mux_monitor && spec.kind != K::Stdio)
    fail(what, "mon: is only supported together with stdio, not '" + std::string(text) + "'");
  return spec;
}

std::string describe_chardev(const CharDevSpec& spec) {
  using K = CharDevSpec::Kind;
  switch (spec.kind) {
    case K::Stdio:
      return spec.mux_monitor ? "the terminal, Ctrl-A escapes active (Ctrl-A H for help)" : "the terminal";
    case K::Null: return "discarded (null)";
    case K::None: return "not connected";
    case K::File: return "file '" + spec.path + "'";
    case K::Vc: return "the display window's console";
    case K::Pty: return "a new pseudo-terminal";
    case K::Tcp: return "TCP " + spec.path;
    case K::Unix: return "unix socket " + spec.path;
  }
  return spec.text;
}

}  // namespace emu::frontend
