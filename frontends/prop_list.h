// QEMU's "key=value,key=value" option syntax (QemuOpts): an optional implied first key
// ("-netdev user,id=n0" means type=user), ",," as an escaped comma inside a value, and a
// bare word "flag" meaning flag=on.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace emu::frontend {

struct PropList {
  std::vector<std::pair<std::string, std::string>> items;  // in command-line order

  // The last value given for key (QEMU: a later key overrides an earlier one), or nullptr.
  const std::string* find(std::string_view key) const;
  bool has(std::string_view key) const { return find(key) != nullptr; }
  // The first key not in allowed (a null-terminated list), or nullptr when all are known.
  const std::string* first_unknown(const char* const* allowed) const;
};

// Splits text into properties. implied_key names the key of a first item that has no
// '=' ("" when the option has none: then a bare word is a flag set to "on").
// Returns false and sets *error for an empty key ("=x", ",=x").
bool parse_prop_list(std::string_view text, std::string_view implied_key, PropList* out, std::string* error);

}  // namespace emu::frontend
