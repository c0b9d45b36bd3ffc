// Runs the real `emu` binary (path in EMU_BINARY, set by ctest) and checks exit codes
// and the messages users see.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "cpu/cpu.h"
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

namespace {

// A 64 KiB -bios ROM: from the reset vector (real mode) `mov cx, N; L: dec cx; jnz L`,
// then `out 0xf4, al` with AL = 0x10 to isa-debug-exit (emu exits with 0x10 << 1 | 1);
// with N = 0, `jmp $`: it runs until emu is stopped.
std::string loop_rom(TestDir& dir, uint16_t n) {
  std::string rom(0x10000, '\xf4');  // HLT everywhere else
  if (n == 0) rom.replace(0xff00, 2, "\xeb\xfe");  // jmp $
  const uint8_t code[] = {0xb9, static_cast<uint8_t>(n), static_cast<uint8_t>(n >> 8),  // ff00 mov cx, n
                          0x49,                                                         // ff03 dec cx
                          0x75, 0xfd,                                                   // ff04 jnz ff03
                          0xb0, 0x10,                                                   // ff06 mov al, 0x10
                          0xe6, 0xf4};                                                  // ff08 out 0xf4, al
  if (n != 0) rom.replace(0xff00, sizeof code, reinterpret_cast<const char*>(code), sizeof code);
  const uint8_t reset[] = {0xe9, 0x0d, 0xff};  // fff0 jmp ff00
  rom.replace(0xfff0, sizeof reset, reinterpret_cast<const char*>(reset), sizeof reset);
  return dir.file("loop.rom", rom);
}

std::vector<std::string> rom_args(const std::string& rom, std::vector<std::string> more) {
  std::vector<std::string> args = {"-bios", rom, "-display", "none", "-serial", "null", "-device",
                                   "isa-debug-exit,iobase=0xf4,iosize=0x04"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

size_t count_lines_with(const std::string& text, const std::string& what) {
  size_t n = 0;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) n += l.find(what) != std::string::npos;
  return n;
}

constexpr int kLoopRomExit = 0x10 << 1 | 1;

}  // namespace

TEST_CASE("emu -d exec: one Trace line per block, in both engines") {
  TestDir dir;
  const std::string rom = loop_rom(dir, 100);
  // The first block runs the first `dec; jnz`; the loop block (linear 0xffffff03, CS
  // F000, real mode) the other 99.
  const std::string loop_block = "[00000000ffffff03..00000000ffffff06) f000:000000000000ff03 real16 cpl0 2 insns";
  Run r = run_emu(rom_args(rom, {"-accel", "interp", "-d", "exec"}));
  CHECK(r.status == kLoopRomExit);
  CHECK(count_lines_with(r.err, "Trace 0: interp " + loop_block) == 99);
  CHECK(count_lines_with(r.err, "Trace 0: 0x") == 0);
  CHECK(count_lines_with(r.err, "Trace 0: interp [00000000ffffff00..00000000ffffff06) f000:000000000000ff00 real16") == 1);
  if (!emu::Cpu::jit_available()) return;
  // The JIT translates the block at its 16th run; outside 64-bit code it does not
  // chain, so every run still comes through the engine.
  r = run_emu(rom_args(rom, {"-accel", "jit", "-d", "exec"}));
  CHECK(r.status == kLoopRomExit);
  CHECK(count_lines_with(r.err, loop_block) == 99);
  CHECK(count_lines_with(r.err, "Trace 0: interp " + loop_block) == 15);
}

TEST_CASE("emu -d jit: the statistics at exit, with the code cache size given by tb-size") {
  if (!emu::Cpu::jit_available()) return;
  TestDir dir;
  Run r = run_emu(rom_args(loop_rom(dir, 100), {"-accel", "jit,tb-size=64", "-d", "jit"}));
  CHECK(r.status == kLoopRomExit);
  CHECK(r.err.find("jit (x86-64 backend): 1 blocks / 2 insns translated") != std::string::npos);
  CHECK(r.err.find(" KiB used of 64 MiB") != std::string::npos);
  CHECK(r.err.find(" 0 flushes") != std::string::npos);
  CHECK(r.err.find(" soft TLB fills") != std::string::npos);
}

TEST_CASE("emu: a bad tb-size is one error line and exit 2") {
  Run r = run_emu({"-accel", "jit,tb-size=4096", "-bios", "/nonexistent"});
  CHECK(r.status == 2);
  CHECK(r.err == "emu: -accel: tb-size='4096' is not a code cache size in MiB (1..2048, 0 = default)\n");
  r = run_emu({"-accel", "interp,tb-size=8"});
  CHECK(r.status == 2);
  CHECK(r.err == "emu: -accel: tb-size sizes the JIT's code cache: not with the interpreter\n");
}

TEST_CASE("emu: SIGUSR1 prints the statistics while the guest runs") {
  const char* binary = std::getenv("EMU_BINARY");
  REQUIRE(binary != nullptr);
  if (const char* runner = std::getenv("EMU_BINARY_RUNNER"); runner && *runner) return;  // signals go to the runner
  TestDir dir;
  const std::string rom = loop_rom(dir, 0);  // runs until killed
  const std::string err_path = dir.path() + "/err";
  const bool jit = emu::Cpu::jit_available();
  std::vector<std::string> args = rom_args(rom, {"-accel", jit ? "jit" : "interp", "-d", "boot"});
  std::vector<char*> argv = {const_cast<char*>(binary)};
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, binary, &actions, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&actions);
  // Waits (up to a minute: the host may be busy) until stderr contains `what`.
  auto wait_for = [&](const std::string& what) {
    for (int k = 0; k < 600; ++k) {
      if (slurp(err_path).find(what) != std::string::npos) return true;
      usleep(100 * 1000);
    }
    return false;
  };
  // The handler is in place before the firmware is mapped (-d boot says when).
  const bool started = wait_for("KiB firmware at");
  if (started) kill(pid, SIGUSR1);
  const bool printed = started && wait_for(jit ? "soft TLB fills (misses that found RAM)" : "(no JIT statistics: interpreter only)");
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  INFO(slurp(err_path));
  CHECK(started);
  CHECK(printed);
  CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));  // it was still running
  ::unlink(err_path.c_str());
}
