#include <lib/pci.h>

#include <gtest/gtest.h>

#include "fake_pci.h"

#include <cstdint>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace {

using lib::pci::Address;
using lib::pci::Bar;
using lib::pci::Function;

using FakeConfig = unit::FakePciConfig;

TEST(Pci, ReadsAFunctionAndSizesItsBars) {
  FakeConfig config;
  auto& f = config.add({0, 3, 0}, 0x1af4, 0x1041, 0x02000001, 0);
  f.regs[0x2c / 4] = 0x11001af4;              // subsystem 1af4:1100
  f.regs[0x3c / 4] = 0x0000010b;              // pin A, line 11
  FakeConfig::bar(f, 0, 0x0000c041, 32);      // I/O at 0xc040, 32 ports
  FakeConfig::bar(f, 1, 0xfebd1000, 4096);    // 32-bit memory
  FakeConfig::bar(f, 4, 0x0000000c, 0x4000);  // 64-bit prefetchable...
  f.regs[4 + 5] = 0x00000080;                 // ...at 0x80_00000000
  auto read = lib::pci::read_function(config, {0, 3, 0});
  ASSERT_TRUE(read.ok());
  Function fn = read.value();
  EXPECT_EQ(fn.vendor, 0x1af4);
  EXPECT_EQ(fn.device, 0x1041);
  EXPECT_EQ(fn.class_code, 0x02);
  EXPECT_EQ(fn.revision, 0x01);
  EXPECT_EQ(fn.subsystem, 0x1100);
  EXPECT_EQ(fn.interrupt_pin, 1);
  EXPECT_EQ(fn.interrupt_line, 11);

  lib::pci::size_bars(config, fn);
  EXPECT_EQ(fn.bars[0].kind, Bar::Kind::Io);
  EXPECT_EQ(fn.bars[0].base, 0xc040u);
  EXPECT_EQ(fn.bars[0].size, 32u);
  EXPECT_EQ(fn.bars[1].kind, Bar::Kind::Memory32);
  EXPECT_EQ(fn.bars[1].base, 0xfebd1000u);
  EXPECT_EQ(fn.bars[1].size, 4096u);
  EXPECT_EQ(fn.bars[2].kind, Bar::Kind::None);
  EXPECT_EQ(fn.bars[4].kind, Bar::Kind::Memory64);
  EXPECT_TRUE(fn.bars[4].prefetchable);
  EXPECT_EQ(fn.bars[4].base, 0x8000000000u);
  EXPECT_EQ(fn.bars[4].size, 16u * 1024);
  EXPECT_EQ(fn.bars[5].kind, Bar::Kind::None);  // the upper half of BAR 4

  // Sizing left the device as it was: BARs restored, decoding switched off meanwhile.
  EXPECT_EQ(config.at({0, 3, 0}).regs[4 + 1], 0xfebd1000u);
  EXPECT_EQ(config.at({0, 3, 0}).regs[4 + 5], 0x80u);
  EXPECT_EQ(config.at({0, 3, 0}).regs[1] & 0xffff, 0x0007u);
  EXPECT_EQ(config.at({0, 3, 0}).writes_while_decoding, 0u);
}

