#pragma once
// test's (and ['s) expressions, as POSIX says to read them: by the number of arguments up to
// four, and past that by the XSI grammar (! binds tightest, then -a, then -o; parentheses
// group). Plain code that builds on the host (tests/unit/cmd/util_test_test.cc): the file
// queries go through an interface the program fills from its file: session.

#include <stddef.h>
#include <stdint.h>

#include <lib/string_view.h>

namespace util::test_cmd {

// What the primaries ask of a file (mode bits with POSIX's values).
struct FileInfo {
  uint32_t mode = 0;
  uint64_t size = 0;
  uint64_t device = 0;
  uint64_t node = 0;
  int64_t mtime_ns = 0;
};

class Environment {
 public:
  // The file at path (follow: through a symbolic link); false if there is none.
  virtual bool stat(lib::StringView path, bool follow, FileInfo* out) = 0;
  // Whether descriptor fd is a terminal (-t).
  virtual bool is_terminal(int64_t fd) = 0;
  // A syntax or number error ("'x': integer expected"), without the command's name.
  virtual void error(lib::StringView message) = 0;

 protected:
  ~Environment() = default;
};

// The exit status of test ARGS (without the command name, or ['s closing ']'): 0 true,
// 1 false, 2 an error (reported).
int evaluate(const lib::StringView* args, size_t count, Environment& env);

}  // namespace util::test_cmd
