#pragma once
// xargs's input cut into arguments, as POSIX and GNU xargs cut it, fed a byte at a time
// (stdin may be endless). Plain code that builds on the host
// (tests/unit/cmd/util_xargs_test.cc).

#include <stddef.h>

#include <lib/string_view.h>

namespace util::xargs_cmd {

enum class Split {
  kBlanks,     // the default: blanks and newlines separate; '...', "..." and \ quote
  kLines,      // -I: one argument a line (leading blanks skipped, empty lines too); quotes
  kDelimiter,  // -0 / -d: each delimiter ends one (empty ones too); no quoting
};

// The longest argument: as much as a program's strings may hold.
constexpr size_t kMaxItem = 64 * 1024;

enum class Event { kNone, kItem, kError };

class Splitter {
 public:
  Splitter(Split mode, char delimiter) : mode_(mode), delimiter_(delimiter) {}

  // One byte of input: kItem when it completed an argument (item() holds it until the next
  // call), kError when the input is malformed (error() says why; stop there).
  Event feed(char c);
  // The end of the input: kItem for a last argument, kError for an open quote.
  Event finish();
  lib::StringView item() const { return lib::StringView(buffer_, size_); }
  const char* error() const { return error_; }

 private:
  Event add(char c);
  Event complete();

  Split mode_;
  char delimiter_;
  char buffer_[kMaxItem];
  size_t size_ = 0;
  bool pending_ = false;  // an argument has begun (perhaps as '')
  bool emitted_ = false;  // item() holds a finished one: the next byte starts afresh
  char quote_ = 0;
  bool escape_ = false;
  const char* error_ = "";
};

// -d's argument: one character, or a backslash escape (\n, \t, \0, \\, \xHH, \NNN).
// false for anything else.
bool parse_delimiter(lib::StringView text, char* out);

}  // namespace util::xargs_cmd
