// The code cache: code written through the RW view runs from the RX view, neither view
// is writable and executable at once (checked in /proc/self/maps), flush starts over.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "cpu/jit/code_cache.h"
#include "cpu/jit/x86_64/x86_64_encoder.h"

using namespace emu::jit;

namespace {

// The permission string ("r-xs") of the mapping holding `p`, from /proc/self/maps.
std::string permissions_of(const void* p) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  const auto a = reinterpret_cast<uintptr_t>(p);
  while (std::getline(maps, line)) {
    unsigned long lo = 0, hi = 0;
    char perms[8] = {};
    if (std::sscanf(line.c_str(), "%lx-%lx %7s", &lo, &hi, perms) == 3 && a >= lo && a < hi) return perms;
  }
  return "";
}

}  // namespace

TEST_CASE("code cache: W^X views, running generated code, flush", "[jit][cache]") {
  CodeCache cache(1 << 20);
  REQUIRE(cache.ok());
  CHECK(cache.capacity() >= (1u << 20));
  uint8_t* w = cache.write_cursor();
  x64::Encoder e(w, cache.free_bytes());
  e.mov_ri(x64::RAX, 42);
  e.ret();
  const uint8_t* code = cache.commit(e.size());
  CHECK(cache.used() == 16);  // rounded up to the alignment
  CHECK(cache.writable(code) == w);
  CHECK(cache.contains(code));
  CHECK_FALSE(cache.contains(w));

  const std::string rx = permissions_of(code), rw = permissions_of(w);
  CHECK(rx.substr(0, 3) == "r-x");
  CHECK(rw.substr(0, 3) == "rw-");

  int (*fn)();
  std::memcpy(&fn, &code, sizeof fn);
  CHECK(fn() == 42);
  // Patching through the RW view changes what runs.
  w[1] = 7;
  CHECK(fn() == 7);

  const uint64_t gen = cache.generation();
  cache.flush();
  CHECK(cache.used() == 0);
  CHECK(cache.generation() == gen + 1);
  CHECK(cache.write_cursor() == w);
}

TEST_CASE("code cache: sizes (tb-size) and what a large one costs", "[jit][cache]") {
  CHECK(CodeCache(0).capacity() == CodeCache::kDefaultCapacity);
  CHECK(CodeCache(1).capacity() == 0x10000);  // rounded up to 64 KiB
  CHECK(CodeCache(size_t{64} << 20).capacity() == size_t{64} << 20);
  CHECK(CodeCache(CodeCache::kMaxCapacity + 1).capacity() == CodeCache::kMaxCapacity);
  // Only written pages take memory: the default 1 GiB cache with 1 MiB of code in it
  // adds about 1 MiB to the process's resident set.
  auto resident_kib = [] {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
      if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return -1L;
  };
  const long before = resident_kib();
  CodeCache cache(0);
  REQUIRE(cache.ok());
  std::memset(cache.write_cursor(), 0xcc, 1 << 20);
  cache.commit(1 << 20);
  const long grown = resident_kib() - before;
  CHECK(grown >= 1000);
  CHECK(grown < 8 * 1024);
}
