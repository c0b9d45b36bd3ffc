// Copy-on-write overlay (format described in cow_overlay.h).
#include "devices/block/cow_overlay.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "base/endian.h"
#include "devices/block/image_file.h"
#include "devices/block/raw_image.h"

namespace emu {
namespace {
constexpr char kMagic[8] = {'E', 'M', 'U', 'C', 'O', 'W', '\r', '\n'};
constexpr uint32_t kVersion = 1;
constexpr uint64_t kHeaderSize = 4096;
constexpr uint64_t kBitmapOffset = kHeaderSize;
constexpr uint32_t kMinCluster = 4096, kMaxCluster = 2u << 20;
constexpr size_t kMaxBasePath = kHeaderSize - 44;

uint64_t bitmap_bytes(uint64_t size, uint32_t cluster) { return ((size + cluster - 1) / cluster + 7) / 8; }
uint64_t data_offset_for(uint64_t size, uint32_t cluster) {
  uint64_t end = kBitmapOffset + bitmap_bytes(size, cluster);
  return (end + cluster - 1) / cluster * cluster;
}
bool valid_cluster(uint32_t c) { return c >= kMinCluster && c <= kMaxCluster && (c & (c - 1)) == 0; }
std::string resolve_base(const std::string& overlay_path, const std::string& base) {
  if (!base.empty() && base[0] == '/') return base;
  auto slash = overlay_path.rfind('/');
  return slash == std::string::npos ? base : overlay_path.substr(0, slash + 1) + base;
}
}  // namespace

CowOverlay::CowOverlay(std::unique_ptr<BlockDevice> base, int fd, uint32_t cluster_size, uint64_t data_offset)
    : base_(std::move(base)), fd_(fd), cluster_size_(cluster_size), size_(base_->size_bytes()),
      data_offset_(data_offset), bitmap_(bitmap_bytes(size_, cluster_size), 0) {}

CowOverlay::~CowOverlay() { ::close(fd_); }

void CowOverlay::write_header(int fd, const std::string& path, uint64_t size, uint32_t cluster_size,
                              const std::string& base_path, uint64_t* data_offset) {
  if (base_path.size() > kMaxBasePath) throw BlockError(path + ": base image path too long");
  std::vector<uint8_t> hdr(kHeaderSize, 0);
  std::memcpy(hdr.data(), kMagic, 8);
  store_le32(&hdr[8], kVersion);
  store_le32(&hdr[12], cluster_size);
  store_le64(&hdr[16], size);
  store_le64(&hdr[24], kBitmapOffset);
  *data_offset = data_offset_for(size, cluster_size);
  store_le64(&hdr[32], *data_offset);
  store_le32(&hdr[40], static_cast<uint32_t>(base_path.size()));
  std::memcpy(&hdr[44], base_path.data(), base_path.size());
  std::vector<uint8_t> bitmap(bitmap_bytes(size, cluster_size), 0);
  if (!image_file::pwrite_all(fd, hdr.data(), hdr.size(), 0) ||
      !image_file::pwrite_all(fd, bitmap.data(), bitmap.size(), kBitmapOffset))
    throw BlockError(path + ": cannot write overlay header: " + std::strerror(errno));
}

std::unique_ptr<CowOverlay> CowOverlay::create(const std::string& overlay_path, const std::string& base_path,
                                               uint32_t cluster_size) {
  if (!valid_cluster(cluster_size)) throw BlockError(overlay_path + ": invalid cluster size");
  std::unique_ptr<BlockDevice> base = RawImage::open(resolve_base(overlay_path, base_path), true);
  int fd = image_file::open_locked(overlay_path, O_RDWR | O_CREAT | O_EXCL, true);
  uint64_t data_offset = 0;
  try {
    write_header(fd, overlay_path, base->size_bytes(), cluster_size, base_path, &data_offset);
  } catch (...) {
    ::close(fd);
    throw;
  }
  return std::unique_ptr<CowOverlay>(new CowOverlay(std::move(base), fd, cluster_size, data_offset));
}

std::unique_ptr<CowOverlay> CowOverlay::open(const std::string& overlay_path) {
  int fd = image_file::open_locked(overlay_path, O_RDWR, true);
  auto fail = [&](const std::string& why) {
    ::close(fd);
    throw BlockError(overlay_path + ": " + why);
  };
  std::vector<uint8_t> hdr(kHeaderSize);
  if (!image_file::pread_all(fd, hdr.data(), hdr.size(), 0)) fail("not an emu overlay (file too short)");
  if (std::memcmp(hdr.data(), kMagic, 8) != 0) fail("not an emu overlay (bad magic)");
  if (load_le32(&hdr[8]) != kVersion) fail("unsupported emu overlay version");
  uint32_t cluster = load_le32(&hdr[12]);
  uint64_t size = load_le64(&hdr[16]);
  uint64_t bitmap_off = load_le64(&hdr[24]);
  uint64_t data_off = load_le64(&hdr[32]);
  uint32_t path_len = load_le32(&hdr[40]);
  if (!valid_cluster(cluster) || size == 0 || bitmap_off != kBitmapOffset || path_len > kMaxBasePath ||
      data_off != data_offset_for(size, cluster))
    fail("corrupt emu overlay header");
  std::string base_path(reinterpret_cast<const char*>(&hdr[44]), path_len);
  std::unique_ptr<BlockDevice> base;
  try {
    base = RawImage::open(resolve_base(overlay_path, base_path), true);
  } catch (const BlockError& e) {
    fail(std::string("base image: ") + e.what());
  }
  if (base->size_bytes() != size) fail("base image size does not match the overlay");
  std::unique_ptr<CowOverlay> ov(new CowOverlay(std::move(base), fd, cluster, data_off));
  if (!image_file::pread_all(fd, ov->bitmap_.data(), ov->bitmap_.size(), kBitmapOffset))
    throw BlockError(overlay_path + ": overlay bitmap truncated");
  return ov;
}

std::unique_ptr<CowOverlay> CowOverlay::temporary(std::unique_ptr<BlockDevice> base, uint32_t cluster_size) {
  if (!valid_cluster(cluster_size)) throw BlockError("snapshot overlay: invalid cluster size");
  const char* dir = std::getenv("TMPDIR");
  std::string templ = std::string(dir && *dir ? dir : "/tmp") + "/emu-snapshot-XXXXXX";
  std::vector<char> name(templ.begin(), templ.end());
  name.push_back('\0');
  int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) throw BlockError(templ + ": cannot create snapshot overlay: " + std::strerror(errno));
  ::unlink(name.data());
  uint64_t data_offset = 0;
  try {
    write_header(fd, name.data(), base->size_bytes(), cluster_size, "", &data_offset);
  } catch (...) {
    ::close(fd);
    throw;
  }
  return std::unique_ptr<CowOverlay>(new CowOverlay(std::move(base), fd, cluster_size, data_offset));
}

