// ATAPI CD-ROM on the secondary channel, driven as Linux's libata/sr does: signature
// after reset, IDENTIFY DEVICE abort / IDENTIFY PACKET DEVICE, the PACKET protocol
// (interrupt reason, byte-count limit, one DRQ block per interrupt), INQUIRY, READ
// CAPACITY, READ(10)/(12) by PIO and DMA from an ISO-like image, READ TOC, sense data.
#include <catch2/catch.hpp>

#include <cstring>

#include "devices/ide/atapi_cdrom.h"
#include "ide_rig.h"

using namespace emu;
using namespace emu::test;

namespace {
constexpr uint32_t kBlocks = 64;
constexpr uint16_t kCmd = 0x170, kCtl = 0x376, kBm2 = IdeRig::kBmBase + 8;

struct CdRig : IdeRig {
  TempFile file{"cd.iso"};
  std::vector<uint8_t> iso;
  CdRig() {
    iso = pattern_image(kBlocks * 2048);
    std::memcpy(&iso[16 * 2048], "\x01" "CD001\x01", 7);  // primary volume descriptor
    file.write(iso);
    ide.attach(1, 0, std::make_unique<AtapiCdrom>(RawImage::open(file.path, true)));
  }
  uint8_t status() { return inb(kCmd + 7); }
  // Issues PACKET with a byte-count limit and sends the 12-byte command packet.
  void packet(std::vector<uint8_t> cdb, uint16_t limit = 0xFFFE, bool dma = false) {
    cdb.resize(12, 0);
    outb(kCmd + 6, 0xA0);
    outb(kCmd + 1, dma ? 1 : 0);
    outb(kCmd + 4, static_cast<uint8_t>(limit));
    outb(kCmd + 5, static_cast<uint8_t>(limit >> 8));
    outb(kCmd + 7, 0xA0);
    REQUIRE((inb(kCtl) & ata::kStatusDrq) != 0);
    REQUIRE(inb(kCmd + 2) == 0x01);  // interrupt reason: command packet (CoD)
    for (unsigned i = 0; i < 12; i += 2) outw(kCmd, static_cast<uint16_t>(cdb[i] | cdb[i + 1] << 8));
  }
  // Collects the data phase (PIO): one DRQ block per interrupt until the status phase.
  std::vector<uint8_t> data_in(std::vector<size_t>* chunks = nullptr) {
    std::vector<uint8_t> out;
    for (int guard = 0; guard < 10000; guard++) {
      uint8_t st = status();
      uint8_t reason = inb(kCmd + 2);
      if (!(st & ata::kStatusDrq)) {
        REQUIRE(reason == 0x03);  // status phase: I/O + CoD
        return out;
      }
      REQUIRE(reason == 0x02);  // data to host
      size_t n = inb(kCmd + 4) | size_t(inb(kCmd + 5)) << 8;
      if (chunks) chunks->push_back(n);
      auto d = read_data(kCmd, n);
      d.resize(n);
      out.insert(out.end(), d.begin(), d.end());
    }
    FAIL("data phase did not end");
    return out;
  }
  std::vector<uint8_t> request_sense() {
    packet({0x03, 0, 0, 0, 18});
    auto s = data_in();
    REQUIRE((status() & ata::kStatusErr) == 0);
    return s;
  }
};
uint32_t be32(const uint8_t* p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]; }
}  // namespace

TEST_CASE("ATAPI: packet signature, IDENTIFY abort, IDENTIFY PACKET DEVICE", "[ide][atapi]") {
  CdRig r;
  r.outb(kCtl, 0x06);
  r.outb(kCtl, 0x02);
  REQUIRE(r.inb(kCmd + 1) == 0x01);
  REQUIRE(r.inb(kCmd + 2) == 1);
  REQUIRE(r.inb(kCmd + 3) == 1);
  REQUIRE(r.inb(kCmd + 4) == 0x14);
  REQUIRE(r.inb(kCmd + 5) == 0xEB);
  r.outb(kCtl, 0x00);
  r.outb(kCmd + 7, 0xEC);
  REQUIRE(r.sink.rises[15] == 1);
  REQUIRE((r.status() & ata::kStatusErr) != 0);
  REQUIRE(r.inb(kCmd + 1) == ata::kErrorAbrt);
  REQUIRE(r.inb(kCmd + 4) == 0x14);
  REQUIRE(r.inb(kCmd + 5) == 0xEB);
  r.outb(kCmd + 7, 0xA1);
  REQUIRE((r.status() & ata::kStatusDrq) != 0);
  auto id = r.read_data(kCmd, 512);
  uint16_t w0 = static_cast<uint16_t>(id[0] | id[1] << 8);
  REQUIRE((w0 >> 14) == 2);          // ATAPI device
  REQUIRE(((w0 >> 8) & 0x1F) == 5);  // CD-ROM
  REQUIRE((w0 & 3) == 0);            // 12-byte packets
  REQUIRE((id[2 * 49 + 1] & 0x02) != 0);  // LBA supported (word 49 bit 9)
}

