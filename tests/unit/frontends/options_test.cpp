// Unit tests for the emu command-line parser: values, QEMU mappings, and every error
// path with its one-line message and exit status 2.
#include <catch2/catch.hpp>

#include "base/log.h"
#include "frontends/options.h"
#include "test_files.h"

using namespace emu::frontend;
using Action = ParseResult::Action;

namespace {

void require_error(const ParseResult& r, const std::string& message) {
  INFO("message: " << r.text);
  REQUIRE(r.action == Action::Error);
  CHECK(r.exit_code == 2);
  CHECK(r.text == message);
  CHECK(r.text.find('\n') == std::string::npos);
}

EmuOptions require_run(const ParseResult& r) {
  INFO("message: " << r.text);
  REQUIRE(r.action == Action::Run);
  return r.options;
}

}  // namespace

TEST_CASE("no arguments gives the defaults") {
  EmuOptions o = require_run(parse({}));
  CHECK(o.memory_bytes == 512 * kMiB);
  CHECK(o.smp == 1);
  CHECK(o.accel == Accel::Auto);
  CHECK(o.drives.empty());
  CHECK(o.display == DisplayKind::Default);
  CHECK_FALSE(o.no_reboot);
}

TEST_CASE("-m accepts MiB by default, suffixes and size=") {
  CHECK(require_run(parse({"-m", "512"})).memory_bytes == 512 * kMiB);
  CHECK(require_run(parse({"-m", "512M"})).memory_bytes == 512 * kMiB);
  CHECK(require_run(parse({"--m", "1G"})).memory_bytes == kGiB);
  CHECK(require_run(parse({"-m", "size=768M"})).memory_bytes == 768 * kMiB);
  CHECK(require_run(parse({"-m", "16"})).memory_bytes == 16 * kMiB);
  CHECK(require_run(parse({"-m", "64G"})).memory_bytes == 64 * kGiB);
  CHECK(require_run(parse({"-m", "65536k"})).memory_bytes == 64 * kMiB);
  // The last -m wins, as in QEMU.
  CHECK(require_run(parse({"-m", "256", "-m", "1G"})).memory_bytes == kGiB);
}

TEST_CASE("-m rejects bad and out-of-range sizes") {
  require_error(parse({"-m", "banana"}), "emu: -m: invalid memory size 'banana'");
  require_error(parse({"-m", "0"}), "emu: -m: invalid memory size '0' (must be 16 MiB to 64 GiB)");
  require_error(parse({"-m", "15"}), "emu: -m: invalid memory size '15' (must be 16 MiB to 64 GiB)");
  require_error(parse({"-m", "1T"}), "emu: -m: invalid memory size '1T' (must be 16 MiB to 64 GiB)");
  require_error(parse({"-m", "65537M"}), "emu: -m: invalid memory size '65537M' (must be 16 MiB to 64 GiB)");
  require_error(parse({"-m", "99999999999999999999"}), "emu: -m: invalid memory size '99999999999999999999'");
  require_error(parse({"-m", "512,slots=2"}), "emu: -m: unknown property 'slots'");
  require_error(parse({"-m"}), "emu: -m: missing argument");
}

TEST_CASE("-smp takes a count or cpus= and a topology") {
  CHECK(require_run(parse({"-smp", "2"})).smp == 2);
  CHECK(require_run(parse({"-smp", "cpus=4"})).smp == 4);
  EmuOptions o = require_run(parse({"-smp", "sockets=2,cores=2,threads=1"}));
  CHECK(o.smp == 4);
  CHECK(o.max_cpus == 4);
  o = require_run(parse({"-smp", "2,maxcpus=8"}));
  CHECK(o.smp == 2);
  CHECK(o.max_cpus == 8);
  require_error(parse({"-smp", "0"}), "emu: -smp: cpus='0' is not a number in 1..255");
  require_error(parse({"-smp", "two"}), "emu: -smp: cpus='two' is not a number in 1..255");
  require_error(parse({"-smp", "256"}), "emu: -smp: cpus='256' is not a number in 1..255");
  require_error(parse({"-smp", "4,maxcpus=2"}), "emu: -smp: maxcpus=2 is less than cpus=4");
  require_error(parse({"-smp", "2,dies=2"}), "emu: -smp: unknown property 'dies'");
}

