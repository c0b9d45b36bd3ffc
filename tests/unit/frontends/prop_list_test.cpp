// Unit tests for QEMU's key=value,... option syntax with ",," escaping.
#include <catch2/catch.hpp>

#include "frontends/prop_list.h"

using emu::frontend::parse_prop_list;
using emu::frontend::PropList;

TEST_CASE("property lists: implied first key, later keys override earlier ones") {
  PropList p;
  std::string error;
  REQUIRE(parse_prop_list("user,id=n0,hostfwd=tcp::2222-:22,id=n1", "type", &p, &error));
  REQUIRE(p.items.size() == 4);
  CHECK(p.items[0] == std::make_pair(std::string("type"), std::string("user")));
  CHECK(*p.find("hostfwd") == "tcp::2222-:22");
  CHECK(*p.find("id") == "n1");
  CHECK(p.find("model") == nullptr);
}

TEST_CASE("property lists: ',,' is a comma inside a value") {
  PropList p;
  std::string error;
  REQUIRE(parse_prop_list("file=a,,b.img,format=raw", "", &p, &error));
  REQUIRE(p.items.size() == 2);
  CHECK(*p.find("file") == "a,b.img");
  CHECK(*p.find("format") == "raw");
  REQUIRE(parse_prop_list("file=x,,,,y,,", "", &p, &error));
  CHECK(*p.find("file") == "x,,y,");
}

TEST_CASE("property lists: a bare word without an implied key is a flag set to on") {
  PropList p;
  std::string error;
  REQUIRE(parse_prop_list("file=x,readonly", "", &p, &error));
  CHECK(*p.find("readonly") == "on");
}

TEST_CASE("property lists: malformed text is reported") {
  PropList p;
  std::string error;
  CHECK_FALSE(parse_prop_list("=x", "", &p, &error));
  CHECK(error.find("missing property name") != std::string::npos);
  CHECK(parse_prop_list("a=1,,", "", &p, &error));  // ",," at the end is an escaped comma
  CHECK(*p.find("a") == "1,");
  CHECK_FALSE(parse_prop_list("a=1,", "", &p, &error));
  CHECK(error.find("trailing comma") != std::string::npos);
  CHECK(parse_prop_list("a=1,,,b", "", &p, &error));
  CHECK(*p.find("b") == "on");
}

TEST_CASE("property lists: unknown keys are found against an allowed list") {
  PropList p;
  std::string error;
  REQUIRE(parse_prop_list("file=x,cache=none", "", &p, &error));
  static const char* const kAllowed[] = {"file", "format", nullptr};
  REQUIRE(p.first_unknown(kAllowed) != nullptr);
  CHECK(*p.first_unknown(kAllowed) == "cache");
}
