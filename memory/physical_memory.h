// The guest physical address map: RAM, ROM and MMIO regions. RAM and ROM are host
// buffers reached through host_pointer() on the fast path; everything else goes
// through read()/write(), where unclaimed addresses read as all ones and ignore
// writes (logged with `-d unimp`). Guest addresses are never trusted: every access is
// bounds-checked against the map.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "memory/io_handler.h"

namespace emu {

class PhysicalMemory {
 public:
  // Told about writes that bypass the CPUs' own store path (device DMA, loaders), so a
  // CPU can drop the code it decoded or translated from the written pages.
  class WriteObserver {
   public:
    virtual void on_external_write(uint64_t paddr, uint64_t len) = 0;

   protected:
    ~WriteObserver() = default;
  };

  enum class Kind { Ram, Rom, Mmio };
  struct Region {
    uint64_t base;
    uint64_t size;
    Kind kind;
    uint8_t* host;       // RAM/ROM backing; nullptr for MMIO
    IoHandler* handler;  // MMIO only
    std::string name;
  };

  PhysicalMemory();
  ~PhysicalMemory();
  PhysicalMemory(const PhysicalMemory&) = delete;
  PhysicalMemory& operator=(const PhysicalMemory&) = delete;

  // Adds zero-filled RAM at [base, base+size). Returns its host buffer.
  uint8_t* add_ram(uint64_t base, uint64_t size, std::string name = "ram");
  // Adds read-only memory holding a copy of data (size rounded up, padded with 0xff).
  uint8_t* add_rom(uint64_t base, const void* data, uint64_t size, std::string name = "rom");
  // Adds an MMIO window handled by a device. Later regions take priority over
  // earlier ones where they overlap (so a device window can sit over RAM).
  void add_mmio(uint64_t base, uint64_t size, IoHandler* handler, std::string name);
  void remove_mmio(IoHandler* handler);

  const Region* find(uint64_t paddr) const;
  const std::vector<Region>& regions() const { return regions_; }
  uint64_t ram_size() const { return ram_total_; }

  // Host pointer for [paddr, paddr+len) when it lies wholly in one RAM region
  // (writable=true) or in RAM/ROM (writable=false); nullptr otherwise.
  uint8_t* host_pointer(uint64_t paddr, uint64_t len, bool writable);

  // Scalar access of 1, 2, 4 or 8 bytes, little-endian; dispatches MMIO.
  uint64_t read(uint64_t paddr, unsigned size);
  void write(uint64_t paddr, unsigned size, uint64_t value);

  // Byte-range copies for loaders and DMA. Return false (copying nothing) unless the
  // whole range is RAM (or ROM for reads); a guest-supplied bad address is never fatal.
  bool read_bytes(uint64_t paddr, void* out, uint64_t len);
  bool write_bytes(uint64_t paddr, const void* in, uint64_t len);
  // Loaders may write ROM contents as well.
  bool load_bytes(uint64_t paddr, const void* in, uint64_t len);

  void add_write_observer(WriteObserver* o) { observers_.push_back(o); }
  void remove_write_observer(WriteObserver* o) { std::erase(observers_, o); }

  // Monotonic counter bumped whenever the map changes (TLBs compare it to flush).
  uint64_t generation() const { return generation_; }

 private:
  // The map flattened for lookups: sorted, non-overlapping spans, each owned by the
  // region visible there (the newest one), rebuilt on every change.
  struct Span {
    uint64_t base;
    uint64_t last;  // inclusive
    const Region* region;
  };
  const Span* find_span(uint64_t paddr) const;
  void rebuild_spans();

  std::vector<Region> regions_;  // in insertion order; later ones win where they overlap
  std::vector<Span> spans_;
  std::vector<std::pair<uint8_t*, size_t>> allocations_;
  uint64_t ram_total_ = 0;
  uint64_t generation_ = 0;
  std::vector<WriteObserver*> observers_;
  uint8_t* allocate(uint64_t size);
  bool copy_in(uint64_t paddr, const void* in, uint64_t len, bool allow_rom);
};

}  // namespace emu
