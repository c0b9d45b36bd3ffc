// Host-CPU reference for the SIMD differential test (x86-64 only; compiled with
// -msse4.2 -mpclmul): runs each instruction natively through compiler intrinsics and
// pairs it with the emu::simd function that must produce the same result. On other
// hosts the tables are empty and host_reference_available() is false.
#include "host_sse_reference.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <wmmintrin.h>

#include <cstring>
#include <utility>

namespace emu::simd::host_ref {
namespace {

// x86 hosts are little-endian: Vec128's qword 0 is the low half of the register.
__m128i to(Vec128 v) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(v.q)); }
Vec128 from(__m128i x) {
  Vec128 v;
  _mm_storeu_si128(reinterpret_cast<__m128i*>(v.q), x);
  return v;
}
__m128 to_ps(Vec128 v) { return _mm_castsi128_ps(to(v)); }
__m128d to_pd(Vec128 v) { return _mm_castsi128_pd(to(v)); }
Vec128 from(__m128 x) { return from(_mm_castps_si128(x)); }
Vec128 from(__m128d x) { return from(_mm_castpd_si128(x)); }
__m64 to64(Vec128 v) { return _mm_cvtsi64_m64(static_cast<long long>(v.q[0])); }
// Leaves MMX state (so later x87 code works) and returns the 64-bit result.
Vec128 from64(__m64 x) {
  Vec128 v{{static_cast<uint64_t>(_mm_cvtm64_si64(x)), 0}};
  _mm_empty();
  return v;
}

constexpr VecSize X = VecSize::Xmm;
constexpr VecSize M = VecSize::Mmx;

// XMM case: host expression over x=a, y=b (__m128i); emu expression over a, b.
#define XCASE(name, host_expr, emu_expr)                            \
  BinaryCase {                                                      \
    name,                                                           \
        [](Vec128 a, Vec128 b) {                                    \
          [[maybe_unused]] __m128i x = to(a), y = to(b);            \
          return from(host_expr);                                   \
        },                                                          \
        [](Vec128 a, Vec128 b) { return emu_expr; }                 \
  }
// MMX case: host expression over x=a, y=b (__m64).
#define MCASE(name, host_expr, emu_expr)                            \
  BinaryCase {                                                      \
    name,                                                           \
        [](Vec128 a, Vec128 b) {                                    \
          [[maybe_unused]] __m64 x = to64(a), y = to64(b);          \
          return from64(host_expr);                                 \
        },                                                          \
        [](Vec128 a, Vec128 b) { return emu_expr; }                 \
  }
// Marks a case whose second operand is a shift count.
BinaryCase shift(BinaryCase c) {
  c.b_kind = Operand::ShiftCount;
  return c;
}

