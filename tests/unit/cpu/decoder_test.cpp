// Decoder unit tests: prefixes (order, repetition, last segment override, F2/F3
// precedence), REX placement, ModRM/SIB in 16/32/64-bit addressing, RIP-relative,
// immediates, the 15-byte limit, LOCK rules and invalid encodings. Expected values come
// from the Intel SDM encoding tables.
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "cpu/isa/decoder.h"
#include "cpu/isa/disasm.h"

using namespace emu::isa;

namespace {
DecodeStatus dec(std::vector<uint8_t> b, unsigned bits, DecodedInsn* d) {
  return decode(b.data(), b.size(), bits, d);
}
std::string mn(const DecodedInsn& d) { return d.info().mnemonic; }
}  // namespace

TEST_CASE("decoder: simple 64-bit ALU forms and operand sizes", "[decoder]") {
  DecodedInsn d;
  REQUIRE(dec({0x48, 0x01, 0xd8}, 64, &d) == DecodeStatus::Ok);  // add rax, rbx
  CHECK(mn(d) == "ADD");
  CHECK(d.length == 3);
  CHECK(d.osz == 8);
  CHECK(d.op[0].type == OperandType::Reg);
  CHECK(d.op[0].reg == 0);
  CHECK(d.op[1].reg == 3);

  REQUIRE(dec({0x66, 0x01, 0xd8}, 64, &d) == DecodeStatus::Ok);  // add ax, bx
  CHECK(d.osz == 2);
  REQUIRE(dec({0x66, 0x48, 0x01, 0xd8}, 64, &d) == DecodeStatus::Ok);  // REX.W wins over 66
  CHECK(d.osz == 8);
  REQUIRE(dec({0x01, 0xd8}, 32, &d) == DecodeStatus::Ok);
  CHECK(d.osz == 4);
  REQUIRE(dec({0x01, 0xd8}, 16, &d) == DecodeStatus::Ok);
  CHECK(d.osz == 2);
  REQUIRE(dec({0x66, 0x01, 0xd8}, 16, &d) == DecodeStatus::Ok);
  CHECK(d.osz == 4);
}

TEST_CASE("decoder: REX is ignored unless immediately before the opcode", "[decoder]") {
  DecodedInsn d;
  // 48 66 01 d8: the REX.W is followed by a legacy prefix, so it is dropped -> add ax, bx
  REQUIRE(dec({0x48, 0x66, 0x01, 0xd8}, 64, &d) == DecodeStatus::Ok);
  CHECK(d.osz == 2);
  CHECK(!(d.prefixes & PFX_REX));
  // 41 48 01 d8: only the last REX counts (48): rax, not r8
  REQUIRE(dec({0x41, 0x48, 0x01, 0xd8}, 64, &d) == DecodeStatus::Ok);
  CHECK(d.op[0].reg == 0);
  CHECK(d.osz == 8);
  // 40-4F are INC/DEC in 32-bit mode
  REQUIRE(dec({0x48}, 32, &d) == DecodeStatus::Ok);
  CHECK(mn(d) == "DEC");
}

TEST_CASE("decoder: byte registers with and without REX", "[decoder]") {
  DecodedInsn d;
  REQUIRE(dec({0x88, 0xe0}, 64, &d) == DecodeStatus::Ok);  // mov al, ah
  CHECK(d.op[0].reg == 0);
  CHECK(d.op[1].reg == kRegAH);
  REQUIRE(dec({0x40, 0x88, 0xe0}, 64, &d) == DecodeStatus::Ok);  // mov al, spl
  CHECK(d.op[1].reg == 4);
}

