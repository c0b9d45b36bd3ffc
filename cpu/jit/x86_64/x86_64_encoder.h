// A small x86-64 machine-code encoder for the JIT's x86-64 backend: exactly the
// instruction forms the backend emits (register moves, 64-bit immediates, indirect
// calls/jumps, ALU ops and compares on [base + disp32] memory, rel32 branches, and
// the sized (8/16/32/64-bit) loads, stores, ALU ops, SETcc/CMOVcc/MOVSX the inline
// translations use, and the SSE2 moves and integer ops of the inline XMM forms).
// Writes into a caller-provided byte buffer; unit-tested against known encodings.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace emu::jit::x64 {

enum Reg : uint8_t { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };

// Condition codes (the low nibble of Jcc/SETcc).
enum Cond : uint8_t { O, NO, B, AE, E, NE, BE, A, S, NS, P, NP, L, GE, LE, G };

// Group-1 ALU operations (the /digit of 0x81/0x83).
enum AluOp : uint8_t { ADD = 0, OR = 1, ADC = 2, SBB = 3, AND = 4, SUB = 5, XOR = 6, CMP = 7 };

class Encoder {
 public:
  Encoder(uint8_t* buf, size_t capacity) : buf_(buf), cap_(capacity) {}

  size_t size() const { return pos_; }
  // Drops everything emitted after `pos` (a translation attempt that gave up).
  void truncate(size_t pos) {
    if (pos <= pos_) pos_ = pos;
    if (pos_ <= cap_) overflow_ = false;
  }
  bool overflowed() const { return overflow_; }
  uint8_t* at(size_t offset) const { return buf_ + offset; }

  // ---- moves ----
  void mov_rr(Reg dst, Reg src) { rex(true, src, dst); byte(0x89); modrm_rr(src, dst); }
  // mov r64, imm64 (shorter forms when the value fits).
  void mov_ri(Reg dst, uint64_t v) {
    if (v <= 0xffffffffu) {  // mov r32, imm32 zero-extends
      if (dst >= R8) byte(0x41);
      byte(static_cast<uint8_t>(0xb8 + (dst & 7)));
      u32(static_cast<uint32_t>(v));
    } else {
      rex(true, RAX, dst);
      byte(static_cast<uint8_t>(0xb8 + (dst & 7)));
      u64(v);
    }
  }
  void mov_rm64(Reg dst, Reg base, int32_t disp) { rex(true, dst, base); byte(0x8b); modrm_mem(dst, base, disp); }
  void mov_mr64(Reg base, int32_t disp, Reg src) { rex(true, src, base); byte(0x89); modrm_mem(src, base, disp); }
  // mov r32, [base+disp] (zero-extends into the 64-bit register).
  void mov_rm32(Reg dst, Reg base, int32_t disp) { rex(false, dst, base); byte(0x8b); modrm_mem(dst, base, disp); }
  // mov r32, r32 (zero-extends; clears bits 63..32 when dst == src).
  void mov_rr32(Reg dst, Reg src) { rex(false, src, dst); byte(0x89); modrm_rr(src, dst); }
  // mov r64, imm32 sign-extended (REX.W C7 /0).
  void mov_ri_sx(Reg dst, int32_t imm) { rex(true, RAX, dst); byte(0xc7); modrm_rr(RAX, dst); u32(static_cast<uint32_t>(imm)); }
  // mov r8/r16/r32/r64, r (the 8/16-bit forms keep the destination's other bits).
  void mov_rr_sz(unsigned size, Reg dst, Reg src) { sized(size, src, RAX, dst); byte(size == 1 ? 0x88 : 0x89); modrm_rr(src, dst); }
  // mov qword/dword [base+disp], imm32 (the qword form sign-extends).
  void mov_m64_i(Reg base, int32_t disp, int32_t imm) { rex(true, RAX, base); byte(0xc7); modrm_mem(RAX, base, disp); u32(static_cast<uint32_t>(imm)); }
  void mov_m32_i(Reg base, int32_t disp, uint32_t imm) { rex(false, RAX, base); byte(0xc7); modrm_mem(RAX, base, disp); u32(imm); }

