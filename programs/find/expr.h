#pragma once
// find's expression: tests joined by an implied -a, each maybe negated by '!' or -not, and
// -print actions among them, evaluated left to right as find does (a failed test ends the
// evaluation; each -print reached prints; with no -print, a file that passes every test is
// printed). -maxdepth and -mindepth are global options. Pure: host-tested
// (tests/unit/cmd/files_find_test.cc).

#include <stdint.h>

#include <lib/string_view.h>

#include "programs/lib/files_parse.h"

namespace cmd::find {

enum class Kind { Name, Type, Size, Print };

struct Test {
  Kind kind = Kind::Print;
  bool negate = false;
  lib::StringView pattern;  // Name
  uint32_t type = 0;        // Type: the mode's type bits
  SizeTest size;            // Size
};

struct Expr {
  static constexpr size_t kMaxTests = 64;
  Test tests[kMaxTests];
  size_t count = 0;
  bool has_print = false;
  uint64_t max_depth = UINT64_MAX;
  uint64_t min_depth = 0;
};

// Parses the expression's words. On failure, *why says what is wrong and *word which word.
bool parse(const lib::StringView* words, size_t n, Expr* out, lib::StringView* word,
           const char** why);

// A file as the tests see it: its name (the path's last component), mode and size.
struct Node {
  lib::StringView name;
  uint32_t mode = 0;
  uint64_t size = 0;
};

// How many times the file is printed (0 or more: each -print reached).
size_t evaluate(const Expr& e, const Node& node);

}  // namespace cmd::find
