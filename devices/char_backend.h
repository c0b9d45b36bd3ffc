// The host side of a character device (serial port, debugcon): where the bytes a guest
// writes go. Implementations (stdout, a file, a socket, a test buffer) decide how to
// buffer and when to flush; devices hand over bytes as they are written and make no
// system calls themselves. Input travels the other way: the frontend pushes host bytes
// into the device (e.g. Uart16550::receive).
#pragma once
#include <cstddef>
#include <cstdint>

namespace emu {

class CharBackend {
 public:
  virtual ~CharBackend() = default;
  // Bytes the guest transmitted, in order.
  virtual void write(const uint8_t* data, size_t len) = 0;
  // A break condition sent by the guest (LCR bit 6 set); most backends ignore it.
  virtual void send_break(bool on) {}
};

}  // namespace emu
