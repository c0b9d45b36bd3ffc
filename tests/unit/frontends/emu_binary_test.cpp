// Runs the real `emu` binary (path in EMU_BINARY, set by ctest) and checks exit codes
// and the messages users see.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "test_files.h"

extern char** environ;

namespace {

struct Run {
  int status = -1;  // exit code, or -1 when killed by a signal
  std::string out, err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Run run_emu(const std::vector<std::string>& args) {
  const char* binary = std::getenv("EMU_BINARY");
  REQUIRE(binary != nullptr);
  TestDir dir;
  std::string out_path = dir.path() + "/out", err_path = dir.path() + "/err";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  // In a cross build the binary runs under the emulator ctest uses (qemu-aarch64-static).
  const char* runner = std::getenv("EMU_BINARY_RUNNER");
  const bool use_runner = runner && *runner;
  std::vector<char*> argv;
  if (use_runner) argv.push_back(const_cast<char*>(runner));
  argv.push_back(const_cast<char*>(binary));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, use_runner ? runner : binary, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE(rc == 0);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  Run r;
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out_path);
  r.err = slurp(err_path);
  ::unlink(out_path.c_str());
  ::unlink(err_path.c_str());
  return r;
}

}  // namespace

TEST_CASE("emu: a bad flag exits 2 with one line on stderr") {
  Run r = run_emu({"-m", "banana"});
  CHECK(r.status == 2);
  CHECK(r.err == "emu: -m: invalid memory size 'banana'\n");
  CHECK(r.out.empty());
  r = run_emu({"--frobnicate"});
  CHECK(r.status == 2);
  CHECK(r.err == "emu: --frobnicate: unknown option\n");
}

TEST_CASE("emu --version and --help print to stdout and exit 0") {
  Run r = run_emu({"--version"});
  CHECK(r.status == 0);
  CHECK(r.out == std::string("emu ") + EMU_EXPECTED_VERSION + "\n");
  CHECK(r.err.empty());
  r = run_emu({"--help"});
  CHECK(r.status == 0);
  CHECK(r.out.find("-kernel") != std::string::npos);
  CHECK(r.out.find("-nographic") != std::string::npos);
}

TEST_CASE("emu: a -kernel that is not a kernel is rejected, naming the file (exit 1)") {
  TestDir dir;
  std::string k = dir.file("vmlinuz", "this is not a kernel");
  Run r = run_emu({"-nographic", "-kernel", k, "-append", "console=ttyS0", "-m", "256"});
  CHECK(r.status == 1);
  CHECK(r.err == "emu: " + k + ": not a Linux kernel (bzImage) or multiboot image\n");
}

TEST_CASE("emu: -d boot describes the machine before running it") {
  TestDir dir;
  std::string k = dir.file("vmlinuz", "x");
  Run r = run_emu({"-nographic", "-kernel", k, "-m", "256", "-d", "boot"});
  CHECK(r.status == 1);
  CHECK(r.err.find(k) != std::string::npos);
  CHECK(r.err.find("256 MiB") != std::string::npos);
}

TEST_CASE("emu: nothing to boot is a usage error") {
  Run r = run_emu({"-nographic"});
  CHECK(r.status == 2);
  CHECK(r.err.find("nothing to boot") != std::string::npos);
}

TEST_CASE("emu: an option not built yet exits 2 and says so") {
  Run r = run_emu({"-netdev", "user,id=n0"});
  CHECK(r.status == 2);
  CHECK(r.err == "emu: -netdev: not supported yet\n");
}

TEST_CASE("emu: a -config error names the file and line") {
  TestDir dir;
  std::string cfg = dir.file("busybox.cfg", "name = 'bb'\nmemory 512\n");
  Run r = run_emu({"-config", cfg});
  CHECK(r.status == 2);
  CHECK(r.err == "emu: " + cfg + ":2: expected '=' after 'memory'\n");
}
