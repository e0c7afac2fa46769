#include "programs/date/date_format.h"

#include <lib/date.h>

namespace util::date_cmd {
namespace {

constexpr uint64_t kSecondsPerDay = 86400;

constexpr const char* kDays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                 "Thursday", "Friday", "Saturday"};
constexpr const char* kMonths[] = {"January",   "February", "March",    "April",
                                   "May",       "June",     "July",     "August",
                                   "September", "October",  "November", "December"};

// Everything a conversion may ask about one moment.
struct Fields {
  lib::DateTime t;
  uint64_t seconds = 0;
  uint32_t nanoseconds = 0;
  unsigned weekday = 0;  // 0 Sunday
  unsigned yday = 0;     // 0 on January 1st
};

unsigned weekday_of(uint64_t seconds) {
  return static_cast<unsigned>((seconds / kSecondsPerDay + 4) % 7);
}

Fields fields_of(uint64_t seconds, uint32_t nanoseconds) {
  Fields f;
  if (seconds > lib::kMaxSeconds) seconds = lib::kMaxSeconds;
  f.seconds = seconds;
  f.nanoseconds = nanoseconds;
  f.t = lib::date_from_seconds(seconds);
  f.weekday = weekday_of(seconds);
  lib::DateTime jan1;
  jan1.year = f.t.year;
  const lib::Result<uint64_t> start = lib::seconds_since_epoch(jan1);
  f.yday = start.ok() ? static_cast<unsigned>((seconds - start.value()) / kSecondsPerDay) : 0;
  return f;
}

// ISO 8601 week-numbering year and week (weeks start on Monday; week 1 holds January 4th).
unsigned iso_weeks_in(uint32_t year) {
  // Weekday of January 1st, from that of the day before: 1970 began on a Thursday.
  uint64_t days = 0;
  for (uint32_t y = 1970; y < year; ++y) days += lib::is_leap_year(y) ? 366 : 365;
  const unsigned jan1 = static_cast<unsigned>((days + 4) % 7);
  return jan1 == 4 || (lib::is_leap_year(year) && jan1 == 3) ? 53 : 52;
}

void iso_week(const Fields& f, uint32_t* year, unsigned* week) {
  const int monday_based = static_cast<int>((f.weekday + 6) % 7) + 1;  // 1 Monday .. 7 Sunday
  int w = (static_cast<int>(f.yday) + 1 - monday_based + 10) / 7;
  uint32_t y = f.t.year;
  if (w < 1) {
    y = y > 1970 ? y - 1 : y;
    w = static_cast<int>(iso_weeks_in(y));
  } else if (w > static_cast<int>(iso_weeks_in(y))) {
    ++y;
    w = 1;
  }
  *year = y;
  *week = static_cast<unsigned>(w);
}

struct Conversion {
  char pad = 0;  // 0: the conversion's own; '-' none; '_' spaces; '0' zeros
  bool upper = false;
  uint64_t width = 0;
  bool has_width = false;
};

class Formatter {
 public:
  Formatter(lib::Sink& out, const Fields& f) : out_(out), f_(f) {}

  void run(lib::StringView format) {
    for (size_t at = 0; at < format.size();) {
      if (format[at] != '%') {
        size_t end = format.find('%', at);
        if (end == lib::StringView::kNpos) end = format.size();
        out_.write(format.data() + at, end - at);
        at = end;
        continue;
      }
      at = conversion(format, at);
    }
  }

 private:
  void put(char c) { out_.write(&c, 1); }
  void repeat(char c, uint64_t n) {
    for (; n > 0; --n) put(c);
  }

  void number(const Conversion& c, uint64_t value, unsigned digits, char natural_pad) {
    char text[24];
    size_t n = 0;
    do {
      text[n++] = static_cast<char>('0' + value % 10);
      value /= 10;
    } while (value > 0);
    const char pad = c.pad == 0 ? natural_pad : c.pad == '_' ? ' ' : c.pad;
    const uint64_t width = c.has_width ? c.width : digits;
    if (pad != '-' && width > n) repeat(pad, width - n);
    while (n > 0) put(text[--n]);
  }