TEST_CASE("-hda..-hdd and -cdrom map to IDE indexes 0..3 as in QEMU") {
  TestDir dir;
  std::string a = dir.file("a.img"), b = dir.file("b.img"), c = dir.file("c.iso"), d = dir.file("d.img");
  EmuOptions o = require_run(parse({"-hdd", d, "-hda", a, "-hdb", b, "-cdrom", c}));
  REQUIRE(o.drives.size() == 4);
  auto at = [&](int index) -> const DriveOptions& {
    for (const auto& drive : o.drives)
      if (drive.index == index) return drive;
    FAIL("no drive at index " << index);
    return o.drives.front();
  };
  CHECK(at(0).file == a);
  CHECK(at(1).file == b);
  CHECK(at(2).file == c);
  CHECK(at(2).media == DriveMedia::Cdrom);
  CHECK(at(2).readonly);
  CHECK(at(3).file == d);
  CHECK(at(3).media == DriveMedia::Disk);
  CHECK_FALSE(at(3).readonly);
  for (const auto& drive : o.drives) CHECK(drive.interface == DriveInterface::Ide);
}

TEST_CASE("-hdc and -cdrom both want index 2") {
  TestDir dir;
  std::string c = dir.file("c.img"), iso = dir.file("x.iso");
  require_error(parse({"-hdc", c, "-cdrom", iso}), "emu: -cdrom: drive index 2 of if=ide is already used by -hdc");
}

TEST_CASE("a bare argument is the -hda image") {
  TestDir dir;
  std::string a = dir.file("disk.img");
  EmuOptions o = require_run(parse({a, "-m", "64"}));
  REQUIRE(o.drives.size() == 1);
  CHECK(o.drives[0].file == a);
  CHECK(o.drives[0].index == 0);
}

TEST_CASE("-drive properties, with ',,' escaping a comma in the file name") {
  TestDir dir;
  std::string odd = dir.file("odd,name.img");
  std::string escaped = dir.path() + "/odd,,name.img";
  EmuOptions o = require_run(
      parse({"-drive", "file=" + escaped + ",format=raw,if=ide,index=3,media=disk,readonly=on,snapshot=off,id=d0"}));
  REQUIRE(o.drives.size() == 1);
  const DriveOptions& d = o.drives[0];
  CHECK(d.file == odd);
  CHECK(d.format == "raw");
  CHECK(d.interface == DriveInterface::Ide);
  CHECK(d.index == 3);
  CHECK(d.media == DriveMedia::Disk);
  CHECK(d.readonly);
  CHECK_FALSE(d.snapshot);
  CHECK(d.id == "d0");
  CHECK(d.origin == "-drive");
}

TEST_CASE("-drive without index takes the first free slot; bus/unit compute it") {
  TestDir dir;
  std::string a = dir.file("a.img"), b = dir.file("b.img"), c = dir.file("c.img");
  EmuOptions o = require_run(parse({"-hda", a, "-drive", "file=" + b, "-drive", "file=" + c + ",bus=1,unit=1"}));
  REQUIRE(o.drives.size() == 3);
  CHECK(o.drives[1].index == 1);
  CHECK(o.drives[2].index == 3);
  // An empty CD-ROM drive is allowed.
  o = require_run(parse({"-drive", "media=cdrom,index=2"}));
  CHECK(o.drives.at(0).file.empty());
}

