// I/O APIC (see ioapic.h). Register layout from the 82093AA datasheet; version 0x20
// adds the directed EOI register at offset 0x40 as QEMU's and later chipsets' do.
#include "devices/ioapic.h"

#include "base/log.h"
#include "devices/local_apic.h"

namespace emu {
namespace {
constexpr uint64_t kMasked = 1ull << 16;
constexpr uint64_t kLevel = 1ull << 15;
constexpr uint64_t kRemoteIrr = 1ull << 14;
constexpr uint64_t kActiveLow = 1ull << 13;
constexpr uint64_t kDeliveryStatus = 1ull << 12;
constexpr uint64_t kLogical = 1ull << 11;
// Writable bits of a redirection entry: vector, delivery mode, destination mode,
// polarity, trigger mode, mask and destination.
constexpr uint64_t kWritable = 0xff000000000000ffull | (7ull << 8) | kLogical | kActiveLow | kLevel | kMasked;
}  // namespace

IoApic::IoApic(ApicBus& bus, uint8_t id) : id_(id), reset_id_(id), bus_(bus) {
  bus_.add_eoi_listener([this](uint8_t v) { end_of_interrupt(v); });
  reset();
}

void IoApic::reset() {
  id_ = reset_id_;
  select_ = 0;
  redir_.fill(kMasked);
}

bool IoApic::asserted(unsigned pin) const {
  const bool wire = (input_ >> pin) & 1;
  return (redir_[pin] & kActiveLow) ? !wire : wire;
}

void IoApic::set_irq_level(unsigned line, bool level) {
  if (line >= kPins) return;
  const bool was = asserted(line);
  if (level) input_ |= 1u << line; else input_ &= ~(1u << line);
  const bool now = asserted(line);
  const uint64_t e = redir_[line];
  if (e & kLevel) {
    if (now) service(line);
  } else if (now && !was) {
    service(line);
  }
}

void IoApic::service(unsigned pin) {
  uint64_t& e = redir_[pin];
  if (e & kMasked) return;
  const bool level = e & kLevel;
  if (level && (e & kRemoteIrr)) return;
  ApicMessage msg;
  msg.vector = static_cast<uint8_t>(e);
  msg.delivery = static_cast<ApicDelivery>((e >> 8) & 7);
  msg.logical = e & kLogical;
  msg.destination = static_cast<uint8_t>(e >> 56);
  msg.level = level;
  if (msg.delivery == ApicDelivery::ExtInt) msg.vector = 0;  // the PIC supplies the vector
  if (level) e |= kRemoteIrr;
  if (!bus_.deliver(msg) && level) e &= ~kRemoteIrr;
}

void IoApic::end_of_interrupt(uint8_t vector) {
  for (unsigned pin = 0; pin < kPins; pin++) {
    uint64_t& e = redir_[pin];
    if ((e & kLevel) && (e & kRemoteIrr) && static_cast<uint8_t>(e) == vector) {
      e &= ~kRemoteIrr;
      if (asserted(pin)) service(pin);
    }
  }
}

uint32_t IoApic::read_register(uint8_t index) const {
  switch (index) {
    case 0x00: return uint32_t{id_} << 24;
    case 0x01: return 0x20 | ((kPins - 1) << 16);  // version 0x20, max redirection entry
    case 0x02: return uint32_t{id_} << 24;          // arbitration ID
    default:
      if (index >= 0x10 && index < 0x10 + 2 * kPins) {
        const uint64_t e = redir_[(index - 0x10) / 2];
        return (index & 1) ? static_cast<uint32_t>(e >> 32) : static_cast<uint32_t>(e);
      }
      EMU_LOG(Guest, "ioapic: read of unknown register 0x%02x\n", index);
      return 0xffffffffu;
  }
}

void IoApic::write_register(uint8_t index, uint32_t value) {
  if (index == 0x00) {
    id_ = (value >> 24) & 0x0f;
    return;
  }
  if (index < 0x10 || index >= 0x10 + 2 * kPins) {
    EMU_LOG(Guest, "ioapic: write to read-only/unknown register 0x%02x\n", index);
    return;
  }
  const unsigned pin = (index - 0x10) / 2;
  uint64_t& e = redir_[pin];
  const uint64_t incoming = (index & 1) ? (uint64_t{value} << 32) | (e & 0xffffffffu) : (e & ~0xffffffffull) | value;
  const uint64_t old = e;
  e = (incoming & kWritable) | (old & (kRemoteIrr | kDeliveryStatus));
  if (!(e & kLevel)) e &= ~kRemoteIrr;
  // Unmasking (or switching to level) an asserted level pin fires it.
  if ((e & kLevel) && asserted(pin)) service(pin);
}

uint64_t IoApic::io_read(uint64_t offset, unsigned size) {
  switch (offset) {
    case 0x00: return select_;
    case 0x10: return read_register(select_);
    default: return 0;
  }
}

void IoApic::io_write(uint64_t offset, unsigned size, uint64_t value) {
  switch (offset) {
    case 0x00: select_ = static_cast<uint8_t>(value); break;
    case 0x10: write_register(select_, static_cast<uint32_t>(value)); break;
    case 0x40: end_of_interrupt(static_cast<uint8_t>(value)); break;
    default: EMU_LOG(Guest, "ioapic: write to offset 0x%llx\n", (unsigned long long)offset); break;
  }
}

}  // namespace emu
