// Host file helpers shared by the image backends: open with O_CLOEXEC and take an
// advisory lock (OFD lock, shared for read-only, exclusive for writable) so that a
// second emu opening the same writable image fails with a clear error; positioned
// whole-range read/write retrying on short transfers and EINTR.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace emu::image_file {

// Opens `path` (flags as for open(2), O_CLOEXEC added) and locks it. Throws BlockError
// "<path>: <reason>" on failure, "<path>: image is in use by another emu (locked)" on
// a lock conflict. Returns the file descriptor.
int open_locked(const std::string& path, int flags, bool exclusive, unsigned mode = 0644);
// Locks an already open descriptor (see open_locked); closes nothing.
void lock(int fd, const std::string& path, bool exclusive);
bool pread_all(int fd, void* buf, size_t len, uint64_t offset);
bool pwrite_all(int fd, const void* buf, size_t len, uint64_t offset);
// Size of the open file in bytes (throws BlockError on failure).
uint64_t file_size(int fd, const std::string& path);

}  // namespace emu::image_file
