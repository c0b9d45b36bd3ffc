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

// Reads a whole regular file; false if it does not exist or cannot be read.
bool read_file(const std::string& path, std::vector<uint8_t>* out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || static_cast<uint64_t>(st.st_size) > kMaxVmlinuxBytes + 4096) {
    ::close(fd);
    return false;
  }
  out->resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < out->size()) {
    const ssize_t r = ::read(fd, out->data() + got, out->size() - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  ::close(fd);
  out->resize(got);
  return true;
}

// Why an entry is unusable ("" when it is valid).
std::string check_entry(std::span<const uint8_t> file, const Sha256Digest& source) {
  using H = KernelCacheHeader;
  if (file.size() < H::kSize) return "shorter than its header";
  if (std::memcmp(file.data(), H::kMagic, sizeof H::kMagic) != 0) return "foreign file (bad magic)";
  if (load_le32(&file[8]) != H::kFormatVersion || load_le32(&file[12]) != H::kSize) return "different format version";
  if (std::memcmp(&file[16], source.data(), source.size()) != 0) return "made from a different bzImage";
  if (load_le64(&file[48]) != file.size() - H::kSize) return "truncated or overlong";
  if (load_le64(&file[56]) != kernel_cache_checksum(file.subspan(H::kSize))) return "checksum mismatch";
  return "";
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

uint64_t kernel_cache_checksum(std::span<const uint8_t> data) {
  constexpr uint64_t kMul = 0x9e3779b97f4a7c15ull;
  uint64_t h = 0x243f6a8885a308d3ull ^ data.size();
  size_t i = 0;
  for (; data.size() - i >= 8; i += 8) {
    h = (h ^ load_le64(&data[i])) * kMul;
    h ^= h >> 32;
  }
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
    std::vector<uint8_t> file;
    if (read_file(path, &file)) {
      const std::string bad = check_entry(file, source);
      if (bad.empty()) {
        file.erase(file.begin(), file.begin() + KernelCacheHeader::kSize);
        result.vmlinux = std::move(file);
        result.hit = true;
        EMU_LOG(Boot, "boot: %s: decompressed kernel from cache %s\n", name.c_str(), path.c_str());
        return result;
      }
      EMU_LOG(Boot, "boot: %s: cache entry %s is unusable (%s); rebuilding\n", name.c_str(), path.c_str(), bad.c_str());
      result.rebuilt = true;
    }
  }
  DecompressResult d = decompress_(bzimage, name);
  result.error = d.error;
  result.message = std::move(d.message);
  result.format = d.format;
  if (!d.ok()) return result;
  result.vmlinux = std::move(d.data);
  if (!dir_.empty()) {
    result.cache_warning = store_entry(dir_, path, source, result.vmlinux);
    if (!result.cache_warning.empty())
      EMU_LOG(Boot, "boot: %s: kernel cache not written: %s\n", name.c_str(), result.cache_warning.c_str());
  }
  return result;
}

}  // namespace emu
