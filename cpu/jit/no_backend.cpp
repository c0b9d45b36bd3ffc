// Hosts without a JIT backend yet (e.g. aarch64): make_host_backend() returns null and
// the CPU runs interpreted (`-accel` defaults to interp there).
#include "cpu/jit/backend.h"

namespace emu::jit {

bool host_backend_available() { return false; }
std::unique_ptr<Backend> make_host_backend(const CpuLayout&, const RuntimeHooks&) { return nullptr; }

}  // namespace emu::jit
