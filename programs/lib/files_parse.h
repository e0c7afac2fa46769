#pragma once
// Operands of the file commands that need parsing: modes (mkdir -m), times (touch -t, -d)
// and find's -size. Pure: builds on the host (tests/unit/cmd/files_parse_test.cc).

#include <stdint.h>

#include <lib/string_view.h>

namespace cmd {

// A mode as chmod takes it: octal ("755", at most 07777) or symbolic clauses separated by
// commas, each [ugoa]*([-+=]([rwxXst]*|[ugo]))+ ("u=rwx,go-w", "a+X"), applied to base. A
// clause with no [ugoa] acts as "a" but leaves the bits set in umask alone (as chmod).
// is_dir decides what X means. false on anything else.
bool parse_mode(lib::StringView text, uint32_t base, uint32_t umask, bool is_dir, uint32_t* out);

// touch -t: [[CC]YY]MMDDhhmm[.ss] in UTC; a missing year is now_year, a two-digit one 1969
// to 2068. Gives seconds since the epoch; false if malformed or out of range.
bool parse_touch_stamp(lib::StringView text, uint32_t now_year, int64_t* seconds);

// touch -d: "@SECONDS", "YYYY-MM-DD", or "YYYY-MM-DD HH:MM[:SS]" (a 'T' may stand for the
// space), UTC. false on anything else (GNU's free-form dates are not understood).
bool parse_date(lib::StringView text, int64_t* seconds);

// find -size: [+-]N[cwbkMG] (no suffix: 512-byte blocks).
struct SizeTest {
  int sign = 0;        // -1: less than, 0: exactly, +1: more than
  uint64_t count = 0;  // in units
  uint64_t unit = 512;
};
bool parse_find_size(lib::StringView text, SizeTest* out);
// Whether a file of size bytes passes: its size in units rounded up, compared with count.
bool find_size_matches(const SizeTest& test, uint64_t size);

}  // namespace cmd
