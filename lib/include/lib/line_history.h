#pragma once
// The history of lines a line editor (line_editor.h) walks with the up and down arrows: the
// newest kMaxEntries lines, in a fixed buffer, oldest first. Its file form is its contents,
// one entry a line, so that the shell can keep it in $HOME across reboots:
//
//   history.parse(file_contents);     // at start
//   write_file(history.serialized());  // when it changed

#include <stddef.h>
#include <stdint.h>

#include <lib/string_view.h>

namespace lib {

// The longest line the editor takes, in bytes: past it input is refused.
constexpr size_t kLineMax = 4096;

class LineHistory {
 public:
  static constexpr size_t kMaxEntries = 500;
  // The entries with their newlines. Shorter lines than kLineMax are the rule, so this holds
  // kMaxEntries of about 130 bytes; longer ones push out more of the oldest.
  static constexpr size_t kMaxBytes = size_t{64} * 1024;
  static_assert(kMaxBytes > kLineMax);

  // Adds line as the newest entry and returns true, unless it is empty or blank, the same as
  // the newest entry, longer than kLineMax, or holds a control character (a line break would
  // break the file form). The oldest entries go to make room.
  bool add(StringView line);
  void clear() {
    used_ = 0;
    count_ = 0;
  }

  size_t size() const { return count_; }
  // Entry 0 is the oldest, size() - 1 the newest.
  StringView entry(size_t index) const;

  // The file form: every entry followed by '\n', oldest first.
  StringView serialized() const { return StringView(bytes_, used_); }
  // Adds every line of a file form in order (as add() does, so the newest kMaxEntries stay);
  // a '\r' before a '\n' is dropped, the last line needs no '\n'.
  void parse(StringView text);

 private:
  void drop_oldest(size_t entries);

  char bytes_[kMaxBytes];
  size_t used_ = 0;
  uint32_t starts_[kMaxEntries];  // where each entry begins in bytes_, oldest first
  size_t count_ = 0;
};

}  // namespace lib
