// qcow2 backend against QEMU's own tools: overlays made by `qemu-img create` over raw and
// qcow2 backing files read what the guest expects, emu's writes (partial clusters,
// cluster sizes 512 B..2 MiB, refcount widths 1..64 bits, refcount-table growth) leave
// an image `qemu-img check` finds clean and `qemu-img compare` finds equal to a model,
// zero and compressed clusters read back, corrupt headers and tables give one clear
// error naming the file, and runtime corruption is an I/O error, never a crash.
// Tests that need qemu-img are skipped (with a warning) when it is not installed.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <random>
#include <sstream>

#include "devices/block/drive_image.h"
#include "devices/block/qcow2_format.h"
#include "devices/block/qcow2_image.h"
#include "devices/block/raw_image.h"
#include "ide_rig.h"

using namespace emu;
using namespace emu::test;

namespace {

bool have_qemu_tools() {
  static const bool have = std::system("command -v qemu-img >/dev/null 2>&1 && command -v qemu-io >/dev/null 2>&1") == 0;
  return have;
}

#define REQUIRE_QEMU_TOOLS()                                                          \
  if (!have_qemu_tools()) {                                                           \
    WARN("qcow2 test skipped: qemu-img/qemu-io not installed (apt install qemu-utils)"); \
    return;                                                                           \
  }

// Runs a shell command; returns its exit status and (optionally) its output.
int sh(const std::string& cmd, std::string* output = nullptr) {
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return -1;
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = ::pclose(p);
  if (output) *output = out;
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string hex(uint64_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

std::string q(const std::string& s) { return "'" + s + "'"; }

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const BlockError& e) {
    return e.what();
  }
  return "";
}

void write_file(const std::string& path, const std::vector<uint8_t>& data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()));
  ::close(fd);
}

void patch(const std::string& path, uint64_t offset, const std::vector<uint8_t>& bytes) {
  int fd = ::open(path.c_str(), O_WRONLY);
  REQUIRE(fd >= 0);
  REQUIRE(::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset)) == static_cast<ssize_t>(bytes.size()));
  ::close(fd);
}
std::vector<uint8_t> be64(uint64_t v) {
  std::vector<uint8_t> b(8);
  qcow2::store_be64(b.data(), v);
  return b;
}
std::vector<uint8_t> be32(uint32_t v) {
  std::vector<uint8_t> b(4);
  qcow2::store_be32(b.data(), v);
  return b;
}
uint64_t read_be64(const std::string& path, uint64_t offset) {
  uint8_t b[8] = {};
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd >= 0) {
    (void)!::pread(fd, b, 8, static_cast<off_t>(offset));
    ::close(fd);
  }
  return qcow2::load_be64(b);
}

// `qemu-img check` exits 0 only with neither errors nor leaks.
void require_check_clean(const std::string& image) {
  std::string out;
  int rc = sh("qemu-img check " + q(image), &out);
  INFO(out);
  REQUIRE(rc == 0);
}

// `qemu-img compare` of the image against a raw file holding `model`.
void require_same_as(const std::string& image, const std::vector<uint8_t>& model, const std::string& dir) {
  const std::string raw = dir + "/model.raw";
  write_file(raw, model);
  std::string out;
  int rc = sh("qemu-img compare -f raw -F qcow2 " + q(raw) + " " + q(image), &out);
  INFO(out);
  REQUIRE(rc == 0);
}

std::vector<uint8_t> read_all(BlockDevice& d) {
  std::vector<uint8_t> v(d.size_bytes());
  REQUIRE(d.read(0, v.data(), v.size()));
  return v;
}

std::unique_ptr<BlockDevice> open_disk(const std::string& path, bool read_only = false, std::string format = "") {
  return open_drive_image({path, std::move(format), false, read_only, false});
}

