// The x86-64 encoder emits the documented encodings (checked byte for byte).
#include <catch2/catch.hpp>

#include <functional>
#include <vector>

#include "cpu/jit/x86_64/x86_64_encoder.h"

using namespace emu::jit::x64;

namespace {

std::vector<uint8_t> enc(const std::function<void(Encoder&)>& f) {
  uint8_t buf[64];
  Encoder e(buf, sizeof buf);
  f(e);
  REQUIRE(!e.overflowed());
  return std::vector<uint8_t>(buf, buf + e.size());
}

using Bytes = std::vector<uint8_t>;

}  // namespace

TEST_CASE("x86-64 encoder: moves", "[jit][encoder]") {
  CHECK(enc([](Encoder& e) { e.mov_rr(RBX, RDI); }) == Bytes{0x48, 0x89, 0xfb});
  CHECK(enc([](Encoder& e) { e.mov_rr(RDI, RBX); }) == Bytes{0x48, 0x89, 0xdf});
  CHECK(enc([](Encoder& e) { e.mov_rr(R9, RAX); }) == Bytes{0x49, 0x89, 0xc1});
  CHECK(enc([](Encoder& e) { e.mov_ri(RAX, 0x12345678); }) == Bytes{0xb8, 0x78, 0x56, 0x34, 0x12});
  CHECK(enc([](Encoder& e) { e.mov_ri(R12, 5); }) == Bytes{0x41, 0xbc, 5, 0, 0, 0});
  CHECK(enc([](Encoder& e) { e.mov_ri(RSI, 0x123456789ull); }) == Bytes{0x48, 0xbe, 0x89, 0x67, 0x45, 0x23, 1, 0, 0, 0});
  CHECK(enc([](Encoder& e) { e.mov_ri_sx(R13, -2); }) == Bytes{0x49, 0xc7, 0xc5, 0xfe, 0xff, 0xff, 0xff});
  CHECK(enc([](Encoder& e) { e.mov_ri_sx(RBP, 0x10); }) == Bytes{0x48, 0xc7, 0xc5, 0x10, 0, 0, 0});
  CHECK(enc([](Encoder& e) { e.mov_rr_sz(1, RBP, RSI); }) == Bytes{0x40, 0x88, 0xf5});  // mov bpl, sil
  CHECK(enc([](Encoder& e) { e.mov_rr_sz(1, R12, RAX); }) == Bytes{0x41, 0x88, 0xc4});  // mov r12b, al
  CHECK(enc([](Encoder& e) { e.mov_rr_sz(2, R15, R9); }) == Bytes{0x66, 0x45, 0x89, 0xcf});  // mov r15w, r9w
  CHECK(enc([](Encoder& e) { e.mov_rr_sz(4, RBP, RCX); }) == Bytes{0x89, 0xcd});
  // lea rdx,[r12+rbp*4+0x10] ; lea rax,[r13+8] ; lea r9,[rbp+r12*8-4] ; lea rcx,[r14*2+0x100]
  CHECK(enc([](Encoder& e) { e.lea(RDX, true, R12, true, RBP, 2, 0x10); }) == Bytes{0x49, 0x8d, 0x94, 0xac, 0x10, 0, 0, 0});
  CHECK(enc([](Encoder& e) { e.lea(RAX, true, R13, false, RAX, 0, 8); }) == Bytes{0x49, 0x8d, 0x84, 0x25, 8, 0, 0, 0});
  CHECK(enc([](Encoder& e) { e.lea(R9, true, RBP, true, R12, 3, -4); }) == Bytes{0x4e, 0x8d, 0x8c, 0xe5, 0xfc, 0xff, 0xff, 0xff});
  CHECK(enc([](Encoder& e) { e.lea(RCX, false, RAX, true, R14, 1, 0x100); }) == Bytes{0x4a, 0x8d, 0x0c, 0x75, 0, 1, 0, 0});
  CHECK(enc([](Encoder& e) { e.mov_rm64(RAX, RSP, 8); }) == Bytes{0x48, 0x8b, 0x44, 0x24, 0x08});
  CHECK(enc([](Encoder& e) { e.mov_rm64(RAX, R12, 0); }) == Bytes{0x49, 0x8b, 0x04, 0x24});
  CHECK(enc([](Encoder& e) { e.mov_mr64(R13, 0, RAX); }) == Bytes{0x49, 0x89, 0x45, 0x00});
  CHECK(enc([](Encoder& e) { e.mov_mr64(RBX, 0x200, RCX); }) == Bytes{0x48, 0x89, 0x8b, 0x00, 0x02, 0, 0});
}

