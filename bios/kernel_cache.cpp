// The decompressed-kernel cache (see kernel_cache.h). POSIX file calls: mkstemp in
// the cache directory, fsync, rename over the final name, fsync of the directory.
#include "bios/kernel_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "base/endian.h"
#include "base/log.h"

namespace emu {
namespace {

std::string errno_text() { return std::strerror(errno); }

// mkdir -p with mode 0700 for directories created here.
bool make_dirs(const std::string& path) {
  for (size_t i = 1; i <= path.size(); i++) {
    if (i != path.size() && path[i] != '/') continue;
    const std::string part = path.substr(0, i);
    if (mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) return false;
  }
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool write_all(int fd, const uint8_t* p, size_t n) {
  while (n) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

bool read_exact(int fd, uint8_t* p, size_t n) {
  while (n) {
    const ssize_t r = ::read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

enum class EntryState { Missing, Valid, Unusable };

// Reads and checks the entry at `path`: header first (so foreign files are not read
// whole), then the payload mapped (not copied) into `out`. `why` says what is wrong when
// Unusable.
EntryState read_entry(const std::string& path, const Sha256Digest& source, ByteBuffer* out, std::string* why) {
  using H = KernelCacheHeader;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return EntryState::Missing;
  auto unusable = [&](const char* reason) {
    ::close(fd);
    *why = reason;
    out->clear();
    return EntryState::Unusable;
  };
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return unusable("not a regular file");
  const uint64_t file_size = static_cast<uint64_t>(st.st_size);
  uint8_t h[H::kSize];
  if (file_size < H::kSize || !read_exact(fd, h, sizeof h)) return unusable("shorter than its header");
  if (std::memcmp(h, H::kMagic, sizeof H::kMagic) != 0) return unusable("foreign file (bad magic)");
  if (load_le32(h + 8) != H::kFormatVersion || load_le32(h + 12) != H::kSize) return unusable("different format version");
  if (std::memcmp(h + 16, source.data(), source.size()) != 0) return unusable("made from a different bzImage");
  const uint64_t payload_size = load_le64(h + 48);
  if (payload_size != file_size - H::kSize || payload_size > kMaxVmlinuxBytes) return unusable("truncated or overlong");
  std::string map_error;
  if (!out->map_file(fd, H::kSize, static_cast<size_t>(payload_size), &map_error)) return unusable("cannot be mapped");
  ::close(fd);
  if (load_le64(h + 56) != kernel_cache_checksum(*out)) {
    out->clear();
    *why = "checksum mismatch";
    return EntryState::Unusable;
  }
  return EntryState::Valid;
}

// Writes the entry through a temporary file; "" on success, else why not.
std::string store_entry(const std::string& dir, const std::string& path, const Sha256Digest& source,
                        std::span<const uint8_t> vmlinux) {
  using H = KernelCacheHeader;
  if (!make_dirs(dir)) return "cannot create " + dir + ": " + errno_text();
  std::string tmp = path + ".tmp.XXXXXX";
  const int fd = mkstemp(tmp.data());
  if (fd < 0) return "cannot create a file in " + dir + ": " + errno_text();
  uint8_t header[H::kSize] = {};
  std::memcpy(header, H::kMagic, sizeof H::kMagic);
  store_le32(header + 8, H::kFormatVersion);
  store_le32(header + 12, H::kSize);
  std::memcpy(header + 16, source.data(), source.size());
  store_le64(header + 48, vmlinux.size());
  store_le64(header + 56, kernel_cache_checksum(vmlinux));
  std::string why;
  if (!write_all(fd, header, sizeof header) || !write_all(fd, vmlinux.data(), vmlinux.size()))
    why = "cannot write " + tmp + ": " + errno_text();
  else if (fsync(fd) != 0)
    why = "cannot sync " + tmp + ": " + errno_text();
  ::close(fd);
  if (why.empty() && std::rename(tmp.c_str(), path.c_str()) != 0) why = "cannot rename to " + path + ": " + errno_text();
  if (!why.empty()) {
    ::unlink(tmp.c_str());
    return why;
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);  // makes the rename durable; failure here does not harm readers
    ::close(dfd);
  }
  return "";
}

}  // namespace

// Four independent multiply-xor lanes over 32-byte strides (one lane's chain of
// multiplies would run at a quarter of the speed), folded at the end.
uint64_t kernel_cache_checksum(std::span<const uint8_t> data) {
  constexpr uint64_t kMul = 0x9e3779b97f4a7c15ull;
  uint64_t lane[4] = {0x243f6a8885a308d3ull ^ data.size(), 0x13198a2e03707344ull, 0xa4093822299f31d0ull,
                      0x082efa98ec4e6c89ull};
  size_t i = 0;
  for (; data.size() - i >= 32; i += 32)
    for (unsigned k = 0; k < 4; k++) {
      lane[k] = (lane[k] ^ load_le64(&data[i + 8 * k])) * kMul;
      lane[k] ^= lane[k] >> 32;
    }
  uint64_t h = lane[0];
  for (unsigned k = 1; k < 4; k++) h = (h ^ lane[k]) * kMul;
  for (; i < data.size(); i++) h = (h ^ data[i]) * kMul;
  return h ^ (h >> 29);
}

KernelCache::KernelCache(std::string dir, Decompressor decompress) : dir_(std::move(dir)), decompress_(std::move(decompress)) {}

std::string KernelCache::default_dir() {
  const char* env = std::getenv("EMU_CACHE_DIR");
  if (env && *env) return env;
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && xdg[0] == '/') return std::string(xdg) + "/emu";
  const char* home = std::getenv("HOME");
  if (home && home[0] == '/') return std::string(home) + "/.cache/emu";
  return "";
}

std::string KernelCache::entry_path(const Sha256Digest& source) const { return dir_ + "/vmlinux-" + sha256_hex(source) + ".cache"; }

KernelCacheResult KernelCache::get_or_decompress(std::span<const uint8_t> bzimage, const std::string& name) {
  KernelCacheResult result;
  const Sha256Digest source = dir_.empty() ? Sha256Digest{} : sha256(bzimage);
  std::string path;
  if (!dir_.empty()) {
    path = entry_path(source);
    std::string bad;
    switch (read_entry(path, source, &result.vmlinux, &bad)) {
      case EntryState::Valid:
        result.hit = true;
        EMU_LOG(Boot, "boot: %s: decompressed kernel from cache %s\n", name.c_str(), path.c_str());
        return result;
      case EntryState::Unusable:
        EMU_LOG(Boot, "boot: %s: cache entry %s is unusable (%s); rebuilding\n", name.c_str(), path.c_str(), bad.c_str());
        result.rebuilt = true;
        break;
      case EntryState::Missing: break;
    }
  }
  DecompressResult d = decompress_(bzimage, name);
  result.error = d.error;
  result.message = std::move(d.message);
  result.format = d.format;
  if (!d.ok()) return result;
  result.vmlinux = ByteBuffer(std::move(d.data));
  if (!dir_.empty()) {
    result.cache_warning = store_entry(dir_, path, source, result.vmlinux);
    if (!result.cache_warning.empty())
      EMU_LOG(Boot, "boot: %s: kernel cache not written: %s\n", name.c_str(), result.cache_warning.c_str());
  }
  return result;
}

}  // namespace emu
