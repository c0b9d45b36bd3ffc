// Consistency checks on the opcode table: every one-byte and 0F opcode is either a
// prefix/escape or has a form; forms of one opcode agree on having a ModRM byte;
// no two forms can match the same encoding with the same specificity.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "cpu/isa/opcode_table.h"

using namespace emu::isa;

TEST_CASE("opcode table covers the one-byte map", "[opcode_table]") {
  const std::set<unsigned> prefixes = {0x0f, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3};
  for (unsigned op = 0; op < 256; ++op) {
    if (prefixes.count(op)) continue;
    INFO("opcode " << op);
    CHECK(kFormIndex.first[M1 * 256 + op] != FormIndex::kEnd);
  }
}

TEST_CASE("opcode table: forms of one opcode agree on ModRM", "[opcode_table]") {
  for (unsigned key = 0; key < kNumMaps * 256; ++key) {
    int has_modrm = -1;
    for (uint16_t s = kFormIndex.first[key]; s != FormIndex::kEnd; s = kFormIndex.next_slot[s]) {
      const Form& f = kForms[kFormIndex.slot_form[s]];
      int m = f.mod != NOM;
      INFO(f.mnemonic << " key " << key);
      if (has_modrm >= 0) CHECK(m == has_modrm);
      has_modrm = m;
    }
  }
}

TEST_CASE("opcode table: no duplicate encodings", "[opcode_table]") {
  std::set<std::string> seen;
  for (size_t i = 0; i < kNumForms; ++i) {
    const Form& f = kForms[i];
    std::string key = std::to_string(f.map) + ":" + std::to_string(f.opcode) + ":" + std::to_string(f.pfx) + ":" +
                      std::to_string(f.reg) + ":" + std::to_string(f.mod) + ":" + std::to_string(f.rm) + ":" +
                      std::to_string(f.attrs & (I64 | O64)) + ":" + std::to_string(f.span);
    INFO(f.mnemonic << " " << f.operand_text);
    CHECK(seen.insert(key).second);
  }
}

TEST_CASE("opcode table: undefined flags are a subset of written flags", "[opcode_table]") {
  for (size_t i = 0; i < kNumForms; ++i) {
    const Form& f = kForms[i];
    INFO(f.mnemonic << " " << f.operand_text);
    CHECK((f.flags_undefined & ~f.flags_written & FL_ARITH) == 0);
  }
}

TEST_CASE("opcode table: x87 forms have their own handlers and the SDM's memory forms", "[opcode_table][x87]") {
  std::set<std::string> handlers;
  unsigned mem_forms[8][8] = {};
  for (size_t i = 0; i < kNumForms; ++i) {
    const Form& f = kForms[i];
    if (f.map != M1 || f.opcode < 0xd8 || f.opcode > 0xdf) continue;
    const std::string mn = f.mnemonic, h = f.handler;
    INFO(mn << " " << f.operand_text);
    CHECK(f.mod != ANY);  // a line is either a memory or a register form
    CHECK(h.rfind("x87_", 0) == 0);
    CHECK(handlers.insert(h).second);
    if (f.mod == MEM) ++mem_forms[f.opcode - 0xd8][f.reg];
    if (mn.rfind("FCMOV", 0) == 0) CHECK(f.flags_read != 0);
    if (mn.rfind("FCOMI", 0) == 0 || mn.rfind("FUCOMI", 0) == 0)
      CHECK(f.flags_written == (FL_ZF | FL_PF | FL_CF | FL_OF | FL_SF | FL_AF));
    else
      CHECK(f.flags_written == 0);
  }
  // Every /digit of D8-DF has one memory form except D9 /1, DB /4, DB /6 and DD /5.
  for (unsigned op = 0; op < 8; ++op)
    for (unsigned reg = 0; reg < 8; ++reg) {
      const bool reserved = (op == 1 && reg == 1) || (op == 3 && (reg == 4 || reg == 6)) || (op == 5 && reg == 5);
      INFO("opcode " << (0xd8 + op) << " /" << reg);
      CHECK(mem_forms[op][reg] == (reserved ? 0u : 1u));
    }
}