uint64_t CowOverlay::allocated_clusters() const {
  uint64_t n = 0;
  for (uint8_t b : bitmap_) n += static_cast<uint64_t>(__builtin_popcount(b));
  return n;
}

bool CowOverlay::read(uint64_t offset, void* buf, size_t len) {
  if (offset > size_ || len > size_ - offset) return false;
  auto* out = static_cast<uint8_t*>(buf);
  while (len > 0) {
    uint64_t cluster = offset / cluster_size_;
    uint64_t within = offset % cluster_size_;
    size_t n = static_cast<size_t>(std::min<uint64_t>(len, cluster_size_ - within));
    bool ok = allocated(cluster)
                  ? image_file::pread_all(fd_, out, n, data_offset_ + cluster * cluster_size_ + within)
                  : base_->read(offset, out, n);
    if (!ok) return false;
    out += n;
    offset += n;
    len -= n;
  }
  return true;
}

bool CowOverlay::copy_up(uint64_t cluster) {
  uint64_t start = cluster * cluster_size_;
  size_t n = static_cast<size_t>(std::min<uint64_t>(cluster_size_, size_ - start));
  std::vector<uint8_t> data(cluster_size_, 0);
  if (!base_->read(start, data.data(), n)) return false;
  if (!image_file::pwrite_all(fd_, data.data(), cluster_size_, data_offset_ + start)) return false;
  uint8_t byte = static_cast<uint8_t>(bitmap_[cluster / 8] | (1u << (cluster % 8)));
  if (!image_file::pwrite_all(fd_, &byte, 1, kBitmapOffset + cluster / 8)) return false;
  bitmap_[cluster / 8] = byte;
  return true;
}

bool CowOverlay::write(uint64_t offset, const void* buf, size_t len) {
  if (offset > size_ || len > size_ - offset) return false;
  auto* in = static_cast<const uint8_t*>(buf);
  while (len > 0) {
    uint64_t cluster = offset / cluster_size_;
    uint64_t within = offset % cluster_size_;
    size_t n = static_cast<size_t>(std::min<uint64_t>(len, cluster_size_ - within));
    if (!allocated(cluster) && !copy_up(cluster)) return false;
    if (!image_file::pwrite_all(fd_, in, n, data_offset_ + cluster * cluster_size_ + within)) return false;
    in += n;
    offset += n;
    len -= n;
  }
  return true;
}

bool CowOverlay::flush() { return ::fdatasync(fd_) == 0; }

}  // namespace emu
