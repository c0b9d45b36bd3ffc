// qcow2 backend (see qcow2_image.h; the format is in qcow2_format.h).
#include "devices/block/qcow2_image.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "devices/block/image_file.h"

#ifdef EMU_HAVE_ZLIB
#include <zlib.h>
#endif

namespace emu {
namespace {

using qcow2::load_be64;
using qcow2::store_be64;

constexpr uint64_t kCacheBytes = 32ull << 20;  // per table cache (L2 tables, refcount blocks)
constexpr uint64_t kMaxUsedPastEnd = 1024;      // clusters refcounted past the end of the file

std::string hex(uint64_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

std::string resolve_backing(const std::string& overlay, const std::string& name) {
  if (name.empty() || name[0] == '/') return name;
  auto slash = overlay.rfind('/');
  return slash == std::string::npos ? name : overlay.substr(0, slash + 1) + name;
}

// Refcount block entries are `bits` wide (1..64); sub-byte entries start at bit 0.
uint64_t get_entry(const uint8_t* block, uint64_t index, uint32_t bits) {
  if (bits < 8) {
    uint64_t bit = index * bits;
    return (block[bit / 8] >> (bit % 8)) & ((1u << bits) - 1);
  }
  uint64_t v = 0;
  for (uint32_t i = 0; i < bits / 8; i++) v = (v << 8) | block[index * (bits / 8) + i];
  return v;
}

// Stores the entry; returns the byte range [*first, *first + *count) that changed.
void put_entry(uint8_t* block, uint64_t index, uint32_t bits, uint64_t value, uint64_t* first, uint64_t* count) {
  if (bits < 8) {
    uint64_t bit = index * bits;
    uint8_t mask = static_cast<uint8_t>(((1u << bits) - 1) << (bit % 8));
    block[bit / 8] = static_cast<uint8_t>((block[bit / 8] & ~mask) | ((value << (bit % 8)) & mask));
    *first = bit / 8;
    *count = 1;
    return;
  }
  const uint32_t n = bits / 8;
  for (uint32_t i = 0; i < n; i++) block[index * n + i] = static_cast<uint8_t>(value >> (8 * (n - 1 - i)));
  *first = index * n;
  *count = n;
}

// Where a compressed cluster's data lies: from `host` (any byte offset) for `bytes`,
// which is up to the end of the last 512-byte sector it occupies.
struct CompressedExtent {
  uint64_t host, bytes;
};
CompressedExtent compressed_extent(uint64_t e, uint32_t cluster_bits) {
  const uint32_t x = 62 - (cluster_bits - 8);
  const uint64_t host = e & ((1ull << x) - 1);
  const uint64_t sectors = ((e >> x) & ((1ull << (62 - x)) - 1)) + 1;
  return {host, sectors * 512 - (host & 511)};
}

template <typename Map>
void make_room(Map& cache, uint64_t cluster_size) {
  if (cache.size() >= std::max<uint64_t>(16, kCacheBytes / cluster_size)) cache.clear();
}

}  // namespace

Qcow2Image::Qcow2Image(std::string path, int fd, bool read_only, qcow2::Header header, uint64_t file_size)
    : path_(std::move(path)), fd_(fd), read_only_(read_only), header_(std::move(header)), file_end_(file_size),
      alloc_end_(0), refcount_table_offset_(header_.refcount_table_offset),
      refcount_table_clusters_(header_.refcount_table_clusters) {}

Qcow2Image::~Qcow2Image() { ::close(fd_); }

std::unique_ptr<Qcow2Image> Qcow2Image::open(const std::string& path, bool read_only, const BackingOpener& open_backing) {
  int fd = image_file::open_locked(path, read_only ? O_RDONLY : O_RDWR, !read_only);
  std::unique_ptr<Qcow2Image> img;
  try {
    const uint64_t file_size = image_file::file_size(fd, path);
    // The cluster size (from the first bytes) says how much header there is to read.
    uint8_t head[24] = {};
    if (file_size >= sizeof head && !image_file::pread_all(fd, head, sizeof head, 0))
      throw BlockError(path + ": cannot read the qcow2 header: " + std::strerror(errno));
    uint32_t bits = std::clamp(qcow2::load_be32(head + 20), qcow2::kMinClusterBits, qcow2::kMaxClusterBits);
    std::vector<uint8_t> first(static_cast<size_t>(std::min<uint64_t>(file_size, 1ull << bits)));
    if (!first.empty() && !image_file::pread_all(fd, first.data(), first.size(), 0))
      throw BlockError(path + ": cannot read the qcow2 header: " + std::strerror(errno));
    qcow2::Header header = qcow2::parse_header(first, file_size, !read_only, path);
    img.reset(new Qcow2Image(path, fd, read_only, std::move(header), file_size));
  } catch (...) {
    if (!img) ::close(fd);
    throw;
  }
  img->load_tables();
  if (!img->header_.backing_file.empty()) {
    const std::string backing = resolve_backing(path, img->header_.backing_file);
    try {
      img->backing_ = open_backing(backing, img->header_.backing_format);
    } catch (const BlockError& e) {
      throw BlockError(path + ": backing file: " + e.what());
    }
  }
  if (!read_only && img->header_.autoclear_features != 0) {
    // Autoclear features (e.g. persistent bitmaps) are no longer valid once emu writes.
    uint8_t zero[8] = {};
    if (!image_file::pwrite_all(img->fd_, zero, sizeof zero, qcow2::kAutoclearField))
      throw BlockError(path + ": cannot update the qcow2 header: " + std::strerror(errno));
    img->header_.autoclear_features = 0;
  }
  return img;
}

void Qcow2Image::load_tables() {
  const uint64_t cs = header_.cluster_size();
  auto fail = [&](const std::string& why) { throw BlockError(path_ + ": qcow2: " + why); };
  auto check_cluster = [&](uint64_t off, const char* what) {
    if (off % cs != 0 || off > file_end_ || cs > file_end_ - off)
      fail(std::string(what) + " at " + hex(off) + " is unaligned or outside the file (size " +
           std::to_string(file_end_) + ")");
  };

  // L1 table: every L2 table it names must be a whole cluster inside the file.
  std::vector<uint8_t> raw(uint64_t{header_.l1_size} * 8);
  if (!raw.empty() && !image_file::pread_all(fd_, raw.data(), raw.size(), header_.l1_table_offset))
    fail("cannot read the L1 table");
  l1_.resize(header_.l1_size);
  for (size_t i = 0; i < l1_.size(); i++) {
    uint64_t e = load_be64(&raw[i * 8]);
    l1_[i] = e;
    if (e & qcow2::kL1Reserved) fail("L1 entry " + std::to_string(i) + " has reserved bits set (" + hex(e) + ")");
    uint64_t off = e & qcow2::kOffsetMask;
    if (off == 0) continue;
    check_cluster(off, "L2 table");
    if (is_metadata(off)) fail("L2 table at " + hex(off) + " overlaps the header or another table");
    if (!read_only_ && !(e & qcow2::kCopied))
      fail("L2 table at " + hex(off) + " is shared (no COPIED flag); emu cannot write it (qemu-img check -r all)");
    l2_offsets_.insert(off);
  }

  // Refcount table and blocks; the highest cluster in use bounds the allocator.
  const uint64_t rt_entries = refcount_table_clusters_ * cs / 8;
  raw.assign(rt_entries * 8, 0);
  if (!image_file::pread_all(fd_, raw.data(), raw.size(), refcount_table_offset_)) fail("cannot read the refcount table");
  refcount_table_.resize(rt_entries);
  uint64_t used_end = 0;
  std::vector<uint8_t> block(cs);
  const uint64_t per_block = refcount_entries_per_block();
  for (uint64_t i = 0; i < rt_entries; i++) {
    uint64_t e = load_be64(&raw[i * 8]);
    if (e & qcow2::kRefTableReserved)
      fail("refcount table entry " + std::to_string(i) + " has reserved bits set (" + hex(e) + ")");
    if (e == 0) continue;
    check_cluster(e, "refcount block");
    if (is_metadata(e)) fail("refcount block at " + hex(e) + " overlaps the header or another table");
    refcount_table_[i] = e;
    refblock_offsets_.insert(e);
    if (!image_file::pread_all(fd_, block.data(), cs, e)) fail("cannot read the refcount block at " + hex(e));
    for (uint64_t j = per_block; j > 0; j--)
      if (get_entry(block.data(), j - 1, header_.refcount_bits()) != 0) {
        used_end = std::max(used_end, (i * per_block + j) * cs);
        break;
      }
  }
  // Clusters counted as used past the end of the file are leftovers of an allocation
  // cut short (a few clusters); many of them mean a corrupt refcount block, and
  // allocating past them would grow the file without bound.
  const uint64_t file_clusters_end = (file_end_ + cs - 1) / cs * cs;
  if (used_end > file_clusters_end + kMaxUsedPastEnd * cs) {
    if (!read_only_)
      fail("refcounts mark clusters up to " + hex(used_end) + " as used, far past the end of the file (" +
           std::to_string(file_end_) + " bytes); repair it with qemu-img check -r all");
    used_end = file_clusters_end;
  }
  alloc_end_ = std::max(file_clusters_end, used_end);
}

bool Qcow2Image::corrupt(const std::string& what) {
  if (reported_ < 8) {
    std::fprintf(stderr, "emu: %s: qcow2: %s\n", path_.c_str(), what.c_str());
    reported_++;
  }
  return false;
}

bool Qcow2Image::is_metadata(uint64_t off) const {
  const uint64_t cs = header_.cluster_size();
  auto within = [&](uint64_t start, uint64_t bytes) { return off + cs > start && off < start + bytes; };
  return off < cs || within(header_.l1_table_offset, uint64_t{header_.l1_size} * 8) ||
         within(refcount_table_offset_, refcount_table_clusters_ * cs) || l2_offsets_.count(off) != 0 ||
         refblock_offsets_.count(off) != 0;
}

const std::vector<uint64_t>* Qcow2Image::l2_table(uint64_t off) {
  if (auto it = l2_cache_.find(off); it != l2_cache_.end()) return &it->second;
  const uint64_t cs = header_.cluster_size();
  std::vector<uint8_t> raw(cs);
  if (!image_file::pread_all(fd_, raw.data(), cs, off)) {
    corrupt("cannot read the L2 table at " + hex(off));
    return nullptr;
  }
  std::vector<uint64_t> table(cs / 8);
  for (size_t i = 0; i < table.size(); i++) table[i] = load_be64(&raw[i * 8]);
  make_room(l2_cache_, cs);
  return &l2_cache_.emplace(off, std::move(table)).first->second;
}

std::vector<uint8_t>* Qcow2Image::refcount_block(uint64_t off) {
  if (auto it = refcount_cache_.find(off); it != refcount_cache_.end()) return &it->second;
  const uint64_t cs = header_.cluster_size();
  std::vector<uint8_t> block(cs);
  if (!image_file::pread_all(fd_, block.data(), cs, off)) {
    corrupt("cannot read the refcount block at " + hex(off));
    return nullptr;
  }
  make_room(refcount_cache_, cs);
  return &refcount_cache_.emplace(off, std::move(block)).first->second;
}

// --- reading ----------------------------------------------------------------------

bool Qcow2Image::read(uint64_t offset, void* buf, size_t len) {
  if (offset > header_.size || len > header_.size - offset) return false;
  auto* out = static_cast<uint8_t*>(buf);
  const uint64_t cs = header_.cluster_size();
  while (len > 0) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(len, cs - offset % cs));
    if (!read_piece(offset, out, n)) return false;
    out += n;
    offset += n;
    len -= n;
  }
  return true;
}