// Random writes (some crossing clusters, some whole clusters) through `d`, mirrored in `model`.
void scribble(BlockDevice& d, std::vector<uint8_t>& model, uint64_t cluster, unsigned seed, int count) {
  std::mt19937_64 rng(seed);
  for (int i = 0; i < count; i++) {
    uint64_t len = 1 + rng() % std::min<uint64_t>(3 * cluster, 70000);
    if (i % 5 == 0) len = cluster;
    uint64_t off = rng() % (model.size() - len);
    if (i % 3 == 0) off = off / 512 * 512;
    if (i % 5 == 0) off = off / cluster * cluster;
    std::vector<uint8_t> data(len);
    for (auto& b : data) b = static_cast<uint8_t>(rng());
    REQUIRE(d.write(off, data.data(), data.size()));
    std::copy(data.begin(), data.end(), model.begin() + static_cast<std::ptrdiff_t>(off));
  }
}

}  // namespace

TEST_CASE("qcow2: overlay over a raw base: reads the base, writes copy on write, qemu-img check is clean", "[qcow2]") {
  REQUIRE_QEMU_TOOLS();
  struct Variant {
    uint64_t cluster;
    int refcount_bits;
    const char* compat;
  };
  auto v = GENERATE(Variant{512, 16, "0.10"}, Variant{512, 64, "1.1"}, Variant{4096, 1, "1.1"},
                    Variant{65536, 16, "1.1"}, Variant{2u << 20, 8, "1.1"});
  INFO("cluster " << v.cluster << ", refcount_bits " << v.refcount_bits << ", compat " << v.compat);
  TempFile base("base.raw");
  const std::string dir = base.dir, ov = dir + "/ov.qcow2";
  const auto original = pattern_image(3 << 20);
  base.write(original);
  REQUIRE(sh("cd " + q(dir) + " && qemu-img create -q -f qcow2 -o cluster_size=" + std::to_string(v.cluster) +
             ",refcount_bits=" + std::to_string(v.refcount_bits) + ",compat=" + v.compat +
             " -b base.raw -F raw ov.qcow2") == 0);
  const uint64_t refcount_table_before = read_be64(ov, 48);
  auto model = original;
  {
    auto img = open_disk(ov);  // format probed from the magic
    REQUIRE(img->size_bytes() == original.size());
    REQUIRE(read_all(*img) == original);
    scribble(*img, model, v.cluster, 1, 60);
    // A long sequential run: thousands of new clusters with small cluster sizes, which
    // makes the refcount table grow for 512-byte clusters with 64-bit refcounts.
    std::vector<uint8_t> chunk(128 * 1024);
    for (uint64_t off = 256 * 1024; off + chunk.size() <= 2816 * 1024; off += chunk.size()) {
      for (size_t i = 0; i < chunk.size(); i++) chunk[i] = static_cast<uint8_t>((off + i) * 7 >> 3);
      REQUIRE(img->write(off, chunk.data(), chunk.size()));
      std::copy(chunk.begin(), chunk.end(), model.begin() + static_cast<std::ptrdiff_t>(off));
    }
    REQUIRE(img->flush());
    REQUIRE(read_all(*img) == model);
  }
  CHECK(base.read() == original);
  // 512-byte clusters with 64-bit refcounts: 2.5 MiB of new data outgrows the table.
  if (v.cluster == 512 && v.refcount_bits == 64) CHECK(read_be64(ov, 48) != refcount_table_before);
  require_check_clean(ov);
  require_same_as(ov, model, dir);
  auto again = open_disk(ov, true, "qcow2");
  CHECK(read_all(*again) == model);
}

