// Builders for the synthetic test inputs (see test_images.h).
#include "test_images.h"

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

namespace emu::test {

std::vector<uint8_t> sample_bytes(size_t size, uint32_t seed) {
  std::vector<uint8_t> out(size);
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < size; i++) {
    x = x * 1103515245u + 12345u;
    // Mostly a few repeating symbols with some noise: compresses, but not to nothing.
    out[i] = (x >> 28) < 12 ? static_cast<uint8_t>("mov eax, [rbp-8]\n"[i % 17]) : static_cast<uint8_t>(x >> 16);
  }
  return out;
}

namespace {

std::vector<uint8_t> compress_raw(std::span<const uint8_t> data, PayloadFormat format) {
  std::vector<uint8_t> out;
  switch (format) {
#ifdef EMU_HAVE_ZLIB
    case PayloadFormat::Gzip: {
      z_stream s{};
      deflateInit2(&s, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
      out.resize(deflateBound(&s, data.size()) + 64);
      s.next_in = const_cast<Bytef*>(data.data());
      s.avail_in = static_cast<uInt>(data.size());
      s.next_out = out.data();
      s.avail_out = static_cast<uInt>(out.size());
      if (deflate(&s, Z_FINISH) != Z_STREAM_END) return {};
      out.resize(s.total_out);
      deflateEnd(&s);
      return out;
    }
#endif
#ifdef EMU_HAVE_LZMA
    case PayloadFormat::Xz: {
      // As scripts/Makefile.lib's xzkern: x86 BCJ filter + LZMA2, CRC32 check.
      lzma_options_lzma opt;
      lzma_lzma_preset(&opt, 6);
      lzma_filter filters[3] = {{LZMA_FILTER_X86, nullptr}, {LZMA_FILTER_LZMA2, &opt}, {LZMA_VLI_UNKNOWN, nullptr}};
      out.resize(lzma_stream_buffer_bound(data.size()));
      size_t pos = 0;
      if (lzma_stream_buffer_encode(filters, LZMA_CHECK_CRC32, nullptr, data.data(), data.size(), out.data(), &pos,
                                    out.size()) != LZMA_OK)
        return {};
      out.resize(pos);
      return out;
    }
    case PayloadFormat::Lzma: {
      lzma_options_lzma opt;
      lzma_lzma_preset(&opt, 6);
      lzma_stream s = LZMA_STREAM_INIT;
      if (lzma_alone_encoder(&s, &opt) != LZMA_OK) return {};
      out.resize(data.size() + data.size() / 2 + 4096);
      s.next_in = data.data();
      s.avail_in = data.size();
      s.next_out = out.data();
      s.avail_out = out.size();
      const lzma_ret r = lzma_code(&s, LZMA_FINISH);
      out.resize(s.total_out);
      lzma_end(&s);
      if (r != LZMA_STREAM_END) return {};
      return out;
    }
#endif
#ifdef EMU_HAVE_ZSTD
    case PayloadFormat::Zstd: {
      // As the zstd command line the kernel build runs: with a content checksum.
      ZSTD_CCtx* ctx = ZSTD_createCCtx();
      ZSTD_CCtx_setParameter(ctx, ZSTD_c_compressionLevel, 19);
      ZSTD_CCtx_setParameter(ctx, ZSTD_c_checksumFlag, 1);
      out.resize(ZSTD_compressBound(data.size()));
      const size_t n = ZSTD_compress2(ctx, out.data(), out.size(), data.data(), data.size());
      ZSTD_freeCCtx(ctx);
      if (ZSTD_isError(n)) return {};
      out.resize(n);
      return out;
    }
#endif
#ifdef EMU_HAVE_LZ4
    case PayloadFormat::Lz4: {
      // The legacy frame of `lz4 -l`: magic, then (size, block) per 8 MiB of input.
      constexpr size_t kBlock = 8u << 20;
      out.resize(4);
      store_le32(out.data(), 0x184c2102);
      for (size_t pos = 0; pos < data.size(); pos += kBlock) {
        const size_t n = std::min(kBlock, data.size() - pos);
        const size_t at = out.size();
        out.resize(at + 4 + static_cast<size_t>(LZ4_compressBound(static_cast<int>(n))));
        const int c = LZ4_compress_default(reinterpret_cast<const char*>(data.data() + pos), reinterpret_cast<char*>(&out[at + 4]),
                                           static_cast<int>(n), static_cast<int>(out.size() - at - 4));
        if (c <= 0) return {};
        store_le32(&out[at], static_cast<uint32_t>(c));
        out.resize(at + 4 + static_cast<size_t>(c));
      }
      return out;
    }
#endif
#ifdef EMU_HAVE_BZIP2
    case PayloadFormat::Bzip2: {
      unsigned len = static_cast<unsigned>(data.size() + data.size() / 100 + 1024);
      out.resize(len);
      if (BZ2_bzBuffToBuffCompress(reinterpret_cast<char*>(out.data()), &len,
                                   const_cast<char*>(reinterpret_cast<const char*>(data.data())), static_cast<unsigned>(data.size()),
                                   9, 0, 0) != BZ_OK)
        return {};
      out.resize(len);
      return out;
    }
#endif
    default: return {};
  }
}

void put_note(std::vector<uint8_t>& out, uint64_t entry, unsigned desc_size) {
  const size_t at = out.size();
  out.resize(at + 12 + 4 + desc_size);
  store_le32(&out[at], 4);
  store_le32(&out[at + 4], desc_size);
  store_le32(&out[at + 8], 18);
  std::memcpy(&out[at + 12], "Xen", 4);
  if (desc_size == 8) store_le64(&out[at + 16], entry);
  else store_le32(&out[at + 16], static_cast<uint32_t>(entry));
}

}  // namespace

std::vector<uint8_t> compress_like_kernel(std::span<const uint8_t> data, PayloadFormat format) {
  std::vector<uint8_t> out = compress_raw(data, format);
  if (out.empty()) return out;
  const size_t at = out.size();
  out.resize(at + 4);
  store_le32(&out[at], static_cast<uint32_t>(data.size()));  // scripts/Makefile.lib size_append
  return out;
}

std::vector<uint8_t> wrap_in_bzimage(std::span<const uint8_t> payload) {
  const unsigned setup_sects = 4;
  const size_t pm_start = (setup_sects + 1) * 512;
  const size_t payload_offset = 0x3a0;  // past a pretend decompressor stub
  std::vector<uint8_t> img(pm_start + payload_offset + payload.size() + 0x100, 0xcc);
  std::fill(img.begin(), img.begin() + pm_start, uint8_t{0});
  img[0x1f1] = setup_sects;
  store_le16(&img[0x1fe], 0xaa55);
  img[0x200] = 0xeb;
  img[0x201] = 0x66;
  std::memcpy(&img[0x202], "HdrS", 4);
  store_le16(&img[0x206], 0x020f);
  img[0x211] = 0x01;
  store_le32(&img[0x248], static_cast<uint32_t>(payload_offset));
  store_le32(&img[0x24c], static_cast<uint32_t>(payload.size()));
  std::copy(payload.begin(), payload.end(), img.begin() + static_cast<ptrdiff_t>(pm_start + payload_offset));
  return img;
}

std::vector<uint8_t> make_elf_kernel(const std::vector<TestSegment>& segments, const TestElfOptions& o) {
  const size_t ehsize = o.is64 ? 64 : 52, phentsize = o.is64 ? 56 : 32, shentsize = o.is64 ? 64 : 40;
  std::vector<uint8_t> note;
  if (o.pvh_entry) {
    // An unrelated note first, as real kernels carry several (Linux's build id etc.).
    const size_t at = note.size();
    note.resize(at + 12 + 4 + 8);
    store_le32(&note[at], 4);
    store_le32(&note[at + 4], 8);
    store_le32(&note[at + 8], 3);
    std::memcpy(&note[at + 12], "GNU", 4);
    put_note(note, *o.pvh_entry, o.pvh_desc_size);
  }
  const bool note_phdr = o.pvh_entry && !o.note_in_section_only;
  const size_t phnum = segments.size() + (note_phdr ? 1 : 0);
  const size_t phoff = ehsize;
  size_t data = phoff + phnum * phentsize;
  std::vector<uint8_t> f(data, 0);
  auto append = [&](const std::vector<uint8_t>& bytes) {
    const size_t at = (f.size() + 15) & ~size_t{15};
    f.resize(at);
    f.insert(f.end(), bytes.begin(), bytes.end());
    return at;
  };
  std::vector<size_t> seg_off;
  for (const auto& s : segments) seg_off.push_back(append(s.bytes));
  const size_t note_off = append(note);
  size_t shoff = 0;
  const size_t shnum = o.pvh_entry ? 2 : 0;  // null section + the note section
  if (shnum) {
    shoff = (f.size() + 7) & ~size_t{7};
    f.resize(shoff + shnum * shentsize, 0);
    uint8_t* sh = &f[shoff + shentsize];
    store_le32(sh + 4, 7);  // SHT_NOTE
    if (o.is64) {
      store_le64(sh + 24, note_off);
      store_le64(sh + 32, note.size());
    } else {
      store_le32(sh + 16, static_cast<uint32_t>(note_off));
      store_le32(sh + 20, static_cast<uint32_t>(note.size()));
    }
  }
  std::memcpy(f.data(), "\x7f" "ELF", 4);
  f[4] = o.is64 ? 2 : 1;
  f[5] = 1;
  f[6] = 1;
  store_le16(&f[16], 2);                // ET_EXEC
  store_le16(&f[18], o.is64 ? 62 : 3);  // x86-64 / i386
  store_le32(&f[20], 1);
  auto ph = [&](size_t i, uint32_t type, uint64_t off, uint64_t paddr, uint64_t filesz, uint64_t memsz) {
    uint8_t* p = &f[phoff + i * phentsize];
    store_le32(p, type);
    if (o.is64) {
      store_le64(p + 8, off);
      store_le64(p + 16, paddr + 0xffffffff80000000ull);
      store_le64(p + 24, paddr);
      store_le64(p + 32, filesz);
      store_le64(p + 40, memsz);
    } else {
      store_le32(p + 4, static_cast<uint32_t>(off));
      store_le32(p + 8, static_cast<uint32_t>(paddr + 0xc0000000u));
      store_le32(p + 12, static_cast<uint32_t>(paddr));
      store_le32(p + 16, static_cast<uint32_t>(filesz));
      store_le32(p + 20, static_cast<uint32_t>(memsz));
    }
  };
  for (size_t i = 0; i < segments.size(); i++)
    ph(i, 1, seg_off[i], segments[i].paddr, segments[i].bytes.size(), segments[i].mem_size);
  if (note_phdr) ph(segments.size(), 4, note_off, 0, note.size(), 0);
  if (o.is64) {
    store_le64(&f[24], 0xffffffff81000000ull);
    store_le64(&f[32], phoff);
    store_le64(&f[40], shoff);
    store_le16(&f[52], static_cast<uint16_t>(ehsize));
    store_le16(&f[54], static_cast<uint16_t>(phentsize));
    store_le16(&f[56], static_cast<uint16_t>(phnum));
    store_le16(&f[58], static_cast<uint16_t>(shentsize));
    store_le16(&f[60], static_cast<uint16_t>(shnum));
  } else {
    store_le32(&f[24], 0xc1000000u);
    store_le32(&f[28], static_cast<uint32_t>(phoff));
    store_le32(&f[32], static_cast<uint32_t>(shoff));
    store_le16(&f[40], static_cast<uint16_t>(ehsize));
    store_le16(&f[42], static_cast<uint16_t>(phentsize));
    store_le16(&f[44], static_cast<uint16_t>(phnum));
    store_le16(&f[46], static_cast<uint16_t>(shentsize));
    store_le16(&f[48], static_cast<uint16_t>(shnum));
  }
  return f;
}

}  // namespace emu::test