bool Qcow2Image::read_piece(uint64_t offset, uint8_t* out, size_t len) {
  const uint64_t cs = header_.cluster_size();
  const uint64_t cluster = offset / cs, within = offset % cs;
  const uint64_t l2_offset = l1_[cluster / header_.l2_entries()] & qcow2::kOffsetMask;
  if (l2_offset == 0) return read_unallocated(offset, out, len, false);
  const auto* table = l2_table(l2_offset);
  if (!table) return false;
  const uint64_t e = (*table)[cluster % header_.l2_entries()];
  if (e & qcow2::kCompressed) return read_compressed(e, within, out, len);
  if (e & l2_reserved_bits())
    return corrupt("L2 entry " + hex(e) + " for guest offset " + hex(offset) + " has reserved bits set");
  if (e & qcow2::kZeroFlag) return read_unallocated(offset, out, len, true);
  const uint64_t host = e & qcow2::kOffsetMask;
  if (host == 0) {
    if (e & qcow2::kCopied) return corrupt("L2 entry for guest offset " + hex(offset) + " maps to host offset 0");
    return read_unallocated(offset, out, len, false);
  }
  if (host % cs != 0) return corrupt("data cluster at " + hex(host) + " is not cluster-aligned");
  return read_host(host + within, out, len);
}

