// The RDRAND/RDSEED entropy source (see random_source.h).
#include "cpu/random_source.h"

#include <random>

namespace emu {

uint64_t random_u64() {
  thread_local std::mt19937_64 generator = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  return generator();
}

}  // namespace emu