std::vector<BinaryCase> make_binary_cases() {
  std::vector<BinaryCase> v = {
      // ---- XMM ----
      XCASE("paddb", _mm_add_epi8(x, y), padd(a, b, Elem::B, X)),
      XCASE("paddw", _mm_add_epi16(x, y), padd(a, b, Elem::W, X)),
      XCASE("paddd", _mm_add_epi32(x, y), padd(a, b, Elem::D, X)),
      XCASE("paddq", _mm_add_epi64(x, y), padd(a, b, Elem::Q, X)),
      XCASE("psubb", _mm_sub_epi8(x, y), psub(a, b, Elem::B, X)),
      XCASE("psubw", _mm_sub_epi16(x, y), psub(a, b, Elem::W, X)),
      XCASE("psubd", _mm_sub_epi32(x, y), psub(a, b, Elem::D, X)),
      XCASE("psubq", _mm_sub_epi64(x, y), psub(a, b, Elem::Q, X)),
      XCASE("paddsb", _mm_adds_epi8(x, y), padds(a, b, Elem::B, X)),
      XCASE("paddsw", _mm_adds_epi16(x, y), padds(a, b, Elem::W, X)),
      XCASE("psubsb", _mm_subs_epi8(x, y), psubs(a, b, Elem::B, X)),
      XCASE("psubsw", _mm_subs_epi16(x, y), psubs(a, b, Elem::W, X)),
      XCASE("paddusb", _mm_adds_epu8(x, y), paddus(a, b, Elem::B, X)),
      XCASE("paddusw", _mm_adds_epu16(x, y), paddus(a, b, Elem::W, X)),
      XCASE("psubusb", _mm_subs_epu8(x, y), psubus(a, b, Elem::B, X)),
      XCASE("psubusw", _mm_subs_epu16(x, y), psubus(a, b, Elem::W, X)),
      XCASE("pmullw", _mm_mullo_epi16(x, y), pmull(a, b, Elem::W, X)),
      XCASE("pmulld", _mm_mullo_epi32(x, y), pmull(a, b, Elem::D, X)),
      XCASE("pmulhw", _mm_mulhi_epi16(x, y), pmulhw(a, b, X)),
      XCASE("pmulhuw", _mm_mulhi_epu16(x, y), pmulhuw(a, b, X)),
      XCASE("pmulhrsw", _mm_mulhrs_epi16(x, y), pmulhrsw(a, b, X)),
      XCASE("pmuludq", _mm_mul_epu32(x, y), pmuludq(a, b, X)),
      XCASE("pmuldq", _mm_mul_epi32(x, y), pmuldq(a, b)),
      XCASE("pmaddwd", _mm_madd_epi16(x, y), pmaddwd(a, b, X)),
      XCASE("pmaddubsw", _mm_maddubs_epi16(x, y), pmaddubsw(a, b, X)),
      XCASE("pavgb", _mm_avg_epu8(x, y), pavg(a, b, Elem::B, X)),
      XCASE("pavgw", _mm_avg_epu16(x, y), pavg(a, b, Elem::W, X)),
      XCASE("psadbw", _mm_sad_epu8(x, y), psadbw(a, b, X)),
      XCASE("pminsb", _mm_min_epi8(x, y), pmins(a, b, Elem::B, X)),
      XCASE("pminsw", _mm_min_epi16(x, y), pmins(a, b, Elem::W, X)),
      XCASE("pminsd", _mm_min_epi32(x, y), pmins(a, b, Elem::D, X)),
      XCASE("pminub", _mm_min_epu8(x, y), pminu(a, b, Elem::B, X)),
      XCASE("pminuw", _mm_min_epu16(x, y), pminu(a, b, Elem::W, X)),
      XCASE("pminud", _mm_min_epu32(x, y), pminu(a, b, Elem::D, X)),
      XCASE("pmaxsb", _mm_max_epi8(x, y), pmaxs(a, b, Elem::B, X)),
      XCASE("pmaxsw", _mm_max_epi16(x, y), pmaxs(a, b, Elem::W, X)),
      XCASE("pmaxsd", _mm_max_epi32(x, y), pmaxs(a, b, Elem::D, X)),
      XCASE("pmaxub", _mm_max_epu8(x, y), pmaxu(a, b, Elem::B, X)),
      XCASE("pmaxuw", _mm_max_epu16(x, y), pmaxu(a, b, Elem::W, X)),
      XCASE("pmaxud", _mm_max_epu32(x, y), pmaxu(a, b, Elem::D, X)),
      XCASE("pcmpeqb", _mm_cmpeq_epi8(x, y), pcmpeq(a, b, Elem::B, X)),
      XCASE("pcmpeqw", _mm_cmpeq_epi16(x, y), pcmpeq(a, b, Elem::W, X)),
      XCASE("pcmpeqd", _mm_cmpeq_epi32(x, y), pcmpeq(a, b, Elem::D, X)),
      XCASE("pcmpeqq", _mm_cmpeq_epi64(x, y), pcmpeq(a, b, Elem::Q, X)),
      XCASE("pcmpgtb", _mm_cmpgt_epi8(x, y), pcmpgt(a, b, Elem::B, X)),
      XCASE("pcmpgtw", _mm_cmpgt_epi16(x, y), pcmpgt(a, b, Elem::W, X)),
      XCASE("pcmpgtd", _mm_cmpgt_epi32(x, y), pcmpgt(a, b, Elem::D, X)),
      XCASE("pcmpgtq", _mm_cmpgt_epi64(x, y), pcmpgt(a, b, Elem::Q, X)),
      XCASE("pand", _mm_and_si128(x, y), pand(a, b, X)),
      XCASE("pandn", _mm_andnot_si128(x, y), pandn(a, b, X)),
      XCASE("por", _mm_or_si128(x, y), por(a, b, X)),
      XCASE("pxor", _mm_xor_si128(x, y), pxor(a, b, X)),
      XCASE("andps", _mm_and_ps(to_ps(a), to_ps(b)), pand(a, b, X)),
      XCASE("andnpd", _mm_andnot_pd(to_pd(a), to_pd(b)), pandn(a, b, X)),
      XCASE("orps", _mm_or_ps(to_ps(a), to_ps(b)), por(a, b, X)),
      XCASE("xorpd", _mm_xor_pd(to_pd(a), to_pd(b)), pxor(a, b, X)),
      XCASE("pabsb", _mm_abs_epi8(y), pabs(b, Elem::B, X)),
      XCASE("pabsw", _mm_abs_epi16(y), pabs(b, Elem::W, X)),
      XCASE("pabsd", _mm_abs_epi32(y), pabs(b, Elem::D, X)),
      XCASE("psignb", _mm_sign_epi8(x, y), psign(a, b, Elem::B, X)),
      XCASE("psignw", _mm_sign_epi16(x, y), psign(a, b, Elem::W, X)),
      XCASE("psignd", _mm_sign_epi32(x, y), psign(a, b, Elem::D, X)),
      XCASE("phaddw", _mm_hadd_epi16(x, y), phadd(a, b, Elem::W, X)),
      XCASE("phaddd", _mm_hadd_epi32(x, y), phadd(a, b, Elem::D, X)),
      XCASE("phsubw", _mm_hsub_epi16(x, y), phsub(a, b, Elem::W, X)),
      XCASE("phsubd", _mm_hsub_epi32(x, y), phsub(a, b, Elem::D, X)),
      XCASE("phaddsw", _mm_hadds_epi16(x, y), phaddsw(a, b, X)),
      XCASE("phsubsw", _mm_hsubs_epi16(x, y), phsubsw(a, b, X)),
      XCASE("phminposuw", _mm_minpos_epu16(y), phminposuw(b)),
      XCASE("packsswb", _mm_packs_epi16(x, y), packss(a, b, Elem::W, X)),
      XCASE("packssdw", _mm_packs_epi32(x, y), packss(a, b, Elem::D, X)),
      XCASE("packuswb", _mm_packus_epi16(x, y), packus(a, b, Elem::W, X)),
      XCASE("packusdw", _mm_packus_epi32(x, y), packus(a, b, Elem::D, X)),
      XCASE("punpcklbw", _mm_unpacklo_epi8(x, y), punpckl(a, b, Elem::B, X)),
      XCASE("punpcklwd", _mm_unpacklo_epi16(x, y), punpckl(a, b, Elem::W, X)),
      XCASE("punpckldq", _mm_unpacklo_epi32(x, y), punpckl(a, b, Elem::D, X)),
      XCASE("punpcklqdq", _mm_unpacklo_epi64(x, y), punpckl(a, b, Elem::Q, X)),
      XCASE("punpckhbw", _mm_unpackhi_epi8(x, y), punpckh(a, b, Elem::B, X)),
      XCASE("punpckhwd", _mm_unpackhi_epi16(x, y), punpckh(a, b, Elem::W, X)),
      XCASE("punpckhdq", _mm_unpackhi_epi32(x, y), punpckh(a, b, Elem::D, X)),
      XCASE("punpckhqdq", _mm_unpackhi_epi64(x, y), punpckh(a, b, Elem::Q, X)),
      XCASE("unpcklps", _mm_unpacklo_ps(to_ps(a), to_ps(b)), punpckl(a, b, Elem::D, X)),
      XCASE("unpckhps", _mm_unpackhi_ps(to_ps(a), to_ps(b)), punpckh(a, b, Elem::D, X)),
      XCASE("unpcklpd", _mm_unpacklo_pd(to_pd(a), to_pd(b)), punpckl(a, b, Elem::Q, X)),
      XCASE("unpckhpd", _mm_unpackhi_pd(to_pd(a), to_pd(b)), punpckh(a, b, Elem::Q, X)),
      XCASE("pshufb", _mm_shuffle_epi8(x, y), pshufb(a, b, X)),
      XCASE("movsldup", _mm_moveldup_ps(to_ps(b)), movsldup(b)),
      XCASE("movshdup", _mm_movehdup_ps(to_ps(b)), movshdup(b)),
      XCASE("movddup", _mm_movedup_pd(to_pd(b)), movddup(b)),
      XCASE("pmovsxbw", _mm_cvtepi8_epi16(y), pmovsx(b, Elem::B, Elem::W)),
      XCASE("pmovsxbd", _mm_cvtepi8_epi32(y), pmovsx(b, Elem::B, Elem::D)),
      XCASE("pmovsxbq", _mm_cvtepi8_epi64(y), pmovsx(b, Elem::B, Elem::Q)),
      XCASE("pmovsxwd", _mm_cvtepi16_epi32(y), pmovsx(b, Elem::W, Elem::D)),
      XCASE("pmovsxwq", _mm_cvtepi16_epi64(y), pmovsx(b, Elem::W, Elem::Q)),
      XCASE("pmovsxdq", _mm_cvtepi32_epi64(y), pmovsx(b, Elem::D, Elem::Q)),
      XCASE("pmovzxbw", _mm_cvtepu8_epi16(y), pmovzx(b, Elem::B, Elem::W)),
      XCASE("pmovzxbd", _mm_cvtepu8_epi32(y), pmovzx(b, Elem::B, Elem::D)),
      XCASE("pmovzxbq", _mm_cvtepu8_epi64(y), pmovzx(b, Elem::B, Elem::Q)),
      XCASE("pmovzxwd", _mm_cvtepu16_epi32(y), pmovzx(b, Elem::W, Elem::D)),
      XCASE("pmovzxwq", _mm_cvtepu16_epi64(y), pmovzx(b, Elem::W, Elem::Q)),
      XCASE("pmovzxdq", _mm_cvtepu32_epi64(y), pmovzx(b, Elem::D, Elem::Q)),
      shift(XCASE("psllw", _mm_sll_epi16(x, y), psll(a, shift_count(b), Elem::W, X))),
      shift(XCASE("pslld", _mm_sll_epi32(x, y), psll(a, shift_count(b), Elem::D, X))),
      shift(XCASE("psllq", _mm_sll_epi64(x, y), psll(a, shift_count(b), Elem::Q, X))),
      shift(XCASE("psrlw", _mm_srl_epi16(x, y), psrl(a, shift_count(b), Elem::W, X))),
      shift(XCASE("psrld", _mm_srl_epi32(x, y), psrl(a, shift_count(b), Elem::D, X))),
      shift(XCASE("psrlq", _mm_srl_epi64(x, y), psrl(a, shift_count(b), Elem::Q, X))),
      shift(XCASE("psraw", _mm_sra_epi16(x, y), psra(a, shift_count(b), Elem::W, X))),
      shift(XCASE("psrad", _mm_sra_epi32(x, y), psra(a, shift_count(b), Elem::D, X))),
      // ---- MMX (64-bit forms) ----
      MCASE("mmx paddb", _mm_add_pi8(x, y), padd(a, b, Elem::B, M)),
      MCASE("mmx paddw", _mm_add_pi16(x, y), padd(a, b, Elem::W, M)),
      MCASE("mmx paddd", _mm_add_pi32(x, y), padd(a, b, Elem::D, M)),
      MCASE("mmx paddq", _mm_add_si64(x, y), padd(a, b, Elem::Q, M)),
      MCASE("mmx psubb", _mm_sub_pi8(x, y), psub(a, b, Elem::B, M)),
      MCASE("mmx psubw", _mm_sub_pi16(x, y), psub(a, b, Elem::W, M)),
      MCASE("mmx psubd", _mm_sub_pi32(x, y), psub(a, b, Elem::D, M)),
      MCASE("mmx psubq", _mm_sub_si64(x, y), psub(a, b, Elem::Q, M)),
      MCASE("mmx paddsb", _mm_adds_pi8(x, y), padds(a, b, Elem::B, M)),
      MCASE("mmx paddsw", _mm_adds_pi16(x, y), padds(a, b, Elem::W, M)),
      MCASE("mmx psubsb", _mm_subs_pi8(x, y), psubs(a, b, Elem::B, M)),
      MCASE("mmx psubsw", _mm_subs_pi16(x, y), psubs(a, b, Elem::W, M)),
      MCASE("mmx paddusb", _mm_adds_pu8(x, y), paddus(a, b, Elem::B, M)),
      MCASE("mmx paddusw", _mm_adds_pu16(x, y), paddus(a, b, Elem::W, M)),
      MCASE("mmx psubusb", _mm_subs_pu8(x, y), psubus(a, b, Elem::B, M)),
      MCASE("mmx psubusw", _mm_subs_pu16(x, y), psubus(a, b, Elem::W, M)),
      MCASE("mmx pmullw", _mm_mullo_pi16(x, y), pmull(a, b, Elem::W, M)),
      MCASE("mmx pmulhw", _mm_mulhi_pi16(x, y), pmulhw(a, b, M)),
      MCASE("mmx pmulhuw", _mm_mulhi_pu16(x, y), pmulhuw(a, b, M)),
      MCASE("mmx pmulhrsw", _mm_mulhrs_pi16(x, y), pmulhrsw(a, b, M)),
      MCASE("mmx pmuludq", _mm_mul_su32(x, y), pmuludq(a, b, M)),
      MCASE("mmx pmaddwd", _mm_madd_pi16(x, y), pmaddwd(a, b, M)),
      MCASE("mmx pmaddubsw", _mm_maddubs_pi16(x, y), pmaddubsw(a, b, M)),
      MCASE("mmx pavgb", _mm_avg_pu8(x, y), pavg(a, b, Elem::B, M)),
      MCASE("mmx pavgw", _mm_avg_pu16(x, y), pavg(a, b, Elem::W, M)),
      MCASE("mmx psadbw", _mm_sad_pu8(x, y), psadbw(a, b, M)),
      MCASE("mmx pminub", _mm_min_pu8(x, y), pminu(a, b, Elem::B, M)),
      MCASE("mmx pmaxub", _mm_max_pu8(x, y), pmaxu(a, b, Elem::B, M)),
      MCASE("mmx pminsw", _mm_min_pi16(x, y), pmins(a, b, Elem::W, M)),
      MCASE("mmx pmaxsw", _mm_max_pi16(x, y), pmaxs(a, b, Elem::W, M)),
      MCASE("mmx pcmpeqb", _mm_cmpeq_pi8(x, y), pcmpeq(a, b, Elem::B, M)),
      MCASE("mmx pcmpeqw", _mm_cmpeq_pi16(x, y), pcmpeq(a, b, Elem::W, M)),
      MCASE("mmx pcmpeqd", _mm_cmpeq_pi32(x, y), pcmpeq(a, b, Elem::D, M)),
      MCASE("mmx pcmpgtb", _mm_cmpgt_pi8(x, y), pcmpgt(a, b, Elem::B, M)),
      MCASE("mmx pcmpgtw", _mm_cmpgt_pi16(x, y), pcmpgt(a, b, Elem::W, M)),
      MCASE("mmx pcmpgtd", _mm_cmpgt_pi32(x, y), pcmpgt(a, b, Elem::D, M)),
      MCASE("mmx pand", _mm_and_si64(x, y), pand(a, b, M)),
      MCASE("mmx pandn", _mm_andnot_si64(x, y), pandn(a, b, M)),
      MCASE("mmx por", _mm_or_si64(x, y), por(a, b, M)),
      MCASE("mmx pxor", _mm_xor_si64(x, y), pxor(a, b, M)),
      MCASE("mmx pabsb", _mm_abs_pi8(y), pabs(b, Elem::B, M)),
      MCASE("mmx pabsw", _mm_abs_pi16(y), pabs(b, Elem::W, M)),
      MCASE("mmx pabsd", _mm_abs_pi32(y), pabs(b, Elem::D, M)),
      MCASE("mmx psignb", _mm_sign_pi8(x, y), psign(a, b, Elem::B, M)),
      MCASE("mmx psignw", _mm_sign_pi16(x, y), psign(a, b, Elem::W, M)),
      MCASE("mmx psignd", _mm_sign_pi32(x, y), psign(a, b, Elem::D, M)),
      MCASE("mmx phaddw", _mm_hadd_pi16(x, y), phadd(a, b, Elem::W, M)),
      MCASE("mmx phaddd", _mm_hadd_pi32(x, y), phadd(a, b, Elem::D, M)),
      MCASE("mmx phsubw", _mm_hsub_pi16(x, y), phsub(a, b, Elem::W, M)),
      MCASE("mmx phsubd", _mm_hsub_pi32(x, y), phsub(a, b, Elem::D, M)),
      MCASE("mmx phaddsw", _mm_hadds_pi16(x, y), phaddsw(a, b, M)),
      MCASE("mmx phsubsw", _mm_hsubs_pi16(x, y), phsubsw(a, b, M)),
      MCASE("mmx packsswb", _mm_packs_pi16(x, y), packss(a, b, Elem::W, M)),
      MCASE("mmx packssdw", _mm_packs_pi32(x, y), packss(a, b, Elem::D, M)),
      MCASE("mmx packuswb", _mm_packs_pu16(x, y), packus(a, b, Elem::W, M)),
      MCASE("mmx punpcklbw", _mm_unpacklo_pi8(x, y), punpckl(a, b, Elem::B, M)),
      MCASE("mmx punpcklwd", _mm_unpacklo_pi16(x, y), punpckl(a, b, Elem::W, M)),
      MCASE("mmx punpckldq", _mm_unpacklo_pi32(x, y), punpckl(a, b, Elem::D, M)),
      MCASE("mmx punpckhbw", _mm_unpackhi_pi8(x, y), punpckh(a, b, Elem::B, M)),
      MCASE("mmx punpckhwd", _mm_unpackhi_pi16(x, y), punpckh(a, b, Elem::W, M)),
      MCASE("mmx punpckhdq", _mm_unpackhi_pi32(x, y), punpckh(a, b, Elem::D, M)),
      MCASE("mmx pshufb", _mm_shuffle_pi8(x, y), pshufb(a, b, M)),
      shift(MCASE("mmx psllw", _mm_sll_pi16(x, y), psll(a, shift_count(b), Elem::W, M))),
      shift(MCASE("mmx pslld", _mm_sll_pi32(x, y), psll(a, shift_count(b), Elem::D, M))),
      shift(MCASE("mmx psllq", _mm_sll_si64(x, y), psll(a, shift_count(b), Elem::Q, M))),
      shift(MCASE("mmx psrlw", _mm_srl_pi16(x, y), psrl(a, shift_count(b), Elem::W, M))),
      shift(MCASE("mmx psrld", _mm_srl_pi32(x, y), psrl(a, shift_count(b), Elem::D, M))),
      shift(MCASE("mmx psrlq", _mm_srl_si64(x, y), psrl(a, shift_count(b), Elem::Q, M))),
      shift(MCASE("mmx psraw", _mm_sra_pi16(x, y), psra(a, shift_count(b), Elem::W, M))),
      shift(MCASE("mmx psrad", _mm_sra_pi32(x, y), psra(a, shift_count(b), Elem::D, M))),
  };
  return v;
}

