#include "servers/fs/fat/names.h"

#include "servers/fs/fat/layout.h"

namespace stellina::fs::fat {

namespace {

constexpr uint16_t kReplacement = 0xFFFD;

bool forbidden_in_long_name(uint32_t c) {
  if (c < 0x20 || c == 0x7F) return true;
  switch (c) {
    case '"':
    case '*':
    case '/':
    case ':':
    case '<':
    case '>':
    case '?':
    case '\\':
    case '|': return true;
    default: return false;
  }
}

// Characters a short name may hold besides A-Z and 0-9.
bool short_name_char(uint16_t c) {
  if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '$':
    case '%':
    case '\'':
    case '-':
    case '_':
    case '@':
    case '~':
    case '`':
    case '!':
    case '(':
    case ')':
    case '{':
    case '}':
    case '^':
    case '#':
    case '&': return true;
    default: return false;
  }
}

uint16_t downcase_ascii(uint8_t c) {
  return c >= 'A' && c <= 'Z' ? static_cast<uint16_t>(c + 32) : c;
}

// Decodes one UTF-8 character at name[i]; -1 if malformed.
int64_t decode_utf8(lib::StringView name, size_t& i) {
  const auto b0 = static_cast<uint8_t>(name[i++]);
  if (b0 < 0x80) return b0;
  int more = 0;
  uint32_t c = 0;
  uint32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    more = 1, c = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    more = 2, c = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    more = 3, c = b0 & 0x07, min = 0x10000;
  } else {
    return -1;
  }
  for (int k = 0; k < more; ++k) {
    if (i >= name.size()) return -1;
    const auto b = static_cast<uint8_t>(name[i++]);
    if ((b & 0xC0) != 0x80) return -1;
    c = (c << 6) | (b & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return -1;
  return c;
}

}  // namespace

Result<size_t> name_to_utf16(lib::StringView name, uint16_t* out) {
  if (name.empty()) return abi::kErrInvalidArgument;
  size_t n = 0;
  for (size_t i = 0; i < name.size();) {
    const int64_t c = decode_utf8(name, i);
    if (c < 0 || forbidden_in_long_name(static_cast<uint32_t>(c))) return abi::kErrInvalidArgument;
    const size_t units = c >= 0x10000 ? 2 : 1;
    if (n + units > kMaxNameUnits) return abi::kErrNameTooLong;
    if (c >= 0x10000) {
      const auto v = static_cast<uint32_t>(c - 0x10000);
      out[n++] = static_cast<uint16_t>(0xD800 + (v >> 10));
      out[n++] = static_cast<uint16_t>(0xDC00 + (v & 0x3FF));
    } else {
      out[n++] = static_cast<uint16_t>(c);
    }
  }
  // Windows drops trailing dots and spaces; a name ending in one cannot be kept as given.
  if (out[n - 1] == '.' || out[n - 1] == ' ') return abi::kErrInvalidArgument;
  return n;
}

size_t utf16_to_utf8(const uint16_t* units, size_t count, char* out) {
  size_t n = 0;
  for (size_t i = 0; i < count; ++i) {
    uint32_t c = units[i];
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < count && units[i + 1] >= 0xDC00 &&
        units[i + 1] <= 0xDFFF) {
      c = 0x10000 + ((c - 0xD800) << 10) + (units[i + 1] - 0xDC00);
      ++i;
    } else if (c >= 0xD800 && c <= 0xDFFF) {
      c = kReplacement;
    }
    if (c < 0x80) {
      out[n++] = static_cast<char>(c);
    } else if (c < 0x800) {
      out[n++] = static_cast<char>(0xC0 | (c >> 6));
      out[n++] = static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out[n++] = static_cast<char>(0xE0 | (c >> 12));
      out[n++] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out[n++] = static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out[n++] = static_cast<char>(0xF0 | (c >> 18));
      out[n++] = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out[n++] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out[n++] = static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return n;
}

uint16_t upcase(uint16_t c) {
  if (c >= 'a' && c <= 'z') return static_cast<uint16_t>(c - 32);
  if (c < 0xE0) return c;
  if (c <= 0xFE) return c == 0xF7 ? c : static_cast<uint16_t>(c - 32);
  if (c == 0xFF) return 0x178;
  if (c >= 0x100 && c <= 0x17F) {
    // Latin Extended-A pairs: upper even, lower odd, except the ranges shifted by one.
    const bool shifted = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
    if (c == 0x138 || c == 0x149 || c == 0x17F) return c;
    const bool lower = shifted ? (c % 2 == 0) : (c % 2 == 1);
    return lower ? static_cast<uint16_t>(c - 1) : c;
  }
  if (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) return static_cast<uint16_t>(c - 32);
  if (c >= 0x430 && c <= 0x44F) return static_cast<uint16_t>(c - 32);
  if (c >= 0x450 && c <= 0x45F) return static_cast<uint16_t>(c - 80);
  return c;
}

bool same_name(const uint16_t* a, size_t a_size, const uint16_t* b, size_t b_size) {
  if (a_size != b_size) return false;
  for (size_t i = 0; i < a_size; ++i)
    if (upcase(a[i]) != upcase(b[i])) return false;
  return true;
}

uint8_t short_name_checksum(const uint8_t* name11) {
  uint8_t sum = 0;
  for (int i = 0; i < 11; ++i)
    sum = static_cast<uint8_t>(((sum & 1) << 7) + (sum >> 1) + name11[i]);
  return sum;
}

size_t short_name_to_utf16(const uint8_t* entry, uint16_t* out) {
  const uint8_t flags = entry[kEntNtCase];
  size_t n = 0;
  auto put = [&](uint8_t c, bool lower) {
    if (c >= 0x80) {
      out[n++] = kReplacement;
    } else {
      out[n++] = lower ? downcase_ascii(c) : c;
    }
  };
  size_t base = 8;
  while (base > 0 && entry[base - 1] == ' ') --base;
  for (size_t i = 0; i < base; ++i) {
    const uint8_t c = i == 0 && entry[0] == kEntryE5 ? 0xE5 : entry[i];
    put(c, flags & kCaseLowerBase);
  }
  size_t ext = 3;
  while (ext > 0 && entry[8 + ext - 1] == ' ') --ext;
  if (ext) {
    out[n++] = '.';
    for (size_t i = 0; i < ext; ++i) put(entry[8 + i], flags & kCaseLowerExt);
  }
  return n;
}

bool exact_short_name(const uint16_t* name, size_t size, uint8_t* out11) {
  if (size == 0 || size > 12) return false;
  __builtin_memset(out11, ' ', 11);
  size_t base = 0;
  size_t ext = 0;
  bool in_ext = false;
  for (size_t i = 0; i < size; ++i) {
    const uint16_t c = name[i];
    if (c == '.') {
      if (in_ext || base == 0) return false;
      in_ext = true;
      continue;
    }
    if (!short_name_char(c)) return false;
    if (in_ext) {
      if (ext == 3) return false;
      out11[8 + ext++] = static_cast<uint8_t>(c);
    } else {
      if (base == 8) return false;
      out11[base++] = static_cast<uint8_t>(c);
    }
  }
  return !(in_ext && ext == 0);
}

bool basis_name(const uint16_t* name, size_t size, uint8_t* out11) {
  __builtin_memset(out11, ' ', 11);
  bool lossy = false;
  size_t start = 0;
  while (start < size && (name[start] == '.' || name[start] == ' ')) ++start;
  if (start) lossy = true;
  size_t dot = size;
  for (size_t i = size; i > start; --i) {
    if (name[i - 1] == '.') {
      dot = i - 1;
      break;
    }
  }
  auto convert = [&](uint16_t c) -> uint8_t {
    const uint16_t u = upcase(c);
    if (u < 0x80 && short_name_char(u)) return static_cast<uint8_t>(u);
    lossy = true;
    return '_';
  };
  size_t base = 0;
  for (size_t i = start; i < dot; ++i) {
    if (name[i] == ' ' || name[i] == '.') {
      lossy = true;
      continue;
    }
    if (base == 8) {
      lossy = true;
      break;
    }
    out11[base++] = convert(name[i]);
  }
  if (base == 0) out11[base++] = '_';
  size_t ext = 0;
  for (size_t i = dot + 1; i < size; ++i) {
    if (name[i] == ' ') {
      lossy = true;
      continue;
    }
    if (ext == 3) {
      lossy = true;
      break;
    }
    out11[8 + ext++] = convert(name[i]);
  }
  return lossy;
}

void hashed_basis(const uint16_t* name, size_t size, uint8_t* basis11) {
  uint32_t hash = 0x811C9DC5;
  for (size_t i = 0; i < size; ++i) hash = (hash ^ name[i]) * 0x01000193;
  constexpr char kHex[] = "0123456789ABCDEF";
  if (basis11[1] == ' ') basis11[1] = '_';
  for (int i = 0; i < 4; ++i) basis11[2 + i] = kHex[(hash >> (4 * i)) & 15];
  basis11[6] = basis11[7] = ' ';
}

void with_tail(const uint8_t* basis11, uint32_t n, uint8_t* out11) {
  char digits[8];
  size_t count = 0;
  for (uint32_t v = n; v; v /= 10) digits[count++] = static_cast<char>('0' + v % 10);
  size_t base = 8;
  while (base > 0 && basis11[base - 1] == ' ') --base;
  const size_t keep = base < 7 - count ? base : 7 - count;
  __builtin_memset(out11, ' ', 8);
  __builtin_memcpy(out11, basis11, keep);
  out11[keep] = '~';
  for (size_t i = 0; i < count; ++i) out11[keep + 1 + i] = digits[count - 1 - i];
  __builtin_memcpy(out11 + 8, basis11 + 8, 3);
}

uint32_t tail_of(const uint8_t* basis11, const uint8_t* name11) {
  if (__builtin_memcmp(basis11 + 8, name11 + 8, 3) != 0) return 0;
  size_t end = 8;
  while (end > 0 && name11[end - 1] == ' ') --end;
  size_t tilde = end;
  while (tilde > 0 && name11[tilde - 1] >= '0' && name11[tilde - 1] <= '9') --tilde;
  if (tilde == 0 || tilde == end || name11[tilde - 1] != '~' || name11[tilde] == '0') return 0;
  uint32_t n = 0;
  for (size_t i = tilde; i < end; ++i) n = n * 10 + (name11[i] - '0');
  uint8_t expected[11];
  with_tail(basis11, n, expected);
  return __builtin_memcmp(expected, name11, 11) == 0 ? n : 0;
}

}  // namespace stellina::fs::fat
