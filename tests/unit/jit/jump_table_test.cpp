// The JIT's jump table (cpu/jit/jump_table.h) on its own: INVLPG drops exactly the
// page's entries (slots chained per page bucket, also after slots were refilled for
// other pages), a CR3 write drops the non-global entries and keeps the global ones
// (moving the epoch when its list overflowed), and a full invalidation drops all; slots
// made stale by a CR3 write or an epoch move still name their translation (for the
// engine to revalidate), those cleared by INVLPG, forget() or clear() do not.
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
    t->insert(rip, 64, code_for(rip), 0x1000, rng() & 1);
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
  t->insert(kernel, 64, code_for(kernel), 0x1000, true);
  t->insert(user, 64, code_for(user), 0x1000, false);
  t->invalidate_nonglobal();
  CHECK(t->find(kernel, 64) == code_for(kernel));
  CHECK(t->find(user, 64) == nullptr);
  // A slot refilled with a global entry after a non-global one keeps it.
  t->insert(user, 64, code_for(user), 0x1000, false);
  t->insert(user, 64, code_for(user), 0x1000, true);
  t->invalidate_nonglobal();
  CHECK(t->find(user, 64) == code_for(user));
  // More non-global fills than the list holds: everything goes (the epoch moves).
  for (unsigned k = 0; k <= JumpTable::kMaxNonGlobal; ++k) t->insert(0x500000 + k * 3, 64, code_for(k), 0x1000, false);
  t->invalidate_nonglobal();
  CHECK(t->find(kernel, 64) == nullptr);
  CHECK(t->find(0x500000, 64) == nullptr);
  // After that the list starts empty again.
  t->insert(kernel, 64, code_for(kernel), 0x1000, true);
  t->insert(user, 64, code_for(user), 0x1000, false);
  t->invalidate_nonglobal();
  CHECK(t->find(kernel, 64) == code_for(kernel));
  CHECK(t->find(user, 64) == nullptr);
  t->invalidate_all();
  CHECK(t->find(kernel, 64) == nullptr);
}

TEST_CASE("jump table: stale slots keep their block's page for revalidation, cleared ones do not", "[jit][jump_table]") {
  auto t = std::make_unique<JumpTable>();
  const uint64_t kernel = 0xffffffff81001000ull, user = 0x401000, other = 0x402000, crossing = 0x403ff8;
  t->insert(kernel, 64, code_for(kernel), 0x3000, true);
  t->insert(user, 64, code_for(user), 0x1000, false);
  t->insert(other, 64, code_for(other), 0x2000, false);
  t->insert(crossing, 64, code_for(crossing), JumpTable::kNoPage, false);
  uint64_t page = 0;
  CHECK(t->stale_find(user, 64, &page) == nullptr);  // current: the probe finds it
  t->invalidate_nonglobal();
  CHECK(t->find(user, 64) == nullptr);
  CHECK(t->stale_find(user, 64, &page) == code_for(user));
  CHECK(page == 0x1000);
  CHECK(t->stale_find(user, 32, &page) == nullptr);      // another mode
  CHECK(t->stale_find(user + 1, 64, &page) == nullptr);  // another RIP
  CHECK(t->stale_find(kernel, 64, &page) == nullptr);    // still current
  CHECK(t->stale_find(crossing, 64, &page) == nullptr);  // two pages: never revalidated
  // Re-inserting (the engine found the mapping unchanged) makes it current again.
  t->insert(user, 64, code_for(user), 0x1000, false);
  CHECK(t->find(user, 64) == code_for(user));
  // A full TLB flush makes everything stale, global entries too.
  t->invalidate_all();
  CHECK(t->stale_find(kernel, 64, &page) == code_for(kernel));
  CHECK(page == 0x3000);
  CHECK(t->stale_find(user, 64, &page) == code_for(user));
  // INVLPG and a dropped translation clear their slots for good.
  t->invalidate_page(user & ~uint64_t{0xfff});
  CHECK(t->stale_find(user, 64, &page) == nullptr);
  t->forget(other, code_for(other));
  CHECK(t->stale_find(other, 64, &page) == nullptr);
  // A code-cache flush clears everything.
  t->clear();
  CHECK(t->stale_find(kernel, 64, &page) == nullptr);
  CHECK(t->find(kernel, 64) == nullptr);
}