  // ---- ALU on registers ----
  void alu_rr(AluOp op, Reg dst, Reg src) { rex(true, src, dst); byte(static_cast<uint8_t>(op * 8 + 1)); modrm_rr(src, dst); }
  // op r64, imm32 (sign-extended; imm8 form when it fits).
  void alu_ri(AluOp op, Reg dst, int32_t imm) {
    rex(true, RAX, dst);
    const bool i8 = imm >= -128 && imm <= 127;
    byte(i8 ? 0x83 : 0x81);
    modrm_rr(static_cast<Reg>(op), dst);
    if (i8) byte(static_cast<uint8_t>(imm));
    else u32(static_cast<uint32_t>(imm));
  }
  void shl_ri(Reg r, uint8_t n) { rex(true, RAX, r); byte(0xc1); modrm_rr(static_cast<Reg>(4), r); byte(n); }
  void sar_ri(Reg r, uint8_t n) { rex(true, RAX, r); byte(0xc1); modrm_rr(static_cast<Reg>(7), r); byte(n); }
  void shr_ri(Reg r, uint8_t n) { rex(true, RAX, r); byte(0xc1); modrm_rr(static_cast<Reg>(5), r); byte(n); }
  // 32-bit forms (zero-extend into the 64-bit register): shr r32, imm8; op r32, imm32/imm8.
  void shr_ri32(Reg r, uint8_t n) { rex(false, RAX, r); byte(0xc1); modrm_rr(static_cast<Reg>(5), r); byte(n); }
  void alu_ri32(AluOp op, Reg dst, int32_t imm) {
    rex(false, RAX, dst);
    const bool i8 = imm >= -128 && imm <= 127;
    byte(i8 ? 0x83 : 0x81);
    modrm_rr(static_cast<Reg>(op), dst);
    if (i8) byte(static_cast<uint8_t>(imm));
    else u32(static_cast<uint32_t>(imm));
  }

  // ---- sized forms (size in bytes: 1, 2, 4, 8; 8-bit registers are the low bytes,
  // SPL..DIL through a REX prefix) ----
  // op dst, src (ADD OR ADC SBB AND SUB XOR CMP)
  void alu_rr_sz(AluOp op, unsigned size, Reg dst, Reg src) {
    sized(size, src, RAX, dst);
    byte(static_cast<uint8_t>(op * 8 + (size == 1 ? 0 : 1)));
    modrm_rr(src, dst);
  }
  void test_rr_sz(unsigned size, Reg a, Reg b) { sized(size, b, RAX, a); byte(size == 1 ? 0x84 : 0x85); modrm_rr(b, a); }
  // inc/dec r (the CF-preserving forms)
  void incdec_r_sz(bool dec, unsigned size, Reg r) {
    sized(size, RAX, RAX, r);
    byte(size == 1 ? 0xfe : 0xff);
    modrm_rr(static_cast<Reg>(dec ? 1 : 0), r);
  }
  // r32 = zero-extended [base+disp] of `size` (movzx for 1/2; the 8-byte form is mov r64)
  void load_zx(unsigned size, Reg dst, Reg base, int32_t disp) {
    rex(size == 8, dst, base);
    if (size <= 2) { byte(0x0f); byte(size == 1 ? 0xb6 : 0xb7); }
    else byte(0x8b);
    modrm_mem(dst, base, disp);
  }
  // [base+disp] = low `size` bytes of src
  void store_sz(unsigned size, Reg base, int32_t disp, Reg src) {
    sized(size, src, RAX, base);
    byte(size == 1 ? 0x88 : 0x89);
    modrm_mem(src, base, disp);
  }
  // r64 = sign-extended low `size` bytes of src (movsx / movsxd)
  void movsx_rr(unsigned size, Reg dst, Reg src) {
    rex_force(true, dst, RAX, src, size == 1 && src >= RSP);
    if (size == 4) byte(0x63);
    else { byte(0x0f); byte(size == 1 ? 0xbe : 0xbf); }
    modrm_rr(dst, src);
  }
  // r32 = zero-extended low `size` (1/2) bytes of src
  void movzx_rr(unsigned size, Reg dst, Reg src) {
    rex_force(false, dst, RAX, src, size == 1 && src >= RSP);
    byte(0x0f);
    byte(size == 1 ? 0xb6 : 0xb7);
    modrm_rr(dst, src);
  }
  // imul dst, src (16/32/64-bit)
  void imul_rr_sz(unsigned size, Reg dst, Reg src) { sized(size, dst, RAX, src); byte(0x0f); byte(0xaf); modrm_rr(dst, src); }
  // setcc r8 (the register's low byte)
  void setcc(Cond c, Reg r) { rex_force(false, RAX, RAX, r, r >= RSP); byte(0x0f); byte(static_cast<uint8_t>(0x90 + c)); modrm_rr(RAX, r); }
  // cmovcc r64, r64
  void cmov_rr(Cond c, Reg dst, Reg src) { rex(true, dst, src); byte(0x0f); byte(static_cast<uint8_t>(0x40 + c)); modrm_rr(dst, src); }
  // bt dword [base+disp], bit (CF = that bit)
  void bt_m32_i(Reg base, int32_t disp, uint8_t bit) { rex(false, RAX, base); byte(0x0f); byte(0xba); modrm_mem(static_cast<Reg>(4), base, disp); byte(bit); }