TEST(Pci, AssignsUnassignedMemoryBarsAlignedAndPageApart) {
  FakeConfig config;
  auto& f = config.add({0, 4, 0}, 0x8086, 0x100e, 0x02000000, 0);
  FakeConfig::bar(f, 0, 0x00000000, 0x20000);  // 32-bit memory, 128 KiB, unassigned
  FakeConfig::bar(f, 1, 0x00000001, 64);       // I/O: left alone
  FakeConfig::bar(f, 2, 0x00000000, 256);      // 32-bit memory smaller than a page
  FakeConfig::bar(f, 3, 0xfebf0000, 4096);     // already placed by firmware: kept
  FakeConfig::bar(f, 4, 0x0000000c, 0x4000);   // 64-bit, unassigned
  Function fn = lib::pci::read_function(config, {0, 4, 0}).value();
  lib::pci::size_bars(config, fn);
  lib::pci::AddressWindow window(0xc0001000, 0xc0100000);
  ASSERT_TRUE(lib::pci::assign_memory_bars(config, fn, window).ok());
  EXPECT_EQ(fn.bars[0].base, 0xc0020000u);  // naturally aligned
  EXPECT_EQ(fn.bars[1].base, 0u);
  EXPECT_EQ(fn.bars[2].base, 0xc0040000u);  // a page of its own
  EXPECT_EQ(fn.bars[3].base, 0xfebf0000u);
  EXPECT_EQ(fn.bars[4].base, 0xc0044000u);
  const auto& regs = config.at({0, 4, 0}).regs;
  EXPECT_EQ(regs[4 + 0], 0xc0020000u);
  EXPECT_EQ(regs[4 + 2], 0xc0040000u);
  EXPECT_EQ(regs[4 + 4], 0xc004400cu);  // the type bits stay
  EXPECT_EQ(regs[4 + 5], 0u);
  EXPECT_EQ(config.at({0, 4, 0}).writes_while_decoding, 0u);
  EXPECT_EQ(regs[1] & 0xffff, 0x0007u);  // the command register as it was

  // Sized again, the device reads back where it was placed.
  lib::pci::size_bars(config, fn);
  EXPECT_EQ(fn.bars[0].base, 0xc0020000u);
  EXPECT_EQ(fn.bars[4].base, 0xc0044000u);

  lib::pci::update_command(config, {0, 4, 0}, lib::pci::kCommandMemory,
                           lib::pci::kCommandIo | lib::pci::kCommandIntxDisable);
  EXPECT_EQ(regs[1] & 0xffff, 0x0006u);
}

TEST(Pci, AssignmentStopsWhenTheWindowIsFull) {
  FakeConfig config;
  auto& f = config.add({0, 5, 0}, 0x1af4, 0x1041, 0x02000000, 0);
  FakeConfig::bar(f, 0, 0, 0x10000);
  FakeConfig::bar(f, 1, 0, 0x10000);
  Function fn = lib::pci::read_function(config, {0, 5, 0}).value();
  lib::pci::size_bars(config, fn);
  lib::pci::AddressWindow window(0xc0000000, 0xc0018000);
  auto r = lib::pci::assign_memory_bars(config, fn, window);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), lib::Error::NoMemory);
  EXPECT_EQ(fn.bars[0].base, 0xc0000000u);
  EXPECT_EQ(fn.bars[1].base, 0u);
  // Alignment that would wrap around the address space is refused, not wrapped.
  lib::pci::AddressWindow top(0xffffffffffff0000, 0xffffffffffffffff);
  EXPECT_EQ(top.take(0x20000).error(), lib::Error::NoMemory);
  EXPECT_EQ(top.take(0x8000).value(), 0xffffffffffff0000u);  // end is exclusive
  EXPECT_EQ(lib::pci::AddressWindow(0, 1 << 20).take(3000).error(), lib::Error::InvalidArgument);
}

TEST(Pci, NoFunctionIsNotFound) {
  FakeConfig config;
  EXPECT_EQ(lib::pci::read_function(config, {0, 1, 0}).error(), lib::Error::NotFound);
}

TEST(Pci, EnumeratesBehindBridgesAndMultifunctionDevices) {
  FakeConfig config;
  config.add({0, 0, 0}, 0x8086, 0x29c0, 0x06000000, 0);
  config.add({0, 2, 0}, 0x8086, 0x2918, 0x06010002, 0, true);  // multi-function
  config.add({0, 2, 3}, 0x8086, 0x2930, 0x0c050002, 0);
  config.add({0, 5, 1}, 0x1234, 0x0001, 0x01000000, 0);  // function 1 without function 0: absent
  auto& bridge = config.add({0, 4, 0}, 0x1b36, 0x000c, 0x06040000, 1);
  bridge.regs[6] = 0x00020200;  // primary 0, secondary 2, subordinate 2
  config.add({2, 0, 0}, 0x1af4, 0x1042, 0x01000001, 0);

  std::vector<std::tuple<int, int, int>> seen;
  const size_t n = lib::pci::enumerate(config, 0, 256, [&](const Function& f) {
    seen.emplace_back(f.address.bus, f.address.device, f.address.function);
    return true;
  });
  EXPECT_EQ(n, 5u);
  const std::vector<std::tuple<int, int, int>> want = {
      {0, 0, 0}, {0, 2, 0}, {0, 2, 3}, {0, 4, 0}, {2, 0, 0}};
  EXPECT_EQ(seen, want);
}

