// The x86 I/O port space (0x0000-0xFFFF): dispatches IN/OUT to the device that
// registered the port range. Ports nobody claims read as all ones and ignore writes
// (logged under `-d unimp`), as on a real PC bus with nothing answering.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "memory/io_handler.h"

namespace emu {

class IoSpace {
 public:
  IoSpace();
  // Claims ports [base, base+count). Overlapping an existing range is a programming
  // error and throws std::logic_error.
  void map(uint16_t base, uint32_t count, IoHandler* handler, std::string name);
  void unmap(IoHandler* handler);

  uint32_t read(uint16_t port, unsigned size);
  void write(uint16_t port, unsigned size, uint32_t value);

 private:
  struct Range {
    uint16_t base;
    uint32_t count;
    IoHandler* handler;
    std::string name;
  };
  std::vector<Range> ranges_;
  std::vector<int16_t> port_to_range_;  // index into ranges_, -1 when unclaimed
  void rebuild_index();
};

}  // namespace emu