  void text(const Conversion& c, lib::StringView s) {
    if (c.has_width && c.width > s.size()) repeat(c.pad == '0' ? '0' : ' ', c.width - s.size());
    for (const char ch : s)
      put(c.upper && ch >= 'a' && ch <= 'z' ? static_cast<char>(ch - 'a' + 'A') : ch);
  }

  void nested(const Conversion& c, const char* format) {
    if (!c.has_width && !c.upper) return run(format);
    // A composite with flags: formatted first, then padded as text (bounded by its length).
    char buffer[64];
    lib::BufferSink sink(buffer, sizeof(buffer));
    Formatter(sink, f_).run(format);
    text(c, lib::StringView(buffer, sink.length()));
  }

  size_t conversion(lib::StringView format, size_t at) {
    const size_t start = at++;
    Conversion c;
    for (; at < format.size(); ++at) {
      const char ch = format[at];
      if (ch == '-' || ch == '_' || ch == '0')
        c.pad = ch;
      else if (ch == '^')
        c.upper = true;
      else if (ch != '#')
        break;
    }
    for (; at < format.size() && format[at] >= '0' && format[at] <= '9'; ++at) {
      c.has_width = true;
      c.width = c.width * 10 + static_cast<uint64_t>(format[at] - '0');
      if (c.width > kMaxWidth) c.width = kMaxWidth;
    }
    if (at >= format.size()) {  // a lone % at the end: as it is
      out_.write(format.data() + start, format.size() - start);
      return format.size();
    }
    const lib::DateTime& t = f_.t;
    const unsigned hour12 = t.hour % 12 == 0 ? 12 : t.hour % 12;
    uint32_t iso_year = 0;
    unsigned iso_week_number = 0;
    switch (format[at]) {
      case 'a': text(c, lib::StringView(kDays[f_.weekday], 3)); break;
      case 'A': text(c, kDays[f_.weekday]); break;
      case 'b':
      case 'h': text(c, lib::StringView(kMonths[t.month - 1], 3)); break;
      case 'B': text(c, kMonths[t.month - 1]); break;
      case 'c': nested(c, "%a %b %e %H:%M:%S %Y"); break;
      case 'C': number(c, t.year / 100, 2, '0'); break;
      case 'd': number(c, t.day, 2, '0'); break;
      case 'D':
      case 'x': nested(c, "%m/%d/%y"); break;
      case 'e': number(c, t.day, 2, ' '); break;
      case 'F': nested(c, "%Y-%m-%d"); break;
      case 'g':
      case 'G':
      case 'V':
        iso_week(f_, &iso_year, &iso_week_number);
        if (format[at] == 'V')
          number(c, iso_week_number, 2, '0');
        else if (format[at] == 'G')
          number(c, iso_year, 4, '0');
        else
          number(c, iso_year % 100, 2, '0');
        break;
      case 'H': number(c, t.hour, 2, '0'); break;
      case 'I': number(c, hour12, 2, '0'); break;
      case 'j': number(c, f_.yday + 1, 3, '0'); break;
      case 'k': number(c, t.hour, 2, ' '); break;
      case 'l': number(c, hour12, 2, ' '); break;
      case 'm': number(c, t.month, 2, '0'); break;
      case 'M': number(c, t.minute, 2, '0'); break;
      case 'n': put('\n'); break;
      case 'N': {
        // Nanoseconds; a width keeps that many leading digits (%3N: milliseconds).
        char digits[9];
        uint32_t v = f_.nanoseconds;
        for (int i = 8; i >= 0; --i, v /= 10) digits[i] = static_cast<char>('0' + v % 10);
        const uint64_t keep = c.has_width && c.width < 9 ? c.width : 9;
        out_.write(digits, static_cast<size_t>(keep));
        if (c.has_width && c.width > 9) repeat('0', c.width - 9);
        break;
      }
      case 'p': text(c, t.hour < 12 ? "AM" : "PM"); break;
      case 'P': text(c, t.hour < 12 ? "am" : "pm"); break;
      case 'r': nested(c, "%I:%M:%S %p"); break;
      case 'R': nested(c, "%H:%M"); break;
      case 's': number(c, f_.seconds, 1, '0'); break;
      case 'S': number(c, t.second, 2, '0'); break;
      case 't': put('\t'); break;
      case 'T':
      case 'X': nested(c, "%H:%M:%S"); break;
      case 'u': number(c, f_.weekday == 0 ? 7 : f_.weekday, 1, '0'); break;
      case 'U': number(c, (f_.yday + 7 - f_.weekday) / 7, 2, '0'); break;
      case 'w': number(c, f_.weekday, 1, '0'); break;
      case 'W': number(c, (f_.yday + 7 - (f_.weekday + 6) % 7) / 7, 2, '0'); break;
      case 'y': number(c, t.year % 100, 2, '0'); break;
      case 'Y': number(c, t.year, 1, '0'); break;
      case 'z': text(c, "+0000"); break;
      case 'Z': text(c, "UTC"); break;
      case '%': put('%'); break;
      default:  // unknown: as it is
        out_.write(format.data() + start, at + 1 - start);
        break;
    }
    return at + 1;
  }

