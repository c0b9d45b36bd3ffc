// The JIT's code cache: one region of host memory mapped twice, once read+write (where
// the backend writes and patches code) and once read+execute (where it runs), so no
// page is ever writable and executable at the same time (W^X). Allocation is a bump
// pointer; when the cache is full the engine flushes it entirely.
#pragma once
#include <cstddef>
#include <cstdint>

namespace emu::jit {

class CodeCache {
 public:
  explicit CodeCache(size_t capacity);
  ~CodeCache();
  CodeCache(const CodeCache&) = delete;
  CodeCache& operator=(const CodeCache&) = delete;

  bool ok() const { return rx_ != nullptr; }
  size_t capacity() const { return capacity_; }
  size_t used() const { return used_; }
  size_t free_bytes() const { return capacity_ - used_; }
  // Bumped by every flush: translations of an older generation are gone.
  uint64_t generation() const { return generation_; }

  // The writable view of the next free byte (16-byte aligned); at most free_bytes().
  uint8_t* write_cursor() { return rw_ + used_; }
  // Marks `bytes` written at write_cursor() as code; returns their executable address.
  const uint8_t* commit(size_t bytes);
  void flush();

  // Address translation between the two views.
  uint8_t* writable(const uint8_t* exec) const { return rw_ + (exec - rx_); }
  const uint8_t* executable(const uint8_t* writ) const { return rx_ + (writ - rw_); }
  bool contains(const void* exec) const {
    auto p = static_cast<const uint8_t*>(exec);
    return p >= rx_ && p < rx_ + capacity_;
  }

 private:
  size_t capacity_;
  size_t used_ = 0;
  uint64_t generation_ = 0;
  uint8_t* rw_ = nullptr;
  const uint8_t* rx_ = nullptr;
};

}  // namespace emu::jit
