// SystemCpu: attaching to a Cpu, reset state, and the exception/interrupt entry points
// with the double-fault and triple-fault rules (SDM vol. 3A 6.15, table 6-5).
#include "cpu/system/system_cpu.h"

#include "cpu/system/interrupts.h"

namespace emu {

// RIP of the software-interrupt instruction that just retired (RIP is past it): CD ib
// (INT n, also INT 3 written as CD 03) is two bytes, CC/CE/F1 one. Prefixes are not
// counted (assemblers do not emit them on these).
static uint64_t software_interrupt_start(Cpu& cpu, uint8_t vector) {
  CpuState& s = cpu.state();
  const uint64_t base = cpu.mode64() ? 0 : s.seg[isa::SEG_CS].base;
  const uint64_t mask = cpu.mode64() ? ~uint64_t{0} : 0xffffffffu;
  auto code_byte = [&](uint64_t rip) -> int {
    Translation t = cpu.system->paging().translate_supervisor((base + rip) & mask, false);
    return t.ok ? static_cast<int>(cpu.memory().read(t.phys, 1) & 0xff) : -1;
  };
  if (s.rip >= 2 && code_byte(s.rip - 2) == 0xcd && code_byte(s.rip - 1) == vector) return s.rip - 2;
  return s.rip - 1;
}

SystemCpu::SystemCpu(Cpu& cpu) : cpu_(cpu), paging_(cpu.memory(), cpu.state()) {
  cpu_.system = this;
  cpu_.set_translator(&paging_);
  cpu_.exception_hook = [this](Cpu&, const CpuException& e) { return deliver_exception(e); };
  cpu_.interrupt_hook = [this](Cpu&, bool intr_allowed) { return poll_interrupts(intr_allowed); };
}

SystemCpu::~SystemCpu() {
  cpu_.system = nullptr;
  cpu_.set_translator(nullptr);
  cpu_.exception_hook = nullptr;
  cpu_.interrupt_hook = nullptr;
}

void SystemCpu::reset() {
  cpu_.set_real_mode();
  CpuState& s = cpu_.state();
  s.seg[isa::SEG_CS].selector = 0xf000;
  s.seg[isa::SEG_CS].base = 0xffff0000u;
  s.rip = 0xfff0;
  s.rflags = 2;
  s.lf.op = FlagOp::None;
  s.gdtr = DescriptorTableReg{0, 0xffff};
  s.idtr = DescriptorTableReg{0, 0xffff};
  s.ldtr = SegmentCache{};
  s.ldtr.attr = 0x82;
  s.tr = SegmentCache{};
  s.tr.attr = 0x8b;
  s.cr2 = s.cr3 = s.cr4 = s.cr8 = 0;
  msr = MsrState{};
  delivering = false;
  nmi_blocked = false;
  cpu_.flush_code_cache();
}

bool SystemCpu::deliver_exception(const CpuException& e) {
  sys::Event ev;
  ev.vector = e.vector;
  ev.has_error = e.has_error_code;
  ev.error = e.error_code;
  // INT1 is delivered as a hardware #DB (SDM INT n pseudo-code): no gate-DPL check,
  // EXT set in the error code of a fault during its delivery.
  ev.software = e.software && !e.int1;
  ev.external = e.int1;
  if (delivering) {
    // A fault while delivering an earlier event.
    const sys::FaultClass first = delivering_benign ? sys::FaultClass::Benign : sys::classify(delivering_vector);
    const sys::FaultClass second = sys::classify(e.vector);
    ev.external = delivering_external;
    if (first == sys::FaultClass::DoubleFault) {
      delivering = false;
      cpu_.signal_triple_fault();
      return false;
    }
    const bool to_df = (first == sys::FaultClass::Contributory && second == sys::FaultClass::Contributory) ||
                       (first == sys::FaultClass::PageFault && second != sys::FaultClass::Benign);
    if (to_df) {
      ev.vector = kDF;
      ev.has_error = true;
      ev.error = 0;
      ev.software = false;
    }
    // Otherwise (benign first or second): the second event is delivered serially.
    // A fault while delivering INT n reports the INT instruction itself.
    if (delivering_benign && !delivering_external) cpu_.state().rip = software_rip;
  }
  // Real mode has no error codes.
  if (!(cpu_.state().cr0 & kCr0PE)) ev.has_error = false;
  delivering = true;
  delivering_vector = ev.vector;
  delivering_benign = ev.software;
  if (ev.software) software_rip = software_interrupt_start(cpu_, ev.vector);
  sys::deliver_event(cpu_, ev);
  delivering = false;
  delivering_external = false;
  return true;
}

bool SystemCpu::poll_interrupts(bool intr_allowed) {
  InterruptSource* src = cpu_.interrupts;
  if (!src) return false;
  if (!nmi_blocked && src->take_nmi()) {
    deliver_external(kNMI);
    return true;
  }
  if (intr_allowed && src->intr_pending()) {
    deliver_external(src->acknowledge());
    return true;
  }
  return false;
}

void SystemCpu::deliver_external(uint8_t vector) {
  sys::Event ev;
  ev.vector = vector;
  ev.external = true;
  if (vector == kNMI) nmi_blocked = true;
  delivering = true;
  delivering_vector = vector;
  delivering_external = true;
  delivering_benign = true;
  sys::deliver_event(cpu_, ev);
  delivering = false;
  delivering_external = false;
}

}  // namespace emu
