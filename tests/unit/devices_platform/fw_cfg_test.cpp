// fw_cfg through ports 0x510/0x511: signature, ID, numeric items, file directory
// layout (big-endian fields, 64-byte entries) and reads past the end of an item.
#include <catch2/catch.hpp>

#include <string>

#include "devices/fw_cfg.h"
#include "memory/io_space.h"

using namespace emu;

namespace {
struct Rig {
  IoSpace io;
  FwCfg fw;
  Rig() { io.map(FwCfg::kPortBase, FwCfg::kPortCount, &fw, "fw_cfg"); }
  std::vector<uint8_t> read(uint16_t key, size_t n) {
    io.write(0x510, 2, key);
    std::vector<uint8_t> out;
    for (size_t i = 0; i < n; i++) out.push_back(static_cast<uint8_t>(io.read(0x511, 1)));
    return out;
  }
  uint64_t read_le(uint16_t key, unsigned n) {
    auto b = read(key, n);
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) v |= static_cast<uint64_t>(b[i]) << (8 * i);
    return v;
  }
};
uint32_t be32(const std::vector<uint8_t>& b, size_t at) {
  return (uint32_t{b[at]} << 24) | (uint32_t{b[at + 1]} << 16) | (uint32_t{b[at + 2]} << 8) | b[at + 3];
}
}  // namespace

TEST_CASE("signature, ID and numeric items", "[fw_cfg]") {
  Rig r;
  auto sig = r.read(fw_cfg::kSignature, 6);
  CHECK(std::string(sig.begin(), sig.begin() + 4) == "QEMU");
  CHECK(sig[4] == 0);  // past the end reads 0
  CHECK(sig[5] == 0);
  CHECK(r.read_le(fw_cfg::kId, 4) == 1);  // traditional interface, no DMA
  r.fw.set_ram_size(512ull << 20);
  r.fw.set_cpu_counts(2, 4);
  CHECK(r.read_le(fw_cfg::kRamSize, 8) == (512ull << 20));
  CHECK(r.read_le(fw_cfg::kNbCpus, 2) == 2);
  CHECK(r.read_le(fw_cfg::kMaxCpus, 2) == 4);
  CHECK(r.read(0x1234, 2) == std::vector<uint8_t>{0, 0});  // absent key
  // Re-selecting rewinds.
  r.io.write(0x510, 2, fw_cfg::kSignature);
  CHECK(r.io.read(0x511, 1) == 'Q');
  CHECK(r.io.read(0x511, 1) == 'E');
  r.io.write(0x510, 2, fw_cfg::kSignature);
  CHECK(r.io.read(0x511, 1) == 'Q');
}

TEST_CASE("file directory lists files sorted, with big-endian fields", "[fw_cfg]") {
  Rig r;
  CHECK(r.read(fw_cfg::kFileDir, 4) == std::vector<uint8_t>{0, 0, 0, 0});
  std::vector<uint8_t> e820(40, 0xab);
  REQUIRE(r.fw.add_file("etc/e820", e820));
  REQUIRE(r.fw.add_file("bootorder", {'/', 'x', '\n'}));
  CHECK_FALSE(r.fw.add_file(std::string(56, 'n'), {}));  // no room for the NUL
  auto dir = r.read(fw_cfg::kFileDir, 4 + 2 * 64);
  REQUIRE(be32(dir, 0) == 2);
  // Entry 0: "bootorder" (sorted first).
  CHECK(be32(dir, 4) == 3);
  uint16_t key0 = static_cast<uint16_t>((dir[8] << 8) | dir[9]);
  CHECK(std::string(reinterpret_cast<const char*>(&dir[12])) == "bootorder");
  // Entry 1: "etc/e820".
  CHECK(be32(dir, 68) == 40);
  uint16_t key1 = static_cast<uint16_t>((dir[72] << 8) | dir[73]);
  CHECK(std::string(reinterpret_cast<const char*>(&dir[76])) == "etc/e820");
  CHECK(key0 >= fw_cfg::kFileFirst);
  CHECK(key1 >= fw_cfg::kFileFirst);
  CHECK(key0 != key1);
  CHECK(r.fw.file_key("etc/e820") == key1);
  CHECK(r.read(key1, 41) == [] { std::vector<uint8_t> v(40, 0xab); v.push_back(0); return v; }());
  CHECK(r.read(key0, 3) == std::vector<uint8_t>{'/', 'x', '\n'});
}

TEST_CASE("Linux boot items: address, size and data per blob", "[fw_cfg]") {
  Rig r;
  FwCfg::LinuxBoot b;
  b.kernel_addr = 0x100000;
  b.kernel = {1, 2, 3, 4, 5};
  b.cmdline_addr = 0x20000;
  b.cmdline = "console=ttyS0";
  r.fw.set_linux_boot(b);
  CHECK(r.read_le(fw_cfg::kKernelAddr, 4) == 0x100000);
  CHECK(r.read_le(fw_cfg::kKernelSize, 4) == 5);
  CHECK(r.read(fw_cfg::kKernelData, 6) == std::vector<uint8_t>{1, 2, 3, 4, 5, 0});
  CHECK(r.read_le(fw_cfg::kCmdlineSize, 4) == 14);  // with the NUL
  auto c = r.read(fw_cfg::kCmdlineData, 14);
  CHECK(std::string(c.begin(), c.end() - 1) == "console=ttyS0");
  CHECK(c.back() == 0);
  CHECK(r.read_le(fw_cfg::kInitrdSize, 4) == 0);  // absent: reads as zero
}
