// Host-side decompression of a bzImage payload (see kernel_payload.h). Offsets are
// those of the setup header in Documentation/arch/x86/boot.rst; magics are those the
// kernel's own decompressors (lib/decompress.c) recognise.
#include "bios/kernel_payload.h"

#include <algorithm>
#include <cstring>

#include "base/endian.h"

#ifdef EMU_HAVE_ZLIB
#include <zlib.h>
#endif
#ifdef EMU_HAVE_LZMA
#include <lzma.h>
#endif
#ifdef EMU_HAVE_ZSTD
#include <zstd.h>
#endif
#ifdef EMU_HAVE_LZ4
#include <lz4.h>
#endif
#ifdef EMU_HAVE_BZIP2
#include <bzlib.h>
#endif

namespace emu {
namespace {

constexpr size_t kSetupSects = 0x1f1;
constexpr size_t kHeaderMagic = 0x202;
constexpr size_t kVersion = 0x206;
constexpr size_t kPayloadOffset = 0x248;
constexpr size_t kPayloadLength = 0x24c;

DecompressResult failure(PayloadError error, const std::string& name, const std::string& why,
                         PayloadFormat format = PayloadFormat::Unknown) {
  DecompressResult r;
  r.error = error;
  r.message = name + ": " + why;
  r.format = format;
  return r;
}

// A growing output buffer for streaming decompressors, capped at `cap` bytes.
class Output {
 public:
  Output(uint64_t hint, uint64_t cap) : cap_(cap) { buf_.resize(std::min<uint64_t>(std::max<uint64_t>(hint, 1 << 20), cap)); }
  // Space to write into; false when the cap is reached.
  bool room(uint8_t** p, size_t* n) {
    if (used_ == buf_.size()) {
      if (buf_.size() >= cap_) return false;
      buf_.resize(std::min<uint64_t>(buf_.size() * 2, cap_));
    }
    *p = buf_.data() + used_;
    *n = buf_.size() - used_;
    return true;
  }
  void produced(size_t n) { used_ += n; }
  std::vector<uint8_t> take() {
    buf_.resize(used_);
    return std::move(buf_);
  }

