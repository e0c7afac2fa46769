// lib::Manifest against the real spec compiler: speccc compiles the specs in tests/spec/good,
// and the freestanding reader must see exactly what they say. Then hostile manifests.
#include <lib/manifest.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace {

using lib::Error;
using lib::Manifest;

std::vector<uint8_t> compile_good_specs() {
  const std::string out = ::testing::TempDir() + "/manifest_test";
  const std::string good = std::string(STELLINA_SOURCE_DIR) + "/tests/spec/good/";
  std::string cmd = std::string(STELLINA_SPECCC) + " --out " + out;
  for (const char* f : {"alpha", "logger", "net-stack", "web", "zeta"})
    cmd += " " + good + f + ".toml";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream in(out + "/manifest.bin", std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
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
}

TEST(Manifest, RefusesTruncatedAndForeignData) {
  const std::vector<uint8_t> bytes = compile_good_specs();
  for (size_t n = 0; n < bytes.size(); ++n)
    EXPECT_FALSE(Manifest::open(bytes.data(), n).ok()) << "prefix of " << n << " bytes";
  std::vector<uint8_t> wrong = bytes;
  wrong[0] = 'X';
  EXPECT_EQ(Manifest::open(wrong.data(), wrong.size()).error(), Error::InvalidArgument);
  wrong = bytes;
  wrong[8] = 2;  // version
  EXPECT_EQ(Manifest::open(wrong.data(), wrong.size()).error(), Error::NotSupported);
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
      for (size_t i = 0; i < k.export_count; ++i) total += std::strlen(m.export_name(c, i));
      for (size_t i = 0; i < k.require_count; ++i) total += m.require(c, i).provider;
      for (size_t i = 0; i < k.device_count; ++i) total += std::strlen(m.device(c, i));
      for (size_t i = 0; i < k.config_count; ++i) {
        const Manifest::Config cfg = m.config(c, i);
        if (cfg.string) total += std::strlen(cfg.string);
      }
    }
    EXPECT_LT(total, 1u << 30);
  }
}

}  // namespace
