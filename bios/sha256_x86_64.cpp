// SHA-256 blocks with the x86 SHA extensions (SHA256RNDS2/MSG1/MSG2), used when CPUID
// reports them (see sha256_blocks.h); about 10x the portable code's speed, which
// matters because every -kernel boot hashes its bzImage to find the cache entry.
//
// The state lives in two registers as SHA256RNDS2 wants it: ABEF and CDGH. Each
// SHA256RNDS2 does two rounds with the two message+constant words in the low half of
// its third operand. Message words for rounds 16..63 come four at a time:
// W[t..t+3] = MSG2(MSG1(W[t-16..], W[t-12..]) + W[t-7..t-4], W[t-4..]).
#include "bios/sha256_blocks.h"

#include <immintrin.h>

namespace emu {
namespace {

__attribute__((target("sha,sse4.1"))) void blocks_sha_ni(uint32_t h[8], const uint8_t* data, size_t blocks) {
  // Big-endian message words: reverse the bytes of each 32-bit lane.
  const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bll, 0x0405060700010203ll);
  __m128i dcba = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h));
  __m128i hgfe = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h + 4));
  const __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
  const __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
  __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
  __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
  for (; blocks; blocks--, data += 64) {
    const __m128i abef_before = abef, cdgh_before = cdgh;
    __m128i w[4];
    for (int g = 0; g < 16; g++) {
      if (g < 4) {
        w[g] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 16 * g)), byte_swap);
      } else {
        __m128i m = _mm_sha256msg1_epu32(w[g & 3], w[(g + 1) & 3]);  // W[t-16..] + s0(W[t-15..])
        m = _mm_add_epi32(m, _mm_alignr_epi8(w[(g + 3) & 3], w[(g + 2) & 3], 4));  // + W[t-7..t-4]
        w[g & 3] = _mm_sha256msg2_epu32(m, w[(g + 3) & 3]);                        // + s1(W[t-2..])
      }
      __m128i wk = _mm_add_epi32(w[g & 3], _mm_load_si128(reinterpret_cast<const __m128i*>(kSha256Round + 4 * g)));
      cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
      wk = _mm_shuffle_epi32(wk, 0x0E);
      abef = _mm_sha256rnds2_epu32(abef, cdgh, wk);
    }
    abef = _mm_add_epi32(abef, abef_before);
    cdgh = _mm_add_epi32(cdgh, cdgh_before);
  }
  const __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
  const __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
  dcba = _mm_blend_epi16(feba, dchg, 0xF0);
  hgfe = _mm_alignr_epi8(dchg, feba, 8);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(h), dcba);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(h + 4), hgfe);
}

bool host_has_sha_ni() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("sha") && __builtin_cpu_supports("sse4.1");
}

}  // namespace

bool sha256_blocks_in_hardware(uint32_t h[8], const uint8_t* data, size_t blocks) {
  static const bool available = host_has_sha_ni();
  if (!available) return false;
  blocks_sha_ni(h, data, blocks);
  return true;
}

}  // namespace emu