TEST_CASE("decoder: segment overrides, last one wins; F2/F3 last wins", "[decoder]") {
  DecodedInsn d;
  REQUIRE(dec({0x26, 0x64, 0x8b, 0x00}, 64, &d) == DecodeStatus::Ok);  // fs: mov eax,[rax]
  CHECK(d.seg == SEG_FS);
  REQUIRE(dec({0x64, 0x26, 0x8b, 0x00}, 32, &d) == DecodeStatus::Ok);
  CHECK(d.seg == SEG_ES);
  // In 64-bit mode ES/CS/SS/DS overrides are ignored: [rbp] stays SS-based, [rax] DS.
  REQUIRE(dec({0x26, 0x8b, 0x45, 0x00}, 64, &d) == DecodeStatus::Ok);
  CHECK(d.seg == SEG_SS);
  REQUIRE(dec({0x36, 0x8b, 0x00}, 64, &d) == DecodeStatus::Ok);
  CHECK(d.seg == SEG_DS);
  REQUIRE(dec({0x8b, 0x45, 0x00}, 32, &d) == DecodeStatus::Ok);  // [ebp+0] defaults to SS
  CHECK(d.seg == SEG_SS);
  REQUIRE(dec({0x41, 0x8b, 0x45, 0x00}, 64, &d) == DecodeStatus::Ok);  // [r13+0] defaults to DS
  CHECK(d.seg == SEG_DS);
  // F3 F2 A6: REPNE CMPSB (the last of F2/F3 wins)
  REQUIRE(dec({0xf3, 0xf2, 0xa6}, 64, &d) == DecodeStatus::Ok);
  CHECK((d.prefixes & PFX_REPNE));
  CHECK(!(d.prefixes & PFX_REP));
  // F2 F3 0F B8: the last is F3 -> POPCNT
  REQUIRE(dec({0xf2, 0xf3, 0x0f, 0xb8, 0xc1}, 64, &d) == DecodeStatus::Ok);
  CHECK(mn(d) == "POPCNT");
  // F3 0F BC = TZCNT, 0F BC = BSF, 66 F3 0F BC = TZCNT r16
  REQUIRE(dec({0x0f, 0xbc, 0xc1}, 64, &d) == DecodeStatus::Ok);
  CHECK(mn(d) == "BSF");
  REQUIRE(dec({0x66, 0xf3, 0x0f, 0xbc, 0xc1}, 64, &d) == DecodeStatus::Ok);
  CHECK(mn(d) == "TZCNT");
  CHECK(d.osz == 2);
  // Repeated prefixes are fine.
  REQUIRE(dec({0x66, 0x66, 0x66, 0x01, 0xd8}, 64, &d) == DecodeStatus::Ok);
  CHECK(d.osz == 2);
  CHECK(d.length == 5);
}

TEST_CASE("decoder: 32/64-bit ModRM, SIB and RIP-relative", "[decoder]") {
  DecodedInsn d;
  // mov eax, [rbx+rcx*4+0x10]: 8b 44 8b 10
  REQUIRE(dec({0x8b, 0x44, 0x8b, 0x10}, 64, &d) == DecodeStatus::Ok);
  CHECK(d.base == 3);
  CHECK(d.index == 1);
  CHECK(d.scale == 2);
  CHECK(d.disp == 0x10);
  CHECK(d.length == 4);
  // mov eax, [rip+0x12345678]: 8b 05 78 56 34 12
  REQUIRE(dec({0x8b, 0x05, 0x78, 0x56, 0x34, 0x12}, 64, &d) == DecodeStatus::Ok);
  CHECK(d.base == kRegRIP);
  CHECK(d.disp == 0x12345678);
  // Same bytes in 32-bit mode: absolute disp32.
  REQUIRE(dec({0x8b, 0x05, 0x78, 0x56, 0x34, 0x12}, 32, &d) == DecodeStatus::Ok);
  CHECK(d.base == kNoReg);
  // SIB with no base (mod=00, base=101) and no index (index=100): [disp32]
  REQUIRE(dec({0x8b, 0x04, 0x25, 0xf0, 0xff, 0xff, 0xff}, 64, &d) == DecodeStatus::Ok);
  CHECK(d.base == kNoReg);
  CHECK(d.index == kNoReg);
  CHECK(d.disp == -16);
  // REX.X selects r12 as index; index 100 with REX.X is r12, not "none"
  REQUIRE(dec({0x42, 0x8b, 0x04, 0x20}, 64, &d) == DecodeStatus::Ok);
  CHECK(d.index == 12);
  CHECK(d.base == 0);
  // 67 prefix: 32-bit address size in 64-bit mode
  REQUIRE(dec({0x67, 0x8b, 0x00}, 64, &d) == DecodeStatus::Ok);
  CHECK(d.asz == 4);
}

