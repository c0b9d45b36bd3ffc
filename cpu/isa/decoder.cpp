// x86 instruction decoder: prefixes, REX, opcode maps, form selection from the opcode
// table, ModRM/SIB addressing (16-bit and 32/64-bit forms, RIP-relative), immediates.
#include "cpu/isa/decoder.h"

namespace emu::isa {
namespace {

struct Reader {
  const uint8_t* bytes;
  size_t avail;
  size_t pos = 0;
  bool short_fetch = false;  // needed a byte beyond `avail`
  bool too_long = false;

  bool get(uint8_t* b) {
    if (pos >= kMaxInsnLength) {
      too_long = true;
      return false;
    }
    if (pos >= avail) {
      short_fetch = true;
      return false;
    }
    *b = bytes[pos++];
    return true;
  }
  bool get_n(unsigned n, uint64_t* v) {
    uint64_t r = 0;
    for (unsigned i = 0; i < n; ++i) {
      uint8_t b;
      if (!get(&b)) return false;
      r |= uint64_t{b} << (8 * i);
    }
    *v = r;
    return true;
  }
};

uint64_t sign_extend(uint64_t v, unsigned bytes) {
  if (bytes >= 8) return v;
  unsigned sh = 64 - 8 * bytes;
  return static_cast<uint64_t>(static_cast<int64_t>(v << sh) >> sh);
}

// Size in bytes of a sized operand, or 0 for sizes that are not a scalar.
unsigned operand_bytes(OpSize s, unsigned osz) {
  switch (s) {
    case OpSize::b: return 1;
    case OpSize::w: return 2;
    case OpSize::d: return 4;
    case OpSize::q: return 8;
    case OpSize::v: return osz;
    case OpSize::z: return osz == 2 ? 2 : 4;
    case OpSize::y: return osz == 8 ? 8 : 4;
    case OpSize::p: return (osz == 2 ? 2 : 4) + 2;
    case OpSize::a: return osz * 2;
    case OpSize::s: return 10;
    case OpSize::x: return 16;
    case OpSize::t: return 10;
    case OpSize::e: return osz == 2 ? 14 : 28;
    case OpSize::f: return osz == 2 ? 94 : 108;
    case OpSize::None: return 0;
  }
  return 0;
}

DecodeStatus status_of(const Reader& r) {
  if (r.too_long) return DecodeStatus::TooLong;
  return DecodeStatus::NeedMoreBytes;
}

}  // namespace

DecodeStatus decode(const uint8_t* bytes, size_t avail, unsigned code_bits, DecodedInsn* out) {
  Reader r{bytes, avail};
  DecodedInsn d;
  const bool mode64 = code_bits == 64;
  uint16_t pfx = 0;
  uint8_t rex = 0;
  int seg_override = -1;
  uint8_t last_rep = 0;  // 0xF2 or 0xF3
  uint8_t b = 0;

  // Legacy prefixes in any order; REX counts only immediately before the opcode.
  for (;;) {
    if (!r.get(&b)) return status_of(r);
    switch (b) {
      case 0xF0: pfx |= PFX_LOCK; rex = 0; continue;
      case 0xF2: case 0xF3: last_rep = b; rex = 0; continue;
      case 0x66: pfx |= PFX_OPSIZE; rex = 0; continue;
      case 0x67: pfx |= PFX_ADDRSIZE; rex = 0; continue;
      // In 64-bit mode ES/CS/SS/DS overrides are null prefixes (only FS/GS have a base);
      // the default segment (SS for rBP/rSP bases) then decides #SS versus #GP.
      case 0x26: if (!mode64) seg_override = SEG_ES; rex = 0; continue;
      case 0x2E: if (!mode64) seg_override = SEG_CS; rex = 0; continue;
      case 0x36: if (!mode64) seg_override = SEG_SS; rex = 0; continue;
      case 0x3E: if (!mode64) seg_override = SEG_DS; rex = 0; continue;
      case 0x64: seg_override = SEG_FS; rex = 0; continue;
      case 0x65: seg_override = SEG_GS; rex = 0; continue;
      default: break;
    }
    if (mode64 && (b & 0xF0) == 0x40) {
      rex = b;
      continue;
    }
    break;
  }
  if (last_rep == 0xF3) pfx |= PFX_REP;
  if (last_rep == 0xF2) pfx |= PFX_REPNE;
  if (rex) pfx |= PFX_REX;
  if (rex & 8) pfx |= PFX_REXW;
  if (seg_override >= 0) pfx |= PFX_SEG;

  Map map = M1;
  if (b == 0x0F) {
    map = M0F;
    if (!r.get(&b)) return status_of(r);
    if (b == 0x38 || b == 0x3A) {
      map = b == 0x38 ? M38 : M3A;
      if (!r.get(&b)) return status_of(r);
    }
  }
  const uint8_t opcode = b;
  uint16_t slot = kFormIndex.first[map * 256u + opcode];
  if (slot == FormIndex::kEnd) return DecodeStatus::Invalid;

  // Mandatory prefix: the last of F2/F3 wins over 66.
  Pfx mandatory = last_rep == 0xF3 ? PF3 : last_rep == 0xF2 ? PF2 : (pfx & PFX_OPSIZE) ? P66 : PX;

  bool need_modrm = kForms[kFormIndex.slot_form[slot]].mod != NOM;
  uint8_t modrm = 0;
  if (need_modrm && !r.get(&modrm)) return status_of(r);
  const unsigned mod = modrm >> 6, regf = (modrm >> 3) & 7, rmf = modrm & 7;

  // Pick the most specific matching form.
  int best = -1, best_score = -1;
  for (; slot != FormIndex::kEnd; slot = kFormIndex.next_slot[slot]) {
    const uint16_t fi = kFormIndex.slot_form[slot];
    const Form& f = kForms[fi];
    if ((f.attrs & I64) && mode64) continue;
    if ((f.attrs & O64) && !mode64) continue;
    int score = 0;
    switch (f.pfx) {
      case PX: break;
      case PN: if (mandatory != PX) continue; score += 4; break;
      case P66: case PF2: case PF3: if (mandatory != f.pfx) continue; score += 8; break;
    }
    if (need_modrm) {
      if (f.reg != RA) { if (unsigned(f.reg) != regf) continue; score += 1; }
      if (f.mod == MEM && mod == 3) continue;
      if (f.mod == REG && mod != 3) continue;
      if (f.mod != ANY) score += 1;
      if (f.rm != RA) { if (unsigned(f.rm) != rmf) continue; score += 2; }
    }
    // 90 is NOP only without REX.B (with it, XCHG r8, rAX).
    if (map == M1 && opcode == 0x90 && f.span == 1 && (rex & 1)) continue;
    if (map == M1 && opcode == 0x90 && f.span == 1) score += 16;
    if (score > best_score) { best_score = score; best = fi; }
  }
  if (best < 0) return DecodeStatus::Invalid;
  const Form& f = kForms[best];
  d.form = static_cast<FormId>(best);
  d.opcode = opcode;
  d.modrm = modrm;

  // Operand and address size.
  const bool opsize_prefix = (pfx & PFX_OPSIZE) && f.pfx != P66;
  unsigned osz;
  if (mode64) {
    if (f.attrs & F64) osz = 8;
    else if (rex & 8) osz = 8;
    else if (f.attrs & D64) osz = opsize_prefix ? 2 : 8;
    else osz = opsize_prefix ? 2 : 4;
  } else {
    unsigned def = code_bits == 16 ? 2 : 4;
    osz = opsize_prefix ? (def == 2 ? 4 : 2) : def;
  }
  unsigned asz;
  if (mode64) asz = (pfx & PFX_ADDRSIZE) ? 4 : 8;
  else {
    unsigned def = code_bits == 16 ? 2 : 4;
    asz = (pfx & PFX_ADDRSIZE) ? (def == 2 ? 4 : 2) : def;
  }
  d.osz = static_cast<uint8_t>(osz);
  d.asz = static_cast<uint8_t>(asz);
  int default_seg = SEG_DS;

  // Memory operand from ModRM.
  bool has_mem_operand = need_modrm && mod != 3;
  if (has_mem_operand) {
    uint64_t disp = 0;
    if (asz == 2) {
      static constexpr uint8_t kBase16[8] = {3, 3, 5, 5, 6, 7, 5, 3};   // BX BX BP BP SI DI BP BX
      static constexpr uint8_t kIndex16[8] = {6, 7, 6, 7, kNoReg, kNoReg, kNoReg, kNoReg};
      d.base = kBase16[rmf];
      d.index = kIndex16[rmf];
      if (rmf == 2 || rmf == 3 || rmf == 6) default_seg = SEG_SS;
      if (mod == 0 && rmf == 6) {
        d.base = kNoReg;
        default_seg = SEG_DS;
        if (!r.get_n(2, &disp)) return status_of(r);
        d.disp = static_cast<int64_t>(disp & 0xffff);
      } else if (mod == 1) {
        if (!r.get_n(1, &disp)) return status_of(r);
        d.disp = static_cast<int64_t>(sign_extend(disp, 1));
      } else if (mod == 2) {
        if (!r.get_n(2, &disp)) return status_of(r);
        d.disp = static_cast<int64_t>(sign_extend(disp, 2));
      }
    } else {
      unsigned base = rmf | ((rex & 1) << 3);
      if (rmf == 4) {
        uint8_t sib;
        if (!r.get(&sib)) return status_of(r);
        unsigned ss = sib >> 6, idx = ((sib >> 3) & 7) | ((rex & 2) << 2), sb = sib & 7;
        d.scale = static_cast<uint8_t>(ss);
        d.index = idx == 4 ? kNoReg : static_cast<uint8_t>(idx);
        if (sb == 5 && mod == 0) {
          d.base = kNoReg;
          if (!r.get_n(4, &disp)) return status_of(r);
          d.disp = static_cast<int64_t>(sign_extend(disp, 4));
        } else {
          d.base = static_cast<uint8_t>(sb | ((rex & 1) << 3));
        }
      } else if (rmf == 5 && mod == 0) {
        d.base = mode64 ? kRegRIP : kNoReg;
        if (!r.get_n(4, &disp)) return status_of(r);
        d.disp = static_cast<int64_t>(sign_extend(disp, 4));
      } else {
        d.base = static_cast<uint8_t>(base);
      }
      if (d.base == 4 || d.base == 5) default_seg = SEG_SS;  // rSP / rBP (not r12/r13)
      if (mod == 1) {
        if (!r.get_n(1, &disp)) return status_of(r);
        d.disp = static_cast<int64_t>(sign_extend(disp, 1));
      } else if (mod == 2) {
        if (!r.get_n(4, &disp)) return status_of(r);
        d.disp = static_cast<int64_t>(sign_extend(disp, 4));
      }
    }
  }

  // Resolve operands and read immediates in order.
  bool first_imm = true;
  unsigned dst_size = 0;
  auto gpr = [&](unsigned reg, unsigned size) {
    Operand o{OperandType::Reg, static_cast<uint8_t>(reg), static_cast<uint8_t>(size)};
    if (size == 1 && !rex && reg >= 4 && reg < 8) o.reg = static_cast<uint8_t>(kRegAH + reg - 4);
    return o;
  };
  for (unsigned k = 0; k < f.num_ops; ++k) {
    const OperandSpec& s = f.ops[k];
    unsigned size = operand_bytes(s.size, osz);
    Operand o;
    switch (s.kind) {
      case OpKind::E:
        o = mod == 3 ? gpr(rmf | ((rex & 1) << 3), size)
                     : Operand{OperandType::Mem, 0, static_cast<uint8_t>(size)};
        break;
      case OpKind::M: o = Operand{OperandType::Mem, 0, static_cast<uint8_t>(size)}; break;
      case OpKind::R: o = gpr(rmf | ((rex & 1) << 3), size); break;
      case OpKind::G: o = gpr(regf | ((rex & 4) << 1), size); break;
      case OpKind::Z: o = gpr((opcode & 7) | ((rex & 1) << 3), size); break;
      case OpKind::FixedReg: o = gpr(s.reg, size); break;
      case OpKind::FixedSeg: o = Operand{OperandType::Seg, s.reg, 2}; break;
      case OpKind::S: o = Operand{OperandType::Seg, static_cast<uint8_t>(regf), 2}; break;
      case OpKind::C:
        o = Operand{OperandType::Ctl, static_cast<uint8_t>(regf | ((rex & 4) << 1)), static_cast<uint8_t>(size)};
        break;
      case OpKind::D: o = Operand{OperandType::Dbg, static_cast<uint8_t>(regf), static_cast<uint8_t>(size)}; break;
      case OpKind::V: case OpKind::H:
        o = Operand{OperandType::Xmm, static_cast<uint8_t>(regf | ((rex & 4) << 1)), 16};
        break;
      case OpKind::W: case OpKind::U:
        o = mod == 3 ? Operand{OperandType::Xmm, static_cast<uint8_t>(rmf | ((rex & 1) << 3)), 16}
                     : Operand{OperandType::Mem, 0, static_cast<uint8_t>(size)};
        break;
      case OpKind::P: o = Operand{OperandType::Mmx, static_cast<uint8_t>(regf), 8}; break;
      case OpKind::Q: case OpKind::N:
        o = mod == 3 ? Operand{OperandType::Mmx, static_cast<uint8_t>(rmf), 8}
                     : Operand{OperandType::Mem, 0, static_cast<uint8_t>(size)};
        break;
      case OpKind::One: o = Operand{OperandType::Imm, 1, 1}; break;  // reg 1 marks the constant 1
      case OpKind::St: o = Operand{OperandType::St, s.reg, 10}; break;
      case OpKind::Sti: o = Operand{OperandType::St, static_cast<uint8_t>(rmf), 10}; break;
      case OpKind::I: case OpKind::J: {
        unsigned n = s.kind == OpKind::J ? (s.size == OpSize::b ? 1 : (osz == 2 ? 2 : 4)) : size;
        if (s.kind == OpKind::I && s.size == OpSize::v) n = osz;  // MOV r64, imm64
        uint64_t v;
        if (!r.get_n(n, &v)) return status_of(r);
        if (first_imm) {
          d.imm = s.size == OpSize::w ? v : sign_extend(v, n);
          first_imm = false;
        } else {
          d.imm2 = static_cast<uint16_t>(v);
        }
        // An immediate takes the size of the destination it combines with.
        o = Operand{OperandType::Imm, 0, static_cast<uint8_t>(k > 0 && dst_size ? dst_size : n)};
        break;
      }
      case OpKind::O: {
        uint64_t v;
        if (!r.get_n(asz, &v)) return status_of(r);
        d.disp = static_cast<int64_t>(v);
        d.base = kNoReg;
        has_mem_operand = true;
        o = Operand{OperandType::Mem, 0, static_cast<uint8_t>(size)};
        break;
      }
      case OpKind::A: {
        uint64_t off, sel;
        unsigned n = osz == 2 ? 2 : 4;
        if (!r.get_n(n, &off) || !r.get_n(2, &sel)) return status_of(r);
        d.imm = off;
        d.imm2 = static_cast<uint16_t>(sel);
        o = Operand{OperandType::Imm, 0, static_cast<uint8_t>(n)};
        break;
      }
      case OpKind::X:
        o = Operand{OperandType::Mem, 0, static_cast<uint8_t>(size)};
        break;
      case OpKind::Y:
        o = Operand{OperandType::Mem, 1, static_cast<uint8_t>(size)};  // reg=1 marks ES:rDI
        break;
      case OpKind::None: break;
    }
    if (k == 0) dst_size = o.size;
    d.op[k] = o;
  }
  d.num_ops = f.num_ops;
  d.prefixes = pfx;
  d.seg = static_cast<uint8_t>(seg_override >= 0 ? seg_override : default_seg);
  d.length = static_cast<uint8_t>(r.pos);

  // LOCK is valid only on a lockable form whose destination is memory.
  if (pfx & PFX_LOCK) {
    if (!(f.attrs & LOCK) || d.num_ops == 0 || d.op[0].type != OperandType::Mem) return DecodeStatus::Invalid;
  }
  *out = d;
  return DecodeStatus::Ok;
}

}  // namespace emu::isa
