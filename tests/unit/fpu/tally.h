// Mismatch bookkeeping for the differential tests: counts cases, prints the first few
// mismatches with their inputs, and reports the mismatch rate.
#pragma once
#include <cstdarg>
#include <cstdio>
#include <string>

namespace fputest {

class Tally {
 public:
  explicit Tally(std::string name) : name_(std::move(name)) {}
  void pass() { ++total_; }
  // printf-style description of a mismatching case.
  __attribute__((format(printf, 2, 3))) void fail(const char* fmt, ...) {
    ++total_;
    if (bad_++ < kShown) {
      std::va_list ap;
      va_start(ap, fmt);
      std::printf("  %s mismatch: ", name_.c_str());
      std::vprintf(fmt, ap);
      std::printf("\n");
      va_end(ap);
    }
  }
  void check(bool ok, const char* fmt, ...) __attribute__((format(printf, 3, 4))) {
    ++total_;
    if (ok) return;
    if (bad_++ < kShown) {
      std::va_list ap;
      va_start(ap, fmt);
      std::printf("  %s mismatch: ", name_.c_str());
      std::vprintf(fmt, ap);
      std::printf("\n");
      va_end(ap);
    }
  }
  int bad() const { return bad_; }
  int total() const { return total_; }
  void summary() const {
    if (bad_) std::printf("%s: %d of %d cases differ (%.4f%%)\n", name_.c_str(), bad_, total_, 100.0 * bad_ / total_);
  }

 private:
  static constexpr int kShown = 6;
  std::string name_;
  int total_ = 0;
  int bad_ = 0;
};

}  // namespace fputest
