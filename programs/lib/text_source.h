#pragma once
// Lines from somewhere, for the text commands' host-tested cores (comm, paste, nl): main.cc
// gives them a file's lines (text::FullLines), the tests strings.

#include <lib/string_view.h>

namespace text {

class LineSource {
 public:
  // The next line without its '\n' (the view lasts until the next call); false at the end
  // (or after an error, which the source has reported).
  virtual bool next(lib::StringView* line) = 0;
  // Whether the last line given ended in '\n' (a file's last line may not).
  virtual bool had_newline() const { return true; }

 protected:
  ~LineSource() = default;
};

}  // namespace text

namespace text {

// A copy of some bytes that outlives the view it was made from (main.cc: a cmd::Buffer).
class ByteStore {
 public:
  // False when there is no memory.
  virtual bool assign(lib::StringView bytes) = 0;
  virtual lib::StringView view() const = 0;

 protected:
  ~ByteStore() = default;
};

}  // namespace text