TEST_CASE("x86-64 encoder: ALU and compares on memory", "[jit][encoder]") {
  CHECK(enc([](Encoder& e) { e.alu_m64_i(ADD, RBX, 0x10, 1); }) == Bytes{0x48, 0x83, 0x43, 0x10, 0x01});
  CHECK(enc([](Encoder& e) { e.alu_m64_i(SUB, RBX, 0x200, 1); }) == Bytes{0x48, 0x83, 0xab, 0x00, 0x02, 0, 0, 0x01});
  CHECK(enc([](Encoder& e) { e.alu_m64_i(CMP, RBX, 0x200, 0x1000); }) ==
        Bytes{0x48, 0x81, 0xbb, 0x00, 0x02, 0, 0, 0x00, 0x10, 0, 0});
  CHECK(enc([](Encoder& e) { e.alu_m32_i(CMP, RBX, 8, 0); }) == Bytes{0x83, 0x7b, 0x08, 0x00});
  CHECK(enc([](Encoder& e) { e.alu_m32_i(SUB, R14, -4, 1); }) == Bytes{0x41, 0x83, 0x6e, 0xfc, 0x01});
  CHECK(enc([](Encoder& e) { e.cmp_m8_i(RBX, 0x300, 0); }) == Bytes{0x80, 0xbb, 0x00, 0x03, 0, 0, 0x00});
  CHECK(enc([](Encoder& e) { e.cmp_rm64(RAX, RBX, 0x80); }) == Bytes{0x48, 0x3b, 0x83, 0x80, 0, 0, 0});
  CHECK(enc([](Encoder& e) { e.test_rr(RAX, RAX); }) == Bytes{0x48, 0x85, 0xc0});
  CHECK(enc([](Encoder& e) { e.add_ri(RSP, 8); }) == Bytes{0x48, 0x83, 0xc4, 0x08});
  CHECK(enc([](Encoder& e) { e.sub_ri(RSP, 8); }) == Bytes{0x48, 0x83, 0xec, 0x08});
}

TEST_CASE("x86-64 encoder: stack, calls and branches", "[jit][encoder]") {
  CHECK(enc([](Encoder& e) { e.push(RBX); e.pop(RBX); e.ret(); }) == Bytes{0x53, 0x5b, 0xc3});
  CHECK(enc([](Encoder& e) { e.push(R12); e.pop(R15); }) == Bytes{0x41, 0x54, 0x41, 0x5f});
  CHECK(enc([](Encoder& e) { e.call_r(RAX); e.call_r(R11); }) == Bytes{0xff, 0xd0, 0x41, 0xff, 0xd3});
  CHECK(enc([](Encoder& e) { e.jmp_r(RAX); e.jmp_r(RSI); }) == Bytes{0xff, 0xe0, 0xff, 0xe6});
  // Forward and backward rel32 branches, and a field patched later.
  CHECK(enc([](Encoder& e) { e.jmp32(5); }) == Bytes{0xe9, 0, 0, 0, 0});
  CHECK(enc([](Encoder& e) { e.byte(0x90); e.jcc32(NE, 0); }) == Bytes{0x90, 0x0f, 0x85, 0xf9, 0xff, 0xff, 0xff});
  CHECK(enc([](Encoder& e) {
          size_t f = e.jcc32(B, ~size_t{0});
          e.byte(0xcc);
          e.patch_rel32(f, e.size());
        }) == Bytes{0x0f, 0x82, 0x01, 0, 0, 0, 0xcc});
}

