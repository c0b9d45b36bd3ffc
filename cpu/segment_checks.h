// Segment limit and type checks of data, stack and code accesses outside 64-bit mode
// (Intel SDM Vol. 3 §5.3-5.5), reduced to the range of offsets a segment allows for
// reads or for writes; the CPU precomputes it per segment register.
#pragma once
#include <cstdint>

#include "cpu/cpu_state.h"

namespace emu {

// Real and virtual-8086 mode check only the (cached) limit; protected and compatibility
// mode also check presence (a null selector) and the segment's type.
enum class SegmentRules : uint8_t { LimitOnly, Protected };

// The offsets an access may touch: `size` bytes at `offset` are allowed when
// lo <= offset and offset + size <= end. Expand-up: 0 .. limit; expand-down (data):
// limit+1 .. 0xFFFF (B = 0) or 0xFFFFFFFF; nothing (lo 1, end 0) for a null selector,
// a write to a read-only or code segment, a read of an execute-only code segment.
struct SegmentBounds {
  uint64_t lo = 1;
  uint64_t end = 0;
  bool allows(uint64_t offset, unsigned size) const { return offset >= lo && offset + size <= end; }
};

SegmentBounds segment_bounds(const SegmentCache& c, bool write, SegmentRules rules);

}  // namespace emu