// One struct per immediate-form instruction: run<I> is the host instruction with imm8 I
// (the BLENDPS/BLENDPD/SHUFPD intrinsics only accept the imm8 bits the instruction reads).
#define IMM_OP(Name, host_expr)                             \
  struct Name {                                             \
    template <int I>                                        \
    static Vec128 run(Vec128 a, Vec128 b) {                 \
      [[maybe_unused]] __m128i x = to(a), y = to(b);        \
      return from(host_expr);                               \
    }                                                       \
  };
#define IMM_OP64(Name, host_expr)                           \
  struct Name {                                             \
    template <int I>                                        \
    static Vec128 run(Vec128 a, Vec128 b) {                 \
      [[maybe_unused]] __m64 x = to64(a), y = to64(b);      \
      return from64(host_expr);                             \
    }                                                       \
  };

IMM_OP(PshufdOp, _mm_shuffle_epi32(x, I))
IMM_OP(PshuflwOp, _mm_shufflelo_epi16(x, I))
IMM_OP(PshufhwOp, _mm_shufflehi_epi16(x, I))
IMM_OP(PslldqOp, _mm_slli_si128(x, I))
IMM_OP(PsrldqOp, _mm_srli_si128(x, I))
IMM_OP(PalignrOp, _mm_alignr_epi8(x, y, I))
IMM_OP(PblendwOp, _mm_blend_epi16(x, y, I))
IMM_OP(BlendpsOp, _mm_castps_si128(_mm_blend_ps(to_ps(a), to_ps(b), I & 15)))
IMM_OP(BlendpdOp, _mm_castpd_si128(_mm_blend_pd(to_pd(a), to_pd(b), I & 3)))
IMM_OP(MpsadbwOp, _mm_mpsadbw_epu8(x, y, I))
IMM_OP(ShufpsOp, _mm_castps_si128(_mm_shuffle_ps(to_ps(a), to_ps(b), I)))
IMM_OP(ShufpdOp, _mm_castpd_si128(_mm_shuffle_pd(to_pd(a), to_pd(b), I & 3)))
IMM_OP(InsertpsOp, _mm_castps_si128(_mm_insert_ps(to_ps(a), to_ps(b), I)))
IMM_OP(PclmulOp, _mm_clmulepi64_si128(x, y, I))
IMM_OP(PsllwOp, _mm_slli_epi16(x, I))
IMM_OP(PslldOp, _mm_slli_epi32(x, I))
IMM_OP(PsllqOp, _mm_slli_epi64(x, I))
IMM_OP(PsrlwOp, _mm_srli_epi16(x, I))
IMM_OP(PsrldOp, _mm_srli_epi32(x, I))
IMM_OP(PsrlqOp, _mm_srli_epi64(x, I))
IMM_OP(PsrawOp, _mm_srai_epi16(x, I))
IMM_OP(PsradOp, _mm_srai_epi32(x, I))
IMM_OP64(PsllwMmxOp, _mm_slli_pi16(x, I))
IMM_OP64(PsrlqMmxOp, _mm_srli_si64(x, I))
IMM_OP64(PsradMmxOp, _mm_srai_pi32(x, I))
IMM_OP64(PalignrMmxOp, _mm_alignr_pi8(x, y, I))
IMM_OP64(PshufwOp, _mm_shuffle_pi16(x, I))

