#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "programs/test/test_expr.h"

namespace {

using util::test_cmd::FileInfo;

struct Fake final : util::test_cmd::Environment {
  bool stat(lib::StringView path, bool follow, FileInfo* out) override {
    std::string p(path.data(), path.size());
    if (follow && links.count(p)) p = links[p];
    auto it = files.find(p);
    if (follow && it == files.end()) return false;
    if (!follow && links.count(p)) {
      out->mode = 0120777;
      return true;
    }
    if (it == files.end()) return false;
    *out = it->second;
    return true;
  }
  bool is_terminal(int64_t) override { return false; }
  void error(lib::StringView m) override { errors.emplace_back(m.data(), m.size()); }
  std::map<std::string, FileInfo> files;
  std::map<std::string, std::string> links;
  std::vector<std::string> errors;
};

int test(std::vector<const char*> args, Fake* env = nullptr) {
  Fake local;
  Fake& f = env ? *env : local;
  std::vector<lib::StringView> views(args.begin(), args.end());
  return util::test_cmd::evaluate(views.data(), views.size(), f);
}

TEST(UtilTest, ByArgumentCount) {
  EXPECT_EQ(test({}), 1);
  EXPECT_EQ(test({""}), 1);
  EXPECT_EQ(test({"x"}), 0);
  EXPECT_EQ(test({"-n"}), 0);  // one argument: a string
  EXPECT_EQ(test({"!"}), 0);
  EXPECT_EQ(test({"!", ""}), 0);
  EXPECT_EQ(test({"!", "x"}), 1);
  EXPECT_EQ(test({"-z", ""}), 0);
  EXPECT_EQ(test({"-n", ""}), 1);
  EXPECT_EQ(test({"a", "b"}), 2);
  EXPECT_EQ(test({"!", "=", "!"}), 0);  // a binary operator first
  EXPECT_EQ(test({"!", "-z", "x"}), 0);
  EXPECT_EQ(test({"(", "", ")"}), 1);
  EXPECT_EQ(test({"(", "x", ")"}), 0);
  EXPECT_EQ(test({"a", "-a", ""}), 1);
  EXPECT_EQ(test({"a", "-o", ""}), 0);
  EXPECT_EQ(test({"a", "b", "c"}), 2);
  EXPECT_EQ(test({"!", "a", "=", "b"}), 0);
  EXPECT_EQ(test({"(", "-n", "x", ")"}), 0);
  EXPECT_EQ(test({"(", "-n", ")"}), 0);
}

TEST(UtilTest, Strings) {
  EXPECT_EQ(test({"a", "=", "a"}), 0);
  EXPECT_EQ(test({"a", "==", "b"}), 1);
  EXPECT_EQ(test({"a", "!=", "b"}), 0);
  EXPECT_EQ(test({"a", "<", "b"}), 0);
  EXPECT_EQ(test({"b", "<", "a"}), 1);
  EXPECT_EQ(test({"ab", ">", "a"}), 0);
  EXPECT_EQ(test({"\xff", ">", "a"}), 0);  // bytes, unsigned
  EXPECT_EQ(test({"-n", "=", "-n"}), 0);
}

TEST(UtilTest, Integers) {
  EXPECT_EQ(test({"5", "-eq", "5"}), 0);
  EXPECT_EQ(test({" 5 ", "-eq", "+5"}), 0);
  EXPECT_EQ(test({"-3", "-lt", "2"}), 0);
  EXPECT_EQ(test({"3", "-le", "3"}), 0);
  EXPECT_EQ(test({"3", "-gt", "3"}), 1);
  EXPECT_EQ(test({"3", "-ge", "3"}), 0);
  EXPECT_EQ(test({"3", "-ne", "4"}), 0);
  EXPECT_EQ(test({"9223372036854775807", "-gt", "-9223372036854775808"}), 0);
  Fake f;
  EXPECT_EQ(test({"9223372036854775808", "-gt", "1"}, &f), 2);
  EXPECT_EQ(test({"abc", "-eq", "1"}, &f), 2);
  EXPECT_EQ(test({"", "-eq", "0"}, &f), 2);
  EXPECT_EQ(test({"1x", "-eq", "1"}, &f), 2);
  EXPECT_EQ(f.errors.size(), 4u);
  EXPECT_EQ(f.errors[1], "invalid integer 'abc'");
}

TEST(UtilTest, Grammar) {
  EXPECT_EQ(test({"a", "-a", "b", "-o", ""}), 0);
  EXPECT_EQ(test({"", "-a", "b", "-o", "c"}), 0);  // -a binds tighter than -o
  EXPECT_EQ(test({"", "-o", "b", "-a", ""}), 1);
  EXPECT_EQ(test({"!", "", "-a", "x"}), 0);
  EXPECT_EQ(test({"(", "a", "=", "b", ")", "-o", "x"}), 0);
  EXPECT_EQ(test({"(", "a", "=", "b", "-o", "x", "=", "x", ")"}), 0);
  EXPECT_EQ(test({"!", "(", "a", "=", "a", ")", "-a", "x"}), 1);
  // A short group is read by the count to its first ")": as GNU, this one is an error.
  EXPECT_EQ(test({"(", "!", "(", "a", ")", ")"}), 2);
  EXPECT_EQ(test({"1", "-eq", "1", "-a", "2", "-lt", "3", "-a", "-n", "x"}), 0);
  EXPECT_EQ(test({"(", "a", "-a", "b"}), 2);       // no ')'
  EXPECT_EQ(test({"a", "-a", "b", "c", "d"}), 2);  // extra argument
  EXPECT_EQ(test({"x", "-a", "-q", "y", "-a", "z"}), 2);
  EXPECT_EQ(test({"x", "-a", "!"}), 0);  // three arguments: -a joins two strings
  EXPECT_EQ(test({"x", "-a", "y", "-a"}), 2);
}

TEST(UtilTest, Files) {
  Fake f;
  f.files["/f"] = FileInfo{0100644, 5, 1, 10, 100};
  f.files["/empty"] = FileInfo{0100755, 0, 1, 11, 200};
  f.files["/d"] = FileInfo{0040755, 4096, 1, 12, 50};
  f.files["/fifo"] = FileInfo{0010644, 0, 1, 13, 0};
  f.files["/ro"] = FileInfo{0104444, 1, 1, 14, 0};
  f.links["/l"] = "/f";
  f.links["/dangling"] = "/nothing";
  EXPECT_EQ(test({"-e", "/f"}, &f), 0);
  EXPECT_EQ(test({"-e", "/nothing"}, &f), 1);
  EXPECT_EQ(test({"-f", "/f"}, &f), 0);
  EXPECT_EQ(test({"-f", "/d"}, &f), 1);
  EXPECT_EQ(test({"-d", "/d"}, &f), 0);
  EXPECT_EQ(test({"-s", "/f"}, &f), 0);
  EXPECT_EQ(test({"-s", "/empty"}, &f), 1);
  EXPECT_EQ(test({"-x", "/empty"}, &f), 0);
  EXPECT_EQ(test({"-x", "/f"}, &f), 1);
  EXPECT_EQ(test({"-w", "/ro"}, &f), 1);
  EXPECT_EQ(test({"-r", "/ro"}, &f), 0);
  EXPECT_EQ(test({"-u", "/ro"}, &f), 0);
  EXPECT_EQ(test({"-g", "/ro"}, &f), 1);
  EXPECT_EQ(test({"-p", "/fifo"}, &f), 0);
  EXPECT_EQ(test({"-b", "/f"}, &f), 1);
  EXPECT_EQ(test({"-c", "/f"}, &f), 1);
  EXPECT_EQ(test({"-S", "/f"}, &f), 1);
  EXPECT_EQ(test({"-L", "/l"}, &f), 0);
  EXPECT_EQ(test({"-h", "/dangling"}, &f), 0);
  EXPECT_EQ(test({"-e", "/dangling"}, &f), 1);
  EXPECT_EQ(test({"-L", "/f"}, &f), 1);
  EXPECT_EQ(test({"-f", "/l"}, &f), 0);
  EXPECT_EQ(test({"-t", "1"}, &f), 1);
  EXPECT_EQ(test({"/empty", "-nt", "/f"}, &f), 0);
  EXPECT_EQ(test({"/f", "-nt", "/nothing"}, &f), 0);
  EXPECT_EQ(test({"/d", "-ot", "/f"}, &f), 0);
  EXPECT_EQ(test({"/nothing", "-ot", "/f"}, &f), 0);
  EXPECT_EQ(test({"/l", "-ef", "/f"}, &f), 0);
  EXPECT_EQ(test({"/d", "-ef", "/f"}, &f), 1);
  EXPECT_EQ(test({"-f", "/f", "-a", "-d", "/d", "-a", "!", "-e", "/nothing"}, &f), 0);
}

}  // namespace
