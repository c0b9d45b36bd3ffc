// 16550A UART (see uart_16550.h). Register semantics follow the NS/TI PC16550D data
// sheet; the THRE interrupt follows what Linux's 8250 driver checks: it is pending after
// every transmitted byte and whenever IER.ETBEI goes from 0 to 1 while THR is empty, and
// reading IIR while it is the reported source clears it.
#include "devices/uart_16550.h"

#include "base/log.h"

namespace emu {

namespace {
enum : uint8_t {
  kIerRx = 0x01, kIerThre = 0x02, kIerLineStatus = 0x04, kIerModemStatus = 0x08,
  kLcrBreak = 0x40, kLcrDlab = 0x80,
  kMcrDtr = 0x01, kMcrRts = 0x02, kMcrOut1 = 0x04, kMcrOut2 = 0x08, kMcrLoop = 0x10,
  kLsrDr = 0x01, kLsrErrors = 0x1e, kLsrBi = 0x10, kLsrThre = 0x20, kLsrTemt = 0x40, kLsrFifoErr = 0x80,
  kMsrCts = 0x10, kMsrDsr = 0x20, kMsrRi = 0x40, kMsrDcd = 0x80,
  kIirNone = 0x01, kIirModem = 0x00, kIirThre = 0x02, kIirRx = 0x04, kIirLineStatus = 0x06, kIirTimeout = 0x0c,
  kIirFifoOn = 0xc0,
};
constexpr uint8_t kTriggerLevels[4] = {1, 4, 8, 14};
}  // namespace

Uart16550::Uart16550(Clock& clock, IrqLine& irq, CharBackend* backend)
    : clock_(clock), irq_(irq), backend_(backend), timeout_timer_(clock, [this] { on_timeout(); }) {
  reset();
}

void Uart16550::reset() {
  clear_rx_fifo();
  ier_ = lcr_ = mcr_ = scr_ = 0;
  lsr_errors_ = 0;
  divisor_ = 12;
  fifo_enabled_ = false;
  rx_trigger_ = 1;
  thr_ipending_ = false;
  timeout_pending_ = false;
  timeout_timer_.cancel();
  msr_ = host_modem_;
  update_irq();
}

bool Uart16550::rx_data_ready() const {
  size_t n = fifo_count();
  return fifo_enabled_ ? n >= rx_trigger_ : n > 0;
}

uint8_t Uart16550::iir() const {
  uint8_t id = kIirNone;
  if ((ier_ & kIerLineStatus) && lsr_errors_) id = kIirLineStatus;
  else if ((ier_ & kIerRx) && rx_data_ready()) id = kIirRx;
  else if ((ier_ & kIerRx) && timeout_pending_) id = kIirTimeout;
  else if ((ier_ & kIerThre) && thr_ipending_) id = kIirThre;
  else if ((ier_ & kIerModemStatus) && (msr_ & 0x0f)) id = kIirModem;
  return static_cast<uint8_t>(id | (fifo_enabled_ ? kIirFifoOn : 0));
}

uint8_t Uart16550::lsr() const {
  uint8_t v = kLsrThre | kLsrTemt | lsr_errors_;  // transmitter always empty
  if (!rx_.empty()) v |= kLsrDr;
  if (fifo_enabled_ && lsr_errors_) v |= kLsrFifoErr;
  return v;
}

void Uart16550::update_irq() {
  // PC serial cards gate the interrupt with OUT2; loopback forces the outputs inactive.
  bool level = !(iir() & kIirNone) && (mcr_ & kMcrOut2) && !(mcr_ & kMcrLoop);
  if (level != irq_level_) {
    irq_level_ = level;
    irq_.set(level);
  }
}

void Uart16550::clear_rx_fifo() {
  size_t n = fifo_count();
  rx_.erase(rx_.begin(), rx_.begin() + static_cast<std::ptrdiff_t>(n));
  timeout_pending_ = false;
}

uint64_t Uart16550::char_time_ns() const {
  // Start bit, 5-8 data bits, optional parity, 1 or 2 stop bits.
  unsigned bits = 1 + 5 + (lcr_ & 3) + ((lcr_ >> 3) & 1) + ((lcr_ & 4) ? 2 : 1);
  uint64_t div = divisor_ ? divisor_ : 0x10000;
  return bits * div * 16 * 1'000'000'000ull / kInputClockHz;
}

void Uart16550::restart_timeout() {
  timeout_pending_ = false;
  if (fifo_enabled_ && !rx_.empty()) timeout_timer_.arm(clock_.now() + 4 * char_time_ns());
  else timeout_timer_.cancel();
}

void Uart16550::on_timeout() {
  if (fifo_enabled_ && !rx_.empty()) timeout_pending_ = true;
  update_irq();
}

void Uart16550::receive(const uint8_t* data, size_t len) {
  if (!len) return;
  rx_.insert(rx_.end(), data, data + len);
  restart_timeout();
  update_irq();
}

void Uart16550::receive_break() {
  lsr_errors_ |= kLsrBi;
  uint8_t zero = 0;
  receive(&zero, 1);
}

void Uart16550::set_modem_inputs(bool cts, bool dsr, bool ri, bool dcd) {
  host_modem_ = static_cast<uint8_t>((cts ? kMsrCts : 0) | (dsr ? kMsrDsr : 0) | (ri ? kMsrRi : 0) | (dcd ? kMsrDcd : 0));
  update_modem_status();
  update_irq();
}

void Uart16550::update_modem_status() {
  uint8_t state = host_modem_;
  if (mcr_ & kMcrLoop) {
    state = static_cast<uint8_t>(((mcr_ & kMcrRts) ? kMsrCts : 0) | ((mcr_ & kMcrDtr) ? kMsrDsr : 0) |
                                 ((mcr_ & kMcrOut1) ? kMsrRi : 0) | ((mcr_ & kMcrOut2) ? kMsrDcd : 0));
  }
  uint8_t old = msr_ & 0xf0;
  uint8_t changed = old ^ state;
  uint8_t delta = msr_ & 0x0f;
  if (changed & kMsrCts) delta |= 0x01;
  if (changed & kMsrDsr) delta |= 0x02;
  if ((old & kMsrRi) && !(state & kMsrRi)) delta |= 0x04;  // trailing edge of RI
  if (changed & kMsrDcd) delta |= 0x08;
  msr_ = static_cast<uint8_t>(state | delta);
}

void Uart16550::transmit(uint8_t byte) {
  if (mcr_ & kMcrLoop) {
    rx_.push_back(byte);
    restart_timeout();
  } else if (backend_) {
    backend_->write(&byte, 1);
  }
  // The byte left at once: THR (and the shift register) are empty again.
  thr_ipending_ = true;
}

void Uart16550::write_ier(uint8_t v) {
  uint8_t old = ier_;
  ier_ = v & 0x0f;
  if ((ier_ & kIerThre) && !(old & kIerThre)) thr_ipending_ = true;  // THR is always empty
}

void Uart16550::write_fcr(uint8_t v) {
  bool enable = v & 0x01;
  if (enable != fifo_enabled_) {
    clear_rx_fifo();
    fifo_enabled_ = enable;
  }
  if (!enable) {
    restart_timeout();
    return;  // the other bits are only programmed together with FIFO enable
  }
  if (v & 0x02) clear_rx_fifo();
  rx_trigger_ = kTriggerLevels[v >> 6];
  restart_timeout();
}

void Uart16550::write_mcr(uint8_t v) {
  mcr_ = v & 0x1f;
  update_modem_status();
}

uint8_t Uart16550::read_rbr() {
  if (rx_.empty()) return last_rbr_;
  last_rbr_ = rx_.front();
  rx_.pop_front();
  restart_timeout();
  return last_rbr_;
}

uint64_t Uart16550::io_read(uint64_t offset, unsigned size) {
  uint8_t v = 0xff;
  bool dlab = lcr_ & kLcrDlab;
  switch (offset) {
    case 0: v = dlab ? static_cast<uint8_t>(divisor_) : read_rbr(); break;
    case 1: v = dlab ? static_cast<uint8_t>(divisor_ >> 8) : ier_; break;
    case 2:
      v = iir();
      if ((v & 0x0f) == kIirThre) thr_ipending_ = false;
      break;
    case 3: v = lcr_; break;
    case 4: v = mcr_; break;
    case 5:
      v = lsr();
      lsr_errors_ = 0;
      break;
    case 6:
      v = msr_;
      msr_ &= 0xf0;
      break;
    case 7: v = scr_; break;
    default: break;
  }
  update_irq();
  return v;
}

void Uart16550::io_write(uint64_t offset, unsigned size, uint64_t value) {
  uint8_t v = static_cast<uint8_t>(value);
  bool dlab = lcr_ & kLcrDlab;
  switch (offset) {
    case 0:
      if (dlab) divisor_ = static_cast<uint16_t>((divisor_ & 0xff00) | v);
      else transmit(v);
      break;
    case 1:
      if (dlab) divisor_ = static_cast<uint16_t>((divisor_ & 0x00ff) | v << 8);
      else write_ier(v);
      break;
    case 2: write_fcr(v); break;
    case 3: {
      bool was_break = lcr_ & kLcrBreak;
      lcr_ = v;
      bool is_break = lcr_ & kLcrBreak;
      if (was_break != is_break && backend_ && !(mcr_ & kMcrLoop)) backend_->send_break(is_break);
      break;
    }
    case 4: write_mcr(v); break;
    case 7: scr_ = v; break;
    default: break;  // LSR and MSR are read-only
  }
  update_irq();
}

}  // namespace emu