  // ---- shifts, rotates, multiply/divide, bit ops (the jitforms primitives) ----
  // Group-2 op (/digit: 0 ROL 1 ROR 2 RCL 3 RCR 4 SHL 5 SHR 7 SAR) on r at `size`, by imm8 / by CL.
  void shift_ri_sz(unsigned digit, unsigned size, Reg r, uint8_t n) {
    sized(size, RAX, RAX, r);
    byte(size == 1 ? 0xc0 : 0xc1);
    modrm_rr(static_cast<Reg>(digit), r);
    byte(n);
  }
  void shift_cl_sz(unsigned digit, unsigned size, Reg r) {
    sized(size, RAX, RAX, r);
    byte(size == 1 ? 0xd2 : 0xd3);
    modrm_rr(static_cast<Reg>(digit), r);
  }
  // mul/imul/div/idiv qword [base+disp] (F7 /4 /5 /6 /7: rdx:rax)
  void muldiv_m64(unsigned digit, Reg base, int32_t disp) { rex(true, RAX, base); byte(0xf7); modrm_mem(static_cast<Reg>(digit), base, disp); }
  void cqo() { byte(0x48); byte(0x99); }
  // bt r64, r64 / bt r64, imm8 (CF = the bit)
  void bt_rr(Reg v, Reg bit) { rex(true, bit, v); byte(0x0f); byte(0xa3); modrm_rr(bit, v); }
  void bt_ri(Reg v, uint8_t bit) { rex(true, RAX, v); byte(0x0f); byte(0xba); modrm_rr(static_cast<Reg>(4), v); byte(bit); }
  // bsf / bsr r64, r64
  void bsf_bsr_rr(bool reverse, Reg dst, Reg src) { rex(true, dst, src); byte(0x0f); byte(reverse ? 0xbd : 0xbc); modrm_rr(dst, src); }
  // bswap r32 / r64
  void bswap(bool w, Reg r) { rex(w, RAX, r); byte(0x0f); byte(static_cast<uint8_t>(0xc8 + (r & 7))); }
  // mov byte [base+disp], imm8
  void mov_m8_i(Reg base, int32_t disp, uint8_t imm) { rex(false, RAX, base); byte(0xc6); modrm_mem(RAX, base, disp); byte(imm); }
  // op qword [base+disp], src
  void alu_mr64(AluOp op, Reg base, int32_t disp, Reg src) { rex(true, src, base); byte(static_cast<uint8_t>(op * 8 + 1)); modrm_mem(src, base, disp); }

