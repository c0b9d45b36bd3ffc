// A PCI function: its 256-byte configuration space (type 0 header) with per-byte
// write masks (read-only IDs, RW1C status bits), the command register whose enable
// bits map and unmap the BARs into the I/O space / physical memory, BAR size probing,
// INTx, and a capability list helper. Concrete devices derive from it, declare their
// BARs and capabilities in the constructor, and may hook config writes. Each BAR needs
// its own IoHandler object (unmapping goes by handler). The bus, IoSpace and
// PhysicalMemory must outlive the devices plugged into them.
#pragma once
#include <array>
#include <cstdint>
#include <string>

#include "memory/io_handler.h"

namespace emu {

class PciBus;

namespace pci {
// Standard configuration-space offsets and bits.
constexpr unsigned kVendorId = 0x00, kDeviceId = 0x02, kCommand = 0x04, kStatus = 0x06;
constexpr unsigned kRevision = 0x08, kProgIf = 0x09, kSubclass = 0x0a, kClass = 0x0b;
constexpr unsigned kCacheLine = 0x0c, kLatency = 0x0d, kHeaderType = 0x0e, kBist = 0x0f;
constexpr unsigned kBar0 = 0x10, kSubsysVendor = 0x2c, kSubsysId = 0x2e, kRomAddress = 0x30;
constexpr unsigned kCapPtr = 0x34, kInterruptLine = 0x3c, kInterruptPin = 0x3d;
constexpr uint16_t kCmdIo = 1u << 0, kCmdMemory = 1u << 1, kCmdBusMaster = 1u << 2;
constexpr uint16_t kCmdSerr = 1u << 8, kCmdIntxDisable = 1u << 10;
constexpr uint16_t kCmdParity = 1u << 6;
constexpr uint16_t kStatusIntx = 1u << 3, kStatusCapList = 1u << 4;
// RW1C error bits of the status register (parity, target/master aborts, SERR, ...).
constexpr uint16_t kStatusErrorBits = 0xf900;
constexpr uint8_t kHeaderMultifunction = 0x80;
constexpr unsigned kNumBars = 6;
}  // namespace pci

class PciDevice {
 public:
  enum class BarKind : uint8_t { None, Io, Mem32, Mem64 };

  PciDevice(std::string name, uint16_t vendor, uint16_t device, uint8_t class_code, uint8_t subclass,
            uint8_t prog_if = 0, uint8_t revision = 0);
  virtual ~PciDevice();
  PciDevice(const PciDevice&) = delete;
  PciDevice& operator=(const PciDevice&) = delete;

  // Configuration access at any offset; accesses that cross the end of the 256-byte
  // space are clipped (missing bytes read as 0xff). size is 1, 2 or 4.
  uint32_t config_read(unsigned offset, unsigned size);
  void config_write(unsigned offset, unsigned size, uint32_t value);

  // Power-on state: command/status/BAR addresses cleared, BARs unmapped. Subclasses
  // that override must call PciDevice::reset().
  virtual void reset();

  const std::string& name() const { return name_; }
  PciBus* bus() const { return bus_; }
  uint8_t devfn() const { return devfn_; }
  uint8_t slot() const { return devfn_ >> 3; }
  uint8_t function() const { return devfn_ & 7; }
  uint16_t command() const { return cfg16(pci::kCommand); }
  bool bus_master_enabled() const { return command() & pci::kCmdBusMaster; }
  // Address a BAR is programmed to (0 for an unused BAR).
  uint64_t bar_address(unsigned index) const;
  bool bar_mapped(unsigned index) const;

  // Asserts/deasserts this function's INTx pin (routed by the bus's interrupt router).
  // Honours the command register's INTx-disable bit and mirrors the status bit.
  void set_irq(bool level);

 protected:
  // --- setup helpers for the subclass constructor ---------------------------------
  // BARs: size must be a power of two (I/O >= 4, memory >= 16; smaller memory sizes
  // are rounded up to 16 as PCI requires). handler receives offsets within the BAR.
  void declare_io_bar(unsigned index, uint32_t size, IoHandler* handler);
  void declare_mem32_bar(unsigned index, uint32_t size, IoHandler* handler, bool prefetchable = false);
  // Uses index and index+1.
  void declare_mem64_bar(unsigned index, uint64_t size, IoHandler* handler, bool prefetchable = false);
  void set_interrupt_pin(uint8_t pin);  // 1 = INTA ... 4 = INTD, 0 = none
  void set_multifunction(bool on);
  void set_subsystem(uint16_t vendor, uint16_t id);
  // Appends a capability of `length` bytes (including the 2-byte header) to the list;
  // returns its offset in config space (0 if no room). Contents after the header are
  // read-only unless the caller opens them with set_writable().
  uint8_t add_capability(uint8_t cap_id, uint8_t length);
  // Write masks: bits set in `mask` become guest-writable (set_writable) or
  // write-one-to-clear (set_write_one_to_clear) for `len` bytes from `offset`.
  void set_writable(unsigned offset, unsigned len, uint8_t mask = 0xff);
  void set_write_one_to_clear(unsigned offset, unsigned len, uint8_t mask = 0xff);

  // Raw config space for the device model itself (no masks).
  uint8_t cfg8(unsigned offset) const { return config_[offset & 0xff]; }
  uint16_t cfg16(unsigned offset) const;
  uint32_t cfg32(unsigned offset) const;
  void set_cfg8(unsigned offset, uint8_t v) { config_[offset & 0xff] = v; }
  void set_cfg16(unsigned offset, uint16_t v);
  void set_cfg32(unsigned offset, uint32_t v);

  // Called after a guest config write has been applied (offset/size as written).
  virtual void on_config_write(unsigned offset, unsigned size, uint32_t value) {}

 private:
  friend class PciBus;
  struct Bar {
    BarKind kind = BarKind::None;
    uint64_t size = 0;
    IoHandler* handler = nullptr;
    bool prefetchable = false;
    bool mapped = false;
    uint64_t mapped_address = 0;
  };
  void attach(PciBus* bus, uint8_t devfn) {
    bus_ = bus;
    devfn_ = devfn;
    power_on_ = config_;  // the subclass constructor has finished by now
    power_on_taken_ = true;
  }
  void update_mappings();
  void unmap_bar(Bar& bar);
  void map_bar(unsigned index, Bar& bar, uint64_t address);
  void write_byte(unsigned offset, uint8_t value);

  std::string name_;
  std::array<uint8_t, 256> config_{};
  std::array<uint8_t, 256> write_mask_{};
  std::array<uint8_t, 256> w1c_mask_{};
  std::array<uint8_t, 256> power_on_{};  // snapshot of config_ after construction
  std::array<Bar, pci::kNumBars> bars_{};
  PciBus* bus_ = nullptr;
  uint8_t devfn_ = 0;
  uint8_t next_cap_ = 0x40;
  uint8_t last_cap_ = 0;
  bool irq_level_ = false;
  bool power_on_taken_ = false;
};

}  // namespace emu
