// The -kernel decision for the PVH fast path: given the file the user named, produce
// the ELF vmlinux to enter through PVH (a bzImage's payload, decompressed or from the
// cache; or an ELF vmlinux given directly), or say in one line why the ordinary Linux
// boot protocol must be used instead, or that the file is broken.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "bios/elf_kernel.h"
#include "bios/kernel_cache.h"

namespace emu {

struct PvhKernel {
  enum class Decision {
    Pvh,       // boot `vmlinux` with load_pvh()
    Fallback,  // use load_linux_bzimage(); `reason` is the line for -d boot
    Error,     // the file is broken (corrupt/truncated payload, bad ELF): `reason` names it
  };
  Decision decision = Decision::Fallback;
  std::string reason;
  ByteBuffer vmlinux;
  ElfKernel elf;
  bool from_cache = false;
  std::string cache_warning;  // cache trouble (the boot goes on); worth a -d boot line
};

// `kernel` is the -kernel file's contents, `name` its path (for messages).
PvhKernel prepare_pvh_kernel(std::span<const uint8_t> kernel, KernelCache& cache, const std::string& name);

}  // namespace emu