  // ---- [base + index + disp32] (the soft-TLB fast path; index must not be RSP) ----
  // mov r64/r32, [base+index+disp] (the 32-bit form zero-extends).
  void mov_r_bi(bool w, Reg dst, Reg base, Reg index, int32_t disp) { rex_x(w, dst, index, base); byte(0x8b); modrm_bi(dst, base, index, disp); }
  // mov [base+index+disp], r64/r32
  void mov_bi_r(bool w, Reg base, Reg index, int32_t disp, Reg src) { rex_x(w, src, index, base); byte(0x89); modrm_bi(src, base, index, disp); }
  // r = zero-extended `size` bytes at [base+index+disp]
  void load_zx_bi(unsigned size, Reg dst, Reg base, Reg index, int32_t disp) {
    if (size >= 4) return mov_r_bi(size == 8, dst, base, index, disp);
    rex_x(false, dst, index, base);
    byte(0x0f);
    byte(size == 1 ? 0xb6 : 0xb7);
    modrm_bi(dst, base, index, disp);
  }
  // [base+index+disp] = low `size` bytes of src
  void store_bi_sz(unsigned size, Reg base, Reg index, int32_t disp, Reg src) {
    if (size == 2) byte(0x66);
    const uint8_t r = static_cast<uint8_t>(0x40 | (size == 8 ? 8 : 0) | ((src & 8) ? 4 : 0) | ((index & 8) ? 2 : 0) | ((base & 8) ? 1 : 0));
    if (r != 0x40 || (size == 1 && src >= RSP)) byte(r);
    byte(size == 1 ? 0x88 : 0x89);
    modrm_bi(src, base, index, disp);
  }
  // cmp r64, [base+index+disp]
  void cmp_r_bi(Reg r, Reg base, Reg index, int32_t disp) { rex_x(true, r, index, base); byte(0x3b); modrm_bi(r, base, index, disp); }

  // lea r64, [base + index*2^scale + disp32]; has_base/has_index false: that part is
  // absent (index must not be RSP).
  void lea(Reg dst, bool has_base, Reg base, bool has_index, Reg index, unsigned scale, int32_t disp) {
    const Reg x = has_index ? index : RSP;  // SIB index 100: none
    rex_x(true, dst, x, has_base ? base : RAX);
    byte(0x8d);
    byte(static_cast<uint8_t>((has_base ? 0x80 : 0x00) | ((dst & 7) << 3) | 4));
    byte(static_cast<uint8_t>((scale << 6) | ((x & 7) << 3) | (has_base ? (base & 7) : 5)));
    u32(static_cast<uint32_t>(disp));
  }

  // ---- ALU on memory [base + disp32] ----
  // op qword [base+disp], imm (imm8 form when it fits).
  void alu_m64_i(AluOp op, Reg base, int32_t disp, int32_t imm) { alu_mi(true, op, base, disp, imm); }
  void alu_m32_i(AluOp op, Reg base, int32_t disp, int32_t imm) { alu_mi(false, op, base, disp, imm); }
  // cmp byte [base+disp], imm8
  void cmp_m8_i(Reg base, int32_t disp, uint8_t imm) {
    if (base >= R8) byte(0x41);
    byte(0x80);
    modrm_mem(static_cast<Reg>(CMP), base, disp);
    byte(imm);
  }
  // op r64, qword [base+disp]
  void alu_rm64(AluOp op, Reg r, Reg base, int32_t disp) { rex(true, r, base); byte(static_cast<uint8_t>(op * 8 + 3)); modrm_mem(r, base, disp); }
  void cmp_rm64(Reg r, Reg base, int32_t disp) { rex(true, r, base); byte(0x3b); modrm_mem(r, base, disp); }
  void test_rr(Reg a, Reg b) { rex(true, b, a); byte(0x85); modrm_rr(b, a); }
  void add_ri(Reg r, int8_t imm) { rex(true, RAX, r); byte(0x83); modrm_rr(static_cast<Reg>(ADD), r); byte(static_cast<uint8_t>(imm)); }
  void sub_ri(Reg r, int8_t imm) { rex(true, RAX, r); byte(0x83); modrm_rr(static_cast<Reg>(SUB), r); byte(static_cast<uint8_t>(imm)); }

