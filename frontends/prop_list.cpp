// QEMU-style "key=value,..." lists with ",," escaping and an implied first key.
#include "frontends/prop_list.h"

namespace emu::frontend {

const std::string* PropList::find(std::string_view key) const {
  const std::string* found = nullptr;
  for (const auto& [k, v] : items)
    if (k == key) found = &v;
  return found;
}

const std::string* PropList::first_unknown(const char* const* allowed) const {
  for (const auto& item : items) {
    bool known = false;
    for (const char* const* a = allowed; *a; ++a)
      if (item.first == *a) known = true;
    if (!known) return &item.first;
  }
  return nullptr;
}

namespace {

// Reads one comma-terminated item starting at *pos, turning ",," into ','.
std::string read_item(std::string_view text, size_t* pos) {
  std::string item;
  size_t i = *pos;
  while (i < text.size()) {
    if (text[i] == ',') {
      if (i + 1 < text.size() && text[i + 1] == ',') {
        item += ',';
        i += 2;
        continue;
      }
      break;
    }
    item += text[i++];
  }
  *pos = i;
  return item;
}

}  // namespace

bool parse_prop_list(std::string_view text, std::string_view implied_key, PropList* out, std::string* error) {
  out->items.clear();
  size_t pos = 0;
  bool first = true;
  while (pos <= text.size()) {
    std::string item = read_item(text, &pos);
    size_t eq = item.find('=');
    if (eq == std::string::npos) {
      if (first && !implied_key.empty()) {
        out->items.emplace_back(std::string(implied_key), item);
      } else if (!item.empty()) {
        out->items.emplace_back(item, "on");
      } else if (!(first && text.empty())) {
        *error = "empty property in '" + std::string(text) + "'";
        return false;
      }
    } else {
      if (eq == 0) {
        *error = "missing property name before '=' in '" + std::string(text) + "'";
        return false;
      }
      out->items.emplace_back(item.substr(0, eq), item.substr(eq + 1));
    }
    first = false;
    if (pos >= text.size()) break;
    ++pos;  // skip the separating comma
    if (pos == text.size()) {
      *error = "trailing comma in '" + std::string(text) + "'";
      return false;
    }
  }
  return true;
}

}  // namespace emu::frontend
