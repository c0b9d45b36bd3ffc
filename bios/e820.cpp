// E820 memory map helpers (see e820.h).
#include "bios/e820.h"

#include <algorithm>

#include "base/endian.h"

namespace emu {

uint64_t e820_ram_below(const E820Map& map, uint64_t limit) {
  uint64_t total = 0;
  for (const auto& e : map) {
    if (e.type != E820Type::Ram || e.addr >= limit) continue;
    total += std::min(e.addr + e.size, limit) - e.addr;
  }
  return total;
}

uint64_t e820_ram_end_containing(const E820Map& map, uint64_t addr) {
  for (const auto& e : map)
    if (e.type == E820Type::Ram && addr >= e.addr && addr - e.addr < e.size) return e.addr + e.size;
  return 0;
}

std::vector<uint8_t> e820_to_bytes(const E820Map& map) {
  std::vector<uint8_t> out(map.size() * 20);
  for (size_t i = 0; i < map.size(); i++) {
    store_le64(&out[i * 20], map[i].addr);
    store_le64(&out[i * 20 + 8], map[i].size);
    store_le32(&out[i * 20 + 16], static_cast<uint32_t>(map[i].type));
  }
  return out;
}

}  // namespace emu
