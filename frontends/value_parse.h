// Parsing of the scalar values QEMU-style options take: sizes with K/M/G/T suffixes,
// unsigned numbers (decimal or 0x hex) and on/off switches. All return std::nullopt
// on anything malformed or out of range instead of guessing.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace emu::frontend {

// "512", "512M", "1G", "64k", "2T", "1048576B". A number without a suffix is multiplied by
// default_unit (QEMU's -m takes MiB by default). Suffixes are powers of 1024 and
// case-insensitive. Overflow past 2^64-1 is rejected.
std::optional<uint64_t> parse_size(std::string_view text, uint64_t default_unit);

// "42", "0x2a". No sign, no suffix, no surrounding spaces.
std::optional<uint64_t> parse_uint(std::string_view text);

// Boolean switches as QEMU spells them: on/off, yes/no, true/false.
std::optional<bool> parse_on_off(std::string_view text);

// Formats a byte count for messages: "512 MiB", "1 GiB", "1536 KiB", "100 B".
std::string format_size(uint64_t bytes);

}  // namespace emu::frontend
