// Small control ports: 0xCF9 reset control (through the PCI config window),
// isa-debug-exit and the 0xE9 debug console.
#include <catch2/catch.hpp>

#include <string>

#include "devices/debug_exit.h"
#include "devices/debugcon.h"
#include "devices/pci_bus.h"
#include "devices/reset_control.h"
#include "memory/io_space.h"

using namespace emu;

TEST_CASE("port 0xCF9 resets on RST_CPU, shares the PCI window", "[cf9]") {
  IoSpace io;
  PciBus bus(&io, nullptr);
  RecordingMachineControl mc;
  ResetControl rc(&mc);
  bus.set_reset_control_port(&rc);
  io.map(PciBus::kConfigPortBase, PciBus::kConfigPortCount, &bus, "pci-config");

  io.write(0xcf9, 1, 0x02);  // select hard reset, nothing happens yet
  CHECK(mc.requests.empty());
  CHECK(io.read(0xcf9, 1) == 0x02);
  io.write(0xcf9, 1, 0x06);  // the FADT reset value
  REQUIRE(mc.resets() == 1);
  CHECK(mc.shutdowns() == 0);
  io.write(0xcf9, 1, 0x04);  // soft reset also resets
  CHECK(mc.resets() == 2);
  // A dword write to 0xCF8 still sets CONFIG_ADDRESS, not the reset register.
  io.write(0xcf8, 4, 0x80000000u);
  CHECK(mc.resets() == 2);
  CHECK(io.read(0xcf8, 4) == 0x80000000u);
}

TEST_CASE("isa-debug-exit exits with (v << 1) | 1", "[debug-exit]") {
  IoSpace io;
  RecordingMachineControl mc;
  DebugExit de(&mc);
  io.map(0xf4, 4, &de, "isa-debug-exit");
  io.write(0xf4, 1, 0x10);
  REQUIRE(mc.shutdowns() == 1);
  CHECK(mc.requests[0].exit_status == 0x21);
  io.write(0xf4, 4, 0);
  CHECK(mc.requests[1].exit_status == 1);
  io.write(0xf5, 1, 0x1ff);  // only the access size's bits count
  CHECK(mc.requests[2].exit_status == 0x1ff);
}

TEST_CASE("debugcon passes bytes to its sink and reads back 0xE9", "[debugcon]") {
  IoSpace io;
  std::string out;
  Debugcon dc([&](uint8_t c) { out.push_back(static_cast<char>(c)); });
  io.map(Debugcon::kDefaultPort, 1, &dc, "debugcon");
  for (char c : std::string("hi\n")) io.write(0xe9, 1, static_cast<uint8_t>(c));
  CHECK(out == "hi\n");
  CHECK(io.read(0xe9, 1) == 0xe9);
}

TEST_CASE("debugcon writes to a character backend", "[debugcon]") {
  struct Buffer : CharBackend {
    std::string bytes;
    void write(const uint8_t* data, size_t len) override { bytes.append(reinterpret_cast<const char*>(data), len); }
  } backend;
  IoSpace io;
  Debugcon dc(&backend);
  io.map(Debugcon::kDefaultPort, 1, &dc, "debugcon");
  io.write(0xe9, 1, 'o');
  io.write(0xe9, 2, 0x4b6b);  // a wider write still sends its low byte only
  CHECK(backend.bytes == "ok");
}
