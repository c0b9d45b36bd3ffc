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

}  // namespace

bool segment_access_allowed(const SegmentCache& c, uint64_t offset, unsigned size, bool write, SegmentRules rules) {
  if (rules == SegmentRules::Protected && !type_allows(c, write)) return false;
  const uint64_t last = offset + size - 1;
  if (expand_down(c)) {
    const uint64_t upper = c.default_big() ? 0xffffffffu : 0xffffu;
    return offset > c.limit && last <= upper;
  }
  return last <= c.limit;
}

uint64_t segment_fast_end(const SegmentCache& c, bool write, SegmentRules rules) {
  if (expand_down(c)) return 0;
  if (rules == SegmentRules::Protected && !type_allows(c, write)) return 0;
  return uint64_t{c.limit} + 1;
}

}  // namespace emu
