// Segment limit and type checks outside 64-bit mode (SDM Vol. 3 §5.3-5.5): data and
// stack limits (#GP(0) / #SS(0)), expand-down segments with B = 0 and 1, writes to
// read-only and code segments, reads of execute-only code, null selectors, the CS limit
// on instruction fetch and near/far branch targets, real mode's 64 KiB wrap and unreal
// mode's larger cached limit, compatibility mode (checked) and 64-bit mode (not).
#include <catch2/catch.hpp>

#include <vector>

#include "cpu/cpu.h"
#include "cpu/system/system_cpu.h"

using namespace emu;

namespace {

constexpr uint64_t kCode = 0x1000;
constexpr uint16_t kDataRW = 0x93, kDataRO = 0x91, kDataRWDown = 0x97, kCodeX = 0x99, kCodeXR = 0x9b;

struct Machine {
  PhysicalMemory mem;
  Cpu cpu{mem};
  CpuState& s = cpu.state();
  explicit Machine(int bits) {
    mem.add_ram(0, 0x400000);
    if (bits == 32) cpu.set_flat_protected_mode(0);
    else if (bits == 64) cpu.set_flat_long_mode(0);
    else cpu.set_real_mode();
    s.gpr[RSP] = 0x20000;
  }
  void seg(unsigned k, uint32_t limit, uint16_t attr) {
    s.seg[k].limit = limit;
    s.seg[k].attr = attr;
  }
  RunResult run(const std::vector<uint8_t>& code, uint64_t n = 100) {
    mem.load_bytes(kCode, code.data(), code.size());
    cpu.flush_code_cache();
    s.rip = kCode;
    return cpu.run(n);
  }
};

bool faulted(const RunResult& r, uint8_t vector) {
  return r.reason == RunResult::Reason::Exception && r.exception.vector == vector && r.exception.has_error_code &&
         r.exception.error_code == 0;
}
bool reached_int3(const RunResult& r) { return r.reason == RunResult::Reason::Exception && r.exception.vector == kBP; }

const std::vector<uint8_t> kLoad = {0x8b, 0x03, 0xcc};        // mov eax,[ebx]; int3
const std::vector<uint8_t> kStore = {0x89, 0x03, 0xcc};       // mov [ebx],eax; int3
const std::vector<uint8_t> kAddToMem = {0x01, 0x03, 0xcc};    // add [ebx],eax; int3

}  // namespace

TEST_CASE("segment limits: data segment limit raises #GP(0) at the instruction", "[seglimits]") {
  Machine m(32);
  m.seg(isa::SEG_DS, 0xfff, kDataRW | kSegAttrDB);
  m.s.gpr[RBX] = 0xffc;
  CHECK(reached_int3(m.run(kLoad)));
  m.s.gpr[RBX] = 0xffd;  // last byte at 0x1000
  CHECK(faulted(m.run(kLoad), kGP));
  CHECK(m.s.rip == kCode);
  SECTION("a 4 GiB segment still faults on an access crossing 4 GiB (as the host does)") {
    m.seg(isa::SEG_DS, 0xffffffffu, kDataRW | kSegAttrDB | kSegAttrG);
    m.s.gpr[RBX] = 0xfffffffeu;
    CHECK(faulted(m.run(kLoad), kGP));
    m.s.gpr[RBX] = 0xfffffffcu;
    CHECK(reached_int3(m.run(kLoad)));
  }
}

TEST_CASE("segment limits: SS-based accesses raise #SS(0)", "[seglimits]") {
  Machine m(32);
  m.seg(isa::SEG_SS, 0xfff, kDataRW | kSegAttrDB);
  SECTION("PUSH beyond the limit") {
    m.s.gpr[RSP] = 0x1002;
    CHECK(faulted(m.run({0x50, 0xcc}), kSS));
    CHECK(m.s.gpr[RSP] == 0x1002);
  }
  SECTION("POP beyond the limit") {
    m.s.gpr[RSP] = 0xffe;
    CHECK(faulted(m.run({0x58, 0xcc}), kSS));
  }
  SECTION("EBP-based operand") {
    m.s.gpr[RBP] = 0x2000;
    CHECK(faulted(m.run({0x8b, 0x45, 0x00, 0xcc}), kSS));
  }
  SECTION("SS: override") {
    m.s.gpr[RBX] = 0x2000;
    CHECK(faulted(m.run({0x36, 0x8b, 0x03, 0xcc}), kSS));
  }
  SECTION("CALL whose return address does not fit") {
    m.s.gpr[RSP] = 0x1001;
    CHECK(faulted(m.run({0xe8, 0x00, 0x00, 0x00, 0x00, 0xcc}), kSS));
    CHECK(m.s.rip == kCode);
  }
}

