// The decompressed-kernel cache: miss (entry written), hit (no decompression), corrupt
// or foreign entries (rebuilt), concurrent writers (threads and processes), the
// directory rules, and the SHA-256 that names entries.
#include <catch2/catch.hpp>

#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <thread>

#include "base/endian.h"
#include "bios/kernel_cache.h"
#include "test_images.h"

using namespace emu;
using namespace emu::test;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/emu-kcache-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() { REQUIRE(std::system(("rm -rf '" + path + "'").c_str()) == 0); }
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    if (DIR* d = opendir(path.c_str())) {
      while (dirent* e = readdir(d))
        if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") out.push_back(e->d_name);
      closedir(d);
    }
    return out;
  }
};

std::vector<uint8_t> read_all(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

void write_all(const std::string& path, const std::vector<uint8_t>& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

// A bzImage whose payload is `vmlinux` in the first built-in format.
std::vector<uint8_t> bzimage_of(const std::vector<uint8_t>& vmlinux) {
  for (PayloadFormat f : {PayloadFormat::Gzip, PayloadFormat::Xz, PayloadFormat::Zstd}) {
    auto p = compress_like_kernel(vmlinux, f);
    if (!p.empty()) return wrap_in_bzimage(p);
  }
  FAIL("no compressor built into the tests");
  return {};
}

struct CountingCache {
  std::atomic<int> calls{0};
  KernelCache cache;
  explicit CountingCache(const std::string& dir)
      : cache(dir, [this](std::span<const uint8_t> img, const std::string& name) {
          calls++;
          return decompress_bzimage(img, name);
        }) {}
};

}  // namespace

TEST_CASE("SHA-256 matches the FIPS 180-4 examples") {
  auto hex = [](const std::string& s) { return sha256_hex(sha256(std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size()))); };
  CHECK(hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(hex(std::string(1000000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("SHA-256: the host's SHA instructions (where present) agree with the portable code") {
  std::vector<uint8_t> data(70000);
  uint32_t x = 12345;
  for (auto& b : data) b = static_cast<uint8_t>((x = x * 1103515245 + 12345) >> 16);
  for (size_t len : {0, 1, 55, 56, 63, 64, 65, 119, 128, 1000, 4096, 65536, 69999})
    CHECK(sha256(std::span(data.data(), len)) == sha256_portable(std::span(data.data(), len)));
}

TEST_CASE("cache miss writes the entry, a hit decompresses nothing") {
  TempDir dir;
  const auto vmlinux = sample_bytes(400000, 21);
  const auto image = bzimage_of(vmlinux);
  {
    CountingCache c(dir.path + "/sub/emu");  // missing directories are created
    auto r = c.cache.get_or_decompress(image, "vmlinuz");
    REQUIRE(r.ok());
    CHECK_FALSE(r.hit);
    CHECK(r.cache_warning.empty());
    CHECK(r.vmlinux == vmlinux);
    CHECK(c.calls == 1);
    const auto path = c.cache.entry_path(sha256(image));
    const auto file = read_all(path);
    REQUIRE(file.size() == KernelCacheHeader::kSize + vmlinux.size());
    CHECK(std::memcmp(file.data(), "EMUVMLNX", 8) == 0);
    CHECK(std::equal(vmlinux.begin(), vmlinux.end(), file.begin() + KernelCacheHeader::kSize));
  }
  {
    CountingCache c(dir.path + "/sub/emu");  // a new emu process: same directory
    auto r = c.cache.get_or_decompress(image, "vmlinuz");
    REQUIRE(r.ok());
    CHECK(r.hit);
    CHECK(c.calls == 0);
    CHECK(r.vmlinux == vmlinux);
  }
  {
    // A different bzImage is a different entry.
    CountingCache c(dir.path + "/sub/emu");
    const auto other = bzimage_of(sample_bytes(1000, 22));
    auto r = c.cache.get_or_decompress(other, "other");
    CHECK_FALSE(r.hit);
    CHECK(c.calls == 1);
  }
}

TEST_CASE("corrupt or foreign cache entries are detected and rebuilt") {
  TempDir dir;
  const auto vmlinux = sample_bytes(200000, 31);
  const auto image = bzimage_of(vmlinux);
  CountingCache c(dir.path);
  REQUIRE(c.cache.get_or_decompress(image, "k").ok());
  const auto path = c.cache.entry_path(sha256(image));
  const auto good = read_all(path);

  using Damage = std::function<void(std::vector<uint8_t>&)>;
  const std::vector<std::pair<const char*, Damage>> damages = {
      {"flipped payload byte", [](auto& f) { f[KernelCacheHeader::kSize + 1000] ^= 1; }},
      {"truncated", [](auto& f) { f.resize(f.size() > 100 ? f.size() - 100 : 0); }},
      {"bad magic", [](auto& f) { f[0] = 'X'; }},
      {"other format version", [](auto& f) { store_le32(&f[8], 99); }},
      {"other source hash", [](auto& f) { f[20] ^= 0xff; }},
      {"header only", [](auto& f) { f.resize(KernelCacheHeader::kSize); }},
      {"empty file", [](auto& f) { f.clear(); }},
      {"foreign file", [](auto& f) { f.assign(5000, 'z'); }},
  };
  for (const auto& [what, damage] : damages) {
    INFO(what);
    auto bad = good;
    damage(bad);
    write_all(path, bad);
    const int before = c.calls;
    auto r = c.cache.get_or_decompress(image, "k");
    REQUIRE(r.ok());
    CHECK_FALSE(r.hit);
    CHECK(r.rebuilt);
    CHECK(c.calls == before + 1);
    CHECK(r.vmlinux == vmlinux);
    CHECK(read_all(path) == good);  // rewritten whole
  }
}

TEST_CASE("concurrent writers of the same entry all succeed and leave a whole file") {
  TempDir dir;
  const auto vmlinux = sample_bytes(6u << 20, 41);
  const auto image = bzimage_of(vmlinux);
  const Sha256Digest digest = sha256(image);

  SECTION("threads") {
    constexpr int kThreads = 4;
    std::atomic<int> ready{0};
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; i++)
      threads.emplace_back([&] {
        KernelCache cache(dir.path);
        ready++;
        while (ready < kThreads) std::this_thread::yield();
        auto r = cache.get_or_decompress(image, "k");
        if (r.ok() && r.vmlinux == vmlinux && r.cache_warning.empty()) ok++;
      });
    for (auto& t : threads) t.join();
    CHECK(ok == kThreads);
  }
  SECTION("processes") {
    constexpr int kProcs = 3;
    int go[2];
    REQUIRE(pipe(go) == 0);
    std::vector<pid_t> pids;
    for (int i = 0; i < kProcs; i++) {
      const pid_t pid = fork();
      REQUIRE(pid >= 0);
      if (pid == 0) {
        close(go[1]);
        char c;
        (void)!read(go[0], &c, 1);  // start together when the parent closes the pipe
        KernelCache cache(dir.path);
        auto r = cache.get_or_decompress(image, "k");
        _exit(r.ok() && r.vmlinux == vmlinux && r.cache_warning.empty() ? 0 : 1);
      }
      pids.push_back(pid);
    }
    close(go[0]);
    close(go[1]);
    for (pid_t pid : pids) {
      int status = 0;
      REQUIRE(waitpid(pid, &status, 0) == pid);
      CHECK(WIFEXITED(status));
      CHECK(WEXITSTATUS(status) == 0);
    }
  }
  // Exactly one entry, no temporary files left, and it is valid: a later emu hits.
  const auto files = dir.files();
  REQUIRE(files.size() == 1);
  CHECK(dir.path + "/" + files[0] == KernelCache(dir.path).entry_path(digest));
  CountingCache later(dir.path);
  auto r = later.cache.get_or_decompress(image, "k");
  CHECK(r.hit);
  CHECK(later.calls == 0);
  CHECK(r.vmlinux == vmlinux);
}

TEST_CASE("an unwritable cache directory still boots, with a warning") {
  const auto vmlinux = sample_bytes(10000, 51);
  const auto image = bzimage_of(vmlinux);
  KernelCache cache("/proc/emu-no-such-cache");
  auto r = cache.get_or_decompress(image, "k");
  REQUIRE(r.ok());
  CHECK(r.vmlinux == vmlinux);
  CHECK_FALSE(r.cache_warning.empty());

  KernelCache off("");  // caching disabled
  auto r2 = off.get_or_decompress(image, "k");
  REQUIRE(r2.ok());
  CHECK(r2.cache_warning.empty());
  CHECK_FALSE(r2.hit);
}

TEST_CASE("decompression failures are passed through and not cached") {
  TempDir dir;
  auto payload = compress_like_kernel(sample_bytes(100000, 61), PayloadFormat::Gzip);
  if (payload.empty()) payload = compress_like_kernel(sample_bytes(100000, 61), PayloadFormat::Xz);
  payload.resize(payload.size() / 2);
  KernelCache cache(dir.path);
  auto r = cache.get_or_decompress(wrap_in_bzimage(payload), "/x/bad-vmlinuz");
  CHECK(r.error == PayloadError::Corrupt);
  CHECK(r.message.find("/x/bad-vmlinuz") != std::string::npos);
  CHECK(dir.files().empty());
}

TEST_CASE("the cache directory follows EMU_CACHE_DIR, XDG_CACHE_HOME, HOME") {
  const char* saved[3] = {std::getenv("EMU_CACHE_DIR"), std::getenv("XDG_CACHE_HOME"), std::getenv("HOME")};
  const std::string keep[3] = {saved[0] ? saved[0] : "", saved[1] ? saved[1] : "", saved[2] ? saved[2] : ""};
  setenv("HOME", "/home/u", 1);
  unsetenv("EMU_CACHE_DIR");
  unsetenv("XDG_CACHE_HOME");
  CHECK(KernelCache::default_dir() == "/home/u/.cache/emu");
  setenv("XDG_CACHE_HOME", "relative/ignored", 1);  // the XDG spec says relative paths are invalid
  CHECK(KernelCache::default_dir() == "/home/u/.cache/emu");
  setenv("XDG_CACHE_HOME", "/xdg", 1);
  CHECK(KernelCache::default_dir() == "/xdg/emu");
  setenv("EMU_CACHE_DIR", "/tmp/override", 1);
  CHECK(KernelCache::default_dir() == "/tmp/override");
  const char* names[3] = {"EMU_CACHE_DIR", "XDG_CACHE_HOME", "HOME"};
  for (int i = 0; i < 3; i++) {
    if (saved[i]) setenv(names[i], keep[i].c_str(), 1);
    else unsetenv(names[i]);
  }
}
