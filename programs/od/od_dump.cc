#include "programs/od/od_dump.h"

namespace text {

namespace {

// GNU's field widths, by size in bytes (index 1, 2, 4, 8).
uint8_t digits(char kind, size_t size) {
  const size_t i = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
  static constexpr uint8_t kOctal[] = {3, 6, 11, 22};
  static constexpr uint8_t kSigned[] = {4, 6, 11, 20};
  static constexpr uint8_t kUnsigned[] = {3, 5, 10, 20};
  static constexpr uint8_t kHex[] = {2, 4, 8, 16};
  switch (kind) {
    case 'o': return kOctal[i];
    case 'd': return kSigned[i];
    case 'u': return kUnsigned[i];
    case 'x': return kHex[i];
    default: return 3;  // a, c
  }
}

constexpr const char* kNames[33] = {"nul", "soh", "stx", "etx", "eot", "enq", "ack", "bel", "bs",
                                    "ht",  "nl",  "vt",  "ff",  "cr",  "so",  "si",  "dle", "dc1",
                                    "dc2", "dc3", "dc4", "nak", "syn", "etb", "can", "em",  "sub",
                                    "esc", "fs",  "gs",  "rs",  "us",  "sp"};

size_t gcd(size_t a, size_t b) {
  while (b) {
    const size_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

void spaces(lib::Sink& out, size_t n) {
  static constexpr char kSpaces[] = "                                ";
  while (n) {
    const size_t k = n < sizeof(kSpaces) - 1 ? n : sizeof(kSpaces) - 1;
    out.write(kSpaces, k);
    n -= k;
  }
}

// value's digits in base, at least min_digits of them (zero-padded), into the end of buf;
// returns where they begin.
char* digits_of(uint64_t value, unsigned base, size_t min_digits, char* end) {
  char* p = end;
  size_t n = 0;
  do {
    *--p = "0123456789abcdef"[value % base];
    value /= base;
    ++n;
  } while (value);
  while (n++ < min_digits) *--p = '0';
  return p;
}

}  // namespace

bool od_add_types(lib::StringView spec, OdLayout* layout, char* why, size_t why_size) {
  size_t i = 0;
  if (spec.size() == 0) {
    lib::format_to(why, why_size, "invalid type string '{}'", spec);
    return false;
  }
  while (i < spec.size()) {
    OdType t;
    t.kind = spec[i++];
    switch (t.kind) {
      case 'a':
      case 'c': t.size = 1; break;
      case 'd':
      case 'o':
      case 'u':
      case 'x': {
        t.size = 4;
        if (i < spec.size()) {
          const char s = spec[i];
          if (s == 'C')
            t.size = 1, ++i;
          else if (s == 'S')
            t.size = 2, ++i;
          else if (s == 'I')
            t.size = 4, ++i;
          else if (s == 'L')
            t.size = 8, ++i;
          else if (s >= '0' && s <= '9') {
            size_t n = 0;
            const size_t start = i;
            while (i < spec.size() && spec[i] >= '0' && spec[i] <= '9' && n < 1000)
              n = n * 10 + static_cast<size_t>(spec[i++] - '0');
            if (n != 1 && n != 2 && n != 4 && n != 8) {
              lib::format_to(why, why_size,
                             "invalid type string '{}';\nthis system doesn't provide a {}-byte "
                             "integral type",
                             spec.substr(start - 1, i - start + 1), n);
              return false;
            }
            t.size = static_cast<uint8_t>(n);
          }
        }
        break;
      }
      case 'f':
        lib::format_to(why, why_size, "floating point types are not supported: '{}'", spec);
        return false;
      default:
        lib::format_to(why, why_size, "invalid character '{}' in type string '{}'",
                       spec.substr(i - 1, 1), spec);
        return false;
    }
    if (i < spec.size() && spec[i] == 'z') {
      t.trailer = true;
      ++i;
    }
    if (layout->count == kOdMaxTypes) {
      lib::format_to(why, why_size, "too many types");
      return false;
    }
    layout->types[layout->count++] = t;
  }
  return true;
}

bool od_prepare(OdLayout* l, char* why, size_t why_size) {
  if (l->count == 0) l->types[l->count++] = OdType{'o', 2, false, 0, 0};
  size_t lcm = 1;
  for (size_t i = 0; i < l->count; ++i) lcm = lcm / gcd(lcm, l->types[i].size) * l->types[i].size;
  if (why_size) why[0] = '\0';
  if (l->bytes_per_line > kOdMaxLineBytes) {
    lib::format_to(why, why_size, "invalid -w argument '{}'", l->bytes_per_line);
    return false;
  }
  if (l->bytes_per_line == 0 || l->bytes_per_line % lcm != 0) {
    lib::format_to(why, why_size, "warning: invalid width {}; using {} instead", l->bytes_per_line,
                   lcm);
    l->bytes_per_line = lcm;
  }
  // As GNU: every type's line as wide as the widest, the extra spaces shared among fields.
  size_t line_width = 0;
  for (size_t i = 0; i < l->count; ++i) {
    OdType& t = l->types[i];
    t.width = digits(t.kind, t.size);
    const size_t w = (t.width + 1) * (l->bytes_per_line / t.size);
    if (w > line_width) line_width = w;
  }
  for (size_t i = 0; i < l->count; ++i) {
    OdType& t = l->types[i];
    t.pad = static_cast<uint32_t>(line_width - t.width * (l->bytes_per_line / t.size));
  }
  return true;
}

bool od_parse_count(lib::StringView s, uint64_t* out) {
  size_t i = 0;
  unsigned base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    i = 2;
  } else if (s.size() > 1 && s[0] == '0') {
    base = 8;
  }
  const size_t start = i;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    unsigned d;
    if (c >= '0' && c <= '9') {
      d = static_cast<unsigned>(c - '0');
    } else if (base == 16 && c >= 'a' && c <= 'f') {
      d = static_cast<unsigned>(c - 'a' + 10);
    } else if (base == 16 && c >= 'A' && c <= 'F') {
      d = static_cast<unsigned>(c - 'A' + 10);
    } else {
      break;
    }
    if (d >= base) return false;
    if (v > (UINT64_MAX - d) / base) return false;
    v = v * base + d;
  }
  if (i == start) return false;
  const lib::StringView suffix = s.substr(i);
  uint64_t m = 1;
  if (suffix.size() == 0) {
    m = 1;
  } else if (suffix == "b") {
    m = 512;
  } else if (suffix == "k" || suffix == "K" || suffix == "KiB") {
    m = 1024;
  } else if (suffix == "m" || suffix == "M" || suffix == "MiB") {
    m = 1024 * 1024;
  } else if (suffix == "g" || suffix == "G" || suffix == "GiB") {
    m = 1024 * 1024 * 1024;
  } else if (suffix == "kB" || suffix == "KB") {
    m = 1000;
  } else if (suffix == "MB") {
    m = 1000 * 1000;
  } else if (suffix == "GB") {
    m = 1000 * 1000 * 1000;
  } else {
    return false;
  }
  if (v > UINT64_MAX / m) return false;
  *out = v * m;
  return true;
}

void OdDump::offset(uint64_t value) {
  char buf[32];
  char* end = buf + sizeof(buf);
  char* p = end;
  switch (l_.radix) {
    case OdRadix::kOctal: p = digits_of(value, 8, 7, end); break;
    case OdRadix::kDecimal: p = digits_of(value, 10, 7, end); break;
    case OdRadix::kHex: p = digits_of(value, 16, 6, end); break;
    case OdRadix::kNone: return;
  }
  out_.write(p, static_cast<size_t>(end - p));
}

// One type's fields for the first n bytes of line_ (n a multiple of its size), right-aligned
// in widths that share the type's padding out as GNU does.
void OdDump::fields(const OdType& t, size_t n) {
  const size_t per_line = l_.bytes_per_line / t.size;
  const size_t count = n / t.size;
  size_t pad_left = t.pad;
  for (size_t f = 0; f < count; ++f) {
    const size_t remaining = per_line - f;  // GNU's i, counting down
    const size_t next_pad = t.pad * (remaining - 1) / per_line;
    const size_t width = pad_left - next_pad + t.width;
    pad_left = next_pad;
    const uint8_t* b = line_ + f * t.size;
    uint64_t v = 0;
    for (size_t k = t.size; k-- > 0;) v = v << 8 | b[k];  // little-endian
    char buf[32];
    char* end = buf + sizeof(buf);
    char* p = end;
    switch (t.kind) {
      case 'o': p = digits_of(v, 8, t.width, end); break;
      case 'x': p = digits_of(v, 16, t.width, end); break;
      case 'u': p = digits_of(v, 10, 1, end); break;
      case 'd': {
        const unsigned bits = t.size * 8u;
        const bool negative = bits < 64 ? (v >> (bits - 1)) & 1 : (v >> 63) & 1;
        uint64_t magnitude = v;
        if (negative) {
          const uint64_t full = bits < 64 ? v | (~uint64_t{0} << bits) : v;
          magnitude = ~full + 1;
        }
        p = digits_of(magnitude, 10, 1, end);
        if (negative) *--p = '-';
        break;
      }
      case 'a': {
        const uint8_t c = static_cast<uint8_t>(v & 0x7f);
        const char* name = c <= 32 ? kNames[c] : c == 127 ? "del" : nullptr;
        if (name) {
          const lib::StringView s(name);
          p = end - s.size();
          __builtin_memcpy(p, s.data(), s.size());
        } else {
          *--p = static_cast<char>(c);
        }
        break;
      }
      default: {  // c
        const uint8_t c = static_cast<uint8_t>(v);
        const char* named = nullptr;
        switch (c) {
          case '\0': named = "\\0"; break;
          case '\a': named = "\\a"; break;
          case '\b': named = "\\b"; break;
          case '\f': named = "\\f"; break;
          case '\n': named = "\\n"; break;
          case '\r': named = "\\r"; break;
          case '\t': named = "\\t"; break;
          case '\v': named = "\\v"; break;
          default: break;
        }
        if (named) {
          p = end - 2;
          p[0] = named[0];
          p[1] = named[1];
        } else if (c >= 32 && c < 127) {
          *--p = static_cast<char>(c);
        } else {
          p = digits_of(c, 8, 3, end);
        }
        break;
      }
    }
    const size_t len = static_cast<size_t>(end - p);
    if (len < width) spaces(out_, width - len);
    out_.write(p, len);
  }
}

void OdDump::line(size_t n) {
  const bool full = n == l_.bytes_per_line;
  if (!l_.all && !first_ && full && __builtin_memcmp(line_, previous_, n) == 0) {
    if (!starred_) out_.write("*\n", 2);
    starred_ = true;
    offset_ += n;
    return;
  }
  starred_ = false;
  first_ = false;
  // Zero bytes up to a whole number of every type.
  size_t padded = n;
  for (size_t i = 0; i < l_.count; ++i)
    while (padded % l_.types[i].size) ++padded;
  for (size_t i = n; i < padded; ++i) line_[i] = 0;
  for (size_t i = 0; i < l_.count; ++i) {
    const OdType& t = l_.types[i];
    if (i == 0) {
      offset(offset_);
    } else {
      spaces(out_, l_.radix == OdRadix::kNone ? 0 : l_.radix == OdRadix::kHex ? 6 : 7);
    }
    fields(t, padded - padded % t.size);
    if (t.trailer) {
      const size_t per_line = l_.bytes_per_line / t.size;
      const size_t blank = (l_.bytes_per_line - padded) / t.size;
      spaces(out_, blank * t.width + t.pad * blank / per_line);
      out_.write("  >", 3);
      for (size_t k = 0; k < n; ++k) {
        const char c = static_cast<char>(line_[k] >= 32 && line_[k] < 127 ? line_[k] : '.');
        out_.write(&c, 1);
      }
      out_.write("<", 1);
    }
    out_.write("\n", 1);
  }
  __builtin_memcpy(previous_, line_, n);
  offset_ += n;
}

void OdDump::feed(const uint8_t* data, size_t n) {
  while (n) {
    size_t k = l_.bytes_per_line - used_;
    if (k > n) k = n;
    __builtin_memcpy(line_ + used_, data, k);
    used_ += k;
    data += k;
    n -= k;
    if (used_ == l_.bytes_per_line) {
      line(used_);
      used_ = 0;
    }
  }
}

void OdDump::finish() {
  if (used_) line(used_);
  used_ = 0;
  if (l_.radix == OdRadix::kNone) return;
  offset(offset_);
  out_.write("\n", 1);
}

}  // namespace text
