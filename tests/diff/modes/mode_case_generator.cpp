// Case generation for 32- and 16-bit modes (see mode_case_generator.h).
#include "tests/diff/modes/mode_case_generator.h"

#include <array>
#include <cstring>
#include <string_view>

#include "tests/diff/cpu/x87_operand_rules.h"

namespace emu::diff {

using namespace isa;

namespace {

// User-mode system forms the modes test runs: segment register loads (checked against
// the host kernel's GDT and the runner's LDT, which emu's runner mirrors), ARPL, and far
// JMP/CALL/RET between the 32-bit, 64-bit and 16-bit user code segments.
bool loads_segment(std::string_view h) {
  return h == "pop_sreg_checked" || h == "mov_sreg_checked" || h == "les" || h == "lds" || h == "lss" ||
         h == "lfs" || h == "lgs" || h == "arpl";
}
bool far_transfer(std::string_view h) {
  return h == "jmpf_direct" || h == "callf_direct" || h == "jmpf_indirect" || h == "callf_indirect" || h == "retf";
}

// Far transfer targets at the same privilege: the 32-bit and 64-bit user code segments
// (also with RPL 0), the runner's 16-bit LDT code segment; data and null selectors (#GP).
constexpr uint16_t kFarTargets[] = {0x23, 0x33, 0x07, 0x20, 0x30, 0x04, 0x2b, 0x0f, 0x00};

// Selectors for segment loads: null (RPL 0 and 3), the user 32-bit code/data and 64-bit
// code segments (data with RPL 0 too), the kernel's data segment (DPL 0: #GP), the LDT
// descriptor itself (system: #GP), the runner's 16-bit LDT code and data segments (data
// with RPL 0 too) and an LDT selector beyond the LDT's limit.
constexpr uint16_t kSelectors[] = {0x00, 0x03, 0x23, 0x2b, 0x28, 0x33, 0x1b, 0x53, 0x07, 0x0f, 0x0c, 0x17};

}  // namespace

std::vector<ModeForm> mode_forms(CpuMode mode) {
  std::vector<ModeForm> v;
  if (mode == CpuMode::Long64) return v;  // tests/diff/cpu covers 64-bit mode
  for (size_t i = 0; i < kNumForms; ++i) {
    const Form& f = kForms[i];
    const std::string_view mn = f.mnemonic, h = f.handler;
    if (f.attrs & (PRIV | O64)) continue;
    if ((f.attrs & SYS) && !loads_segment(h) && !far_transfer(h)) continue;
    ModePlan p = ModePlan::Run;
    if (f.attrs & UD) p = ModePlan::NotImplemented;
    else if (mn == "CPUID" || mn == "RDTSC" || mn == "RDTSCP") p = ModePlan::RunMaskedRegs;
    v.push_back({i, p});
  }
  return v;
}

uint32_t ModeCaseGenerator::edge_or_random() {
  static const uint32_t kEdges[] = {0, 1, 0xffffffffu, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
                                    0x7fffffff, 0x80000000u, 0x10000, 2, 9, 10, 15, 16, 31, 32, 0x99};
  const unsigned k = below(10);
  if (k < 4) return kEdges[below(sizeof kEdges / sizeof kEdges[0])];
  if (k < 6) return below(160);
  if (k < 7) return static_cast<uint32_t>(-static_cast<int32_t>(below(70)));
  return static_cast<uint32_t>(rng_());
}

namespace {

bool has_size(const Form& f, OpSize sz) {
  for (unsigned j = 0; j < f.num_ops; ++j)
    if (f.ops[j].size == sz) return true;
  return false;
}
bool has_kind(const Form& f, OpKind k) {
  for (unsigned j = 0; j < f.num_ops; ++j)
    if (f.ops[j].kind == k) return true;
  return false;
}

void put(std::vector<uint8_t>& data, uint64_t off, uint64_t v, unsigned n) {
  for (unsigned b = 0; b < n && off + b < data.size(); ++b) data[off + b] = static_cast<uint8_t>(v >> (8 * b));
}
uint64_t get(const std::vector<uint8_t>& data, uint64_t off, unsigned n) {
  uint64_t v = 0;
  for (unsigned b = 0; b < n && off + b < data.size(); ++b) v |= uint64_t{data[off + b]} << (8 * b);
  return v;
}
// Replaces the low `bytes` bytes of a register value.
void set_low(uint64_t& reg, uint64_t v, unsigned bytes) {
  const uint64_t m = bytes >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * bytes)) - 1;
  reg = (reg & ~m) | (v & m);
}

}  // namespace

