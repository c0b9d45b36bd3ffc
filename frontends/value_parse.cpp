// Scalar option values: sizes with binary suffixes, unsigned numbers, on/off switches.
#include "frontends/value_parse.h"


namespace emu::frontend {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Multiplies with overflow check.
std::optional<uint64_t> checked_mul(uint64_t a, uint64_t b) {
  unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
  if (p > UINT64_MAX) return std::nullopt;
  return static_cast<uint64_t>(p);
}

std::optional<uint64_t> parse_decimal(std::string_view text) {
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (!is_digit(c)) return std::nullopt;
    auto next = checked_mul(value, 10);
    if (!next || *next > UINT64_MAX - static_cast<uint64_t>(c - '0')) return std::nullopt;
    value = *next + static_cast<uint64_t>(c - '0');
  }
  return value;
}

}  // namespace

std::optional<uint64_t> parse_uint(std::string_view text) {
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    uint64_t value = 0;
    for (char c : text.substr(2)) {
      int d = hex_digit(c);
      if (d < 0 || value > (UINT64_MAX >> 4)) return std::nullopt;
      value = value << 4 | static_cast<uint64_t>(d);
    }
    return value;
  }
  return parse_decimal(text);
}

std::optional<uint64_t> parse_size(std::string_view text, uint64_t default_unit) {
  uint64_t unit = default_unit;
  if (!text.empty() && !is_digit(text.back())) {
    switch (text.back()) {
      case 'b': case 'B': unit = 1; break;
      case 'k': case 'K': unit = uint64_t{1} << 10; break;
      case 'm': case 'M': unit = uint64_t{1} << 20; break;
      case 'g': case 'G': unit = uint64_t{1} << 30; break;
      case 't': case 'T': unit = uint64_t{1} << 40; break;
      default: return std::nullopt;
    }
    text.remove_suffix(1);
  }
  auto number = parse_decimal(text);
  if (!number) return std::nullopt;
  return checked_mul(*number, unit);
}

std::optional<bool> parse_on_off(std::string_view text) {
  if (text == "on" || text == "yes" || text == "true") return true;
  if (text == "off" || text == "no" || text == "false") return false;
  return std::nullopt;
}

std::string format_size(uint64_t bytes) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  unsigned u = 0;
  while (u + 1 < sizeof kUnits / sizeof kUnits[0] && bytes != 0 && bytes % 1024 == 0) {
    bytes /= 1024;
    ++u;
  }
  return std::to_string(bytes) + " " + kUnits[u];
}

}  // namespace emu::frontend