  // ---- stack and control ----
  void push(Reg r) { if (r >= R8) byte(0x41); byte(static_cast<uint8_t>(0x50 + (r & 7))); }
  void pop(Reg r) { if (r >= R8) byte(0x41); byte(static_cast<uint8_t>(0x58 + (r & 7))); }
  void ret() { byte(0xc3); }
  void call_r(Reg r) { if (r >= R8) byte(0x41); byte(0xff); modrm_rr(static_cast<Reg>(2), r); }
  void jmp_r(Reg r) { if (r >= R8) byte(0x41); byte(0xff); modrm_rr(static_cast<Reg>(4), r); }
  // jmp rel32 / jcc rel32 to an offset in this buffer; returns the offset of the rel32
  // field (for patch_rel32). A target of ~0 leaves the field to be patched later.
  size_t jmp32(size_t target) { byte(0xe9); return rel32_to(target); }
  size_t jcc32(Cond c, size_t target) { byte(0x0f); byte(static_cast<uint8_t>(0x80 + c)); return rel32_to(target); }
  // Points the rel32 field at `field` to `target` (both offsets in this buffer).
  void patch_rel32(size_t field, size_t target) {
    if (overflow_) return;
    int32_t rel = static_cast<int32_t>(static_cast<int64_t>(target) - static_cast<int64_t>(field + 4));
    std::memcpy(buf_ + field, &rel, 4);
  }

  void byte(uint8_t b) {
    if (pos_ < cap_) buf_[pos_] = b;
    else overflow_ = true;
    ++pos_;
  }

 private:
  void u32(uint32_t v) { for (int k = 0; k < 4; ++k) byte(static_cast<uint8_t>(v >> (8 * k))); }
  void u64(uint64_t v) { for (int k = 0; k < 8; ++k) byte(static_cast<uint8_t>(v >> (8 * k))); }
  size_t rel32_to(size_t target) {
    size_t field = pos_;
    u32(0);
    if (target != ~size_t{0}) patch_rel32(field, target);
    return field;
  }
  // REX prefix for reg (ModRM.reg) and rm (ModRM.rm / base); omitted when not needed.
  void rex(bool w, Reg reg, Reg rm) {
    uint8_t r = static_cast<uint8_t>(0x40 | (w ? 8 : 0) | ((reg & 8) ? 4 : 0) | ((rm & 8) ? 1 : 0));
    if (r != 0x40) byte(r);
  }
  // Operand-size prefix and REX for a sized form (REX also for the byte registers SPL..DIL).
  void sized(unsigned size, Reg reg, Reg index, Reg rm) {
    if (size == 2) byte(0x66);
    rex_force(size == 8, reg, index, rm, size == 1 && ((reg >= RSP && reg <= RDI) || (rm >= RSP && rm <= RDI)));
  }
  void rex_force(bool w, Reg reg, Reg index, Reg rm, bool force) {
    uint8_t r = static_cast<uint8_t>(0x40 | (w ? 8 : 0) | ((reg & 8) ? 4 : 0) | ((index & 8) ? 2 : 0) | ((rm & 8) ? 1 : 0));
    if (r != 0x40 || force) byte(r);
  }
  void rex_x(bool w, Reg reg, Reg index, Reg base) {
    uint8_t r = static_cast<uint8_t>(0x40 | (w ? 8 : 0) | ((reg & 8) ? 4 : 0) | ((index & 8) ? 2 : 0) | ((base & 8) ? 1 : 0));
    if (r != 0x40) byte(r);
  }
  // mod 10 (disp32), rm 100 (SIB), scale 1.
  void modrm_bi(Reg reg, Reg base, Reg index, int32_t disp) {
    byte(static_cast<uint8_t>(0x80 | ((reg & 7) << 3) | 4));
    byte(static_cast<uint8_t>(((index & 7) << 3) | (base & 7)));
    u32(static_cast<uint32_t>(disp));
  }
  void modrm_rr(Reg reg, Reg rm) { byte(static_cast<uint8_t>(0xc0 | ((reg & 7) << 3) | (rm & 7))); }
  // [base + disp] with disp8 when it fits, disp32 otherwise (SIB for RSP/R12 bases).
  void modrm_mem(Reg reg, Reg base, int32_t disp) {
    const bool d8 = disp >= -128 && disp <= 127;
    const bool need_disp = disp != 0 || (base & 7) == RBP;
    const uint8_t mod = !need_disp ? 0 : (d8 ? 1 : 2);
    byte(static_cast<uint8_t>((mod << 6) | ((reg & 7) << 3) | (base & 7)));
    if ((base & 7) == RSP) byte(0x24);
    if (mod == 1) byte(static_cast<uint8_t>(disp));
    else if (mod == 2) u32(static_cast<uint32_t>(disp));
  }
  void alu_mi(bool w, AluOp op, Reg base, int32_t disp, int32_t imm) {
    rex(w, RAX, base);
    const bool i8 = imm >= -128 && imm <= 127;
    byte(i8 ? 0x83 : 0x81);
    modrm_mem(static_cast<Reg>(op), base, disp);
    if (i8) byte(static_cast<uint8_t>(imm));
    else u32(static_cast<uint32_t>(imm));
  }

