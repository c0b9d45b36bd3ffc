// RDRAND/RDSEED destination rule (see random_destination.h).
#include "tests/diff/cpu/random_destination.h"

#include <string_view>

#include "cpu/isa/decoder.h"

namespace emu::diff {

RandomDestination random_destination(const std::vector<uint8_t>& code, unsigned bits) {
  RandomDestination r;
  isa::DecodedInsn d;
  if (isa::decode(code.data(), code.size(), bits, &d) != isa::DecodeStatus::Ok) return r;
  const std::string_view h = isa::kForms[d.form].handler;
  if (h != "rdrand" && h != "rdseed") return r;
  r.reg = d.op[0].reg;
  r.bytes = d.op[0].size;
  return r;
}

void accept_random_destination(const RandomDestination& d, const NativeResult& host, NativeResult& mine) {
  if (d.reg < 0 || host.outcome != NativeResult::Completed || mine.outcome != NativeResult::Completed) return;
  const uint64_t written = d.bytes >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * d.bytes)) - 1;
  mine.out.gpr[d.reg] = (mine.out.gpr[d.reg] & ~written) | (host.out.gpr[d.reg] & written);
}

}  // namespace emu::diff
