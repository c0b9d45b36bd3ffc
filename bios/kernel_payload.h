// The compressed kernel inside a bzImage: where the setup header says it is
// (payload_offset/payload_length, boot protocol 2.08+), which compressor made it
// (recognised by magic), and its decompression on the host into the ELF vmlinux.
// Each decompressor is optional at build time; a missing one is reported by name.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace emu {

enum class PayloadFormat { Unknown, Gzip, Xz, Lzma, Bzip2, Lzo, Lz4, Zstd };

// "gzip", "xz", ... ("unknown" for Unknown).
const char* payload_format_name(PayloadFormat format);
// True when this build links the library that decompresses `format`.
bool payload_format_built_in(PayloadFormat format);
// Recognises a compressed stream by its leading magic bytes.
PayloadFormat detect_payload_format(std::span<const uint8_t> data);

// Why decompression did not produce a vmlinux. The board falls back to the ordinary
// boot protocol for NotBzImage/OldProtocol/UnknownFormat/NotBuiltIn; Corrupt means
// the file itself is broken (the in-guest decompressor would fail too).
enum class PayloadError { None, NotBzImage, OldProtocol, UnknownFormat, NotBuiltIn, Corrupt, TooLarge };

struct PayloadLocation {
  PayloadError error = PayloadError::None;
  std::string message;   // when error != None: one line naming the file
  uint64_t offset = 0;   // byte offset of the payload in the bzImage file
  uint64_t length = 0;
  PayloadFormat format = PayloadFormat::Unknown;
};

struct DecompressResult {
  PayloadError error = PayloadError::None;
  std::string message;  // when error != None: one line naming the file
  PayloadFormat format = PayloadFormat::Unknown;
  std::vector<uint8_t> data;
  bool ok() const { return error == PayloadError::None; }
};

// Largest vmlinux accepted (a guard against decompression bombs).
inline constexpr uint64_t kMaxVmlinuxBytes = 1ull << 30;

// Finds the payload through the setup header; checks it lies within the file.
PayloadLocation locate_bzimage_payload(std::span<const uint8_t> image, const std::string& name);
// Decompresses one payload stream of a known format (trailing bytes after the stream,
// such as the kernel's appended 4-byte size, are ignored). Output beyond `max_bytes`
// fails with TooLarge.
DecompressResult decompress_payload(std::span<const uint8_t> payload, PayloadFormat format, const std::string& name,
                                    uint64_t max_bytes = kMaxVmlinuxBytes);
// locate + detect + decompress: the bzImage's vmlinux.
DecompressResult decompress_bzimage(std::span<const uint8_t> image, const std::string& name);

}  // namespace emu
