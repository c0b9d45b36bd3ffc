// PCI bus 0 with configuration mechanism #1: the 32-bit CONFIG_ADDRESS register at
// port 0xCF8 (bit 31 enable, bus/device/function/register) and the data window at
// 0xCFC-0xCFF (byte, word or dword at any offset). Functions that are absent read as
// all ones. The bus also owns the I/O and memory spaces BARs are mapped into and
// passes INTx changes to an interrupt router (the PIIX3 PIRQ logic).
#pragma once
#include <array>
#include <cstdint>

#include "memory/io_handler.h"

namespace emu {

class IoSpace;
class PhysicalMemory;
class PciDevice;

// Receives INTx level changes of PCI functions (implemented by Piix3Isa).
class PciIntxRouter {
 public:
  virtual ~PciIntxRouter() = default;
  // pin: 0 = INTA ... 3 = INTD.
  virtual void pci_intx_changed(uint8_t devfn, uint8_t pin, bool level) = 0;
};

class PciBus : public IoHandler {
 public:
  static constexpr uint16_t kConfigPortBase = 0xCF8;  // map 8 ports: 0xCF8-0xCFF
  static constexpr uint32_t kConfigPortCount = 8;

  // io/mem may be null in tests that never enable decoding.
  PciBus(IoSpace* io, PhysicalMemory* mem);
  ~PciBus() override;

  // Plugs `dev` in at devfn = (slot << 3) | function. Throws std::logic_error if taken.
  void attach(PciDevice* dev, uint8_t slot, uint8_t function);
  // Unplugs `dev` (its destructor does this too).
  void detach(PciDevice* dev);
  PciDevice* device(uint8_t devfn) const { return devices_[devfn]; }

  void set_intx_router(PciIntxRouter* router) { router_ = router; }
  // The PIIX reset control register at 0xCF9 shares the config window: byte accesses
  // there go to this handler (offset 0) instead of CONFIG_ADDRESS.
  void set_reset_control_port(IoHandler* handler) { cf9_ = handler; }

  // Direct configuration access (as firmware or the board would do).
  uint32_t config_read(uint8_t devfn, unsigned offset, unsigned size);
  void config_write(uint8_t devfn, unsigned offset, unsigned size, uint32_t value);

  // Resets every attached function and CONFIG_ADDRESS.
  void reset();

  // Port handler for 0xCF8-0xCFF.
  uint64_t io_read(uint64_t offset, unsigned size) override;
  void io_write(uint64_t offset, unsigned size, uint64_t value) override;

  IoSpace* io_space() const { return io_; }
  PhysicalMemory* memory() const { return mem_; }
  PciIntxRouter* intx_router() const { return router_; }

 private:
  IoSpace* io_;
  PhysicalMemory* mem_;
  PciIntxRouter* router_ = nullptr;
  IoHandler* cf9_ = nullptr;
  std::array<PciDevice*, 256> devices_{};
  uint32_t config_address_ = 0;
};

}  // namespace emu
