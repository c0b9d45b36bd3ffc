// QEMU's firmware configuration device (fw_cfg), legacy I/O interface as on x86:
// a 16-bit selector register at 0x510 and an 8-bit data register at 0x511. Selecting
// an item rewinds it; each data read returns the next byte, 0 past the end. Items are
// the well-known keys (signature "QEMU", ID, RAM size, CPU counts, kernel/initrd/
// command line for firmware-driven -kernel boots) and named files listed in the file
// directory (key 0x19), e.g. "etc/e820". No DMA interface (ID bit 1 stays clear).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "memory/io_handler.h"

namespace emu {

namespace fw_cfg {
constexpr uint16_t kSignature = 0x00, kId = 0x01, kUuid = 0x02, kRamSize = 0x03, kNoGraphic = 0x04;
constexpr uint16_t kNbCpus = 0x05, kMachineId = 0x06, kKernelAddr = 0x07, kKernelSize = 0x08;
constexpr uint16_t kKernelCmdline = 0x09, kInitrdAddr = 0x0a, kInitrdSize = 0x0b, kBootDevice = 0x0c;
constexpr uint16_t kNuma = 0x0d, kBootMenu = 0x0e, kMaxCpus = 0x0f, kKernelEntry = 0x10;
constexpr uint16_t kKernelData = 0x11, kInitrdData = 0x12, kCmdlineAddr = 0x13, kCmdlineSize = 0x14;
constexpr uint16_t kCmdlineData = 0x15, kSetupAddr = 0x16, kSetupSize = 0x17, kSetupData = 0x18;
constexpr uint16_t kFileDir = 0x19, kFileFirst = 0x20;
constexpr uint16_t kWriteChannel = 0x4000, kArchLocal = 0x8000;
constexpr size_t kMaxFileName = 56;  // including the terminating NUL
constexpr uint32_t kIdTraditional = 1u << 0;
}  // namespace fw_cfg

class FwCfg : public IoHandler {
 public:
  static constexpr uint16_t kPortBase = 0x510;  // map 2 ports: selector, data
  static constexpr uint32_t kPortCount = 2;

  FwCfg();  // signature and ID items present

  // Sets (or replaces) a numbered item.
  void add_item(uint16_t key, std::vector<uint8_t> bytes);
  void add_u16(uint16_t key, uint16_t v);
  void add_u32(uint16_t key, uint32_t v);
  void add_u64(uint16_t key, uint64_t v);
  void add_string(uint16_t key, const std::string& s);  // with a terminating NUL
  // Adds (or replaces) a named file. Names longer than 55 characters are refused
  // (returns false). The directory is kept sorted by name, as QEMU does, so file
  // keys are only final once all files are added: look them up with file_key().
  bool add_file(const std::string& name, std::vector<uint8_t> bytes);
  int file_key(const std::string& name) const;  // -1 if absent

  // Convenience setters for the common items (all little-endian).
  void set_ram_size(uint64_t bytes) { add_u64(fw_cfg::kRamSize, bytes); }
  void set_cpu_counts(uint16_t boot_cpus, uint16_t max_cpus);

  // The items QEMU's x86 -kernel path provides for firmware (SeaBIOS linuxboot ROM):
  // for each of setup / kernel / initrd / command line an address, a size and the data
  // (the command line gets its NUL; an empty blob leaves its items out).
  struct LinuxBoot {
    uint32_t setup_addr = 0, kernel_addr = 0, initrd_addr = 0, cmdline_addr = 0;
    std::vector<uint8_t> setup, kernel, initrd;
    std::string cmdline;
  };
  void set_linux_boot(const LinuxBoot& boot);

  void reset() { selector_ = 0, offset_ = 0; }

  uint64_t io_read(uint64_t offset, unsigned size) override;
  void io_write(uint64_t offset, unsigned size, uint64_t value) override;

 private:
  void rebuild_directory();
  uint8_t next_byte();
  std::map<uint16_t, std::vector<uint8_t>> items_;
  std::map<std::string, std::vector<uint8_t>> files_;  // sorted by name
  uint16_t selector_ = 0;
  uint32_t offset_ = 0;
};

}  // namespace emu
