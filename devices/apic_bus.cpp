// APIC bus message routing (see apic_bus.h).
#include "devices/apic_bus.h"

#include "devices/local_apic.h"

namespace emu {

bool ApicBus::deliver(const ApicMessage& msg, LocalApic* source) {
  std::vector<LocalApic*> targets;
  switch (msg.shorthand) {
    case ApicShorthand::Self:
      if (source) targets.push_back(source);
      break;
    case ApicShorthand::AllIncludingSelf:
      targets = apics_;
      break;
    case ApicShorthand::AllExcludingSelf:
      for (auto* a : apics_)
        if (a != source) targets.push_back(a);
      break;
    case ApicShorthand::None:
      for (auto* a : apics_)
        if (a->matches(msg)) targets.push_back(a);
      break;
  }
  if (targets.empty()) return false;
  if (msg.delivery == ApicDelivery::LowestPriority && targets.size() > 1) {
    LocalApic* best = targets[0];
    for (auto* a : targets)
      if (a->arbitration_priority() < best->arbitration_priority()) best = a;
    best->accept(msg);
    return true;
  }
  for (auto* a : targets) a->accept(msg);
  return true;
}

}  // namespace emu
