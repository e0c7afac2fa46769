#include "programs/sort/sort_key.h"

#include "programs/lib/text_util.h"

namespace text {

namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }

bool number(lib::StringView s, size_t* at, uint64_t* out) {
  if (*at >= s.size() || !digit(s[*at])) return false;
  uint64_t v = 0;
  for (; *at < s.size() && digit(s[*at]); ++*at) {
    const uint64_t d = static_cast<uint64_t>(s[*at] - '0');
    v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
  }
  *out = v;
  return true;
}

bool letters(lib::StringView s, size_t* at, SortKey* key, bool start, bool* any) {
  for (; *at < s.size() && s[*at] != ','; ++*at) {
    switch (s[*at]) {
      case 'b': (start ? key->skip_start_blanks : key->skip_end_blanks) = true; break;
      case 'f': key->fold = true; break;
      case 'n': key->numeric = true; break;
      case 'r': key->reverse = true; break;
      default: return false;
    }
    *any = true;
  }
  return true;
}

bool blank(char c) { return is_blank(static_cast<uint8_t>(c)); }

// The key's bytes within line, as GNU's begfield and limfield find them.
lib::StringView key_of(const SortOptions& o, const SortKey& k, lib::StringView line) {
  const size_t lim = line.size();
  size_t begin = 0;
  for (uint64_t f = k.start_field - 1; begin < lim && f > 0; --f) {
    if (o.separator >= 0) {
      while (begin < lim && line[begin] != static_cast<char>(o.separator)) ++begin;
      if (begin < lim) ++begin;
    } else {
      while (begin < lim && blank(line[begin])) ++begin;
      while (begin < lim && !blank(line[begin])) ++begin;
    }
  }
  if (k.skip_start_blanks)
    while (begin < lim && blank(line[begin])) ++begin;
  begin = k.start_char - 1 < lim - begin ? begin + static_cast<size_t>(k.start_char - 1) : lim;
  size_t end = lim;
  if (k.end_field != 0) {
    end = 0;
    uint64_t words = k.end_field - 1 + (k.end_char == 0 ? 1 : 0);
    while (end < lim && words > 0) {
      --words;
      if (o.separator >= 0) {
        while (end < lim && line[end] != static_cast<char>(o.separator)) ++end;
        if (end < lim && (words > 0 || k.end_char != 0)) ++end;
      } else {
        while (end < lim && blank(line[end])) ++end;
        while (end < lim && !blank(line[end])) ++end;
      }
    }
    if (k.end_char != 0) {
      if (k.skip_end_blanks)
        while (end < lim && blank(line[end])) ++end;
      end = k.end_char < lim - end ? end + static_cast<size_t>(k.end_char) : lim;
    }
  }
  if (end < begin) end = begin;
  return line.substr(begin, end - begin);
}

int compare_bytes(lib::StringView a, lib::StringView b, bool fold) {
  const size_t n = a.size() < b.size() ? a.size() : b.size();
  for (size_t i = 0; i < n; ++i) {
    uint8_t x = static_cast<uint8_t>(a[i]), y = static_cast<uint8_t>(b[i]);
    if (fold) x = to_upper(x), y = to_upper(y);
    if (x != y) return x < y ? -1 : 1;
  }
  return a.size() == b.size() ? 0 : a.size() < b.size() ? -1 : 1;
}

// A number's parts: its sign and the digits before and after the point, without the
// leading zeros of the integer part or the trailing zeros of the fraction.
struct Number {
  bool negative = false;
  lib::StringView whole, fraction;
};

Number read_number(lib::StringView s) {
  Number n;
  size_t at = 0;
  while (at < s.size() && blank(s[at])) ++at;
  if (at < s.size() && s[at] == '-') {
    n.negative = true;
    ++at;
  }
  while (at < s.size() && s[at] == '0') ++at;
  const size_t whole = at;
  while (at < s.size() && digit(s[at])) ++at;
  n.whole = s.substr(whole, at - whole);
  if (at < s.size() && s[at] == '.') {
    const size_t frac = ++at;
    while (at < s.size() && digit(s[at])) ++at;
    size_t end = at;
    while (end > frac && s[end - 1] == '0') --end;
    n.fraction = s.substr(frac, end - frac);
  }
  // -0 is 0.
  if (n.whole.empty() && n.fraction.empty()) n.negative = false;
  return n;
}

}  // namespace

