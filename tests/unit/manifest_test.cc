// lib::Manifest against the real spec compiler: speccc compiles the specs in tests/spec/good,
// and the freestanding reader must see exactly what they say. Then hostile manifests.
#include <lib/manifest.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

using lib::Error;
using lib::Manifest;

// The manifest speccc makes of these files in tests/spec/good (names without ".toml").
std::vector<uint8_t> compile(std::initializer_list<const char*> files) {
  // CTest runs each test in its own process, several at once: one directory per process.
  const std::string out = ::testing::TempDir() + "/manifest_test." + std::to_string(getpid());
  const std::string good = std::string(STELLINA_SOURCE_DIR) + "/tests/spec/good/";
  std::string cmd = std::string(STELLINA_SPECCC) + " --out " + out;
  for (const char* f : files) cmd += " " + good + f + ".toml";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream in(out + "/manifest.bin", std::ios::binary);
  std::vector<uint8_t> bytes(std::istreambuf_iterator<char>(in), {});
  std::filesystem::remove_all(out);
  return bytes;
}

std::vector<uint8_t> compile_good_specs() {
  return compile({"alpha", "logger", "net-stack", "web", "zeta", "network.silo", "base.silo"});
}

uint32_t get_u32(const std::vector<uint8_t>& v, size_t at) {
  return v[at] | uint32_t{v[at + 1]} << 8 | uint32_t{v[at + 2]} << 16 | uint32_t{v[at + 3]} << 24;
}
void put_u32(std::vector<uint8_t>& v, size_t at, uint32_t value) {
  for (size_t i = 0; i < 4; ++i) v[at + i] = static_cast<uint8_t>(value >> (8 * i));
}
void put_u16(std::vector<uint8_t>& v, size_t at, uint16_t value) {
  v[at] = static_cast<uint8_t>(value);
  v[at + 1] = static_cast<uint8_t>(value >> 8);
}

// Where the parts of a manifest start (see tools/speccc/README.md).
constexpr size_t kHeaderSize = 32, kRecordSize = 32;
size_t component_at(size_t i) { return kHeaderSize + i * kRecordSize; }
size_t silo_at(const std::vector<uint8_t>& v, size_t i) {
  return kHeaderSize + get_u32(v, 12) * kRecordSize + i * kRecordSize;
}

TEST(Manifest, ReadsWhatTheSpecsSay) {
  const std::vector<uint8_t> bytes = compile_good_specs();
  auto opened = Manifest::open(bytes.data(), bytes.size());
  ASSERT_TRUE(opened.ok());
  const Manifest& m = opened.value();
  ASSERT_EQ(m.count(), 5u);
  // Start order: providers first, ties by name.
  const char* order[] = {"logger", "net-stack", "web", "alpha", "zeta"};
  for (size_t i = 0; i < 5; ++i) EXPECT_STREQ(m.component(i).name, order[i]);

  const size_t net = m.find("net-stack").value();
  const Manifest::Component c = m.component(net);
  EXPECT_EQ(c.isolation, Manifest::Isolation::User);
  EXPECT_EQ(c.restart, Manifest::Restart::Always);
  EXPECT_EQ(c.memory_pages, 1024u);
  EXPECT_EQ(c.threads, 4u);
  EXPECT_EQ(c.backoff_ms, 250u);
  ASSERT_EQ(c.export_count, 3);
  EXPECT_STREQ(m.export_name(net, 1), "tcp:");
  ASSERT_EQ(c.device_count, 2);
  EXPECT_STREQ(m.device(net, 0), "virtio-net");
  ASSERT_EQ(c.require_count, 1);
  const Manifest::Require r = m.require(net, 0);
  EXPECT_STREQ(r.field, "log");
  EXPECT_STREQ(r.service, "logger");
  EXPECT_STREQ(m.component(r.provider).name, "logger");

  const size_t logger = m.find("logger").value();
  bool saw_floor = false, saw_verbose = false, saw_prefix = false;
  for (size_t i = 0; i < m.component(logger).config_count; ++i) {
    const Manifest::Config cfg = m.config(logger, i);
    if (!std::strcmp(cfg.field, "floor")) {
      saw_floor = cfg.type == Manifest::ConfigType::Integer && cfg.integer == INT64_MIN;
    } else if (!std::strcmp(cfg.field, "verbose")) {
      saw_verbose = cfg.type == Manifest::ConfigType::Boolean && cfg.integer == 1;
    } else if (!std::strcmp(cfg.field, "prefix")) {
      saw_prefix = cfg.type == Manifest::ConfigType::String && cfg.string[0] == '[';
    }
  }
  EXPECT_TRUE(saw_floor && saw_verbose && saw_prefix);
  EXPECT_EQ(m.find("nobody").error(), Error::NotFound);

  // web requires the startup server's own control service: no component provides it.
  const size_t web = m.find("web").value();
  bool saw_control = false;
  for (size_t i = 0; i < m.component(web).require_count; ++i) {
    const Manifest::Require w = m.require(web, i);
    if (!std::strcmp(w.service, "control"))
      saw_control = w.provider == Manifest::kStartupServer && !std::strcmp(w.field, "ctl");
  }
  EXPECT_TRUE(saw_control);
}

