// W^X code cache (see code_cache.h): a memfd mapped twice, RW and RX.
#include "cpu/jit/code_cache.h"

#include <algorithm>

#include <sys/mman.h>
#include <unistd.h>

namespace emu::jit {

// On macOS/arm64 the same idea is spelled differently: one mmap(MAP_JIT) region, with
// pthread_jit_write_protect_np(0/1) around writes and sys_icache_invalidate after them.
// Hosts with split caches (aarch64) also need __builtin___clear_cache on the RX view
// after commit(); the x86-64 backend does not (its caches are coherent).
CodeCache::CodeCache(size_t capacity)
    : capacity_((std::min(capacity ? capacity : kDefaultCapacity, kMaxCapacity) + 0xffff) & ~size_t{0xffff}) {
  int fd = memfd_create("emu-jit", MFD_CLOEXEC);
  if (fd < 0) return;
  if (ftruncate(fd, static_cast<off_t>(capacity_)) != 0) {
    close(fd);
    return;
  }
  void* rw = mmap(nullptr, capacity_, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  void* rx = mmap(nullptr, capacity_, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
  close(fd);
  if (rw == MAP_FAILED || rx == MAP_FAILED) {
    if (rw != MAP_FAILED) munmap(rw, capacity_);
    if (rx != MAP_FAILED) munmap(rx, capacity_);
    return;
  }
  rw_ = static_cast<uint8_t*>(rw);
  rx_ = static_cast<const uint8_t*>(rx);
}

CodeCache::~CodeCache() {
  if (!rx_) return;
  munmap(rw_, capacity_);
  munmap(const_cast<uint8_t*>(rx_), capacity_);
}

const uint8_t* CodeCache::commit(size_t bytes) {
  const uint8_t* at = rx_ + used_;
  used_ += (bytes + 15) & ~size_t{15};
  if (used_ > capacity_) used_ = capacity_;
  return at;
}

void CodeCache::flush() {
  used_ = 0;
  ++generation_;
}

}  // namespace emu::jit
