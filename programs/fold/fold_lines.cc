#include "programs/fold/fold_lines.h"

namespace text {

size_t Folder::advance(size_t column, char c) const {
  if (bytes_) return column + 1;
  switch (c) {
    case '\b': return column > 0 ? column - 1 : 0;
    case '\r': return 0;
    case '\t': return column + 8 - column % 8;
    default: return column + 1;
  }
}

// The first n pending bytes as a line; the rest moves to the front, its columns counted.
void Folder::emit_line(size_t n) {
  out_.write(pending_, n);
  out_.write("\n", 1);
  __builtin_memmove(pending_, pending_ + n, used_ - n);
  used_ -= n;
  column_ = 0;
  for (size_t i = 0; i < used_; ++i) column_ = advance(column_, pending_[i]);
}

void Folder::feed(const char* data, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const char c = data[i];
    if (c == '\n') {
      out_.write(pending_, used_);
      out_.write("\n", 1);
      used_ = column_ = 0;
      continue;
    }
    for (;;) {
      const size_t column = advance(column_, c);
      if (column <= width_) {
        column_ = column;
        break;
      }
      if (spaces_) {
        size_t blank = used_;
        while (blank > 0 && pending_[blank - 1] != ' ' && pending_[blank - 1] != '\t') --blank;
        if (blank > 0) {
          emit_line(blank);
          continue;
        }
      }
      if (used_ == 0) {  // one byte wider than the line: it goes alone
        column_ = column;
        break;
      }
      emit_line(used_);
    }
    if (used_ == kFoldMaxPending) {  // only backspaces and returns get here
      out_.write(pending_, used_);
      used_ = 0;
    }
    pending_[used_++] = c;
  }
}

void Folder::finish() {
  out_.write(pending_, used_);
  used_ = column_ = 0;
}

}  // namespace text
