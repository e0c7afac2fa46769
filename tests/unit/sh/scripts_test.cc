// The scripts of tests/shell, run by the interpreter and by the host's /bin/sh (dash): the
// same output, the same exit status, and errors on stderr where dash has them.

#include <dirent.h>

#include <algorithm>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "sh_harness.h"
#include "tests/unit/temp_dir.h"

namespace test {
namespace {

std::vector<std::string> scripts() {
  std::vector<std::string> names;
  const std::string dir = std::string(STELLINA_SOURCE_DIR) + "/tests/shell";
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string name = e->d_name;
      if (name.size() > 3 && name.substr(name.size() - 3) == ".sh") names.push_back(name);
    }
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The lines of stderr without the "sh: " or "script: N: " prefixes.
std::vector<std::string> messages(const std::string& err) {
  std::vector<std::string> lines;
  std::stringstream s(err);
  std::string line;
  static const std::regex prefix("^[^:]*: ([0-9]+: )?");
  while (std::getline(s, line)) lines.push_back(std::regex_replace(line, prefix, ""));
  return lines;
}

class Script : public testing::TestWithParam<std::string> {};

TEST_P(Script, BehavesAsDash) {
  const std::string path = std::string(STELLINA_SOURCE_DIR) + "/tests/shell/" + GetParam();
  const std::string text = read_file(path);
  TempDir ours_dir;
  TempDir dash_dir;
  ASSERT_TRUE(ours_dir.ok() && dash_dir.ok());
  const std::string input = "first line\nsecond line\n";
  const Outcome dash = run_dash(path, dash_dir.path(), input);
  const Outcome ours = run_ours(text, ours_dir.path(), input);
  // The directory's name differs between the two runs.
  auto normalize = [](std::string s, const std::string& dir) {
    for (size_t at; (at = s.find(dir)) != std::string::npos;) s.replace(at, dir.size(), "$DIR");
    return s;
  };
  EXPECT_EQ(normalize(ours.out, ours_dir.path()), normalize(dash.out, dash_dir.path()));
  EXPECT_EQ(ours.status, dash.status);
  EXPECT_EQ(messages(ours.err).size(), messages(dash.err).size()) << "ours:\n"
                                                                  << ours.err << "dash:\n"
                                                                  << dash.err;
}

INSTANTIATE_TEST_SUITE_P(Shell, Script, testing::ValuesIn(scripts()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param.substr(0, info.param.size() - 3);
                           for (char& c : name)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

}  // namespace
}  // namespace test