TEST_CASE("-drive errors") {
  TestDir dir;
  std::string a = dir.file("a.img");
  require_error(parse({"-drive", "file=" + a + ",cache=none"}),
                "emu: -drive: unknown drive property 'cache' (known: file, format, if, index, bus, unit, media, "
                "readonly, snapshot, id)");
  require_error(parse({"-drive", "file=" + a + ",format=vmdk"}), "emu: -drive: unknown drive format 'vmdk' for '" + a + "' (known: raw, qcow2)");
  require_error(parse({"-drive", "file=" + a + ",if=sata"}),
                "emu: -drive: unknown drive interface if='sata' (known: ide, floppy, virtio, scsi, none)");
  require_error(parse({"-drive", "file=" + a + ",index=4"}), "emu: -drive: index=4 is out of range for if=ide (0..3)");
  require_error(parse({"-drive", "file=" + a + ",index=x"}), "emu: -drive: index='x' is not a number");
  require_error(parse({"-drive", "file=" + a + ",readonly=maybe"}), "emu: -drive: readonly='maybe' is not on or off");
  require_error(parse({"-drive", "file=" + a + ",media=tape"}), "emu: -drive: unknown media='tape' (use disk or cdrom)");
  require_error(parse({"-drive", "format=raw"}), "emu: -drive: missing file= (only a CD-ROM drive may be empty)");
  require_error(parse({"-drive", "file=" + a + ",index=0", "-hda", a}),
                "emu: -hda: drive index 0 of if=ide is already used by -drive");
  require_error(parse({"-hda", a, "-hdb", a, "-hdc", a, "-hdd", a, "-drive", "file=" + a}),
                "emu: -drive: no free if=ide drive slot left");
}

TEST_CASE("files must exist and be readable") {
  TestDir dir;
  std::string missing = dir.path() + "/nope";
  require_error(parse({"-kernel", missing}), "emu: -kernel: cannot open '" + missing + "': No such file or directory");
  require_error(parse({"-initrd", missing}), "emu: -initrd: cannot open '" + missing + "': No such file or directory");
  require_error(parse({"-bios", missing}), "emu: -bios: cannot open '" + missing + "': No such file or directory");
  require_error(parse({"-hda", missing}), "emu: -hda: cannot open '" + missing + "': No such file or directory");
  require_error(parse({"-cdrom", missing}), "emu: -cdrom: cannot open '" + missing + "': No such file or directory");
  require_error(parse({"-drive", "file=" + missing + ",readonly=on"}),
                "emu: -drive: cannot open '" + missing + "': No such file or directory");
  require_error(parse({"-config", missing}), "emu: -config: cannot open '" + missing + "': No such file or directory");
  std::string sub = dir.subdir("adir");
  require_error(parse({"-kernel", sub}), "emu: -kernel: cannot open '" + sub + "': Is a directory");
  if (::geteuid() != 0) {  // root may read anything
    std::string locked = dir.file("locked", "x", 0000);
    require_error(parse({"-kernel", locked}), "emu: -kernel: cannot open '" + locked + "': Permission denied");
  }
  // A file without write permission is a read-only image, also for root.
  std::string ro = dir.file("ro.img", "x", 0444);
  require_error(parse({"-hda", ro}), "emu: -hda: '" + ro + "' is read-only (add readonly=on to -drive, or use -snapshot)");
  require_error(parse({"-drive", "file=" + ro}),
                "emu: -drive: '" + ro + "' is read-only (add readonly=on to -drive, or use -snapshot)");
  // A read-only image is fine when the drive is read-only, a CD-ROM, or writes go to a snapshot.
  require_run(parse({"-drive", "file=" + ro + ",readonly=on"}));
  require_run(parse({"-hda", ro, "-snapshot"}));
  require_run(parse({"-drive", "file=" + ro + ",snapshot=on"}));
  require_run(parse({"-cdrom", ro}));
}

TEST_CASE("kernel boot options") {
  TestDir dir;
  std::string k = dir.file("vmlinuz"), i = dir.file("initrd.img"), b = dir.file("bios.bin");
  EmuOptions o = require_run(parse({"-kernel", k, "-initrd", i, "-append", "console=ttyS0 quiet", "-bios", b, "-no-reboot"}));
  CHECK(o.kernel == k);
  CHECK(o.initrd == i);
  CHECK(o.append == "console=ttyS0 quiet");
  CHECK(o.bios == b);
  CHECK(o.no_reboot);
  require_error(parse({"-initrd", i}), "emu: -initrd: only allowed together with -kernel");
  require_error(parse({"-append", "x"}), "emu: -append: only allowed together with -kernel");
}

