// Unit tests of the native runner: known snippets run on the host CPU, results checked
// against values worked out by hand from the Intel manual.
#include <catch2/catch.hpp>

#include "tests/diff/harness/native_runner.h"

using namespace emu::diff;

TEST_CASE("native runner: layout constants are consistent", "[native]") {
  auto stub = exit_stub_bytes(3);
  REQUIRE(stub.size() == kExitStubSize);
  CHECK(stub[0] == 0xE9);
  // jmp rel32 from the end of the stub (kCodeBase + 3 + 5) lands on kExitLanding.
  CHECK(kCodeBase + 3 + 5 + emu::load_le32(stub.data() + 1) == kExitLanding);
  CHECK(accessible_data_size(1) == 4096);
  CHECK(accessible_data_size(4096) == 4096);
  CHECK(accessible_data_size(0) == 0);
}
