// The opcode table in its compiled form: every line of opcodes.def becomes one Form
// (parsed at compile time from its Intel-notation strings), plus a per-opcode index the
// decoder uses. Everything else (decoder, dispatch, disassembly names, the differential
// test form list) is derived from kForms; there is no second list of opcodes.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace emu::isa {

enum Map : uint8_t { M1, M0F, M38, M3A, kNumMaps };
// Mandatory-prefix selector of a form (see opcodes.def).
enum Pfx : uint8_t { PX, PN, P66, PF2, PF3 };
enum ModReq : uint8_t { NOM, ANY, MEM, REG };
inline constexpr int8_t RA = -1;

enum Attr : uint32_t {
  END = 1u << 0,
  PRIV = 1u << 1,
  IOPL = 1u << 2,
  LOCK = 1u << 3,
  I64 = 1u << 4,
  O64 = 1u << 5,
  D64 = 1u << 6,
  F64 = 1u << 7,
  STR = 1u << 8,
  REPC = 1u << 9,
  SYS = 1u << 10,
  UD = 1u << 11,
  X87CTL = 1u << 12,  // x87 control instruction: FIP/FCS/FOP/FDP/FDS stay unchanged
  NOWAIT = 1u << 13,  // x87: no #MF check for a pending unmasked exception
};

// RFLAGS bit positions used for the flag columns.
inline constexpr uint32_t FL_CF = 1u << 0, FL_PF = 1u << 2, FL_AF = 1u << 4, FL_ZF = 1u << 6,
                          FL_SF = 1u << 7, FL_TF = 1u << 8, FL_IF = 1u << 9, FL_DF = 1u << 10,
                          FL_OF = 1u << 11;
inline constexpr uint32_t FL_ARITH = FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF;

enum class OpKind : uint8_t {
  None,
  E, M, R, G, Z,      // ModRM r/m (reg or memory), memory only, register only, ModRM.reg, opcode bits
  I, J, O, A,         // immediate, relative branch, moffs, far pointer
  S, C, D,            // segment, control, debug register (ModRM.reg)
  X, Y,               // string source DS:rSI, destination ES:rDI
  V, W, U, H, P, Q, N,  // SSE/MMX register kinds
  FixedReg, FixedSeg, One,
  St, Sti,            // x87 register: fixed ST(n) (reg), ST(i) from ModRM.rm
};
// Size codes as in the Intel manual: b w d q; v = operand size; z = min(osz, 4);
// y = 4 or 8 (8 with 64-bit operand size); p = far pointer; a = BOUND pair; x = vector.
// x87 memory: t = 10 bytes (m80fp, m80bcd); e = FPU environment (14 or 28 bytes by
// operand size); f = FNSAVE image (94 or 108 bytes).
enum class OpSize : uint8_t { None, b, w, d, q, v, z, y, p, a, s, x, t, e, f };

struct OperandSpec {
  OpKind kind = OpKind::None;
  OpSize size = OpSize::None;
  uint8_t reg = 0;  // FixedReg / FixedSeg number
};

struct Form {
  Map map;
  uint8_t opcode;
  uint8_t span;     // 8 when the form's register is in the low opcode bits (Z), else 1
  Pfx pfx;
  int8_t reg;       // ModRM.reg /digit or RA
  ModReq mod;
  int8_t rm;        // ModRM.rm constraint (mod==11 only) or RA
  const char* mnemonic;
  const char* operand_text;
  std::array<OperandSpec, 3> ops;
  uint8_t num_ops;
  uint32_t flags_read, flags_written, flags_undefined;
  uint32_t attrs;
  const char* handler;
};

