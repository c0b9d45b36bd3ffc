// The qcow2 on-disk format (QEMU's docs/interop/qcow2.txt), versions 2 and 3: header
// fields, header extensions, the bits of L1/L2/refcount-table entries, and the parser
// that validates a header against the file it came from. Everything here is untrusted
// input: parse_header() checks every offset and size it returns (tables inside
// the file, cluster-aligned, not overlapping each other or the header) and refuses
// features emu does not implement, so the backend (qcow2_image.*) can rely on them.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace emu::qcow2 {

constexpr uint8_t kMagic[4] = {'Q', 'F', 'I', 0xfb};
constexpr uint32_t kMinClusterBits = 9, kMaxClusterBits = 21;  // 512 B .. 2 MiB
constexpr uint64_t kMaxL1Bytes = 32ull << 20;                  // QEMU's limits
constexpr uint64_t kMaxRefcountTableBytes = 8ull << 20;
constexpr uint32_t kMaxBackingNameLen = 1023;

// Incompatible feature bits.
constexpr uint64_t kIncompatDirty = 1ull << 0;
constexpr uint64_t kIncompatCorrupt = 1ull << 1;
constexpr uint64_t kIncompatDataFile = 1ull << 2;
constexpr uint64_t kIncompatCompression = 1ull << 3;
constexpr uint64_t kIncompatExtendedL2 = 1ull << 4;

// Header extension types.
constexpr uint32_t kExtEnd = 0;
constexpr uint32_t kExtBackingFormat = 0xe2792aca;
constexpr uint32_t kExtFeatureNames = 0x6803f857;  // 48-byte entries: type, bit, name[46]

// Table entries.
constexpr uint64_t kOffsetMask = 0x00fffffffffffe00ull;  // bits 9..55: cluster offset
constexpr uint64_t kCopied = 1ull << 63;                 // refcount is exactly one
constexpr uint64_t kCompressed = 1ull << 62;             // L2: compressed cluster
constexpr uint64_t kZeroFlag = 1ull << 0;                // L2 (v3): reads as zeros
constexpr uint64_t kL1Reserved = ~(kOffsetMask | kCopied);
constexpr uint64_t kL2Reserved = ~(kOffsetMask | kCopied | kCompressed | kZeroFlag);
constexpr uint64_t kRefTableReserved = 0x1ffull;

struct Header {
  uint32_t version = 0;
  uint32_t cluster_bits = 0;
  uint64_t size = 0;  // virtual disk size in bytes
  uint32_t l1_size = 0;
  uint64_t l1_table_offset = 0;
  uint64_t refcount_table_offset = 0;
  uint32_t refcount_table_clusters = 0;
  uint32_t nb_snapshots = 0;
  uint64_t incompatible_features = 0;
  uint64_t autoclear_features = 0;
  uint32_t refcount_order = 4;
  std::string backing_file;    // empty: none
  std::string backing_format;  // from the backing-format extension; empty: probe

  uint64_t cluster_size() const { return 1ull << cluster_bits; }
  uint64_t l2_entries() const { return cluster_size() / 8; }
  uint32_t refcount_bits() const { return 1u << refcount_order; }
};

// Header byte offsets emu rewrites.
constexpr uint64_t kRefcountTableOffsetField = 48;  // u64 offset, then u32 clusters
constexpr uint64_t kAutoclearField = 88;

// True when `head` (at least 4 bytes) starts with the qcow2 magic.
bool has_magic(const uint8_t* head, size_t len);

// Parses and validates the header in `first_cluster` (the file's first cluster, or the
// whole file when shorter). `writable`: the image will be written, which additionally
// refuses the dirty and corrupt bits and internal snapshots. Throws BlockError
// "<path>: ..." naming the problem.
Header parse_header(const std::vector<uint8_t>& first_cluster, uint64_t file_size, bool writable,
                    const std::string& path);

// Big-endian helpers for on-disk fields.
uint64_t load_be64(const uint8_t* p);
uint32_t load_be32(const uint8_t* p);
void store_be64(uint8_t* p, uint64_t v);
void store_be32(uint8_t* p, uint32_t v);

}  // namespace emu::qcow2
