// Endian-neutral little-endian loads and stores on byte buffers. Guest memory is
// little-endian; these compile to a single move on little-endian hosts and stay
// correct (and alignment-safe) everywhere else.
#pragma once
#include <cstdint>
#include <bit>
#include <cstring>

namespace emu {

// Byte reversal (std::byteswap is C++23).
template <typename T>
constexpr T byte_swap(T v) {
  if constexpr (sizeof(T) == 1) return v;
  else if constexpr (sizeof(T) == 2) return static_cast<T>(__builtin_bswap16(static_cast<uint16_t>(v)));
  else if constexpr (sizeof(T) == 4) return static_cast<T>(__builtin_bswap32(static_cast<uint32_t>(v)));
  else return static_cast<T>(__builtin_bswap64(static_cast<uint64_t>(v)));
}

template <typename T>
inline T load_le(const void* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::big) v = byte_swap(v);
  return v;
}

template <typename T>
inline void store_le(void* p, T v) {
  if constexpr (std::endian::native == std::endian::big) v = byte_swap(v);
  std::memcpy(p, &v, sizeof v);
}

inline uint16_t load_le16(const void* p) { return load_le<uint16_t>(p); }
inline uint32_t load_le32(const void* p) { return load_le<uint32_t>(p); }
inline uint64_t load_le64(const void* p) { return load_le<uint64_t>(p); }
inline void store_le16(void* p, uint16_t v) { store_le(p, v); }
inline void store_le32(void* p, uint32_t v) { store_le(p, v); }
inline void store_le64(void* p, uint64_t v) { store_le(p, v); }

}  // namespace emu