bool parse_sort_key(lib::StringView s, SortKey* key, bool* has_options, const char** why) {
  *key = SortKey{};
  *has_options = false;
  *why = "invalid key";
  size_t at = 0;
  if (!number(s, &at, &key->start_field) || key->start_field == 0) {
    *why = "invalid field number";
    return false;
  }
  if (at < s.size() && s[at] == '.') {
    ++at;
    if (!number(s, &at, &key->start_char) || key->start_char == 0) {
      *why = "invalid character position";
      return false;
    }
  }
  if (!letters(s, &at, key, true, has_options)) return false;
  if (at == s.size()) return true;
  ++at;  // ','
  if (!number(s, &at, &key->end_field) || key->end_field == 0) {
    *why = "invalid field number";
    return false;
  }
  if (at < s.size() && s[at] == '.') {
    ++at;
    if (!number(s, &at, &key->end_char)) {
      *why = "invalid character position";
      return false;
    }
  }
  if (!letters(s, &at, key, false, has_options)) return false;
  return at == s.size();
}

void finish_keys(SortOptions* o, const bool* key_has_options) {
  for (size_t i = 0; i < o->key_count; ++i) {
    if (key_has_options[i]) continue;
    SortKey& k = o->keys[i];
    k.skip_start_blanks = o->global.skip_start_blanks;
    k.skip_end_blanks = o->global.skip_end_blanks;
    k.numeric = o->global.numeric;
    k.reverse = o->global.reverse;
    k.fold = o->global.fold;
  }
}

int compare_numbers(lib::StringView a, lib::StringView b) {
  const Number x = read_number(a), y = read_number(b);
  if (x.negative != y.negative) return x.negative ? -1 : 1;
  int r = 0;
  if (x.whole.size() != y.whole.size()) {
    r = x.whole.size() < y.whole.size() ? -1 : 1;
  } else {
    r = compare_bytes(x.whole, y.whole, false);
    if (r == 0) r = compare_bytes(x.fraction, y.fraction, false);
  }
  return x.negative ? -r : r;
}

int compare_keys(const SortOptions& o, lib::StringView a, lib::StringView b) {
  const auto one = [&](const SortKey& k) {
    const lib::StringView ka = key_of(o, k, a), kb = key_of(o, k, b);
    const int r = k.numeric ? compare_numbers(ka, kb) : compare_bytes(ka, kb, k.fold);
    return k.reverse ? -r : r;
  };
  if (o.key_count == 0) return one(o.global);
  for (size_t i = 0; i < o.key_count; ++i) {
    const int r = one(o.keys[i]);
    if (r) return r;
  }
  return 0;
}

int compare_lines(const SortOptions& o, lib::StringView a, lib::StringView b) {
  const int r = compare_keys(o, a, b);
  if (r || o.unique || o.stable) return r;
  const int last = compare_bytes(a, b, false);
  return o.global.reverse ? -last : last;
}

void sort_lines(const SortOptions& o, SortLine* lines, SortLine* scratch, size_t count) {
  // Bottom-up: runs of width 1, 2, 4... merged from one array into the other; the left
  // run wins ties, so equal lines keep their order.
  SortLine* from = lines;
  SortLine* to = scratch;
  for (size_t width = 1; width < count; width *= 2) {
    for (size_t lo = 0; lo < count; lo += 2 * width) {
      const size_t mid = lo + width < count ? lo + width : count;
      const size_t hi = mid + width < count ? mid + width : count;
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi) {
        const lib::StringView x(from[i].data, from[i].size), y(from[j].data, from[j].size);
        to[k++] = compare_lines(o, y, x) < 0 ? from[j++] : from[i++];
      }
      while (i < mid) to[k++] = from[i++];
      while (j < hi) to[k++] = from[j++];
    }
    SortLine* swap = from;
    from = to;
    to = swap;
    if (width > SIZE_MAX / 2) break;
  }
  if (from != lines)
    for (size_t i = 0; i < count; ++i) lines[i] = from[i];
}

}  // namespace text
