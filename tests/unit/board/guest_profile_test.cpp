// The -d profile histogram (devices/guest_profile.h): counts, order, clearing.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "base/log.h"
#include "devices/guest_profile.h"

using namespace emu;

namespace {

std::string read_all(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("guest profile: samples are printed by descending count, then cleared") {
  char path[] = "/tmp/emu-profile-test-XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  REQUIRE(set_log_file(path));
  GuestProfile p(20000);
  for (int i = 0; i < 3; i++) p.sample(0xffffffff81000010);
  p.sample(0x401000);
  p.print_and_clear("stop");
  p.sample(0x401000);
  p.print_and_clear("signal");
  const std::string log = read_all(path);
  CHECK(log.find("profile: stop: 4 samples of 20000 guest instructions, 2 addresses\n"
                 "profile: ffffffff81000010 3\n"
                 "profile: 0000000000401000 1\n"
                 "profile: end\n") != std::string::npos);
  CHECK(log.find("profile: signal: 1 samples of 20000 guest instructions, 1 addresses\n"
                 "profile: 0000000000401000 1\n"
                 "profile: end\n") != std::string::npos);
  unlink(path);
}