TEST_CASE("qcow2: images without a backing file, zero clusters, compressed clusters", "[qcow2]") {
  REQUIRE_QEMU_TOOLS();
  TempFile base("base.raw");
  const std::string dir = base.dir;
  const auto original = pattern_image(1 << 20);
  base.write(original);

  SECTION("a fresh image reads as zeros and takes writes") {
    const std::string img_path = dir + "/empty.qcow2";
    REQUIRE(sh("qemu-img create -q -f qcow2 " + q(img_path) + " 1M") == 0);
    std::vector<uint8_t> model(1 << 20, 0);
    {
      auto img = open_disk(img_path);
      REQUIRE(read_all(*img) == model);
      scribble(*img, model, 65536, 2, 30);
    }
    require_check_clean(img_path);
    require_same_as(img_path, model, dir);
  }
  SECTION("v3 zero clusters hide the backing file; a partial write keeps the rest zero") {
    const std::string ov = dir + "/ov.qcow2";
    REQUIRE(sh("cd " + q(dir) + " && qemu-img create -q -f qcow2 -o cluster_size=4096 -b base.raw -F raw ov.qcow2") == 0);
    // 8192..16383: zero clusters with no host cluster; 32768..36863: written, then
    // zeroed, so a zero cluster that keeps its (preallocated) host cluster.
    REQUIRE(sh("qemu-io -c 'write -z 8192 8192' -c 'write -P 0x55 32768 4096' -c 'write -z 32768 4096' " + q(ov)) == 0);
    auto model = original;
    std::fill(model.begin() + 8192, model.begin() + 16384, 0);
    std::fill(model.begin() + 32768, model.begin() + 36864, 0);
    {
      auto img = open_disk(ov);
      REQUIRE(read_all(*img) == model);
      std::vector<uint8_t> w(100, 0xEE);
      for (uint64_t at : {9000, 33000}) {
        REQUIRE(img->write(at, w.data(), w.size()));
        std::fill(model.begin() + at, model.begin() + at + 100, 0xEE);
      }
      REQUIRE(read_all(*img) == model);
    }
    require_check_clean(ov);
    require_same_as(ov, model, dir);
  }
  SECTION("an overlay larger than its backing file reads zeros past the backing file's end") {
    const std::string ov = dir + "/big.qcow2";
    // The backing file ends in the middle of a 4 KiB cluster.
    TempFile odd("odd.raw");
    odd.write(pattern_image((1 << 20) + 1536));
    REQUIRE(sh("qemu-img create -q -f qcow2 -o cluster_size=4096 -b " + q(odd.path) + " -F raw " + q(ov) + " 2M") == 0);
    auto model = pattern_image((1 << 20) + 1536);
    model.resize(2 << 20, 0);
    {
      auto img = open_disk(ov);
      REQUIRE(read_all(*img) == model);
      std::vector<uint8_t> w(700, 0x99);  // inside the cluster the backing file ends in
      REQUIRE(img->write((1 << 20) + 100, w.data(), w.size()));
      std::fill(model.begin() + (1 << 20) + 100, model.begin() + (1 << 20) + 800, 0x99);
      REQUIRE(read_all(*img) == model);
    }
    require_check_clean(ov);
    require_same_as(ov, model, dir);
  }
  SECTION("zlib-compressed clusters read back, and writes into them move them out") {
    const std::string comp = dir + "/comp.qcow2";
    REQUIRE(sh("qemu-img convert -c -f raw -O qcow2 -o cluster_size=4096 " + q(base.path) + " " + q(comp)) == 0);
    auto model = original;
    {
      auto img = open_disk(comp);
      REQUIRE(read_all(*img) == model);
      scribble(*img, model, 4096, 3, 40);
      REQUIRE(read_all(*img) == model);
    }
    require_check_clean(comp);
    require_same_as(comp, model, dir);
  }
}

TEST_CASE("qcow2: a backing chain qcow2 (v3) -> qcow2 (v2) -> raw, names relative to the overlay's folder", "[qcow2]") {
  REQUIRE_QEMU_TOOLS();
  TempFile base("base.raw");
  const std::string dir = base.dir;
  const auto original = pattern_image(2 << 20);
  base.write(original);
  REQUIRE(sh("cd " + q(dir) + " && qemu-img create -q -f qcow2 -o cluster_size=16384,compat=0.10 -b base.raw -F raw mid.qcow2 && " +
             "qemu-io -c 'write -P 0x11 100000 50000' mid.qcow2 && " +
             "qemu-img create -q -f qcow2 -o cluster_size=4096 -b mid.qcow2 -F qcow2 top.qcow2") == 0);
  std::string mid_before;
  REQUIRE(sh("sha256sum < " + q(dir + "/mid.qcow2"), &mid_before) == 0);
  auto model = original;
  std::fill(model.begin() + 100000, model.begin() + 150000, 0x11);
  {
    auto top = open_disk(dir + "/top.qcow2");
    REQUIRE(read_all(*top) == model);
    // The backing files are open read-only (shared lock): nobody may write them now.
    CHECK(error_of([&] { RawImage::open(base.path, false); }).find("locked") != std::string::npos);
    CHECK(error_of([&] { open_disk(dir + "/mid.qcow2"); }).find("locked") != std::string::npos);
    scribble(*top, model, 4096, 4, 40);
    REQUIRE(read_all(*top) == model);
  }
  std::string mid_after;
  REQUIRE(sh("sha256sum < " + q(dir + "/mid.qcow2"), &mid_after) == 0);
  CHECK(mid_before == mid_after);
  CHECK(base.read() == original);
  require_check_clean(dir + "/top.qcow2");
  require_same_as(dir + "/top.qcow2", model, dir);
}

