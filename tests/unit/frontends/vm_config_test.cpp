// Unit tests for the xl-style VM config reader: a complete file, syntax details, each
// error with its file:line, and the command line overriding the file.
#include <catch2/catch.hpp>

#include "frontends/vm_config.h"
#include "test_files.h"

using namespace emu::frontend;

namespace {

// Applies text as "busybox.cfg" with no base directory; returns the error or "".
std::string config_error(const std::string& text) {
  EmuOptions o;
  try {
    apply_vm_config_text(text, "busybox.cfg", "", o);
  } catch (const OptionError& e) {
    return e.message;
  }
  return "";
}

}  // namespace

TEST_CASE("a complete xl config maps onto the options, paths relative to the file") {
  TestDir dir;
  dir.subdir("vm");
  std::string kernel = dir.file("vm/vmlinuz"), initrd = dir.file("vm/initrd.img"), disk = dir.file("vm/busybox.img");
  std::string iso = dir.file("cd.iso");
  std::string cfg = dir.file("vm/busybox.cfg",
                             "# busybox test guest\n"
                             "name = \"busybox\"\n"
                             "type = 'pvh'\n"
                             "kernel = \"vmlinuz\"        # relative to this file\n"
                             "ramdisk = 'initrd.img'\n"
                             "extra = \"console=ttyS0 quiet\"\n"
                             "root = '/dev/sda'\n"
                             "memory = 512\n"
                             "vcpus = 1; on_poweroff = 'destroy'\n"
                             "on_reboot = \"destroy\"\n"
                             "disk = [ 'file:busybox.img,hda,w' ,\n"
                             "         'format=raw, vdev=hdc, access=ro, devtype=cdrom, target=" + iso + "', ]\n"
                             "vif = [ 'model=e1000,mac=52:54:00:12:34:56' ]\n");
  ParseResult r = parse({"-config", cfg});
  INFO(r.text);
  REQUIRE(r.action == ParseResult::Action::Run);
  const EmuOptions& o = r.options;
  CHECK(o.name == "busybox");
  CHECK(o.kernel == kernel);
  CHECK(o.initrd == initrd);
  CHECK(o.append == "root=/dev/sda console=ttyS0 quiet");
  CHECK(o.memory_bytes == 512 * kMiB);
  CHECK(o.smp == 1);
  CHECK(o.no_reboot);
  REQUIRE(o.drives.size() == 2);
  CHECK(o.drives[0].file == disk);
  CHECK(o.drives[0].index == 0);
  CHECK_FALSE(o.drives[0].readonly);
  CHECK(o.drives[0].origin == cfg + ":11");
  CHECK(o.drives[1].file == iso);
  CHECK(o.drives[1].index == 2);
  CHECK(o.drives[1].media == DriveMedia::Cdrom);
  CHECK(o.drives[1].origin == cfg + ":12");
  REQUIRE(o.nics.size() == 1);
  CHECK(*o.nics[0].props.find("model") == "e1000");
  REQUIRE(o.config_files.size() == 1);
}

TEST_CASE("cmdline replaces root and extra; escapes and hex numbers in values") {
  EmuOptions o;
  apply_vm_config_text("extra = 'a'\ncmdline = \"console=ttyS0 x=\\\"y\\\"\"\nmemory = 0x40\n", "t.cfg", "", o);
  CHECK(o.append == "console=ttyS0 x=\"y\"");
  CHECK(o.memory_bytes == 64 * kMiB);
}

TEST_CASE("config syntax errors name the file and line") {
  CHECK(config_error("name = 'x'\n\nmemory 512\n") == "busybox.cfg:3: expected '=' after 'memory'");
  CHECK(config_error("name = 'x\n") == "busybox.cfg:1: unterminated string (missing ')");
  CHECK(config_error("kernel =\n") == "busybox.cfg:1: expected a value after 'kernel ='");
  CHECK(config_error("memory = 512 MB\n") == "busybox.cfg:1: unexpected 'M' after the value of 'memory'");
  CHECK(config_error("= 5\n") == "busybox.cfg:1: expected a setting name, found '='");
  CHECK(config_error("disk = [ 'a,hda'\n") == "busybox.cfg:2: unterminated list for 'disk' (missing ])");
  CHECK(config_error("disk = [ 'a,hda' 'b,hdb' ]\n") == "busybox.cfg:1: expected ',' or ']' in the list for 'disk'");
  CHECK(config_error("name = \"a\\qb\"\n") == "busybox.cfg:1: unknown escape '\\q' in string");
  CHECK(config_error("memory = 12ab\n") == "busybox.cfg:1: invalid number '12ab'");
  CHECK(config_error("memory = 256\n# again\nmemory = 512\n") == "busybox.cfg:3: 'memory' is set twice (first on line 1)");
}

