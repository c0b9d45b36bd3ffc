// Copy-on-write overlay over a read-only base image. Reads of clusters never written
// come from the base; the first write to a cluster copies it into the overlay file.
// Used for (1) `-snapshot`: an anonymous temporary overlay file (created and unlinked
// at once, so it disappears with the process) leaves the image byte-identical, and
// (2) persistent overlay files in emu's own format, documented here:
//
//   offset 0, 4096-byte header, little-endian:
//     0  char[8] magic "EMUCOW\r\n"
//     8  u32     version (1)
//     12 u32     cluster size in bytes (power of two, 4 KiB .. 2 MiB)
//     16 u64     virtual size in bytes (must equal the base image's size)
//     24 u64     bitmap offset (4096)
//     32 u64     data offset (cluster-aligned, after the bitmap)
//     40 u32     length of the base image path
//     44 char[]  base image path (relative paths are relative to the overlay's folder)
//   bitmap: one bit per cluster (bit i%8 of byte i/8), 1 = cluster is in the overlay
//   data: cluster i lives at data offset + i * cluster size (the file is sparse)
//
// A cluster's data is written before its bitmap bit, so a crash can lose at most the
// unflushed writes, never expose a half-copied cluster as allocated. flush() syncs.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "devices/block/block_backend.h"

namespace emu {

class CowOverlay : public BlockDevice {
 public:
  static constexpr uint32_t kDefaultClusterSize = 64 * 1024;

  // Creates a new overlay file (fails if it exists) over `base_path` and opens it.
  static std::unique_ptr<CowOverlay> create(const std::string& overlay_path, const std::string& base_path,
                                            uint32_t cluster_size = kDefaultClusterSize);
  // Opens an existing overlay file and its base (read-only). Throws BlockError naming
  // the file for a missing file, a corrupt header or a base of the wrong size.
  static std::unique_ptr<CowOverlay> open(const std::string& overlay_path);
  // `-snapshot`: an anonymous overlay in $TMPDIR (or /tmp) over `base`.
  static std::unique_ptr<CowOverlay> temporary(std::unique_ptr<BlockDevice> base,
                                               uint32_t cluster_size = kDefaultClusterSize);
  ~CowOverlay() override;
  CowOverlay(const CowOverlay&) = delete;
  CowOverlay& operator=(const CowOverlay&) = delete;

  uint64_t size_bytes() const override { return size_; }
  bool read_only() const override { return false; }
  bool read(uint64_t offset, void* buf, size_t len) override;
  bool write(uint64_t offset, const void* buf, size_t len) override;
  bool flush() override;
  uint64_t allocated_clusters() const;

 private:
  CowOverlay(std::unique_ptr<BlockDevice> base, int fd, uint32_t cluster_size, uint64_t data_offset);
  static void write_header(int fd, const std::string& path, uint64_t size, uint32_t cluster_size,
                           const std::string& base_path, uint64_t* data_offset);
  bool allocated(uint64_t cluster) const { return bitmap_[cluster / 8] & (1u << (cluster % 8)); }
  bool copy_up(uint64_t cluster);

  std::unique_ptr<BlockDevice> base_;
  int fd_;
  uint32_t cluster_size_;
  uint64_t size_;
  uint64_t data_offset_;
  std::vector<uint8_t> bitmap_;
};

}  // namespace emu
