// The interpreter on its own: what the scripts cannot show (the interactive loop, limits,
// messages), with PosixHost running real programs.

#include <gtest/gtest.h>

#include "posix_host.h"
#include "programs/sh/shell.h"
#include "sh_harness.h"
#include "tests/unit/temp_dir.h"

namespace test {
namespace {

Outcome run(const std::string& script, const std::string& input = "") {
  TempDir dir;
  return run_ours(script, dir.path(), input);
}

TEST(Shell, HereDocument) {
  const Outcome o = run("cat <<EOF\nhello $((1+1))\nEOF\necho after\n");
  EXPECT_EQ(o.out, "hello 2\nafter\n");
  EXPECT_EQ(o.err, "");
  EXPECT_EQ(o.status, 0);
}

}  // namespace
}  // namespace test

namespace test {
TEST(ShellDebug, File) {
  const char* f = getenv("SH_DEBUG_FILE");
  if (!f) GTEST_SKIP();
  const Outcome o = run(read_file(f), "input line\n");
  printf("--- out:\n%s--- err:\n%s--- status %d\n", o.out.c_str(), o.err.c_str(), o.status);
}
}  // namespace test