bool ModeCaseGenerator::generate(size_t fi, CpuMode mode, ModeCase* out) {
  const Form& f = kForms[fi];
  const std::string_view h = f.handler;
  const bool m16 = mode == CpuMode::Prot16;
  // Offsets are relative to the data segment base: kDataBase (16-bit LDT segment) or 0 (flat).
  const uint64_t dbase = m16 ? 0 : kDataBase;
  ModeCase g;
  NativeCase& c = g.c;
  c.mode = mode;
  c.in = CpuSnapshot::initial();
  c.data.resize(kPageSize);
  for (auto& b : c.data) b = static_cast<uint8_t>(rng_());
  uint64_t* gpr = c.in.gpr;
  for (int k = 0; k < 8; ++k) gpr[k] = edge_or_random();
  for (int k = 8; k < 16; ++k) gpr[k] = 0;  // not reachable without REX
  // Stack in the middle of the page; in 16-bit mode ESP[31:16] stays 0 (the host kernel's
  // espfix does not preserve it across interrupts).
  gpr[RSP] = m16 ? 0x700 + 2 * below(0x100) : kDataBase + 0x700 + 4 * below(0x80);
  // Sometimes at the ends of the 16-bit stack segment for single-slot pushes and pops: one
  // crossing the limit is #SS(0); inside it, the unmapped top of the segment is #PF.
  // (Multi-slot frames that wrap, PUSHA/ENTER/far CALL/RETF, fault in a host-specific order.)
  const bool single_slot = h == "push" || h == "pop" || h == "call" || h == "ret" || h == "pushf" || h == "popf";
  if (m16 && single_slot && chance(5)) gpr[RSP] = chance(50) ? below(3) : 0xfffd + below(3);
  for (int k = 0; k < 8; ++k) c.in.set_xmm(k, rng_(), rng_());
  for (int k = 0; k < 8; ++k) c.in.set_st(k, rng_(), static_cast<uint16_t>(rng_()));
  c.in.set_fsw(static_cast<uint16_t>((below(8) << 11) | (rng_() & 0x4700)));
  c.in.set_ftw(static_cast<uint8_t>(rng_()));
  c.in.rflags = (rng_() & kCaseFlagsMask) | kForcedFlags;
  g.undefined_flags = f.flags_undefined;
  if (h == "cpuid" || h == "rdtsc" || h == "rdtscp") g.gpr_mask = 0x00f0;

  // ---- prefixes: operand size, address size, segment, REP, LOCK ----
  std::vector<uint8_t> bytes;
  // Operand-size prefix: one-byte opcodes ignore it where it means nothing; on 0F opcodes
  // without operand-size-dependent operands it selects other instructions, so only where
  // it changes the size there. The 0F AE group (fences, LDMXCSR/STMXCSR, FXSAVE/FXRSTOR)
  // takes no prefix: with 66 it is #UD, drawn too, except 66 0F AE /7 (CLFLUSHOPT on the
  // host, which emu's CPUID does not advertise: #UD in emu); so is F2/F3 on its memory
  // forms (its F2/F3 register forms are RDFSBASE, UMWAIT... on the host: not drawn).
  const bool size_dependent = has_size(f, OpSize::v) || has_size(f, OpSize::z) || has_size(f, OpSize::y);
  const bool ae_group_ud66 = f.map == M0F && f.opcode == 0xAE && std::string_view(f.mnemonic) != "CLFLUSH";
  const bool p66 = ((f.pfx == PX && (f.map == M1 || size_dependent)) || ae_group_ud66) && chance(40);
  const unsigned osz = (m16 != (p66 || f.pfx == P66)) ? 2 : 4;
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
  const bool is_string = f.attrs & STR;
  const bool uses_counter = h == "loop" || h == "jcxz" || h == "xlat" || is_string || has_kind(f, OpKind::O);
  // 16-bit addressing in 32-bit flat code cannot reach the data region (only #PF cases):
  // rare there, common in 16-bit code (where 32-bit addressing reaches it).
  // Not drawn in 32-bit code, where 16-bit addresses are unmapped: operands whose first
  // faulting byte is the host's implementation choice: CMPS with both operands unmapped
  // (AMD reads ES:rDI first, emu DS:rSI), x87 and FXSAVE areas wider than 8 bytes (AMD
  // reports CR2 at their end).
  const bool wide_area = h.substr(0, 4) == "x87_" || h == "fxsave" || h == "fxrstor";
  const bool unmapped_ok = m16 || (h != "cmps" && !wide_area);
  const bool p67 = (mem || uses_counter) && unmapped_ok && chance(m16 ? 40 : (mem ? 5 : 35));
  const unsigned asz = (m16 != p67) ? 2 : 4;
  if (p67) bytes.push_back(0x67);
  if (chance(15)) bytes.push_back(std::array<uint8_t, 3>{0x26, 0x36, 0x3e}[below(3)]);  // same base as DS
  if (p66) bytes.push_back(0x66);
  if (is_string && chance(60)) bytes.push_back(chance(50) ? 0xf3 : 0xf2);
  if (ae_group_ud66 && f.mod == MEM && chance(20)) bytes.push_back(chance(50) ? 0xf3 : 0xf2);  // #UD too
  if ((f.attrs & LOCK) && mem && chance(30) && f.ops[0].kind != OpKind::G) bytes.insert(bytes.begin(), 0xf0);
  if (f.pfx == P66) bytes.push_back(0x66);
  if (f.pfx == PF2) bytes.push_back(0xf2);
  if (f.pfx == PF3) bytes.push_back(0xf3);

  // ---- memory operand: registers chosen so the effective address hits `target` ----
  uint64_t target = dbase + 0x100 + below(0xd00);
  // Sometimes the last bytes of the segment: 16-bit code's 64 KiB data segment, 32-bit
  // code's 4 GiB. An access crossing the limit is #GP(0) (#SS(0) through SS); one inside
  // it lands on unmapped memory (#PF). Not for operands whose first faulting byte is the
  // host's choice (x87/FXSAVE areas, CMPS; see above).
  if (unmapped_ok && !wide_area && h != "cmps" && chance(3)) target = (m16 ? 0xfff0 : 0xfffffff0u) + below(16);
  const bool vector_form = has_kind(f, OpKind::V) || has_kind(f, OpKind::W);
  if ((vector_form || h == "fxsave" || h == "fxrstor") && chance(80)) target &= ~uint64_t{15};
  uint8_t sib = 0;
  bool has_sib = false;
  int64_t disp = 0;
  unsigned disp_size = 0;
  if (mem && asz == 2) {
    if (mod == 1) { disp = static_cast<int8_t>(rng_()); disp_size = 1; }
    if (mod == 2) { disp = static_cast<int16_t>(rng_()); disp_size = 2; }
    static const int kBase16[8] = {RBX, RBX, RBP, RBP, -1, -1, RBP, RBX};
    static const int kIndex16[8] = {RSI, RDI, RSI, RDI, RSI, RDI, -1, -1};
    if (mod == 0 && rmf == 6) {
      disp = static_cast<int64_t>(target & 0xffff);
      disp_size = 2;
    } else {
      const int base = kBase16[rmf], index = kIndex16[rmf];
      uint64_t iv = 0;
      if (base >= 0 && index >= 0) {
        iv = rng_() & 0xffff;
        set_low(gpr[index], iv, 2);
      }
      const uint64_t rest = (target - iv - static_cast<uint64_t>(disp)) & 0xffff;
      set_low(gpr[base >= 0 ? base : index], rest, 2);
    }
  } else if (mem) {
    if (mod == 1) { disp = static_cast<int8_t>(rng_()); disp_size = 1; }
    if (mod == 2) { disp = static_cast<int32_t>(rng_()); disp_size = 4; }
    if (rmf == 4) {
      has_sib = true;
      const unsigned ss = below(4), idx = below(8), base = below(8);
      sib = static_cast<uint8_t>(ss << 6 | idx << 3 | base);
      const bool no_base = base == 5 && mod == 0;
      const bool have_index = idx != 4;
      if (no_base) disp_size = 4;
      if (!no_base && have_index && idx == base) {
        // Same register as base and index: v * (1 + 2^ss) + disp = target (mod 2^32).
        const uint64_t mult = 1 + (uint64_t{1} << ss);
        uint64_t want = (target - static_cast<uint64_t>(disp)) & 0xffffffffu;
        want -= want % mult;
        gpr[base] = want / mult;
        target = (want + static_cast<uint64_t>(disp)) & 0xffffffffu;
        if (target < dbase + 0x100 || target > dbase + 0xf00) return false;
      } else {
        uint64_t iv = 0;
        if (have_index) {
          iv = chance(50) ? below(16) : static_cast<uint32_t>(rng_());
          if (idx == RSP) return false;
          gpr[idx] = iv;
        }
        const uint64_t rest = (target - (iv << ss) - static_cast<uint64_t>(disp)) & 0xffffffffu;
        if (no_base) {
          disp = static_cast<int32_t>(static_cast<uint32_t>(target - (iv << ss)));
        } else if (base == RSP) {
          // Stack and memory operand share the page; keep SP's high half 0 in 16-bit code.
          if (rest < dbase + 0x100 || rest > dbase + 0xf00) return false;
          gpr[RSP] = rest;
        } else {
          gpr[base] = rest;
        }
      }
    } else if (rmf == 5 && mod == 0) {
      disp = static_cast<int32_t>(static_cast<uint32_t>(target));
      disp_size = 4;
    } else {
      gpr[rmf] = (target - static_cast<uint64_t>(disp)) & 0xffffffffu;
    }
  }

  // ---- registers and memory the form's semantics depend on ----
  const uint64_t sp_off = (gpr[RSP] & (m16 ? 0xffff : 0xffffffffu)) - dbase;
  const uint64_t code_target = code_entry_ip(mode) + 0x100 + below(40);  // lands on 0xCC filler
  if (is_string || h == "loop" || h == "jcxz") {
    // Low word/dword (per address size) small most of the time; the rest random.
    const uint64_t cnt = chance(80) ? below(9) : static_cast<uint32_t>(rng_());
    set_low(gpr[RCX], cnt, chance(70) ? asz : 4);
  }
  if (is_string) {
    set_low(gpr[RSI], dbase + 0x100 + below(0xd00), asz);
    set_low(gpr[RDI], dbase + 0x100 + below(0xd00), asz);
  }
  if (h == "xlat") set_low(gpr[RBX], dbase + 0x100 + below(0xd00), asz);
  if ((h == "maskmovq" || h == "maskmovdqu") && chance(90)) set_low(gpr[RDI], dbase + 0x100 + below(0xd00), asz);
  if ((h == "shld" || h == "shrd") && osz == 2) gpr[RCX] = (gpr[RCX] & ~uint64_t{31}) | below(17);
  if (h == "enter" || h == "leave") {
    const uint64_t bp = m16 ? 0x400 + 2 * below(0x200) : kDataBase + 0x400 + 4 * below(0x100);
    set_low(gpr[RBP], bp, m16 ? 2 : 4);
  }
  // Branch targets from registers or memory: always the filler in 16-bit code, where any
  // random 16-bit offset is inside the code segment (possibly the runner's exit landing).
  if ((h == "call" || h == "jmp") && has_kind(f, OpKind::E) && (m16 || chance(90))) {
    if (mem) put(c.data, target - dbase, code_target, osz);
    else set_low(gpr[rmf], code_target, osz);
  }
  if (h == "ret" && (m16 || chance(90))) put(c.data, sp_off, code_target, osz);
  if (h == "popf") {  // TF (single-step) and AC (alignment checks) would trap on the host
    put(c.data, sp_off, get(c.data, sp_off, 4) & ~uint64_t{(1u << 8) | (1u << 18)}, 4);
  }
  if (h == "bound" && mem && chance(70)) {
    // Bounds around the index register (signed, operand size) so both outcomes occur.
    const uint64_t m = osz == 2 ? 0xffff : 0xffffffffu;
    const uint64_t idxv = gpr[regf] & m;
    put(c.data, target - dbase, (idxv - below(3)) & m, osz);
    put(c.data, target - dbase + osz, (idxv + below(3) - 1) & m, osz);
  }
  if (h == "fxrstor" && mem && chance(80) && target - dbase + 32 <= kPageSize) {
    uint32_t mx = static_cast<uint32_t>(rng_()) & 0xffbf;  // valid MXCSR (DAZ off: host mask)
    if (chance(50)) mx = 0x1f80;
    put(c.data, target - dbase + 24, mx, 4);
    put(c.data, target - dbase + 2, get(c.data, target - dbase + 2, 2) & 0x7f00, 2);  // nothing pending
  }
  if (h == "ldmxcsr" && mem)  // AMD hosts accept MXCSR bit 17 ("MM", misaligned SSE); emu does not
    put(c.data, target - dbase, get(c.data, target - dbase, 4) & ~uint64_t{1u << 17}, 4);
  if (h == "fxsave" && mem && target - dbase + 32 <= kPageSize) {
    g.host_specific_offset = static_cast<uint32_t>(target - dbase + 28);
    g.host_specific_len = 4;
  }
  if (loads_segment(h) && h != "arpl") {
    const uint16_t sel = kSelectors[below(sizeof kSelectors / sizeof kSelectors[0])];
    if (h == "pop_sreg_checked") put(c.data, sp_off, sel, 2);
    else if (h == "mov_sreg_checked" && !mem) set_low(gpr[rmf], sel, 2);
    else if (h == "mov_sreg_checked") put(c.data, target - dbase, sel, 2);
    else put(c.data, target - dbase + osz, sel, 2);  // far pointer: offset, then selector
  }
  // Far transfers: selector:offset lands on the 0xCC filler of the target code segment
  // (base kCodeBase for the 16-bit LDT segment, 0 for the GDT ones), where INT3 traps.
  uint16_t far_sel = 0;
  uint64_t far_off = 0;
  if (far_transfer(h)) {
    far_sel = kFarTargets[below(sizeof kFarTargets / sizeof kFarTargets[0])];
    far_off = ((far_sel & 4) ? 0 : kCodeBase) + 0x100 + below(40);
    if (h == "retf") {
      put(c.data, sp_off, far_off, osz);
      put(c.data, sp_off + osz, far_sel, 2);
    } else if (h != "jmpf_direct" && h != "callf_direct" && mem) {
      put(c.data, target - dbase, far_off, osz);
      put(c.data, target - dbase + osz, far_sel, 2);
    }
  }
  g.approx_xmm = h == "rcpps" || h == "rcpss" || h == "rsqrtps" || h == "rsqrtss";

  // ---- encode ----
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
  for (unsigned k = 0; k < disp_size; ++k) bytes.push_back(static_cast<uint8_t>(static_cast<uint64_t>(disp) >> (8 * k)));
  for (unsigned k = 0; k < f.num_ops; ++k) {
    const OperandSpec& s = f.ops[k];
    if (s.kind == OpKind::I || s.kind == OpKind::J) {
      unsigned n = 1;
      if (s.kind == OpKind::J) n = s.size == OpSize::b ? 1 : osz;
      else if (s.size == OpSize::w) n = 2;
      else if (s.size == OpSize::z || s.size == OpSize::v) n = osz;
      uint64_t v = edge_or_random();
      if (s.kind == OpKind::J) v = chance(20) ? 0 : 6 + below(20);  // the exit stub or the filler after it
      if (h == "enter") v = k == 0 ? below(64) : below(4);
      if (h == "intn") {  // any vector but 0x80, the host kernel's system call gate (never executed)
        do v = below(256); while (v == 0x80);
      }
      // RETF imm16 keeps the new ESP in the page: with an invalid target the AMD host
      // reports #PF at the new ESP before #GP(selector), emu #GP (fault priority).
      if (h == "retf") v = below(64);
      if ((h == "shld" || h == "shrd") && osz == 2) v = below(17);
      for (unsigned b = 0; b < n; ++b) bytes.push_back(static_cast<uint8_t>(v >> (8 * b)));
    } else if (s.kind == OpKind::A) {  // ptr16:16 / ptr16:32
      for (unsigned b = 0; b < osz; ++b) bytes.push_back(static_cast<uint8_t>(far_off >> (8 * b)));
      bytes.push_back(static_cast<uint8_t>(far_sel));
      bytes.push_back(static_cast<uint8_t>(far_sel >> 8));
    } else if (s.kind == OpKind::O) {
      const uint64_t a = dbase + 0x100 + below(0xd00);
      for (unsigned b = 0; b < asz; ++b) bytes.push_back(static_cast<uint8_t>(a >> (8 * b)));
    }
  }
  if (bytes.size() > 15) return false;
  c.code = std::move(bytes);
  g.random_dest = random_destination(c.code, m16 ? 16 : 32);
  g.int1 = int1_trap(c.code, mode);
  *out = std::move(g);
  return true;
}

}  // namespace emu::diff
