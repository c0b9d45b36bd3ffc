// ByteBuffer (see byte_buffer.h): POSIX mmap of a file range.
#include "base/byte_buffer.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace emu {

ByteBuffer& ByteBuffer::operator=(ByteBuffer&& other) noexcept {
  if (this == &other) return *this;
  unmap();
  owned_ = std::move(other.owned_);
  mapping_ = other.mapping_;
  mapping_size_ = other.mapping_size_;
  mapped_data_ = other.mapped_data_;
  mapped_size_ = other.mapped_size_;
  mapped_ = other.mapped_;
  other.mapping_ = nullptr;
  other.mapping_size_ = other.mapped_size_ = 0;
  other.mapped_data_ = nullptr;
  other.mapped_ = false;
  return *this;
}

bool ByteBuffer::map_file(int fd, uint64_t offset, size_t size, std::string* error) {
  clear();
  if (size == 0) return true;
  const auto page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  const uint64_t start = offset - offset % page;
  const size_t length = static_cast<size_t>(offset - start) + size;
  int flags = MAP_PRIVATE;
#ifdef MAP_POPULATE
  flags |= MAP_POPULATE;  // read ahead now: every byte is about to be read
#endif
  void* p = mmap(nullptr, length, PROT_READ, flags, fd, static_cast<off_t>(start));
  if (p == MAP_FAILED) {
    *error = std::string("mmap: ") + std::strerror(errno);
    return false;
  }
  mapping_ = p;
  mapping_size_ = length;
  mapped_data_ = static_cast<const uint8_t*>(p) + (offset - start);
  mapped_size_ = size;
  mapped_ = true;
  return true;
}

void ByteBuffer::unmap() {
  if (mapping_) munmap(mapping_, mapping_size_);
  mapping_ = nullptr;
  mapping_size_ = mapped_size_ = 0;
  mapped_data_ = nullptr;
  mapped_ = false;
}

bool operator==(const ByteBuffer& a, std::span<const uint8_t> b) { return std::ranges::equal(a.span(), b); }

}  // namespace emu
