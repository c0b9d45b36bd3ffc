// AML encoder (see aml_builder.h). Opcodes and layouts follow the ACPI 6.x AML grammar
// (section 20.2) and resource data types (section 6.4).
#include "bios/aml_builder.h"

#include <stdexcept>
#include <string>

namespace emu::aml {

namespace {
constexpr uint8_t kZeroOp = 0x00, kOneOp = 0x01, kOnesOp = 0xff, kNameOp = 0x08;
constexpr uint8_t kBytePrefix = 0x0a, kWordPrefix = 0x0b, kDWordPrefix = 0x0c, kStringPrefix = 0x0d;
constexpr uint8_t kQWordPrefix = 0x0e, kScopeOp = 0x10, kBufferOp = 0x11, kPackageOp = 0x12;
constexpr uint8_t kMethodOp = 0x14, kReturnOp = 0xa4, kExtOpPrefix = 0x5b, kDeviceOp = 0x82;
constexpr uint8_t kDualNamePrefix = 0x2e, kMultiNamePrefix = 0x2f, kRootChar = '\\', kParentChar = '^';

void put_le(Bytes& out, uint64_t v, unsigned n) {
  for (unsigned i = 0; i < n; i++) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

Bytes name_seg(std::string_view seg) {
  if (seg.empty() || seg.size() > 4) throw std::invalid_argument("AML name segment: " + std::string(seg));
  Bytes out;
  for (char c : seg) {
    bool ok = (c >= 'A' && c <= 'Z') || c == '_' || (c >= '0' && c <= '9');
    if (!ok || (out.empty() && c >= '0' && c <= '9'))
      throw std::invalid_argument("AML name segment: " + std::string(seg));
    out.push_back(static_cast<uint8_t>(c));
  }
  while (out.size() < 4) out.push_back('_');
  return out;
}

// Opcode + PkgLength + body.
Bytes with_pkg(std::initializer_list<uint8_t> opcode, const Bytes& body) {
  Bytes out(opcode);
  append(out, pkg_length(body.size()));
  append(out, body);
  return out;
}

// Large resource item: tag, 16-bit length, body.
Bytes large_item(uint8_t tag, const Bytes& body) {
  Bytes out{tag};
  put_le(out, body.size(), 2);
  append(out, body);
  return out;
}

// Address space descriptor common part: resource type, general flags, type flags.
constexpr uint8_t kGeneralFlagsProducerFixed = 0x0c;  // MinFixed | MaxFixed, PosDecode, Producer
uint8_t memory_type_flags(bool cacheable, bool read_write) {
  return static_cast<uint8_t>((read_write ? 1 : 0) | (cacheable ? (1 << 1) : 0));
}
}  // namespace

void append(Bytes& out, const Bytes& more) {
  // Element-wise: gcc 12 reports a false -Warray-bounds for vector::insert here.
  out.reserve(out.size() + more.size());
  for (uint8_t b : more) out.push_back(b);
}

Bytes join(std::initializer_list<Bytes> terms) {
  Bytes out;
  for (auto& t : terms) append(out, t);
  return out;
}

Bytes pkg_length(size_t body_len) {
  // One byte holds up to 63 (6 bits); with n following bytes the length has 4 + 8n bits.
  if (body_len + 1 <= 0x3f) return {static_cast<uint8_t>(body_len + 1)};
  for (unsigned n = 1; n <= 3; n++) {
    size_t total = body_len + 1 + n;
    if (total < (size_t{1} << (4 + 8 * n))) {
      Bytes out{static_cast<uint8_t>((n << 6) | (total & 0x0f))};
      for (unsigned i = 0; i < n; i++) out.push_back(static_cast<uint8_t>(total >> (4 + 8 * i)));
      return out;
    }
  }
  throw std::length_error("AML package too large");
}

Bytes name_string(std::string_view path) {
  Bytes out;
  size_t i = 0;
  if (i < path.size() && path[i] == '\\') {
    out.push_back(kRootChar);
    i++;
  } else {
    while (i < path.size() && path[i] == '^') {
      out.push_back(kParentChar);
      i++;
    }
  }
  std::vector<std::string_view> segs;
  while (i < path.size()) {
    size_t dot = path.find('.', i);
    if (dot == std::string_view::npos) dot = path.size();
    segs.push_back(path.substr(i, dot - i));
    i = dot + 1;
  }
  if (segs.empty()) {
    out.push_back(0x00);  // NullName
  } else if (segs.size() == 1) {
    append(out, name_seg(segs[0]));
  } else if (segs.size() == 2) {
    out.push_back(kDualNamePrefix);
    append(out, name_seg(segs[0]));
    append(out, name_seg(segs[1]));
  } else {
    if (segs.size() > 255) throw std::invalid_argument("AML path too long");
    out.push_back(kMultiNamePrefix);
    out.push_back(static_cast<uint8_t>(segs.size()));
    for (auto s : segs) append(out, name_seg(s));
  }
  return out;
}

Bytes integer(uint64_t v) {
  if (v == 0) return {kZeroOp};
  if (v == 1) return {kOneOp};
  if (v == ~0ull) return {kOnesOp};
  Bytes out;
  if (v <= 0xff) out.push_back(kBytePrefix), put_le(out, v, 1);
  else if (v <= 0xffff) out.push_back(kWordPrefix), put_le(out, v, 2);
  else if (v <= 0xffffffffull) out.push_back(kDWordPrefix), put_le(out, v, 4);
  else out.push_back(kQWordPrefix), put_le(out, v, 8);
  return out;
}

Bytes string(std::string_view s) {
  Bytes out{kStringPrefix};
  for (char c : s) {
    if (c == 0 || static_cast<unsigned char>(c) > 0x7f) throw std::invalid_argument("AML strings are ASCII");
    out.push_back(static_cast<uint8_t>(c));
  }
  out.push_back(0);
  return out;
}

Bytes eisa_id(std::string_view id) {
  auto hex = [&](char c) -> uint32_t {
    if (c >= '0' && c <= '9') return static_cast<uint32_t>(c - '0');
    if (c >= 'A' && c <= 'F') return static_cast<uint32_t>(c - 'A' + 10);
    throw std::invalid_argument("EISA ID: " + std::string(id));
  };
  if (id.size() != 7) throw std::invalid_argument("EISA ID: " + std::string(id));
  for (int i = 0; i < 3; i++)
    if (id[i] < 'A' || id[i] > 'Z') throw std::invalid_argument("EISA ID: " + std::string(id));
  // Three 5-bit letters (A = 1) then four hex digits, stored big-endian.
  uint32_t v = (static_cast<uint32_t>(id[0] - 0x40) << 26) | (static_cast<uint32_t>(id[1] - 0x40) << 21) |
               (static_cast<uint32_t>(id[2] - 0x40) << 16) | (hex(id[3]) << 12) | (hex(id[4]) << 8) |
               (hex(id[5]) << 4) | hex(id[6]);
  uint32_t swapped = ((v >> 24) & 0xff) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
  Bytes out{kDWordPrefix};
  put_le(out, swapped, 4);
  return out;
}

Bytes package(const std::vector<Bytes>& elements) {
  if (elements.size() > 255) throw std::length_error("AML package: too many elements");
  Bytes body{static_cast<uint8_t>(elements.size())};
  for (auto& e : elements) append(body, e);
  return with_pkg({kPackageOp}, body);
}
Bytes package(std::initializer_list<Bytes> elements) { return package(std::vector<Bytes>(elements)); }

Bytes buffer(const Bytes& data) {
  Bytes body = integer(data.size());
  append(body, data);
  return with_pkg({kBufferOp}, body);
}

Bytes name(std::string_view n, const Bytes& value) {
  Bytes out{kNameOp};
  append(out, name_string(n));
  append(out, value);
  return out;
}

Bytes scope(std::string_view n, const Bytes& body) {
  Bytes b = name_string(n);
  append(b, body);
  return with_pkg({kScopeOp}, b);
}

Bytes device(std::string_view n, const Bytes& body) {
  Bytes b = name_string(n);
  append(b, body);
  return with_pkg({kExtOpPrefix, kDeviceOp}, b);
}

Bytes method(std::string_view n, unsigned arg_count, bool serialized, const Bytes& body) {
  if (arg_count > 7) throw std::invalid_argument("AML method: at most 7 arguments");
  Bytes b = name_string(n);
  b.push_back(static_cast<uint8_t>(arg_count | (serialized ? 0x08 : 0)));
  append(b, body);
  return with_pkg({kMethodOp}, b);
}

Bytes return_value(const Bytes& value) {
  Bytes out{kReturnOp};
  append(out, value);
  return out;
}

Bytes resource_template(std::initializer_list<Bytes> descriptors) {
  Bytes data;
  for (auto& d : descriptors) append(data, d);
  data.push_back(0x79);  // End Tag
  data.push_back(0x00);  // checksum 0: "treat as correct"
  return buffer(data);
}

Bytes io(uint16_t min, uint16_t max, uint8_t alignment, uint8_t length) {
  Bytes out{0x47, 0x01};  // small item 0x08, length 7; Decode16
  put_le(out, min, 2);
  put_le(out, max, 2);
  out.push_back(alignment);
  out.push_back(length);
  return out;
}

Bytes irq_no_flags(std::initializer_list<unsigned> irqs) {
  uint16_t mask = 0;
  for (unsigned irq : irqs) {
    if (irq > 15) throw std::invalid_argument("IRQ descriptor: IRQ above 15");
    mask = static_cast<uint16_t>(mask | (1u << irq));
  }
  Bytes out{0x22};  // small item 0x04, length 2
  put_le(out, mask, 2);
  return out;
}

Bytes extended_interrupt(bool level_triggered, bool active_high, bool shared, std::initializer_list<uint32_t> gsis) {
  if (gsis.size() == 0 || gsis.size() > 255) throw std::invalid_argument("interrupt descriptor: 1-255 interrupts");
  // Flags: bit 0 consumer, bit 1 edge (0 = level), bit 2 active-low, bit 3 shared.
  Bytes body{static_cast<uint8_t>(0x01 | (level_triggered ? 0 : 0x02) | (active_high ? 0 : 0x04) | (shared ? 0x08 : 0)),
             static_cast<uint8_t>(gsis.size())};
  for (uint32_t g : gsis) put_le(body, g, 4);
  return large_item(0x89, body);
}

Bytes memory32_fixed(uint32_t base, uint32_t length, bool read_write) {
  Bytes body{static_cast<uint8_t>(read_write ? 1 : 0)};
  put_le(body, base, 4);
  put_le(body, length, 4);
  return large_item(0x86, body);
}

namespace {
Bytes address_space(uint8_t tag, uint8_t resource_type, uint8_t type_flags, unsigned width, uint64_t min,
                    uint64_t max) {
  if (max < min) throw std::invalid_argument("address space descriptor: max < min");
  if (width < 8 && max - min + 1 >= (uint64_t{1} << (8 * width)))
    throw std::invalid_argument("address space descriptor: length does not fit");
  Bytes body{resource_type, kGeneralFlagsProducerFixed, type_flags};
  put_le(body, 0, width);                // granularity (address decode mask)
  put_le(body, min, width);
  put_le(body, max, width);
  put_le(body, 0, width);                // translation offset
  put_le(body, max - min + 1, width);    // length
  return large_item(tag, body);
}
}  // namespace

Bytes word_bus_number(uint16_t min, uint16_t max) { return address_space(0x88, 2, 0, 2, min, max); }
Bytes word_io(uint16_t min, uint16_t max) { return address_space(0x88, 1, 0x03, 2, min, max); }
Bytes dword_memory(uint32_t min, uint32_t max, bool cacheable, bool read_write) {
  return address_space(0x87, 0, memory_type_flags(cacheable, read_write), 4, min, max);
}
Bytes qword_memory(uint64_t min, uint64_t max, bool cacheable, bool read_write) {
  return address_space(0x8a, 0, memory_type_flags(cacheable, read_write), 8, min, max);
}

}  // namespace emu::aml