template <class Op, std::size_t... I>
std::array<Binary, 256> imm_table(std::index_sequence<I...>) {
  return {{&Op::template run<static_cast<int>(I)>...}};
}
template <class Op>
std::array<Binary, 256> imm_table() {
  return imm_table<Op>(std::make_index_sequence<256>{});
}

std::vector<ImmCase> make_imm_cases() {
  return {
      {"pshufd", imm_table<PshufdOp>(), [](Vec128 a, Vec128, uint8_t i) { return pshufd(a, i); }},
      {"pshuflw", imm_table<PshuflwOp>(), [](Vec128 a, Vec128, uint8_t i) { return pshuflw(a, i); }},
      {"pshufhw", imm_table<PshufhwOp>(), [](Vec128 a, Vec128, uint8_t i) { return pshufhw(a, i); }},
      {"pslldq", imm_table<PslldqOp>(), [](Vec128 a, Vec128, uint8_t i) { return pslldq(a, i); }},
      {"psrldq", imm_table<PsrldqOp>(), [](Vec128 a, Vec128, uint8_t i) { return psrldq(a, i); }},
      {"palignr", imm_table<PalignrOp>(), [](Vec128 a, Vec128 b, uint8_t i) { return palignr(a, b, i, X); }},
      {"pblendw", imm_table<PblendwOp>(), [](Vec128 a, Vec128 b, uint8_t i) { return blend(a, b, i, Elem::W); }},
      {"blendps", imm_table<BlendpsOp>(), [](Vec128 a, Vec128 b, uint8_t i) { return blend(a, b, i, Elem::D); }},
      {"blendpd", imm_table<BlendpdOp>(), [](Vec128 a, Vec128 b, uint8_t i) { return blend(a, b, i, Elem::Q); }},
      {"mpsadbw", imm_table<MpsadbwOp>(), [](Vec128 a, Vec128 b, uint8_t i) { return mpsadbw(a, b, i); }},
      {"shufps", imm_table<ShufpsOp>(), [](Vec128 a, Vec128 b, uint8_t i) { return shufps(a, b, i); }},
      {"shufpd", imm_table<ShufpdOp>(), [](Vec128 a, Vec128 b, uint8_t i) { return shufpd(a, b, i); }},
      {"insertps", imm_table<InsertpsOp>(), [](Vec128 a, Vec128 b, uint8_t i) { return insertps_reg(a, b, i); }},
      {"pclmulqdq", imm_table<PclmulOp>(), [](Vec128 a, Vec128 b, uint8_t i) { return pclmulqdq(a, b, i); }},
      {"psllw imm", imm_table<PsllwOp>(), [](Vec128 a, Vec128, uint8_t i) { return psll(a, i, Elem::W, X); }},
      {"pslld imm", imm_table<PslldOp>(), [](Vec128 a, Vec128, uint8_t i) { return psll(a, i, Elem::D, X); }},
      {"psllq imm", imm_table<PsllqOp>(), [](Vec128 a, Vec128, uint8_t i) { return psll(a, i, Elem::Q, X); }},
      {"psrlw imm", imm_table<PsrlwOp>(), [](Vec128 a, Vec128, uint8_t i) { return psrl(a, i, Elem::W, X); }},
      {"psrld imm", imm_table<PsrldOp>(), [](Vec128 a, Vec128, uint8_t i) { return psrl(a, i, Elem::D, X); }},
      {"psrlq imm", imm_table<PsrlqOp>(), [](Vec128 a, Vec128, uint8_t i) { return psrl(a, i, Elem::Q, X); }},
      {"psraw imm", imm_table<PsrawOp>(), [](Vec128 a, Vec128, uint8_t i) { return psra(a, i, Elem::W, X); }},
      {"psrad imm", imm_table<PsradOp>(), [](Vec128 a, Vec128, uint8_t i) { return psra(a, i, Elem::D, X); }},
      {"mmx psllw imm", imm_table<PsllwMmxOp>(), [](Vec128 a, Vec128, uint8_t i) { return psll(a, i, Elem::W, M); }},
      {"mmx psrlq imm", imm_table<PsrlqMmxOp>(), [](Vec128 a, Vec128, uint8_t i) { return psrl(a, i, Elem::Q, M); }},
      {"mmx psrad imm", imm_table<PsradMmxOp>(), [](Vec128 a, Vec128, uint8_t i) { return psra(a, i, Elem::D, M); }},
      {"mmx palignr", imm_table<PalignrMmxOp>(), [](Vec128 a, Vec128 b, uint8_t i) { return palignr(a, b, i, M); }},
      {"mmx pshufw", imm_table<PshufwOp>(), [](Vec128 a, Vec128, uint8_t i) { return pshufw(a, i); }},
  };
}

