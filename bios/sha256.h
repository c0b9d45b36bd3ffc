// SHA-256 (FIPS 180-4), used to name cached kernels by the content of their bzImage.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace emu {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest sha256(std::span<const uint8_t> data);
// The same without the host's SHA instructions (tests compare the two paths).
Sha256Digest sha256_portable(std::span<const uint8_t> data);
// Lower-case hex of the digest.
std::string sha256_hex(const Sha256Digest& digest);

}  // namespace emu