TEST_CASE("qcow2: locking, -snapshot, format= and probing", "[qcow2]") {
  REQUIRE_QEMU_TOOLS();
  TempFile base("base.raw");
  const std::string dir = base.dir, ov = dir + "/ov.qcow2";
  base.write(pattern_image(1 << 20));
  REQUIRE(sh("cd " + q(dir) + " && qemu-img create -q -f qcow2 -b base.raw -F raw ov.qcow2") == 0);
  {
    auto first = open_disk(ov);
    CHECK(error_of([&] { open_disk(ov); }) == ov + ": image is in use by another emu (locked)");
  }
  std::string before;
  REQUIRE(sh("sha256sum < " + q(ov), &before) == 0);
  {
    auto snap = open_drive_image({ov, "qcow2", false, false, true});
    std::vector<uint8_t> w(4096, 0x42), r(4096);
    REQUIRE(snap->write(8192, w.data(), w.size()));
    REQUIRE(snap->read(8192, r.data(), r.size()));
    CHECK(r == w);
  }
  std::string after;
  REQUIRE(sh("sha256sum < " + q(ov), &after) == 0);
  CHECK(before == after);
  // format=raw is taken at its word; format=qcow2 on a raw file is refused.
  CHECK(error_of([&] { open_disk(ov, true, "raw"); }).find("is not a whole number of 512-byte sectors") != std::string::npos);
  CHECK(error_of([&] { open_disk(base.path, false, "qcow2"); }) == base.path + ": qcow2: bad magic");
  CHECK(error_of([&] { open_disk(base.path, false, "vmdk"); }) ==
        base.path + ": image format 'vmdk' is not supported (emu reads raw and qcow2 images)");
}