bool Qcow2Image::read_unallocated(uint64_t offset, uint8_t* out, size_t len, bool zero) {
  size_t from_backing = 0;
  if (!zero && backing_ && offset < backing_->size_bytes())
    from_backing = static_cast<size_t>(std::min<uint64_t>(len, backing_->size_bytes() - offset));
  if (from_backing && !backing_->read(offset, out, from_backing)) return false;
  std::memset(out + from_backing, 0, len - from_backing);
  return true;
}

bool Qcow2Image::read_host(uint64_t host, uint8_t* out, size_t len) {
  if (host >= file_end_) return corrupt("data at " + hex(host) + " lies past the end of the file");
  size_t n = static_cast<size_t>(std::min<uint64_t>(len, file_end_ - host));
  if (!image_file::pread_all(fd_, out, n, host)) return corrupt("read failed at " + hex(host) + ": " + std::strerror(errno));
  std::memset(out + n, 0, len - n);
  return true;
}

bool Qcow2Image::read_compressed(uint64_t e, uint64_t within, uint8_t* out, size_t len) {
  const auto [host, bytes] = compressed_extent(e, header_.cluster_bits);
  const uint64_t cs = header_.cluster_size();
  if (host & ~qcow2::kOffsetMask & ~0x1ffull) return corrupt("compressed cluster offset " + hex(host) + " is invalid");
  if (host >= file_end_) return corrupt("compressed cluster at " + hex(host) + " lies past the end of the file");
  if (compressed_entry_ != e || compressed_data_.size() != cs) {
#ifdef EMU_HAVE_ZLIB
    uint64_t in_len = std::min(bytes, file_end_ - host);
    std::vector<uint8_t> in(static_cast<size_t>(in_len));
    if (!image_file::pread_all(fd_, in.data(), in.size(), host))
      return corrupt("read failed at " + hex(host) + ": " + std::strerror(errno));
    compressed_data_.assign(cs, 0);
    z_stream z{};
    if (inflateInit2(&z, -12) != Z_OK) return corrupt("zlib initialisation failed");
    z.next_in = in.data();
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = compressed_data_.data();
    z.avail_out = static_cast<uInt>(cs);
    int rc = inflate(&z, Z_FINISH);
    const bool whole = z.avail_out == 0 && (rc == Z_STREAM_END || rc == Z_OK || rc == Z_BUF_ERROR);
    inflateEnd(&z);
    if (!whole) {
      compressed_entry_ = 0;
      compressed_data_.clear();
      return corrupt("compressed cluster at " + hex(host) + " does not inflate to a whole cluster");
    }
    compressed_entry_ = e;
#else
    (void)bytes;
    return corrupt("compressed cluster at " + hex(host) + ": emu was built without zlib");
#endif
  }
  std::memcpy(out, compressed_data_.data() + within, len);
  return true;
}