  lib::Sink& out_;
  const Fields& f_;
};

// Exactly n digits at text[*at], advancing past them.
bool digits(lib::StringView text, size_t* at, size_t n, uint32_t* out) {
  uint32_t v = 0;
  for (size_t i = 0; i < n; ++i, ++*at) {
    if (*at >= text.size() || text[*at] < '0' || text[*at] > '9') return false;
    v = v * 10 + static_cast<uint32_t>(text[*at] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

void format_date(lib::Sink& out, lib::StringView format, uint64_t seconds, uint32_t nanoseconds) {
  const Fields f = fields_of(seconds, nanoseconds);
  Formatter(out, f).run(format);
}

bool parse_date(lib::StringView text, uint64_t* seconds) {
  if (!text.empty() && text[0] == '@') {
    uint64_t v = 0;
    const lib::StringView n = text.substr(1);
    if (n.empty()) return false;
    for (const char c : n) {
      if (c < '0' || c > '9') return false;
      if (v > (lib::kMaxSeconds - static_cast<uint64_t>(c - '0')) / 10) return false;
      v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    *seconds = v;
    return true;
  }
  size_t at = 0;
  uint32_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(text, &at, 4, &year) || at >= text.size() || text[at++] != '-' ||
      !digits(text, &at, 2, &month) || at >= text.size() || text[at++] != '-' ||
      !digits(text, &at, 2, &day))
    return false;
  if (at < text.size()) {
    if (text[at] != ' ' && text[at] != 'T') return false;
    ++at;
    if (!digits(text, &at, 2, &hour) || at >= text.size() || text[at++] != ':' ||
        !digits(text, &at, 2, &minute))
      return false;
    if (at < text.size() && (text[at++] != ':' || !digits(text, &at, 2, &second))) return false;
    if (at != text.size()) return false;
  }
  lib::DateTime t;
  t.year = year;
  t.month = static_cast<uint8_t>(month);
  t.day = static_cast<uint8_t>(day);
  t.hour = static_cast<uint8_t>(hour);
  t.minute = static_cast<uint8_t>(minute);
  t.second = static_cast<uint8_t>(second);
  const lib::Result<uint64_t> s = lib::seconds_since_epoch(t);
  if (!s.ok()) return false;
  *seconds = s.value();
  return true;
}

}  // namespace util::date_cmd
