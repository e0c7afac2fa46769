#pragma once
// sed's script: the pieces given by -e and -f (or the first operand), joined with newlines
// as GNU joins them, parsed into commands. The language is POSIX sed's with GNU's additions:
// one-line a/i/c text, 0,/RE/ and ADDR,+N and ADDR,~N and FIRST~STEP addresses, the I flag,
// \L \U \E \l \u in a replacement, and the commands T F z W v. Errors are worded as GNU
// words them ("-e expression #1, char 5: unterminated `s' command").

#include <stddef.h>
#include <stdint.h>

#include <lib/format.h>
#include <lib/string_view.h>

#include "programs/lib/text_regex.h"
#include "programs/sed/sed_io.h"

namespace text {

// A run of bytes in SedScript's strings.
struct SedSpan {
  uint32_t at = 0;
  uint32_t size = 0;
};

enum class SedAddressKind : uint8_t {
  kNone,
  kLine,      // n
  kLast,      // $
  kRegex,     // /RE/ or \cREc
  kStep,      // first~step
  kZero,      // 0 (only before ,/RE/)
  kPlus,      // ,+n: n more lines
  kMultiple,  // ,~n: up to a line that is a multiple of n
};

// A regex index meaning "the last regex used" (an empty one, //).
constexpr int32_t kSedLastRegex = -1;

struct SedAddress {
  SedAddressKind kind = SedAddressKind::kNone;
  uint64_t n = 0;     // kLine, kStep (first), kPlus, kMultiple
  uint64_t step = 0;  // kStep
  int32_t regex = kSedLastRegex;
};

// The replacement's encoding: bytes stand for themselves but kSedEscape, which starts a
// pair: kSedEscape then '0'..'9' (a group; 0 is the whole match), 'L' 'U' 'E' 'l' 'u' (case),
// or kSedEscape again (the byte itself).
constexpr char kSedEscape = '\0';

struct SedCommand {
  char name = 0;
  bool negate = false;
  SedAddress a1, a2;
  // A range's state: whether it goes on past the line that matched last, and up to what
  // line when its end is a line number (kLine, kPlus).
  bool active = false;
  uint64_t end = 0;
  // '{': the index of its '}'. b t T: the index of the label's ':' (the script's size for
  // the end of the script).
  uint32_t target = 0;
  // a i c: the text, '\n' ended. : b t T: the label. r: the file. y: 256 bytes, the table.
  // s: the replacement (encoded as above).
  SedSpan text;
  // s: its regex, flags.
  int32_t regex = kSedLastRegex;
  uint64_t nth = 1;
  bool global = false;
  bool print = false;
  bool uses_groups = false;
  int32_t file = -1;  // s///w, w, W: the index in files()
  // q Q: the exit code. l: the line length (-1: the default).
  int64_t number = -1;
};

// A file for w: its name and the SedIo id.
struct SedFile {
  SedSpan name;
  int id = -1;
  bool missing_newline = false;  // the last line written had none
};

class SedScript {
 public:
  explicit SedScript(SedIo& io)
      : io_(io),
        text_(io),
        strings_(io),
        commands_(io),
        regexes_(io),
        sources_(io),
        files_(io),
        pieces_(io) {}
  SedScript(const SedScript&) = delete;
  SedScript& operator=(const SedScript&) = delete;
  ~SedScript();

  // A piece of script: from -e (or the first operand) or from the file named by -f.
  bool add_expression(lib::StringView text);
  bool add_file(lib::StringView name, lib::StringView text);

  // Parses what was added. flags: kExtended for -E. False with the message in error().
  bool parse(uint32_t flags);
  lib::StringView error() const { return lib::StringView(error_, error_size_); }
  // The exit status for that error: 1 for one in the script's text, 4 for one GNU finds
  // after reading it (a label that is not there, a w file it cannot open).
  int error_status() const { return error_status_; }

  // Whether the script begins with the line "#n" (as -n).
  bool quiet() const { return quiet_; }

  size_t size() const { return commands_.size(); }
  SedCommand& command(size_t i) { return commands_[i]; }
  lib::StringView text(SedSpan s) const { return strings_.view().substr(s.at, s.size); }
  Regex* regex(int32_t i) { return regexes_[static_cast<size_t>(i)]; }
  SedFile& file(int32_t i) { return files_[static_cast<size_t>(i)]; }

 private:
  struct Piece {
    uint32_t start;     // in text_
    uint32_t size;      // the piece's own bytes
    uint32_t number;    // -e: which one (from 1); 0 for a file
    SedSpan file_name;  // in strings_
  };
  struct Source {
    SedSpan pattern;
    uint32_t flags;
  };

  bool add_piece(lib::StringView text, uint32_t number, lib::StringView file_name);
  bool fail(const char* message, lib::StringView detail = lib::StringView());
  // fail() counting the byte at at_ as read (GNU's place for it).
  bool fail_after(const char* message) {
    ++at_;
    return fail(message);
  }
  // An error without a place in the script (GNU gives none for these).
  bool message(const char* fmt, lib::StringView a, lib::StringView b = lib::StringView()) {
    error_status_ = 4;
    error_size_ = lib::format_to(error_, sizeof(error_), fmt, a, b);
    if (error_size_ >= sizeof(error_)) error_size_ = sizeof(error_) - 1;
    return false;
  }
  bool out_of_memory() { return fail("couldn't allocate memory"); }
  bool done() const { return at_ >= text_.size(); }
  char peek(size_t ahead = 0) const {
    return at_ + ahead < text_.size() ? text_.view()[at_ + ahead] : '\0';
  }
  void skip_blanks();
  bool end_of_command();
  bool store(lib::StringView s, SedSpan* out);
  bool number(uint64_t* out);

  bool address(SedAddress* a, bool second);
  bool delimited(char delim, bool regex, SedText& out);
  bool regex(lib::StringView pattern, uint32_t flags, int32_t* out);
  bool label(bool jump, SedSpan* out);
  bool file_name(SedSpan* out);
  bool text_argument(SedSpan* out);
  bool substitute(SedCommand& c);
  bool replacement(lib::StringView r, SedCommand& c, SedText& out);
  bool transliterate(SedCommand& c);
  bool write_file(SedCommand& c);
  bool resolve_labels();

  SedIo& io_;
  SedText text_;     // the pieces, joined
  SedText strings_;  // what the commands point at
  SedArray<SedCommand> commands_;
  SedArray<Regex*> regexes_;
  SedArray<Source> sources_;  // each regex's pattern and flags, to share equal ones
  SedArray<SedFile> files_;
  SedArray<Piece> pieces_;
  uint32_t expressions_ = 0;
  uint32_t flags_ = 0;
  size_t at_ = 0;
  bool quiet_ = false;
  char error_[256];
  size_t error_size_ = 0;
  int error_status_ = 1;
};

// The GNU escapes in a script's text: \a \f \n \r \t \v, \cX, \dNNN, \oNNN, \xHH. At s[*i]
// (past the backslash); true with the byte in *out and *i past the escape, false if s[*i]
// starts none.
bool sed_escape(lib::StringView s, size_t* i, char* out);

}  // namespace text
