// bzImage payload location, format detection and host decompression, for every format
// with payloads made at test time by the compression libraries themselves.
#include <catch2/catch.hpp>

#include "base/endian.h"
#include "bios/kernel_payload.h"
#include "test_images.h"

using namespace emu;
using namespace emu::test;

namespace {

const PayloadFormat kFormats[] = {PayloadFormat::Gzip, PayloadFormat::Xz,  PayloadFormat::Lzma,
                                  PayloadFormat::Zstd, PayloadFormat::Lz4, PayloadFormat::Bzip2};

}  // namespace

TEST_CASE("each payload format round-trips through a bzImage") {
  const auto original = sample_bytes(300000, 7);
  for (PayloadFormat f : kFormats) {
    INFO("format " << payload_format_name(f));
    const auto payload = compress_like_kernel(original, f);
    if (payload.empty()) {
      WARN(payload_format_name(f) << " not built into the tests; checking the not-built-in message only");
      continue;
    }
    CHECK(detect_payload_format(payload) == f);
    const auto image = wrap_in_bzimage(payload);
    const auto loc = locate_bzimage_payload(image, "vmlinuz");
    REQUIRE(loc.error == PayloadError::None);
    CHECK(loc.length == payload.size());
    CHECK(loc.format == f);
    REQUIRE(payload_format_built_in(f));
    const auto r = decompress_bzimage(image, "vmlinuz");
    REQUIRE(r.ok());
    CHECK(r.format == f);
    CHECK(r.data == original);
  }
}

TEST_CASE("lz4 payloads larger than one 8 MiB legacy block decompress whole") {
  const auto original = sample_bytes((8u << 20) + 12345, 3);
  const auto payload = compress_like_kernel(original, PayloadFormat::Lz4);
  if (payload.empty()) {
    WARN("lz4 not built in");
    return;
  }
  const auto r = decompress_payload(payload, PayloadFormat::Lz4, "big");
  REQUIRE(r.ok());
  CHECK(r.data == original);
}

TEST_CASE("a corrupt payload gives an error naming the file") {
  const auto original = sample_bytes(200000, 9);
  for (PayloadFormat f : kFormats) {
    auto payload = compress_like_kernel(original, f);
    if (payload.empty()) continue;
    INFO("format " << payload_format_name(f));
    // Damage the middle of the stream (headers stay intact so the format is still recognised).
    for (size_t i = payload.size() / 2; i < payload.size() / 2 + 64; i++) payload[i] ^= 0x5a;
    const auto r = decompress_bzimage(wrap_in_bzimage(payload), "/images/broken-vmlinuz");
    if (r.ok()) {
      // LZ4 has no checksum: damage can decode to different bytes, but never to the original.
      CHECK(f == PayloadFormat::Lz4);
      CHECK(r.data != original);
      continue;
    }
    CHECK(r.error == PayloadError::Corrupt);
    CHECK(r.message.find("/images/broken-vmlinuz") != std::string::npos);
    CHECK(r.message.find(payload_format_name(f)) != std::string::npos);
  }
}

TEST_CASE("a truncated payload gives an error naming the file") {
  const auto original = sample_bytes(200000, 11);
  for (PayloadFormat f : kFormats) {
    auto payload = compress_like_kernel(original, f);
    if (payload.empty()) continue;
    INFO("format " << payload_format_name(f));
    payload.resize(payload.size() * 2 / 3);  // setup header still says the truncated length
    const auto r = decompress_bzimage(wrap_in_bzimage(payload), "short.bzImage");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error == PayloadError::Corrupt);
    CHECK(r.message.rfind("short.bzImage: ", 0) == 0);
  }
}

TEST_CASE("a bzImage cut short before its payload ends is reported as truncated") {
  const auto payload = compress_like_kernel(sample_bytes(50000), PayloadFormat::Gzip);
  auto image = wrap_in_bzimage(payload.empty() ? std::vector<uint8_t>(1000, 0x1f) : payload);
  image.resize(image.size() - 0x100 - 10);  // drop the tail padding and 10 payload bytes
  const auto loc = locate_bzimage_payload(image, "cut.img");
  CHECK(loc.error == PayloadError::Corrupt);
  CHECK(loc.message.find("cut.img") != std::string::npos);
  CHECK(loc.message.find("truncated") != std::string::npos);
}

