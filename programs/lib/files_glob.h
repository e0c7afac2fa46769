#pragma once
// Shell wildcard patterns, as POSIX fnmatch with no flags (find -name): '*' any run of
// characters, '?' any one, '[...]' one of a set ("[a-z]", "[!0-9]" or "[^0-9]" for the
// others, ']' first is a member), '\' quotes the next character. '/' and a leading '.' are
// ordinary characters. Pure: builds on the host (tests/unit/cmd/files_glob_test.cc).

#include <lib/string_view.h>

namespace cmd {

// Whether name matches pattern as a whole. Runs in O(pattern * name) steps at worst (no
// backtracking blow-up on patterns like "*a*a*a*b").
bool glob_match(lib::StringView pattern, lib::StringView name);

}  // namespace cmd