TEST_CASE("decoder: 16-bit addressing forms", "[decoder]") {
  DecodedInsn d;
  // mov ax, [bx+si]: 8b 00
  REQUIRE(dec({0x8b, 0x00}, 16, &d) == DecodeStatus::Ok);
  CHECK(d.asz == 2);
  CHECK(d.base == 3);
  CHECK(d.index == 6);
  CHECK(d.seg == SEG_DS);
  // mov ax, [bp+di+0x7f]: 8b 43 7f -> SS default
  REQUIRE(dec({0x8b, 0x43, 0x7f}, 16, &d) == DecodeStatus::Ok);
  CHECK(d.base == 5);
  CHECK(d.index == 7);
  CHECK(d.disp == 0x7f);
  CHECK(d.seg == SEG_SS);
  // mov ax, [0x1234]: 8b 06 34 12
  REQUIRE(dec({0x8b, 0x06, 0x34, 0x12}, 16, &d) == DecodeStatus::Ok);
  CHECK(d.base == kNoReg);
  CHECK(d.disp == 0x1234);
  CHECK(d.length == 4);
  // mov ax, [bp-2]: 8b 46 fe
  REQUIRE(dec({0x8b, 0x46, 0xfe}, 16, &d) == DecodeStatus::Ok);
  CHECK(d.disp == -2);
  // 67 in 32-bit code selects 16-bit addressing
  REQUIRE(dec({0x67, 0x8b, 0x00}, 32, &d) == DecodeStatus::Ok);
  CHECK(d.asz == 2);
  CHECK(d.index == 6);
}

TEST_CASE("decoder: immediates", "[decoder]") {
  DecodedInsn d;
  // 48 83 c0 ff: add rax, -1 (Ib sign-extended)
  REQUIRE(dec({0x48, 0x83, 0xc0, 0xff}, 64, &d) == DecodeStatus::Ok);
  CHECK(d.imm == ~uint64_t{0});
  // 48 b8 imm64: mov rax, imm64
  REQUIRE(dec({0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8}, 64, &d) == DecodeStatus::Ok);
  CHECK(d.imm == 0x0807060504030201ull);
  CHECK(d.length == 10);
  // 66 b8 iw
  REQUIRE(dec({0x66, 0xb8, 0x34, 0x12}, 64, &d) == DecodeStatus::Ok);
  CHECK(d.length == 4);
  // c8 iw ib: enter 0x1234, 3
  REQUIRE(dec({0xc8, 0x34, 0x12, 0x03}, 64, &d) == DecodeStatus::Ok);
  CHECK(d.imm == 0x1234);
  CHECK(d.imm2 == 3);
  // a1 moffs64
  REQUIRE(dec({0xa1, 1, 0, 0, 0, 0, 0, 0, 0x80}, 64, &d) == DecodeStatus::Ok);
  CHECK(d.length == 9);
  CHECK(static_cast<uint64_t>(d.disp) == 0x8000000000000001ull);
  // e8 rel32 in 64-bit mode is always 64-bit operand size, even with 66
  REQUIRE(dec({0x66, 0xe8, 0, 0, 0, 0}, 64, &d) == DecodeStatus::Ok);
  CHECK(d.osz == 8);
  CHECK(d.length == 6);
}

TEST_CASE("decoder: length limit raises #GP", "[decoder]") {
  DecodedInsn d;
  std::vector<uint8_t> b(14, 0x66);
  b.push_back(0x90);  // 15 bytes: fine
  CHECK(dec(b, 64, &d) == DecodeStatus::Ok);
  std::vector<uint8_t> c(15, 0x66);
  c.push_back(0x90);  // 16 bytes
  CHECK(dec(c, 64, &d) == DecodeStatus::TooLong);
  // 14 prefixes + add rax, imm32 = too long although the opcode is reached
  std::vector<uint8_t> e(11, 0x2e);
  for (uint8_t x : {0x48, 0x05, 1, 2, 3, 4}) e.push_back(x);
  CHECK(dec(e, 64, &d) == DecodeStatus::TooLong);
}

TEST_CASE("decoder: truncated input asks for more bytes", "[decoder]") {
  DecodedInsn d;
  CHECK(dec({0x48, 0x05, 1, 2}, 64, &d) == DecodeStatus::NeedMoreBytes);
  CHECK(dec({0x0f}, 64, &d) == DecodeStatus::NeedMoreBytes);
}