// Element extract/insert with a constant index.
template <int I>
struct Lane {
  static uint64_t pextrb(Vec128 a) { return static_cast<uint8_t>(_mm_extract_epi8(to(a), I & 15)); }
  static uint64_t pextrw(Vec128 a) { return static_cast<uint16_t>(_mm_extract_epi16(to(a), I & 7)); }
  static uint64_t pextrd(Vec128 a) { return static_cast<uint32_t>(_mm_extract_epi32(to(a), I & 3)); }
  static uint64_t pextrq(Vec128 a) { return static_cast<uint64_t>(_mm_extract_epi64(to(a), I & 1)); }
  static uint64_t extractps(Vec128 a) { return static_cast<uint32_t>(_mm_extract_ps(to_ps(a), I & 3)); }
  static uint64_t mmx_pextrw(Vec128 a) {
    uint64_t r = static_cast<uint16_t>(_mm_extract_pi16(to64(a), I & 3));
    _mm_empty();
    return r;
  }
  static Vec128 pinsrb(Vec128 a, uint64_t v) { return from(_mm_insert_epi8(to(a), static_cast<int>(v), I & 15)); }
  static Vec128 pinsrw(Vec128 a, uint64_t v) { return from(_mm_insert_epi16(to(a), static_cast<int>(v), I & 7)); }
  static Vec128 pinsrd(Vec128 a, uint64_t v) { return from(_mm_insert_epi32(to(a), static_cast<int>(v), I & 3)); }
  static Vec128 pinsrq(Vec128 a, uint64_t v) {
    return from(_mm_insert_epi64(to(a), static_cast<long long>(v), I & 1));
  }
  static Vec128 extractps_none(Vec128 a, uint64_t) { return a; }
  static Vec128 mmx_pinsrw(Vec128 a, uint64_t v) {
    return from64(_mm_insert_pi16(to64(a), static_cast<int>(v), I & 3));
  }
};