// --- writing ----------------------------------------------------------------------

bool Qcow2Image::write_file(const void* data, size_t len, uint64_t offset) {
  if (!image_file::pwrite_all(fd_, data, len, offset))
    return corrupt("write failed at " + hex(offset) + ": " + std::strerror(errno));
  file_end_ = std::max(file_end_, offset + len);
  return true;
}

bool Qcow2Image::write(uint64_t offset, const void* buf, size_t len) {
  if (read_only_ || offset > header_.size || len > header_.size - offset) return false;
  auto* in = static_cast<const uint8_t*>(buf);
  const uint64_t cs = header_.cluster_size();
  while (len > 0) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(len, cs - offset % cs));
    if (!write_piece(offset, in, n)) return false;
    in += n;
    offset += n;
    len -= n;
  }
  return true;
}

bool Qcow2Image::write_piece(uint64_t offset, const uint8_t* in, size_t len) {
  const uint64_t cs = header_.cluster_size();
  const uint64_t cluster = offset / cs, within = offset % cs;
  const uint64_t index = cluster % header_.l2_entries();
  uint64_t l2_offset = 0;
  if (!l2_for_write(cluster / header_.l2_entries(), &l2_offset)) return false;
  const auto* table = l2_table(l2_offset);
  if (!table) return false;
  const uint64_t e = (*table)[index];
  const bool compressed = e & qcow2::kCompressed;
  if (!compressed && (e & l2_reserved_bits()))
    return corrupt("L2 entry " + hex(e) + " for guest offset " + hex(offset) + " has reserved bits set");
  const uint64_t host = compressed ? 0 : e & qcow2::kOffsetMask;
  const bool host_usable = host != 0 && host % cs == 0 && host < alloc_end_ && !is_metadata(host);
  if (host != 0 && !host_usable)
    return corrupt("L2 entry for guest offset " + hex(offset) + " points at " + hex(host) +
                   " (unaligned, past the end, or into metadata)");
  const bool owned = host_usable && (e & qcow2::kCopied);

  if (owned && !(e & qcow2::kZeroFlag)) return write_file(in, len, host + within);  // in place

  // A whole new cluster: the bytes around the write come from what the guest saw there.
  std::vector<uint8_t> data(cs, 0);
  const uint64_t start = offset - within;
  if (len != cs) {
    const bool zeros = !compressed && (e & qcow2::kZeroFlag);
    if (!zeros && !read_piece(start, data.data(), static_cast<size_t>(std::min(cs, header_.size - start))))
      return false;
  }
  std::memcpy(data.data() + within, in, len);
  if (owned) {  // a preallocated zero cluster: fill it, then clear the flag
    return write_file(data.data(), cs, host) && set_l2_entry(l2_offset, index, host | qcow2::kCopied);
  }
  const uint64_t fresh = allocate_cluster();
  if (fresh == 0) return false;
  if (!write_file(data.data(), cs, fresh) || !set_l2_entry(l2_offset, index, fresh | qcow2::kCopied)) return false;
  return release(e);
}

