// Segment limit and type checks (see segment_checks.h).
#include "cpu/segment_checks.h"

namespace emu {

namespace {

constexpr uint16_t kAttrPresent = 0x80;
constexpr uint16_t kAttrCode = 0x08;
constexpr uint16_t kAttrReadWrite = 0x02;  // data: writable; code: readable

bool type_allows(const SegmentCache& c, bool write) {
  if (!(c.attr & kAttrPresent)) return false;  // null selector (or never loaded)
  const bool code = c.attr & kAttrCode;
  if (write) return !code && (c.attr & kAttrReadWrite);  // code segments are never writable
  return !code || (c.attr & kAttrReadWrite);              // execute-only code is not readable
}

// S = 1, code = 0, expand-down = 1.
bool expand_down(const SegmentCache& c) { return (c.attr & 0x1c) == 0x14; }

}  // namespace

SegmentBounds segment_bounds(const SegmentCache& c, bool write, SegmentRules rules) {
  if (rules == SegmentRules::Protected && !type_allows(c, write)) return SegmentBounds{};
  if (expand_down(c)) return SegmentBounds{uint64_t{c.limit} + 1, c.default_big() ? 0x100000000ull : 0x10000ull};
  return SegmentBounds{0, uint64_t{c.limit} + 1};
}

}  // namespace emu