TEST_CASE("x86-64 encoder: overflow is reported, never written past the buffer", "[jit][encoder]") {
  uint8_t buf[8] = {};
  buf[4] = 0x5a;
  Encoder e(buf, 4);
  e.mov_ri(RAX, 0x123456789ull);
  CHECK(e.overflowed());
  CHECK(buf[4] == 0x5a);
}

TEST_CASE("x86-64 encoder: [base + index + disp32] and the soft-TLB helpers", "[jit][encoder]") {
  CHECK(enc([](Encoder& e) { e.mov_r_bi(true, RAX, RBX, RCX, 0x100); }) == Bytes{0x48, 0x8b, 0x84, 0x0b, 0x00, 0x01, 0, 0});
  CHECK(enc([](Encoder& e) { e.mov_r_bi(false, R9, R10, R11, 0x100); }) == Bytes{0x47, 0x8b, 0x8c, 0x1a, 0x00, 0x01, 0, 0});
  CHECK(enc([](Encoder& e) { e.mov_bi_r(false, RDX, RSI, 0x200, RCX); }) == Bytes{0x89, 0x8c, 0x32, 0x00, 0x02, 0, 0});
  CHECK(enc([](Encoder& e) { e.mov_bi_r(true, R13, RAX, 0x300, R10); }) == Bytes{0x4d, 0x89, 0x94, 0x05, 0x00, 0x03, 0, 0});
  CHECK(enc([](Encoder& e) { e.cmp_r_bi(RDX, RBX, RCX, 0x400); }) == Bytes{0x48, 0x3b, 0x94, 0x0b, 0x00, 0x04, 0, 0});
  CHECK(enc([](Encoder& e) { e.shr_ri(RCX, 12); }) == Bytes{0x48, 0xc1, 0xe9, 0x0c});
  CHECK(enc([](Encoder& e) { e.shr_ri32(RCX, 7); }) == Bytes{0xc1, 0xe9, 0x07});
  CHECK(enc([](Encoder& e) { e.shr_ri32(R9, 7); }) == Bytes{0x41, 0xc1, 0xe9, 0x07});
  CHECK(enc([](Encoder& e) { e.alu_ri32(AND, RCX, 0xffe0); }) == Bytes{0x81, 0xe1, 0xe0, 0xff, 0x00, 0x00});
  CHECK(enc([](Encoder& e) { e.alu_ri32(AND, R10, 0x10); }) == Bytes{0x41, 0x83, 0xe2, 0x10});
  CHECK(enc([](Encoder& e) { e.alu_rm64(ADD, RAX, RBX, 0x180); }) == Bytes{0x48, 0x03, 0x83, 0x80, 0x01, 0, 0});
}

