#pragma once
// date's formats and dates, in plain code that builds on the host
// (tests/unit/cmd/util_date_test.cc): strftime's conversions with GNU's flags and widths, for
// UTC (Stellina has no time zones), and the dates -d reads.

#include <stdint.h>

#include <lib/format.h>
#include <lib/string_view.h>

namespace util::date_cmd {

// GNU date's default: "Sun Dec  6 12:00:00 UTC 2026".
constexpr const char* kDefaultFormat = "%a %b %e %H:%M:%S %Z %Y";
// Widths past this are cut to it.
constexpr uint64_t kMaxWidth = 1024;

// format with the time seconds (since the epoch, at most lib::kMaxSeconds) and nanoseconds:
// %a %A %b %B %c %C %d %D %e %F %g %G %h %H %I %j %k %l %m %M %n %N %p %P %r %R %s %S %t %T
// %u %U %V %w %W %x %X %y %Y %z %Z %%, each with optional flags (- no padding, _ spaces,
// 0 zeros, ^ upper case) and a width. An unknown conversion is copied as it is.
void format_date(lib::Sink& out, lib::StringView format, uint64_t seconds, uint32_t nanoseconds);

// A date for -d: @SECONDS, YYYY-MM-DD, or that with a time HH:MM[:SS] after a space or a T
// (UTC). false if it is none of those or out of range (before 1970, after 9999).
bool parse_date(lib::StringView text, uint64_t* seconds);

}  // namespace util::date_cmd
