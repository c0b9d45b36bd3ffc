// Early existence/permission check of files the VM will use.
#include "frontends/file_check.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "frontends/options.h"

namespace emu::frontend {

void check_file(const std::string& path, std::string_view what, bool for_writing) {
  auto fail = [&](int err) {
    throw OptionError{std::string(what) + ": cannot open '" + path + "'" + (for_writing ? " for writing" : "") +
                      ": " + std::strerror(err)};
  };
  if (path.empty()) fail(ENOENT);
  int fd = ::open(path.c_str(), (for_writing ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    // A directory opened for writing reports EISDIR; for reading it opens, see below.
    fail(errno);
  }
  struct stat st {};
  int rc = ::fstat(fd, &st);
  int err = errno;
  ::close(fd);
  if (rc != 0) fail(err);
  if (S_ISDIR(st.st_mode)) fail(EISDIR);
}

}  // namespace emu::frontend
