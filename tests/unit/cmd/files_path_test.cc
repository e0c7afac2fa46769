#include "programs/lib/files_path.h"

#include <gtest/gtest.h>

#include <string>

namespace {

std::string str(lib::StringView v) { return std::string(v.data(), v.size()); }

TEST(FilesPath, PushAndTruncate) {
  cmd::PathBuf p;
  ASSERT_TRUE(p.assign("dir"));
  ASSERT_TRUE(p.push("a"));
  EXPECT_EQ(str(p.view()), "dir/a");
  const size_t keep = p.size();
  ASSERT_TRUE(p.push("b"));
  EXPECT_EQ(str(p.view()), "dir/a/b");
  p.truncate(keep);
  EXPECT_EQ(str(p.view()), "dir/a");
  ASSERT_TRUE(p.assign("/"));
  ASSERT_TRUE(p.push("etc"));
  EXPECT_EQ(str(p.view()), "/etc");
  ASSERT_TRUE(p.assign("d/"));
  ASSERT_TRUE(p.push("x"));
  EXPECT_EQ(str(p.view()), "d/x");
  ASSERT_TRUE(p.assign(""));
  ASSERT_TRUE(p.push("x"));
  EXPECT_EQ(str(p.view()), "x");
}

TEST(FilesPath, RefusesPastTheLimit) {
  static char big[cmd::kPathMax + 2];
  for (char& c : big) c = 'a';
  cmd::PathBuf p;
  EXPECT_TRUE(p.assign(lib::StringView(big, cmd::kPathMax)));
  EXPECT_FALSE(p.assign(lib::StringView(big, cmd::kPathMax + 1)));
  ASSERT_TRUE(p.assign(lib::StringView(big, cmd::kPathMax - 2)));
  EXPECT_FALSE(p.push("ab"));  // 1 + 2 more is one too many
  EXPECT_EQ(p.size(), cmd::kPathMax - 2);
  EXPECT_TRUE(p.push("a"));
  EXPECT_EQ(p.size(), cmd::kPathMax);
}

TEST(FilesPath, Names) {
  EXPECT_EQ(str(cmd::strip_slashes("a//")), "a");
  EXPECT_EQ(str(cmd::strip_slashes("/")), "/");
  EXPECT_EQ(str(cmd::strip_slashes("//")), "/");
  EXPECT_EQ(str(cmd::dir_name("a/b")), "a");
  EXPECT_EQ(str(cmd::dir_name("a/b/")), "a");
  EXPECT_EQ(str(cmd::dir_name("/a")), "/");
  EXPECT_EQ(str(cmd::dir_name("a")), ".");
  EXPECT_EQ(str(cmd::dir_name("a//b")), "a");
  EXPECT_TRUE(cmd::is_dot_or_dotdot("."));
  EXPECT_TRUE(cmd::is_dot_or_dotdot("a/.."));
  EXPECT_TRUE(cmd::is_dot_or_dotdot("../"));
  EXPECT_FALSE(cmd::is_dot_or_dotdot(".a"));
  EXPECT_FALSE(cmd::is_dot_or_dotdot("/"));
  EXPECT_TRUE(cmd::path_within("a", "a/b"));
  EXPECT_TRUE(cmd::path_within("a/", "a"));
  EXPECT_FALSE(cmd::path_within("a", "ab"));
  EXPECT_TRUE(cmd::path_within("/", "/x"));
  EXPECT_FALSE(cmd::path_within("a/b", "a"));
}

TEST(FilesPath, ModeString) {
  char m[10];
  cmd::mode_string(0100644, m);
  EXPECT_EQ(std::string(m, 10), "-rw-r--r--");
  cmd::mode_string(0040755, m);
  EXPECT_EQ(std::string(m, 10), "drwxr-xr-x");
  cmd::mode_string(0120777, m);
  EXPECT_EQ(std::string(m, 10), "lrwxrwxrwx");
  cmd::mode_string(0104755, m);
  EXPECT_EQ(std::string(m, 10), "-rwsr-xr-x");
  cmd::mode_string(0102644, m);
  EXPECT_EQ(std::string(m, 10), "-rw-r-Sr--");
  cmd::mode_string(0041777, m);
  EXPECT_EQ(std::string(m, 10), "drwxrwxrwt");
  cmd::mode_string(0041776, m);
  EXPECT_EQ(std::string(m, 10), "drwxrwxrwT");
  cmd::mode_string(0, m);
  EXPECT_EQ(std::string(m, 10), "?---------");
}

std::string human(uint64_t v) {
  char out[8];
  const size_t n = cmd::human_size(v, out);
  return std::string(out, n);
}

TEST(FilesPath, HumanSizes) {
  EXPECT_EQ(human(0), "0");
  EXPECT_EQ(human(1023), "1023");
  EXPECT_EQ(human(1024), "1.0K");
  EXPECT_EQ(human(1025), "1.1K");
  EXPECT_EQ(human(1536), "1.5K");
  EXPECT_EQ(human(4096), "4.0K");
  EXPECT_EQ(human(10239), "10K");
  EXPECT_EQ(human(10240), "10K");
  EXPECT_EQ(human(10241), "11K");
  EXPECT_EQ(human(1048575), "1.0M");
  EXPECT_EQ(human(1048576), "1.0M");
  EXPECT_EQ(human(5u << 20), "5.0M");
  EXPECT_EQ(human(uint64_t{3} << 30), "3.0G");
  EXPECT_EQ(human(UINT64_MAX), "16E");
}

TEST(FilesPath, LsDates) {
  char out[12];
  // 2024-03-05 07:08:09 UTC
  const int64_t t = 1709622489;
  ASSERT_EQ(cmd::ls_date(t, t + 60, out), 12u);
  EXPECT_EQ(std::string(out, 12), "Mar  5 07:08");
  ASSERT_EQ(cmd::ls_date(t, t + int64_t{200} * 86400, out), 12u);
  EXPECT_EQ(std::string(out, 12), "Mar  5  2024");
  ASSERT_EQ(cmd::ls_date(t, t - 60, out), 12u);  // in the future: the year
  EXPECT_EQ(std::string(out, 12), "Mar  5  2024");
  ASSERT_EQ(cmd::ls_date(1700000000, 1700000000, out), 12u);  // 2023-11-14 22:13:20
  EXPECT_EQ(std::string(out, 12), "Nov 14 22:13");
}

TEST(FilesPath, StatDates) {
  char out[40];
  const size_t n = cmd::stat_date(int64_t{1709622489} * 1000000000 + 5, out);
  EXPECT_EQ(std::string(out, n), "2024-03-05 07:08:09.000000005 +0000");
  EXPECT_EQ(std::string(out, cmd::stat_date(-1, out)), "1970-01-01 00:00:00.000000000 +0000");
}

TEST(FilesPath, SortsInByteOrder) {
  lib::StringView names[] = {"b", "B", "a", "\xc3\xa9", "ab", "", "a"};
  cmd::heap_sort(names, 7, cmd::name_less);
  const char* want[] = {"", "B", "a", "a", "ab", "b", "\xc3\xa9"};
  for (size_t i = 0; i < 7; ++i) EXPECT_EQ(str(names[i]), want[i]) << i;
  int many[1000];
  for (int i = 0; i < 1000; ++i) many[i] = (i * 7919) % 1000;
  cmd::heap_sort(many, 1000, [](int a, int b) { return a < b; });
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(many[i], i);
}

}  // namespace
