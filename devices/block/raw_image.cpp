// Raw image backend (see raw_image.h).
#include "devices/block/raw_image.h"

#include <fcntl.h>
#include <unistd.h>

#include "devices/block/image_file.h"

namespace emu {

std::unique_ptr<RawImage> RawImage::open(const std::string& path, bool read_only) {
  int fd = image_file::open_locked(path, read_only ? O_RDONLY : O_RDWR, !read_only);
  uint64_t size;
  try {
    size = image_file::file_size(fd, path);
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (size == 0) {
    ::close(fd);
    throw BlockError(path + ": image is empty");
  }
  return std::unique_ptr<RawImage>(new RawImage(path, fd, size, read_only));
}

RawImage::~RawImage() { ::close(fd_); }

bool RawImage::read(uint64_t offset, void* buf, size_t len) {
  if (offset > size_ || len > size_ - offset) return false;
  return image_file::pread_all(fd_, buf, len, offset);
}

bool RawImage::write(uint64_t offset, const void* buf, size_t len) {
  if (read_only_ || offset > size_ || len > size_ - offset) return false;
  return image_file::pwrite_all(fd_, buf, len, offset);
}

bool RawImage::flush() { return read_only_ || ::fdatasync(fd_) == 0; }

}  // namespace emu