 private:
  uint64_t cap_;
  std::vector<uint8_t> buf_;
  size_t used_ = 0;
};

// The kernel's build appends the uncompressed size as a 32-bit little-endian word;
// used only as a size hint (never trusted beyond the cap).
[[maybe_unused]] uint64_t size_hint(std::span<const uint8_t> payload) {
  return payload.size() >= 4 ? load_le32(payload.data() + payload.size() - 4) + 1ull : 0;
}

[[maybe_unused]] DecompressResult success(Output& out, PayloadFormat format) {
  DecompressResult r;
  r.format = format;
  r.data = out.take();
  return r;
}

[[maybe_unused]] std::string too_large(uint64_t cap) { return "decompressed kernel is larger than " + std::to_string(cap >> 20) + " MiB"; }

#ifdef EMU_HAVE_ZLIB
DecompressResult inflate_gzip(std::span<const uint8_t> in, const std::string& name, uint64_t cap) {
  const auto fmt = PayloadFormat::Gzip;
  z_stream s{};
  if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK) return failure(PayloadError::Corrupt, name, "zlib initialisation failed", fmt);
  Output out(size_hint(in), cap);
  s.next_in = const_cast<Bytef*>(in.data());
  s.avail_in = static_cast<uInt>(std::min<size_t>(in.size(), UINT32_MAX));
  int ret = Z_OK;
  while (ret != Z_STREAM_END) {
    uint8_t* p;
    size_t n;
    if (!out.room(&p, &n)) {
      inflateEnd(&s);
      return failure(PayloadError::TooLarge, name, too_large(cap), fmt);
    }
    n = std::min<size_t>(n, UINT32_MAX);
    s.next_out = p;
    s.avail_out = static_cast<uInt>(n);
    ret = inflate(&s, Z_NO_FLUSH);
    out.produced(n - s.avail_out);
    if (ret == Z_BUF_ERROR && s.avail_in == 0) {
      inflateEnd(&s);
      return failure(PayloadError::Corrupt, name, "gzip payload is truncated", fmt);
    }
    if (ret != Z_OK && ret != Z_STREAM_END && ret != Z_BUF_ERROR) {
      std::string why = s.msg ? s.msg : "error " + std::to_string(ret);
      inflateEnd(&s);
      return failure(PayloadError::Corrupt, name, "gzip payload is corrupt (" + why + ")", fmt);
    }
  }
  inflateEnd(&s);
  return success(out, fmt);
}
#endif

#ifdef EMU_HAVE_LZMA
DecompressResult unxz(std::span<const uint8_t> in, PayloadFormat fmt, const std::string& name, uint64_t cap) {
  lzma_stream s = LZMA_STREAM_INIT;
  lzma_ret ret = fmt == PayloadFormat::Xz ? lzma_stream_decoder(&s, UINT64_MAX, 0) : lzma_alone_decoder(&s, UINT64_MAX);
  if (ret != LZMA_OK) return failure(PayloadError::Corrupt, name, "liblzma initialisation failed", fmt);
  Output out(size_hint(in), cap);
  s.next_in = in.data();
  s.avail_in = in.size();
  while (true) {
    uint8_t* p;
    size_t n;
    if (!out.room(&p, &n)) {
      lzma_end(&s);
      return failure(PayloadError::TooLarge, name, too_large(cap), fmt);
    }
    s.next_out = p;
    s.avail_out = n;
    ret = lzma_code(&s, s.avail_in ? LZMA_RUN : LZMA_FINISH);
    out.produced(n - s.avail_out);
    if (ret == LZMA_STREAM_END) break;
    if (ret == LZMA_OK) continue;
    lzma_end(&s);
    if (ret == LZMA_BUF_ERROR) return failure(PayloadError::Corrupt, name, std::string(payload_format_name(fmt)) + " payload is truncated", fmt);
    return failure(PayloadError::Corrupt, name,
                   std::string(payload_format_name(fmt)) + " payload is corrupt (liblzma error " + std::to_string(ret) + ")", fmt);
  }
  lzma_end(&s);
  return success(out, fmt);
}
#endif

#ifdef EMU_HAVE_ZSTD
DecompressResult unzstd(std::span<const uint8_t> in, const std::string& name, uint64_t cap) {
  const auto fmt = PayloadFormat::Zstd;
  ZSTD_DCtx* ctx = ZSTD_createDCtx();
  if (!ctx) return failure(PayloadError::Corrupt, name, "libzstd initialisation failed", fmt);
  ZSTD_DCtx_setParameter(ctx, ZSTD_d_windowLogMax, 31);  // the kernel builds with --ultra -22
  Output out(size_hint(in), cap);
  ZSTD_inBuffer src{in.data(), in.size(), 0};
  size_t ret = 1;
  while (ret != 0) {
    uint8_t* p;
    size_t n;
    if (!out.room(&p, &n)) {
      ZSTD_freeDCtx(ctx);
      return failure(PayloadError::TooLarge, name, too_large(cap), fmt);
    }
    ZSTD_outBuffer dst{p, n, 0};
    ret = ZSTD_decompressStream(ctx, &dst, &src);
    out.produced(dst.pos);
    if (ZSTD_isError(ret)) {
      std::string why = ZSTD_getErrorName(ret);
      ZSTD_freeDCtx(ctx);
      return failure(PayloadError::Corrupt, name, "zstd payload is corrupt (" + why + ")", fmt);
    }
    if (ret != 0 && src.pos == src.size && dst.pos < dst.size) {
      ZSTD_freeDCtx(ctx);
      return failure(PayloadError::Corrupt, name, "zstd payload is truncated", fmt);
    }
  }
  ZSTD_freeDCtx(ctx);
  return success(out, fmt);
}
#endif

#ifdef EMU_HAVE_LZ4
constexpr uint32_t kLz4LegacyMagic = 0x184c2102;
constexpr uint64_t kLz4LegacyBlock = 8u << 20;  // uncompressed size of each legacy block

// The LZ4 legacy format (`lz4 -l`) the kernel uses: a magic word, then blocks each
// preceded by its compressed size and each decompressing to at most 8 MiB.
DecompressResult unlz4_legacy(std::span<const uint8_t> in, const std::string& name, uint64_t cap) {
  const auto fmt = PayloadFormat::Lz4;
  std::vector<uint8_t> out;
  size_t pos = 4;  // past the magic (checked by the caller)
  bool any_block = false;
  while (in.size() - pos >= 4) {
    const uint32_t chunk = load_le32(in.data() + pos);
    if (chunk == kLz4LegacyMagic) {  // concatenated archives
      pos += 4;
      continue;
    }
    // The kernel's appended 4-byte size is what is left after the last block.
    if (any_block && in.size() - pos == 4) break;
    pos += 4;
    if (chunk == 0 || chunk > in.size() - pos || chunk > static_cast<uint32_t>(LZ4_compressBound(static_cast<int>(kLz4LegacyBlock))))
      return failure(PayloadError::Corrupt, name, "lz4 payload is truncated or corrupt (bad block size)", fmt);
    const size_t at = out.size();
    out.resize(at + kLz4LegacyBlock);
    const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(in.data() + pos), reinterpret_cast<char*>(out.data() + at),
                                      static_cast<int>(chunk), static_cast<int>(kLz4LegacyBlock));
    if (n < 0) return failure(PayloadError::Corrupt, name, "lz4 payload is corrupt", fmt);
    out.resize(at + static_cast<size_t>(n));
    if (out.size() > cap) return failure(PayloadError::TooLarge, name, too_large(cap), fmt);
    pos += chunk;
    any_block = true;
  }
  if (!any_block) return failure(PayloadError::Corrupt, name, "lz4 payload is truncated (no blocks)", fmt);
  DecompressResult r;
  r.format = fmt;
  r.data = std::move(out);
  return r;
}
#endif