TEST_CASE("-serial, -nographic, -display and -debugcon") {
  TestDir dir;
  EmuOptions o = require_run(parse({"-serial", "stdio", "-serial", "null", "-serial", "file:" + dir.path() + "/log",
                                    "-serial", "none", "-display", "none", "-nographic"}));
  REQUIRE(o.serials.size() == 4);
  CHECK(o.serials[0].kind == CharDevSpec::Kind::Stdio);
  CHECK_FALSE(o.serials[0].mux_monitor);
  CHECK(o.serials[1].kind == CharDevSpec::Kind::Null);
  CHECK(o.serials[2].kind == CharDevSpec::Kind::File);
  CHECK(o.serials[2].path == dir.path() + "/log");
  CHECK(o.serials[3].kind == CharDevSpec::Kind::None);
  CHECK(o.display == DisplayKind::None);
  CHECK(o.nographic);
  o = require_run(parse({"-serial", "mon:stdio", "-display", "sdl", "-debugcon", "file:dbg.txt"}));
  CHECK(o.serials.at(0).mux_monitor);
  CHECK(o.display == DisplayKind::Sdl);
  CHECK(o.debugcons.at(0).path == "dbg.txt");
  require_error(parse({"-serial", "a", "-serial", "b"}),
                "emu: -serial: unknown character device 'a' (use stdio, mon:stdio, null, none, vc, pty, file:PATH, "
                "tcp:HOST:PORT or unix:PATH)");
  require_error(parse({"-serial", "stdio", "-serial", "null", "-serial", "null", "-serial", "null", "-serial", "null"}),
                "emu: -serial: at most 4 serial ports (COM1..COM4)");
  require_error(parse({"-serial", "file:"}), "emu: -serial: missing file name in 'file:'");
  require_error(parse({"-serial", "tcp::99999"}), "emu: -serial: invalid port '99999' in 'tcp::99999'");
  require_error(parse({"-serial", "mon:null"}), "emu: -serial: mon: is only supported together with stdio, not 'mon:null'");
  require_error(parse({"-display", "gtk"}), "emu: -display: unknown display 'gtk' (use none or sdl)");
  require_error(parse({"-display", "sdl,gl=on"}), "emu: -display: unknown property 'gl'");
  require_error(parse({"-nographic", "-display", "sdl"}), "emu: -nographic: cannot be combined with -display sdl");
}

TEST_CASE("network options parse into name + properties") {
  EmuOptions o = require_run(parse({"-nic", "user,model=e1000", "-netdev", "user,id=n0,hostfwd=tcp::2222-:22",
                                    "-device", "e1000,netdev=n0,mac=52:54:00:12:34:56"}));
  REQUIRE(o.nics.size() == 1);
  CHECK(o.nics[0].name == "user");
  CHECK(*o.nics[0].props.find("model") == "e1000");
  REQUIRE(o.netdevs.size() == 1);
  CHECK(o.netdevs[0].name == "user");
  CHECK(*o.netdevs[0].props.find("id") == "n0");
  CHECK(*o.netdevs[0].props.find("hostfwd") == "tcp::2222-:22");
  REQUIRE(o.devices.size() == 1);
  CHECK(o.devices[0].name == "e1000");
  CHECK(*o.devices[0].props.find("netdev") == "n0");
  require_error(parse({"-netdev", "user"}), "emu: -netdev: missing id= in 'user'");
  require_error(parse({"-netdev", "slirp,id=a"}), "emu: -netdev: unknown network back end 'slirp' (use user, tap or bridge)");
  require_error(parse({"-netdev", "user,id=a", "-netdev", "user,id=a"}), "emu: -netdev: duplicate netdev id 'a'");
  require_error(parse({"-nic", "user,model=rtl9999"}), "emu: -nic: unknown NIC model 'rtl9999' (known: e1000, ne2k_pci)");
  require_error(parse({"-device", "e1000,netdev=nothere"}), "emu: -device: netdev 'nothere' is not defined by a -netdev");
  require_error(parse({"-device", "e1000,mac=52:54"}), "emu: -device: invalid mac='52:54' (expected 52:54:00:12:34:56 form)");
}