TEST_CASE("ATAPI: INQUIRY, TEST UNIT READY, READ CAPACITY", "[ide][atapi]") {
  CdRig r;
  r.packet({0x00});
  REQUIRE(r.data_in().empty());
  REQUIRE(r.status() == (ata::kStatusDrdy | ata::kStatusDsc));

  r.packet({0x12, 0, 0, 0, 36});
  auto inq = r.data_in();
  REQUIRE(inq.size() == 36);
  REQUIRE((inq[0] & 0x1F) == 0x05);  // CD/DVD
  REQUIRE((inq[1] & 0x80) != 0);     // removable
  REQUIRE(std::string(inq.begin() + 8, inq.begin() + 11) == "EMU");
  r.packet({0x12, 0, 0, 0, 5});  // allocation length truncates
  REQUIRE(r.data_in().size() == 5);

  r.packet({0x25});
  auto cap = r.data_in();
  REQUIRE(cap.size() == 8);
  REQUIRE(be32(&cap[0]) == kBlocks - 1);
  REQUIRE(be32(&cap[4]) == 2048);
}

TEST_CASE("ATAPI: READ(10) by PIO in byte-count-limited DRQ blocks", "[ide][atapi]") {
  CdRig r;
  int rises = r.sink.rises[15];
  r.packet({0x28, 0, 0, 0, 0, 16, 0, 0, 3}, 4096);  // LBA 16, 3 blocks, 4 KiB per DRQ
  std::vector<size_t> chunks;
  auto d = r.data_in(&chunks);
  REQUIRE(chunks == std::vector<size_t>{4096, 2048});
  REQUIRE(r.sink.rises[15] - rises == 3);  // two data blocks and the status phase
  REQUIRE(d.size() == 3 * 2048);
  REQUIRE(std::memcmp(d.data(), &r.iso[16 * 2048], d.size()) == 0);
  REQUIRE(std::string(d.begin() + 1, d.begin() + 6) == "CD001");
  // READ(12) of the last block.
  r.packet({0xA8, 0, 0, 0, 0, kBlocks - 1, 0, 0, 0, 1});
  d = r.data_in();
  REQUIRE(d.size() == 2048);
  REQUIRE(std::memcmp(d.data(), &r.iso[(kBlocks - 1) * 2048], 2048) == 0);
  // Past the end: ILLEGAL REQUEST, LBA OUT OF RANGE.
  r.packet({0x28, 0, 0, 0, 0, kBlocks - 1, 0, 0, 2});
  REQUIRE((r.status() & ata::kStatusErr) != 0);
  REQUIRE((r.inb(kCmd + 1) >> 4) == 5);
  auto s = r.request_sense();
  REQUIRE(s[2] == 5);
  REQUIRE(s[12] == 0x21);
}

TEST_CASE("ATAPI: READ(10) by bus-master DMA", "[ide][atapi][dma]") {
  CdRig r;
  r.prd(0x9000, 0, 0x60000, 2048, false);
  r.prd(0x9000, 1, 0x70000, 2048, true);
  r.io.write(kBm2 + 4, 4, 0x9000);
  r.outb(kBm2, PiixIde::kBmCmdToMemory);
  r.packet({0x28, 0, 0, 0, 0, 20, 0, 0, 2}, 0xFFFE, true);
  r.outb(kBm2, PiixIde::kBmCmdToMemory | PiixIde::kBmCmdStart);
  REQUIRE((r.inb(kBm2 + 2) & (PiixIde::kBmStInterrupt | PiixIde::kBmStError)) == PiixIde::kBmStInterrupt);
  REQUIRE(r.status() == (ata::kStatusDrdy | ata::kStatusDsc));
  REQUIRE(r.inb(kCmd + 2) == 0x03);
  REQUIRE(std::memcmp(&r.ram[0x60000], &r.iso[20 * 2048], 2048) == 0);
  REQUIRE(std::memcmp(&r.ram[0x70000], &r.iso[21 * 2048], 2048) == 0);
}

