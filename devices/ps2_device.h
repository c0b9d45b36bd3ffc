// A device on a PS/2 port (keyboard or mouse) as the i8042 controller sees it: it
// receives command bytes from the host and queues reply/report bytes, telling the
// controller when output becomes available.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>

namespace emu {

class Ps2Device {
 public:
  static constexpr uint8_t kAck = 0xFA, kResend = 0xFE, kSelfTestPassed = 0xAA;

  virtual ~Ps2Device() = default;
  // A byte sent by the host (through the controller).
  virtual void receive(uint8_t byte) = 0;
  // Power-on state (no BAT bytes are queued).
  virtual void reset() = 0;

  bool has_output() const { return !queue_.empty(); }
  uint8_t pop_output() {
    uint8_t b = queue_.front();
    queue_.pop_front();
    return b;
  }
  // The controller's notification that output is queued.
  void set_output_ready(std::function<void()> callback) { ready_ = std::move(callback); }

 protected:
  // Replies are dropped only when a guest floods commands without reading (the queue
  // is bounded so it cannot grow without limit); reports check queued() first.
  static constexpr size_t kQueueLimit = 256;
  void push(uint8_t b) {
    if (queue_.size() >= kQueueLimit) return;
    queue_.push_back(b);
    last_sent_ = b;
    if (ready_) ready_();
  }
  size_t queued() const { return queue_.size(); }
  void clear_output() { queue_.clear(); }
  uint8_t last_sent() const { return last_sent_; }

 private:
  std::deque<uint8_t> queue_;
  std::function<void()> ready_;
  uint8_t last_sent_ = 0;
};

}  // namespace emu