bool Qcow2Image::l2_for_write(uint64_t l1_index, uint64_t* l2_offset) {
  const uint64_t e = l1_[l1_index];
  *l2_offset = e & qcow2::kOffsetMask;
  if (*l2_offset != 0) {
    if (!(e & qcow2::kCopied)) return corrupt("L2 table at " + hex(*l2_offset) + " is shared; cannot write to it");
    return true;
  }
  const uint64_t cs = header_.cluster_size();
  const uint64_t fresh = allocate_cluster();
  if (fresh == 0) return false;
  std::vector<uint8_t> zeros(cs, 0);
  if (!write_file(zeros.data(), cs, fresh)) return false;
  l2_offsets_.insert(fresh);
  make_room(l2_cache_, cs);
  l2_cache_[fresh].assign(cs / 8, 0);
  uint8_t raw[8];
  store_be64(raw, fresh | qcow2::kCopied);
  if (!write_file(raw, 8, header_.l1_table_offset + l1_index * 8)) return false;
  l1_[l1_index] = fresh | qcow2::kCopied;
  *l2_offset = fresh;
  return true;
}

bool Qcow2Image::set_l2_entry(uint64_t l2_offset, uint64_t index, uint64_t entry) {
  uint8_t raw[8];
  store_be64(raw, entry);
  if (!write_file(raw, 8, l2_offset + index * 8)) return false;
  if (auto it = l2_cache_.find(l2_offset); it != l2_cache_.end()) it->second[index] = entry;
  return true;
}

