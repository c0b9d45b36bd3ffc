// Test helper: a private temporary directory with files created on demand, removed with
// everything in it when the helper goes out of scope.
#pragma once
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "frontends/options.h"

class TestDir {
 public:
  TestDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/emu-frontend-test-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (!mkdtemp(buf.data())) throw std::runtime_error("mkdtemp failed");
    path_ = buf.data();
  }
  ~TestDir() {
    for (auto it = created_.rbegin(); it != created_.rend(); ++it) {
      ::chmod(it->c_str(), 0700);
      if (::unlink(it->c_str()) != 0) ::rmdir(it->c_str());
    }
    ::rmdir(path_.c_str());
  }
  TestDir(const TestDir&) = delete;
  TestDir& operator=(const TestDir&) = delete;

  const std::string& path() const { return path_; }

  // Creates (or overwrites) dir/name with contents; returns the full path.
  std::string file(const std::string& name, const std::string& contents = "x", unsigned mode = 0644) {
    std::string full = path_ + "/" + name;
    FILE* f = std::fopen(full.c_str(), "wb");
    if (!f) throw std::runtime_error("cannot create " + full);
    std::fwrite(contents.data(), 1, contents.size(), f);
    std::fclose(f);
    ::chmod(full.c_str(), mode);
    remember(full);
    return full;
  }

  std::string subdir(const std::string& name) {
    std::string full = path_ + "/" + name;
    ::mkdir(full.c_str(), 0755);
    remember(full);
    return full;
  }

 private:
  void remember(const std::string& p) {
    for (const auto& c : created_)
      if (c == p) return;
    created_.push_back(p);
  }
  std::string path_;
  std::vector<std::string> created_;
};

// parse({"-m", "512"}) without building an argv by hand.
inline emu::frontend::ParseResult parse(std::vector<std::string> args) {
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return emu::frontend::parse_options(std::span<const char* const>(argv.data(), argv.size()));
}
