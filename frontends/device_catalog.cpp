// Table of the devices -device and -nic model= accept.
#include "frontends/device_catalog.h"

#include "frontends/value_parse.h"

namespace emu::frontend {

namespace {

const char* const kDebugExitProps[] = {"iobase", "iosize", nullptr};
const char* const kDebugconProps[] = {"iobase", "chardev", nullptr};
const char* const kNicProps[] = {"netdev", "mac", nullptr};

const DeviceInfo kDevices[] = {
    {"isa-debug-exit", kDebugExitProps, false, true,
     "writing V to the port exits emu with status (V << 1) | 1 (test ROMs)"},
    {"isa-debugcon", kDebugconProps, false, false, "byte-wide output port (default 0xe9) to a character device"},
    {"e1000", kNicProps, true, false, "Intel 82540EM gigabit Ethernet (PCI)"},
    {"ne2k_pci", kNicProps, true, false, "Realtek RTL8029 NE2000-compatible Ethernet (PCI)"},
};

[[noreturn]] void fail(std::string_view what, const std::string& message) {
  throw OptionError{std::string(what) + ": " + message};
}

uint64_t numeric_prop(const NamedProps& device, const char* key, uint64_t max, std::string_view what) {
  const std::string* v = device.props.find(key);
  if (!v) return 0;
  auto n = parse_uint(*v);
  if (!n || *n > max)
    fail(what, std::string(key) + "='" + *v + "' is not a number in 0.." + std::to_string(max));
  return *n;
}

bool valid_mac(std::string_view mac) {
  if (mac.size() != 17) return false;
  for (size_t i = 0; i < mac.size(); ++i) {
    char c = mac[i];
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (i % 3 == 2 ? c != ':' : !hex) return false;
  }
  return true;
}

}  // namespace

const DeviceInfo* find_device(std::string_view name) {
  for (const DeviceInfo& d : kDevices)
    if (name == d.name) return &d;
  return nullptr;
}

void validate_device(const NamedProps& device, std::string_view what) {
  const DeviceInfo* info = find_device(device.name);
  if (!info) fail(what, "unknown device '" + device.name + "' (-device help lists the known ones)");
  for (const auto& [key, value] : device.props.items) {
    if (key == "id") continue;
    bool known = false;
    for (const char* const* p = info->props; *p; ++p)
      if (key == *p) known = true;
    if (!known) {
      std::string list;
      for (const char* const* p = info->props; *p; ++p) list += std::string(list.empty() ? "" : ", ") + *p;
      fail(what, "device '" + device.name + "' has no property '" + key + "' (known: " + list + ", id)");
    }
  }
  numeric_prop(device, "iobase", 0xffff, what);
  if (device.props.has("iosize")) {
    uint64_t size = numeric_prop(device, "iosize", 4, what);
    if (size != 1 && size != 2 && size != 4) fail(what, "iosize must be 1, 2 or 4");
  }
  if (const std::string* mac = device.props.find("mac"); mac && !valid_mac(*mac))
    fail(what, "invalid mac='" + *mac + "' (expected 52:54:00:12:34:56 form)");
}

void validate_nic_model(std::string_view model, std::string_view what) {
  const DeviceInfo* info = find_device(model);
  if (!info || !info->is_nic)
    fail(what, "unknown NIC model '" + std::string(model) + "' (known: e1000, ne2k_pci)");
}

std::string device_help_text() {
  std::string text = "Devices for -device (and NIC models for -nic model=):\n";
  for (const DeviceInfo& d : kDevices) {
    text += "  " + std::string(d.name);
    text.append(d.name[0] && std::string_view(d.name).size() < 16 ? 16 - std::string_view(d.name).size() : 1, ' ');
    text += d.help;
    text += " [";
    for (const char* const* p = d.props; *p; ++p) text += std::string(p == d.props ? "" : ",") + *p + "=";
    text += "]";
    if (!d.implemented) text += " (not implemented yet)";
    text += "\n";
  }
  return text;
}

}  // namespace emu::frontend
