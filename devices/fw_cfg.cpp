// fw_cfg legacy I/O interface (see fw_cfg.h).
#include "devices/fw_cfg.h"

#include "base/endian.h"

namespace emu {

FwCfg::FwCfg() {
  add_item(fw_cfg::kSignature, {'Q', 'E', 'M', 'U'});
  add_u32(fw_cfg::kId, fw_cfg::kIdTraditional);
  add_item(fw_cfg::kUuid, std::vector<uint8_t>(16, 0));
  rebuild_directory();
}

void FwCfg::add_item(uint16_t key, std::vector<uint8_t> bytes) {
  items_[static_cast<uint16_t>(key & ~fw_cfg::kWriteChannel)] = std::move(bytes);
}

void FwCfg::add_u16(uint16_t key, uint16_t v) {
  std::vector<uint8_t> b(2);
  store_le16(b.data(), v);
  add_item(key, std::move(b));
}
void FwCfg::add_u32(uint16_t key, uint32_t v) {
  std::vector<uint8_t> b(4);
  store_le32(b.data(), v);
  add_item(key, std::move(b));
}
void FwCfg::add_u64(uint16_t key, uint64_t v) {
  std::vector<uint8_t> b(8);
  store_le64(b.data(), v);
  add_item(key, std::move(b));
}
void FwCfg::add_string(uint16_t key, const std::string& s) {
  std::vector<uint8_t> b(s.begin(), s.end());
  b.push_back(0);
  add_item(key, std::move(b));
}

void FwCfg::set_cpu_counts(uint16_t boot_cpus, uint16_t max_cpus) {
  add_u16(fw_cfg::kNbCpus, boot_cpus);
  add_u16(fw_cfg::kMaxCpus, max_cpus);
}

void FwCfg::set_linux_boot(const LinuxBoot& b) {
  auto blob = [&](uint16_t addr_key, uint16_t size_key, uint16_t data_key, uint32_t addr, const std::vector<uint8_t>& d) {
    if (d.empty()) return;
    add_u32(addr_key, addr);
    add_u32(size_key, static_cast<uint32_t>(d.size()));
    add_item(data_key, d);
  };
  blob(fw_cfg::kSetupAddr, fw_cfg::kSetupSize, fw_cfg::kSetupData, b.setup_addr, b.setup);
  blob(fw_cfg::kKernelAddr, fw_cfg::kKernelSize, fw_cfg::kKernelData, b.kernel_addr, b.kernel);
  blob(fw_cfg::kInitrdAddr, fw_cfg::kInitrdSize, fw_cfg::kInitrdData, b.initrd_addr, b.initrd);
  if (!b.cmdline.empty()) {
    std::vector<uint8_t> c(b.cmdline.begin(), b.cmdline.end());
    c.push_back(0);
    blob(fw_cfg::kCmdlineAddr, fw_cfg::kCmdlineSize, fw_cfg::kCmdlineData, b.cmdline_addr, c);
  }
}

bool FwCfg::add_file(const std::string& name, std::vector<uint8_t> bytes) {
  if (name.empty() || name.size() >= fw_cfg::kMaxFileName) return false;
  if (files_.size() >= 0x4000 - fw_cfg::kFileFirst && !files_.count(name)) return false;
  files_[name] = std::move(bytes);
  rebuild_directory();
  return true;
}

int FwCfg::file_key(const std::string& name) const {
  int key = fw_cfg::kFileFirst;
  for (auto& [n, bytes] : files_) {
    if (n == name) return key;
    key++;
  }
  return -1;
}

void FwCfg::rebuild_directory() {
  // Remove the old file items, then lay out the directory: BE32 count, then per file
  // BE32 size, BE16 select, BE16 reserved, char name[56].
  for (auto it = items_.begin(); it != items_.end();) {
    if (it->first >= fw_cfg::kFileFirst && it->first < fw_cfg::kWriteChannel) it = items_.erase(it);
    else ++it;
  }
  std::vector<uint8_t> dir(4 + 64 * files_.size(), 0);
  auto put_be = [&](size_t at, uint64_t v, unsigned n) {
    for (unsigned i = 0; i < n; i++) dir[at + i] = static_cast<uint8_t>(v >> (8 * (n - 1 - i)));
  };
  put_be(0, files_.size(), 4);
  uint16_t key = fw_cfg::kFileFirst;
  size_t at = 4;
  for (auto& [name, bytes] : files_) {
    put_be(at, bytes.size(), 4);
    put_be(at + 4, key, 2);
    for (size_t i = 0; i < name.size(); i++) dir[at + 8 + i] = static_cast<uint8_t>(name[i]);
    items_[key] = bytes;
    key++;
    at += 64;
  }
  items_[fw_cfg::kFileDir] = std::move(dir);
}

uint8_t FwCfg::next_byte() {
  auto it = items_.find(static_cast<uint16_t>(selector_ & ~fw_cfg::kWriteChannel));
  if (it == items_.end() || offset_ >= it->second.size()) return 0;
  return it->second[offset_++];
}

uint64_t FwCfg::io_read(uint64_t offset, unsigned size) {
  if (offset == 0) return 0;  // the selector is write-only (QEMU reads back 0)
  // Data register: wider reads return consecutive bytes in string order.
  uint64_t v = 0;
  for (unsigned i = 0; i < size && i < 8; i++) v |= static_cast<uint64_t>(next_byte()) << (8 * i);
  return v;
}

void FwCfg::io_write(uint64_t offset, unsigned size, uint64_t value) {
  if (offset == 0 && size >= 2) {
    selector_ = static_cast<uint16_t>(value);
    offset_ = 0;
  }
  // Byte writes to the selector and writes to the data register are ignored (the
  // legacy write channel is deprecated and not offered).
}

}  // namespace emu