TEST_CASE("x86-64 encoder: sized forms of the inline translations", "[jit][encoder]") {
  CHECK(enc([](Encoder& e) { e.alu_rr_sz(CMP, 1, RSI, RCX); }) == Bytes{0x40, 0x38, 0xce});  // cmp sil,cl
  CHECK(enc([](Encoder& e) { e.alu_rr_sz(ADD, 2, RAX, RDX); }) == Bytes{0x66, 0x01, 0xd0});
  CHECK(enc([](Encoder& e) { e.test_rr_sz(1, RDI, RDI); }) == Bytes{0x40, 0x84, 0xff});
  CHECK(enc([](Encoder& e) { e.incdec_r_sz(true, 2, R9); }) == Bytes{0x66, 0x41, 0xff, 0xc9});
  CHECK(enc([](Encoder& e) { e.load_zx(1, RAX, RBX, 0x11); }) == Bytes{0x0f, 0xb6, 0x43, 0x11});
  CHECK(enc([](Encoder& e) { e.store_sz(1, RBX, 0x20, RSI); }) == Bytes{0x40, 0x88, 0x73, 0x20});
  CHECK(enc([](Encoder& e) { e.store_sz(2, RBX, 0x20, R8); }) == Bytes{0x66, 0x44, 0x89, 0x43, 0x20});
  CHECK(enc([](Encoder& e) { e.movsx_rr(1, RAX, RSI); }) == Bytes{0x48, 0x0f, 0xbe, 0xc6});
  CHECK(enc([](Encoder& e) { e.movsx_rr(4, R9, RAX); }) == Bytes{0x4c, 0x63, 0xc8});
  CHECK(enc([](Encoder& e) { e.movzx_rr(1, RCX, RDI); }) == Bytes{0x40, 0x0f, 0xb6, 0xcf});
  CHECK(enc([](Encoder& e) { e.setcc(L, RSI); }) == Bytes{0x40, 0x0f, 0x9c, 0xc6});
  CHECK(enc([](Encoder& e) { e.cmov_rr(NE, RAX, R10); }) == Bytes{0x49, 0x0f, 0x45, 0xc2});
  CHECK(enc([](Encoder& e) { e.bt_m32_i(RBX, 0x10, 16); }) == Bytes{0x0f, 0xba, 0x63, 0x10, 0x10});
  CHECK(enc([](Encoder& e) { e.imul_rr_sz(2, RCX, RDX); }) == Bytes{0x66, 0x0f, 0xaf, 0xca});
  CHECK(enc([](Encoder& e) { e.load_zx_bi(2, RAX, RCX, RDX, 0x100); }) == Bytes{0x0f, 0xb7, 0x84, 0x11, 0x00, 0x01, 0, 0});
  CHECK(enc([](Encoder& e) { e.store_bi_sz(1, RCX, RDX, 0x100, RSI); }) == Bytes{0x40, 0x88, 0xb4, 0x11, 0x00, 0x01, 0, 0});
  CHECK(enc([](Encoder& e) { e.sar_ri(RAX, 16); }) == Bytes{0x48, 0xc1, 0xf8, 0x10});
}

TEST_CASE("x86-64 encoder: shifts by imm/CL, multiply/divide, BT, BSWAP", "[jit][encoder]") {
  CHECK(enc([](Encoder& e) { e.shift_ri_sz(0, 4, RSI, 7); }) == Bytes{0xc1, 0xc6, 0x07});
  CHECK(enc([](Encoder& e) { e.shift_ri_sz(1, 1, RSI, 3); }) == Bytes{0x40, 0xc0, 0xce, 0x03});
  CHECK(enc([](Encoder& e) { e.shift_cl_sz(0, 2, R9); }) == Bytes{0x66, 0x41, 0xd3, 0xc1});
  CHECK(enc([](Encoder& e) { e.shift_cl_sz(7, 8, RAX); }) == Bytes{0x48, 0xd3, 0xf8});
  CHECK(enc([](Encoder& e) { e.shift_cl_sz(5, 1, R10); }) == Bytes{0x41, 0xd2, 0xea});
  CHECK(enc([](Encoder& e) { e.mov_m8_i(RBX, 0x23, 0x0c); }) == Bytes{0xc6, 0x43, 0x23, 0x0c});
  CHECK(enc([](Encoder& e) { e.alu_mr64(OR, RBX, 0x200, RCX); }) == Bytes{0x48, 0x09, 0x8b, 0x00, 0x02, 0, 0});
  CHECK(enc([](Encoder& e) { e.muldiv_m64(4, RSP, 0); }) == Bytes{0x48, 0xf7, 0x24, 0x24});
  CHECK(enc([](Encoder& e) { e.muldiv_m64(7, RSP, 0); }) == Bytes{0x48, 0xf7, 0x3c, 0x24});
  CHECK(enc([](Encoder& e) { e.cqo(); }) == Bytes{0x48, 0x99});
  CHECK(enc([](Encoder& e) { e.bswap(false, RAX); }) == Bytes{0x0f, 0xc8});
  CHECK(enc([](Encoder& e) { e.bswap(true, R10); }) == Bytes{0x49, 0x0f, 0xca});
  CHECK(enc([](Encoder& e) { e.bt_rr(RSI, RCX); }) == Bytes{0x48, 0x0f, 0xa3, 0xce});
  CHECK(enc([](Encoder& e) { e.bt_ri(R8, 63); }) == Bytes{0x49, 0x0f, 0xba, 0xe0, 0x3f});
}
