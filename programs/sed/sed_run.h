#pragma once
// sed's cycles: each line of input read into the pattern space, the script run over it,
// the pattern space written out (unless -n), as POSIX says and GNU does it: n and N at the
// end of the input end the cycle as if the script had (printing the pattern space), a last
// line without '\n' is written without one, and with -s (or -i) each file is its own input
// for $, line numbers and ranges.

#include <stddef.h>
#include <stdint.h>

#include "programs/lib/text_regex.h"
#include "programs/sed/sed_io.h"
#include "programs/sed/sed_script.h"

namespace text {

struct SedOptions {
  bool quiet = false;        // -n
  bool separate = false;     // -s, -i
  int64_t line_length = 70;  // -l: for l
};

class SedRun {
 public:
  // scratch: for the groups of s's matches.
  SedRun(SedScript& script, SedIo& io, RegexScratch& scratch, const SedOptions& options);
  SedRun(const SedRun&) = delete;
  SedRun& operator=(const SedRun&) = delete;

  // Runs the script over the whole input: the exit status (q's or Q's code, else 0; 4
  // after a runtime error, whose message error() gives).
  int run();
  lib::StringView error() const { return error_; }

 private:
  enum class End { kCycle, kDelete, kRestart, kQuit, kQuitSilently, kError };

  End execute();
  bool selected(SedCommand& c);
  bool matches(const SedAddress& a);
  bool range_matches(SedCommand& c);
  Regex* resolve(int32_t index);
  bool fetch();
  bool has_next();
  bool is_last();
  bool read_line(bool append);
  void reset_ranges();

  void write_pattern(lib::StringView text, bool newline);
  void write_text(lib::StringView text);
  void write_file(int32_t file, lib::StringView text, bool newline);
  void flush_appends();
  void list(int64_t width);
  bool substitute(SedCommand& c);
  bool fail(const char* message) {
    error_ = message;
    return false;
  }

  struct Append {
    bool file;  // r: text is a file name
    SedSpan text;
  };

  SedScript& script_;
  SedIo& io_;
  RegexScratch& scratch_;
  SedOptions options_;
  SedText pattern_;
  SedText hold_;
  SedText ahead_;
  SedText result_;
  SedArray<Append> appends_;
  Regex* last_regex_ = nullptr;
  uint64_t line_ = 0;
  bool newline_ = true;       // the pattern space's line ended in '\n'
  bool hold_newline_ = true;  // the same of the hold space (x swaps them)
  bool have_ahead_ = false;
  bool ahead_newline_ = true;
  bool ahead_new_file_ = false;
  bool input_done_ = false;
  bool replaced_ = false;  // for t and T
  bool missing_newline_ = false;
  int exit_code_ = 0;
  lib::StringView error_;
};

}  // namespace text