#define LANE_ARRAYS(extract, insert)                                                              \
  []<std::size_t... I>(std::index_sequence<I...>) {                                               \
    return std::pair{std::array<uint64_t (*)(Vec128), 16>{{&Lane<static_cast<int>(I)>::extract...}}, \
                     std::array<Vec128 (*)(Vec128, uint64_t), 16>{{&Lane<static_cast<int>(I)>::insert...}}}; \
  }(std::make_index_sequence<16>{})

LaneCase lane_case(const char* name, unsigned count, auto arrays, Elem e, VecSize n) {
  return LaneCase{name, count, arrays.first, arrays.second, e, n};
}

std::vector<LaneCase> make_lane_cases() {
  return {
      lane_case("pextrb/pinsrb", 16, LANE_ARRAYS(pextrb, pinsrb), Elem::B, X),
      lane_case("pextrw/pinsrw", 8, LANE_ARRAYS(pextrw, pinsrw), Elem::W, X),
      lane_case("pextrd/pinsrd", 4, LANE_ARRAYS(pextrd, pinsrd), Elem::D, X),
      lane_case("pextrq/pinsrq", 2, LANE_ARRAYS(pextrq, pinsrq), Elem::Q, X),
      lane_case("extractps", 4, LANE_ARRAYS(extractps, extractps_none), Elem::D, X),
      lane_case("mmx pextrw/pinsrw", 4, LANE_ARRAYS(mmx_pextrw, mmx_pinsrw), Elem::W, M),
  };
}

