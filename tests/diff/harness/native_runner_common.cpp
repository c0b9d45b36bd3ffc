// Host-independent parts of the native runner API: default snapshot, exit stub bytes,
// result descriptions.
#include "tests/diff/harness/native_runner.h"

#include <cstdio>

namespace emu::diff {

CpuSnapshot CpuSnapshot::initial() {
  CpuSnapshot s;
  s.set_fcw(0x037F);
  s.set_mxcsr(0x1F80);
  return s;
}

const char* outcome_name(NativeResult::Outcome o) {
  switch (o) {
    case NativeResult::Completed: return "Completed";
    case NativeResult::Fault: return "Fault";
    case NativeResult::Timeout: return "Timeout";
    case NativeResult::RunnerCrashed: return "RunnerCrashed";
  }
  return "?";
}

std::string describe(const NativeResult& r) {
  char buf[200];
  std::snprintf(buf, sizeof buf, "%s signal=%d si_code=%d vector=%d error=%#llx addr=%#llx rip=%#llx",
                outcome_name(r.outcome), r.signal, r.si_code, r.vector,
                static_cast<unsigned long long>(r.error_code),
                static_cast<unsigned long long>(r.fault_address),
                static_cast<unsigned long long>(r.out.rip));
  return buf;
}

void write_exit_stub(uint8_t* dst, size_t code_size) {
  const uint64_t next = kCodeBase + code_size + kExitStubSize;
  dst[0] = 0xE9;  // jmp rel32
  store_le32(dst + 1, static_cast<uint32_t>(kExitLanding - next));
}

std::vector<uint8_t> exit_stub_bytes(size_t code_size) {
  std::vector<uint8_t> b(kExitStubSize);
  write_exit_stub(b.data(), code_size);
  return b;
}

}  // namespace emu::diff
