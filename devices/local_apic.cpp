// Local APIC, xAPIC mode (see local_apic.h). Register offsets and semantics from the
// Intel SDM vol. 3A chapter 10 ("Advanced Programmable Interrupt Controller").
#include "devices/local_apic.h"

#include "base/log.h"

namespace emu {
namespace {

constexpr uint32_t kLvtMasked = 1u << 16;
constexpr uint32_t kLvtLevel = 1u << 15;
constexpr uint64_t kBaseBsp = 1u << 8;
constexpr uint64_t kBaseX2apic = 1u << 10;
constexpr uint64_t kBaseEnable = 1u << 11;
constexpr unsigned kMaxPhysAddr = 40;

// ESR bits.
constexpr uint32_t kEsrSendIllegalVector = 1u << 5;
constexpr uint32_t kEsrReceiveIllegalVector = 1u << 6;
constexpr uint32_t kEsrIllegalRegister = 1u << 7;

// Writable bits of each LVT register (beyond them, bit 12 delivery status and bit 14
// remote IRR are read-only).
constexpr uint32_t kLvtWritable[] = {
    0x000107ff,  // CMCI: vector, delivery mode, mask
    0x000700ff,  // timer: vector, mask, mode (bits 18:17)
    0x000107ff,  // thermal
    0x000107ff,  // performance
    0x0001a7ff,  // LINT0: vector, delivery, polarity, trigger, mask
    0x0001a7ff,  // LINT1
    0x000100ff,  // error: vector, mask
};

}  // namespace

LocalApic::LocalApic(Clock& clock, ApicBus& bus, uint8_t apic_id, bool bsp, std::function<uint64_t(uint64_t)> tsc_to_ns)
    : clock_(clock), bus_(bus), timer_(clock, [this] { timer_fired(); }), tsc_to_ns_(std::move(tsc_to_ns)),
      reset_id_(apic_id), bsp_(bsp) {
  bus_.attach(this);
  reset();
}

void LocalApic::reset() {
  base_msr_ = kDefaultBase | kBaseEnable | (bsp_ ? kBaseBsp : 0);
  id_ = uint32_t{reset_id_} << 24;
  tpr_ = ldr_ = esr_ = esr_pending_ = icr_lo_ = icr_hi_ = 0;
  dfr_ = 0xffffffffu;
  svr_ = 0xff;
  irr_.fill(0);
  isr_.fill(0);
  tmr_.fill(0);
  lvt_.fill(kLvtMasked);
  // Virtual wire mode on the BSP, as firmware leaves it: the PIC's INTR reaches the CPU
  // through LINT0 (ExtINT) and NMI through LINT1, so a kernel booted without firmware
  // gets PIC interrupts before it programs the APIC.
  if (bsp_) {
    lvt_[kLint0] = 0x700;
    lvt_[kLint1] = 0x400;
  }
  timer_initial_ = timer_divide_conf_ = 0;
  timer_start_ns_ = 0;
  tsc_deadline_ = 0;
  timer_.cancel();
  nmi_pending_ = init_pending_ = false;
  sipi_vector_ = -1;
}

// --- priorities and interrupt acceptance -----------------------------------------

int LocalApic::highest(const std::array<uint32_t, 8>& bits) const {
  for (int i = 7; i >= 0; i--)
    if (bits[i]) return i * 32 + 31 - __builtin_clz(bits[i]);
  return -1;
}

uint32_t LocalApic::ppr() const {
  const int isrv = highest(isr_);
  const uint32_t isr_class = isrv < 0 ? 0 : static_cast<uint32_t>(isrv) & 0xf0;
  return (tpr_ & 0xf0) >= isr_class ? (tpr_ & 0xff) : isr_class;
}

void LocalApic::set_irr(uint8_t vector, bool level) {
  if (vector < 16) {
    signal_error(kEsrReceiveIllegalVector);
    return;
  }
  irr_[vector / 32] |= 1u << (vector % 32);
  if (level) tmr_[vector / 32] |= 1u << (vector % 32); else tmr_[vector / 32] &= ~(1u << (vector % 32));
  notify();
}

bool LocalApic::extint_pending() const {
  return lint_level_[0] && !(lvt_[kLint0] & kLvtMasked) && ((lvt_[kLint0] >> 8) & 7) == 7;
}

bool LocalApic::interrupt_pending() const {
  if (!hardware_enabled()) return lint_level_[0];  // APIC off: LINT0 is the INTR pin
  if (extint_pending()) return true;
  const int v = highest(irr_);
  return v >= 0 && (static_cast<uint32_t>(v) & 0xf0) > (ppr() & 0xf0);
}

uint8_t LocalApic::acknowledge() {
  if (!hardware_enabled() || extint_pending()) return extint_acknowledge ? extint_acknowledge() : 0xff;
  const int v = highest(irr_);
  if (v < 0 || (static_cast<uint32_t>(v) & 0xf0) <= (ppr() & 0xf0)) return static_cast<uint8_t>(svr_);  // spurious
  irr_[v / 32] &= ~(1u << (v % 32));
  isr_[v / 32] |= 1u << (v % 32);
  return static_cast<uint8_t>(v);
}

void LocalApic::eoi() {
  const int v = highest(isr_);
  if (v < 0) return;
  isr_[v / 32] &= ~(1u << (v % 32));
  if (tmr_[v / 32] & (1u << (v % 32))) bus_.broadcast_eoi(static_cast<uint8_t>(v));
  if (interrupt_pending()) notify();
}

bool LocalApic::take_nmi() {
  const bool n = nmi_pending_;
  nmi_pending_ = false;
  return n;
}

bool LocalApic::take_init() {
  const bool i = init_pending_;
  init_pending_ = false;
  return i;
}

int LocalApic::take_startup_vector() {
  const int v = sipi_vector_;
  sipi_vector_ = -1;
  return v;
}

void LocalApic::write_tpr(uint8_t v) {
  tpr_ = v;
  if (interrupt_pending()) notify();
}

bool LocalApic::matches(const ApicMessage& msg) const {
  if (!msg.logical) return msg.destination == 0xff || msg.destination == id();
  const uint8_t logical_id = static_cast<uint8_t>(ldr_ >> 24);
  if ((dfr_ >> 28) == 0xf) return (logical_id & msg.destination) != 0;  // flat model
  // Cluster model: high nibble selects the cluster, low nibble the members.
  if (msg.destination == 0xff) return true;
  return (logical_id >> 4) == (msg.destination >> 4) && (logical_id & msg.destination & 0x0f) != 0;
}

void LocalApic::accept(const ApicMessage& msg) {
  switch (msg.delivery) {
    case ApicDelivery::Fixed:
    case ApicDelivery::LowestPriority:
      set_irr(msg.vector, msg.level);
      break;
    case ApicDelivery::Nmi:
      nmi_pending_ = true;
      notify();
      break;
    case ApicDelivery::Init:
      if (msg.level && !msg.assert) break;  // INIT level de-assert: no effect on modern APICs
      init_pending_ = true;
      notify();
      break;
    case ApicDelivery::StartUp:
      sipi_vector_ = msg.vector;
      notify();
      break;
    case ApicDelivery::ExtInt:
      notify();  // the vector comes from the PIC at acknowledge time
      break;
    case ApicDelivery::Smi:
      EMU_LOG(Unimp, "lapic: SMI delivery is not supported\n");
      break;
  }
}

void LocalApic::local_interrupt(Lvt which) {
  const uint32_t lvt = lvt_[which];
  if (lvt & kLvtMasked) return;
  const unsigned mode = which == kTimer || which == kError ? 0 : (lvt >> 8) & 7;
  switch (mode) {
    case 0: set_irr(static_cast<uint8_t>(lvt), which != kTimer && which != kError && (lvt & kLvtLevel)); break;
    case 4: nmi_pending_ = true; notify(); break;
    case 7: notify(); break;
    default: EMU_LOG(Unimp, "lapic: LVT delivery mode %u not supported\n", mode); break;
  }
}

void LocalApic::signal_error(uint32_t bit) {
  esr_pending_ |= bit;
  local_interrupt(kError);
}

void LocalApic::set_lint(unsigned pin, bool level) {
  if (pin > 1) return;
  const bool rising = level && !lint_level_[pin];
  lint_level_[pin] = level;
  if (!hardware_enabled()) {
    if (pin == 0 && level) notify();
    if (pin == 1 && rising) {
      nmi_pending_ = true;
      notify();
    }
    return;
  }
  const uint32_t lvt = lvt_[pin == 0 ? kLint0 : kLint1];
  if (lvt & kLvtMasked) return;
  const unsigned mode = (lvt >> 8) & 7;
  if (mode == 7) {
    if (level) notify();
  } else if ((lvt & kLvtLevel) ? level : rising) {
    local_interrupt(pin == 0 ? kLint0 : kLint1);
  }
}

// --- timer --------------------------------------------------------------------------

uint64_t LocalApic::timer_period_ns() const {
  const unsigned v = (timer_divide_conf_ & 3) | ((timer_divide_conf_ & 8) >> 1);
  const uint64_t divisor = v == 7 ? 1 : 2ull << v;
  return divisor * (1'000'000'000 / kBusHz);
}

uint32_t LocalApic::timer_current_count() {
  if (timer_initial_ == 0 || timer_mode() == 2) return 0;
  const uint64_t ticks = (clock_.now() - timer_start_ns_) / timer_period_ns();
  if (timer_mode() == 1) return static_cast<uint32_t>(timer_initial_ - ticks % timer_initial_);
  return ticks >= timer_initial_ ? 0 : static_cast<uint32_t>(timer_initial_ - ticks);
}

void LocalApic::arm_timer() {
  timer_.cancel();
  if (timer_mode() == 2) {
    if (tsc_deadline_ != 0) timer_.arm(tsc_to_ns_(tsc_deadline_));
    return;
  }
  if (timer_initial_ == 0) return;
  const uint64_t span = uint64_t{timer_initial_} * timer_period_ns();
  const uint64_t now = clock_.now();
  if (timer_mode() == 1) {
    const uint64_t elapsed = now - timer_start_ns_;
    timer_.arm(timer_start_ns_ + (elapsed / span + 1) * span);
  } else if (now - timer_start_ns_ < span) {
    timer_.arm(timer_start_ns_ + span);
  }
}

void LocalApic::timer_fired() {
  if (timer_mode() == 2) {
    tsc_deadline_ = 0;
    local_interrupt(kTimer);
    return;
  }
  local_interrupt(kTimer);
  if (timer_mode() == 1) arm_timer();  // next period, phase kept from timer_start_ns_
}

void LocalApic::write_tsc_deadline(uint64_t tsc) {
  tsc_deadline_ = tsc;
  if (timer_mode() == 2) arm_timer();
}

// --- registers ----------------------------------------------------------------------

bool LocalApic::write_base_msr(uint64_t value) {
  const uint64_t reserved = ~((((1ull << kMaxPhysAddr) - 1) & ~0xfffull) | kBaseBsp | kBaseEnable | kBaseX2apic);
  if ((value & reserved) || (value & kBaseX2apic)) return false;  // x2APIC is not offered
  const bool was_enabled = hardware_enabled();
  base_msr_ = (value & ~kBaseBsp) | (base_msr_ & kBaseBsp);
  if (was_enabled && !hardware_enabled()) {
    // Disabling the APIC globally resets it to its power-up state, less the base.
    const uint64_t keep = base_msr_;
    reset();
    base_msr_ = keep;
    lvt_.fill(kLvtMasked);
  }
  if (interrupt_pending()) notify();  // enabling or disabling changes what INTR means
  return true;
}

uint32_t LocalApic::read_register(unsigned reg) {
  switch (reg) {
    case 0x02: return id_;
    case 0x03: return 0x00050014;  // version 0x14, 6 LVT entries (max LVT index 5)
    case 0x08: return tpr_;
    case 0x09: return 0;  // APR: arbitration priority (not modelled beyond 0)
    case 0x0a: return ppr();
    case 0x0d: return ldr_;
    case 0x0e: return dfr_;
    case 0x0f: return svr_;
    case 0x28: return esr_;
    case 0x30: return icr_lo_ & ~(1u << 12);  // delivery status: always idle
    case 0x31: return icr_hi_;
    case 0x32: return lvt_[kTimer];
    case 0x33: return lvt_[kThermal];
    case 0x34: return lvt_[kPerf];
    case 0x35: return lvt_[kLint0];
    case 0x36: return lvt_[kLint1];
    case 0x37: return lvt_[kError];
    case 0x38: return timer_initial_;
    case 0x39: return timer_current_count();
    case 0x3e: return timer_divide_conf_;
    default:
      if (reg >= 0x10 && reg < 0x18) return isr_[reg - 0x10];
      if (reg >= 0x18 && reg < 0x20) return tmr_[reg - 0x18];
      if (reg >= 0x20 && reg < 0x28) return irr_[reg - 0x20];
      signal_error(kEsrIllegalRegister);
      return 0;
  }
}

void LocalApic::write_register(unsigned reg, uint32_t value) {
  auto write_lvt = [&](Lvt which) {
    uint32_t v = (lvt_[which] & ~kLvtWritable[which]) | (value & kLvtWritable[which]);
    if (which == kTimer && ((v >> 17) & 3) == 3) v &= ~(1u << 18);  // mode 3 is reserved
    if (!software_enabled()) v |= kLvtMasked;
    const unsigned old_mode = timer_mode();
    lvt_[which] = v;
    if (which == kTimer && (timer_mode() == 2) != (old_mode == 2)) {
      timer_initial_ = 0;  // switching between count and TSC-deadline modes disarms
      tsc_deadline_ = 0;
      timer_.cancel();
    } else if (which == kTimer && timer_mode() != old_mode) {
      arm_timer();  // one-shot <-> periodic: same count, new reload behaviour
    }
    if ((which == kLint0 || which == kLint1) && interrupt_pending()) notify();
  };
  switch (reg) {
    case 0x02: id_ = value & 0xff000000u; break;
    case 0x08: write_tpr(static_cast<uint8_t>(value)); break;
    case 0x0b: eoi(); break;
    case 0x0d: ldr_ = value & 0xff000000u; break;
    case 0x0e: dfr_ = value | 0x0fffffffu; break;
    case 0x0f:
      svr_ = value & 0x3ff;  // vector, software enable, focus check (EOI suppression not offered)
      if (!software_enabled())
        for (auto& l : lvt_) l |= kLvtMasked;
      if (interrupt_pending()) notify();
      break;
    case 0x28:
      esr_ = esr_pending_;
      esr_pending_ = 0;
      break;
    case 0x2f: write_lvt(kCmci); break;
    case 0x30:
      icr_lo_ = value & 0x000ccfff;
      send_ipi();
      break;
    case 0x31: icr_hi_ = value & 0xff000000u; break;
    case 0x32: write_lvt(kTimer); break;
    case 0x33: write_lvt(kThermal); break;
    case 0x34: write_lvt(kPerf); break;
    case 0x35: write_lvt(kLint0); break;
    case 0x36: write_lvt(kLint1); break;
    case 0x37: write_lvt(kError); break;
    case 0x38:
      if (timer_mode() == 2) break;  // ignored in TSC-deadline mode
      timer_initial_ = value;
      timer_start_ns_ = clock_.now();
      arm_timer();
      break;
    case 0x3e: {
      // Keep the current count continuous across a divider change.
      const uint32_t current = timer_current_count();
      timer_divide_conf_ = value & 0xb;
      if (timer_initial_ != 0 && timer_mode() != 2) {
        const uint64_t done = uint64_t{timer_initial_ - current} * timer_period_ns();
        const uint64_t now = clock_.now();
        timer_start_ns_ = now > done ? now - done : 0;
        arm_timer();
      }
      break;
    }
    default:
      if (reg == 0x03 || reg == 0x09 || reg == 0x0a || reg == 0x39 || (reg >= 0x10 && reg < 0x28)) break;  // read-only
      signal_error(kEsrIllegalRegister);
      break;
  }
}

void LocalApic::send_ipi() {
  ApicMessage msg;
  msg.vector = static_cast<uint8_t>(icr_lo_);
  msg.delivery = static_cast<ApicDelivery>((icr_lo_ >> 8) & 7);
  msg.logical = icr_lo_ & (1u << 11);
  msg.assert = icr_lo_ & (1u << 14);
  msg.level = icr_lo_ & (1u << 15);
  msg.shorthand = static_cast<ApicShorthand>((icr_lo_ >> 18) & 3);
  msg.destination = static_cast<uint8_t>(icr_hi_ >> 24);
  if ((msg.delivery == ApicDelivery::Fixed || msg.delivery == ApicDelivery::LowestPriority) && msg.vector < 16) {
    signal_error(kEsrSendIllegalVector);
    return;
  }
  bus_.deliver(msg, this);
}

uint64_t LocalApic::io_read(uint64_t offset, unsigned size) {
  if (offset & 0xf) return 0;  // registers are 16-byte aligned; the rest of each slot reads 0
  return read_register(static_cast<unsigned>(offset >> 4) & 0xff);
}

void LocalApic::io_write(uint64_t offset, unsigned size, uint64_t value) {
  if (offset & 0xf) return;
  write_register(static_cast<unsigned>(offset >> 4) & 0xff, static_cast<uint32_t>(value));
}

}  // namespace emu
