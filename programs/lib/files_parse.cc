#include "programs/lib/files_parse.h"

#include <lib/date.h>

#include "programs/lib/parse.h"

namespace cmd {

namespace {

bool digits(lib::StringView text, size_t at, size_t count, uint32_t* out) {
  if (at + count > text.size()) return false;
  uint32_t v = 0;
  for (size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    v = v * 10 + static_cast<uint32_t>(text[i] - '0');
  }
  *out = v;
  return true;
}

bool to_seconds(const lib::DateTime& t, int64_t* seconds) {
  const lib::Result<uint64_t> s = lib::seconds_since_epoch(t);
  if (!s.ok()) return false;
  *seconds = static_cast<int64_t>(s.value());
  return true;
}

// The bits a who-set ('u', 'g', 'o' letters as a mask 4/2/1) covers of each permission
// triple, plus the special bits that go with them.
uint32_t who_bits(unsigned who) {
  uint32_t bits = 0;
  if (who & 4) bits |= 04700;
  if (who & 2) bits |= 02070;
  if (who & 1) bits |= 01007;
  return bits;
}

// 'u', 'g', 'o', 'a' as a who-set; 0 for another character.
unsigned who_letter(char c) {
  switch (c) {
    case 'u': return 4;
    case 'g': return 2;
    case 'o': return 1;
    case 'a': return 7;
    default: return 0;
  }
}

// A permission letter's bits for every class; 0 for another character. X is x if
// executable (a directory, or a file with an x bit), else nothing, but still a letter.
uint32_t perm_letter(char c, bool executable) {
  switch (c) {
    case 'r': return 0444;
    case 'w': return 0222;
    case 'x': return 0111;
    case 'X': return executable ? 0111 : 0100000;  // nonzero, outside the permissions
    case 's': return 06000;
    case 't': return 01000;
    default: return 0;
  }
}

}  // namespace

bool parse_mode(lib::StringView text, uint32_t base, uint32_t umask, bool is_dir, uint32_t* out) {
  if (text.empty()) return false;
  if (text[0] >= '0' && text[0] <= '7') {
    uint32_t v = 0;
    for (const char c : text) {
      if (c < '0' || c > '7') return false;
      v = v * 8 + static_cast<uint32_t>(c - '0');
      if (v > 07777) return false;
    }
    *out = v;
    return true;
  }
  uint32_t mode = base & 07777;
  size_t i = 0;
  for (;;) {
    unsigned who = 0;
    for (; i < text.size() && who_letter(text[i]); ++i) who |= who_letter(text[i]);
    const bool implicit = who == 0;
    const uint32_t mask = implicit ? 07777 & ~umask : who_bits(who);
    if (i == text.size() || (text[i] != '+' && text[i] != '-' && text[i] != '=')) return false;
    while (i < text.size() && (text[i] == '+' || text[i] == '-' || text[i] == '=')) {
      const char op = text[i++];
      uint32_t perms = 0;
      if (i < text.size() && (text[i] == 'u' || text[i] == 'g' || text[i] == 'o')) {
        // Copy one class's bits to every class.
        const int shift = text[i] == 'u' ? 6 : text[i] == 'g' ? 3 : 0;
        const uint32_t triple = (mode >> shift) & 7;
        perms = triple << 6 | triple << 3 | triple;
        ++i;
      } else {
        for (; i < text.size() && perm_letter(text[i], 0); ++i)
          perms |= perm_letter(text[i], is_dir || (mode & 0111));
      }
      const uint32_t affected = perms & mask;
      if (op == '+') mode |= affected;
      if (op == '-') mode &= ~affected;
      if (op == '=') mode = (mode & ~who_bits(implicit ? 7 : who)) | affected;
    }
    if (i == text.size()) break;
    if (text[i] != ',') return false;
    ++i;
  }
  *out = mode;
  return true;
}

bool parse_touch_stamp(lib::StringView text, uint32_t now_year, int64_t* seconds) {
  uint32_t sec = 0;
  const size_t dot = text.find('.');
  if (dot != lib::StringView::kNpos) {
    if (text.size() - dot != 3 || !digits(text, dot + 1, 2, &sec)) return false;
    text = text.substr(0, dot);
  }
  uint32_t year = now_year;
  size_t at = 0;
  if (text.size() == 12) {
    if (!digits(text, 0, 4, &year)) return false;
    at = 4;
  } else if (text.size() == 10) {
    uint32_t yy = 0;
    if (!digits(text, 0, 2, &yy)) return false;
    year = yy >= 69 ? 1900 + yy : 2000 + yy;
    at = 2;
  } else if (text.size() != 8) {
    return false;
  }
  uint32_t month = 0, day = 0, hour = 0, minute = 0;
  if (!digits(text, at, 2, &month) || !digits(text, at + 2, 2, &day) ||
      !digits(text, at + 4, 2, &hour) || !digits(text, at + 6, 2, &minute))
    return false;
  if (sec > 59) return false;  // no leap seconds
  lib::DateTime t;
  t.year = year;
  t.month = static_cast<uint8_t>(month);
  t.day = static_cast<uint8_t>(day);
  t.hour = static_cast<uint8_t>(hour);
  t.minute = static_cast<uint8_t>(minute);
  t.second = static_cast<uint8_t>(sec);
  if (month > 12 || day > 31 || hour > 23 || minute > 59) return false;
  return to_seconds(t, seconds);
}

bool parse_date(lib::StringView text, int64_t* seconds) {
  if (!text.empty() && text[0] == '@') return parse_i64(text.substr(1), seconds);
  uint32_t year = 0, month = 0, day = 0, hour = 0, minute = 0, sec = 0;
  if (text.size() < 10 || !digits(text, 0, 4, &year) || text[4] != '-' ||
      !digits(text, 5, 2, &month) || text[7] != '-' || !digits(text, 8, 2, &day))
    return false;
  if (text.size() > 10) {
    if ((text[10] != ' ' && text[10] != 'T') || text.size() < 16 || !digits(text, 11, 2, &hour) ||
        text[13] != ':' || !digits(text, 14, 2, &minute))
      return false;
    if (text.size() > 16) {
      if (text.size() != 19 || text[16] != ':' || !digits(text, 17, 2, &sec)) return false;
    }
  }
  if (month > 12 || day > 31 || hour > 23 || minute > 59 || sec > 59) return false;
  lib::DateTime t;
  t.year = year;
  t.month = static_cast<uint8_t>(month);
  t.day = static_cast<uint8_t>(day);
  t.hour = static_cast<uint8_t>(hour);
  t.minute = static_cast<uint8_t>(minute);
  t.second = static_cast<uint8_t>(sec);
  return to_seconds(t, seconds);
}

bool parse_find_size(lib::StringView text, SizeTest* out) {
  SizeTest t;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    t.sign = text[0] == '+' ? 1 : -1;
    text = text.substr(1);
  }
  if (!text.empty()) {
    const char last = text[text.size() - 1];
    uint64_t unit = 0;
    switch (last) {
      case 'c': unit = 1; break;
      case 'w': unit = 2; break;
      case 'b': unit = 512; break;
      case 'k': unit = 1024; break;
      case 'M': unit = uint64_t{1} << 20; break;
      case 'G': unit = uint64_t{1} << 30; break;
      default: break;
    }
    if (unit) {
      t.unit = unit;
      text = text.substr(0, text.size() - 1);
    }
  }
  if (!parse_u64(text, &t.count)) return false;
  *out = t;
  return true;
}

bool find_size_matches(const SizeTest& test, uint64_t size) {
  const uint64_t units = size / test.unit + (size % test.unit ? 1 : 0);
  if (test.sign > 0) return units > test.count;
  if (test.sign < 0) return units < test.count;
  return units == test.count;
}

}  // namespace cmd
