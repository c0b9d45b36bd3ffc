// Disassembly text (see disasm.h).
#include "cpu/isa/disasm.h"

#include <cstdio>

namespace emu::isa {

static const char* gpr_name(unsigned reg, unsigned size) {
  static const char* n64[] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                              "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
  static const char* n32[] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
                              "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"};
  static const char* n16[] = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
                              "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w"};
  static const char* n8[] = {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
                             "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b"};
  static const char* high[] = {"ah", "ch", "dh", "bh"};
  if (reg >= kRegAH) return high[(reg - kRegAH) & 3];
  reg &= 15;
  switch (size) {
    case 1: return n8[reg];
    case 2: return n16[reg];
    case 4: return n32[reg];
    default: return n64[reg];
  }
}

static const char* size_name(unsigned size) {
  switch (size) {
    case 1: return "byte";
    case 2: return "word";
    case 4: return "dword";
    case 8: return "qword";
    case 16: return "xmmword";
    default: return "";
  }
}

std::string disassemble(const DecodedInsn& d, uint64_t rip) {
  const Form& f = d.info();
  std::string out;
  if (d.prefixes & PFX_LOCK) out += "lock ";
  if ((f.attrs & STR) && (d.prefixes & PFX_REP)) out += (f.attrs & REPC) ? "repe " : "rep ";
  if ((f.attrs & STR) && (d.prefixes & PFX_REPNE)) out += (f.attrs & REPC) ? "repne " : "rep ";
  out += f.mnemonic;
  // Segment registers by ModRM.reg; 6 and 7 encode none (the instruction is #UD).
  static const char* segs[] = {"es", "cs", "ss", "ds", "fs", "gs", "sreg6", "sreg7"};
  char buf[96];
  for (unsigned k = 0; k < d.num_ops; ++k) {
    const Operand& o = d.op[k];
    out += k == 0 ? " " : ", ";
    switch (o.type) {
      case OperandType::Reg: out += gpr_name(o.reg, o.size); break;
      case OperandType::Seg: out += segs[o.reg & 7]; break;
      case OperandType::Ctl: std::snprintf(buf, sizeof buf, "cr%u", o.reg); out += buf; break;
      case OperandType::Dbg: std::snprintf(buf, sizeof buf, "dr%u", o.reg); out += buf; break;
      case OperandType::Xmm: std::snprintf(buf, sizeof buf, "xmm%u", o.reg); out += buf; break;
      case OperandType::Mmx: std::snprintf(buf, sizeof buf, "mm%u", o.reg); out += buf; break;
      case OperandType::St: std::snprintf(buf, sizeof buf, "st(%u)", o.reg); out += buf; break;
      case OperandType::Imm:
        if (f.ops[k].kind == OpKind::J) {
          std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(rip + d.length + d.imm));
        } else if (o.reg == 1) {
          std::snprintf(buf, sizeof buf, "1");
        } else {
          uint64_t v = k == 1 && f.ops[0].kind == OpKind::I ? d.imm2 : d.imm;
          if (o.size < 8) v &= (uint64_t{1} << (8 * o.size)) - 1;
          std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
        }
        out += buf;
        break;
      case OperandType::Mem: {
        OpKind kind = f.ops[k].kind;
        if (kind == OpKind::X || kind == OpKind::Y) {
          const char* sreg = kind == OpKind::Y ? "es" : segs[d.seg % 6];
          unsigned rs = d.asz;
          std::snprintf(buf, sizeof buf, "%s %s:[%s]", size_name(o.size), sreg,
                        gpr_name(kind == OpKind::Y ? 7 : 6, rs));
          out += buf;
          break;
        }
        const OpSize fs = f.ops[k].size;  // x87 tbyte; the environment/state images have no size keyword
        const char* sz = fs == OpSize::t ? "tbyte" : (fs == OpSize::e || fs == OpSize::f) ? "" : size_name(o.size);
        out += sz;
        if (*sz) out += ' ';
        if (d.prefixes & PFX_SEG) {
          out += segs[d.seg % 6];
          out += ':';
        }
        out += '[';
        bool any = false;
        if (d.base == kRegRIP) {
          out += "rip";
          any = true;
        } else if (d.base != kNoReg) {
          out += gpr_name(d.base, d.asz);
          any = true;
        }
        if (d.index != kNoReg) {
          if (any) out += '+';
          std::snprintf(buf, sizeof buf, "%s*%u", gpr_name(d.index, d.asz), 1u << d.scale);
          out += buf;
          any = true;
        }
        if (d.disp || !any) {
          if (any && d.disp < 0) std::snprintf(buf, sizeof buf, "-0x%llx", static_cast<unsigned long long>(-d.disp));
          else std::snprintf(buf, sizeof buf, "%s0x%llx", any ? "+" : "", static_cast<unsigned long long>(d.disp));
          out += buf;
        }
        out += ']';
        break;
      }
      case OperandType::None: break;
    }
  }
  return out;
}

std::string hex_bytes(const uint8_t* bytes, size_t len) {
  std::string s;
  char buf[4];
  for (size_t k = 0; k < len; ++k) {
    std::snprintf(buf, sizeof buf, k ? " %02x" : "%02x", bytes[k]);
    s += buf;
  }
  return s;
}

}  // namespace emu::isa
