// Comparison and printing of CpuSnapshots and data regions (see snapshot_compare.h).
#include "tests/diff/harness/snapshot_compare.h"

#include <cinttypes>
#include <cstdio>
#include <cstring>

namespace emu::diff {
namespace {

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "%#" PRIx64, v);
  return b;
}

void check(std::vector<std::string>& out, const std::string& what, uint64_t e, uint64_t a) {
  if (e != a) out.push_back(what + ": expected " + hex(e) + " actual " + hex(a));
}

std::string st_text(const CpuSnapshot& s, int i) {
  char b[40];
  std::snprintf(b, sizeof b, "%04x:%016" PRIx64, s.st_sign_exp(i), s.st_mantissa(i));
  return b;
}

std::string flags_text(uint64_t f) {
  static const struct { uint64_t bit; const char* name; } names[] = {
      {kFlagCF, "CF"}, {kFlagPF, "PF"}, {kFlagAF, "AF"}, {kFlagZF, "ZF"}, {kFlagSF, "SF"}, {kFlagTF, "TF"},
      {kFlagIF, "IF"}, {kFlagDF, "DF"}, {kFlagOF, "OF"}, {kFlagRF, "RF"}, {kFlagAC, "AC"}, {kFlagID, "ID"}};
  std::string t;
  for (const auto& n : names)
    if (f & n.bit) t += std::string(t.empty() ? "" : " ") + n.name;
  return t.empty() ? "-" : t;
}

// ST(i) lives in physical register (TOP + i) mod 8; the abridged tag has one bit per
// physical register.
bool st_tag_valid(const CpuSnapshot& s, int i) {
  const int top = (s.fsw() >> 11) & 7;
  return (s.ftw() >> ((top + i) & 7)) & 1;
}

}  // namespace

const char* gpr_name(int i) {
  static const char* const names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                        "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
  return names[i & 15];
}

std::vector<std::string> snapshot_differences(const CpuSnapshot& e, const CpuSnapshot& a, const CompareOptions& opt) {
  std::vector<std::string> out;
  for (int i = 0; i < 16; ++i)
    if (opt.gpr_mask & (1u << i)) check(out, gpr_name(i), e.gpr[i], a.gpr[i]);
  if (opt.rip) check(out, "rip", e.rip, a.rip);
  static const char* const kSegNames[6] = {"es", "cs", "ss", "ds", "fs", "gs"};
  for (int i = 0; i < 6; ++i)
    if (opt.seg_mask & (1u << i)) check(out, kSegNames[i], e.seg[i], a.seg[i]);
  const uint64_t fe = e.rflags & opt.rflags_mask, fa = a.rflags & opt.rflags_mask;
  if (fe != fa) out.push_back("rflags: expected [" + flags_text(fe) + "] actual [" + flags_text(fa) + "] (mask " + hex(opt.rflags_mask) + ")");
  if (opt.x87) {
    check(out, "fcw", e.fcw(), a.fcw());
    check(out, "fsw", e.fsw() & opt.fsw_mask, a.fsw() & opt.fsw_mask);
    check(out, "ftw", e.ftw(), a.ftw());
    for (int i = 0; i < 8; ++i) {
      if (!opt.x87_empty_regs && !st_tag_valid(e, i) && !st_tag_valid(a, i)) continue;
      if (std::memcmp(e.st(i), a.st(i), 10) != 0)
        out.push_back("st" + std::to_string(i) + ": expected " + st_text(e, i) + " actual " + st_text(a, i));
    }
  }
  if (opt.x87_pointers) {
    check(out, "fop", e.fop(), a.fop());
    check(out, "fip", e.fip(), a.fip());
    check(out, "fdp", e.fdp(), a.fdp());
  }
  if (opt.sse) {
    check(out, "mxcsr", e.mxcsr(), a.mxcsr());
    for (int i = 0; i < 16; ++i) {
      if (e.xmm_lo(i) == a.xmm_lo(i) && e.xmm_hi(i) == a.xmm_hi(i)) continue;
      char b[120];
      std::snprintf(b, sizeof b, "xmm%d: expected %016" PRIx64 "_%016" PRIx64 " actual %016" PRIx64 "_%016" PRIx64, i,
                    e.xmm_hi(i), e.xmm_lo(i), a.xmm_hi(i), a.xmm_lo(i));
      out.push_back(b);
    }
  }
  return out;
}

std::vector<std::string> data_differences(std::span<const uint8_t> e, std::span<const uint8_t> a, uint64_t base,
                                          size_t max_reports) {
  std::vector<std::string> out;
  if (e.size() != a.size())
    out.push_back("data size: expected " + std::to_string(e.size()) + " actual " + std::to_string(a.size()));
  const size_t n = e.size() < a.size() ? e.size() : a.size();
  size_t i = 0;
  while (i < n && out.size() < max_reports + (e.size() != a.size() ? 1 : 0)) {
    if (e[i] == a[i]) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < n && e[j] != a[j] && j - i < 16) ++j;
    std::string se, sa;
    char b[4];
    for (size_t k = i; k < j; ++k) {
      std::snprintf(b, sizeof b, "%02x", e[k]);
      se += b;
      std::snprintf(b, sizeof b, "%02x", a[k]);
      sa += b;
    }
    out.push_back("data[" + hex(base + i) + "..+" + std::to_string(j - i) + "]: expected " + se + " actual " + sa);
    i = j;
  }
  return out;
}

std::string format_snapshot(const CpuSnapshot& s) {
  std::string t;
  char b[160];
  for (int i = 0; i < 16; i += 4) {
    std::snprintf(b, sizeof b, "%-3s=%016" PRIx64 " %-3s=%016" PRIx64 " %-3s=%016" PRIx64 " %-3s=%016" PRIx64 "\n",
                  gpr_name(i), s.gpr[i], gpr_name(i + 1), s.gpr[i + 1], gpr_name(i + 2), s.gpr[i + 2],
                  gpr_name(i + 3), s.gpr[i + 3]);
    t += b;
  }
  std::snprintf(b, sizeof b, "rip=%016" PRIx64 " rflags=%016" PRIx64 " [%s]\n", s.rip, s.rflags, flags_text(s.rflags).c_str());
  t += b;
  std::snprintf(b, sizeof b, "fcw=%04x fsw=%04x ftw=%02x fop=%04x fip=%016" PRIx64 " fdp=%016" PRIx64 " mxcsr=%08x\n",
                s.fcw(), s.fsw(), s.ftw(), s.fop(), s.fip(), s.fdp(), s.mxcsr());
  t += b;
  for (int i = 0; i < 8; ++i) t += "st" + std::to_string(i) + "=" + st_text(s, i) + (i % 4 == 3 ? "\n" : " ");
  for (int i = 0; i < 16; ++i) {
    std::snprintf(b, sizeof b, "xmm%-2d=%016" PRIx64 "_%016" PRIx64 "%s", i, s.xmm_hi(i), s.xmm_lo(i), i % 2 ? "\n" : " ");
    t += b;
  }
  return t;
}

}  // namespace emu::diff
