// The initial stack of a Linux process: argc, argv, envp and the auxiliary vector where the
// psABI puts them, every pointer landing on its string, and bad inputs refused.

#include <lib/linux_stack.h>

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace {

constexpr uint64_t kTop = 0x7ffffff00000;
constexpr size_t kSize = 8192;

struct Built {
  std::vector<uint8_t> memory = std::vector<uint8_t>(kSize);
  uint64_t rsp = 0;
  uint64_t word(uint64_t at) const {
    uint64_t v;
    std::memcpy(&v, &memory[at - (kTop - kSize)], 8);
    return v;
  }
  const char* string(uint64_t at) const {
    return reinterpret_cast<const char*>(&memory[at - (kTop - kSize)]);
  }
};

const uint8_t kRandom[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

lib::Result<uint64_t> build(Built& b, const char* strings, size_t size, uint32_t argc,
                            uint32_t envc, const std::vector<lib::LinuxAux>& aux = {}) {
  const lib::LinuxStackInput in{strings,     size,    argc,       envc,
                                "/bin/prog", kRandom, aux.data(), aux.size()};
  auto r = lib::build_linux_stack(in, kTop, b.memory.data(), b.memory.size());
  if (r.ok()) b.rsp = r.value();
  return r;
}

TEST(LinuxStack, ArgumentsEnvironmentAndAuxv) {
  constexpr char kStrings[] = "prog\0-x\0HOME=/\0TERM=dumb";
  Built b;
  ASSERT_TRUE(build(b, kStrings, sizeof(kStrings), 2, 2, {{lib::kAtPagesz, 4096}}).ok());
  EXPECT_EQ(b.rsp % 16, 0u);
  EXPECT_EQ(b.word(b.rsp), 2u);
  EXPECT_STREQ(b.string(b.word(b.rsp + 8)), "prog");
  EXPECT_STREQ(b.string(b.word(b.rsp + 16)), "-x");
  EXPECT_EQ(b.word(b.rsp + 24), 0u);
  EXPECT_STREQ(b.string(b.word(b.rsp + 32)), "HOME=/");
  EXPECT_STREQ(b.string(b.word(b.rsp + 40)), "TERM=dumb");
  EXPECT_EQ(b.word(b.rsp + 48), 0u);
  uint64_t at = b.rsp + 56;
  EXPECT_EQ(b.word(at), lib::kAtPagesz);
  EXPECT_EQ(b.word(at + 8), 4096u);
  EXPECT_EQ(b.word(at + 16), lib::kAtRandom);
  EXPECT_EQ(std::memcmp(b.string(b.word(at + 24)), kRandom, 16), 0);
  EXPECT_EQ(b.word(at + 32), lib::kAtExecfn);
  EXPECT_STREQ(b.string(b.word(at + 40)), "/bin/prog");
  EXPECT_EQ(b.word(at + 48), lib::kAtNull);
  // Everything lies below top, the execfn last.
  EXPECT_EQ(b.word(at + 40) + sizeof("/bin/prog"), kTop);
}

TEST(LinuxStack, NoEnvironment) {
  constexpr char kStrings[] = "a";
  Built b;
  ASSERT_TRUE(build(b, kStrings, sizeof(kStrings), 1, 0).ok());
  EXPECT_EQ(b.word(b.rsp), 1u);
  EXPECT_STREQ(b.string(b.word(b.rsp + 8)), "a");
  EXPECT_EQ(b.word(b.rsp + 16), 0u);  // argv's end
  EXPECT_EQ(b.word(b.rsp + 24), 0u);  // envp's end
  EXPECT_EQ(b.word(b.rsp + 32), lib::kAtRandom);
}

TEST(LinuxStack, RefusesMalformedInput) {
  Built b;
  constexpr char kTwo[] = "a\0b";
  EXPECT_EQ(build(b, kTwo, sizeof(kTwo), 1, 0).error(), lib::Error::InvalidArgument);
  EXPECT_EQ(build(b, kTwo, sizeof(kTwo), 3, 0).error(), lib::Error::InvalidArgument);
  EXPECT_EQ(build(b, kTwo, sizeof(kTwo) - 1, 2, 0).error(), lib::Error::InvalidArgument);
  EXPECT_EQ(build(b, kTwo, sizeof(kTwo), 0, 2).error(), lib::Error::InvalidArgument);
  const std::vector<lib::LinuxAux> too_many(lib::kLinuxMaxAux + 1, {lib::kAtPagesz, 4096});
  EXPECT_EQ(build(b, kTwo, sizeof(kTwo), 2, 0, too_many).error(), lib::Error::InvalidArgument);
  const std::vector<lib::LinuxAux> at_limit(lib::kLinuxMaxAux, {lib::kAtPagesz, 4096});
  EXPECT_TRUE(build(b, kTwo, sizeof(kTwo), 2, 0, at_limit).ok());
}

TEST(LinuxStack, ArgumentCountAtAndBeyondTheLimit) {
  std::vector<char> strings;
  for (uint32_t i = 0; i <= lib::kLinuxMaxArgs; ++i) strings.insert(strings.end(), {'x', '\0'});
  std::vector<uint8_t> memory(size_t{64} * 1024);
  lib::LinuxStackInput in{strings.data(),
                          2 * size_t{lib::kLinuxMaxArgs},
                          lib::kLinuxMaxArgs,
                          0,
                          "x",
                          kRandom,
                          nullptr,
                          0};
  EXPECT_TRUE(lib::build_linux_stack(in, kTop, memory.data(), memory.size()).ok());
  in.strings_size += 2;
  in.argc += 1;
  EXPECT_EQ(lib::build_linux_stack(in, kTop, memory.data(), memory.size()).error(),
            lib::Error::InvalidArgument);
}

TEST(LinuxStack, TooLargeForTheBuffer) {
  // What fits exactly, then one byte more.
  Built b;
  std::vector<char> strings(8000, 'y');
  strings.back() = '\0';
  EXPECT_TRUE(build(b, strings.data(), strings.size(), 1, 0).ok());
  strings.assign(kSize, 'y');
  strings.back() = '\0';
  EXPECT_EQ(build(b, strings.data(), strings.size(), 1, 0).error(), lib::Error::TooLarge);
}

}  // namespace