TEST_CASE("config value errors name the file and line") {
  CHECK(config_error("colour = 'blue'\n") == "busybox.cfg:1: unknown setting 'colour'");
  CHECK(config_error("\nmemory = 'lots'\n") == "busybox.cfg:2: 'memory' = 'lots' is not a number (of MiB)");
  CHECK(config_error("memory = 8\n") == "busybox.cfg:1: memory: invalid memory size '8' (must be 16 MiB to 64 GiB)");
  CHECK(config_error("memory = [ 512 ]\n") == "busybox.cfg:1: 'memory' takes a single value, not a list");
  CHECK(config_error("name = 5\n") == "busybox.cfg:1: 'name' takes a quoted string");
  CHECK(config_error("vcpus = 0\n") == "busybox.cfg:1: 'vcpus' must be at least 1");
  CHECK(config_error("on_poweroff = 'explode'\n") ==
        "busybox.cfg:1: unknown action 'explode' for on_poweroff (destroy, restart, preserve, ...)");
  CHECK(config_error("disk = 'a.img,hda'\n") == "busybox.cfg:1: 'disk' takes a list: disk = [ '...' ]");
  CHECK(config_error("disk = [\n  'a.img,hda,w',\n  'b.img'\n]\n") == "busybox.cfg:3: disk: missing vdev (e.g. hda) in 'b.img'");
  CHECK(config_error("disk = [ 'a.img,,hda', 'b.img,,hda' ]\n") ==
        "busybox.cfg:1: drive index 0 of if=ide is already used by busybox.cfg:1");
  CHECK(config_error("vif = [ 'bridge=br0,colour=red' ]\n") ==
        "busybox.cfg:1: vif: unknown vif property 'colour' (model, mac, bridge, type, ip)");
  CHECK(config_error("vif = [ 'model=pcnet' ]\n") == "busybox.cfg:1: vif: unknown NIC model 'pcnet' (known: e1000, ne2k_pci)");
  CHECK(config_error("vnc = 1\n") == "busybox.cfg:1: vnc: a VNC display is not supported (use sdl = 1)");
  CHECK(config_error("kernel = '/nonexistent/vmlinuz'\n") ==
        "busybox.cfg:1: kernel: cannot open '/nonexistent/vmlinuz': No such file or directory");
}

TEST_CASE("disk files named by a config are checked with the config's file:line") {
  TestDir dir;
  std::string cfg = dir.file("vm.cfg", "memory = 64\ndisk = [ 'missing.img,,hda' ]\n");
  ParseResult r = parse({"-config", cfg});
  REQUIRE(r.action == ParseResult::Action::Error);
  CHECK(r.exit_code == 2);
  CHECK(r.text == "emu: " + cfg + ":2: cannot open '" + dir.path() + "/missing.img': No such file or directory");
}

TEST_CASE("the command line overrides the config file, wherever -config appears") {
  TestDir dir;
  std::string a = dir.file("a.img"), b = dir.file("b.img"), k1 = dir.file("k1"), k2 = dir.file("k2");
  std::string cfg = dir.file("vm.cfg",
                             "kernel = 'k1'\nmemory = 256\nvcpus = 1\ndisk = [ 'a.img,,hda', 'a.img,,hdb,r' ]\n"
                             "serial = 'null'\non_reboot = 'destroy'\nextra = 'from-config'\n");
  ParseResult r = parse({"-m", "1G", "-config", cfg, "-kernel", k2, "-hda", b, "-serial", "stdio", "-append", "cli"});
  INFO(r.text);
  REQUIRE(r.action == ParseResult::Action::Run);
  const EmuOptions& o = r.options;
  CHECK(o.memory_bytes == kGiB);  // -m before -config still wins
  CHECK(o.kernel == k2);
  CHECK(o.append == "cli");
  CHECK(o.no_reboot);  // from the file, not overridden
  REQUIRE(o.drives.size() == 2);
  CHECK(o.drives[0].file == b);  // -hda replaced the file's hda
  CHECK(o.drives[0].origin == "-hda");
  CHECK(o.drives[1].file == a);
  CHECK(o.drives[1].readonly);
  REQUIRE(o.serials.size() == 1);
  CHECK(o.serials[0].kind == CharDevSpec::Kind::Stdio);
  // -nographic overrides the file's sdl = 1.
  std::string sdl_cfg = dir.file("sdl.cfg", "sdl = 1\n");
  r = parse({"-config", sdl_cfg, "-nographic"});
  REQUIRE(r.action == ParseResult::Action::Run);
  CHECK(r.options.nographic);
  // Without command-line overrides the file's values stand.
  r = parse({"-config", cfg});
  REQUIRE(r.action == ParseResult::Action::Run);
  CHECK(r.options.memory_bytes == 256 * kMiB);
  CHECK(r.options.kernel == k1);
  CHECK(r.options.serials.at(0).kind == CharDevSpec::Kind::Null);
}
