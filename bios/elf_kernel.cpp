// ELF vmlinux parsing (see elf_kernel.h). Header layouts from the System V ABI (ELF32
// and ELF64, little-endian); the PVH note is the one Linux emits in
// arch/x86/platform/pvh/head.S (name "Xen", type 18, a 4- or 8-byte physical address).
#include "bios/elf_kernel.h"

#include <cstring>

#include "base/endian.h"

namespace emu {
namespace {

constexpr uint32_t kPtLoad = 1;
constexpr uint32_t kPtNote = 4;
constexpr uint32_t kShtNote = 7;

// Is [off, off+len) inside a buffer of `size` bytes (overflow-safe)?
bool within(uint64_t off, uint64_t len, uint64_t size) { return off <= size && len <= size - off; }

// Scans one note area for the Xen PHYS32_ENTRY note.
std::optional<uint64_t> find_pvh_note(std::span<const uint8_t> notes) {
  uint64_t pos = 0;
  while (notes.size() - pos >= 12) {
    const uint64_t namesz = load_le32(&notes[pos]);
    const uint64_t descsz = load_le32(&notes[pos + 4]);
    const uint32_t type = load_le32(&notes[pos + 8]);
    pos += 12;
    const uint64_t name_pad = (namesz + 3) & ~uint64_t{3};
    const uint64_t desc_pad = (descsz + 3) & ~uint64_t{3};
    if (!within(pos, name_pad, notes.size()) || !within(pos + name_pad, descsz, notes.size())) return std::nullopt;
    const uint8_t* name = &notes[pos];
    const uint8_t* desc = &notes[pos + name_pad];
    if (type == kXenElfNotePhys32Entry && namesz == 4 && std::memcmp(name, "Xen", 4) == 0) {
      if (descsz == 4) return load_le32(desc);
      if (descsz == 8) return load_le64(desc);
    }
    if (!within(pos + name_pad, desc_pad, notes.size())) return std::nullopt;
    pos += name_pad + desc_pad;
  }
  return std::nullopt;
}

ElfKernel fail(const std::string& name, const std::string& why) {
  ElfKernel k;
  k.error = name + ": " + why;
  return k;
}

}  // namespace

bool is_elf(std::span<const uint8_t> data) { return data.size() >= 4 && std::memcmp(data.data(), "\x7f" "ELF", 4) == 0; }

ElfKernel parse_elf_kernel(std::span<const uint8_t> d, const std::string& name) {
  if (!is_elf(d)) return fail(name, "not an ELF file");
  if (d.size() < 52) return fail(name, "truncated ELF header");
  const uint8_t cls = d[4];
  if (cls != 1 && cls != 2) return fail(name, "unknown ELF class " + std::to_string(cls));
  if (d[5] != 1) return fail(name, "big-endian ELF is not an x86 kernel");
  const bool is64 = cls == 2;
  if (is64 && d.size() < 64) return fail(name, "truncated ELF header");

  ElfKernel k;
  k.is64 = is64;
  k.machine = load_le16(&d[18]);
  if (k.machine != 62 && k.machine != 3) return fail(name, "ELF machine " + std::to_string(k.machine) + " is not x86");
  uint64_t phoff, shoff;
  unsigned phentsize, phnum, shentsize, shnum;
  if (is64) {
    k.entry = load_le64(&d[24]);
    phoff = load_le64(&d[32]);
    shoff = load_le64(&d[40]);
    phentsize = load_le16(&d[54]);
    phnum = load_le16(&d[56]);
    shentsize = load_le16(&d[58]);
    shnum = load_le16(&d[60]);
  } else {
    k.entry = load_le32(&d[24]);
    phoff = load_le32(&d[28]);
    shoff = load_le32(&d[32]);
    phentsize = load_le16(&d[42]);
    phnum = load_le16(&d[44]);
    shentsize = load_le16(&d[46]);
    shnum = load_le16(&d[48]);
  }
  const unsigned ph_min = is64 ? 56 : 32;
  const unsigned sh_min = is64 ? 64 : 40;
  if (phnum == 0) return fail(name, "ELF file has no program headers");
  if (phentsize < ph_min || !within(phoff, uint64_t{phentsize} * phnum, d.size()))
    return fail(name, "ELF program headers lie outside the file");

  for (unsigned i = 0; i < phnum; i++) {
    const uint8_t* p = &d[phoff + uint64_t{phentsize} * i];
    const uint32_t type = load_le32(p);
    ElfSegment s;
    if (is64) {
      s.file_offset = load_le64(p + 8);
      s.vaddr = load_le64(p + 16);
      s.paddr = load_le64(p + 24);
      s.file_size = load_le64(p + 32);
      s.mem_size = load_le64(p + 40);
    } else {
      s.file_offset = load_le32(p + 4);
      s.vaddr = load_le32(p + 8);
      s.paddr = load_le32(p + 12);
      s.file_size = load_le32(p + 16);
      s.mem_size = load_le32(p + 20);
    }
    if (type != kPtLoad && type != kPtNote) continue;
    if (!within(s.file_offset, s.file_size, d.size()))
      return fail(name, "ELF segment " + std::to_string(i) + " lies outside the file (truncated vmlinux?)");
    if (type == kPtNote) {
      if (!k.pvh_entry) k.pvh_entry = find_pvh_note(d.subspan(s.file_offset, s.file_size));
      continue;
    }
    if (s.mem_size < s.file_size) return fail(name, "ELF segment " + std::to_string(i) + " has memsz smaller than filesz");
    if (s.paddr + s.mem_size < s.paddr) return fail(name, "ELF segment " + std::to_string(i) + " wraps around the address space");
    if (s.mem_size) k.segments.push_back(s);
  }
  if (k.segments.empty()) return fail(name, "ELF file has no loadable segments");

  // Notes may also be found through the section headers (SHT_NOTE) when no PT_NOTE has them.
  if (!k.pvh_entry && shnum && shentsize >= sh_min && within(shoff, uint64_t{shentsize} * shnum, d.size())) {
    for (unsigned i = 0; i < shnum && !k.pvh_entry; i++) {
      const uint8_t* s = &d[shoff + uint64_t{shentsize} * i];
      if (load_le32(s + 4) != kShtNote) continue;
      const uint64_t off = is64 ? load_le64(s + 24) : load_le32(s + 16);
      const uint64_t size = is64 ? load_le64(s + 32) : load_le32(s + 20);
      if (within(off, size, d.size())) k.pvh_entry = find_pvh_note(d.subspan(off, size));
    }
  }
  k.ok = true;
  return k;
}

}  // namespace emu
