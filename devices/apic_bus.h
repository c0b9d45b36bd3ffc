// The APIC bus: how interrupt messages travel between I/O APICs and local APICs (and
// between local APICs for IPIs). Senders describe a message; the bus picks the
// destination local APICs by physical ID or logical mask, as xAPIC does, and carries
// EOIs for level-triggered vectors back to the I/O APICs.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

namespace emu {

class LocalApic;

enum class ApicDelivery : uint8_t {
  Fixed = 0,
  LowestPriority = 1,
  Smi = 2,
  Nmi = 4,
  Init = 5,
  StartUp = 6,
  ExtInt = 7,
};

enum class ApicShorthand : uint8_t { None = 0, Self = 1, AllIncludingSelf = 2, AllExcludingSelf = 3 };

struct ApicMessage {
  uint8_t vector = 0;
  ApicDelivery delivery = ApicDelivery::Fixed;
  bool logical = false;       // destination mode: false = physical APIC ID, true = logical
  uint8_t destination = 0;    // APIC ID, or logical mask (0xff = broadcast)
  bool level = false;         // trigger mode: level (true) or edge
  bool assert = true;         // level: assert or de-assert (INIT level de-assert)
  ApicShorthand shorthand = ApicShorthand::None;
};

class ApicBus {
 public:
  void attach(LocalApic* apic) { apics_.push_back(apic); }
  const std::vector<LocalApic*>& apics() const { return apics_; }

  // Delivers a message; `source` is the sending local APIC for shorthands (nullptr for
  // I/O APICs). Returns false when no local APIC accepted it.
  bool deliver(const ApicMessage& msg, LocalApic* source = nullptr);

  // A local APIC signalled EOI for a level-triggered vector: I/O APICs listen here.
  void broadcast_eoi(uint8_t vector) {
    for (auto& listener : eoi_listeners_) listener(vector);
  }
  void add_eoi_listener(std::function<void(uint8_t)> f) { eoi_listeners_.push_back(std::move(f)); }

 private:
  std::vector<LocalApic*> apics_;
  std::vector<std::function<void(uint8_t)>> eoi_listeners_;
};

}  // namespace emu