TEST_CASE("payload offsets are never trusted") {
  auto image = wrap_in_bzimage(std::vector<uint8_t>(100, 0x1f));
  store_le32(&image[0x248], 0xfffffff0);  // offset + length overflows 32 bits
  store_le32(&image[0x24c], 0x100);
  CHECK(locate_bzimage_payload(image, "x").error == PayloadError::Corrupt);
  store_le32(&image[0x248], 0);
  store_le32(&image[0x24c], 0);
  CHECK(locate_bzimage_payload(image, "x").error == PayloadError::Corrupt);
}

TEST_CASE("unknown formats, old protocols and non-bzImages are told apart") {
  std::vector<uint8_t> junk(5000, 0x42);
  auto image = wrap_in_bzimage(junk);
  auto loc = locate_bzimage_payload(image, "k");
  CHECK(loc.error == PayloadError::UnknownFormat);
  CHECK(loc.message.find("unknown format") != std::string::npos);

  store_le16(&image[0x206], 0x0207);
  CHECK(locate_bzimage_payload(image, "k").error == PayloadError::OldProtocol);

  CHECK(locate_bzimage_payload(junk, "k").error == PayloadError::NotBzImage);
  CHECK(decompress_bzimage(std::vector<uint8_t>(10, 0), "k").error == PayloadError::NotBzImage);
}

TEST_CASE("format magics are recognised as the kernel's decompressors do") {
  auto fmt = [](std::initializer_list<uint8_t> b) { return detect_payload_format(std::vector<uint8_t>(b)); };
  CHECK(fmt({0x1f, 0x8b, 0x08}) == PayloadFormat::Gzip);
  CHECK(fmt({0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00}) == PayloadFormat::Xz);
  CHECK(fmt({0x5d, 0x00, 0x00, 0x80}) == PayloadFormat::Lzma);
  CHECK(fmt({0x42, 0x5a, 0x68, 0x39}) == PayloadFormat::Bzip2);
  CHECK(fmt({0x89, 0x4c, 0x5a, 0x4f}) == PayloadFormat::Lzo);
  CHECK(fmt({0x02, 0x21, 0x4c, 0x18}) == PayloadFormat::Lz4);
  CHECK(fmt({0x28, 0xb5, 0x2f, 0xfd}) == PayloadFormat::Zstd);
  CHECK(fmt({0xfd, 0x37}) == PayloadFormat::Unknown);  // too short for the xz magic
  CHECK(fmt({}) == PayloadFormat::Unknown);
}

TEST_CASE("a format without its library is reported by name") {
  // LZO is never linked: its message names the missing library.
  const auto r = decompress_payload(std::vector<uint8_t>{0x89, 'L', 'Z', 'O', 0, 0}, PayloadFormat::Lzo, "lzo-kernel");
  CHECK(r.error == PayloadError::NotBuiltIn);
  CHECK(r.message == "lzo-kernel: lzo kernels need liblzo2 (not built in)");
}

TEST_CASE("decompression output is capped") {
  // 3 MiB of zeros compress to almost nothing; with a 1 MiB cap every decompressor must
  // stop with TooLarge instead of growing its buffer (a decompression bomb guard).
  const std::vector<uint8_t> zeros(3u << 20, 0);
  for (PayloadFormat f : kFormats) {
    const auto payload = compress_like_kernel(zeros, f);
    if (payload.empty()) continue;
    INFO("format " << payload_format_name(f));
    CHECK(payload.size() < (1u << 20));
    const auto r = decompress_payload(payload, f, "bomb", 1u << 20);
    CHECK(r.error == PayloadError::TooLarge);
    CHECK(r.data.empty());
    CHECK(decompress_payload(payload, f, "bomb", 4u << 20).data == zeros);
  }
}
