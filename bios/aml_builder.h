// A small encoder for ACPI Machine Language (ACPI 6.x, chapter 20 "AML"), enough to
// write a PC's DSDT: names, integers (shortest encoding), strings, packages, buffers,
// methods, scopes, devices, Return, EISA IDs, and resource templates (IO, IRQNoFlags,
// Memory32Fixed, DWordMemory, QWordMemory, WordBusNumber, WordIO). Every function
// returns the encoded bytes; terms compose by nesting and concatenation.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

namespace emu::aml {

using Bytes = std::vector<uint8_t>;

// Concatenates terms into one TermList.
Bytes join(std::initializer_list<Bytes> terms);
void append(Bytes& out, const Bytes& more);

// PkgLength prefix for a body of `body_len` bytes (the encoding counts itself).
Bytes pkg_length(size_t body_len);

// NameString: "\\" root prefix, "^" parent prefixes, segments separated by '.',
// each of up to 4 characters (padded with '_'). "" encodes NullName.
Bytes name_string(std::string_view path);

// Data objects.
Bytes integer(uint64_t value);  // Zero/One/Ones or the smallest of Byte/Word/DWord/QWord
Bytes string(std::string_view s);
Bytes eisa_id(std::string_view id);  // "PNP0A03" as a DWordConst (compressed EISA ID)
Bytes package(std::initializer_list<Bytes> elements);
Bytes package(const std::vector<Bytes>& elements);
Bytes buffer(const Bytes& data);

// Named objects and scopes.
Bytes name(std::string_view name, const Bytes& value);  // Name(NAME, value)
Bytes scope(std::string_view name, const Bytes& body);
Bytes device(std::string_view name, const Bytes& body);
Bytes method(std::string_view name, unsigned arg_count, bool serialized, const Bytes& body);
Bytes return_value(const Bytes& value);
// A reference to a named object as a package element (e.g. a _PRT link device).
inline Bytes name_ref(std::string_view path) { return name_string(path); }

// Resource descriptors (ACPI 6.x section 6.4) and the template that wraps them in a
// Buffer with an End Tag.
Bytes resource_template(std::initializer_list<Bytes> descriptors);
Bytes io(uint16_t min, uint16_t max, uint8_t alignment, uint8_t length);  // Decode16
Bytes irq_no_flags(std::initializer_list<unsigned> irqs);
// Extended Interrupt descriptor (ACPI "Interrupt(ResourceConsumer, ...)") for GSIs.
Bytes extended_interrupt(bool level_triggered, bool active_high, bool shared, std::initializer_list<uint32_t> gsis);
Bytes memory32_fixed(uint32_t base, uint32_t length, bool read_write);
// Address space descriptors as a PCI root bridge's _CRS producer windows:
// ResourceProducer, PosDecode, MinFixed, MaxFixed.
Bytes word_bus_number(uint16_t min, uint16_t max);
Bytes word_io(uint16_t min, uint16_t max);  // EntireRange
Bytes dword_memory(uint32_t min, uint32_t max, bool cacheable, bool read_write);
Bytes qword_memory(uint64_t min, uint64_t max, bool cacheable, bool read_write);

}  // namespace emu::aml