TEST_CASE("ATAPI: unsupported commands and writes report sense data", "[ide][atapi]") {
  CdRig r;
  r.packet({0xFF});
  REQUIRE((r.status() & ata::kStatusErr) != 0);
  REQUIRE((r.inb(kCmd + 1) >> 4) == 5);  // sense key in the error register
  REQUIRE(r.inb(kCmd + 2) == 0x03);
  auto s = r.request_sense();
  REQUIRE(s.size() == 18);
  REQUIRE(s[0] == 0x70);
  REQUIRE(s[2] == 5);     // ILLEGAL REQUEST
  REQUIRE(s[12] == 0x20);  // INVALID COMMAND OPERATION CODE
  s = r.request_sense();  // reported once
  REQUIRE(s[2] == 0);
  r.packet({0x2A, 0, 0, 0, 0, 1, 0, 0, 1});  // WRITE(10)
  REQUIRE((r.status() & ata::kStatusErr) != 0);
  s = r.request_sense();
  REQUIRE(s[2] == 7);     // DATA PROTECT
  REQUIRE(s[12] == 0x27);  // WRITE PROTECTED
}

TEST_CASE("ATAPI: READ TOC formats 0 and 1, LBA and MSF", "[ide][atapi]") {
  CdRig r;
  r.packet({0x43, 0, 0, 0, 0, 0, 0, 0, 100});
  auto t = r.data_in();
  REQUIRE(t.size() == 20);
  REQUIRE((t[0] << 8 | t[1]) == 18);
  REQUIRE(t[2] == 1);
  REQUIRE(t[3] == 1);
  REQUIRE(t[4 + 2] == 1);                // track 1
  REQUIRE((t[4 + 1] & 0x0F) == 0x04);    // data track
  REQUIRE(be32(&t[8]) == 0);
  REQUIRE(t[12 + 2] == 0xAA);            // lead-out
  REQUIRE(be32(&t[16]) == kBlocks);
  r.packet({0x43, 0x02, 0, 0, 0, 0, 0, 0, 100});  // MSF
  t = r.data_in();
  // Lead-out at LBA 64 = 64 + 150 frames = 00:02:64.
  REQUIRE(t[17] == 0);
  REQUIRE(t[18] == 2);
  REQUIRE(t[19] == 64);
  r.packet({0x43, 0, 1, 0, 0, 0, 0, 0, 100});  // session info
  t = r.data_in();
  REQUIRE(t.size() == 12);
  REQUIRE(t[2] == 1);
  REQUIRE(t[6] == 1);
  REQUIRE(be32(&t[8]) == 0);
}

TEST_CASE("ATAPI: MODE SENSE, GET CONFIGURATION, GET EVENT STATUS, START STOP, PREVENT", "[ide][atapi]") {
  CdRig r;
  r.packet({0x5A, 0, 0x2A, 0, 0, 0, 0, 0, 64});
  auto m = r.data_in();
  REQUIRE(m.size() >= 8 + 20);
  REQUIRE((m[0] << 8 | m[1]) == static_cast<int>(m.size()) - 2);
  REQUIRE((m[8] & 0x3F) == 0x2A);
  r.packet({0x5A, 0, 0x33, 0, 0, 0, 0, 0, 64});  // no such page
  REQUIRE((r.status() & ata::kStatusErr) != 0);
  REQUIRE(r.request_sense()[12] == 0x24);

  r.packet({0x46, 0, 0, 0, 0, 0, 0, 0, 64});
  auto c = r.data_in();
  REQUIRE((c[6] << 8 | c[7]) == 0x0008);  // a small image is a CD-ROM
  REQUIRE(be32(&c[0]) == c.size() - 4);

  r.packet({0x4A, 1, 0, 0, 0x10, 0, 0, 0, 8});
  auto e = r.data_in();
  REQUIRE(e.size() == 8);
  REQUIRE((e[2] & 7) == 4);   // media class
  REQUIRE((e[5] & 2) != 0);   // media present

  r.packet({0x1E, 0, 0, 0, 1});
  REQUIRE(r.data_in().empty());
  r.packet({0x1B, 0, 0, 0, 1});
  REQUIRE(r.data_in().empty());
  REQUIRE((r.status() & ata::kStatusErr) == 0);
}
