// A 16550A UART (8 registers, e.g. COM1 at 0x3F8 on IRQ 4). Transmission is instant:
// each byte written to THR goes straight to the CharBackend. Received bytes are pushed
// by the frontend with receive(); the UART keeps them in a backlog behind its 16-byte RX
// FIFO, so nothing is lost and the guest's reads pace the flow. The IRQ output is gated
// by MCR OUT2 as on PC serial cards. The character timeout interrupt uses a Timer of
// four character times at the programmed baud rate.
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>

#include "devices/char_backend.h"
#include "devices/clock.h"
#include "devices/irq.h"
#include "memory/io_handler.h"

namespace emu {

class Uart16550 : public IoHandler {
 public:
  static constexpr unsigned kFifoSize = 16;
  static constexpr uint64_t kInputClockHz = 1843200;  // baud = 115200 / divisor

  // `backend` may be null (output discarded) and changed later with set_backend.
  Uart16550(Clock& clock, IrqLine& irq, CharBackend* backend = nullptr);

  void set_backend(CharBackend* backend) { backend_ = backend; }
  // Power-on/reset state. Bytes received but not yet in the FIFO survive a reset.
  void reset();

  // Registers at offsets 0-7.
  uint64_t io_read(uint64_t offset, unsigned size) override;
  void io_write(uint64_t offset, unsigned size, uint64_t value) override;

  // Host input: appended behind whatever is still unread.
  void receive(const uint8_t* data, size_t len);
  // A break condition on the receive line (LSR BI with a zero byte).
  void receive_break();
  // Bytes received and not yet read by the guest (FIFO plus backlog).
  size_t rx_pending() const { return rx_.size(); }
  // Modem status inputs from the host side (outside loopback). Default: CTS, DSR, DCD on.
  void set_modem_inputs(bool cts, bool dsr, bool ri, bool dcd);

 private:
  uint8_t iir() const;
  uint8_t lsr() const;
  unsigned fifo_capacity() const { return fifo_enabled_ ? kFifoSize : 1; }
  size_t fifo_count() const { return rx_.size() < fifo_capacity() ? rx_.size() : fifo_capacity(); }
  bool rx_data_ready() const;  // received data interrupt condition (trigger level)
  void clear_rx_fifo();
  void transmit(uint8_t byte);
  void write_ier(uint8_t v);
  void write_fcr(uint8_t v);
  void write_mcr(uint8_t v);
  uint8_t read_rbr();
  // Recomputes MSR bits 4-7 from loopback or the host inputs, setting the delta bits.
  void update_modem_status();
  void restart_timeout();
  void on_timeout();
  uint64_t char_time_ns() const;
  void update_irq();

  Clock& clock_;
  IrqLine& irq_;
  CharBackend* backend_;
  Timer timeout_timer_;

  std::deque<uint8_t> rx_;  // the first fifo_count() bytes are in the FIFO
  uint8_t ier_ = 0, lcr_ = 0, mcr_ = 0, scr_ = 0;
  uint8_t msr_ = 0;              // bits 4-7 state, 0-3 deltas
  uint8_t host_modem_ = 0xb0;    // DCD | DSR | CTS
  uint8_t lsr_errors_ = 0;       // OE/PE/FE/BI (bits 1-4)
  uint16_t divisor_ = 12;
  bool fifo_enabled_ = false;
  uint8_t rx_trigger_ = 1;
  bool thr_ipending_ = false;
  bool timeout_pending_ = false;
  uint8_t last_rbr_ = 0;
  bool irq_level_ = false;
};

}  // namespace emu