// PCMPxSTRx with constant imm8: every output of the instruction family.
template <int I>
StrCmpResult host_estr(Vec128 a, int32_t la, Vec128 b, int32_t lb) {
  const __m128i x = to(a), y = to(b);
  StrCmpResult r{};
  r.index = static_cast<uint32_t>(_mm_cmpestri(x, la, y, lb, I));
  r.mask = from(_mm_cmpestrm(x, la, y, lb, I));
  r.cf = _mm_cmpestrc(x, la, y, lb, I);
  r.zf = _mm_cmpestrz(x, la, y, lb, I);
  r.sf = _mm_cmpestrs(x, la, y, lb, I);
  r.of = _mm_cmpestro(x, la, y, lb, I);
  return r;
}
template <int I>
StrCmpResult host_istr(Vec128 a, Vec128 b) {
  const __m128i x = to(a), y = to(b);
  StrCmpResult r{};
  r.index = static_cast<uint32_t>(_mm_cmpistri(x, y, I));
  r.mask = from(_mm_cmpistrm(x, y, I));
  r.cf = _mm_cmpistrc(x, y, I);
  r.zf = _mm_cmpistrz(x, y, I);
  r.sf = _mm_cmpistrs(x, y, I);
  r.of = _mm_cmpistro(x, y, I);
  return r;
}

}  // namespace