TEST(Manifest, ReadsTheSilos) {
  const std::vector<uint8_t> bytes = compile_good_specs();
  auto opened = Manifest::open(bytes.data(), bytes.size());
  ASSERT_TRUE(opened.ok());
  const Manifest& m = opened.value();
  // By name, though network.silo.toml came first on the command line.
  ASSERT_EQ(m.silo_count(), 2u);
  const Manifest::Silo base = m.silo(0);
  EXPECT_STREQ(base.name, "base");
  EXPECT_EQ(base.memory_pages, 256u);
  EXPECT_EQ(base.threads, 1u);
  EXPECT_EQ(base.cpu_percent, 100u);  // not given: no cap
  const Manifest::Silo network = m.silo(1);
  EXPECT_STREQ(network.name, "network");
  EXPECT_EQ(network.memory_pages, 2048u);
  EXPECT_EQ(network.threads, 8u);
  EXPECT_EQ(network.cpu_percent, 40u);

  EXPECT_EQ(m.component(m.find("logger").value()).silo, 0);
  EXPECT_EQ(m.component(m.find("net-stack").value()).silo, 1);
  EXPECT_EQ(m.component(m.find("web").value()).silo, 1);
  EXPECT_EQ(m.component(m.find("alpha").value()).silo, -1);
  EXPECT_EQ(m.component(m.find("zeta").value()).silo, -1);
}

TEST(Manifest, WithoutSilos) {
  const std::vector<uint8_t> bytes = compile({"alpha", "logger", "net-stack", "web", "zeta"});
  auto opened = Manifest::open(bytes.data(), bytes.size());
  ASSERT_TRUE(opened.ok());
  const Manifest& m = opened.value();
  EXPECT_EQ(m.silo_count(), 0u);
  ASSERT_EQ(m.count(), 5u);
  for (size_t c = 0; c < m.count(); ++c) EXPECT_EQ(m.component(c).silo, -1) << c;
}

