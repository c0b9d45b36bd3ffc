// The PVH-or-fallback decision for -kernel (see pvh_kernel.h).
#include "bios/pvh_kernel.h"

#include <cstring>

namespace emu {
namespace {

bool has_setup_header(std::span<const uint8_t> k) { return k.size() >= 0x210 && std::memcmp(&k[0x202], "HdrS", 4) == 0; }

PvhKernel decide(PvhKernel::Decision d, std::string reason) {
  PvhKernel k;
  k.decision = d;
  k.reason = std::move(reason);
  return k;
}

}  // namespace

PvhKernel prepare_pvh_kernel(std::span<const uint8_t> kernel, KernelCache& cache, const std::string& name) {
  using D = PvhKernel::Decision;
  if (is_elf(kernel)) {
    PvhKernel k;
    k.elf = parse_elf_kernel(kernel, name);
    if (!k.elf.ok) return decide(D::Error, k.elf.error);
    if (!k.elf.pvh_entry)
      return decide(D::Error, name + ": ELF kernel has no PVH entry note (Xen PHYS32_ENTRY); ELF kernels boot only through PVH");
    k.decision = D::Pvh;
    k.vmlinux = ByteBuffer(std::vector<uint8_t>(kernel.begin(), kernel.end()));
    return k;
  }
  if (!has_setup_header(kernel)) return decide(D::Fallback, name + ": not a bzImage or ELF kernel; PVH not used");

  KernelCacheResult c = cache.get_or_decompress(kernel, name);
  if (!c.ok()) {
    if (c.error == PayloadError::Corrupt) return decide(D::Error, c.message);
    return decide(D::Fallback, c.message + "; using the Linux boot protocol");
  }
  PvhKernel k;
  k.from_cache = c.hit;
  k.cache_warning = std::move(c.cache_warning);
  k.elf = parse_elf_kernel(c.vmlinux, name + " (decompressed)");
  if (!k.elf.ok) {
    k.decision = D::Fallback;
    k.reason = k.elf.error + "; using the Linux boot protocol";
    return k;
  }
  if (!k.elf.pvh_entry) {
    k.decision = D::Fallback;
    k.reason = name + ": kernel has no PVH entry (built without CONFIG_PVH); using the Linux boot protocol";
    return k;
  }
  k.decision = D::Pvh;
  k.reason = name + (c.hit ? ": PVH boot, vmlinux from the cache" : ": PVH boot, payload decompressed on the host");
  k.vmlinux = std::move(c.vmlinux);
  return k;
}

}  // namespace emu
