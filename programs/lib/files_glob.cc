#include "programs/lib/files_glob.h"

namespace cmd {

namespace {

// Matches c against the bracket expression starting at pattern[at] ('[' itself). Sets *end
// to the index past its ']'; false if it is not a well-formed bracket (then '[' is literal).
bool bracket(lib::StringView pattern, size_t at, char c, bool* matched, size_t* end) {
  size_t i = at + 1;
  bool negate = false;
  if (i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^')) {
    negate = true;
    ++i;
  }
  bool found = false;
  bool first = true;
  while (i < pattern.size()) {
    char lo = pattern[i];
    if (lo == ']' && !first) {
      *matched = found != negate;
      *end = i + 1;
      return true;
    }
    first = false;
    if (lo == '\\' && i + 1 < pattern.size()) lo = pattern[++i];
    ++i;
    char hi = lo;
    if (i + 1 < pattern.size() && pattern[i] == '-' && pattern[i + 1] != ']') {
      hi = pattern[i + 1];
      i += 2;
      if (hi == '\\' && i < pattern.size()) hi = pattern[i++];
    }
    const auto u = static_cast<unsigned char>(c);
    if (static_cast<unsigned char>(lo) <= u && u <= static_cast<unsigned char>(hi)) found = true;
  }
  return false;  // no closing ']'
}

// Matches one non-'*' pattern element at pattern[*p] against c; advances *p past it.
bool one(lib::StringView pattern, size_t* p, char c) {
  const char pc = pattern[*p];
  if (pc == '?') {
    ++*p;
    return true;
  }
  if (pc == '[') {
    bool matched = false;
    size_t end = 0;
    if (bracket(pattern, *p, c, &matched, &end)) {
      *p = end;
      return matched;
    }
    ++*p;
    return c == '[';
  }
  if (pc == '\\' && *p + 1 < pattern.size()) {
    *p += 2;
    return c == pattern[*p - 1];
  }
  ++*p;
  return c == pc;
}

}  // namespace

bool glob_match(lib::StringView pattern, lib::StringView name) {
  // The classic greedy walk: on a mismatch, go back to just after the last '*' and let it
  // swallow one more character. Only the last star needs remembering, so this is
  // O(pattern * name).
  size_t p = 0, n = 0;
  size_t star_p = lib::StringView::kNpos, star_n = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      while (p < pattern.size() && pattern[p] == '*') ++p;
      star_p = p;
      star_n = n;
      continue;
    }
    size_t next = p;
    if (p < pattern.size() && one(pattern, &next, name[n])) {
      p = next;
      ++n;
      continue;
    }
    if (star_p == lib::StringView::kNpos) return false;
    p = star_p;
    n = ++star_n;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace cmd
