// qcow2 header parsing and validation (see qcow2_format.h).
#include "devices/block/qcow2_format.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <sstream>

#include "base/endian.h"
#include "devices/block/block_backend.h"

namespace emu::qcow2 {

uint64_t load_be64(const uint8_t* p) { return byte_swap(load_le64(p)); }
uint32_t load_be32(const uint8_t* p) { return byte_swap(load_le32(p)); }
void store_be64(uint8_t* p, uint64_t v) { store_le64(p, byte_swap(v)); }
void store_be32(uint8_t* p, uint32_t v) { store_le32(p, byte_swap(v)); }

bool has_magic(const uint8_t* head, size_t len) { return len >= 4 && std::memcmp(head, kMagic, 4) == 0; }

namespace {

std::string hex(uint64_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

struct Range {
  uint64_t start, end;
  const char* name;
};

}  // namespace

Header parse_header(const std::vector<uint8_t>& buf, uint64_t file_size, bool writable, const std::string& path) {
  auto fail = [&](const std::string& why) -> void { throw BlockError(path + ": qcow2: " + why); };
  if (buf.size() < 72) fail("file too short for a header");
  const uint8_t* p = buf.data();
  if (!has_magic(p, buf.size())) fail("bad magic");
  Header h;
  h.version = load_be32(p + 4);
  if (h.version != 2 && h.version != 3) fail("unsupported version " + std::to_string(h.version));
  uint64_t backing_offset = load_be64(p + 8);
  uint32_t backing_size = load_be32(p + 16);
  h.cluster_bits = load_be32(p + 20);
  if (h.cluster_bits < kMinClusterBits || h.cluster_bits > kMaxClusterBits)
    fail("cluster_bits " + std::to_string(h.cluster_bits) + " out of range (9..21: 512 B..2 MiB clusters)");
  const uint64_t cs = h.cluster_size();
  if (buf.size() < std::min<uint64_t>(cs, file_size)) fail("header cluster truncated");
  h.size = load_be64(p + 24);
  uint32_t crypt = load_be32(p + 32);
  h.l1_size = load_be32(p + 36);
  h.l1_table_offset = load_be64(p + 40);
  h.refcount_table_offset = load_be64(p + 48);
  h.refcount_table_clusters = load_be32(p + 56);
  h.nb_snapshots = load_be32(p + 60);
  uint64_t ext_start = 72;
  if (h.version >= 3) {
    if (buf.size() < 104) fail("file too short for a version 3 header");
    h.incompatible_features = load_be64(p + 72);
    h.autoclear_features = load_be64(p + 88);
    h.refcount_order = load_be32(p + 96);
    uint32_t header_length = load_be32(p + 100);
    if (header_length < 104 || header_length % 8 != 0 || header_length > std::min<uint64_t>(cs, buf.size()))
      fail("invalid header_length " + std::to_string(header_length));
    if (h.refcount_order > 6) fail("refcount_order " + std::to_string(h.refcount_order) + " out of range (0..6)");
    uint8_t compression_type = header_length > 104 ? p[104] : 0;
    if (compression_type != 0 || (h.incompatible_features & kIncompatCompression))
      fail("compression type " + std::to_string(compression_type) + " (zstd) is not supported (only zlib)");
    ext_start = header_length;
  }
  std::map<int, std::string> incompatible_names;  // from the feature name table
  // Header extensions: between the header and the backing file name (or the cluster end).
  const uint64_t area_end = std::min<uint64_t>(
      buf.size(), backing_offset != 0 && backing_offset > ext_start ? backing_offset : cs);
  for (uint64_t off = ext_start; off + 8 <= area_end;) {
    uint32_t type = load_be32(p + off);
    uint32_t len = load_be32(p + off + 4);
    if (type == kExtEnd) break;
    if (len > area_end - off - 8) fail("header extension " + hex(type) + " runs past the header area");
    if (type == kExtBackingFormat) h.backing_format.assign(reinterpret_cast<const char*>(p + off + 8), len);
    if (type == kExtFeatureNames)
      for (uint64_t e = off + 8; e + 48 <= off + 8 + len; e += 48)
        if (p[e] == 0) {
          const char* name = reinterpret_cast<const char*>(p + e + 2);
          incompatible_names[p[e + 1]] = std::string(name, strnlen(name, 46));
        }
    off += 8 + (uint64_t{len} + 7) / 8 * 8;
  }

  if (crypt != 0) fail("encrypted images are not supported (crypt_method " + std::to_string(crypt) + ")");
  const uint64_t f = h.incompatible_features;
  if (f & kIncompatDataFile) fail("external data files are not supported");
  if (f & kIncompatExtendedL2) fail("extended L2 entries (subclusters) are not supported");
  const uint64_t known = kIncompatDirty | kIncompatCorrupt | kIncompatDataFile | kIncompatCompression | kIncompatExtendedL2;
  if (f & ~known) {
    std::string names;
    for (int bit = 0; bit < 64; bit++)
      if ((f & ~known) >> bit & 1) {
        if (auto it = incompatible_names.find(bit); it != incompatible_names.end())
          names += (names.empty() ? " (" : ", ") + it->second;
      }
    fail("unknown incompatible feature bits " + hex(f & ~known) + (names.empty() ? "" : names + ")"));
  }
  if (writable && (f & kIncompatCorrupt))
    fail("image is marked corrupt; repair it with qemu-img check -r all (or open it read-only)");
  if (writable && (f & kIncompatDirty))
    fail("image is marked dirty (lazy refcounts, not closed cleanly); repair it with qemu-img check -r all");
  if (writable && h.nb_snapshots != 0)
    fail("image has " + std::to_string(h.nb_snapshots) +
         " internal snapshot(s); emu writes only images without them (use -snapshot or readonly=on)");

  // Virtual size and the L1 table that must cover it.
  if (h.size > (1ull << 56)) fail("virtual size " + std::to_string(h.size) + " is too large");
  const uint64_t per_l2 = cs * h.l2_entries();
  const uint64_t l1_needed = (h.size + per_l2 - 1) / per_l2;
  if (h.l1_size < l1_needed)
    fail("L1 table has " + std::to_string(h.l1_size) + " entries, the virtual size needs " + std::to_string(l1_needed));
  const uint64_t l1_bytes = uint64_t{h.l1_size} * 8;
  if (l1_bytes > kMaxL1Bytes) fail("L1 table of " + std::to_string(h.l1_size) + " entries is too large");
  if (h.l1_size != 0 && (h.l1_table_offset % cs != 0 || h.l1_table_offset == 0 || h.l1_table_offset > file_size ||
                         l1_bytes > file_size - h.l1_table_offset))
    fail("L1 table at " + hex(h.l1_table_offset) + " (" + std::to_string(l1_bytes) +
         " bytes) is unaligned or outside the file (size " + std::to_string(file_size) + ")");

  // Refcount table.
  const uint64_t rt_bytes = uint64_t{h.refcount_table_clusters} * cs;
  if (h.refcount_table_clusters == 0 || rt_bytes > kMaxRefcountTableBytes)
    fail("refcount table size of " + std::to_string(h.refcount_table_clusters) + " clusters is invalid");
  if (h.refcount_table_offset % cs != 0 || h.refcount_table_offset == 0 || h.refcount_table_offset > file_size ||
      rt_bytes > file_size - h.refcount_table_offset)
    fail("refcount table at " + hex(h.refcount_table_offset) + " (" + std::to_string(rt_bytes) +
         " bytes) is unaligned or outside the file (size " + std::to_string(file_size) + ")");

  // The header cluster, the L1 table and the refcount table must not overlap.
  const Range ranges[] = {{0, cs, "header"},
                          {h.l1_table_offset, h.l1_table_offset + (l1_bytes + cs - 1) / cs * cs, "L1 table"},
                          {h.refcount_table_offset, h.refcount_table_offset + rt_bytes, "refcount table"}};
  for (size_t i = 0; i < 3; i++)
    for (size_t j = i + 1; j < 3; j++) {
      const Range &a = ranges[i], &b = ranges[j];
      if (a.start == a.end || b.start == b.end) continue;
      if (a.start < b.end && b.start < a.end)
        fail(std::string(a.name) + " and " + b.name + " overlap (at " + hex(a.start) + " and " + hex(b.start) + ")");
    }

  if (backing_offset != 0) {
    if (backing_size == 0 || backing_size > kMaxBackingNameLen)
      fail("backing file name length " + std::to_string(backing_size) + " is invalid (1..1023)");
    if (backing_offset > buf.size() || backing_size > buf.size() - backing_offset)
      fail("backing file name at " + hex(backing_offset) + " lies outside the header cluster");
    h.backing_file.assign(reinterpret_cast<const char*>(p + backing_offset), backing_size);
    if (h.backing_file.find('\0') != std::string::npos) fail("backing file name contains a NUL byte");
  }
  return h;
}

}  // namespace emu::qcow2
