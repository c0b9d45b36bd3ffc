// xl-style VM config files: a small lexer/parser for `key = value` lines (strings,
// numbers, [lists]) and the mapping of the known keys onto EmuOptions.
#include "frontends/vm_config.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "frontends/chardev_spec.h"
#include "frontends/device_catalog.h"
#include "frontends/drive_options.h"
#include "frontends/file_check.h"
#include "frontends/value_parse.h"
#include "frontends/xl_disk_spec.h"

namespace emu::frontend {

namespace {

struct Atom {
  bool is_string = false;  // quoted string (else a bare number)
  std::string text;
  int line = 0;
};

struct Setting {
  std::string key;
  int line = 0;
  bool is_list = false;
  std::vector<Atom> items;  // one item unless is_list
};

class ConfigParser {
 public:
  ConfigParser(std::string_view text, std::string_view name) : text_(text), name_(name) {}

  std::vector<Setting> parse() {
    std::vector<Setting> settings;
    while (true) {
      skip_blank(true);
      if (at_end()) break;
      if (peek() == ';') {
        ++pos_;
        continue;
      }
      Setting s;
      s.line = line_;
      s.key = identifier();
      skip_blank(false);
      if (peek() != '=') fail("expected '=' after '" + s.key + "'");
      ++pos_;
      skip_blank(false);
      if (peek() == '[') {
        ++pos_;
        s.is_list = true;
        list_items(s);
      } else {
        if (at_end() || peek() == '\n' || peek() == ';') fail("expected a value after '" + s.key + " ='");
        s.items.push_back(atom());
      }
      skip_blank(false);
      if (!at_end() && peek() != '\n' && peek() != ';')
        fail("unexpected '" + std::string(1, peek()) + "' after the value of '" + s.key + "'");
      for (const Setting& earlier : settings)
        if (earlier.key == s.key)
          fail("'" + s.key + "' is set twice (first on line " + std::to_string(earlier.line) + ")");
      settings.push_back(std::move(s));
    }
    return settings;
  }

  [[noreturn]] void fail(const std::string& message) const {
    throw OptionError{std::string(name_) + ":" + std::to_string(line_) + ": " + message};
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }

  // Skips spaces, tabs and comments; newlines too when newlines is set.
  void skip_blank(bool newlines) {
    while (!at_end()) {
      char c = peek();
      if (c == '#') {
        while (!at_end() && peek() != '\n') ++pos_;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        ++pos_;
      } else if (c == '\n' && newlines) {
        ++pos_;
        ++line_;
      } else {
        break;
      }
    }
  }

  static bool ident_char(char c, bool first) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
  }

  std::string identifier() {
    if (!ident_char(peek(), true)) fail("expected a setting name, found '" + std::string(1, peek()) + "'");
    size_t start = pos_;
    while (!at_end() && ident_char(peek(), false)) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  Atom atom() {
    Atom a;
    a.line = line_;
    char c = peek();
    if (c == '"' || c == '\'') {
      a.is_string = true;
      a.text = quoted(c);
    } else if (c >= '0' && c <= '9') {
      size_t start = pos_;
      while (!at_end() && ((peek() >= '0' && peek() <= '9') || (peek() >= 'a' && peek() <= 'f') ||
                           (peek() >= 'A' && peek() <= 'F') || peek() == 'x' || peek() == 'X'))
        ++pos_;
      a.text = std::string(text_.substr(start, pos_ - start));
      if (!parse_uint(a.text)) fail("invalid number '" + a.text + "'");
    } else {
      fail(std::string("expected a value (a quoted string, a number or a [list]), found '") + c + "'");
    }
    return a;
  }

  std::string quoted(char quote) {
    ++pos_;
    std::string s;
    while (true) {
      if (at_end() || peek() == '\n') fail(std::string("unterminated string (missing ") + quote + ")");
      char c = text_[pos_++];
      if (c == quote) break;
      if (c == '\\') {
        if (at_end()) fail("unterminated string");
        char e = text_[pos_++];
        switch (e) {
          case 'n': s += '\n'; break;
          case 't': s += '\t'; break;
          case '\\': case '\'': case '"': s += e; break;
          default: fail(std::string("unknown escape '\\") + e + "' in string");
        }
        continue;
      }
      s += c;
    }
    return s;
  }

  void list_items(Setting& s) {
    while (true) {
      skip_blank(true);
      if (at_end()) fail("unterminated list for '" + s.key + "' (missing ])");
      if (peek() == ']') {
        ++pos_;
        return;
      }
      s.items.push_back(atom());
      skip_blank(true);
      if (peek() == ',') {
        ++pos_;
      } else if (peek() != ']') {
        if (at_end()) fail("unterminated list for '" + s.key + "' (missing ])");
        fail("expected ',' or ']' in the list for '" + s.key + "'");
      }
    }
  }

  std::string_view text_;
  std::string_view name_;
  size_t pos_ = 0;
  int line_ = 1;
};

// Maps parsed settings onto options.
class ConfigApplier {
 public:
  ConfigApplier(std::string_view name, std::string_view base_dir, EmuOptions& options)
      : name_(name), base_dir_(base_dir), o_(options) {}