TEST_CASE("decoder: LOCK rules and invalid encodings", "[decoder]") {
  DecodedInsn d;
  CHECK(dec({0xf0, 0x01, 0x00}, 64, &d) == DecodeStatus::Ok);          // lock add [rax], eax
  CHECK(dec({0xf0, 0x01, 0xc0}, 64, &d) == DecodeStatus::Invalid);     // register destination
  CHECK(dec({0xf0, 0x8b, 0x00}, 64, &d) == DecodeStatus::Invalid);     // MOV is not lockable
  CHECK(dec({0xf0, 0x39, 0x00}, 64, &d) == DecodeStatus::Invalid);     // CMP is not lockable
  CHECK(dec({0x06}, 64, &d) == DecodeStatus::Invalid);                 // PUSH ES in 64-bit
  CHECK(dec({0x06}, 32, &d) == DecodeStatus::Ok);
  CHECK(dec({0x27}, 64, &d) == DecodeStatus::Invalid);                 // DAA
  CHECK(dec({0x8d, 0xc0}, 64, &d) == DecodeStatus::Invalid);           // LEA with register
  CHECK(dec({0x0f, 0x04}, 64, &d) == DecodeStatus::Invalid);           // unassigned
  CHECK(dec({0x8f, 0xc8}, 64, &d) == DecodeStatus::Invalid);           // 8F /1
  CHECK(dec({0x0f, 0xc7, 0xc8}, 64, &d) == DecodeStatus::Invalid);     // CMPXCHG8B with mod=11
  REQUIRE(dec({0x63, 0xc1}, 64, &d) == DecodeStatus::Ok);
  CHECK(mn(d) == "MOVSXD");
  REQUIRE(dec({0x63, 0xc1}, 32, &d) == DecodeStatus::Ok);
  CHECK(mn(d) == "ARPL");
}

TEST_CASE("decoder: NOP forms and XCHG r8", "[decoder]") {
  DecodedInsn d;
  REQUIRE(dec({0x90}, 64, &d) == DecodeStatus::Ok);
  CHECK(mn(d) == "NOP");
  REQUIRE(dec({0xf3, 0x90}, 64, &d) == DecodeStatus::Ok);
  CHECK(mn(d) == "PAUSE");
  REQUIRE(dec({0x41, 0x90}, 64, &d) == DecodeStatus::Ok);
  CHECK(mn(d) == "XCHG");
  CHECK(d.op[0].reg == 8);
  REQUIRE(dec({0x0f, 0x1f, 0x44, 0x00, 0x00}, 64, &d) == DecodeStatus::Ok);
  CHECK(mn(d) == "NOP");
  CHECK(d.length == 5);
}

TEST_CASE("disassembly text", "[decoder]") {
  DecodedInsn d;
  REQUIRE(dec({0x48, 0x8b, 0x44, 0x8b, 0x10}, 64, &d) == DecodeStatus::Ok);
  CHECK(disassemble(d, 0) == "MOV rax, qword [rbx+rcx*4+0x10]");
  REQUIRE(dec({0xeb, 0xfe}, 64, &d) == DecodeStatus::Ok);
  CHECK(disassemble(d, 0x1000) == "JMP 0x1000");
}

TEST_CASE("decoder: the 0F AE group takes no mandatory prefix", "[decoder]") {
  DecodedInsn d;
  for (unsigned bits : {16u, 32u, 64u}) {
    REQUIRE(dec({0x0f, 0xae, 0x03}, bits, &d) == DecodeStatus::Ok);  // fxsave [rbx]/[ebx]/[bp+di]
    CHECK(mn(d) == "FXSAVE");
    REQUIRE(dec({0x0f, 0xae, 0xe8}, bits, &d) == DecodeStatus::Ok);
    CHECK(mn(d) == "LFENCE");
    for (uint8_t p : {0x66, 0xf2, 0xf3})
      for (uint8_t modrm : {0x03, 0x0b, 0x13, 0x1b, 0x3b, 0xe8, 0xf0, 0xf8})
        CHECK(dec({p, 0x0f, 0xae, modrm}, bits, &d) == DecodeStatus::Invalid);
  }
}

TEST_CASE("disassembly names MOV Sreg registers 6 and 7 apart from ES", "[decoder]") {
  DecodedInsn d;
  REQUIRE(dec({0x8e, 0xc0}, 32, &d) == DecodeStatus::Ok);
  CHECK(disassemble(d, 0) == "MOV es, ax");
  REQUIRE(dec({0x8e, 0xf0}, 32, &d) == DecodeStatus::Ok);
  CHECK(disassemble(d, 0) == "MOV sreg6, ax");
  REQUIRE(dec({0x8c, 0xf8}, 32, &d) == DecodeStatus::Ok);
  CHECK(disassemble(d, 0) == "MOV eax, sreg7");
}

