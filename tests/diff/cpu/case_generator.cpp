// Case generation (see case_generator.h).
#include "tests/diff/cpu/case_generator.h"

#include <array>
#include <cstring>
#include <string_view>

#include "base/endian.h"
#include "cpu/fpu/softfloat.h"
#include "cpu/isa/decoder.h"
#include "tests/diff/cpu/x87_operand_rules.h"

namespace emu::diff {

using namespace isa;

std::vector<FormInfo> user_mode_forms() {
  std::vector<FormInfo> v;
  for (size_t i = 0; i < kNumForms; ++i) {
    const Form& f = kForms[i];
    if (f.attrs & (SYS | PRIV | I64)) continue;
    FormPlan p = FormPlan::Run;
    const std::string_view mn = f.mnemonic;
    if (f.attrs & UD) p = FormPlan::NotImplemented;
    else if (mn == "CPUID" || mn == "RDTSC" || mn == "RDTSCP") p = FormPlan::RunMaskedRegs;
    v.push_back({i, p});
  }
  return v;
}

uint64_t CaseGenerator::edge_or_random() {
  static const uint64_t kEdges[] = {0, 1, ~uint64_t{0}, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
                                    0x7fffffff, 0x80000000, 0xffffffff, 0x7fffffffffffffffull,
                                    0x8000000000000000ull, 0x100000000ull, 2, 31, 32, 63, 64};
  unsigned k = below(10);
  if (k < 4) return kEdges[below(sizeof kEdges / sizeof kEdges[0])];
  if (k < 6) return below(70);
  if (k < 7) return static_cast<uint64_t>(-static_cast<int64_t>(below(70)));
  return bits64();
}

uint64_t CaseGenerator::float_lane(unsigned width) {
  static const uint32_t kF32[] = {0, 0x80000000, 1, 0x807fffff, 0x00800000, 0x7f7fffff, 0xff7fffff,
                                  0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001, 0xffa00000,
                                  0x3f800000, 0xbfc00000, 0x40200000, 0xbf000000, 0x4b000000, 0x3effffff};
  static const uint64_t kF64[] = {0, 0x8000000000000000ull, 1, 0x800fffffffffffffull, 0x0010000000000000ull,
                                  0x7fefffffffffffffull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
                                  0x7ff8000000000000ull, 0xfff8000000000000ull, 0x7ff0000000000001ull,
                                  0xfff4000000000000ull, 0x3ff0000000000000ull, 0xbff8000000000000ull,
                                  0x4004000000000000ull, 0xbfe0000000000000ull, 0x4330000000000000ull,
                                  0x3fdfffffffffffffull};
  const unsigned k = below(10);
  if (width == 4) {
    if (k < 4) return kF32[below(sizeof kF32 / sizeof kF32[0])];
    // Magnitudes around 2^-30..2^30 (products, sums and roundings stay in range), tiny or huge ones.
    const uint32_t exp = k < 8 ? 97 + below(60) : k == 8 ? below(30) : 225 + below(30);
    return (static_cast<uint32_t>(bits64()) & 0x807fffffu) | exp << 23;
  }
  if (k < 4) return kF64[below(sizeof kF64 / sizeof kF64[0])];
  // Tiny ones are double denormal-range or near the single-precision limits (CVTPD2PS).
  const uint64_t exp = k < 8 ? 990 + below(90) : k == 8 ? (chance(50) ? below(60) : 850 + below(60)) : 1990 + below(57);
  return (bits64() & 0x800fffffffffffffull) | exp << 52;
}

void CaseGenerator::string_operand(uint8_t* bytes) {
  static const uint8_t kLetters[] = {'a', 'b', 'c', 'A', 'z', 0x80, 0xff};
  for (unsigned k = 0; k < 16; ++k) bytes[k] = kLetters[below(chance(80) ? 3 : sizeof kLetters)];
  if (chance(40)) {  // a NUL byte or word ends the implicit-length string early
    const unsigned at = below(16) & (chance(50) ? ~1u : ~0u);
    bytes[at] = 0;
    if (chance(50)) bytes[at ^ 1] = 0;
  }
}

uint32_t CaseGenerator::random_mxcsr() {
  if (chance(30)) return 0x1f80;
  uint32_t m = 0x1f80 | (below(4) << 13);  // all exceptions masked, random RC
  if (chance(30)) m |= 1u << 15;           // FTZ
  if (chance(30)) m |= 1u << 6;            // DAZ
  if (chance(20)) m |= static_cast<uint32_t>(rng_() & 0x3f);  // sticky flags already set
  if (chance(20)) m &= ~(1u << (7 + below(6)));              // one exception unmasked
  return m;
}

namespace {

// The SSE..SSE4.1 float forms: `width` = bytes of a float lane of their source operands
// (0: integer source), `mxcsr` = MXCSR affects them (rounding, DAZ/FTZ, exceptions).
struct FloatForm {
  unsigned width = 0;
  bool mxcsr = false;
};
FloatForm float_form(std::string_view h) {
  auto starts = [&](std::string_view p) { return h.substr(0, p.size()) == p; };
  auto lane_width = [](std::string_view t) { return (t == "ps" || t == "ss") ? 4u : (t == "pd" || t == "sd") ? 8u : 0u; };
  if (h == "cmpsd_xmm") return {8, true};
  if (starts("cvt")) {  // cvt[t]<from>2<to>: the source type decides the lanes
    std::string_view from = h.substr(starts("cvtt") ? 4 : 3, 2);
    return {lane_width(from), true};
  }
  static const std::string_view kOps[] = {"addsub", "hadd", "hsub", "add", "sub", "mul", "div", "min", "max",
                                          "sqrt", "cmp", "round", "dp", "comi", "ucomi"};
  for (auto op : kOps)
    if (starts(op) && h.size() == op.size() + 2) {
      const unsigned w = lane_width(h.substr(op.size()));
      if (w) return {w, true};
    }
  return {};
}
bool string_compare_form(std::string_view h) {
  return h == "pcmpestri" || h == "pcmpestrm" || h == "pcmpistri" || h == "pcmpistrm";
}

bool has_size(const Form& f, OpSize s) {
  for (unsigned k = 0; k < f.num_ops; ++k)
    if (f.ops[k].size == s) return true;
  return false;
}
bool has_kind(const Form& f, OpKind k) {
  for (unsigned j = 0; j < f.num_ops; ++j)
    if (f.ops[j].kind == k) return true;
  return false;
}

}  // namespace

// Random registers, stack and data page; for x87 forms also edge-valued ST registers and FCW.
void CaseGenerator::random_state(bool x87, GeneratedCase& g) {
  NativeCase& c = g.c;
  c.in = CpuSnapshot::initial();
  c.data.resize(kPageSize);
  for (auto& b : c.data) b = static_cast<uint8_t>(rng_());
  uint64_t* gpr = c.in.gpr;
  for (int k = 0; k < 16; ++k) gpr[k] = edge_or_random();
  gpr[RSP] = kDataBase + 0x800 + 8 * (below(64)) - 0x100;
  for (int k = 0; k < 16; ++k) c.in.set_xmm(k, edge_or_random(), edge_or_random());
  // x87/MMX registers: random contents, TOP and tags (pending exceptions: see below).
  for (int k = 0; k < 8; ++k) c.in.set_st(k, edge_or_random(), static_cast<uint16_t>(rng_()));
  if (x87) {
    // x87 edge operands: zeros, denormals, pseudo-denormals, infinities, QNaN/SNaN, the
    // indefinite, unnormals (unsupported), 1.0, the largest finite; random FCW RC/PC and
    // sometimes unmasked exceptions.
    static const std::pair<uint64_t, uint16_t> kSpecial[] = {
        {0, 0}, {0, 0x8000}, {1, 0}, {0x7fffffffffffffffull, 0x8000}, {0x8000000000000000ull, 0},
        {0x8000000000000000ull, 0x7fff}, {0x8000000000000000ull, 0xffff}, {0xc000000000000001ull, 0x7fff},
        {0x8000000000000001ull, 0xffff}, {0xc000000000000000ull, 0xffff}, {0x4000000000000000ull, 0x3fff},
        {0x8000000000000000ull, 0x3fff}, {0xffffffffffffffffull, 0x7ffe}, {0x8000000000000000ull, 0x403e}};
    for (int k = 0; k < 8; ++k)
      if (chance(30)) {
        const auto& v = kSpecial[below(sizeof kSpecial / sizeof kSpecial[0])];
        c.in.set_st(k, v.first, static_cast<uint16_t>(v.second ^ (chance(20) ? 0x8000 : 0)));
      } else if (chance(40)) {  // ordinary magnitudes near 1
        c.in.set_st(k, bits64() | (uint64_t{1} << 63), static_cast<uint16_t>((0x3fff - 40 + below(80)) | (chance(50) ? 0x8000 : 0)));
      }
    if (chance(40)) {
      uint16_t fcw = static_cast<uint16_t>(0x0040 | (below(4) << 10) | (below(4) << 8) | 0x3f);
      if (chance(25)) fcw = static_cast<uint16_t>(fcw & ~(1u << below(6)));
      c.in.set_fcw(fcw);
    }
  }
  c.in.set_fsw(static_cast<uint16_t>((below(8) << 11) | (rng_() & 0x4700)));
  if (x87 && chance(8)) {
    // A pending unmasked exception (as a previous instruction leaves it): every waiting
    // x87 instruction must raise #MF, the no-wait ones (FN*) must not.
    const unsigned e = below(6);
    c.in.set_fcw(static_cast<uint16_t>(c.in.fcw() & ~(1u << e)));
    c.in.set_fsw(static_cast<uint16_t>(c.in.fsw() | (1u << e) | 0x8080));  // the exception, ES, B
  }
  c.in.set_ftw(static_cast<uint8_t>(rng_()));
  uint64_t flags = bits64() & kCaseFlagsMask;
  c.in.rflags = flags | kForcedFlags;
}

bool CaseGenerator::generate(size_t fi, GeneratedCase* out) {
  const Form& f = kForms[fi];
  const std::string_view h = f.handler;
  GeneratedCase g;
  NativeCase& c = g.c;
  random_state(h.substr(0, 4) == "x87_", g);
  uint64_t* gpr = c.in.gpr;
  g.undefined_flags = f.flags_undefined;

  // ---- operand size and prefixes ----
  const bool sized = has_size(f, OpSize::v) || has_size(f, OpSize::z) || has_size(f, OpSize::y);
  bool p66 = false, rexw = false;
  if (sized && !(f.attrs & F64)) {  // AMD honours 66 on near branches; Intel ignores it
    unsigned k = below(3);
    p66 = k == 0;
    rexw = k == 2 && !(f.attrs & D64 && chance(50));
  }
  if (h == "cmpxchg8b") rexw = chance(50);  // CMPXCHG16B
  std::vector<uint8_t> bytes;
  if (chance(15)) bytes.push_back(static_cast<uint8_t>(std::array<uint8_t, 4>{0x26, 0x2e, 0x36, 0x3e}[below(4)]));
  if (p66) bytes.push_back(0x66);
  const bool is_string = f.attrs & STR;
  if (is_string && chance(60)) bytes.push_back(chance(50) ? 0xf3 : 0xf2);
  bool use_lock = false;
  // Mandatory prefix goes last before REX.
  if (f.pfx == P66) bytes.push_back(0x66);
  if (f.pfx == PF2) bytes.push_back(0xf2);
  if (f.pfx == PF3) bytes.push_back(0xf3);

  // ---- ModRM choice ----
  const bool need_modrm = f.mod != NOM;
  unsigned mod = 3, regf = below(8), rmf = below(8);
  if (f.reg != RA) regf = static_cast<unsigned>(f.reg);
  if (need_modrm) {
    if (f.mod == MEM) mod = below(3);
    else if (f.mod == REG) mod = 3;
    else mod = chance(50) ? 3 : below(3);
    if (f.rm != RA) rmf = static_cast<unsigned>(f.rm);
  }
  const bool mem = need_modrm && mod != 3;
  apply_x87_operand_rules(c.in, h, rng_);
  if ((f.attrs & LOCK) && mem && chance(30) && f.ops[0].kind != OpKind::G) use_lock = true;
  if (use_lock) bytes.insert(bytes.begin(), 0xf0);
  bool addr32 = mem && chance(10);
  if (addr32) bytes.insert(bytes.begin(), 0x67);

  unsigned rex = 0x40;
  if (rexw) rex |= 8;
  if (chance(40)) rex |= 4;  // REX.R
  if (chance(30)) rex |= 2;  // REX.X
  if (chance(40)) rex |= 1;  // REX.B
  const bool emit_rex = rex != 0x40 || chance(30);

  if (string_compare_form(h)) {  // explicit lengths (before addressing may claim RAX/RDX)
    if (chance(80)) gpr[RAX] = static_cast<uint64_t>(static_cast<int64_t>(below(41)) - 20);
    if (chance(80)) gpr[RDX] = static_cast<uint64_t>(static_cast<int64_t>(below(41)) - 20);
  }
  // Memory target and addressing registers.
  uint64_t target = kDataBase + 0x100 + below(0xd00);
  const bool vector_form = has_kind(f, OpKind::V) || has_kind(f, OpKind::W);
  if (((h == "cmpxchg8b" && rexw) || vector_form) && chance(80)) target &= ~uint64_t{15};
  const bool fx_image = h == "fxsave" || h == "fxrstor";
  if (fx_image && chance(80)) target &= ~uint64_t{15};
  uint8_t sib = 0;
  bool has_sib = false, rip_rel = false, no_base = false;
  int64_t disp = 0;
  unsigned disp_size = 0;
  if (mem) {
    if (mod == 1) { disp = static_cast<int8_t>(rng_()); disp_size = 1; }
    if (mod == 2) { disp = static_cast<int32_t>(below(0x2000)) - 0x1000; disp_size = 4; }
    const unsigned rexb = (emit_rex && (rex & 1)) ? 8 : 0, rexx = (emit_rex && (rex & 2)) ? 8 : 0;
    if (rmf == 4) {
      has_sib = true;
      unsigned ss = below(4), idx = below(8), base = below(8);
      sib = static_cast<uint8_t>(ss << 6 | idx << 3 | base);
      unsigned ireg = idx | rexx, breg = base | rexb;
      bool have_index = ireg != 4;
      if (base == 5 && mod == 0) { no_base = true; disp = static_cast<int32_t>(target); disp_size = 4; }
      if (have_index && ireg == RSP) have_index = false;
      if (!no_base && have_index && ireg == breg) {
        // Same register as base and index: solve v * (1 + 2^ss) + disp = target.
        uint64_t mult = 1 + (uint64_t{1} << ss);
        uint64_t want = target - static_cast<uint64_t>(disp);
        want -= want % mult;
        gpr[breg] = want / mult;
        target = want + static_cast<uint64_t>(disp);
      } else {
        uint64_t iv = 0;
        if (have_index) {
          iv = below(16);
          gpr[ireg] = iv;
        }
        uint64_t rest = target - (iv << ss) - static_cast<uint64_t>(disp);
        if (no_base) {
          disp = static_cast<int64_t>(rest) - 0;  // disp32 carries it (index scaled added)
          disp = static_cast<int32_t>(target - (iv << ss));
        } else if (breg == RSP) {
          gpr[RSP] = rest;  // stack and memory operand share the page
          if (rest < kDataBase + 0x100 || rest > kDataBase + 0xf00) return false;
        } else {
          gpr[breg] = rest;
        }
      }
    } else if (rmf == 5 && mod == 0) {
      rip_rel = true;
      disp_size = 4;
    } else {
      unsigned breg = rmf | rexb;
      gpr[breg] = target - static_cast<uint64_t>(disp);
      if (breg == RSP) return false;  // unreachable: rm=4 means SIB
    }
  }

  // String registers, loop counts and stack contents.
  if (is_string) {
    gpr[RSI] = kDataBase + 0x100 + below(0xd00);
    gpr[RDI] = kDataBase + 0x100 + below(0xd00);
    gpr[RCX] = chance(80) ? below(9) : gpr[RCX];
    if (!(bytes.size() && (bytes.back() == 0xf3 || bytes.back() == 0xf2))) {
      // no REP: RCX value does not matter
    }
  }
  if (h == "fxrstor" && mem && chance(80) && target + 32 <= kDataBase + kPageSize) {
    uint32_t mx = static_cast<uint32_t>(rng_()) & 0xffbf;  // valid MXCSR (DAZ kept off: host mask)
    if (chance(50)) mx = 0x1f80;
    std::memcpy(c.data.data() + (target - kDataBase) + 24, &mx, 4);
    uint16_t fsw = static_cast<uint16_t>(c.data[target - kDataBase + 2] | (c.data[target - kDataBase + 3] << 8));
    fsw &= 0x7f00;  // no pending exceptions (a pending one would fault at the next x87 insn)
    std::memcpy(c.data.data() + (target - kDataBase) + 2, &fsw, 2);
  }
  if (h == "fxsave" && mem && target + 32 <= kDataBase + kPageSize) {
    g.host_specific_offset = static_cast<uint32_t>(target - kDataBase + 28);
    g.host_specific_len = 4;
  }
  // SIMD operands: float edge values and MXCSR modes, string-compare operands.
  if (const FloatForm ff = float_form(h); ff.mxcsr) {
    const unsigned width = ff.width;
    for (int k = 0; k < 16 && width; ++k)
      if (chance(70)) c.in.set_xmm(k, float_lane(width) | (width == 4 ? float_lane(4) << 32 : 0),
                                   float_lane(width) | (width == 4 ? float_lane(4) << 32 : 0));
    if (width && target + 16 <= kDataBase + kPageSize)
      for (unsigned k = 0; k < 16; k += width) {
        const uint64_t v = float_lane(width);
        std::memcpy(c.data.data() + (target - kDataBase) + k, &v, width);
      }
    c.in.set_mxcsr(random_mxcsr());
  }
  if (string_compare_form(h)) {
    uint8_t s[16];
    for (int k = 0; k < 16; ++k)
      if (chance(80)) {
        string_operand(s);
        uint64_t lo, hi;
        std::memcpy(&lo, s, 8);
        std::memcpy(&hi, s + 8, 8);
        c.in.set_xmm(k, lo, hi);
      }
    if (target + 16 <= kDataBase + kPageSize) string_operand(c.data.data() + (target - kDataBase));
  }
  if ((h == "maskmovq" || h == "maskmovdqu") && chance(90)) gpr[RDI] = kDataBase + 0x100 + below(0xd00);
  g.approx_xmm = h == "rcpps" || h == "rcpss" || h == "rsqrtps" || h == "rsqrtss";
  if (h == "xlat") gpr[RBX] = kDataBase + 0x100 + below(0xd00);
  if ((h == "shld" || h == "shrd") && p66) gpr[RCX] = (gpr[RCX] & ~uint64_t{31}) | below(17);  // counts > 16: undefined
  if (h == "enter" || h == "leave") gpr[RBP] = kDataBase + 0x400 + 8 * below(0x100);
  if ((h == "call" || h == "jmp") && has_kind(f, OpKind::E) && chance(90)) {
    uint64_t t = kCodeBase + 0x100 + below(40);  // lands on the 0xCC filler
    if (mem) std::memcpy(c.data.data() + (target - kDataBase), &t, 8);
    else gpr[rmf | ((emit_rex && (rex & 1)) ? 8 : 0)] = t;
  }
  if (h == "ret" && chance(90)) {
    uint64_t t = kCodeBase + 0x100 + below(40);
    std::memcpy(c.data.data() + (gpr[RSP] - kDataBase), &t, 8);
  }
  if (h == "popf") {
    // Keep TF (single-step) and AC (alignment checks) off: the host would trap on them.
    uint64_t v;
    std::memcpy(&v, c.data.data() + (gpr[RSP] - kDataBase), 8);
    v &= ~uint64_t{(1u << 8) | (1u << 18)};
    std::memcpy(c.data.data() + (gpr[RSP] - kDataBase), &v, 8);
  }

  // ---- encode ----
  if (emit_rex) bytes.push_back(static_cast<uint8_t>(rex));
  if (f.map != M1) bytes.push_back(0x0f);
  if (f.map == M38) bytes.push_back(0x38);
  if (f.map == M3A) bytes.push_back(0x3a);
  uint8_t opcode = f.opcode;
  if (f.span == 8) opcode = static_cast<uint8_t>(opcode + below(8));
  bytes.push_back(opcode);
  if (need_modrm) {
    bytes.push_back(static_cast<uint8_t>(mod << 6 | regf << 3 | rmf));
    if (has_sib) bytes.push_back(sib);
  }
  size_t disp_at = bytes.size();
  for (unsigned k = 0; k < disp_size; ++k) bytes.push_back(static_cast<uint8_t>(static_cast<uint64_t>(disp) >> (8 * k)));
  // Immediates in operand order.
  const unsigned osz = (f.attrs & F64) ? 8 : rexw ? 8 : p66 ? 2 : (f.attrs & D64) ? 8 : 4;
  for (unsigned k = 0; k < f.num_ops; ++k) {
    const OperandSpec& s = f.ops[k];
    if (s.kind == OpKind::I || s.kind == OpKind::J) {
      unsigned n = 1;
      if (s.kind == OpKind::J) n = s.size == OpSize::b ? 1 : 4;
      else if (s.size == OpSize::w) n = 2;
      else if (s.size == OpSize::z) n = osz == 2 ? 2 : 4;
      else if (s.size == OpSize::v) n = osz;
      uint64_t v = edge_or_random();
      if (s.kind == OpKind::J) v = chance(20) ? 0 : 6 + below(20);  // the exit stub or the filler after it
      if (h == "enter") v = k == 0 ? below(64) : below(4);
      if (h == "intn") {  // any vector but 0x80, the host kernel's system call gate (never executed)
        do v = below(256); while (v == 0x80);
      }
      if ((h == "shld" || h == "shrd") && p66) v = below(17);
      for (unsigned b = 0; b < n; ++b) bytes.push_back(static_cast<uint8_t>(v >> (8 * b)));
    } else if (s.kind == OpKind::O) {
      uint64_t a = kDataBase + 0x100 + below(0xd00);
      unsigned n = addr32 ? 4 : 8;
      for (unsigned b = 0; b < n; ++b) bytes.push_back(static_cast<uint8_t>(a >> (8 * b)));
    }
  }
  if (bytes.size() > 15) return false;
  if (rip_rel) {
    int64_t d = static_cast<int64_t>(target) - static_cast<int64_t>(kCodeBase + bytes.size());
    for (unsigned k = 0; k < 4; ++k) bytes[disp_at + k] = static_cast<uint8_t>(static_cast<uint64_t>(d) >> (8 * k));
  }
  c.code = bytes;
  g.random_dest = random_destination(c.code, 64);
  g.int1 = int1_trap(c.code, CpuMode::Long64);
  if (h == "cpuid" || h == "rdtsc" || h == "rdtscp") g.gpr_mask = static_cast<uint16_t>(~0x000fu);
  *out = std::move(g);
  return true;
}

std::vector<std::vector<uint8_t>> x87_unlisted_encodings() {
  std::vector<std::vector<uint8_t>> v;
  for (unsigned opc = 0xd8; opc <= 0xdf; ++opc)
    for (unsigned modrm = 0; modrm < 256; ++modrm) {
      if ((modrm >> 6) != 3 && ((modrm >> 6) != 0 || (modrm & 7) != 3)) continue;  // memory: [rbx] only
      const std::vector<uint8_t> code = {static_cast<uint8_t>(opc), static_cast<uint8_t>(modrm)};
      DecodedInsn d;
      if (decode(code.data(), code.size(), 64, &d) == DecodeStatus::Invalid) v.push_back(code);
    }
  return v;
}

bool CaseGenerator::generate_encoding(const std::vector<uint8_t>& code, GeneratedCase* out) {
  GeneratedCase g;
  random_state(true, g);
  g.c.in.gpr[RBX] = kDataBase + 0x100 + below(0xd00);
  g.c.code = code;
  *out = std::move(g);
  return true;
}

}  // namespace emu::diff
