// Test rig for the IDE tests: temporary image files, and a PIIX3 IDE function on a
// PCI bus with RAM, recording IRQ 14/15, with helpers that drive the ports the way
// Linux's ata_piix/libata and a BIOS do.
#pragma once
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "devices/block/raw_image.h"
#include "devices/ide/piix_ide.h"
#include "devices/irq.h"
#include "devices/pci_bus.h"
#include "memory/io_space.h"
#include "memory/physical_memory.h"

namespace emu::test {

// A file in a fresh temporary folder, removed (with the folder) at the end.
struct TempFile {
  std::string dir, path;
  explicit TempFile(const std::string& name = "disk.img") {
    const char* t = std::getenv("TMPDIR");
    std::string templ = std::string(t && *t ? t : "/tmp") + "/emu-ide-test-XXXXXX";
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    dir = mkdtemp(buf.data());
    path = dir + "/" + name;
  }
  ~TempFile() { std::system(("rm -rf '" + dir + "'").c_str()); }
  void write(const std::vector<uint8_t>& data) const {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      (void)!::write(fd, data.data(), data.size());
      ::close(fd);
    }
  }
  std::vector<uint8_t> read() const {
    std::vector<uint8_t> out;
    int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) return out;
    uint8_t b[65536];
    ssize_t n;
    while ((n = ::read(fd, b, sizeof b)) > 0) out.insert(out.end(), b, b + n);
    ::close(fd);
    return out;
  }
};

// Image contents where every byte depends on its sector and position (independent
// of the device model, so tests can predict what a read returns).
inline uint8_t pattern_byte(uint64_t offset) {
  uint64_t sector = offset / 512;
  return static_cast<uint8_t>((sector * 37 + (offset % 512) * 11 + 5) & 0xff);
}
inline std::vector<uint8_t> pattern_image(uint64_t bytes) {
  std::vector<uint8_t> v(bytes);
  for (uint64_t i = 0; i < bytes; i++) v[i] = pattern_byte(i);
  return v;
}

// FNV-1a digest of a byte string.
inline uint64_t digest(const std::vector<uint8_t>& v) {
  uint64_t h = 1469598103934665603ull;
  for (uint8_t b : v) h = (h ^ b) * 1099511628211ull;
  return h;
}

struct LevelSink : IrqSink {
  bool level[16] = {};
  int rises[16] = {};
  void set_irq_level(unsigned line, bool l) override {
    if (line >= 16) return;
    if (l && !level[line]) rises[line]++;
    level[line] = l;
  }
};

// The PIIX3 IDE function at 00:01.1 with BAR4 at 0xC000, I/O and bus mastering on,
// 16 MiB of RAM at 0.
struct IdeRig {
  static constexpr uint16_t kBmBase = 0xC000;
  IoSpace io;
  PhysicalMemory mem;
  PciBus bus{&io, &mem};
  LevelSink sink;
  IrqLine irq14, irq15;
  PiixIde ide{&io, &mem, &irq14, &irq15};
  uint8_t* ram;
  IdeRig() {
    ram = mem.add_ram(0, 16 << 20);
    irq14.connect(&sink, 14);
    irq15.connect(&sink, 15);
    bus.attach(&ide, 1, 1);
    uint8_t devfn = (1 << 3) | 1;
    bus.config_write(devfn, 0x20, 4, kBmBase);
    bus.config_write(devfn, 0x04, 2, 0x0005);  // I/O + bus master
  }
  // Primary channel ports.
  uint8_t inb(uint16_t port) { return static_cast<uint8_t>(io.read(port, 1)); }
  void outb(uint16_t port, uint8_t v) { io.write(port, 1, v); }
  uint16_t inw(uint16_t port) { return static_cast<uint16_t>(io.read(port, 2)); }
  void outw(uint16_t port, uint16_t v) { io.write(port, 2, v); }

  // Loads the task file for an LBA28 command on the primary channel and issues it.
  void lba28(uint8_t command, uint32_t lba, uint8_t count, bool slave = false) {
    outb(0x1F6, static_cast<uint8_t>(0xE0 | (slave ? 0x10 : 0) | ((lba >> 24) & 0x0F)));
    outb(0x1F2, count);
    outb(0x1F3, static_cast<uint8_t>(lba));
    outb(0x1F4, static_cast<uint8_t>(lba >> 8));
    outb(0x1F5, static_cast<uint8_t>(lba >> 16));
    outb(0x1F7, command);
  }
  // LBA48 (libata order: HOB bytes first, then the low bytes).
  void lba48(uint8_t command, uint64_t lba, uint16_t count) {
    outb(0x1F6, 0x40);
    outb(0x1F2, static_cast<uint8_t>(count >> 8));
    outb(0x1F3, static_cast<uint8_t>(lba >> 24));
    outb(0x1F4, static_cast<uint8_t>(lba >> 32));
    outb(0x1F5, static_cast<uint8_t>(lba >> 40));
    outb(0x1F2, static_cast<uint8_t>(count));
    outb(0x1F3, static_cast<uint8_t>(lba));
    outb(0x1F4, static_cast<uint8_t>(lba >> 8));
    outb(0x1F5, static_cast<uint8_t>(lba >> 16));
    outb(0x1F7, command);
  }
  // Reads n bytes from the data port with 16-bit accesses.
  std::vector<uint8_t> read_data(uint16_t data_port, size_t n) {
    std::vector<uint8_t> v;
    for (size_t i = 0; i < n; i += 2) {
      uint16_t w = static_cast<uint16_t>(io.read(data_port, 2));
      v.push_back(static_cast<uint8_t>(w));
      v.push_back(static_cast<uint8_t>(w >> 8));
    }
    return v;
  }
  // Writes a PRD table entry at `table` + 8*index.
  void prd(uint32_t table, unsigned index, uint32_t addr, uint32_t count, bool eot) {
    mem.write(table + 8 * index, 4, addr);
    mem.write(table + 8 * index + 4, 4, (count & 0xFFFF) | (eot ? 0x80000000u : 0));
  }
};

}  // namespace emu::test
