// How devices ask the run loop to stop or reset the machine (ACPI S5, port 0xCF9,
// the i8042 reset line, isa-debug-exit). The board implements MachineControl and acts
// on requests between instructions; RecordingMachineControl keeps them for tests.
#pragma once
#include <string>
#include <vector>

namespace emu {

class MachineControl {
 public:
  virtual ~MachineControl() = default;
  // Power the machine off; the emulator exits with `exit_status`.
  virtual void request_shutdown(int exit_status, std::string reason) = 0;
  // Reset the whole machine (as the reset button would).
  virtual void request_reset(std::string reason) = 0;
};

// Records every request in order; used by unit tests and by boards that poll.
class RecordingMachineControl : public MachineControl {
 public:
  struct Request {
    enum class Kind { Shutdown, Reset } kind;
    int exit_status;  // Shutdown only
    std::string reason;
  };
  void request_shutdown(int exit_status, std::string reason) override {
    requests.push_back({Request::Kind::Shutdown, exit_status, std::move(reason)});
  }
  void request_reset(std::string reason) override {
    requests.push_back({Request::Kind::Reset, 0, std::move(reason)});
  }
  size_t shutdowns() const { return count(Request::Kind::Shutdown); }
  size_t resets() const { return count(Request::Kind::Reset); }
  std::vector<Request> requests;

 private:
  size_t count(Request::Kind k) const {
    size_t n = 0;
    for (auto& r : requests) n += r.kind == k;
    return n;
  }
};

}  // namespace emu
