#pragma once
// The shell's growing containers: Text (bytes, always NUL-terminated) and Vector<T>. Both
// allocate through sh_allocate and never exceed their bound (kMaxString bytes, a Vector's own
// limit). An append that cannot be done (no memory, past the bound) does nothing but make
// the container failed(), sticky until clear(): a builder appends freely and checks once at
// the end, and what failed is never half-used.

#include <stddef.h>
#include <stdint.h>

#include <lib/string_view.h>

#include "limits.h"
#include "memory.h"

namespace stellina::sh {

using lib::StringView;

class Text {
 public:
  Text() = default;
  explicit Text(StringView s) { append(s); }
  Text(Text&& other) noexcept { swap(other); }
  Text& operator=(Text&& other) noexcept {
    if (this != &other) {
      Text gone(static_cast<Text&&>(other));
      swap(gone);
    }
    return *this;
  }
  Text(const Text&) = delete;
  Text& operator=(const Text&) = delete;
  ~Text() { sh_free(data_); }

  void append(StringView s);
  void append(char c) { append(StringView(&c, 1)); }
  void append_number(int64_t n);
  void assign(StringView s) {
    clear();
    append(s);
  }
  // A copy, failed when this is.
  Text copy() const {
    Text t(view());
    if (failed_) t.failed_ = true;
    return t;
  }

  StringView view() const { return StringView(data_ ? data_ : "", size_); }
  const char* c_str() const { return data_ ? data_ : ""; }
  char* data() { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  char back() const { return size_ ? data_[size_ - 1] : '\0'; }
  void truncate(size_t size) {
    if (size < size_) {
      size_ = size;
      data_[size_] = '\0';
    }
  }
  void clear() {
    truncate(0);
    failed_ = false;
    too_long_ = false;
  }
  bool failed() const { return failed_; }
  // Whether the failure was the kMaxString bound rather than memory.
  bool too_long() const { return too_long_; }

 private:
  void swap(Text& other);

  char* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
  bool failed_ = false;
  bool too_long_ = false;
};

template <typename T>
class Vector {
 public:
  Vector() = default;
  explicit Vector(size_t limit) : limit_(limit) {}
  Vector(Vector&& other) noexcept { swap(other); }
  Vector& operator=(Vector&& other) noexcept {
    if (this != &other) {
      Vector gone(static_cast<Vector&&>(other));
      swap(gone);
    }
    return *this;
  }
  Vector(const Vector&) = delete;
  Vector& operator=(const Vector&) = delete;
  ~Vector() {
    clear();
    sh_free(items_);
  }

  void push(T&& value) {
    if (!grow()) return;
    new (&items_[size_++]) T(static_cast<T&&>(value));
  }
  void push(const T& value) {
    if (!grow()) return;
    new (&items_[size_++]) T(value);
  }
  void pop() { items_[--size_].~T(); }
  void clear() {
    while (size_) pop();
    failed_ = false;
  }
  // Removes the first n items.
  void drop_front(size_t n) {
    if (n > size_) n = size_;
    for (size_t i = 0; i < n; ++i) items_[i].~T();
    for (size_t i = n; i < size_; ++i) {
      new (&items_[i - n]) T(static_cast<T&&>(items_[i]));
      items_[i].~T();
    }
    size_ -= n;
  }

  T& operator[](size_t i) { return items_[i]; }
  const T& operator[](size_t i) const { return items_[i]; }
  T& back() { return items_[size_ - 1]; }
  T* begin() { return items_; }
  T* end() { return items_ + size_; }
  const T* begin() const { return items_; }
  const T* end() const { return items_ + size_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool failed() const { return failed_; }
  // Forgets a failure, keeping the items (a push that failed did nothing).
  void clear_failure() { failed_ = false; }
  size_t limit() const { return limit_; }

 private:
  bool grow() {
    if (failed_) return false;
    if (size_ < capacity_) return true;
    if (size_ >= limit_) {
      failed_ = true;
      return false;
    }
    size_t capacity = capacity_ ? capacity_ * 2 : 8;
    if (capacity > limit_) capacity = limit_;
    T* items = static_cast<T*>(sh_allocate(capacity * sizeof(T)));
    if (!items) {
      failed_ = true;
      return false;
    }
    for (size_t i = 0; i < size_; ++i) {
      new (&items[i]) T(static_cast<T&&>(items_[i]));
      items_[i].~T();
    }
    sh_free(items_);
    items_ = items;
    capacity_ = capacity;
    return true;
  }
  void swap(Vector& other) {
    T* items = items_;
    items_ = other.items_;
    other.items_ = items;
    size_t n = size_;
    size_ = other.size_;
    other.size_ = n;
    n = capacity_;
    capacity_ = other.capacity_;
    other.capacity_ = n;
    n = limit_;
    limit_ = other.limit_;
    other.limit_ = n;
    const bool f = failed_;
    failed_ = other.failed_;
    other.failed_ = f;
  }

  T* items_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
  size_t limit_ = kMaxFields;
  bool failed_ = false;
};

// Character classes of the language.
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
constexpr bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }
// A valid variable or function name: a letter or _, then letters, digits and _.
bool is_name(StringView s);
// Parses a decimal number (an optional sign then digits) that fits in int64_t.
bool parse_number(StringView s, int64_t* out);

}  // namespace stellina::sh

namespace stellina::sh {

// A message of bounded size in a fixed buffer (no allocation: it can report running out of
// memory), cut short when too long.
class Message {
 public:
  Message& add(StringView s) {
    for (char c : s)
      if (size_ + 1 < sizeof(text_)) text_[size_++] = c;
    text_[size_] = '\0';
    return *this;
  }
  Message& add(int64_t n) {
    char digits[24];
    size_t i = sizeof(digits);
    uint64_t u = n < 0 ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
    do {
      digits[--i] = static_cast<char>('0' + u % 10);
      u /= 10;
    } while (u);
    if (n < 0) digits[--i] = '-';
    return add(StringView(digits + i, sizeof(digits) - i));
  }
  void clear() {
    size_ = 0;
    text_[0] = '\0';
  }
  StringView view() const { return StringView(text_, size_); }
  bool empty() const { return size_ == 0; }

 private:
  char text_[256] = {};
  size_t size_ = 0;
};

}  // namespace stellina::sh