TEST(Pci, EnumerationStopsWhenAskedAndSurvivesBridgeLoops) {
  FakeConfig config;
  auto& b1 = config.add({0, 1, 0}, 0x1b36, 0x000c, 0x06040000, 1);
  b1.regs[6] = 0x00010100;
  auto& b2 = config.add({1, 0, 0}, 0x1b36, 0x000c, 0x06040000, 1);
  b2.regs[6] = 0x00000001;  // points back at bus 0: ignored (not a higher bus)
  config.add({1, 1, 0}, 0x1af4, 0x1041, 0x02000000, 0);
  size_t calls = 0;
  EXPECT_EQ(lib::pci::enumerate(config, 0, 256, [&](const Function&) { return ++calls < 2; }), 2u);
  EXPECT_EQ(lib::pci::enumerate(config, 0, 256, [](const Function&) { return true; }), 3u);
  EXPECT_EQ(lib::pci::enumerate(config, 0, 1, [](const Function&) { return true; }), 1u);
}

TEST(Pci, FindsCapabilitiesAndEndsMalformedLists) {
  FakeConfig config;
  auto& f = config.add({0, 3, 0}, 0x1af4, 0x1041, 0x02000000, 0);
  f.regs[0x34 / 4] = 0x40;
  FakeConfig::capability(f, 0x40, lib::pci::kCapabilityVendor, 0x50);
  FakeConfig::capability(f, 0x50, lib::pci::kCapabilityMsiX, 0x60);
  FakeConfig::capability(f, 0x60, lib::pci::kCapabilityVendor, 0x00);
  const Address a{0, 3, 0};
  EXPECT_EQ(lib::pci::find_capability(config, a, lib::pci::kCapabilityMsiX), 0x50);
  EXPECT_EQ(lib::pci::find_capability(config, a, lib::pci::kCapabilityVendor), 0x40);
  EXPECT_EQ(lib::pci::find_capability(config, a, lib::pci::kCapabilityVendor, 0x40), 0x60);
  EXPECT_EQ(lib::pci::find_capability(config, a, lib::pci::kCapabilityVendor, 0x60), 0);
  EXPECT_EQ(lib::pci::find_capability(config, a, lib::pci::kCapabilityMsi), 0);

  FakeConfig::capability(f, 0x60, lib::pci::kCapabilityVendor, 0x40);  // a loop
  const size_t before = config.reads;
  EXPECT_EQ(lib::pci::find_capability(config, a, lib::pci::kCapabilityMsi), 0);
  EXPECT_LE(config.reads - before, 60u);
  f.regs[0x34 / 4] = 0x10;  // inside the header: no list
  EXPECT_EQ(lib::pci::find_capability(config, a, lib::pci::kCapabilityVendor), 0);
}

TEST(Pci, RandomConfigSpaceNeverMisbehaves) {
  // Garbage in every register: enumeration ends, sizing stays within the six BARs.
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    FakeConfig config;
    for (int d = 0; d < 8; ++d) {
      auto& f = config.add({0, static_cast<uint8_t>(d), 0}, static_cast<uint16_t>(rng()), 1, rng(),
                           static_cast<uint8_t>(rng() % 3), rng() % 2);
      for (size_t r = 4; r < 64; ++r) f.regs[r] = rng();
      f.regs[0] = (f.regs[0] & 0xffff0000) | 0x1234;
    }
    lib::pci::enumerate(config, 0, 16, [&](const Function& found) {
      Function fn = found;
      lib::pci::size_bars(config, fn);
      for (const Bar& b : fn.bars) EXPECT_TRUE(b.kind == Bar::Kind::None || b.size != 0);
      lib::pci::find_capability(config, fn.address, lib::pci::kCapabilityMsiX);
      return true;
    });
  }
}

TEST(Pci, NamesClasses) {
  EXPECT_STREQ(lib::pci::class_name(0x06, 0x00), "host bridge");
  EXPECT_STREQ(lib::pci::class_name(0x02, 0x00), "Ethernet controller");
  EXPECT_STREQ(lib::pci::class_name(0x01, 0x06), "SATA controller");
  EXPECT_STREQ(lib::pci::class_name(0x42, 0x00), "device");
}

}  // namespace