  void apply(const std::vector<Setting>& settings) {
    std::string extra, cmdline, root;
    bool have_cmdline = false, have_kernel_args = false;
    for (const Setting& s : settings) {
      what_ = std::string(name_) + ":" + std::to_string(s.line);
      const std::string& k = s.key;
      if (k == "name") o_.name = string(s);
      else if (k == "type" || k == "builder") guest_type(s);
      else if (k == "kernel") o_.kernel = path(s, true);
      else if (k == "ramdisk") o_.initrd = path(s, true);
      else if (k == "extra") { extra = string(s); have_kernel_args = true; }
      else if (k == "root") { root = string(s); have_kernel_args = true; }
      else if (k == "cmdline") { cmdline = string(s); have_cmdline = true; }
      else if (k == "memory") memory(s);
      else if (k == "vcpus") o_.smp = o_.max_cpus = cpus(s);
      else if (k == "maxvcpus") o_.max_cpus = cpus(s);
      else if (k == "disk") disks(s);
      else if (k == "vif") vifs(s);
      else if (k == "on_poweroff") o_.on_poweroff = action(s);
      else if (k == "on_crash") o_.on_crash = action(s);
      else if (k == "on_reboot") o_.no_reboot = action(s) == "destroy";
      else if (k == "serial") serials(s);
      else if (k == "sdl") { if (number(s, 1) == 1) o_.display = DisplayKind::Sdl; }
      else if (k == "vnc") { if (number(s, 1) == 1) fail("vnc: a VNC display is not supported (use sdl = 1)"); }
      else fail("unknown setting '" + k + "'");
    }
    what_ = std::string(name_);
    if (o_.max_cpus < o_.smp) fail("maxvcpus is less than vcpus");
    if (have_cmdline) {
      o_.append = cmdline;
      o_.append_given = true;
    } else if (have_kernel_args) {
      o_.append = root.empty() ? extra : "root=" + root + (extra.empty() ? "" : " " + extra);
      o_.append_given = true;
    }
  }

 private:
  [[noreturn]] void fail(const std::string& message) const { throw OptionError{what_ + ": " + message}; }

  const Atom& single(const Setting& s) const {
    if (s.is_list) fail("'" + s.key + "' takes a single value, not a list");
    return s.items.front();
  }

  std::string string(const Setting& s) const {
    const Atom& a = single(s);
    if (!a.is_string) fail("'" + s.key + "' takes a quoted string");
    return a.text;
  }

  // xl accepts numbers written bare or quoted.
  uint64_t number(const Setting& s, uint64_t max) const {
    const Atom& a = single(s);
    auto n = parse_uint(a.text);
    if (!n || *n > max) fail("'" + s.key + "' = '" + a.text + "' is not a number in 0.." + std::to_string(max));
    return *n;
  }

  std::string resolve(const std::string& p) const {
    if (p.empty() || p.front() == '/') return p;
    return std::string(base_dir_) + p;
  }

  std::string path(const Setting& s, bool must_exist) const {
    std::string p = resolve(string(s));
    if (must_exist) check_file(p, what_ + ": " + s.key, false);
    return p;
  }

