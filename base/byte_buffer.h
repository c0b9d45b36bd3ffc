// A read-only run of bytes that owns either a std::vector or a private, read-only
// mapping of part of a file. Large inputs that are only read (the decompressed-kernel
// cache entry, tens of MB) are mapped instead of copied: no zero-fill, no copy, the
// page cache's pages are shared.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace emu {

class ByteBuffer {
 public:
  ByteBuffer() = default;
  explicit ByteBuffer(std::vector<uint8_t> bytes) : owned_(std::move(bytes)) {}
  ByteBuffer(ByteBuffer&& other) noexcept { *this = std::move(other); }
  ByteBuffer& operator=(ByteBuffer&& other) noexcept;
  ByteBuffer(const ByteBuffer&) = delete;
  ByteBuffer& operator=(const ByteBuffer&) = delete;
  ~ByteBuffer() { unmap(); }

  // Maps `size` bytes of the open file `fd` from `offset` (any offset: the mapping
  // starts at the page below it). False, with `error` set, if mmap fails.
  bool map_file(int fd, uint64_t offset, size_t size, std::string* error);

  const uint8_t* data() const { return mapped_ ? mapped_data_ : owned_.data(); }
  size_t size() const { return mapped_ ? mapped_size_ : owned_.size(); }
  bool empty() const { return size() == 0; }
  std::span<const uint8_t> span() const { return {data(), size()}; }
  operator std::span<const uint8_t>() const { return span(); }
  void clear() {
    unmap();
    owned_.clear();
  }

  friend bool operator==(const ByteBuffer& a, std::span<const uint8_t> b);

 private:
  void unmap();

  std::vector<uint8_t> owned_;
  void* mapping_ = nullptr;  // the whole mapping (page-aligned start)
  size_t mapping_size_ = 0;
  const uint8_t* mapped_data_ = nullptr;
  size_t mapped_size_ = 0;
  bool mapped_ = false;
};

}  // namespace emu