TEST_CASE("qcow2: corrupt or unsupported images are refused with one clear error", "[qcow2]") {
  REQUIRE_QEMU_TOOLS();
  TempFile base("base.raw");
  const std::string dir = base.dir, img = dir + "/bad.qcow2";
  base.write(pattern_image(1 << 20));
  // v3, 64 KiB clusters, one L2 table allocated: header, refcount table, refcount
  // block, L1 table, L2 table, data.
  auto fresh = [&] {
    REQUIRE(sh("cd " + q(dir) + " && rm -f bad.qcow2 && qemu-img create -q -f qcow2 -b base.raw -F raw bad.qcow2 && " +
               "qemu-io -c 'write -P 0x33 0 4096' bad.qcow2") == 0);
  };
  auto open_error = [&](bool read_only = false) { return error_of([&] { open_disk(img, read_only); }); };
  const std::string prefix = img + ": qcow2: ";
  fresh();
  const uint64_t l1 = read_be64(img, 40), reftable = read_be64(img, 48);
  REQUIRE(open_error().empty());

  SECTION("L1 table past the end of the file") {
    patch(img, 40, be64(1ull << 40));
    CHECK(open_error().rfind(prefix + "L1 table at 0x10000000000 (8 bytes) is unaligned or outside the file", 0) == 0);
  }
  SECTION("refcount table overlapping the L1 table") {
    patch(img, 48, be64(l1));
    CHECK(open_error() == prefix + "L1 table and refcount table overlap (at " +
                              hex(l1) + " and " +
                              hex(l1) + ")");
  }
  SECTION("refcount table over the header") {
    patch(img, 48, be64(0));
    CHECK(open_error().rfind(prefix + "refcount table at 0x0", 0) == 0);
  }
  SECTION("a huge virtual size the L1 table does not cover") {
    patch(img, 24, be64(1ull << 50));
    CHECK(open_error() == prefix + "L1 table has 1 entries, the virtual size needs 2097152");
    patch(img, 24, be64(~0ull));
    CHECK(open_error() == prefix + "virtual size 18446744073709551615 is too large");
  }
  SECTION("a huge L1 table") {
    patch(img, 36, be32(0xffffffff));
    CHECK(open_error() == prefix + "L1 table of 4294967295 entries is too large");
  }
  SECTION("cluster size out of range") {
    patch(img, 20, be32(30));
    CHECK(open_error() == prefix + "cluster_bits 30 out of range (9..21: 512 B..2 MiB clusters)");
  }
  SECTION("unsupported version, encryption, feature bits") {
    patch(img, 4, be32(4));
    CHECK(open_error() == prefix + "unsupported version 4");
    patch(img, 4, be32(3));
    patch(img, 32, be32(2));
    CHECK(open_error() == prefix + "encrypted images are not supported (crypt_method 2)");
    patch(img, 32, be32(0));
    patch(img, 72, be64(1ull << 10));
    CHECK(open_error() == prefix + "unknown incompatible feature bits 0x400");
    {  // the feature name table (qemu-img writes one) names the bit
      std::vector<uint8_t> head(4096);
      int fd = ::open(img.c_str(), O_RDONLY);
      REQUIRE(::pread(fd, head.data(), head.size(), 0) == 4096);
      ::close(fd);
      const std::string name = "extended L2 entries";
      auto at = std::search(head.begin(), head.end(), name.begin(), name.end());
      REQUIRE(at != head.end());
      patch(img, static_cast<uint64_t>(at - head.begin()) - 1, {10});  // the entry's bit number
    }
    CHECK(open_error() == prefix + "unknown incompatible feature bits 0x400 (extended L2 entries)");
    patch(img, 72, be64(qcow2::kIncompatDataFile));
    CHECK(open_error() == prefix + "external data files are not supported");
    patch(img, 72, be64(qcow2::kIncompatExtendedL2));
    CHECK(open_error() == prefix + "extended L2 entries (subclusters) are not supported");
    patch(img, 72, be64(qcow2::kIncompatDirty));
    CHECK(open_error() ==
          prefix + "image is marked dirty (lazy refcounts, not closed cleanly); repair it with qemu-img check -r all");
    CHECK(open_error(true).empty());  // reading a dirty image is fine
  }
  SECTION("tables naming clusters outside the file") {
    patch(img, l1, be64((1ull << 40) | qcow2::kCopied));
    struct stat st {};
    REQUIRE(::stat(img.c_str(), &st) == 0);
    CHECK(open_error() == prefix + "L2 table at 0x10000000000 is unaligned or outside the file (size " +
                              std::to_string(st.st_size) + ")");
  }
  SECTION("refcount table entry pointing at the L1 table") {
    patch(img, reftable, be64(l1));
    CHECK(open_error() == prefix + "refcount block at " + hex(l1) +
                              " overlaps the header or another table");
  }
  SECTION("backing file missing, or its name too long") {
    base.write({});
    ::unlink(base.path.c_str());
    CHECK(open_error() == img + ": backing file: " + base.path + ": No such file or directory");
    patch(img, 16, be32(5000));
    CHECK(open_error() == prefix + "backing file name length 5000 is invalid (1..1023)");
  }
  SECTION("a truncated file") {
    REQUIRE(::truncate(img.c_str(), 50) == 0);
    CHECK(open_error() == prefix + "file too short for a header");
  }
  SECTION("runtime corruption: I/O errors, no crash") {
    const uint64_t l2 = read_be64(img, l1) & qcow2::kOffsetMask;
    std::vector<uint8_t> buf(4096);
    patch(img, l2, be64((1ull << 40) | qcow2::kCopied));  // data cluster past the end
    {
      auto d = open_disk(img);
      CHECK_FALSE(d->read(0, buf.data(), buf.size()));
      CHECK_FALSE(d->write(0, buf.data(), buf.size()));
      CHECK(d->read(65536, buf.data(), buf.size()));  // other clusters still work
    }
    patch(img, l2, be64(l1 | qcow2::kCopied));  // data cluster over the L1 table
    {
      auto d = open_disk(img);
      CHECK_FALSE(d->write(0, buf.data(), buf.size()));
    }
    CHECK(read_be64(img, l1) == (l2 | qcow2::kCopied));  // the L1 table was not overwritten
    patch(img, l2, be64(0x1234567ull | qcow2::kCopied));  // reserved bits
    auto d = open_disk(img);
    CHECK_FALSE(d->read(0, buf.data(), buf.size()));
  }
}

