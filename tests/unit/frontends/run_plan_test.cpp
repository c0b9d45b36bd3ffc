// Unit tests for defaults, the not-yet-supported checks, and the run summary.
#include <catch2/catch.hpp>

#include "cpu/cpu.h"
#include "frontends/run_plan.h"
#include "test_files.h"

using namespace emu::frontend;

namespace {

EmuOptions run_options(std::vector<std::string> args) {
  ParseResult r = parse(std::move(args));
  INFO(r.text);
  REQUIRE(r.action == ParseResult::Action::Run);
  return r.options;
}

std::string unsupported(std::vector<std::string> args) {
  EmuOptions o = run_options(std::move(args));
  apply_defaults(o, false);
  auto what = first_unsupported_feature(o);
  return what ? *what : "";
}

}  // namespace

TEST_CASE("headless defaults: no window means display none and COM1 on the terminal") {
  EmuOptions o = run_options({});
  apply_defaults(o, false);
  CHECK(o.display == DisplayKind::None);
  REQUIRE(o.serials.size() == 1);
  CHECK(o.serials[0].kind == CharDevSpec::Kind::Stdio);
  CHECK(o.serials[0].mux_monitor);

  o = run_options({"-nographic"});
  apply_defaults(o, true);
  CHECK(o.display == DisplayKind::None);
  CHECK(o.serials.at(0).mux_monitor);

  o = run_options({});
  apply_defaults(o, true);
  CHECK(o.display == DisplayKind::Sdl);
  CHECK(o.serials.at(0).kind == CharDevSpec::Kind::Vc);

  o = run_options({"-serial", "none", "-nographic"});
  apply_defaults(o, false);
  REQUIRE(o.serials.size() == 1);
  CHECK(o.serials[0].kind == CharDevSpec::Kind::None);
}

TEST_CASE("features not built yet are named, never ignored") {
  CHECK(unsupported({}) == "");
  CHECK(unsupported({"-m", "1G", "-no-reboot", "-serial", "stdio", "-accel", "interp", "-nic", "none"}) == "");
  CHECK(unsupported({"-smp", "2"}) == "-smp 2 (more than one CPU): not supported yet");
  CHECK(unsupported({"-s"}) == "-gdb tcp::1234 (-s): not supported yet");
  CHECK(unsupported({"-S"}) == "-S: not supported yet");
  CHECK(unsupported({"-snapshot"}) == "");
  CHECK(unsupported({"-netdev", "user,id=n0"}) == "-netdev: not supported yet");
  CHECK(unsupported({"-nic", "user,model=e1000"}) == "-nic user: not supported yet");
  CHECK(unsupported({"-device", "isa-debug-exit"}) == "");
  CHECK(unsupported({"-device", "e1000"}) == "-device e1000: not supported yet");
  CHECK(unsupported({"-serial", "pty"}) == "-serial pty: not supported yet");
  CHECK(unsupported({"-debugcon", "stdio"}) == "");
  CHECK(unsupported({"-debugcon", "pty"}) == "-debugcon pty: not supported yet");
  CHECK(unsupported({"-accel", "jit"}) == (emu::Cpu::jit_available() ? "" : "-accel jit on this host (no JIT backend): not supported yet"));
  CHECK(unsupported({"-M", "q35"}) == "-machine q35: not supported yet");
  CHECK(unsupported({"-drive", "media=cdrom,if=scsi"}) == "-drive if=scsi: not supported yet");
  {
    TestDir dir;
    CHECK(unsupported({"-hda", dir.file("disk.img")}) == "");
  }
  if (sdl_compiled_in())
    CHECK(unsupported({"-display", "sdl"}) == "-display sdl: not supported yet");
  else
    CHECK(unsupported({"-display", "sdl"}) == "-display sdl: this build has no SDL2 support");
}

TEST_CASE("the run summary names what was asked for") {
  TestDir dir;
  std::string k = dir.file("vmlinuz"), disk = dir.file("disk.img");
  EmuOptions o = run_options({"-m", "512", "-kernel", k, "-append", "console=ttyS0", "-hda", disk, "-no-reboot",
                              "-d", "int", "-name", "bb"});
  apply_defaults(o, false);
  std::string s = describe_run(o);
  for (const std::string& part : {std::string("512 MiB"), k, std::string("console=ttyS0"), disk,
                                  std::string("primary master"), std::string("exit instead of rebooting"),
                                  std::string(" int "), std::string("'bb'"), std::string("COM1")})
    CHECK(s.find(part) != std::string::npos);
}
