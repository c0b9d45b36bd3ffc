// Interrupt request lines: how a device signals an interrupt controller without
// knowing which one it is wired to. A device holds an IrqLine; the board connects it
// to a sink (the PIC pair, the IOAPIC, or both) and an input number on that sink.
#pragma once
#include <vector>

namespace emu {

// An interrupt controller input side (i8259 pair, IOAPIC, ...).
class IrqSink {
 public:
  virtual ~IrqSink() = default;
  // Drives input `line` to `level` (true = asserted).
  virtual void set_irq_level(unsigned line, bool level) = 0;
};

class IrqLine {
 public:
  IrqLine() = default;
  // Wires the line to input `line` of `sink`; may be called again to add another
  // destination (ISA IRQs go to both the PIC and the IOAPIC).
  void connect(IrqSink* sink, unsigned line) { targets_.push_back({sink, line}); }
  void set(bool level) {
    level_ = level;
    for (auto& t : targets_) t.sink->set_irq_level(t.line, level);
  }
  void raise() { set(true); }
  void lower() { set(false); }
  // An edge: assert then deassert (for edge-triggered sources such as the PIT).
  void pulse() {
    raise();
    lower();
  }
  bool level() const { return level_; }

 private:
  struct Target {
    IrqSink* sink;
    unsigned line;
  };
  std::vector<Target> targets_;
  bool level_ = false;
};

}  // namespace emu
