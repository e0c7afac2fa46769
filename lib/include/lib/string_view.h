#pragma once
// A view of characters someone else owns: a pointer and a size, no terminator needed. The one
// string type of freestanding code (which has no <string_view>), for names, commands, URIs
// and messages: compare, search and cut them without counting lengths by hand.
//
//   constexpr lib::StringView kHint = "error: try 'list'\n";  // the size is counted for you
//   if (lib::StringView(uri, size).starts_with("tcp:")) ...

#include <stddef.h>

namespace lib {

class StringView {
 public:
  static constexpr size_t kNpos = static_cast<size_t>(-1);

  constexpr StringView() = default;
  constexpr StringView(const char* data, size_t size) : data_(data), size_(size) {}
  // A NUL-terminated string (null reads as empty).
  constexpr StringView(const char* text)  // NOLINT(google-explicit-constructor): "..." converts
      : data_(text), size_(text ? count(text) : 0) {}

  constexpr const char* data() const { return data_; }
  constexpr size_t size() const { return size_; }
  constexpr bool empty() const { return size_ == 0; }
  constexpr char operator[](size_t i) const { return data_[i]; }
  constexpr const char* begin() const { return data_; }
  constexpr const char* end() const { return data_ + size_; }

  constexpr bool starts_with(StringView prefix) const {
    return prefix.size_ <= size_ && StringView(data_, prefix.size_) == prefix;
  }
  constexpr bool ends_with(StringView suffix) const {
    return suffix.size_ <= size_ &&
           StringView(data_ + size_ - suffix.size_, suffix.size_) == suffix;
  }
  // Where the first c (or needle) is at or after from, or kNpos.
  constexpr size_t find(char c, size_t from = 0) const {
    for (size_t i = from; i < size_; ++i)
      if (data_[i] == c) return i;
    return kNpos;
  }
  constexpr size_t find(StringView needle, size_t from = 0) const {
    for (size_t i = from; i + needle.size_ <= size_; ++i)
      if (StringView(data_ + i, needle.size_) == needle) return i;
    return kNpos;
  }
  // At most count characters from at (clamped to the view).
  constexpr StringView substr(size_t at, size_t count = kNpos) const {
    if (at > size_) at = size_;
    const size_t left = size_ - at;
    return StringView(data_ + at, count < left ? count : left);
  }

  friend constexpr bool operator==(StringView a, StringView b) {
    if (a.size_ != b.size_) return false;
    for (size_t i = 0; i < a.size_; ++i)
      if (a.data_[i] != b.data_[i]) return false;
    return true;
  }

 private:
  static constexpr size_t count(const char* text) {
    size_t n = 0;
    while (text[n]) ++n;
    return n;
  }

  const char* data_ = "";
  size_t size_ = 0;
};

}  // namespace lib
