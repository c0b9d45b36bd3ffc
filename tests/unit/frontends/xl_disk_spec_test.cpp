// Unit tests for xl disk specifications, using the equivalences xl-disk-configuration(5)
// documents.
#include <catch2/catch.hpp>

#include "frontends/xl_disk_spec.h"

using namespace emu::frontend;

namespace {

std::string spec_error(const char* spec) {
  try {
    parse_xl_disk_spec(spec, "vm.cfg:5");
  } catch (const OptionError& e) {
    return e.message;
  }
  return "";
}

void check_same(const DriveOptions& a, const DriveOptions& b) {
  CHECK(a.file == b.file);
  CHECK(a.index == b.index);
  CHECK(a.readonly == b.readonly);
  CHECK(a.media == b.media);
  CHECK((a.format.empty() ? "raw" : a.format) == (b.format.empty() ? "raw" : b.format));
}

}  // namespace

TEST_CASE("the documented equivalent disk spellings give the same drive") {
  DriveOptions disk = parse_xl_disk_spec("/dev/vg/guest-volume,,hda", "t");
  CHECK(disk.file == "/dev/vg/guest-volume");
  CHECK(disk.index == 0);
  CHECK_FALSE(disk.readonly);
  CHECK(disk.media == DriveMedia::Disk);
  CHECK(disk.from_config);
  check_same(disk, parse_xl_disk_spec("/dev/vg/guest-volume,raw,hda,rw", "t"));
  check_same(disk, parse_xl_disk_spec("format=raw, vdev=hda, access=rw, target=/dev/vg/guest-volume", "t"));
  check_same(disk, parse_xl_disk_spec("raw:/dev/vg/guest-volume,hda,w", "t"));

  DriveOptions cd = parse_xl_disk_spec("/root/image.iso,,hdc,cdrom", "t");
  CHECK(cd.index == 2);
  CHECK(cd.media == DriveMedia::Cdrom);
  CHECK(cd.readonly);
  check_same(cd, parse_xl_disk_spec("/root/image.iso,,hdc,,cdrom", "t"));
  check_same(cd, parse_xl_disk_spec("/root/image.iso,raw,hdc,devtype=cdrom", "t"));
  check_same(cd, parse_xl_disk_spec("format=raw, vdev=hdc, access=ro, devtype=cdrom, target=/root/image.iso", "t"));
  check_same(cd, parse_xl_disk_spec("raw:/root/image.iso,hdc:cdrom,ro", "t"));
}

TEST_CASE("legacy prefixes, xvd/sd names, qcow2 and a target with commas") {
  DriveOptions d = parse_xl_disk_spec("file:/img/busybox.img,hda,w", "t");
  CHECK(d.file == "/img/busybox.img");
  CHECK(d.index == 0);
  d = parse_xl_disk_spec("/img/busybox.img,hdb,r", "t");  // format left out: read as target,vdev,access
  CHECK(d.index == 1);
  CHECK(d.readonly);
  CHECK(d.format.empty());
  d = parse_xl_disk_spec("tap:qcow2:/img/x.qcow2,xvdb,r", "t");
  CHECK(d.format == "qcow2");
  CHECK(d.index == 1);
  CHECK(d.readonly);
  d = parse_xl_disk_spec("vdev=sdd,target=/odd,name.img", "t");
  CHECK(d.file == "/odd,name.img");
  CHECK(d.index == 3);
  d = parse_xl_disk_spec(",,hdc,cdrom", "t");  // an empty CD-ROM drive
  CHECK(d.file.empty());
  CHECK(d.media == DriveMedia::Cdrom);
}

TEST_CASE("bad disk specs are reported with the location") {
  CHECK(spec_error("a.img") == "vm.cfg:5: disk: missing vdev (e.g. hda) in 'a.img'");
  CHECK(spec_error("a.img,,hde") == "vm.cfg:5: disk: unsupported vdev 'hde' (use hda..hdd; xvda..xvdd and sda..sdd map to them)");
  CHECK(spec_error("a.img,vmdk,hda") == "vm.cfg:5: disk: unsupported format 'vmdk' (raw or qcow2)");
  CHECK(spec_error("a.img,,hda,rx") == "vm.cfg:5: disk: unknown access 'rx' (r, ro, w or rw)");
  CHECK(spec_error("a.img,,hda,w,extra") == "vm.cfg:5: disk: too many positional parameters at 'extra'");
  CHECK(spec_error("vdev=hda,vdev=hdb,target=a") == "vm.cfg:5: disk: vdev given twice");
  CHECK(spec_error("a.img,,hda,script=block-foo") == "vm.cfg:5: disk: unknown parameter 'script'");
  CHECK(spec_error(",,hda") == "vm.cfg:5: disk: missing target (the image file) in ',,hda'");
  CHECK(spec_error("a.img,,hda,devtype=tape") == "vm.cfg:5: disk: unknown devtype 'tape'");
}
