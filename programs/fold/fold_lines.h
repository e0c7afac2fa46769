#pragma once
// fold's lines, as GNU folds them: a line longer than WIDTH columns is broken before the
// byte that would pass WIDTH (a tab goes to the next multiple of 8, a backspace back one
// column, a carriage return to the first; with -b every byte is one column); with -s the
// break goes after the last blank before that point, when there is one.

#include <stddef.h>
#include <stdint.h>

#include <lib/format.h>

namespace text {

constexpr size_t kFoldMaxPending = 64 * 1024;

class Folder {
 public:
  Folder(lib::Sink& out, size_t width, bool bytes, bool at_spaces)
      : out_(out), width_(width), bytes_(bytes), spaces_(at_spaces) {}

  void feed(const char* data, size_t n);
  // What is left of the last line (without a '\n' of its own).
  void finish();

 private:
  size_t advance(size_t column, char c) const;
  void emit_line(size_t n);

  lib::Sink& out_;
  size_t width_;
  bool bytes_, spaces_;
  char pending_[kFoldMaxPending];
  size_t used_ = 0;
  size_t column_ = 0;
};

}  // namespace text
