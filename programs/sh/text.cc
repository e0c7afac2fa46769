#include "text.h"

namespace stellina::sh {

void Text::append(StringView s) {
  if (failed_) return;
  if (s.size() > kMaxString - size_) {
    failed_ = too_long_ = true;
    return;
  }
  const size_t size = size_ + s.size();
  if (size + 1 > capacity_) {
    size_t capacity = capacity_ ? capacity_ : 32;
    while (capacity < size + 1) capacity *= 2;
    if (capacity > kMaxString + 1) capacity = kMaxString + 1;
    char* data = static_cast<char*>(sh_allocate(capacity));
    if (!data) {
      failed_ = true;
      return;
    }
    if (size_) __builtin_memcpy(data, data_, size_);
    sh_free(data_);
    data_ = data;
    capacity_ = capacity;
  }
  if (s.size()) __builtin_memcpy(data_ + size_, s.data(), s.size());
  size_ = size;
  data_[size_] = '\0';
}

void Text::append_number(int64_t n) {
  char digits[24];
  size_t i = sizeof(digits);
  // Negative numbers are made with unsigned arithmetic, so INT64_MIN needs no special case.
  uint64_t u = n < 0 ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
  do {
    digits[--i] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u);
  if (n < 0) digits[--i] = '-';
  append(StringView(digits + i, sizeof(digits) - i));
}

void Text::swap(Text& other) {
  char* data = data_;
  data_ = other.data_;
  other.data_ = data;
  size_t n = size_;
  size_ = other.size_;
  other.size_ = n;
  n = capacity_;
  capacity_ = other.capacity_;
  other.capacity_ = n;
  bool b = failed_;
  failed_ = other.failed_;
  other.failed_ = b;
  b = too_long_;
  too_long_ = other.too_long_;
  other.too_long_ = b;
}

bool is_name(StringView s) {
  if (s.empty() || s.size() > kMaxNameLength || !is_name_start(s[0])) return false;
  for (char c : s)
    if (!is_name_char(c)) return false;
  return true;
}

bool parse_number(StringView s, int64_t* out) {
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
  if (i == s.size()) return false;
  uint64_t value = 0;
  const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  for (; i < s.size(); ++i) {
    if (!is_digit(s[i])) return false;
    const uint64_t digit = static_cast<uint64_t>(s[i] - '0');
    if (value > (limit - digit) / 10) return false;
    value = value * 10 + digit;
  }
  *out = negative ? static_cast<int64_t>(0 - value) : static_cast<int64_t>(value);
  return true;
}

}  // namespace stellina::sh
