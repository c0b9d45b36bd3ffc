// Early existence/permission check of files the VM will use.
#include "frontends/file_check.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "frontends/options.h"

namespace emu::frontend {

namespace {

// Opens path with flags; returns 0 or the errno explaining why it is unusable.
int try_open(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return errno;
  struct stat st {};
  int rc = ::fstat(fd, &st);
  int err = rc != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
  ::close(fd);
  return err;
}

}  // namespace

void check_file(const std::string& path, std::string_view what, bool for_writing) {
  auto fail = [&](int err, bool writing) {
    throw OptionError{std::string(what) + ": cannot open '" + path + "'" + (writing ? " for writing" : "") + ": " +
                      std::strerror(err)};
  };
  if (path.empty()) fail(ENOENT, false);
  if (int err = try_open(path, O_RDONLY)) fail(err, false);
  if (for_writing)
    if (int err = try_open(path, O_RDWR)) fail(err, true);
}

}  // namespace emu::frontend
