// Bochs/QEMU debug console on port 0xE9: bytes written go to a sink (a log file, the
// serial backend, stdout: a callback or a CharBackend); reading the port returns 0xE9 so software can detect it.
#pragma once
#include <cstdint>
#include <functional>

#include "devices/char_backend.h"
#include "memory/io_handler.h"

namespace emu {

class Debugcon : public IoHandler {
 public:
  static constexpr uint16_t kDefaultPort = 0xE9;
  using Sink = std::function<void(uint8_t)>;

  explicit Debugcon(Sink sink, uint8_t readback = 0xE9) : sink_(std::move(sink)), readback_(readback) {}
  // Sends the bytes to a character backend (stdout, a file, ...), which must outlive us.
  explicit Debugcon(CharBackend* backend, uint8_t readback = 0xE9)
      : Debugcon([backend](uint8_t c) { backend->write(&c, 1); }, readback) {}
  uint64_t io_read(uint64_t offset, unsigned size) override { return readback_; }
  void io_write(uint64_t offset, unsigned size, uint64_t value) override {
    if (sink_) sink_(static_cast<uint8_t>(value));  // only the low byte is a character
  }

 private:
  Sink sink_;
  uint8_t readback_;
};

}  // namespace emu
