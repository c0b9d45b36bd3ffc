// The JIT's code cache: one region of host memory mapped twice, once read+write (where
// the backend writes and patches code) and once read+execute (where it runs), so no
// page is ever writable and executable at the same time (W^X). Allocation is a bump
// pointer; when the cache is full the engine flushes it entirely. The memfd's pages are
// allocated on first write, so a large capacity costs only the code actually emitted
// (the high-water mark: a flush does not give pages back).
#pragma once
#include <cstddef>
#include <cstdint>

namespace emu::jit {

class CodeCache {
 public:
  // QEMU system mode's default (its -accel tcg,tb-size=N, in MiB; 0 = default).
  static constexpr size_t kDefaultCapacity = size_t{1} << 30;
  // Generated code reaches the cache's shared exit and patched links with rel32 jumps:
  // the whole cache must lie within +-2 GiB of any of its bytes.
  static constexpr size_t kMaxCapacity = size_t{2} << 30;

  // capacity: rounded up to 64 KiB; 0 means kDefaultCapacity; at most kMaxCapacity.
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