#ifdef EMU_HAVE_BZIP2
DecompressResult unbzip2(std::span<const uint8_t> in, const std::string& name, uint64_t cap) {
  const auto fmt = PayloadFormat::Bzip2;
  bz_stream s{};
  if (BZ2_bzDecompressInit(&s, 0, 0) != BZ_OK) return failure(PayloadError::Corrupt, name, "libbz2 initialisation failed", fmt);
  Output out(size_hint(in), cap);
  s.next_in = const_cast<char*>(reinterpret_cast<const char*>(in.data()));
  s.avail_in = static_cast<unsigned>(std::min<size_t>(in.size(), UINT32_MAX));
  int ret = BZ_OK;
  while (ret != BZ_STREAM_END) {
    uint8_t* p;
    size_t n;
    if (!out.room(&p, &n)) {
      BZ2_bzDecompressEnd(&s);
      return failure(PayloadError::TooLarge, name, too_large(cap), fmt);
    }
    n = std::min<size_t>(n, UINT32_MAX);
    s.next_out = reinterpret_cast<char*>(p);
    s.avail_out = static_cast<unsigned>(n);
    ret = BZ2_bzDecompress(&s);
    out.produced(n - s.avail_out);
    if (ret == BZ_OK && s.avail_in == 0 && s.avail_out > 0) {
      BZ2_bzDecompressEnd(&s);
      return failure(PayloadError::Corrupt, name, "bzip2 payload is truncated", fmt);
    }
    if (ret != BZ_OK && ret != BZ_STREAM_END) {
      BZ2_bzDecompressEnd(&s);
      return failure(PayloadError::Corrupt, name, "bzip2 payload is corrupt (libbz2 error " + std::to_string(ret) + ")", fmt);
    }
  }
  BZ2_bzDecompressEnd(&s);
  return success(out, fmt);
}
#endif

const char* library_of(PayloadFormat format) {
  switch (format) {
    case PayloadFormat::Gzip: return "zlib";
    case PayloadFormat::Xz:
    case PayloadFormat::Lzma: return "liblzma";
    case PayloadFormat::Bzip2: return "libbz2";
    case PayloadFormat::Lzo: return "liblzo2";
    case PayloadFormat::Lz4: return "liblz4";
    case PayloadFormat::Zstd: return "libzstd";
    case PayloadFormat::Unknown: break;
  }
  return "?";
}

}  // namespace

const char* payload_format_name(PayloadFormat format) {
  switch (format) {
    case PayloadFormat::Gzip: return "gzip";
    case PayloadFormat::Xz: return "xz";
    case PayloadFormat::Lzma: return "lzma";
    case PayloadFormat::Bzip2: return "bzip2";
    case PayloadFormat::Lzo: return "lzo";
    case PayloadFormat::Lz4: return "lz4";
    case PayloadFormat::Zstd: return "zstd";
    case PayloadFormat::Unknown: break;
  }
  return "unknown";
}

bool payload_format_built_in(PayloadFormat format) {
  switch (format) {
#ifdef EMU_HAVE_ZLIB
    case PayloadFormat::Gzip: return true;
#endif
#ifdef EMU_HAVE_LZMA
    case PayloadFormat::Xz:
    case PayloadFormat::Lzma: return true;
#endif
#ifdef EMU_HAVE_ZSTD
    case PayloadFormat::Zstd: return true;
#endif
#ifdef EMU_HAVE_LZ4
    case PayloadFormat::Lz4: return true;
#endif
#ifdef EMU_HAVE_BZIP2
    case PayloadFormat::Bzip2: return true;
#endif
    default: return false;
  }
}