  void guest_type(const Setting& s) const {
    std::string t = string(s);
    if (t != "pv" && t != "pvh" && t != "hvm")
      fail("unknown " + s.key + " '" + t + "' (pv, pvh or hvm)");
    // All three boot the same way here: -kernel directly, or the disk through the BIOS.
  }

  void memory(const Setting& s) const {
    const std::string& text = single(s).text;
    auto mib = parse_uint(text);
    if (!mib) fail("'memory' = '" + text + "' is not a number (of MiB)");
    uint64_t bytes = *mib > kMaxMemory / kMiB ? kMaxMemory + 1 : *mib * kMiB;  // anything larger is too large
    o_.memory_bytes = checked_memory_size(bytes, what_ + ": memory", text);
  }

  unsigned cpus(const Setting& s) const {
    uint64_t n = number(s, kMaxCpus);
    if (n == 0) fail("'" + s.key + "' must be at least 1");
    return static_cast<unsigned>(n);
  }

  std::string action(const Setting& s) const {
    std::string a = string(s);
    static const char* const kActions[] = {"destroy", "restart", "rename-restart", "preserve",
                                           "coredump-destroy", "coredump-restart", "soft-reset"};
    for (const char* known : kActions)
      if (a == known) return a;
    fail("unknown action '" + a + "' for " + s.key + " (destroy, restart, preserve, ...)");
  }

  std::vector<const Atom*> string_list(const Setting& s) const {
    std::vector<const Atom*> list;
    for (const Atom& a : s.items) {
      if (!a.is_string) fail("'" + s.key + "' entries must be quoted strings");
      list.push_back(&a);
    }
    return list;
  }

  void disks(const Setting& s) {
    if (!s.is_list) fail("'disk' takes a list: disk = [ '...' ]");
    for (const Atom* a : string_list(s)) {
      std::string where = std::string(name_) + ":" + std::to_string(a->line);
      DriveOptions d = parse_xl_disk_spec(a->text, where);
      d.file = resolve(d.file);
      add_drive(o_, std::move(d), where);
    }
  }

  void vifs(const Setting& s) {
    if (!s.is_list) fail("'vif' takes a list: vif = [ '...' ]");
    for (const Atom* a : string_list(s)) {
      std::string where = std::string(name_) + ":" + std::to_string(a->line) + ": vif";
      NamedProps nic;
      nic.text = a->text;
      nic.name = "user";
      PropList props;
      std::string error;
      if (!parse_prop_list(a->text, "", &props, &error)) throw OptionError{where + ": " + error};
      static const char* const kKnown[] = {"model", "mac", "bridge", "type", "ip", nullptr};
      if (const std::string* bad = props.first_unknown(kKnown))
        throw OptionError{where + ": unknown vif property '" + *bad + "' (model, mac, bridge, type, ip)"};
      for (auto& [key, value] : props.items) {
        std::string v = value;
        while (!v.empty() && v.front() == ' ') v.erase(0, 1);
        if (key == "bridge") nic.name = "bridge";
        if (key == "model") validate_nic_model(v, where);
        nic.props.items.emplace_back(key, v);
      }
      o_.nics.push_back(std::move(nic));
    }
  }

  void serials(const Setting& s) {
    o_.serials.clear();
    for (const Atom& a : s.items) {
      if (!a.is_string) fail("'serial' entries must be quoted strings");
      if (o_.serials.size() >= kMaxSerialPorts) fail("at most 4 serial ports");
      o_.serials.push_back(parse_chardev(a.text, what_ + ": serial"));
    }
  }

  std::string_view name_, base_dir_;
  EmuOptions& o_;
  std::string what_;
};

}  // namespace

void apply_vm_config_text(std::string_view text, std::string_view display_name, std::string_view base_dir,
                          EmuOptions& options) {
  ConfigParser parser(text, display_name);
  std::vector<Setting> settings = parser.parse();
  ConfigApplier(display_name, base_dir, options).apply(settings);
}

void load_vm_config(const std::string& path, EmuOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw OptionError{"-config: cannot open '" + path + "': " + std::strerror(errno)};
  std::ostringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  size_t slash = path.rfind('/');
  std::string base_dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);  // keeps the '/'
  apply_vm_config_text(text, path, base_dir, options);
}

}  // namespace emu::frontend
