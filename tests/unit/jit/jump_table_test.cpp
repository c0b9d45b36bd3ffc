// The JIT's jump table (cpu/jit/jump_table.h) on its own: INVLPG drops exactly the
// page's entries (slots chained per page bucket, also after slots were refilled for
// other pages), a CR3 write drops the non-global entries and keeps the global ones
// (moving the epoch when its list overflowed), and a full invalidation drops all.
#include <catch2/catch.hpp>

#include <memory>
#include <random>
#include <vector>

#include "cpu/jit/jump_table.h"

using emu::jit::JumpTable;

namespace {

const uint8_t* code_for(uint64_t rip) { return reinterpret_cast<const uint8_t*>(rip * 16 + 16); }

}  // namespace

TEST_CASE("jump table: INVLPG drops exactly the page's entries, refilled slots included", "[jit][jump_table]") {
  auto t = std::make_unique<JumpTable>();
  std::mt19937_64 rng(5);
  std::vector<uint64_t> rips;
  // Pages that share buckets and slots: many RIPs in few pages, inserted in random order.
  for (int k = 0; k < 20000; ++k) {
    const uint64_t rip = 0xffffffff81000000ull + (rng() % 64) * 0x1000 + (rng() % 0x1000);
    t->insert(rip, 64, code_for(rip), rng() & 1);
    rips.push_back(rip);
  }
  const uint64_t page = 0xffffffff81000000ull + 17 * 0x1000;
  t->invalidate_page(page);
  for (uint64_t rip : rips) {
    const uint8_t* found = t->find(rip, 64);
    if ((rip & ~uint64_t{0xfff}) == page) CHECK(found == nullptr);
    else if (found) CHECK(found == code_for(rip));
  }
  // The entries of other pages still in the table are all still there.
  unsigned kept = 0;
  for (const auto& e : t->entries)
    if (e.code && (e.rip & ~uint64_t{0xfff}) != page) ++kept;
  unsigned found_others = 0;
  for (const auto& e : t->entries)
    if (e.code && t->find(e.rip, 64) == e.code) ++found_others;
  CHECK(kept > 1000);
  CHECK(found_others == kept);
}

TEST_CASE("jump table: a CR3 write keeps global entries and drops the others", "[jit][jump_table]") {
  auto t = std::make_unique<JumpTable>();
  const uint64_t kernel = 0xffffffff81001000ull, user = 0x401000;
  t->insert(kernel, 64, code_for(kernel), true);
  t->insert(user, 64, code_for(user), false);
  t->invalidate_nonglobal();
  CHECK(t->find(kernel, 64) == code_for(kernel));
  CHECK(t->find(user, 64) == nullptr);
  // A slot refilled with a global entry after a non-global one keeps it.
  t->insert(user, 64, code_for(user), false);
  t->insert(user, 64, code_for(user), true);
  t->invalidate_nonglobal();
  CHECK(t->find(user, 64) == code_for(user));
  // More non-global fills than the list holds: everything goes (the epoch moves).
  for (unsigned k = 0; k <= JumpTable::kMaxNonGlobal; ++k) t->insert(0x500000 + k * 3, 64, code_for(k), false);
  t->invalidate_nonglobal();
  CHECK(t->find(kernel, 64) == nullptr);
  CHECK(t->find(0x500000, 64) == nullptr);
  // After that the list starts empty again.
  t->insert(kernel, 64, code_for(kernel), true);
  t->insert(user, 64, code_for(user), false);
  t->invalidate_nonglobal();
  CHECK(t->find(kernel, 64) == code_for(kernel));
  CHECK(t->find(user, 64) == nullptr);
  t->invalidate_all();
  CHECK(t->find(kernel, 64) == nullptr);
}