bool host_reference_available() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("ssse3") && __builtin_cpu_supports("pclmul");
}

const std::vector<BinaryCase>& binary_cases() {
  static const std::vector<BinaryCase> cases = make_binary_cases();
  return cases;
}
const std::vector<ImmCase>& imm_cases() {
  static const std::vector<ImmCase> cases = make_imm_cases();
  return cases;
}
const std::vector<LaneCase>& lane_cases() {
  static const std::vector<LaneCase> cases = make_lane_cases();
  return cases;
}

Vec128 blendv(Vec128 a, Vec128 b, Vec128 mask, Elem e) {
  switch (e) {
    case Elem::B: return from(_mm_blendv_epi8(to(a), to(b), to(mask)));
    case Elem::D: return from(_mm_blendv_ps(to_ps(a), to_ps(b), to_ps(mask)));
    default: return from(_mm_blendv_pd(to_pd(a), to_pd(b), to_pd(mask)));
  }
}

uint32_t movmsk(Vec128 a, Elem e, VecSize n) {
  if (n == VecSize::Mmx) {
    uint32_t r = static_cast<uint32_t>(_mm_movemask_pi8(to64(a)));
    _mm_empty();
    return r;
  }
  switch (e) {
    case Elem::B: return static_cast<uint32_t>(_mm_movemask_epi8(to(a)));
    case Elem::D: return static_cast<uint32_t>(_mm_movemask_ps(to_ps(a)));
    default: return static_cast<uint32_t>(_mm_movemask_pd(to_pd(a)));
  }
}

PtestFlags ptest(Vec128 a, Vec128 b) {
  return PtestFlags{_mm_testz_si128(to(a), to(b)) != 0, _mm_testc_si128(to(a), to(b)) != 0};
}

uint32_t crc32(uint32_t crc, uint64_t data, unsigned bytes) {
  switch (bytes) {
    case 1: return _mm_crc32_u8(crc, static_cast<uint8_t>(data));
    case 2: return _mm_crc32_u16(crc, static_cast<uint16_t>(data));
    case 4: return _mm_crc32_u32(crc, static_cast<uint32_t>(data));
    default: return static_cast<uint32_t>(_mm_crc32_u64(crc, data));
  }
}

const std::array<EstrFn, 256>& pcmpestr_table() {
  static const auto table = []<std::size_t... I>(std::index_sequence<I...>) {
    return std::array<EstrFn, 256>{{&host_estr<static_cast<int>(I)>...}};
  }(std::make_index_sequence<256>{});
  return table;
}
const std::array<IstrFn, 256>& pcmpistr_table() {
  static const auto table = []<std::size_t... I>(std::index_sequence<I...>) {
    return std::array<IstrFn, 256>{{&host_istr<static_cast<int>(I)>...}};
  }(std::make_index_sequence<256>{});
  return table;
}

}  // namespace emu::simd::host_ref

#else  // not an x86-64 host: no reference, empty tables.

namespace emu::simd::host_ref {
bool host_reference_available() { return false; }
const std::vector<BinaryCase>& binary_cases() {
  static const std::vector<BinaryCase> none;
  return none;
}
const std::vector<ImmCase>& imm_cases() {
  static const std::vector<ImmCase> none;
  return none;
}
const std::vector<LaneCase>& lane_cases() {
  static const std::vector<LaneCase> none;
  return none;
}
Vec128 blendv(Vec128, Vec128, Vec128, Elem) { return {}; }
uint32_t movmsk(Vec128, Elem, VecSize) { return 0; }
PtestFlags ptest(Vec128, Vec128) { return {}; }
uint32_t crc32(uint32_t, uint64_t, unsigned) { return 0; }
const std::array<EstrFn, 256>& pcmpestr_table() {
  static const std::array<EstrFn, 256> none{};
  return none;
}
const std::array<IstrFn, 256>& pcmpistr_table() {
  static const std::array<IstrFn, 256> none{};
  return none;
}
}  // namespace emu::simd::host_ref

#endif
