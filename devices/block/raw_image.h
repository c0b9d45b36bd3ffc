// A raw disk image file as a BlockDevice: reads and writes go straight to the file,
// flush() is fdatasync. The file is locked while open (exclusive when writable, shared
// when read-only), so a second emu cannot open a writable image at the same time.
#pragma once
#include <memory>
#include <string>

#include "devices/block/block_backend.h"

namespace emu {

class RawImage : public BlockDevice {
 public:
  // Throws BlockError naming the file (missing, unreadable, empty, locked).
  static std::unique_ptr<RawImage> open(const std::string& path, bool read_only);
  ~RawImage() override;
  RawImage(const RawImage&) = delete;
  RawImage& operator=(const RawImage&) = delete;

  uint64_t size_bytes() const override { return size_; }
  bool read_only() const override { return read_only_; }
  bool read(uint64_t offset, void* buf, size_t len) override;
  bool write(uint64_t offset, const void* buf, size_t len) override;
  bool flush() override;
  const std::string& path() const { return path_; }

 private:
  RawImage(std::string path, int fd, uint64_t size, bool read_only)
      : path_(std::move(path)), fd_(fd), size_(size), read_only_(read_only) {}
  std::string path_;
  int fd_;
  uint64_t size_;
  bool read_only_;
};

}  // namespace emu
