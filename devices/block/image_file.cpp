// Host file helpers for image backends (see image_file.h).
#include "devices/block/image_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "devices/block/block_backend.h"

namespace emu::image_file {

void lock(int fd, const std::string& path, bool exclusive) {
  int rc;
#ifdef F_OFD_SETLK
  struct flock fl {};
  fl.l_type = exclusive ? F_WRLCK : F_RDLCK;
  fl.l_whence = SEEK_SET;
  fl.l_start = 0;
  fl.l_len = 0;
  rc = fcntl(fd, F_OFD_SETLK, &fl);
  if (rc != 0 && errno == EINVAL) rc = flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB);
#else
  rc = flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB);
#endif
  if (rc == 0) return;
  if (errno == EAGAIN || errno == EACCES || errno == EWOULDBLOCK)
    throw BlockError(path + ": image is in use by another emu (locked)");
  throw BlockError(path + ": cannot lock image: " + std::strerror(errno));
}

int open_locked(const std::string& path, int flags, bool exclusive, unsigned mode) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) throw BlockError(path + ": " + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
    ::close(fd);
    throw BlockError(path + ": not a regular file or block device");
  }
  try {
    lock(fd, path, exclusive);
  } catch (...) {
    ::close(fd);
    throw;
  }
  return fd;
}

bool pread_all(int fd, void* buf, size_t len, uint64_t offset) {
  auto* p = static_cast<uint8_t*>(buf);
  while (len > 0) {
    ssize_t n = ::pread(fd, p, len, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    len -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return true;
}

bool pwrite_all(int fd, const void* buf, size_t len, uint64_t offset) {
  auto* p = static_cast<const uint8_t*>(buf);
  while (len > 0) {
    ssize_t n = ::pwrite(fd, p, len, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    len -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return true;
}

uint64_t file_size(int fd, const std::string& path) {
  off_t end = ::lseek(fd, 0, SEEK_END);
  if (end < 0) throw BlockError(path + ": cannot determine size: " + std::strerror(errno));
  return static_cast<uint64_t>(end);
}

}  // namespace emu::image_file
