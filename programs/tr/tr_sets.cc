#include "programs/tr/tr_sets.h"

namespace text {

namespace {

bool in_class(lib::StringView name, uint8_t c, bool* known) {
  const bool upper = c >= 'A' && c <= 'Z', lower = c >= 'a' && c <= 'z';
  const bool digit = c >= '0' && c <= '9';
  *known = true;
  if (name == "upper") return upper;
  if (name == "lower") return lower;
  if (name == "digit") return digit;
  if (name == "alpha") return upper || lower;
  if (name == "alnum") return upper || lower || digit;
  if (name == "space") return c == ' ' || (c >= '\t' && c <= '\r');
  if (name == "blank") return c == ' ' || c == '\t';
  if (name == "punct") return c > ' ' && c < 127 && !upper && !lower && !digit;
  if (name == "print") return c >= ' ' && c < 127;
  if (name == "graph") return c > ' ' && c < 127;
  if (name == "cntrl") return c < ' ' || c == 127;
  if (name == "xdigit") return digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  *known = false;
  return false;
}

// One byte of the spec at *at, escapes decoded.
uint8_t next_byte(lib::StringView s, size_t* at) {
  const uint8_t c = static_cast<uint8_t>(s[(*at)++]);
  if (c != '\\' || *at == s.size()) return c;
  const char e = s[(*at)++];
  switch (e) {
    case 'a': return '\a';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'v': return '\v';
    default: break;
  }
  if (e >= '0' && e <= '7') {
    unsigned v = static_cast<unsigned>(e - '0');
    for (int i = 0; i < 2 && *at < s.size() && s[*at] >= '0' && s[*at] <= '7'; ++i) {
      const unsigned next = v * 8 + static_cast<unsigned>(s[*at] - '0');
      if (next > 255) break;
      v = next;
      ++*at;
    }
    return static_cast<uint8_t>(v);
  }
  return static_cast<uint8_t>(e);
}

bool push(TrSet* out, uint8_t c) {
  if (out->size == kMaxSetBytes) return false;
  out->bytes[out->size++] = c;
  return true;
}

}  // namespace

bool expand_set(lib::StringView s, size_t fill_to, TrSet* out, const char** why) {
  out->size = 0;
  size_t fill_at = SIZE_MAX;  // where a [c*] goes
  uint8_t fill_byte = 0;
  *why = "set too long";
  for (size_t at = 0; at < s.size();) {
    if (s[at] == '[' && at + 1 < s.size() && s[at + 1] == ':') {
      const size_t end = s.find(":]", at + 2);
      if (end != lib::StringView::kNpos) {
        const lib::StringView name = s.substr(at + 2, end - at - 2);
        bool known = false;
        in_class(name, 0, &known);
        if (!known) {
          *why = "invalid character class";
          return false;
        }
        for (unsigned c = 0; c < 256; ++c)
          if (in_class(name, static_cast<uint8_t>(c), &known) &&
              !push(out, static_cast<uint8_t>(c)))
            return false;
        at = end + 2;
        continue;
      }
    }
    if (s[at] == '[' && at + 1 < s.size() && s[at + 1] == '=') {
      size_t inner = at + 2;
      if (inner < s.size()) {
        const uint8_t c = next_byte(s, &inner);
        if (inner + 1 < s.size() && s[inner] == '=' && s[inner + 1] == ']') {
          if (!push(out, c)) return false;
          at = inner + 2;
          continue;
        }
      }
    }
    if (s[at] == '[' && at + 1 < s.size()) {  // [c*n] or [c*]
      size_t inner = at + 1;
      const uint8_t c = next_byte(s, &inner);
      if (inner < s.size() && s[inner] == '*') {
        size_t end = inner + 1;
        uint64_t n = 0;
        bool octal = end < s.size() && s[end] == '0';
        while (end < s.size() && s[end] >= '0' && s[end] <= '9') {
          const uint64_t d = static_cast<uint64_t>(s[end] - '0');
          n = n > kMaxSetBytes ? n : n * (octal ? 8 : 10) + d;
          ++end;
        }
        if (end < s.size() && s[end] == ']') {
          if (end == inner + 1 || n == 0) {  // [c*]: as many as SET1 needs
            if (fill_to == 0) {
              *why = "the [c*] repeat construct may not appear in string1";
              return false;
            }
            if (fill_at != SIZE_MAX) {
              *why = "only one [c*] repeat construct may appear in string2";
              return false;
            }
            fill_at = out->size;
            fill_byte = c;
          } else {
            for (uint64_t i = 0; i < n; ++i)
              if (!push(out, c)) return false;
          }
          at = end + 1;
          continue;
        }
      }
    }
    const uint8_t lo = next_byte(s, &at);
    if (at + 1 < s.size() && s[at] == '-') {
      size_t hi_at = at + 1;
      const uint8_t hi = next_byte(s, &hi_at);
      if (hi < lo) {
        *why = "range-endpoints are in reverse collating sequence order";
        return false;
      }
      for (unsigned c = lo; c <= hi; ++c)
        if (!push(out, static_cast<uint8_t>(c))) return false;
      at = hi_at;
      continue;
    }
    if (!push(out, lo)) return false;
  }
  if (fill_at != SIZE_MAX) {
    // Open a gap at fill_at as wide as SET1 needs beyond the rest.
    const size_t gap = fill_to > out->size ? fill_to - out->size : 0;
    if (out->size + gap > kMaxSetBytes) return false;
    for (size_t i = out->size; i > fill_at; --i) out->bytes[i - 1 + gap] = out->bytes[i - 1];
    for (size_t i = 0; i < gap; ++i) out->bytes[fill_at + i] = fill_byte;
    out->size += gap;
  }
  return true;
}

void complement_set(const TrSet& set, TrSet* out) {
  bool present[256] = {};
  for (size_t i = 0; i < set.size; ++i) present[set.bytes[i]] = true;
  out->size = 0;
  for (unsigned c = 0; c < 256; ++c)
    if (!present[c]) out->bytes[out->size++] = static_cast<uint8_t>(c);
}

bool plan_tr(const TrSet& set1, const TrSet* set2, bool delete_, bool squeeze, TrPlan* plan,
             const char** why) {
  for (unsigned c = 0; c < 256; ++c) {
    plan->map[c] = static_cast<uint8_t>(c);
    plan->remove[c] = false;
    plan->squeeze[c] = false;
  }
  if (delete_) {
    for (size_t i = 0; i < set1.size; ++i) plan->remove[set1.bytes[i]] = true;
    if (squeeze) {
      if (!set2) {
        *why = "missing operand: -ds needs two sets";
        return false;
      }
      for (size_t i = 0; i < set2->size; ++i) plan->squeeze[set2->bytes[i]] = true;
    } else if (set2) {
      *why = "extra operand: -d takes one set";
      return false;
    }
    return true;
  }
  if (!set2) {
    if (!squeeze) {
      *why = "missing operand: two sets are needed to translate";
      return false;
    }
    for (size_t i = 0; i < set1.size; ++i) plan->squeeze[set1.bytes[i]] = true;
    return true;
  }
  if (set2->size == 0 && set1.size > 0) {
    *why = "when not truncating set1, string2 must be non-empty";
    return false;
  }
  for (size_t i = 0; i < set1.size; ++i) {
    const size_t j = i < set2->size ? i : set2->size - 1;
    plan->map[set1.bytes[i]] = set2->bytes[j];
  }
  if (squeeze)
    for (size_t i = 0; i < set2->size; ++i) plan->squeeze[set2->bytes[i]] = true;
  return true;
}

size_t apply_tr(const TrPlan& plan, const char* data, size_t size, char* out, int* last) {
  size_t n = 0;
  for (size_t i = 0; i < size; ++i) {
    const uint8_t in = static_cast<uint8_t>(data[i]);
    if (plan.remove[in]) continue;
    const uint8_t b = plan.map[in];
    if (plan.squeeze[b] && *last == b) continue;
    out[n++] = static_cast<char>(b);
    *last = b;
  }
  return n;
}

}  // namespace text
