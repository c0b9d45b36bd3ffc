// The -kernel decision: PVH for a bzImage whose vmlinux has the note (decompressed,
// then from the cache) and for an ELF vmlinux; fallback with a reason for kernels
// without the note or in formats the host cannot decompress; an error naming the
// file for a corrupt payload.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "bios/pvh_kernel.h"
#include "test_images.h"

using namespace emu;
using namespace emu::test;

namespace {

std::vector<uint8_t> vmlinux_with(std::optional<uint64_t> pvh_entry) {
  TestElfOptions o;
  o.pvh_entry = pvh_entry;
  return make_elf_kernel({{0x1000000, sample_bytes(0x4000, 3), 0x8000}}, o);
}

std::vector<uint8_t> compressed(const std::vector<uint8_t>& data) {
  for (PayloadFormat f : {PayloadFormat::Xz, PayloadFormat::Gzip}) {
    auto p = compress_like_kernel(data, f);
    if (!p.empty()) return p;
  }
  return {};
}

struct TempCache {
  std::string dir;
  TempCache() {
    char tmpl[] = "/tmp/emu-pvhk-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    dir = tmpl;
  }
  ~TempCache() { CHECK(std::system(("rm -rf '" + dir + "'").c_str()) == 0); }
};

}  // namespace

TEST_CASE("a bzImage with a PVH kernel boots through PVH, the second time from the cache") {
  TempCache tmp;
  KernelCache cache(tmp.dir);
  const auto vmlinux = vmlinux_with(0x1000010);
  const auto payload = compressed(vmlinux);
  REQUIRE_FALSE(payload.empty());
  const auto image = wrap_in_bzimage(payload);
  auto k = prepare_pvh_kernel(image, cache, "vmlinuz");
  REQUIRE(k.decision == PvhKernel::Decision::Pvh);
  CHECK(k.vmlinux == vmlinux);
  CHECK(k.elf.pvh_entry == std::optional<uint64_t>(0x1000010));
  CHECK_FALSE(k.from_cache);
  auto again = prepare_pvh_kernel(image, cache, "vmlinuz");
  REQUIRE(again.decision == PvhKernel::Decision::Pvh);
  CHECK(again.from_cache);
  CHECK(again.vmlinux == vmlinux);
}

TEST_CASE("an ELF vmlinux is used directly") {
  KernelCache cache("");
  const auto vmlinux = vmlinux_with(0x1000000);
  auto k = prepare_pvh_kernel(vmlinux, cache, "vmlinux");
  REQUIRE(k.decision == PvhKernel::Decision::Pvh);
  CHECK(k.vmlinux == vmlinux);
  // Without the note there is no other way to boot an ELF kernel.
  auto bad = prepare_pvh_kernel(vmlinux_with(std::nullopt), cache, "/k/vmlinux");
  CHECK(bad.decision == PvhKernel::Decision::Error);
  CHECK(bad.reason.find("/k/vmlinux") != std::string::npos);
}

TEST_CASE("kernels PVH cannot take fall back with a reason") {
  KernelCache cache("");
  // No PVH note in the decompressed kernel.
  auto no_note = prepare_pvh_kernel(wrap_in_bzimage(compressed(vmlinux_with(std::nullopt))), cache, "old-vmlinuz");
  CHECK(no_note.decision == PvhKernel::Decision::Fallback);
  CHECK(no_note.reason.find("CONFIG_PVH") != std::string::npos);
  // A payload format emu does not decompress (LZO).
  auto lzo = prepare_pvh_kernel(wrap_in_bzimage(std::vector<uint8_t>{0x89, 'L', 'Z', 'O', 0, 0, 0, 0}), cache, "lzo-vmlinuz");
  CHECK(lzo.decision == PvhKernel::Decision::Fallback);
  CHECK(lzo.reason.find("liblzo2") != std::string::npos);
  // Unknown format.
  auto unknown = prepare_pvh_kernel(wrap_in_bzimage(std::vector<uint8_t>(64, 0x42)), cache, "k");
  CHECK(unknown.decision == PvhKernel::Decision::Fallback);
  // Not a kernel at all: the ordinary loader reports it.
  CHECK(prepare_pvh_kernel(std::vector<uint8_t>(4096, 0), cache, "k").decision == PvhKernel::Decision::Fallback);
}

TEST_CASE("a corrupt payload is an error naming the file") {
  KernelCache cache("");
  auto payload = compressed(sample_bytes(100000, 4));
  payload.resize(payload.size() / 2);
  auto k = prepare_pvh_kernel(wrap_in_bzimage(payload), cache, "/images/vmlinuz-broken");
  CHECK(k.decision == PvhKernel::Decision::Error);
  CHECK(k.reason.find("/images/vmlinuz-broken") != std::string::npos);
}