  uint8_t* buf_;
  size_t cap_;
  size_t pos_ = 0;
  bool overflow_ = false;

  // ==== jitforms: SSE2 forms (XMM registers numbered 0..15 like Reg) ====
 public:
  // [prefix] 0F op /r with ModRM.reg = reg and ModRM.rm = rm (XMM or general registers).
  void sse_rr(uint8_t prefix, uint8_t op, Reg reg, Reg rm) {
    if (prefix) byte(prefix);
    rex(false, reg, rm);
    byte(0x0f);
    byte(op);
    modrm_rr(reg, rm);
  }
  // ... with the memory operand [base+disp]
  void sse_rm(uint8_t prefix, uint8_t op, Reg reg, Reg base, int32_t disp) {
    if (prefix) byte(prefix);
    rex(false, reg, base);
    byte(0x0f);
    byte(op);
    modrm_mem(reg, base, disp);
  }
  // ... with the memory operand [base+index+disp]
  void sse_rbi(uint8_t prefix, uint8_t op, Reg reg, Reg base, Reg index, int32_t disp = 0) {
    if (prefix) byte(prefix);
    rex_x(false, reg, index, base);
    byte(0x0f);
    byte(op);
    modrm_bi(reg, base, index, disp);
  }
  // 66 0F map op /r [ib]: the three-byte maps 0F 38 / 0F 3A (SSSE3 and later); imm < 0: none
  void sse_rr3(uint8_t map, uint8_t op, Reg reg, Reg rm, int imm) {
    byte(0x66);
    rex(false, reg, rm);
    byte(0x0f);
    byte(map);
    byte(op);
    modrm_rr(reg, rm);
    if (imm >= 0) byte(static_cast<uint8_t>(imm));
  }
  // movq xmm, r64 (66 REX.W 0F 6E) and movq r64, xmm (66 REX.W 0F 7E)
  void movq_xr(Reg x, Reg r) { byte(0x66); rex(true, x, r); byte(0x0f); byte(0x6e); modrm_rr(x, r); }
  void movq_rx(Reg r, Reg x) { byte(0x66); rex(true, x, r); byte(0x0f); byte(0x7e); modrm_rr(x, r); }
  // pshufd (66) / pshufhw (F3) / pshuflw (F2) xmm, xmm, imm8
  void pshuf(uint8_t prefix, Reg dst, Reg src, uint8_t imm) { sse_rr(prefix, 0x70, dst, src); byte(imm); }
  // Shift by imm8 (66 0F 71/72/73 /digit: W D Q groups; /2 psrl, /4 psra, /6 psll, /3 psrldq, /7 pslldq)
  void sse_shift_ri(uint8_t group, unsigned digit, Reg x, uint8_t imm) {
    sse_rr(0x66, group, static_cast<Reg>(digit), x);
    byte(imm);
  }
  // test dword [base+disp], imm32
  void test_m32_i(Reg base, int32_t disp, uint32_t imm) { rex(false, RAX, base); byte(0xf7); modrm_mem(RAX, base, disp); u32(imm); }
};

}  // namespace emu::jit::x64
