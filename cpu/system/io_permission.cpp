// The TSS I/O permission bitmap check (see io_permission.h).
#include "cpu/system/io_permission.h"

#include "cpu/cpu.h"
#include "cpu/system/system_memory.h"

namespace emu::sys {

bool io_bitmap_allows(Cpu& cpu, uint16_t port, unsigned size) {
  const SegmentCache& tr = cpu.state().tr;
  const unsigned type = tr.attr & 0xf;
  if (type != 0x9 && type != 0xb) return false;  // a 16-bit TSS has no bitmap
  if (tr.limit < 0x67) return false;
  const uint64_t map_base = read_system(cpu, tr.base + 0x66, 2);
  const uint64_t at = map_base + port / 8;
  if (at + 1 > tr.limit) return false;  // the processor always reads two bytes
  const uint64_t bits = read_system(cpu, tr.base + at, 2);
  const uint64_t mask = ((uint64_t{1} << size) - 1) << (port & 7);
  return (bits & mask) == 0;
}

}  // namespace emu::sys
