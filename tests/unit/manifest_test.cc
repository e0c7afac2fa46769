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

// Every spec in tests/spec/good: with the file server, the system file's mount table, a silo
// with a table of its own (sandbox: zeta) and one with an empty table (sealed: alpha).
std::vector<uint8_t> compile_mount_specs() {
  return compile({"alpha", "bridge", "files", "logger", "net-stack", "nic-a", "nic-b", "web",
                  "zeta", "network.silo", "base.silo", "sandbox.silo", "sealed.silo", "system"});
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
constexpr size_t kHeaderSize = 40, kComponentSize = 44, kSiloSize = 32, kEntrySize = 16;
size_t component_at(size_t i) { return kHeaderSize + i * kComponentSize; }
size_t silo_at(const std::vector<uint8_t>& v, size_t i) {
  return kHeaderSize + get_u32(v, 12) * kComponentSize + i * kSiloSize;
}
size_t entry_at(const std::vector<uint8_t>& v, size_t i) {
  return silo_at(v, get_u32(v, 28)) + i * kEntrySize;
}
// The offset of s in the string table (it must be there).
uint32_t string_offset(const std::vector<uint8_t>& v, const char* s) {
  const size_t strings = v.size() - get_u32(v, 20);
  for (size_t at = strings; at < v.size();
       at += std::strlen(reinterpret_cast<const char*>(&v[at])) + 1) {
    if (!std::strcmp(reinterpret_cast<const char*>(&v[at]), s))
      return static_cast<uint32_t>(at - strings);
  }
  ADD_FAILURE() << "no string " << s;
  return 0;
}

// Adds s at the end of the string table (and to the sizes in the header): its offset.
uint32_t append(std::vector<uint8_t>& v, const std::string& s) {
  const uint32_t offset = get_u32(v, 20);
  v.insert(v.end(), s.c_str(), s.c_str() + s.size() + 1);
  put_u32(v, 20, offset + static_cast<uint32_t>(s.size() + 1));
  put_u32(v, 24, static_cast<uint32_t>(v.size()));
  return offset;
}

void expect_mount(const Manifest::Mount& m, const char* path, const char* service,
                  const char* subtree, bool read_only) {
  EXPECT_STREQ(m.path, path);
  EXPECT_STREQ(m.service, service) << path;
  EXPECT_STREQ(m.subtree, subtree) << path;
  EXPECT_EQ(m.read_only, read_only) << path;
}

// A spawn silo has both limits or none.
TEST(Manifest, RefusesHalfASpawnSilo) {
  std::vector<uint8_t> v = compile_good_specs();
  ASSERT_TRUE(Manifest::open(v.data(), v.size()).ok());
  put_u32(v, kHeaderSize + 36, 0);  // the first component's spawn threads, pages left at 0
  EXPECT_TRUE(Manifest::open(v.data(), v.size()).ok());
  put_u32(v, kHeaderSize + 32, 7);  // pages without threads
  EXPECT_EQ(Manifest::open(v.data(), v.size()).error(), lib::Error::InvalidArgument);
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
  EXPECT_EQ(c.spawn_memory_pages, 0u);  // no [spawn]
  EXPECT_EQ(c.spawn_threads, 0u);
  const Manifest::Component spawner = m.component(m.find("web").value());
  EXPECT_EQ(spawner.spawn_memory_pages, 64u);
  EXPECT_EQ(spawner.spawn_threads, 1u);
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

TEST(Manifest, ReadsTheMountTables) {
  const std::vector<uint8_t> bytes = compile_mount_specs();
  auto opened = Manifest::open(bytes.data(), bytes.size());
  ASSERT_TRUE(opened.ok());
  const Manifest& m = opened.value();

  // system.toml, by path whatever the order in the file.
  ASSERT_EQ(m.system_mount_count(), 5u);
  expect_mount(m.system_mount(0), "/", "rootfs", "", false);
  expect_mount(m.system_mount(1), "/boot", "bootfs", "", true);
  expect_mount(m.system_mount(2), "/srv", "rootfs", "/srv", false);
  expect_mount(m.system_mount(3), "/tmp", "tmpfs", "", false);
  expect_mount(m.system_mount(4), "/var/log", "tmpfs", "/log", false);

  // Silos by name: base, network, sandbox, sealed.
  ASSERT_EQ(m.silo_count(), 4u);
  EXPECT_FALSE(m.silo(0).own_mounts);
  EXPECT_FALSE(m.silo(1).own_mounts);
  const Manifest::Silo sandbox = m.silo(2);
  EXPECT_STREQ(sandbox.name, "sandbox");
  EXPECT_TRUE(sandbox.own_mounts);
  ASSERT_EQ(sandbox.mount_count, 3u);
  const Manifest::Silo sealed = m.silo(3);
  EXPECT_STREQ(sealed.name, "sealed");
  EXPECT_TRUE(sealed.own_mounts);
  EXPECT_EQ(sealed.mount_count, 0u);

  // Outside a silo, and in silos without a table (base: logger, network: web), the system's.
  for (const char* name : {"files", "bridge", "logger", "web", "net-stack"}) {
    const size_t c = m.find(name).value();
    ASSERT_EQ(m.mount_count_of(c), 5u) << name;
    for (size_t i = 0; i < 5; ++i) {
      EXPECT_STREQ(m.mount_of(c, i).path, m.system_mount(i).path) << name;
      EXPECT_STREQ(m.mount_of(c, i).subtree, m.system_mount(i).subtree) << name;
    }
  }
  // zeta (sandbox) sees another tree under "/" and "/tmp" than the others, and no "/boot".
  const size_t zeta = m.find("zeta").value();
  ASSERT_EQ(m.mount_count_of(zeta), 3u);
  expect_mount(m.mount_of(zeta, 0), "/", "tmpfs", "/sandbox", false);
  expect_mount(m.mount_of(zeta, 1), "/data", "rootfs", "/srv/data", true);
  expect_mount(m.mount_of(zeta, 2), "/tmp", "tmpfs", "", false);  // "tmpfs:/": the whole tree
  for (size_t i = 0; i < 3; ++i) {
    const Manifest::Mount own = m.silo_mount(2, i);
    EXPECT_STREQ(own.path, m.mount_of(zeta, i).path);
  }
  // alpha (sealed): an empty table of its own, so no files rather than the system's.
  EXPECT_EQ(m.mount_count_of(m.find("alpha").value()), 0u);
}

TEST(Manifest, WithoutMountTables) {
  const std::vector<uint8_t> bytes = compile_good_specs();
  auto opened = Manifest::open(bytes.data(), bytes.size());
  ASSERT_TRUE(opened.ok());
  const Manifest& m = opened.value();
  EXPECT_EQ(m.system_mount_count(), 0u);
  for (size_t s = 0; s < m.silo_count(); ++s) EXPECT_FALSE(m.silo(s).own_mounts) << s;
  for (size_t c = 0; c < m.count(); ++c) EXPECT_EQ(m.mount_count_of(c), 0u) << c;
}

TEST(Manifest, RefusesBadMounts) {
  const std::vector<uint8_t> bytes = compile_mount_specs();
  auto open = [](const std::vector<uint8_t>& v) { return Manifest::open(v.data(), v.size()); };
  ASSERT_TRUE(open(bytes).ok());
  const size_t system = get_u32(bytes, 36);  // the first system mount: "/"
  ASSERT_EQ(get_u32(bytes, 32), 5u);
  const size_t root = entry_at(bytes, system), boot = entry_at(bytes, system + 1);
  const size_t last = entry_at(bytes, system + 4);
  std::vector<uint8_t> v;

  // Paths: not absolute, not normalized, too long, out of order or twice. Written into the
  // last entry ("/var/log"), where paths under "/u" and "srv" are in order: only the check
  // meant can refuse them.
  const std::string name(255, 'n'), part(250, 'p');
  std::string longest = "/u";  // 2 + 4 * 251 + 18 = 1024 bytes
  for (int i = 0; i < 4; ++i) longest += "/" + part;
  longest += "/" + std::string(17, 'x');
  ASSERT_EQ(longest.size(), 1024u);
  std::string deepest = "/u/" + name;  // two components of 255 bytes
  deepest += "/" + name;
  for (const std::string& path :
       {std::string(""), std::string("srv"), std::string("/u/"), std::string("/u//b"),
        std::string("/u/./b"), std::string("/u/../b"), std::string("/u/.."), std::string("/tmp"),
        std::string("/srv"), "/u/" + name + "n", longest + "x"}) {
    v = bytes;
    put_u32(v, last, append(v, path));
    EXPECT_EQ(open(v).error(), Error::InvalidArgument) << path;
  }
  for (const std::string& path : {std::string("/u/data"), std::string("/u/.x"),
                                  std::string("/u/..."), "/u/" + name, deepest, longest}) {
    v = bytes;
    put_u32(v, last, append(v, path));
    ASSERT_TRUE(open(v).ok()) << path;
    EXPECT_EQ(open(v).value().system_mount(4).path, path);
  }
  v = bytes;
  put_u32(v, root, string_offset(v, "/boot"));  // "/boot" twice, and no "/"
  EXPECT_EQ(open(v).error(), Error::InvalidArgument);
  v = bytes;
  put_u32(v, 36, static_cast<uint32_t>(system + 1));  // the table would begin at "/boot"
  put_u32(v, 32, 4);
  EXPECT_EQ(open(v).error(), Error::InvalidArgument);
  // Flags: bit 0 only.
  v = bytes;
  put_u32(v, root + 4, 2);
  EXPECT_EQ(open(v).error(), Error::InvalidArgument);
  v = bytes;
  put_u32(v, root + 4, 1);
  ASSERT_TRUE(open(v).ok());
  EXPECT_TRUE(open(v).value().system_mount(0).read_only);
  // The service is a name; the subtree "" or a path, never "/" (the whole tree is "").
  for (const char* service : {"", "/tmp", "tmpfs:", "Rootfs", "9fs"}) {
    v = bytes;
    put_u32(v, boot + 8, append(v, service));
    EXPECT_EQ(open(v).error(), Error::InvalidArgument) << service;
  }
  for (const char* subtree : {"/", "rootfs", "/srv/", "/srv/data", ""}) {
    v = bytes;
    put_u32(v, boot + 12, append(v, subtree));  // "" anywhere in the table: the whole tree
    const bool fine = !std::strcmp(subtree, "/srv/data") || !*subtree;
    EXPECT_EQ(open(v).ok(), fine) << subtree;
  }
  v = bytes;
  put_u32(v, boot + 12, get_u32(v, 20));  // just past the string table
  EXPECT_EQ(open(v).error(), Error::InvalidArgument);

  // Ranges past the entries.
  const uint32_t entries = get_u32(bytes, 16);
  v = bytes;
  put_u32(v, 36, entries - 4);
  EXPECT_EQ(open(v).error(), Error::OutOfRange);
  put_u32(v, 36, 0xffffffff);
  EXPECT_EQ(open(v).error(), Error::OutOfRange);
  v = bytes;
  put_u32(v, silo_at(v, 2) + 16, 0xffffffff);  // sandbox's count
  EXPECT_EQ(open(v).error(), Error::OutOfRange);

  // A silo's flags: bit 0 only; without it, no table; the last word reserved.
  v = bytes;
  put_u32(v, silo_at(v, 2) + 24, 3);
  EXPECT_EQ(open(v).error(), Error::InvalidArgument);
  v = bytes;
  put_u32(v, silo_at(v, 2) + 24, 0);  // sandbox's 3 mounts, but no table of its own
  EXPECT_EQ(open(v).error(), Error::InvalidArgument);
  v = bytes;
  put_u32(v, silo_at(v, 0) + 28, 1);
  EXPECT_EQ(open(v).error(), Error::InvalidArgument);
  v = bytes;
  put_u32(v, silo_at(v, 0) + 16, 5);  // base borrows the system's entries as its table
  put_u32(v, silo_at(v, 0) + 20, static_cast<uint32_t>(system));
  put_u32(v, silo_at(v, 0) + 24, 1);
  ASSERT_TRUE(open(v).ok());
  EXPECT_EQ(open(v).value().mount_count_of(open(v).value().find("logger").value()), 5u);
}

TEST(Manifest, RefusesTruncatedAndForeignData) {
  const std::vector<uint8_t> bytes = compile_good_specs();
  for (size_t n = 0; n < bytes.size(); ++n)
    EXPECT_FALSE(Manifest::open(bytes.data(), n).ok()) << "prefix of " << n << " bytes";
  std::vector<uint8_t> wrong = bytes;
  wrong[0] = 'X';
  EXPECT_EQ(Manifest::open(wrong.data(), wrong.size()).error(), Error::InvalidArgument);
  // 1: before silos, 2: before mounts, 3: before [spawn]
  for (const uint8_t version : {0, 1, 2, 3, 4, 6}) {
    wrong = bytes;
    wrong[8] = version;
    EXPECT_EQ(Manifest::open(wrong.data(), wrong.size()).error(), Error::NotSupported);
  }
  EXPECT_FALSE(Manifest::open(nullptr, 100).ok());
}

TEST(Manifest, MutationsNeverCrash) {
  const std::vector<uint8_t> bytes = compile_mount_specs();
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
        EXPECT_TRUE(r.provider < c || r.provider == Manifest::kStartupServer ||
                    r.provider == Manifest::kAnyDriver);
      }
      for (size_t i = 0; i < k.device_count; ++i) total += std::strlen(m.device(c, i));
      for (size_t i = 0; i < m.mount_count_of(c); ++i) {
        const Manifest::Mount mount = m.mount_of(c, i);
        total += std::strlen(mount.path) + std::strlen(mount.service) + std::strlen(mount.subtree);
        EXPECT_EQ(mount.path[0], '/');
        EXPECT_EQ(mount.path[1] == 0, i == 0);  // "/" first, and once
      }
      for (size_t i = 0; i < k.config_count; ++i) {
        const Manifest::Config cfg = m.config(c, i);
        if (cfg.string) total += std::strlen(cfg.string);
      }
    }
    for (size_t s = 0; s < m.silo_count(); ++s) {
      const Manifest::Silo silo = m.silo(s);
      total += std::strlen(silo.name);
      for (size_t i = 0; i < silo.mount_count; ++i) total += std::strlen(m.silo_mount(s, i).path);
      EXPECT_GE(silo.cpu_percent, 1u);
      EXPECT_LE(silo.cpu_percent, 100u);
    }
    EXPECT_LT(total, 1u << 30);
  }
}

}  // namespace