TEST_CASE("qcow2: randomly corrupted metadata never crashes emu or grows the file without bound", "[qcow2]") {
  REQUIRE_QEMU_TOOLS();
  TempFile base("base.raw");
  const std::string dir = base.dir, img = dir + "/fuzz.qcow2";
  base.write(pattern_image(256 * 1024));
  // 512-byte clusters: most of the file is metadata (L1, L2 tables, refcount blocks).
  REQUIRE(sh("cd " + q(dir) + " && qemu-img create -q -f qcow2 -o cluster_size=512 -b base.raw -F raw fuzz.qcow2 && " +
             "qemu-io -c 'write -P 0x21 0 20000' -c 'write -P 0x22 100000 3000' -c 'write -z 200000 5000' fuzz.qcow2") == 0);
  std::vector<uint8_t> pristine;
  {
    int fd = ::open(img.c_str(), O_RDONLY);
    REQUIRE(fd >= 0);
    pristine.resize(static_cast<size_t>(::lseek(fd, 0, SEEK_END)));
    REQUIRE(::pread(fd, pristine.data(), pristine.size(), 0) == static_cast<ssize_t>(pristine.size()));
    ::close(fd);
  }
  std::mt19937_64 rng(7);
  int opened = 0, refused = 0;
  for (int round = 0; round < 300; round++) {
    auto bytes = pristine;
    const int changes = 1 + static_cast<int>(rng() % 4);
    for (int c = 0; c < changes; c++) {
      const uint64_t span = rng() % 2 ? 512 : bytes.size();  // half the time the header cluster
      const uint64_t at = rng() % span;
      if (rng() % 2) {
        bytes[at] = static_cast<uint8_t>(rng());
      } else {  // a whole 8-byte field: offsets and sizes with high bits
        const uint64_t field = at / 8 * 8;
        const uint64_t value = rng() >> (rng() % 64);
        for (int b = 0; b < 8 && field + b < bytes.size(); b++) bytes[field + b] = static_cast<uint8_t>(value >> (56 - 8 * b));
      }
    }
    write_file(img, bytes);
    std::unique_ptr<BlockDevice> d;
    const std::string error = error_of([&] { d = open_disk(img); });
    if (!d) {
      CHECK(error.rfind(img + ": ", 0) == 0);
      refused++;
      continue;
    }
    opened++;
    std::vector<uint8_t> buf(static_cast<size_t>(d->size_bytes() < (1 << 20) ? d->size_bytes() : (1 << 20)));
    (void)d->read(0, buf.data(), buf.size());
    std::vector<uint8_t> w(3000, 0x5C);
    for (uint64_t at : {0ull, 20000ull, 150000ull, 250000ull})
      if (at + w.size() <= d->size_bytes()) (void)d->write(at, w.data(), w.size());
    (void)d->read(0, buf.data(), buf.size());
    d.reset();
    struct stat st {};
    REQUIRE(::stat(img.c_str(), &st) == 0);
    INFO("round " << round);
    CHECK(static_cast<uint64_t>(st.st_size) < pristine.size() + (4u << 20));
  }
  CHECK(base.read() == pattern_image(256 * 1024));
  INFO("corrupted images: " << opened << " opened, " << refused << " refused");
  CHECK(opened > 0);
  CHECK(refused > 0);
}