PayloadFormat detect_payload_format(std::span<const uint8_t> d) {
  auto starts = [&](std::initializer_list<uint8_t> magic) {
    return d.size() >= magic.size() && std::equal(magic.begin(), magic.end(), d.begin());
  };
  if (starts({0x1f, 0x8b})) return PayloadFormat::Gzip;
  if (starts({0xfd, '7', 'z', 'X', 'Z', 0x00})) return PayloadFormat::Xz;
  if (starts({0x28, 0xb5, 0x2f, 0xfd})) return PayloadFormat::Zstd;
  if (starts({0x02, 0x21, 0x4c, 0x18})) return PayloadFormat::Lz4;
  if (starts({'B', 'Z', 'h'})) return PayloadFormat::Bzip2;
  if (starts({0x89, 'L', 'Z', 'O'})) return PayloadFormat::Lzo;
  if (starts({0x5d, 0x00, 0x00})) return PayloadFormat::Lzma;
  return PayloadFormat::Unknown;
}

PayloadLocation locate_bzimage_payload(std::span<const uint8_t> image, const std::string& name) {
  PayloadLocation loc;
  auto fail = [&](PayloadError e, const std::string& why) {
    loc.error = e;
    loc.message = name + ": " + why;
    return loc;
  };
  if (image.size() < 0x250 || std::memcmp(&image[kHeaderMagic], "HdrS", 4) != 0)
    return fail(PayloadError::NotBzImage, "not a bzImage (no \"HdrS\" setup header)");
  const uint16_t version = load_le16(&image[kVersion]);
  if (version < 0x0208) return fail(PayloadError::OldProtocol, "boot protocol older than 2.08 has no payload_offset");
  const uint64_t setup_sects = image[kSetupSects] ? image[kSetupSects] : 4;
  const uint64_t pm_start = (setup_sects + 1) * 512;
  const uint64_t offset = pm_start + load_le32(&image[kPayloadOffset]);
  const uint64_t length = load_le32(&image[kPayloadLength]);
  if (offset > image.size() || length > image.size() - offset)
    return fail(PayloadError::Corrupt, "truncated: the setup header places the " + std::to_string(length) +
                                           "-byte compressed kernel at offset " + std::to_string(offset) +
                                           " but the file has " + std::to_string(image.size()) + " bytes");
  if (length == 0) return fail(PayloadError::Corrupt, "the setup header gives an empty compressed kernel");
  loc.offset = offset;
  loc.length = length;
  loc.format = detect_payload_format(image.subspan(offset, length));
  if (loc.format == PayloadFormat::Unknown)
    return fail(PayloadError::UnknownFormat, "compressed kernel in an unknown format");
  return loc;
}

DecompressResult decompress_payload(std::span<const uint8_t> payload, PayloadFormat format, const std::string& name,
                                    uint64_t cap) {
  if (format == PayloadFormat::Unknown) return failure(PayloadError::UnknownFormat, name, "compressed kernel in an unknown format");
  if (!payload_format_built_in(format))
    return failure(PayloadError::NotBuiltIn, name,
                   std::string(payload_format_name(format)) + " kernels need " + library_of(format) + " (not built in)", format);
  switch (format) {
#ifdef EMU_HAVE_ZLIB
    case PayloadFormat::Gzip: return inflate_gzip(payload, name, cap);
#endif
#ifdef EMU_HAVE_LZMA
    case PayloadFormat::Xz:
    case PayloadFormat::Lzma: return unxz(payload, format, name, cap);
#endif
#ifdef EMU_HAVE_ZSTD
    case PayloadFormat::Zstd: return unzstd(payload, name, cap);
#endif
#ifdef EMU_HAVE_LZ4
    case PayloadFormat::Lz4: return unlz4_legacy(payload, name, cap);
#endif
#ifdef EMU_HAVE_BZIP2
    case PayloadFormat::Bzip2: return unbzip2(payload, name, cap);
#endif
    default: break;
  }
  return failure(PayloadError::NotBuiltIn, name, "no decompressor", format);
}

DecompressResult decompress_bzimage(std::span<const uint8_t> image, const std::string& name) {
  const PayloadLocation loc = locate_bzimage_payload(image, name);
  if (loc.error != PayloadError::None) {
    DecompressResult r;
    r.error = loc.error;
    r.message = loc.message;
    r.format = loc.format;
    return r;
  }
  return decompress_payload(image.subspan(loc.offset, loc.length), loc.format, name);
}

}  // namespace emu