TEST_CASE("decoder: x87 forms, operands and disassembly", "[decoder][x87]") {
  DecodedInsn d;
  auto text = [&](std::vector<uint8_t> b, unsigned bits = 64) {
    return dec(b, bits, &d) == DecodeStatus::Ok ? disassemble(d, 0) : std::string("(invalid)");
  };
  CHECK(text({0xd8, 0xc3}) == "FADD st(0), st(3)");
  CHECK(text({0xdc, 0xe2}) == "FSUBR st(2), st(0)");   // DC E0+i: ST(i) = ST(0) - ST(i)
  CHECK(text({0xde, 0xf9}) == "FDIVP st(1), st(0)");
  CHECK(text({0xd8, 0x03}) == "FADD dword [rbx]");
  CHECK(text({0xda, 0x03}) == "FIADD dword [rbx]");
  CHECK(text({0xde, 0x1b}) == "FICOMP word [rbx]");
  CHECK(text({0xdb, 0x2b}) == "FLD tbyte [rbx]");
  CHECK(text({0xdf, 0x33}) == "FBSTP tbyte [rbx]");
  CHECK(text({0xdf, 0x2b}) == "FILD qword [rbx]");
  CHECK(text({0xdd, 0x0b}) == "FISTTP qword [rbx]");
  CHECK(text({0xd9, 0x33}) == "FNSTENV [rbx]");
  CHECK(text({0xdd, 0x23}) == "FRSTOR [rbx]");
  CHECK(text({0xdd, 0x3b}) == "FNSTSW word [rbx]");
  CHECK(text({0xdf, 0xe0}) == "FNSTSW ax");
  CHECK(text({0xd9, 0xe8}) == "FLD1");
  CHECK(text({0xd9, 0xfe}) == "FSIN");
  CHECK(text({0xde, 0xd9}) == "FCOMPP");
  CHECK(text({0xda, 0xe9}) == "FUCOMPP");
  CHECK(text({0xdb, 0xf5}) == "FCOMI st(0), st(5)");
  CHECK(text({0xdf, 0xef}) == "FUCOMIP st(0), st(7)");
  CHECK(text({0xda, 0xd1}) == "FCMOVBE st(0), st(1)");
  // The host's undocumented aliases.
  CHECK(text({0xd9, 0xdb}) == "FSTP1 st(3)");
  CHECK(text({0xdc, 0xd1}) == "FCOM2 st(1)");
  CHECK(text({0xdd, 0xc9}) == "FXCH4 st(1)");
  CHECK(text({0xde, 0xd2}) == "FCOMP5 st(2)");
  CHECK(text({0xdf, 0xc4}) == "FFREEP st(4)");
  CHECK(text({0xdf, 0xd8}) == "FSTP9 st(0)");
  // Encodings without a form.
  for (std::vector<uint8_t> b : {std::vector<uint8_t>{0xd9, 0xd1}, {0xd9, 0xe2}, {0xd9, 0xef}, {0xd9, 0x0b},
                                 {0xda, 0xe8}, {0xda, 0xf0}, {0xdb, 0xe5}, {0xdb, 0xf8}, {0xdb, 0x23},
                                 {0xdb, 0x33}, {0xdd, 0xf0}, {0xdd, 0x2b}, {0xde, 0xd8}, {0xdf, 0xe1}, {0xdf, 0xf8}}) {
    INFO(hex_bytes(b.data(), b.size()));
    CHECK(dec(b, 64, &d) == DecodeStatus::Invalid);
  }
  // The environment image follows the operand size; LOCK is never valid.
  REQUIRE(dec({0x66, 0xd9, 0x33}, 32, &d) == DecodeStatus::Ok);
  CHECK(d.op[0].size == 14);
  REQUIRE(dec({0xdd, 0x33}, 32, &d) == DecodeStatus::Ok);
  CHECK(d.op[0].size == 108);
  CHECK(dec({0xf0, 0xd8, 0x03}, 64, &d) == DecodeStatus::Invalid);
}