TEST_CASE("-device validates the driver and its properties") {
  EmuOptions o = require_run(parse({"-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"}));
  REQUIRE(o.devices.size() == 1);
  CHECK(o.devices[0].name == "isa-debug-exit");
  CHECK(*o.devices[0].props.find("iobase") == "0xf4");
  CHECK(*o.devices[0].props.find("iosize") == "0x04");
  require_error(parse({"-device", "floppy-thing"}), "emu: -device: unknown device 'floppy-thing' (-device help lists the known ones)");
  require_error(parse({"-device", "isa-debug-exit,iobase=0x10000"}), "emu: -device: iobase='0x10000' is not a number in 0..65535");
  require_error(parse({"-device", "isa-debug-exit,iosize=3"}), "emu: -device: iosize must be 1, 2 or 4");
  require_error(parse({"-device", "isa-debug-exit,port=1"}),
                "emu: -device: device 'isa-debug-exit' has no property 'port' (known: iobase, iosize, id)");
  o = require_run(parse({"-netdev", "id=n1,type=user", "-device", "netdev=n1,driver=ne2k_pci"}));
  CHECK(o.netdevs.at(0).name == "user");
  CHECK(o.devices.at(0).name == "ne2k_pci");
  require_error(parse({"-device", "netdev=n1"}), "emu: -device: missing driver in 'netdev=n1'");
  ParseResult help = parse({"-device", "help"});
  REQUIRE(help.action == Action::Exit);
  CHECK(help.exit_code == 0);
  CHECK(help.text.find("isa-debug-exit") != std::string::npos);
  CHECK(help.text.find("e1000") != std::string::npos);
}

TEST_CASE("-accel and -machine") {
  CHECK(require_run(parse({"-accel", "tcg"})).accel == Accel::Auto);
  CHECK(require_run(parse({"-accel", "interp"})).accel == Accel::Interp);
  CHECK(require_run(parse({"-accel", "jit"})).accel == Accel::Jit);
  CHECK(require_run(parse({"-machine", "pc,accel=interp"})).accel == Accel::Interp);
  CHECK(require_run(parse({"-machine", "type=pc-i440fx-7.2"})).machine_type == "pc");
  CHECK(require_run(parse({"-M", "q35"})).machine_type == "q35");
  require_error(parse({"-accel", "kvm"}), "emu: -accel: unknown accelerator 'kvm' (use interp, jit, auto or tcg)");
  require_error(parse({"-accel", "tcg,thread=multi"}), "emu: -accel: unknown property 'thread'");
  require_error(parse({"-machine", "virt"}), "emu: -machine: unknown machine type 'virt' (-machine help lists them)");
  require_error(parse({"-machine", "pc,usb=on"}), "emu: -machine: unknown property 'usb'");
}

TEST_CASE("-accel tb-size: the JIT's code cache in MiB, as QEMU's TCG spells it") {
  CHECK(require_run(parse({})).tb_size_mib == 0);  // the JIT's default
  EmuOptions o = require_run(parse({"-accel", "jit,tb-size=64"}));
  CHECK(o.accel == Accel::Jit);
  CHECK(o.tb_size_mib == 64);
  CHECK(require_run(parse({"-accel", "tcg,tb-size=2048"})).tb_size_mib == 2048);
  CHECK(require_run(parse({"-accel", "accel=auto,tb-size=0x10"})).tb_size_mib == 16);
  CHECK(require_run(parse({"-accel", "jit,tb-size=0"})).tb_size_mib == 0);
  // The last -accel wins, with or without its tb-size.
  CHECK(require_run(parse({"-accel", "jit,tb-size=64", "-accel", "jit"})).tb_size_mib == 0);
  const std::string range = " is not a code cache size in MiB (1..2048, 0 = default)";
  require_error(parse({"-accel", "jit,tb-size=2049"}), "emu: -accel: tb-size='2049'" + range);
  require_error(parse({"-accel", "jit,tb-size=64M"}), "emu: -accel: tb-size='64M'" + range);
  require_error(parse({"-accel", "jit,tb-size=-1"}), "emu: -accel: tb-size='-1'" + range);
  require_error(parse({"-accel", "jit,tb-size="}), "emu: -accel: tb-size=''" + range);
  require_error(parse({"-accel", "interp,tb-size=64"}),
                "emu: -accel: tb-size sizes the JIT's code cache: not with the interpreter");
  require_error(parse({"-accel", "tb-size=64"}),
                "emu: -accel: missing accelerator name in 'tb-size=64' (use interp, jit, auto or tcg)");
  require_error(parse({"-machine", "pc,tb-size=64"}), "emu: -machine: unknown property 'tb-size'");
}

