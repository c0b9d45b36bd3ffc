// A statistical profile of where the guest spends its instructions (`-d profile`): the
// board samples the guest's RIP at the end of every time slice it ran to its
// instruction budget (every 20,000 instructions; halted time is not sampled), so each
// sample stands for the same number of retired instructions in either engine. The
// histogram is printed to the log when the machine stops, and on SIGUSR1 (the
// frontend's statistics request, then cleared), so a script can profile one phase:
// bench/guest_profile.py symbolizes it with the guest kernel's /proc/kallsyms.
#pragma once
#include <cstdint>
#include <unordered_map>

namespace emu {

class GuestProfile {
 public:
  explicit GuestProfile(uint64_t instructions_per_sample) : per_sample_(instructions_per_sample) {}

  void sample(uint64_t rip) { ++counts_[rip]; }
  // Prints "profile:" lines (header, then `<rip> <samples>` by descending count) and
  // clears the histogram. `why`: "stop" or "signal".
  void print_and_clear(const char* why);

 private:
  uint64_t per_sample_;
  std::unordered_map<uint64_t, uint64_t> counts_;
};

}  // namespace emu
