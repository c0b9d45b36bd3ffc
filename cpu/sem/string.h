// String instruction semantics: MOVS CMPS SCAS LODS STOS INS OUTS with REP/REPE/REPNE
// and every address size. A REP instruction runs in chunks: when a chunk ends before the
// count does, RIP stays at the instruction (registers reflect the finished iterations),
// so interrupts and the instruction budget are honoured at iteration boundaries.
// REP MOVS/STOS take a bulk path: as many elements as stay within the source's and the
// destination's page (and the address size, the segment limits, the count) are done at
// once through host pointers (memmove/fill, with element-by-element results for
// overlapping copies); anything else (MMIO, elements straddling a page or wrapping, the
// element that faults) goes through the per-element loop, so faults stay precise.
#pragma once
#include <algorithm>
#include <cstring>

#include "base/endian.h"
#include "cpu/sem/common.h"

namespace emu::sem {

enum class StrOp { Movs, Cmps, Scas, Lods, Stos, Ins, Outs };
inline constexpr unsigned kRepChunk = 4096;

// Elements of `sz` bytes from offset `off` on (linear address `lin`), going up or down,
// that neither wrap at the address size (mask `am`) nor leave lin's page.
inline uint64_t string_elements_in_page(uint64_t off, uint64_t lin, unsigned sz, bool down, uint64_t am) {
  if (am - off < sz - 1) return 0;  // the first element wraps
  const uint64_t in_page = lin & 0xfff;
  if (in_page + sz > 0x1000) return 0;  // the first element straddles two pages
  if (!down) return std::min((am - off - (sz - 1)) / sz + 1, (0x1000 - in_page) / sz);
  return std::min(off / sz + 1, in_page / sz + 1);
}

// n elements of sz bytes from src to dst (host pointers to the lowest element of each),
// with the result of copying element by element upwards (down = false) or downwards,
// each element read before it is written: memmove unless the destination overlaps the
// part of the source still to be read.
inline void copy_string_elements(uint8_t* dst, const uint8_t* src, size_t n, unsigned sz, bool down) {
  const size_t len = n * sz;
  const auto d = static_cast<intptr_t>(reinterpret_cast<uintptr_t>(dst) - reinterpret_cast<uintptr_t>(src));
  const auto ilen = static_cast<intptr_t>(len);
  const bool replicates = down ? (d < 0 && d > -ilen) : (d > 0 && d < ilen);
  if (!replicates) {
    std::memmove(dst, src, len);
    return;
  }
  const size_t gap = static_cast<size_t>(d < 0 ? -d : d);
  if (gap >= sz) {  // byte by byte in copy order, as blocks of `gap` bytes that do not overlap
    if (!down) {
      for (size_t at = 0; at < len; at += gap) std::memcpy(dst + at, src + at, std::min(gap, len - at));
    } else {
      for (size_t end = len; end > 0;) {
        const size_t k = std::min(gap, end);
        std::memcpy(dst + end - k, src + end - k, k);
        end -= k;
      }
    }
    return;
  }
  uint8_t element[8];  // the element overlaps its own destination: read it whole first
  for (size_t k = 0; k < n; ++k) {
    const size_t at = (down ? n - 1 - k : k) * sz;
    std::memcpy(element, src + at, sz);
    std::memcpy(dst + at, element, sz);
  }
}

// n elements of sz bytes holding the low sz bytes of v (little-endian) at dst.
inline void fill_string_elements(uint8_t* dst, size_t n, unsigned sz, uint64_t v) {
  uint8_t pattern[8];
  store_le64(pattern, v);
  if (sz == 1 || v == 0 || std::all_of(pattern + 1, pattern + sz, [&](uint8_t b) { return b == pattern[0]; })) {
    std::memset(dst, pattern[0], n * sz);
    return;
  }
  switch (sz) {
    case 2: for (size_t k = 0; k < n; ++k) std::memcpy(dst + 2 * k, pattern, 2); break;
    case 4: for (size_t k = 0; k < n; ++k) std::memcpy(dst + 4 * k, pattern, 4); break;
    default: for (size_t k = 0; k < n; ++k) std::memcpy(dst + 8 * k, pattern, 8); break;
  }
}

// The bulk path of REP MOVS/STOS: up to `max` elements from the current RSI/RDI within
// one page each, RSI/RDI advanced past them; returns how many (0: take the element path
// for the next one). `bulk_ok` is cleared when a page is not RAM (no retry this chunk).
template <StrOp Op, class E>
uint64_t string_bulk(E& e, const DecodedInsn& i, unsigned sz, uint64_t max, bool* bulk_ok) {
  CpuState& s = e.state();
  const unsigned asz = i.asz;
  const uint64_t am = size_mask(asz);
  const bool down = s.rflags & isa::FL_DF;
  const uint64_t di = s.gpr[RDI] & am;
  uint64_t n = std::min(max, string_elements_in_page(di, e.linear_nocheck(isa::SEG_ES, di), sz, down, am));
  uint64_t si = 0;
  if constexpr (Op == StrOp::Movs) {
    si = s.gpr[RSI] & am;
    n = std::min(n, string_elements_in_page(si, e.linear_nocheck(i.seg, si), sz, down, am));
  }
  if (n == 0) return 0;
  const uint64_t len = n * sz;
  const uint64_t span_back = down ? (n - 1) * sz : 0;  // from the first element to the lowest
  uint64_t dst_lin = 0, src_lin = 0;
  if (!e.linear_range(isa::SEG_ES, di - span_back, len, Access::Write, &dst_lin)) return 0;
  if constexpr (Op == StrOp::Movs) {
    if (!e.linear_range(i.seg, si - span_back, len, Access::Read, &src_lin)) return 0;
    // The first element reads before it writes: the source's fault comes first. (Host
    // pointers are taken at the first element, so a fault names its address.)
    const uint8_t* src = e.host_span(src_lin + span_back, Access::Read);
    uint8_t* dst = src ? e.host_span(dst_lin + span_back, Access::Write) : nullptr;
    if (!dst) {
      *bulk_ok = false;
      return 0;
    }
    copy_string_elements(dst - span_back, src - span_back, n, sz, down);
    e.set_reg(RSI, asz, down ? si - len : si + len);
  } else {
    uint8_t* dst = e.host_span(dst_lin + span_back, Access::Write);
    if (!dst) {
      *bulk_ok = false;
      return 0;
    }
    fill_string_elements(dst - span_back, n, sz, e.reg(RAX, sz));
  }
  e.set_reg(RDI, asz, down ? di - len : di + len);
  return n;
}

template <StrOp Op, class E>
void string_op(E& e, const DecodedInsn& i) {
  CpuState& s = e.state();
  const unsigned asz = i.asz;
  const uint64_t am = size_mask(asz);
  // Element size: the string operand's size.
  const unsigned sz = (Op == StrOp::Outs || Op == StrOp::Lods || Op == StrOp::Scas) ? i.op[1].size : i.op[0].size;
  if constexpr (Op == StrOp::Ins || Op == StrOp::Outs) {
    if (!io_allowed(e, static_cast<uint16_t>(s.gpr[RDX]), sz)) e.raise_gp0();
  }
  const bool rep = i.prefixes & (isa::PFX_REP | isa::PFX_REPNE);
  const bool repne = i.prefixes & isa::PFX_REPNE;
  const int64_t step = (s.rflags & isa::FL_DF) ? -static_cast<int64_t>(sz) : static_cast<int64_t>(sz);
  if (rep && e.reg(RCX, asz) == 0) {
    advance(e, i);
    return;
  }
  bool bulk_ok = rep && (Op == StrOp::Movs || Op == StrOp::Stos);
  for (unsigned n = 0;; ++n) {
    if (n == kRepChunk) {  // yield with RIP at the instruction
      e.end_block();
      return;
    }
    if (bulk_ok) {
      if (const uint64_t done = string_bulk<Op>(e, i, sz, std::min<uint64_t>(e.reg(RCX, asz), kRepChunk - n), &bulk_ok)) {
        const uint64_t c = (e.reg(RCX, asz) - done) & am;
        e.set_reg(RCX, asz, c);
        if (c == 0) break;
        n += static_cast<unsigned>(done) - 1;  // the loop counts one more
        continue;
      }
    }
    uint64_t si = s.gpr[RSI] & am, di = s.gpr[RDI] & am;
    bool advance_si = false, advance_di = false;
    switch (Op) {
      case StrOp::Movs: {
        uint64_t v = e.read_mem(i.seg, si, sz);
        e.write_mem(isa::SEG_ES, di, sz, v);
        advance_si = advance_di = true;
        break;
      }
      case StrOp::Cmps: {
        uint64_t a = e.read_mem(i.seg, si, sz), b = e.read_mem(isa::SEG_ES, di, sz);
        record_flags(s, FlagOp::Sub, sz, (a - b) & size_mask(sz), a, b);
        advance_si = advance_di = true;
        break;
      }
      case StrOp::Scas: {
        uint64_t a = e.reg(RAX, sz), b = e.read_mem(isa::SEG_ES, di, sz);
        record_flags(s, FlagOp::Sub, sz, (a - b) & size_mask(sz), a, b);
        advance_di = true;
        break;
      }
      case StrOp::Lods:
        e.set_reg(RAX, sz, e.read_mem(i.seg, si, sz));
        advance_si = true;
        break;
      case StrOp::Stos:
        e.write_mem(isa::SEG_ES, di, sz, e.reg(RAX, sz));
        advance_di = true;
        break;
      case StrOp::Ins: {
        e.probe_write(isa::SEG_ES, di, sz);
        uint64_t v = e.port_in(static_cast<uint16_t>(s.gpr[RDX]), sz);
        e.write_mem(isa::SEG_ES, di, sz, v);
        advance_di = true;
        break;
      }
      case StrOp::Outs:
        e.port_out(static_cast<uint16_t>(s.gpr[RDX]), sz, static_cast<uint32_t>(e.read_mem(i.seg, si, sz)));
        advance_si = true;
        break;
    }
    if (advance_si) e.set_reg(RSI, asz, si + static_cast<uint64_t>(step));
    if (advance_di) e.set_reg(RDI, asz, di + static_cast<uint64_t>(step));
    if (!rep) break;
    uint64_t c = (e.reg(RCX, asz) - 1) & am;
    e.set_reg(RCX, asz, c);
    if (c == 0) break;
    if constexpr (Op == StrOp::Cmps || Op == StrOp::Scas) {
      if (repne == flag_zf(s)) break;  // REPE stops on ZF=0, REPNE on ZF=1
    }
  }
  advance(e, i);
}

template <class E> void sem_movs(E& e, const DecodedInsn& i) { string_op<StrOp::Movs>(e, i); }
template <class E> void sem_cmps(E& e, const DecodedInsn& i) { string_op<StrOp::Cmps>(e, i); }
template <class E> void sem_scas(E& e, const DecodedInsn& i) { string_op<StrOp::Scas>(e, i); }
template <class E> void sem_lods(E& e, const DecodedInsn& i) { string_op<StrOp::Lods>(e, i); }
template <class E> void sem_stos(E& e, const DecodedInsn& i) { string_op<StrOp::Stos>(e, i); }
template <class E> void sem_ins(E& e, const DecodedInsn& i) { string_op<StrOp::Ins>(e, i); }
template <class E> void sem_outs(E& e, const DecodedInsn& i) { string_op<StrOp::Outs>(e, i); }

}  // namespace emu::sem
