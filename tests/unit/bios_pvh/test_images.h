// Synthetic inputs for the PVH boot tests: compressed payloads made with the same
// libraries the loader uses, bzImages wrapping them, and small ELF kernels with a
// Xen PHYS32_ENTRY note.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "bios/kernel_payload.h"

namespace emu::test {

// Deterministic, moderately compressible bytes (what a kernel image looks like to a compressor).
std::vector<uint8_t> sample_bytes(size_t size, uint32_t seed = 1);

// Compresses `data` as the kernel build does for `format` (including the appended
// 32-bit uncompressed size). Empty when the library is not built into the tests.
std::vector<uint8_t> compress_like_kernel(std::span<const uint8_t> data, PayloadFormat format);

// A bzImage (boot protocol 2.15, 4 setup sectors) whose payload_offset/length point at `payload`.
std::vector<uint8_t> wrap_in_bzimage(std::span<const uint8_t> payload);

struct TestSegment {
  uint64_t paddr;
  std::vector<uint8_t> bytes;
  uint64_t mem_size;  // >= bytes.size()
};

struct TestElfOptions {
  bool is64 = true;
  std::optional<uint64_t> pvh_entry;  // Xen note added when set
  unsigned pvh_desc_size = 4;         // 4 or 8 bytes, as head.S emits on 32/64-bit
  bool note_in_section_only = false;  // note reachable through SHT_NOTE only, not PT_NOTE
};

std::vector<uint8_t> make_elf_kernel(const std::vector<TestSegment>& segments, const TestElfOptions& options);

}  // namespace emu::test