namespace detail {

constexpr uint32_t parse_flags(std::string_view s) {
  uint32_t m = 0;
  for (char c : s) {
    switch (c) {
      case 'O': m |= FL_OF; break;
      case 'S': m |= FL_SF; break;
      case 'Z': m |= FL_ZF; break;
      case 'A': m |= FL_AF; break;
      case 'P': m |= FL_PF; break;
      case 'C': m |= FL_CF; break;
      case 'D': m |= FL_DF; break;
      case 'I': m |= FL_IF; break;
      default: throw "bad flag letter in opcodes.def";
    }
  }
  return m;
}

// (Written with character tests rather than string compares: the whole table is parsed
// in one constant evaluation and clang limits its steps.)
constexpr OpSize parse_size(std::string_view s) {
  if (s.empty()) return OpSize::None;
  if (s.size() == 1) {
    switch (s[0]) {
      case 'b': return OpSize::b;
      case 'w': return OpSize::w;
      case 'd': return OpSize::d;
      case 'q': return OpSize::q;
      case 'v': return OpSize::v;
      case 'z': return OpSize::z;
      case 'y': return OpSize::y;
      case 'p': return OpSize::p;
      case 'a': return OpSize::a;
      case 's': return OpSize::s;
      case 'x': return OpSize::x;
      default: throw "bad operand size in opcodes.def";
    }
  }
  // Two-letter vector sizes: dq ps pd ss sd pi (all treated as a whole register).
  return OpSize::x;
}

// x87 operands in the SDM's notation: ST(0) ST(1) ST(i), and memory m32fp m64fp m80fp
// m16int m32int m64int m80bcd m2byte m14/28byte m94/108byte (sized by the leading number).
constexpr OperandSpec parse_x87_operand(std::string_view t) {
  if (t[0] == 'S') {
    if (t.size() != 5 || t[1] != 'T' || t[2] != '(' || t[4] != ')') throw "bad x87 register in opcodes.def";
    if (t[3] == 'i') return {OpKind::Sti, OpSize::None, 0};
    if (t[3] < '0' || t[3] > '7') throw "bad x87 register in opcodes.def";
    return {OpKind::St, OpSize::None, static_cast<uint8_t>(t[3] - '0')};
  }
  unsigned n = 0;
  size_t k = 1;
  for (; k < t.size() && t[k] >= '0' && t[k] <= '9'; ++k) n = n * 10 + static_cast<unsigned>(t[k] - '0');
  if (k == t.size()) throw "x87 memory operand without a type in opcodes.def";
  switch (n) {
    case 2: case 16: return {OpKind::M, OpSize::w, 0};
    case 32: return {OpKind::M, OpSize::d, 0};
    case 64: return {OpKind::M, OpSize::q, 0};
    case 80: return {OpKind::M, OpSize::t, 0};
    case 14: return {OpKind::M, OpSize::e, 0};
    case 94: return {OpKind::M, OpSize::f, 0};
    default: throw "bad x87 memory operand in opcodes.def";
  }
}

constexpr OperandSpec parse_operand(std::string_view t) {
  if (t.empty()) throw "empty operand in opcodes.def";
  if (t[0] == 'm' || (t.size() > 2 && t[0] == 'S' && t[1] == 'T')) return parse_x87_operand(t);
  if (t.size() == 2 && t[0] == 'A' && t[1] == 'X') return {OpKind::FixedReg, OpSize::w, 0};
  if (t.size() == 1 && t[0] == '1') return {OpKind::One, OpSize::b, 0};
  if (t.size() == 3 && t[1] == 'A' && t[2] == 'X') return {OpKind::FixedReg, t[0] == 'r' ? OpSize::v : OpSize::z, 0};
  if (t.size() == 2 && t[1] == 'L') return {OpKind::FixedReg, OpSize::b, static_cast<uint8_t>(t[0] == 'A' ? 0 : 1)};
  if (t.size() == 2 && t[0] == 'D' && t[1] == 'X') return {OpKind::FixedReg, OpSize::w, 2};
  if (t.size() == 2 && t[1] == 'S') {
    switch (t[0]) {
      case 'E': return {OpKind::FixedSeg, OpSize::w, 0};
      case 'C': return {OpKind::FixedSeg, OpSize::w, 1};
      case 'S': return {OpKind::FixedSeg, OpSize::w, 2};
      case 'D': return {OpKind::FixedSeg, OpSize::w, 3};
      case 'F': return {OpKind::FixedSeg, OpSize::w, 4};
      case 'G': return {OpKind::FixedSeg, OpSize::w, 5};
      default: break;
    }
  }
  OpKind k = OpKind::None;
  switch (t[0]) {
    case 'E': k = OpKind::E; break;
    case 'M': k = OpKind::M; break;
    case 'R': k = OpKind::R; break;
    case 'G': k = OpKind::G; break;
    case 'Z': k = OpKind::Z; break;
    case 'I': k = OpKind::I; break;
    case 'J': k = OpKind::J; break;
    case 'O': k = OpKind::O; break;
    case 'A': k = OpKind::A; break;
    case 'S': k = OpKind::S; break;
    case 'C': k = OpKind::C; break;
    case 'D': k = OpKind::D; break;
    case 'X': k = OpKind::X; break;
    case 'Y': k = OpKind::Y; break;
    case 'V': k = OpKind::V; break;
    case 'W': k = OpKind::W; break;
    case 'U': k = OpKind::U; break;
    case 'H': k = OpKind::H; break;
    case 'P': k = OpKind::P; break;
    case 'Q': k = OpKind::Q; break;
    case 'N': k = OpKind::N; break;
    default: throw "bad operand kind in opcodes.def";
  }
  return {k, parse_size(t.substr(1)), 0};
}

struct ParsedOperands {
  std::array<OperandSpec, 3> ops{};
  uint8_t n = 0;
};

constexpr ParsedOperands parse_operands(std::string_view s) {
  ParsedOperands p;
  while (!s.empty()) {
    size_t comma = s.find(',');
    std::string_view tok = s.substr(0, comma);
    if (p.n == 3) throw "too many operands in opcodes.def";
    p.ops[p.n++] = parse_operand(tok);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return p;
}

constexpr Form make_form(Map map, unsigned opcode, Pfx pfx, int reg, ModReq mod, int rm,
                         const char* mn, const char* ops, const char* fr, const char* fw,
                         const char* fu, uint32_t attrs, const char* handler) {
  ParsedOperands p = parse_operands(ops);
  uint8_t span = 1;
  for (unsigned i = 0; i < p.n; ++i)
    if (p.ops[i].kind == OpKind::Z) span = 8;
  return Form{map, static_cast<uint8_t>(opcode), span, pfx, static_cast<int8_t>(reg), mod,
              static_cast<int8_t>(rm), mn, ops, p.ops, p.n, parse_flags(fr), parse_flags(fw),
              parse_flags(fu), attrs, handler};
}

}  // namespace detail

inline constexpr Form kForms[] = {
#define X(map, opc, pfx, reg, mod, rm, mn, ops, fr, fw, fu, attrs, h) \
  detail::make_form(map, opc, pfx, reg, mod, rm, mn, ops, fr, fw, fu, attrs, #h),
#include "cpu/isa/opcodes.def"
#undef X
};
inline constexpr size_t kNumForms = sizeof(kForms) / sizeof(kForms[0]);
using FormId = uint16_t;
static_assert(kNumForms < 0xffff);

// Per (map, opcode byte): the forms that may match, as a chain through kForms.
struct FormIndex {
  std::array<uint16_t, kNumMaps * 256> first{};
  std::array<uint16_t, kNumForms * 8> next_slot{};  // chain over (form, span slot) pairs
  std::array<uint16_t, kNumForms * 8> slot_form{};
  static constexpr uint16_t kEnd = 0xffff;
};

constexpr FormIndex build_form_index() {
  FormIndex ix;
  for (auto& f : ix.first) f = FormIndex::kEnd;
  uint16_t slots = 0;
  // Walk forms backwards so that each chain lists forms in table order.
  for (size_t i = kNumForms; i-- > 0;) {
    const Form& f = kForms[i];
    for (unsigned k = 0; k < f.span; ++k) {
      unsigned key = f.map * 256u + ((f.opcode + k) & 0xff);
      ix.slot_form[slots] = static_cast<uint16_t>(i);
      ix.next_slot[slots] = ix.first[key];
      ix.first[key] = slots;
      ++slots;
    }
  }
  return ix;
}
inline constexpr FormIndex kFormIndex = build_form_index();

}  // namespace emu::isa
