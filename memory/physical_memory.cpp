// Guest physical address map (see physical_memory.h). RAM is allocated with mmap so
// that untouched guest pages cost no host memory.
#include "memory/physical_memory.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>

#include "base/endian.h"
#include "base/log.h"

namespace emu {

PhysicalMemory::PhysicalMemory() = default;

PhysicalMemory::~PhysicalMemory() {
  for (auto& [p, n] : allocations_) munmap(p, n);
}

uint8_t* PhysicalMemory::allocate(uint64_t size) {
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  allocations_.emplace_back(static_cast<uint8_t*>(p), size);
  return static_cast<uint8_t*>(p);
}

uint8_t* PhysicalMemory::add_ram(uint64_t base, uint64_t size, std::string name) {
  uint8_t* host = allocate(size);
  regions_.push_back({base, size, Kind::Ram, host, nullptr, std::move(name)});
  ram_total_ += size;
  generation_++;
  rebuild_spans();
  return host;
}

uint8_t* PhysicalMemory::add_rom(uint64_t base, const void* data, uint64_t size, std::string name) {
  uint64_t rounded = (size + 4095) & ~uint64_t{4095};
  uint8_t* host = allocate(rounded);
  std::memset(host, 0xff, rounded);
  std::memcpy(host, data, size);
  regions_.push_back({base, rounded, Kind::Rom, host, nullptr, std::move(name)});
  generation_++;
  rebuild_spans();
  return host;
}

void PhysicalMemory::add_mmio(uint64_t base, uint64_t size, IoHandler* handler, std::string name) {
  regions_.push_back({base, size, Kind::Mmio, nullptr, handler, std::move(name)});
  generation_++;
  rebuild_spans();
}

void PhysicalMemory::remove_mmio(IoHandler* handler) {
  std::erase_if(regions_, [&](const Region& r) { return r.kind == Kind::Mmio && r.handler == handler; });
  generation_++;
  rebuild_spans();
}

void PhysicalMemory::rebuild_spans() {
  spans_.clear();
  for (const Region& r : regions_) {  // oldest first: each one covers what it overlaps
    if (r.size == 0) continue;
    const uint64_t first = r.base, last = r.base + (r.size - 1);
    std::vector<Span> next;
    for (const Span& s : spans_) {
      if (s.last < first || s.base > last) {
        next.push_back(s);
        continue;
      }
      if (s.base < first) next.push_back({s.base, first - 1, s.region});
      if (s.last > last) next.push_back({last + 1, s.last, s.region});
    }
    next.push_back({first, last, &r});
    std::sort(next.begin(), next.end(), [](const Span& a, const Span& b) { return a.base < b.base; });
    spans_ = std::move(next);
  }
}

const PhysicalMemory::Span* PhysicalMemory::find_span(uint64_t paddr) const {
  auto it = std::upper_bound(spans_.begin(), spans_.end(), paddr, [](uint64_t a, const Span& s) { return a < s.base; });
  if (it == spans_.begin()) return nullptr;
  --it;
  return paddr <= it->last ? &*it : nullptr;
}

const PhysicalMemory::Region* PhysicalMemory::find(uint64_t paddr) const {
  const Span* s = find_span(paddr);
  return s ? s->region : nullptr;
}

uint8_t* PhysicalMemory::host_pointer(uint64_t paddr, uint64_t len, bool writable) {
  const Span* s = find_span(paddr);
  if (!s) return nullptr;
  const Region* r = s->region;
  if (r->kind == Kind::Mmio || (writable && r->kind != Kind::Ram)) return nullptr;
  if (len > 0 && len - 1 > s->last - paddr) return nullptr;  // runs past what this region shows
  return r->host + (paddr - r->base);
}

uint64_t PhysicalMemory::read(uint64_t paddr, unsigned size) {
  const Span* s = find_span(paddr);
  const Region* r = s ? s->region : nullptr;
  if (r && r->kind != Kind::Mmio && size - 1 <= s->last - paddr) {
    const uint8_t* p = r->host + (paddr - r->base);
    switch (size) {
      case 1: return *p;
      case 2: return load_le16(p);
      case 4: return load_le32(p);
      default: return load_le64(p);
    }
  }
  if (r && r->kind == Kind::Mmio) return r->handler->io_read(paddr - r->base, size);
  if (r) {  // straddles the end of a RAM/ROM region: assemble byte by byte
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) v |= read(paddr + i, 1) << (8 * i);
    return v;
  }
  EMU_LOG(Unimp, "unimp: read%u from unmapped physical 0x%llx\n", size * 8, (unsigned long long)paddr);
  return size == 8 ? ~uint64_t{0} : (uint64_t{1} << (size * 8)) - 1;
}

