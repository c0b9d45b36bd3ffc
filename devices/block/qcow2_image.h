// A qcow2 image (QEMU's format, versions 2 and 3) as a BlockDevice. Reads walk the
// L1/L2 tables; unallocated clusters come from the backing image (raw or qcow2, opened
// read-only by the caller-supplied opener; a relative name is relative to the overlay's
// folder) or read as zeros, as do v3 zero clusters; zlib-compressed clusters are
// inflated. Writes allocate new clusters at the end of the file (copying the rest of the
// cluster from the backing image or the old cluster), keep the refcounts exact
// (allocating refcount blocks and growing the refcount table when needed) and order the
// metadata so a killed emu leaves an image `qemu-img check` accepts: refcount before
// data, data before the L2 entry, a new L2 table before its L1 entry. Metadata is
// written through at once (no write-back cache); flush() is fdatasync.
//
// Corrupt metadata found at run time (an entry pointing outside the file or into the
// image's own tables) turns into an I/O error for the guest and one line on stderr.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "devices/block/block_backend.h"
#include "devices/block/qcow2_format.h"

namespace emu {

class Qcow2Image : public BlockDevice {
 public:
  // Opens the backing image `path` (already resolved) read-only; `format` is the
  // backing-format extension's value, empty when the overlay does not name one.
  using BackingOpener = std::function<std::unique_ptr<BlockDevice>(const std::string& path, const std::string& format)>;

  // Throws BlockError naming the file for anything emu cannot (or must not) open.
  static std::unique_ptr<Qcow2Image> open(const std::string& path, bool read_only, const BackingOpener& open_backing);
  ~Qcow2Image() override;
  Qcow2Image(const Qcow2Image&) = delete;
  Qcow2Image& operator=(const Qcow2Image&) = delete;

  uint64_t size_bytes() const override { return header_.size; }
  bool read_only() const override { return read_only_; }
  bool read(uint64_t offset, void* buf, size_t len) override;
  bool write(uint64_t offset, const void* buf, size_t len) override;
  bool flush() override;

 private:
  Qcow2Image(std::string path, int fd, bool read_only, qcow2::Header header, uint64_t file_size);
  void load_tables();  // at open: L1 and refcount tables, refcount-block scan (throws)

  // Problems found while running: one stderr line, then the caller reports an I/O error.
  bool corrupt(const std::string& what);

  // Table access (entries in host order); nullptr after reporting a problem.
  const std::vector<uint64_t>* l2_table(uint64_t l2_offset);
  std::vector<uint8_t>* refcount_block(uint64_t block_offset);
  bool is_metadata(uint64_t cluster_offset) const;
  // Bits a standard L2 entry must not set (the zero flag exists from version 3 on).
  uint64_t l2_reserved_bits() const { return qcow2::kL2Reserved | (header_.version < 3 ? qcow2::kZeroFlag : 0); }

  // Reading one piece that lies within a single guest cluster.
  bool read_piece(uint64_t offset, uint8_t* out, size_t len);
  bool read_unallocated(uint64_t offset, uint8_t* out, size_t len, bool zero);
  bool read_compressed(uint64_t entry, uint64_t within, uint8_t* out, size_t len);
  bool read_host(uint64_t host, uint8_t* out, size_t len);  // bytes past EOF read as zeros

  // Writing one piece within a single guest cluster.
  bool write_piece(uint64_t offset, const uint8_t* in, size_t len);
  bool l2_for_write(uint64_t l1_index, uint64_t* l2_offset);
  bool set_l2_entry(uint64_t l2_offset, uint64_t index, uint64_t entry);

  // Refcounts and allocation.
  uint64_t refcount_entries_per_block() const { return header_.cluster_size() * 8 / header_.refcount_bits(); }
  bool get_refcount(uint64_t host, uint64_t* value);
  bool set_refcount(uint64_t host, uint64_t value);
  bool set_block_entry(uint64_t block_offset, uint64_t index, uint64_t value);
  bool ensure_refcount_block(uint64_t table_index);
  bool grow_refcount_table(uint64_t min_entries);
  bool release(uint64_t l2_entry);  // drop the references an old L2 entry held
  uint64_t allocate_cluster();      // refcount 1 written; 0 on failure
  bool write_file(const void* data, size_t len, uint64_t offset);

  std::string path_;
  int fd_;
  bool read_only_;
  qcow2::Header header_;
  uint64_t file_end_;   // bytes in the file (grows as emu writes)
  uint64_t alloc_end_;  // next free cluster: past the file and every refcounted cluster
  std::unique_ptr<BlockDevice> backing_;
  std::vector<uint64_t> l1_;
  std::vector<uint64_t> refcount_table_;
  uint64_t refcount_table_offset_;
  uint64_t refcount_table_clusters_;
  std::unordered_map<uint64_t, std::vector<uint64_t>> l2_cache_;
  std::unordered_map<uint64_t, std::vector<uint8_t>> refcount_cache_;
  std::unordered_set<uint64_t> l2_offsets_;        // clusters holding L2 tables
  std::unordered_set<uint64_t> refblock_offsets_;  // clusters holding refcount blocks
  uint64_t compressed_entry_ = 0;                  // the cluster inflated last
  std::vector<uint8_t> compressed_data_;
  unsigned reported_ = 0;
};

}  // namespace emu
