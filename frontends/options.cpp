// QEMU-compatible command-line parsing into EmuOptions. Two passes: the first matches
// every argument to a known option (so --help/--version work and unknown options are
// reported early), the second applies them in order, after any -config file, so that
// the command line overrides the file.
#include "frontends/options.h"

#include <algorithm>

#include "base/log.h"
#include "cpu/jit/code_cache.h"
#include "frontends/chardev_spec.h"
#include "frontends/device_catalog.h"
#include "frontends/drive_options.h"
#include "frontends/file_check.h"
#include "frontends/help_text.h"
#include "frontends/value_parse.h"
#include "frontends/vm_config.h"

namespace emu::frontend {

namespace {

// Thrown by an option that ends parsing successfully (help texts, lists).
struct ExitRequest {
  std::string text;
};

struct OptionSpec;

struct Parser {
  EmuOptions options;
  std::string what;              // "-m": the option being applied, for messages
  bool display_on_cli = false;   // -display given (a config's sdl = 1 yields to -nographic)

  [[noreturn]] void fail(const std::string& message) const { throw OptionError{what + ": " + message}; }

  PropList props(const std::string& value, std::string_view implied_key) const {
    PropList list;
    std::string error;
    if (!parse_prop_list(value, implied_key, &list, &error)) fail(error);
    return list;
  }

  void reject_unknown(const PropList& list, const char* const* allowed) const {
    if (const std::string* bad = list.first_unknown(allowed)) fail("unknown property '" + *bad + "'");
  }

  // "-netdev user,id=n0" -> name "user", props {id=n0}. The name may also be spelled
  // out with its key anywhere: "id=n0,type=user", "driver=e1000,netdev=n0".
  NamedProps named(const std::string& value, const char* implied_key) const {
    NamedProps n;
    n.text = value;
    PropList list = props(value, implied_key);
    for (auto& item : list.items) {
      if (item.first == implied_key)
        n.name = item.second;
      else
        n.props.items.push_back(item);
    }
    if (n.name.empty()) fail(std::string("missing ") + implied_key + " in '" + value + "'");
    return n;
  }