TEST_CASE("segment limits: expand-down data segments", "[seglimits]") {
  Machine m(32);
  SECTION("B = 1: valid offsets limit+1 .. 0xFFFFFFFF") {
    m.seg(isa::SEG_DS, 0x7fff, kDataRWDown | kSegAttrDB);
    m.s.gpr[RBX] = 0x8000;
    CHECK(reached_int3(m.run(kLoad)));
    m.s.gpr[RBX] = 0x7fff;
    CHECK(faulted(m.run(kLoad), kGP));
    m.s.gpr[RBX] = 0x7ffe;  // straddles the limit
    CHECK(faulted(m.run(kLoad), kGP));
    m.s.gpr[RBX] = 0xfffffffdu;  // beyond 4 GiB
    CHECK(faulted(m.run(kLoad), kGP));
  }
  SECTION("B = 0: valid offsets limit+1 .. 0xFFFF") {
    m.seg(isa::SEG_DS, 0x7fff, kDataRWDown);
    m.s.gpr[RBX] = 0xfffe;
    CHECK(reached_int3(m.run({0x66, 0x8b, 0x03, 0xcc})));  // mov ax,[ebx]
    CHECK(faulted(m.run(kLoad), kGP));                      // dword reaches 0x10001
    m.s.gpr[RBX] = 0x10000;
    CHECK(faulted(m.run({0x8a, 0x03, 0xcc}), kGP));  // mov al,[ebx]
  }
  SECTION("expand-down stack: PUSH into the valid range, then below it") {
    m.seg(isa::SEG_SS, 0xefff, kDataRWDown | kSegAttrDB);
    m.s.gpr[RSP] = 0xf004;
    CHECK(reached_int3(m.run({0x50, 0xcc})));
    CHECK(faulted(m.run({0x50, 0xcc}), kSS));
  }
}

TEST_CASE("segment limits: segment types", "[seglimits]") {
  Machine m(32);
  m.s.gpr[RBX] = 0x3000;
  m.s.gpr[RAX] = 0x11223344;
  SECTION("read-only data: reads pass, writes and read-modify-writes #GP(0)") {
    m.seg(isa::SEG_DS, 0xffffffffu, kDataRO | kSegAttrDB | kSegAttrG);
    CHECK(reached_int3(m.run(kLoad)));
    CHECK(faulted(m.run(kStore), kGP));
    CHECK(faulted(m.run(kAddToMem), kGP));
    CHECK(m.mem.read(0x3000, 4) == 0);
  }
  SECTION("execute-only code: reads #GP(0)") {
    m.seg(isa::SEG_DS, 0xffffffffu, kCodeX | kSegAttrDB | kSegAttrG);
    CHECK(faulted(m.run(kLoad), kGP));
  }
  SECTION("execute/read code: reads pass, writes #GP(0) (also through CS:)") {
    m.seg(isa::SEG_DS, 0xffffffffu, kCodeXR | kSegAttrDB | kSegAttrG);
    CHECK(reached_int3(m.run(kLoad)));
    CHECK(faulted(m.run(kStore), kGP));
    CHECK(faulted(m.run({0x2e, 0x89, 0x03, 0xcc}), kGP));
  }
  SECTION("null selector (unusable cache) in DS/FS: #GP(0)") {
    m.s.seg[isa::SEG_DS] = SegmentCache{0, 0, 0, 0};
    CHECK(faulted(m.run(kLoad), kGP));
    m.s.seg[isa::SEG_FS] = SegmentCache{0, 0, 0, 0};
    CHECK(faulted(m.run({0x64, 0x8b, 0x03, 0xcc}), kGP));
  }
}

TEST_CASE("segment limits: CS limit on instruction fetch and branch targets", "[seglimits]") {
  const std::vector<uint8_t> code = {0x90, 0x90, 0xb8, 0x01, 0x00, 0x00, 0x00, 0xcc};  // nop; nop; mov eax,1; int3
  SECTION("an instruction ending beyond the limit faults; the ones before retire") {
    Machine m(32);
    m.seg(isa::SEG_CS, kCode + 2, kCodeXR | kSegAttrDB);
    RunResult r = m.run(code);
    CHECK(faulted(r, kGP));
    CHECK(r.instructions == 2);
    CHECK(m.s.rip == kCode + 2);
    CHECK(m.s.gpr[RAX] == 0);
  }
  SECTION("a block decoded under a larger limit is checked again (interpreter and JIT)") {
    for (bool jit : {false, true}) {
      Machine m(32);
      if (jit && !m.cpu.use_jit(true, 1)) continue;
      for (int k = 0; k < 3; ++k) {
        m.s.rip = kCode;
        if (k == 0) CHECK(reached_int3(m.run(code)));
        else CHECK(reached_int3(m.cpu.run(100)));
      }
      m.seg(isa::SEG_CS, kCode + 2, kCodeXR | kSegAttrDB);
      m.s.rip = kCode;
      m.s.gpr[RAX] = 0;
      RunResult r = m.cpu.run(100);
      CHECK(faulted(r, kGP));
      CHECK(m.s.rip == kCode + 2);
      CHECK(m.s.gpr[RAX] == 0);
    }
  }
  SECTION("a near JMP or CALL to beyond the limit faults at the branch") {
    Machine m(32);
    m.seg(isa::SEG_CS, kCode + 0x10, kCodeXR | kSegAttrDB);
    CHECK(faulted(m.run({0xeb, 0x20}), kGP));
    CHECK(m.s.rip == kCode);
    const uint64_t sp = m.s.gpr[RSP];
    CHECK(faulted(m.run({0xe8, 0x20, 0x00, 0x00, 0x00}), kGP));
    CHECK(m.s.rip == kCode);
    CHECK(m.s.gpr[RSP] == sp);
  }
}

