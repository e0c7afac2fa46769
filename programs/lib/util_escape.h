#pragma once
// Backslash escapes as echo -e, printf's format and printf's %b read them: the same table
// (\a \b \c \e \f \n \r \t \v \\ and octal, hex and, for printf, \u), three ways of reading
// octal. Plain code: it builds on the host (tests/unit/cmd/util_escape_test.cc).

#include <stddef.h>
#include <stdint.h>

#include <lib/string_view.h>

namespace util {

enum class EscapeStyle {
  kEcho,          // echo -e: \0NNN or \NNN (three octal digits at most), \xHH, no \u
  kPrintfFormat,  // printf's format: \NNN, \xHH (one digit at least), \uHHHH, \UHHHHHHHH
  kPrintfArg,     // printf's %b: \0NNN or \NNN, \xHH, \uHHHH, \UHHHHHHHH
};

struct Escape {
  size_t length = 0;  // characters of the text it stands for, the backslash included
  char bytes[4] = {};
  size_t count = 0;    // bytes it gives (0 to 4)
  bool stop = false;   // \c: no more output at all
  bool error = false;  // printf: \x without a digit, a \u or \U short of digits or invalid
};

// The escape at the start of text (text[0] is the backslash). An unknown escape stands for
// itself (the backslash and the character); a lone backslash at the end, for itself.
Escape read_escape(lib::StringView text, EscapeStyle style);

}  // namespace util
