// Helpers for driving I/O ports in device unit tests: an IRQ sink that records levels.
#pragma once
#include <array>
#include <vector>

#include "devices/irq.h"

namespace emu::test {

struct RecordingIrqSink : IrqSink {
  std::array<bool, 32> level{};
  std::vector<std::pair<unsigned, bool>> events;
  void set_irq_level(unsigned line, bool l) override {
    if (line < level.size()) level[line] = l;
    events.push_back({line, l});
  }
};

}  // namespace emu::test
