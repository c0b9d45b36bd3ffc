// The block-backend interface disk and CD-ROM models read and write through: a
// byte-addressed image of fixed size (raw file, copy-on-write overlay, ...). Errors
// opening an image are reported by throwing BlockError with a message that names the
// file; I/O errors during operation are returned as false (the device model turns them
// into a guest-visible error status).
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace emu {

class BlockError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class BlockDevice {
 public:
  virtual ~BlockDevice() = default;
  virtual uint64_t size_bytes() const = 0;
  virtual bool read_only() const = 0;
  // Whole-range operations; false on a host I/O error or a range past the end.
  virtual bool read(uint64_t offset, void* buf, size_t len) = 0;
  virtual bool write(uint64_t offset, const void* buf, size_t len) = 0;
  // Makes completed writes durable (fdatasync).
  virtual bool flush() = 0;
};

}  // namespace emu
