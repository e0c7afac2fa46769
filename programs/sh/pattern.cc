#include "pattern.h"

namespace stellina::sh {
namespace {

bool in_class(StringView name, char c) {
  const auto u = static_cast<unsigned char>(c);
  const bool upper = u >= 'A' && u <= 'Z';
  const bool lower = u >= 'a' && u <= 'z';
  const bool digit = u >= '0' && u <= '9';
  if (name == "alpha") return upper || lower;
  if (name == "digit") return digit;
  if (name == "alnum") return upper || lower || digit;
  if (name == "upper") return upper;
  if (name == "lower") return lower;
  if (name == "space") return c == ' ' || (u >= 9 && u <= 13);
  if (name == "blank") return c == ' ' || c == '\t';
  if (name == "punct") return u > 32 && u < 127 && !upper && !lower && !digit;
  if (name == "print") return u >= 32 && u < 127;
  if (name == "graph") return u > 32 && u < 127;
  if (name == "cntrl") return u < 32 || u == 127;
  if (name == "xdigit") return digit || (u >= 'a' && u <= 'f') || (u >= 'A' && u <= 'F');
  return false;
}

// Matches c against the bracket expression starting at pattern[i] == '['. Returns the index
// after the closing ']', or 0 when there is none (then '[' is an ordinary character).
size_t match_bracket(StringView pattern, size_t i, char c, bool* matched) {
  size_t j = i + 1;
  bool negate = false;
  if (j < pattern.size() && (pattern[j] == '!' || pattern[j] == '^')) {
    negate = true;
    ++j;
  }
  bool found = false;
  bool first = true;
  while (j < pattern.size()) {
    char low = pattern[j];
    if (low == ']' && !first) {
      *matched = found != negate;
      return j + 1;
    }
    first = false;
    if (low == '[' && j + 1 < pattern.size() && pattern[j + 1] == ':') {
      const size_t end = pattern.find(":]", j + 2);
      if (end != StringView::kNpos) {
        if (in_class(pattern.substr(j + 2, end - j - 2), c)) found = true;
        j = end + 2;
        continue;
      }
    }
    if (low == '\\' && j + 1 < pattern.size()) low = pattern[++j];
    ++j;
    char high = low;
    if (j + 1 < pattern.size() && pattern[j] == '-' && pattern[j + 1] != ']') {
      high = pattern[j + 1];
      j += 2;
      if (high == '\\' && j < pattern.size()) high = pattern[j++];
    }
    const auto u = static_cast<unsigned char>(c);
    if (u >= static_cast<unsigned char>(low) && u <= static_cast<unsigned char>(high)) found = true;
  }
  return 0;
}

}  // namespace

bool match_pattern(StringView pattern, StringView text) {
  size_t p = 0;
  size_t t = 0;
  // Where to resume after the last star: the pattern after it, and the text it may eat.
  size_t star_p = StringView::kNpos;
  size_t star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size()) {
      const char pc = pattern[p];
      if (pc == '*') {
        star_p = ++p;
        star_t = t;
        continue;
      }
      if (pc == '?') {
        ++p;
        ++t;
        continue;
      }
      if (pc == '[') {
        bool matched = false;
        const size_t after = match_bracket(pattern, p, text[t], &matched);
        if (after) {
          if (matched) {
            p = after;
            ++t;
            continue;
          }
        } else if (text[t] == '[') {
          ++p;
          ++t;
          continue;
        }
      } else {
        char literal = pc;
        size_t next = p + 1;
        if (pc == '\\' && p + 1 < pattern.size()) {
          literal = pattern[p + 1];
          next = p + 2;
        }
        if (literal == text[t]) {
          p = next;
          ++t;
          continue;
        }
      }
    }
    if (star_p == StringView::kNpos) return false;
    p = star_p;
    t = ++star_t;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool has_pattern_chars(StringView pattern) {
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      ++i;
    } else if (c == '*' || c == '?' || c == '[') {
      return true;
    }
  }
  return false;
}

void unescape_pattern(StringView pattern, Text& out) {
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\' && i + 1 < pattern.size()) ++i;
    out.append(pattern[i]);
  }
}

}  // namespace stellina::sh