bool Qcow2Image::flush() { return read_only_ || ::fdatasync(fd_) == 0; }

// --- refcounts --------------------------------------------------------------------

bool Qcow2Image::get_refcount(uint64_t host, uint64_t* value) {
  const uint64_t cluster = host / header_.cluster_size();
  const uint64_t t = cluster / refcount_entries_per_block();
  *value = 0;
  if (t >= refcount_table_.size() || refcount_table_[t] == 0) return true;
  auto* block = refcount_block(refcount_table_[t]);
  if (!block) return false;
  *value = get_entry(block->data(), cluster % refcount_entries_per_block(), header_.refcount_bits());
  return true;
}

bool Qcow2Image::set_refcount(uint64_t host, uint64_t value) {
  const uint64_t cluster = host / header_.cluster_size();
  const uint64_t t = cluster / refcount_entries_per_block();
  if (!ensure_refcount_block(t)) return false;
  return set_block_entry(refcount_table_[t], cluster % refcount_entries_per_block(), value);
}

bool Qcow2Image::set_block_entry(uint64_t block_offset, uint64_t index, uint64_t value) {
  const uint32_t bits = header_.refcount_bits();
  if (bits < 64 && value >> bits) return corrupt("refcount overflow (" + std::to_string(bits) + "-bit refcounts)");
  auto* block = refcount_block(block_offset);
  if (!block) return false;
  uint64_t first = 0, count = 0;
  put_entry(block->data(), index, bits, value, &first, &count);
  return write_file(block->data() + first, static_cast<size_t>(count), block_offset + first);
}

uint64_t Qcow2Image::allocate_cluster() {
  const uint64_t fresh = alloc_end_;
  alloc_end_ += header_.cluster_size();
  return set_refcount(fresh, 1) ? fresh : 0;
}

bool Qcow2Image::ensure_refcount_block(uint64_t t) {
  while (t >= refcount_table_.size())
    if (!grow_refcount_table(t + 1)) return false;
  if (refcount_table_[t] != 0) return true;
  const uint64_t cs = header_.cluster_size(), per_block = refcount_entries_per_block();
  const uint64_t fresh = alloc_end_;
  alloc_end_ += cs;
  std::vector<uint8_t> block(cs, 0);
  uint64_t first = 0, count = 0;
  if ((fresh / cs) / per_block == t)
    put_entry(block.data(), (fresh / cs) % per_block, header_.refcount_bits(), 1, &first, &count);  // covers itself
  else if (!set_refcount(fresh, 1))
    return false;
  if (!write_file(block.data(), cs, fresh)) return false;
  refblock_offsets_.insert(fresh);
  make_room(refcount_cache_, cs);
  refcount_cache_[fresh] = std::move(block);
  uint8_t raw[8];
  store_be64(raw, fresh);
  if (!write_file(raw, 8, refcount_table_offset_ + t * 8)) return false;
  refcount_table_[t] = fresh;
  return true;
}

