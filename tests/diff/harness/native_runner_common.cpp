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

bool outcome_differences(const NativeResult& n, const NativeResult& e, std::vector<std::string>* diffs) {
  if (n.outcome != e.outcome) {
    diffs->push_back(std::string("outcome: native ") + outcome_name(n.outcome) + " emu " + outcome_name(e.outcome) +
                     " (native: " + describe(n) + "; emu: " + describe(e) + ")");
    return true;
  }
  if (n.outcome != NativeResult::Fault) return false;
  if (n.vector != e.vector) diffs->push_back("vector: native " + std::to_string(n.vector) + " emu " + std::to_string(e.vector));
  else if ((n.vector == 13 || n.vector == 12 || n.vector == 14) && n.error_code != e.error_code)
    diffs->push_back("error code: native " + std::to_string(n.error_code) + " emu " + std::to_string(e.error_code));
  if (n.vector == 14 && n.fault_address != e.fault_address) {
    char b[96];
    std::snprintf(b, sizeof b, "fault address: native %#llx emu %#llx", static_cast<unsigned long long>(n.fault_address),
                  static_cast<unsigned long long>(e.fault_address));
    diffs->push_back(b);
  }
  return false;
}

const char* mode_name(CpuMode m) {
  switch (m) {
    case CpuMode::Long64: return "64-bit";
    case CpuMode::Compat32: return "32-bit";
    case CpuMode::Prot16: return "16-bit";
  }
  return "?";
}

void write_exit_stub(uint8_t* dst, size_t code_size, CpuMode mode) {
  const uint64_t landing = exit_landing(mode);
  dst[0] = 0xE9;  // jmp rel32 (rel16 in 16-bit code)
  if (mode == CpuMode::Prot16) {
    store_le16(dst + 1, static_cast<uint16_t>(landing - (kCodeBase + code_size + 3)));
    dst[3] = dst[4] = kCodeFiller;
  } else {
    store_le32(dst + 1, static_cast<uint32_t>(landing - (kCodeBase + code_size + kExitStubSize)));
  }
}

std::vector<uint8_t> exit_stub_bytes(size_t code_size, CpuMode mode) {
  std::vector<uint8_t> b(kExitStubSize);
  write_exit_stub(b.data(), code_size, mode);
  return b;
}

}  // namespace emu::diff
