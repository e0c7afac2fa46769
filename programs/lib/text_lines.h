#pragma once
// Whole lines from an Input, however long (cmd::LineReader gives pieces past kMaxLine):
// joined in a Buffer up to kMaxJoinedLine bytes, past which the rest of the line is dropped
// (truncated() says so). For commands that must see a line whole (cut, uniq). Header-only:
// it needs the SDK, and programs/lib/*.cc other than cmd.cc build on the host.

#include "programs/lib/cmd.h"

namespace text {

constexpr size_t kMaxJoinedLine = size_t{4} << 20;

class FullLines {
 public:
  explicit FullLines(cmd::Input& in) : reader_(in) {}

  // The next line without its '\n'; false at the end. The view lasts until the next call.
  // Errors: the Input's, kErrNoMemory.
  cmd::Result<bool> next(lib::StringView* line) {
    lib::StringView piece;
    if (!TRY(reader_.next(&piece))) return false;
    truncated_ = false;
    if (reader_.complete()) {
      *line = piece;
      newline_ = reader_.had_newline();
      return true;
    }
    joined_.clear();
    for (;;) {
      if (joined_.size() + piece.size() <= kMaxJoinedLine) {
        TRY(joined_.append(piece));
      } else {
        truncated_ = true;
      }
      if (reader_.complete()) break;
      if (!TRY(reader_.next(&piece))) break;
    }
    newline_ = reader_.had_newline();
    *line = lib::StringView(joined_.data(), joined_.size());
    return true;
  }
  bool had_newline() const { return newline_; }
  bool truncated() const { return truncated_; }

 private:
  cmd::LineReader reader_;
  cmd::Buffer joined_;
  bool newline_ = true;
  bool truncated_ = false;
};

}  // namespace text
