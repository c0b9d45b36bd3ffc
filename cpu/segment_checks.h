// Segment limit and type checks of data, stack and code accesses outside 64-bit mode
// (Intel SDM Vol. 3 §5.3-5.5): the rules on one descriptor cache, and the bound the CPU
// precomputes per segment register so that its fast path is one compare.
#pragma once
#include <cstdint>

#include "cpu/cpu_state.h"

namespace emu {

// Real and virtual-8086 mode check only the (cached) limit; protected and compatibility
// mode also check presence (a null selector) and the segment's type.
enum class SegmentRules : uint8_t { LimitOnly, Protected };

// An expand-down data segment: valid offsets are limit+1 .. 0xFFFF (B = 0) or 0xFFFFFFFF.
inline bool expand_down(const SegmentCache& c) { return (c.attr & 0x1c) == 0x14; }

// Whether `size` bytes at `offset` may be read (write = false) or written.
bool segment_access_allowed(const SegmentCache& c, uint64_t offset, unsigned size, bool write, SegmentRules rules);

// The fast-path bound: an access with offset + size <= the returned value is allowed
// without further checks; 0 when every access needs segment_access_allowed (expand-down,
// not present, wrong type).
uint64_t segment_fast_end(const SegmentCache& c, bool write, SegmentRules rules);

}  // namespace emu