TEST_CASE("segment limits: real mode", "[seglimits]") {
  Machine m(16);
  SECTION("an access wrapping at 0xFFFF: #GP(0), #SS(0) for SS") {
    CHECK(reached_int3(m.run({0xa0, 0xff, 0xff, 0xcc})));      // mov al,[0xffff]
    CHECK(faulted(m.run({0xa1, 0xff, 0xff, 0xcc}), kGP));        // mov ax,[0xffff]
    CHECK(faulted(m.run({0x36, 0xa1, 0xff, 0xff, 0xcc}), kSS));  // mov ax,ss:[0xffff]
    m.s.gpr[RSP] = 1;
    CHECK(faulted(m.run({0x50, 0xcc}), kSS));  // push ax
  }
  SECTION("types and null selectors are not checked") {
    m.s.seg[isa::SEG_DS].attr = 0;
    CHECK(reached_int3(m.run({0xa1, 0x00, 0x30, 0xcc})));
    CHECK(reached_int3(m.run({0x2e, 0xa3, 0x00, 0x30, 0xcc})));  // mov cs:[0x3000],ax
  }
  SECTION("32-bit offsets beyond 64 KiB need unreal mode's cached limit") {
    m.s.gpr[RBX] = 0x200000;
    m.mem.write(0x200000, 4, 0xcafef00d);
    const std::vector<uint8_t> load32 = {0x67, 0x66, 0x8b, 0x03, 0xcc};  // mov eax,[ebx]
    CHECK(faulted(m.run(load32), kGP));
    m.s.seg[isa::SEG_DS].limit = 0xffffffffu;
    CHECK(reached_int3(m.run(load32)));
    CHECK((m.s.gpr[RAX] & 0xffffffffu) == 0xcafef00d);
    // A real-mode segment load keeps the cached limit (unreal mode survives MOV DS).
    CHECK(reached_int3(m.run({0x31, 0xc0, 0x8e, 0xd8, 0x67, 0x66, 0x8b, 0x03, 0xcc})));
    CHECK((m.s.gpr[RAX] & 0xffffffffu) == 0xcafef00d);
  }
  SECTION("a far JMP beyond CS's limit faults at the JMP") {
    SystemCpu sys{m.cpu};  // far transfers are system instructions; faults still end run()
    m.cpu.exception_hook = nullptr;
    CHECK(faulted(m.run({0x66, 0xea, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00}), kGP));  // jmp dword 0:0x10000
    CHECK(m.s.rip == kCode);
  }
}

TEST_CASE("segment limits: compatibility mode checks, 64-bit mode does not", "[seglimits]") {
  Machine m(64);
  m.seg(isa::SEG_DS, 0xff, kDataRW | kSegAttrDB);
  m.s.gpr[RBX] = 0x3000;
  CHECK(reached_int3(m.run(kLoad)));  // 64-bit: no limit
  m.s.seg[isa::SEG_CS].attr = kCodeXR | kSegAttrDB | kSegAttrG;  // compatibility mode
  CHECK(faulted(m.run(kLoad), kGP));
}

TEST_CASE("segment limits: a 16-bit PUSHA frame wraps at 64 KiB, slot by slot", "[seglimits]") {
  Machine m(16);
  m.s.seg[isa::SEG_SS].base = 0x30000;
  m.s.gpr[RSP] = 4;  // AX and CX below SP, the other six at the top of the segment
  m.s.gpr[RAX] = 0x1111;
  m.s.gpr[RDI] = 0x7777;
  CHECK(reached_int3(m.run({0x60, 0xcc})));
  CHECK((m.s.gpr[RSP] & 0xffff) == 0xfff4);
  CHECK(m.mem.read(0x30002, 2) == 0x1111);
  CHECK(m.mem.read(0x30000 + 0xfff4, 2) == 0x7777);
  m.s.gpr[RSP] = 3;  // a slot straddles 0xFFFF: #SS(0), nothing written
  m.mem.write(0x30001, 2, 0);
  CHECK(faulted(m.run({0x60, 0xcc}), kSS));
  CHECK(m.mem.read(0x30001, 2) == 0);
}
