// Block backends: raw image read/write/flush, image locking, -snapshot leaving the
// image byte-identical, the emu overlay file format (writes land in the overlay, the
// base stays untouched, reopening reads back) and clear errors for bad files.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <functional>

#include "devices/block/cow_overlay.h"
#include "devices/block/drive_image.h"
#include "devices/block/raw_image.h"
#include "ide_rig.h"

using namespace emu;
using namespace emu::test;

namespace {
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const BlockError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("raw image: reads, writes reach the file, flush, bounds", "[block]") {
  TempFile f;
  f.write(pattern_image(64 * 1024));
  auto img = RawImage::open(f.path, false);
  REQUIRE(img->size_bytes() == 64 * 1024);
  REQUIRE_FALSE(img->read_only());
  std::vector<uint8_t> buf(1000);
  REQUIRE(img->read(5000, buf.data(), buf.size()));
  for (size_t i = 0; i < buf.size(); i++) REQUIRE(buf[i] == pattern_byte(5000 + i));
  std::vector<uint8_t> w(700, 0xA7);
  REQUIRE(img->write(12345, w.data(), w.size()));
  REQUIRE(img->flush());
  auto file = f.read();
  REQUIRE(file[12344] == pattern_byte(12344));
  REQUIRE(file[12345] == 0xA7);
  REQUIRE(file[12345 + 699] == 0xA7);
  REQUIRE(file[12345 + 700] == pattern_byte(12345 + 700));
  REQUIRE_FALSE(img->read(64 * 1024 - 10, buf.data(), 11));
  REQUIRE_FALSE(img->write(~0ull - 4, w.data(), 10));
}

TEST_CASE("raw image: a second open of a locked image fails with a clear error", "[block]") {
  TempFile f;
  f.write(pattern_image(4096));
  {
    auto first = RawImage::open(f.path, false);
    std::string e = error_of([&] { RawImage::open(f.path, false); });
    REQUIRE(e == f.path + ": image is in use by another emu (locked)");
    // A reader is refused too while a writer holds the image.
    REQUIRE(error_of([&] { RawImage::open(f.path, true); }).find("locked") != std::string::npos);
  }
  // Readers share; a writer is refused while they hold it.
  auto r1 = RawImage::open(f.path, true);
  auto r2 = RawImage::open(f.path, true);
  REQUIRE(r2->read_only());
  REQUIRE(error_of([&] { RawImage::open(f.path, false); }).find("locked") != std::string::npos);
  std::vector<uint8_t> b(16, 1);
  REQUIRE_FALSE(r1->write(0, b.data(), b.size()));
}

TEST_CASE("raw image: missing or empty files give an error naming the file", "[block]") {
  TempFile f;
  REQUIRE(error_of([&] { RawImage::open(f.path, false); }).rfind(f.path + ": ", 0) == 0);
  f.write({});
  REQUIRE(error_of([&] { RawImage::open(f.path, false); }) == f.path + ": image is empty");
}

TEST_CASE("drive image: sizes that are not whole sectors, qcow2 and foreign magic, unsupported format=", "[block]") {
  TempFile f;
  auto open = [&](bool cdrom, std::string format = "") {
    return error_of([&] { open_drive_image({f.path, format, cdrom, false, false}); });
  };
  f.write(pattern_image(4096));
  CHECK(open(false).empty());
  CHECK(open(true).empty());
  f.write(pattern_image(4096 + 100));
  CHECK(open(false) == f.path + ": image size 4196 bytes is not a whole number of 512-byte sectors (truncated?)");
  f.write(pattern_image(100));
  CHECK(open(false) == f.path + ": image size 100 bytes is not a whole number of 512-byte sectors (truncated?)");
  f.write(pattern_image(2048 + 512));
  CHECK(open(false).empty());
  CHECK(open(true) == f.path + ": image size 2560 bytes is not a whole number of 2048-byte CD-ROM blocks (truncated?)");
  std::vector<uint8_t> qcow2(4096, 0);
  const uint8_t magic[] = {'Q', 'F', 'I', 0xfb, 0, 0, 0, 3};
  std::copy(std::begin(magic), std::end(magic), qcow2.begin());
  f.write(qcow2);
  // A qcow2 magic makes it qcow2 (probed or named); this header is empty, so refused.
  const std::string bad_header = f.path + ": qcow2: cluster_bits 0 out of range (9..21: 512 B..2 MiB clusters)";
  CHECK(open(false) == bad_header);
  CHECK(open(false, "qcow2") == bad_header);
  CHECK(open(false, "raw").empty());  // format=raw: the user says so
  const uint8_t vmdk[] = {'K', 'D', 'M', 'V'};
  std::copy(std::begin(vmdk), std::end(vmdk), qcow2.begin());
  f.write(qcow2);
  CHECK(open(false) == f.path + ": is a VMDK image; emu reads raw and qcow2 images (convert it with qemu-img convert)");
  CHECK(open(false, "vmdk") == f.path + ": image format 'vmdk' is not supported (emu reads raw and qcow2 images)");
}

TEST_CASE("drive image: -snapshot puts an overlay in front, the file stays unchanged", "[block]") {
  TempFile f;
  f.write(pattern_image(64 * 1024));
  auto img = open_drive_image({f.path, "raw", false, false, true});
  std::vector<uint8_t> w(512, 0x5A);
  REQUIRE(img->write(1024, w.data(), w.size()));
  std::vector<uint8_t> r(512);
  REQUIRE(img->read(1024, r.data(), r.size()));
  CHECK(r == w);
  CHECK(f.read() == pattern_image(64 * 1024));
}

TEST_CASE("snapshot mode: writes are visible to the guest, the image stays byte-identical", "[block]") {
  TempFile f;
  auto original = pattern_image(300 * 1024 + 512);  // not a multiple of the cluster size
  f.write(original);
  uint64_t before = digest(f.read());
  {
    auto snap = CowOverlay::temporary(RawImage::open(f.path, true), 4096);
    REQUIRE(snap->size_bytes() == original.size());
    std::vector<uint8_t> w(10000);
    for (size_t i = 0; i < w.size(); i++) w[i] = static_cast<uint8_t>(i * 7 + 3);
    REQUIRE(snap->write(4000, w.data(), w.size()));  // spans 4 clusters, unaligned
    REQUIRE(snap->write(original.size() - 100, w.data(), 100));  // the partial last cluster
    std::vector<uint8_t> r(original.size());
    REQUIRE(snap->read(0, r.data(), r.size()));
    for (size_t i = 0; i < r.size(); i++) {
      uint8_t want = original[i];
      if (i >= 4000 && i < 14000) want = w[i - 4000];
      if (i >= original.size() - 100) want = w[i - (original.size() - 100)];
      REQUIRE(r[i] == want);
    }
    REQUIRE(snap->flush());
    REQUIRE_FALSE(snap->write(original.size() - 1, w.data(), 2));
    // The base is held shared: a writer cannot open it meanwhile.
    REQUIRE(error_of([&] { RawImage::open(f.path, false); }).find("locked") != std::string::npos);
  }
  REQUIRE(digest(f.read()) == before);
}

TEST_CASE("overlay file: writes land in the overlay, base untouched, reopen reads back", "[block]") {
  TempFile base;
  auto original = pattern_image(256 * 1024);
  base.write(original);
  uint64_t before = digest(base.read());
  std::string ov_path = base.dir + "/disk.emucow";
  std::vector<uint8_t> w(5000, 0x5A);
  {
    auto ov = CowOverlay::create(ov_path, "disk.img", 64 * 1024);  // relative base path
    REQUIRE(ov->size_bytes() == original.size());
    REQUIRE(ov->allocated_clusters() == 0);
    REQUIRE(ov->write(64 * 1024 - 2000, w.data(), w.size()));
    REQUIRE(ov->allocated_clusters() == 2);
    REQUIRE(ov->flush());
  }
  REQUIRE(digest(base.read()) == before);
  auto ov = CowOverlay::open(ov_path);
  REQUIRE(ov->allocated_clusters() == 2);
  std::vector<uint8_t> r(original.size());
  REQUIRE(ov->read(0, r.data(), r.size()));
  for (size_t i = 0; i < r.size(); i++) {
    bool written = i >= 64 * 1024 - 2000 && i < 64 * 1024 + 3000;
    REQUIRE(r[i] == (written ? 0x5A : original[i]));
  }
  // Second opener of the same overlay is refused.
  REQUIRE(error_of([&] { CowOverlay::open(ov_path); }).find("locked") != std::string::npos);
  REQUIRE(error_of([&] { CowOverlay::create(ov_path, "disk.img"); }).rfind(ov_path + ": ", 0) == 0);
}

TEST_CASE("overlay file: a corrupt header or a mismatched base is a clear error", "[block]") {
  TempFile base;
  base.write(pattern_image(64 * 1024));
  std::string ov_path = base.dir + "/o.emucow";
  CowOverlay::create(ov_path, base.path, 4096);
  auto patch = [&](off_t off, const void* data, size_t n) {
    int fd = ::open(ov_path.c_str(), O_WRONLY);
    REQUIRE(fd >= 0);
    REQUIRE(::pwrite(fd, data, n, off) == static_cast<ssize_t>(n));
    ::close(fd);
  };
  REQUIRE_NOTHROW(CowOverlay::open(ov_path));
  uint32_t bad_cluster = 3000;  // not a power of two
  patch(12, &bad_cluster, 4);
  REQUIRE(error_of([&] { CowOverlay::open(ov_path); }) == ov_path + ": corrupt emu overlay header");
  patch(0, "QFI\xfb", 4);
  REQUIRE(error_of([&] { CowOverlay::open(ov_path); }) == ov_path + ": not an emu overlay (bad magic)");
  // A base that changed size no longer matches.
  std::string ov2 = base.dir + "/o2.emucow";
  CowOverlay::create(ov2, base.path, 4096);
  base.write(pattern_image(32 * 1024));
  REQUIRE(error_of([&] { CowOverlay::open(ov2); }) == ov2 + ": base image size does not match the overlay");
  // A truncated file.
  TempFile tiny("t.emucow");
  tiny.write(std::vector<uint8_t>(100, 0));
  REQUIRE(error_of([&] { CowOverlay::open(tiny.path); }).find("file too short") != std::string::npos);
}
