#pragma once
// A small terminal for the line editor's tests: it interprets the subset of VT100/ECMA-48
// the editor writes (printing with xterm's deferred wrap at the last column, CR, LF, BS, BEL,
// CUU/CUD/CUF/CUB, CUP home, ED, EL), one cell per UTF-8 character, and fails the test on any
// other control or sequence. So the tests check what a user would see, not the bytes.

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace term_test {

class VtScreen {
 public:
  explicit VtScreen(size_t width) : width_(width) {}

  void write(const std::string& bytes) {
    for (char ch : bytes) put(static_cast<unsigned char>(ch));
  }

  // Row r without trailing blanks.
  std::string row(size_t r) const {
    if (r >= cells_.size()) return "";
    std::string s;
    for (const auto& cell : cells_[r]) s += cell.empty() ? " " : cell;
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
  }
  size_t rows() const { return cells_.size(); }
  size_t cursor_row() const { return row_; }
  size_t cursor_column() const { return column_; }
  int bells() const { return bells_; }
  // Every row from `from` on, joined with '|'.
  std::string text_from(size_t from) const {
    std::string s;
    size_t last = from;
    for (size_t r = from; r < cells_.size(); ++r) {
      if (!row(r).empty()) last = r + 1;
    }
    for (size_t r = from; r < last; ++r) s += (r > from ? "|" : "") + row(r);
    return s;
  }

 private:
  void ensure_row(size_t r) {
    while (cells_.size() <= r) cells_.emplace_back(width_);
  }

  void put(unsigned char c) {
    if (state_ == 1) {  // after ESC
      if (c == '[') {
        state_ = 2;
        params_.clear();
        return;
      }
      ADD_FAILURE() << "unexpected ESC " << int(c);
      state_ = 0;
      return;
    }
    if (state_ == 2) {
      if ((c >= '0' && c <= '9') || c == ';') {
        params_ += static_cast<char>(c);
        return;
      }
      state_ = 0;
      sequence(c);
      return;
    }
    if (!utf8_.empty()) {
      if ((c & 0xc0) == 0x80) {
        utf8_ += static_cast<char>(c);
        if (utf8_.size() == utf8_need_) {
          print(utf8_);
          utf8_.clear();
        }
        return;
      }
      ADD_FAILURE() << "cut UTF-8 character";
      utf8_.clear();
    }
    switch (c) {
      case 0x1b: state_ = 1; return;
      case '\r':
        column_ = 0;
        wrap_ = false;
        return;
      case '\n':
        ++row_;
        wrap_ = false;
        ensure_row(row_);
        return;
      case '\b':
        // xterm: back from the deferred wrap lands on the column before the last.
        if (wrap_) {
          wrap_ = false;
        }
        if (column_ > 0) --column_;
        return;
      case '\a': ++bells_; return;
      default: break;
    }
    if (c < 0x20 || c == 0x7f) {
      ADD_FAILURE() << "unexpected control " << int(c);
      return;
    }
    if (c >= 0xc0) {
      utf8_ = static_cast<char>(c);
      utf8_need_ = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
      return;
    }
    if (c >= 0x80) {
      ADD_FAILURE() << "stray UTF-8 continuation byte";
      return;
    }
    print(std::string(1, static_cast<char>(c)));
  }

  void print(const std::string& ch) {
    if (wrap_) {
      wrap_ = false;
      column_ = 0;
      ++row_;
    }
    ensure_row(row_);
    cells_[row_][column_] = ch;
    if (column_ + 1 == width_) {
      wrap_ = true;
    } else {
      ++column_;
    }
  }

  void sequence(unsigned char final) {
    const size_t n = params_.empty() ? 1 : std::stoul(params_);
    wrap_ = false;
    switch (final) {
      case 'A': row_ = n > row_ ? 0 : row_ - n; break;
      case 'B': row_ += n; break;
      case 'C': column_ = column_ + n >= width_ ? width_ - 1 : column_ + n; break;
      case 'D': column_ = n > column_ ? 0 : column_ - n; break;
      case 'H':
        EXPECT_TRUE(params_.empty());
        row_ = column_ = 0;
        break;
      case 'J':
        ensure_row(row_);
        if (params_ == "2") {
          cells_.clear();
        } else {
          EXPECT_TRUE(params_.empty());
          for (size_t c = column_; c < width_; ++c) cells_[row_][c].clear();
          cells_.resize(row_ + 1, std::vector<std::string>(width_));
        }
        break;
      case 'K':
        ensure_row(row_);
        for (size_t c = column_; c < width_; ++c) cells_[row_][c].clear();
        break;
      default: ADD_FAILURE() << "unexpected sequence ESC[" << params_ << final;
    }
    ensure_row(row_);
  }

  size_t width_;
  std::vector<std::vector<std::string>> cells_;
  size_t row_ = 0;
  size_t column_ = 0;
  bool wrap_ = false;
  int bells_ = 0;
  int state_ = 0;
  std::string params_;
  std::string utf8_;
  size_t utf8_need_ = 0;
};

}  // namespace term_test