void PhysicalMemory::write(uint64_t paddr, unsigned size, uint64_t value) {
  const Span* s = find_span(paddr);
  const Region* r = s ? s->region : nullptr;
  if (r && r->kind == Kind::Ram && size - 1 <= s->last - paddr) {
    uint8_t* p = r->host + (paddr - r->base);
    switch (size) {
      case 1: *p = static_cast<uint8_t>(value); break;
      case 2: store_le16(p, static_cast<uint16_t>(value)); break;
      case 4: store_le32(p, static_cast<uint32_t>(value)); break;
      default: store_le64(p, value); break;
    }
    return;
  }
  if (r && r->kind == Kind::Mmio) {
    r->handler->io_write(paddr - r->base, size, value);
    return;
  }
  if (r && r->kind == Kind::Ram) {
    for (unsigned i = 0; i < size; i++) write(paddr + i, 1, value >> (8 * i));
    return;
  }
  if (r && r->kind == Kind::Rom) return;  // writes to ROM are dropped silently, as on hardware
  EMU_LOG(Unimp, "unimp: write%u to unmapped physical 0x%llx value 0x%llx\n", size * 8,
          (unsigned long long)paddr, (unsigned long long)value);
}

bool PhysicalMemory::read_bytes(uint64_t paddr, void* out, uint64_t len) {
  auto* dst = static_cast<uint8_t*>(out);
  while (len > 0) {
    const Region* r = find(paddr);
    if (!r || r->kind == Kind::Mmio) return false;
    uint64_t off = paddr - r->base;
    uint64_t n = std::min(len, r->size - off);
    std::memcpy(dst, r->host + off, n);
    dst += n;
    paddr += n;
    len -= n;
  }
  return true;
}

bool PhysicalMemory::copy_in(uint64_t paddr, const void* in, uint64_t len, bool allow_rom) {
  PhysicalMemory& m = *this;
  // Check the whole range first so a failure writes nothing.
  for (uint64_t a = paddr, left = len; left > 0;) {
    const auto* r = m.find(a);
    if (!r || r->kind == PhysicalMemory::Kind::Mmio || (!allow_rom && r->kind == PhysicalMemory::Kind::Rom))
      return false;
    uint64_t n = std::min(left, r->size - (a - r->base));
    a += n;
    left -= n;
  }
  const auto* src = static_cast<const uint8_t*>(in);
  for (WriteObserver* o : observers_) o->on_external_write(paddr, len);
  while (len > 0) {
    const auto* r = m.find(paddr);
    uint64_t off = paddr - r->base;
    uint64_t n = std::min(len, r->size - off);
    std::memcpy(r->host + off, src, n);
    src += n;
    paddr += n;
    len -= n;
  }
  return true;
}

bool PhysicalMemory::write_bytes(uint64_t paddr, const void* in, uint64_t len) {
  return copy_in(paddr, in, len, false);
}

bool PhysicalMemory::load_bytes(uint64_t paddr, const void* in, uint64_t len) {
  return copy_in(paddr, in, len, true);
}

}  // namespace emu
