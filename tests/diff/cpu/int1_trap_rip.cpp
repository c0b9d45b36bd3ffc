// INT1 trap RIP rule (see int1_trap_rip.h).
#include "tests/diff/cpu/int1_trap_rip.h"

#include <csignal>
#include <string_view>

#include "cpu/isa/decoder.h"

namespace emu::diff {

Int1Trap int1_trap(const std::vector<uint8_t>& code, CpuMode mode) {
  Int1Trap t;
  isa::DecodedInsn d;
  if (isa::decode(code.data(), code.size(), mode_bits(mode), &d) != isa::DecodeStatus::Ok) return t;
  if (std::string_view(isa::kForms[d.form].handler) != "int1" || d.length != code.size()) return t;
  t.applies = true;
  t.start = code_entry_ip(mode);
  t.next = t.start + d.length;
  return t;
}

Int1HostRip accept_int1_host_rip(const Int1Trap& t, NativeResult& host) {
  if (!t.applies) return Int1HostRip::NotApplicable;
  if (host.outcome != NativeResult::Fault || host.vector != 1 || host.signal != SIGTRAP) return Int1HostRip::Other;
  if (host.out.rip == t.next) return Int1HostRip::AfterInstruction;
  if (host.out.rip != t.start) return Int1HostRip::Other;
  host.out.rip = t.next;
  return Int1HostRip::AtInstruction;
}

}  // namespace emu::diff