TEST_CASE("debug options: -d, -D, -s, -gdb, -S") {
  EmuOptions o = require_run(parse({"-d", "int,unimp", "-D", "/tmp/emu.log", "-s", "-S"}));
  CHECK(o.log_mask == (static_cast<uint32_t>(emu::LogCategory::Int) | static_cast<uint32_t>(emu::LogCategory::Unimp)));
  CHECK(o.log_file == "/tmp/emu.log");
  CHECK(o.gdb == "tcp::1234");
  CHECK(o.start_paused);
  CHECK(require_run(parse({"-gdb", "tcp:localhost:4321"})).gdb == "tcp:localhost:4321");
  require_error(parse({"-d", "int,bogus"}), "emu: -d: unknown log item 'bogus' (-d help lists them)");
  require_error(parse({"-gdb", "stdio"}), "emu: -gdb: only tcp:[HOST]:PORT is supported, not 'stdio'");
  require_error(parse({"-gdb", "tcp::0"}), "emu: -gdb: invalid port '0' in 'tcp::0'");
  ParseResult help = parse({"-d", "help"});
  REQUIRE(help.action == Action::Exit);
  CHECK(help.exit_code == 0);
  size_t count = 0;
  const emu::LogCategoryName* names = emu::log_category_names(&count);
  REQUIRE(count > 0);
  for (size_t i = 0; i < count; ++i) CHECK(help.text.find(names[i].name) != std::string::npos);
}

TEST_CASE("-name, -snapshot and the other flags") {
  EmuOptions o = require_run(parse({"-name", "busybox", "-snapshot"}));
  CHECK(o.name == "busybox");
  CHECK(o.snapshot);
  CHECK(require_run(parse({"-name", "guest=a,,b"})).name == "a,b");
}

TEST_CASE("unknown options and missing arguments") {
  require_error(parse({"-foo"}), "emu: -foo: unknown option");
  require_error(parse({"--kernal", "x"}), "emu: --kernal: unknown option (did you mean -kernel?)");
  require_error(parse({"-nograhpic"}), "emu: -nograhpic: unknown option (did you mean -nographic?)");
  require_error(parse({"-kernel"}), "emu: -kernel: missing argument");
  require_error(parse({"--drive"}), "emu: -drive: missing argument");
  // Errors come before any later --help: arguments are read in order.
  require_error(parse({"-bogus", "--help"}), "emu: -bogus: unknown option");
}

TEST_CASE("--help and --version exit 0 with text for stdout") {
  for (const char* flag : {"--help", "-help", "-h"}) {
    ParseResult r = parse({flag});
    REQUIRE(r.action == Action::Exit);
    CHECK(r.exit_code == 0);
    CHECK(r.text.rfind("usage: emu", 0) == 0);
    CHECK(r.text.find("-accel") != std::string::npos);
    CHECK(r.text.find("tcg") != std::string::npos);
  }
  for (const char* flag : {"--version", "-version"}) {
    ParseResult r = parse({flag, "-m", "banana"});  // help/version win over later options
    REQUIRE(r.action == Action::Exit);
    CHECK(r.exit_code == 0);
    CHECK(r.text == std::string("emu ") + EMU_EXPECTED_VERSION + "\n");  // the CMake project version
  }
}
