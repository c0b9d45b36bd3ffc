// A per-user cache of decompressed kernels: the vmlinux inside a bzImage, stored under
// the SHA-256 of the whole bzImage so that the next boot of the same file skips the
// decompression. Entries are written atomically (temp file in the same directory,
// fsync, rename), so concurrent emus never read a half-written file; an entry with a
// bad header, size, source hash or checksum is ignored and rebuilt. The cache is an
// optimisation only: when the directory cannot be written the kernel still boots.
#pragma once
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "base/byte_buffer.h"
#include "bios/kernel_payload.h"
#include "bios/sha256.h"

namespace emu {

// On-disk entry header (little-endian), followed by the vmlinux bytes.
struct KernelCacheHeader {
  static constexpr char kMagic[8] = {'E', 'M', 'U', 'V', 'M', 'L', 'N', 'X'};
  // 2: the payload checksum runs four lanes (kernel_cache_checksum); version-1 entries
  // are rebuilt once.
  static constexpr uint32_t kFormatVersion = 2;
  static constexpr size_t kSize = 64;
  // Offsets: magic 0, format version 8, header size 12, source SHA-256 16,
  // payload size 48, payload checksum 56.
};

struct KernelCacheResult {
  PayloadError error = PayloadError::None;
  std::string message;  // when error != None: one line naming the file
  PayloadFormat format = PayloadFormat::Unknown;  // Unknown on a cache hit
  ByteBuffer vmlinux;  // mapped from the cache file on a hit
  bool hit = false;           // served from the cache
  bool rebuilt = false;       // a corrupt/foreign entry was found and replaced
  std::string cache_warning;  // non-empty when the cache could not be read/written (boot goes on)
  bool ok() const { return error == PayloadError::None; }
};

class KernelCache {
 public:
  using Decompressor = std::function<DecompressResult(std::span<const uint8_t> bzimage, const std::string& name)>;

  // `dir` empty disables caching (every call decompresses). The decompressor is
  // replaceable so that tests can count calls.
  explicit KernelCache(std::string dir, Decompressor decompress = decompress_bzimage);

  // EMU_CACHE_DIR if set, else $XDG_CACHE_HOME/emu, else $HOME/.cache/emu, else "".
  static std::string default_dir();

  const std::string& dir() const { return dir_; }
  // Where the entry for a bzImage with this digest lives.
  std::string entry_path(const Sha256Digest& source) const;

  // The vmlinux inside `bzimage`: from the cache when a valid entry exists, else
  // decompressed and stored. `name` is the file name for messages.
  KernelCacheResult get_or_decompress(std::span<const uint8_t> bzimage, const std::string& name);

 private:
  std::string dir_;
  Decompressor decompress_;
};

// The checksum stored in the header over the payload (a fast 64-bit mix; it detects
// damage, the SHA-256 of the source identifies the content).
uint64_t kernel_cache_checksum(std::span<const uint8_t> data);

}  // namespace emu