// Moves the refcount table to the end of the file with room for `min_entries`: the new
// table and the refcount blocks describing it are written first, then the header is
// switched over, then the old table's clusters are freed.
bool Qcow2Image::grow_refcount_table(uint64_t min_entries) {
  const uint64_t cs = header_.cluster_size(), per_block = refcount_entries_per_block(), per_cluster = cs / 8;
  const uint64_t old_entries = refcount_table_.size();
  uint64_t entries = (std::max(min_entries, old_entries * 2) + per_cluster - 1) / per_cluster * per_cluster;
  const uint64_t start = alloc_end_;
  auto table_of = [&](uint64_t off) { return off / cs / per_block; };
  auto missing = [&](uint64_t t) { return t >= old_entries || refcount_table_[t] == 0; };
  uint64_t clusters = 0, blocks = 0, end = 0;
  for (;;) {
    clusters = entries / per_cluster;
    if (clusters * cs > qcow2::kMaxRefcountTableBytes) return corrupt("the refcount table would exceed 8 MiB");
    // New refcount blocks sit right after the new table and must cover it and themselves.
    blocks = 0;
    for (;;) {
      end = start + (clusters + blocks) * cs;
      uint64_t need = 0;
      for (uint64_t t = table_of(start); t <= table_of(end - 1); t++) need += missing(t);
      if (need == blocks) break;
      blocks = need;
    }
    if (table_of(end - 1) < entries) break;
    entries *= 2;
  }
  std::vector<uint64_t> table = refcount_table_;
  table.resize(entries, 0);
  uint64_t next_block = start + clusters * cs;
  std::vector<uint64_t> fresh_blocks;
  for (uint64_t t = table_of(start); t <= table_of(end - 1); t++)
    if (missing(t)) {
      table[t] = next_block;
      fresh_blocks.push_back(t);
      next_block += cs;
    }
  // Refcount 1 for every cluster of [start, end): in the new blocks, or in existing ones.
  for (uint64_t t : fresh_blocks) {
    std::vector<uint8_t> block(cs, 0);
    uint64_t first = 0, count = 0;
    for (uint64_t c = std::max(start / cs, t * per_block); c < std::min(end / cs, (t + 1) * per_block); c++)
      put_entry(block.data(), c % per_block, header_.refcount_bits(), 1, &first, &count);
    if (!write_file(block.data(), cs, table[t])) return false;
    refblock_offsets_.insert(table[t]);
    make_room(refcount_cache_, cs);
    refcount_cache_[table[t]] = std::move(block);
  }
  for (uint64_t c = start / cs; c < end / cs; c++) {
    const uint64_t t = c / per_block;
    if (!missing(t) && !set_block_entry(table[t], c % per_block, 1)) return false;
  }
  std::vector<uint8_t> raw(clusters * cs, 0);
  for (uint64_t i = 0; i < entries; i++) store_be64(&raw[i * 8], table[i]);
  if (!write_file(raw.data(), raw.size(), start) || ::fdatasync(fd_) != 0)
    return corrupt("cannot write the new refcount table");
  uint8_t field[12];
  store_be64(field, start);
  qcow2::store_be32(field + 8, static_cast<uint32_t>(clusters));
  if (!write_file(field, sizeof field, qcow2::kRefcountTableOffsetField)) return false;
  const uint64_t old_offset = refcount_table_offset_, old_clusters = refcount_table_clusters_;
  refcount_table_ = std::move(table);
  refcount_table_offset_ = start;
  refcount_table_clusters_ = clusters;
  alloc_end_ = end;
  for (uint64_t k = 0; k < old_clusters; k++)
    if (!set_refcount(old_offset + k * cs, 0)) return false;
  return true;
}

bool Qcow2Image::release(uint64_t e) {
  const uint64_t cs = header_.cluster_size();
  uint64_t first = 0, last = 0;
  if (e & qcow2::kCompressed) {
    const auto [host, bytes] = compressed_extent(e, header_.cluster_bits);
    first = host / cs;
    last = (host + bytes - 1) / cs;
  } else {
    const uint64_t host = e & qcow2::kOffsetMask;
    if (host == 0) return true;
    first = last = host / cs;
  }
  for (uint64_t c = first; c <= last && c < alloc_end_ / cs; c++) {
    uint64_t count = 0;
    if (is_metadata(c * cs) || !get_refcount(c * cs, &count)) continue;  // leak rather than harm
    if (count > 0 && !set_refcount(c * cs, count - 1)) return false;
  }
  return true;
}

}  // namespace emu