  unsigned count(const PropList& list, const char* key, unsigned dflt) const {
    const std::string* v = list.find(key);
    if (!v) return dflt;
    auto n = parse_uint(*v);
    if (!n || *n == 0 || *n > kMaxCpus)
      fail(std::string(key) + "='" + *v + "' is not a number in 1.." + std::to_string(kMaxCpus));
    return static_cast<unsigned>(*n);
  }
};

using Apply = void (*)(Parser&, const std::string&);

struct OptionSpec {
  const char* name;  // without the leading dash
  bool takes_arg;
  Apply apply;
};

void set_memory(Parser& p, const std::string& value) {
  PropList list = p.props(value, "size");
  static const char* const kKnown[] = {"size", nullptr};
  p.reject_unknown(list, kKnown);
  const std::string* size = list.find("size");
  if (!size) p.fail("missing size");
  auto bytes = parse_size(*size, kMiB);
  if (!bytes) p.fail("invalid memory size '" + *size + "'");
  p.options.memory_bytes = checked_memory_size(*bytes, p.what, *size);
}

void set_smp(Parser& p, const std::string& value) {
  PropList list = p.props(value, "cpus");
  static const char* const kKnown[] = {"cpus", "maxcpus", "sockets", "cores", "threads", nullptr};
  p.reject_unknown(list, kKnown);
  unsigned sockets = p.count(list, "sockets", 1), cores = p.count(list, "cores", 1),
           threads = p.count(list, "threads", 1);
  uint64_t topology = uint64_t{sockets} * cores * threads;
  if (topology > kMaxCpus) p.fail("sockets*cores*threads = " + std::to_string(topology) + " exceeds " + std::to_string(kMaxCpus));
  bool topology_given = list.has("sockets") || list.has("cores") || list.has("threads");
  unsigned cpus = p.count(list, "cpus", static_cast<unsigned>(topology));
  unsigned max_cpus = p.count(list, "maxcpus", topology_given ? static_cast<unsigned>(topology) : cpus);
  if (max_cpus < cpus) p.fail("maxcpus=" + std::to_string(max_cpus) + " is less than cpus=" + std::to_string(cpus));
  if (topology_given && topology != max_cpus)
    p.fail("sockets*cores*threads = " + std::to_string(topology) + " does not match maxcpus=" + std::to_string(max_cpus));
  p.options.smp = cpus;
  p.options.max_cpus = max_cpus;
}

void set_file(Parser& p, const std::string& value, std::string& field) {
  check_file(value, p.what, false);
  field = value;
}

void add_legacy_drive(Parser& p, const std::string& value, int index, DriveMedia media) {
  DriveOptions d;
  d.file = value;
  d.index = index;
  d.media = media;
  d.readonly = media == DriveMedia::Cdrom;
  d.origin = p.what;
  add_drive(p.options, std::move(d), p.what);
}

void add_serial(Parser& p, const std::string& value) {
  if (!p.options.serial_given) p.options.serials.clear();
  p.options.serial_given = true;
  if (p.options.serials.size() >= kMaxSerialPorts)
    p.fail("at most " + std::to_string(kMaxSerialPorts) + " serial ports (COM1..COM4)");
  p.options.serials.push_back(parse_chardev(value, p.what));
}

void set_display(Parser& p, const std::string& value) {
  PropList list = p.props(value, "type");
  static const char* const kKnown[] = {"type", nullptr};
  p.reject_unknown(list, kKnown);
  const std::string& type = *list.find("type");
  p.display_on_cli = true;
  if (type == "none") p.options.display = DisplayKind::None;
  else if (type == "sdl") p.options.display = DisplayKind::Sdl;
  else p.fail("unknown display '" + type + "' (use none or sdl)");
}

void set_accel_name(Parser& p, const std::string& name) {
  if (name == "interp") p.options.accel = Accel::Interp;
  else if (name == "jit") p.options.accel = Accel::Jit;
  else if (name == "tcg" || name == "auto") p.options.accel = Accel::Auto;
  else if (name == "help") throw ExitRequest{"Accelerators: interp, jit, auto (default), tcg (= auto)\n"};
  else p.fail("unknown accelerator '" + name + "' (use interp, jit, auto or tcg)");
}

// -accel NAME[,tb-size=N]: tb-size is QEMU's TCG code buffer size in MiB (0 = default);
// here the JIT's code cache (cpu/jit/code_cache.h), at most 2048 MiB.
void set_accel(Parser& p, const std::string& value) {
  PropList list = p.props(value, "accel");
  static const char* const kKnown[] = {"accel", "tb-size", nullptr};
  p.reject_unknown(list, kKnown);
  const std::string* name = list.find("accel");
  if (!name) p.fail("missing accelerator name in '" + value + "' (use interp, jit, auto or tcg)");
  set_accel_name(p, *name);
  p.options.tb_size_mib = 0;
  if (const std::string* tb = list.find("tb-size")) {
    constexpr uint64_t kMaxMib = jit::CodeCache::kMaxCapacity / kMiB;
    auto mib = parse_uint(*tb);
    if (!mib || *mib > kMaxMib)
      p.fail("tb-size='" + *tb + "' is not a code cache size in MiB (1.." + std::to_string(kMaxMib) + ", 0 = default)");
    if (p.options.accel == Accel::Interp) p.fail("tb-size sizes the JIT's code cache: not with the interpreter");
    p.options.tb_size_mib = *mib;
  }
}

void set_machine(Parser& p, const std::string& value) {
  PropList list = p.props(value, "type");
  static const char* const kKnown[] = {"type", "accel", "pvh", nullptr};
  p.reject_unknown(list, kKnown);
  if (const std::string* pvh = list.find("pvh")) {
    auto on = parse_on_off(*pvh);
    if (!on) p.fail("pvh='" + *pvh + "' must be on or off");
    p.options.pvh = *on;
  }
  if (const std::string* type = list.find("type")) {
    if (*type == "help") throw ExitRequest{"Machines:\n  pc       Standard PC (i440FX + PIIX3) (default)\n  q35      Standard PC (Q35 + ICH9) (not implemented yet)\n"};
    if (*type != "pc" && *type != "q35" && type->rfind("pc-i440fx", 0) != 0)
      p.fail("unknown machine type '" + *type + "' (-machine help lists them)");
    p.options.machine_type = *type == "q35" ? "q35" : "pc";
  }
  if (const std::string* accel = list.find("accel")) set_accel_name(p, *accel);
}

void set_log(Parser& p, const std::string& value) {
  if (value == "help") {
    size_t count = 0;
    const LogCategoryName* names = log_category_names(&count);
    std::string text = "Log items (comma separated):\n";
    for (size_t i = 0; i < count; ++i) {
      std::string name = names[i].name;
      text += name + std::string(name.size() < 14 ? 14 - name.size() : 1, ' ') + names[i].help + "\n";
    }
    throw ExitRequest{text};
  }
  uint32_t mask = 0;
  std::string bad;
  if (!parse_log_categories(value, &mask, &bad)) p.fail("unknown log item '" + bad + "' (-d help lists them)");
  p.options.log_mask = mask;
}

void set_gdb(Parser& p, const std::string& value) {
  if (value == "none") {
    p.options.gdb.clear();
    return;
  }
  CharDevSpec spec = parse_chardev(value, p.what);
  if (spec.kind != CharDevSpec::Kind::Tcp) p.fail("only tcp:[HOST]:PORT is supported, not '" + value + "'");
  p.options.gdb = value;
}

void add_netdev(Parser& p, const std::string& value) {
  NamedProps n = p.named(value, "type");
  if (n.name != "user" && n.name != "tap" && n.name != "bridge")
    p.fail("unknown network back end '" + n.name + "' (use user, tap or bridge)");
  const std::string* id = n.props.find("id");
  if (!id || id->empty()) p.fail("missing id= in '" + value + "'");
  for (const NamedProps& other : p.options.netdevs)
    if (*other.props.find("id") == *id) p.fail("duplicate netdev id '" + *id + "'");
  p.options.netdevs.push_back(std::move(n));
}

void add_nic(Parser& p, const std::string& value) {
  NamedProps n = p.named(value, "type");
  if (n.name != "user" && n.name != "tap" && n.name != "bridge" && n.name != "none")
    p.fail("unknown network back end '" + n.name + "' (use user, tap, bridge or none)");
  if (const std::string* model = n.props.find("model")) {
    if (*model == "help") throw ExitRequest{device_help_text()};
    validate_nic_model(*model, p.what);
  }
  p.options.nics.push_back(std::move(n));
}

void add_device(Parser& p, const std::string& value) {
  NamedProps d = p.named(value, "driver");
  if (d.name == "help") throw ExitRequest{device_help_text()};
  validate_device(d, p.what);
  p.options.devices.push_back(std::move(d));
}

void set_name(Parser& p, const std::string& value) {
  PropList list = p.props(value, "guest");
  static const char* const kKnown[] = {"guest", nullptr};
  p.reject_unknown(list, kKnown);
  p.options.name = *list.find("guest");
}

void show_help(Parser&, const std::string&) { throw ExitRequest{usage_text()}; }
void show_version(Parser&, const std::string&) { throw ExitRequest{version_text()}; }
void load_config(Parser& p, const std::string& value) {
  check_file(value, p.what, false);
  load_vm_config(value, p.options);
  p.options.config_files.push_back(value);
}

const OptionSpec kOptions[] = {
    {"h", false, show_help},
    {"help", false, show_help},
    {"version", false, show_version},
    {"machine", true, set_machine},
    {"M", true, set_machine},
    {"accel", true, set_accel},
    {"smp", true, set_smp},
    {"m", true, set_memory},
    {"name", true, set_name},
    {"hda", true, [](Parser& p, const std::string& v) { add_legacy_drive(p, v, 0, DriveMedia::Disk); }},
    {"hdb", true, [](Parser& p, const std::string& v) { add_legacy_drive(p, v, 1, DriveMedia::Disk); }},
    {"hdc", true, [](Parser& p, const std::string& v) { add_legacy_drive(p, v, 2, DriveMedia::Disk); }},
    {"hdd", true, [](Parser& p, const std::string& v) { add_legacy_drive(p, v, 3, DriveMedia::Disk); }},
    {"cdrom", true, [](Parser& p, const std::string& v) { add_legacy_drive(p, v, 2, DriveMedia::Cdrom); }},
    {"drive", true, [](Parser& p, const std::string& v) { add_drive(p.options, parse_drive_option(v, p.what), p.what); }},
    {"snapshot", false, [](Parser& p, const std::string&) { p.options.snapshot = true; }},
    {"display", true, set_display},
    {"nographic", false, [](Parser& p, const std::string&) { p.options.nographic = true; }},
    {"serial", true, add_serial},
    {"debugcon", true, [](Parser& p, const std::string& v) { p.options.debugcons.push_back(parse_chardev(v, p.what)); }},
    {"nic", true, add_nic},
    {"netdev", true, add_netdev},
    {"device", true, add_device},
    {"kernel", true, [](Parser& p, const std::string& v) { set_file(p, v, p.options.kernel); }},
    {"initrd", true, [](Parser& p, const std::string& v) { set_file(p, v, p.options.initrd); }},
    {"append", true, [](Parser& p, const std::string& v) { p.options.append = v; p.options.append_given = true; }},
    {"bios", true, [](Parser& p, const std::string& v) { set_file(p, v, p.options.bios); }},
    {"no-reboot", false, [](Parser& p, const std::string&) { p.options.no_reboot = true; }},
    {"config", true, load_config},
    {"d", true, set_log},
    {"D", true, [](Parser& p, const std::string& v) {
       if (v.empty()) p.fail("empty file name");
       p.options.log_file = v;
     }},
    {"s", false, [](Parser& p, const std::string&) { p.options.gdb = "tcp::1234"; }},
    {"gdb", true, set_gdb},
    {"S", false, [](Parser& p, const std::string&) { p.options.start_paused = true; }},
};

const OptionSpec* find_option(std::string_view name) {
  for (const OptionSpec& spec : kOptions)
    if (name == spec.name) return &spec;
  return nullptr;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string suggestion_for(std::string_view name) {
  const OptionSpec* best = nullptr;
  size_t best_distance = 3;  // suggest only close matches
  for (const OptionSpec& spec : kOptions) {
    size_t d = edit_distance(name, spec.name);
    if (d < best_distance && d < std::max(name.size(), std::string_view(spec.name).size())) {
      best = &spec;
      best_distance = d;
    }
  }
  return best ? std::string(" (did you mean -") + best->name + "?)" : std::string();
}

struct Token {
  const OptionSpec* spec;
  std::string value;
};

// Pass 1: argv -> tokens. Help and version take effect here, at their position.
std::vector<Token> tokenize(std::span<const char* const> args) {
  std::vector<Token> tokens;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i] ? args[i] : "";
    if (arg.empty() || arg[0] != '-' || arg == "-") {
      tokens.push_back({find_option("hda"), std::string(arg)});  // QEMU: a bare argument is -hda
      continue;
    }
    std::string_view name = arg.substr(arg.size() > 1 && arg[1] == '-' ? 2 : 1);
    const OptionSpec* spec = find_option(name);
    if (!spec) throw OptionError{std::string(arg) + ": unknown option" + suggestion_for(name)};
    std::string value;
    if (spec->takes_arg) {
      if (i + 1 >= args.size() || !args[i + 1])
        throw OptionError{std::string("-") + spec->name + ": missing argument"};
      value = args[++i];
    }
    if (spec->apply == show_help || spec->apply == show_version) {
      Parser p;
      spec->apply(p, value);
    }
    tokens.push_back({spec, std::move(value)});
  }
  return tokens;
}

// Cross-option checks after everything is applied.
void validate(EmuOptions& o, bool display_on_cli) {
  if (!o.initrd.empty() && o.kernel.empty()) throw OptionError{"-initrd: only allowed together with -kernel"};
  if (o.append_given && o.kernel.empty()) throw OptionError{"-append: only allowed together with -kernel"};
  if (o.nographic && o.display == DisplayKind::Sdl && display_on_cli) throw OptionError{"-nographic: cannot be combined with -display sdl"};
  for (const NamedProps& d : o.devices) {
    const std::string* netdev = d.props.find("netdev");
    if (!netdev) continue;
    bool found = std::any_of(o.netdevs.begin(), o.netdevs.end(),
                             [&](const NamedProps& n) { return *n.props.find("id") == *netdev; });
    if (!found) throw OptionError{"-device: netdev '" + *netdev + "' is not defined by a -netdev"};
  }
  check_drive_files(o);
}

}  // namespace