TEST(Manifest, RefusesBadSilos) {
  const std::vector<uint8_t> bytes = compile_good_specs();
  auto open = [](const std::vector<uint8_t>& v) { return Manifest::open(v.data(), v.size()); };
  ASSERT_TRUE(open(bytes).ok());
  const uint32_t silos = get_u32(bytes, 28);
  ASSERT_EQ(silos, 2u);

  std::vector<uint8_t> v = bytes;
  put_u16(v, component_at(0) + 6, static_cast<uint16_t>(silos));  // the last silo: fine
  ASSERT_TRUE(open(v).ok());
  EXPECT_EQ(open(v).value().component(0).silo, 1);
  put_u16(v, component_at(0) + 6, static_cast<uint16_t>(silos + 1));  // one past the last
  EXPECT_EQ(open(v).error(), Error::InvalidArgument);
  put_u16(v, component_at(0) + 6, 0xffff);
  EXPECT_EQ(open(v).error(), Error::InvalidArgument);

  for (const uint32_t cpu : {0u, 101u, 0xffffffffu}) {
    v = bytes;
    put_u32(v, silo_at(v, 1) + 12, cpu);
    EXPECT_EQ(open(v).error(), Error::InvalidArgument) << "cpu_percent " << cpu;
  }
  for (const uint32_t cpu : {1u, 100u}) {
    v = bytes;
    put_u32(v, silo_at(v, 1) + 12, cpu);
    ASSERT_TRUE(open(v).ok()) << "cpu_percent " << cpu;
    EXPECT_EQ(open(v).value().silo(1).cpu_percent, cpu);
  }

  v = bytes;
  put_u32(v, silo_at(v, 0), get_u32(v, 20));  // name: just past the string table
  EXPECT_EQ(open(v).error(), Error::InvalidArgument);

  v = bytes;
  put_u32(v, 28, silos + 1);  // a silo more than the sizes hold
  EXPECT_EQ(open(v).error(), Error::OutOfRange);
  put_u32(v, 28, 0xffffffff);
  EXPECT_EQ(open(v).error(), Error::OutOfRange);
}

TEST(Manifest, RefusesTruncatedAndForeignData) {
  const std::vector<uint8_t> bytes = compile_good_specs();
  for (size_t n = 0; n < bytes.size(); ++n)
    EXPECT_FALSE(Manifest::open(bytes.data(), n).ok()) << "prefix of " << n << " bytes";
  std::vector<uint8_t> wrong = bytes;
  wrong[0] = 'X';
  EXPECT_EQ(Manifest::open(wrong.data(), wrong.size()).error(), Error::InvalidArgument);
  for (const uint8_t version : {0, 1, 3}) {  // 1: before silos
    wrong = bytes;
    wrong[8] = version;
    EXPECT_EQ(Manifest::open(wrong.data(), wrong.size()).error(), Error::NotSupported);
  }
  EXPECT_FALSE(Manifest::open(nullptr, 100).ok());
}

TEST(Manifest, MutationsNeverCrash) {
  const std::vector<uint8_t> bytes = compile_good_specs();
  std::mt19937 rng(7);
  for (int round = 0; round < 20000; ++round) {
    std::vector<uint8_t> v = bytes;
    for (int k = 0, flips = 1 + static_cast<int>(rng() % 4); k < flips; ++k)
      v[rng() % v.size()] = static_cast<uint8_t>(rng());
    auto opened = Manifest::open(v.data(), v.size());
    if (!opened.ok()) continue;
    // Whatever is accepted must be safe to walk completely (ASan would catch a bad read).
    const Manifest& m = opened.value();
    size_t total = 0;
    for (size_t c = 0; c < m.count(); ++c) {
      const Manifest::Component k = m.component(c);
      total += std::strlen(k.name);
      EXPECT_LT(k.silo, static_cast<int64_t>(m.silo_count()));
      if (k.silo >= 0) total += std::strlen(m.silo(static_cast<size_t>(k.silo)).name);
      for (size_t i = 0; i < k.export_count; ++i) total += std::strlen(m.export_name(c, i));
      for (size_t i = 0; i < k.require_count; ++i) {
        const Manifest::Require r = m.require(c, i);
        total += std::strlen(r.field) + std::strlen(r.service);
        EXPECT_TRUE(r.provider < c || r.provider == Manifest::kStartupServer);
      }
      for (size_t i = 0; i < k.device_count; ++i) total += std::strlen(m.device(c, i));
      for (size_t i = 0; i < k.config_count; ++i) {
        const Manifest::Config cfg = m.config(c, i);
        if (cfg.string) total += std::strlen(cfg.string);
      }
    }
    for (size_t s = 0; s < m.silo_count(); ++s) {
      const Manifest::Silo silo = m.silo(s);
      total += std::strlen(silo.name);
      EXPECT_GE(silo.cpu_percent, 1u);
      EXPECT_LE(silo.cpu_percent, 100u);
    }
    EXPECT_LT(total, 1u << 30);
  }
}

}  // namespace
