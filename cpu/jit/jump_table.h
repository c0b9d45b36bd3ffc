// The JIT's jump table: linear RIP -> host entry of the translated block there, for
// indirect branches and returns. Generated code probes it inline (x86_64_backend.cpp)
// and calls the engine's C++ lookup only on a miss; the engine fills it on lookup hits.
// It is the JIT's own table, separate from the interpreter's jump cache (which maps
// RIPs to decoded blocks). Each entry carries a tag, (epoch << 32) | mode key: bumping
// the epoch invalidates every entry at once (linear mappings changed, code cache
// flushed), and a dropped translation clears its own slot.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace emu::jit {

struct JumpTable {
  static constexpr unsigned kBits = 12;
  static constexpr unsigned kSize = 1u << kBits;
  struct Entry {
    uint64_t rip = 0;
    uint64_t tag = 0;  // (epoch << 32) | mode; epoch 0 is never current (an empty slot)
    const uint8_t* code = nullptr;
    uint64_t unused = 0;  // pads the entry to 32 bytes (generated code scales by 32)
  };
  static_assert(sizeof(Entry) == 32, "generated code indexes entries by shifting by 5");

  static unsigned index(uint64_t rip) { return static_cast<unsigned>((rip ^ (rip >> kBits)) & (kSize - 1)); }

  uint64_t epoch_tag = uint64_t{1} << 32;  // the current epoch << 32 (code ORs in the mode)
  alignas(32) Entry entries[kSize];

  void insert(uint64_t rip, uint32_t mode, const uint8_t* code) {
    entries[index(rip)] = Entry{rip, epoch_tag | mode, code, 0};
  }
  // What generated code would find (null: miss).
  const uint8_t* find(uint64_t rip, uint32_t mode) const {
    const Entry& e = entries[index(rip)];
    return e.rip == rip && e.tag == (epoch_tag | mode) ? e.code : nullptr;
  }
  // The translation at `code` is being dropped: clear its slot if it holds it.
  void forget(uint64_t rip, const uint8_t* code) {
    Entry& e = entries[index(rip)];
    if (e.code == code) e = Entry{};
  }
  // INVLPG: drops the entries whose RIP lies in the linear page.
  void invalidate_page(uint64_t page) {
    for (Entry& e : entries)
      if ((e.rip & ~uint64_t{0xfff}) == page) e = Entry{};
  }
  void invalidate_all() {
    epoch_tag += uint64_t{1} << 32;
    if (epoch_tag == 0) {  // wrapped: old tags could match again, so clear them
      std::memset(static_cast<void*>(entries), 0, sizeof entries);
      epoch_tag = uint64_t{1} << 32;
    }
  }
};

}  // namespace emu::jit