uint64_t checked_memory_size(uint64_t bytes, std::string_view what, std::string_view as_given) {
  if (bytes < kMinMemory || bytes > kMaxMemory)
    throw OptionError{std::string(what) + ": invalid memory size '" + std::string(as_given) + "' (must be " +
                      format_size(kMinMemory) + " to " + format_size(kMaxMemory) + ")"};
  return bytes;
}

ParseResult parse_options(std::span<const char* const> args) {
  ParseResult result;
  try {
    std::vector<Token> tokens = tokenize(args);
    Parser p;
    // Pass 2: config files first (in order), then everything else in order.
    for (int config_pass = 1; config_pass >= 0; --config_pass) {
      for (const Token& t : tokens) {
        if ((t.spec->apply == load_config) != (config_pass == 1)) continue;
        p.what = std::string("-") + t.spec->name;
        t.spec->apply(p, t.value);
      }
    }
    validate(p.options, p.display_on_cli);
    result.options = std::move(p.options);
  } catch (const ExitRequest& exit) {
    result.action = ParseResult::Action::Exit;
    result.text = exit.text;
    result.exit_code = 0;
  } catch (const OptionError& error) {
    result.action = ParseResult::Action::Error;
    result.text = "emu: " + error.message;
    result.exit_code = kExitUsage;
  }
  return result;
}

}  // namespace emu::frontend
