// The `-d profile` histogram (see guest_profile.h).
#include "devices/guest_profile.h"

#include <algorithm>
#include <vector>

#include "base/log.h"

namespace emu {
void GuestProfile::print_and_clear(const char* why) {
  std::vector<std::pair<uint64_t, uint64_t>> rows(counts_.begin(), counts_.end());
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
  uint64_t total = 0;
  for (const auto& r : rows) total += r.second;
  log_printf("profile: %s: %llu samples of %llu guest instructions, %zu addresses\n", why,
             static_cast<unsigned long long>(total), static_cast<unsigned long long>(per_sample_), rows.size());
  for (const auto& [rip, n] : rows)
    log_printf("profile: %016llx %llu\n", static_cast<unsigned long long>(rip), static_cast<unsigned long long>(n));
  log_printf("profile: end\n");
  log_flush();
  counts_.clear();
}

}  // namespace emu
