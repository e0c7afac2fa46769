#include "programs/printf/printf_format.h"

#include "programs/lib/util_escape.h"
#include "programs/printf/printf_float.h"

namespace util::printf_cmd {
namespace {

constexpr size_t kMaxMessage = 256;

bool is_blank(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

int digit_value(char c, unsigned base) {
  int v = -1;
  if (c >= '0' && c <= '9') v = c - '0';
  if (c >= 'a' && c <= 'z') v = c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') v = c - 'A' + 10;
  return v >= 0 && static_cast<unsigned>(v) < base ? v : -1;
}

// The magnitude of arg after its blanks and sign, as strtoumax reads it; *negative says
// whether a '-' came first. kRange leaves UINT64_MAX.
NumberStatus parse_magnitude(lib::StringView arg, bool* negative, uint64_t* out) {
  *negative = false;
  *out = 0;
  if (arg.empty()) return NumberStatus::kOk;
  if (arg[0] == '\'' || arg[0] == '"') {
    // The character's code (GNU warns of more characters; the value is the first one's).
    *out = arg.size() > 1 ? static_cast<uint8_t>(arg[1]) : 0;
    return arg.size() > 1 ? NumberStatus::kOk : NumberStatus::kNotNumber;
  }
  size_t at = 0;
  while (at < arg.size() && is_blank(arg[at])) ++at;
  if (at < arg.size() && (arg[at] == '-' || arg[at] == '+')) *negative = arg[at++] == '-';
  unsigned base = 10;
  if (at + 1 < arg.size() && arg[at] == '0' && (arg[at + 1] == 'x' || arg[at + 1] == 'X') &&
      at + 2 < arg.size() && digit_value(arg[at + 2], 16) >= 0) {
    base = 16;
    at += 2;
  } else if (at < arg.size() && arg[at] == '0') {
    base = 8;
  }
  const size_t first = at;
  bool overflow = false;
  uint64_t value = 0;
  for (int d; at < arg.size() && (d = digit_value(arg[at], base)) >= 0; ++at) {
    if (value > (UINT64_MAX - static_cast<uint64_t>(d)) / base) overflow = true;
    value = value * base + static_cast<uint64_t>(d);
  }
  if (at == first) return NumberStatus::kNotNumber;
  if (overflow) {
    *out = UINT64_MAX;
    return NumberStatus::kRange;
  }
  *out = value;
  return at == arg.size() ? NumberStatus::kOk : NumberStatus::kPartial;
}

}  // namespace

NumberStatus parse_signed(lib::StringView arg, int64_t* out) {
  bool negative = false;
  uint64_t magnitude = 0;
  NumberStatus status = parse_magnitude(arg, &negative, &magnitude);
  const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  if (status == NumberStatus::kRange || magnitude > limit) {
    magnitude = limit;
    status = NumberStatus::kRange;
  }
  *out = negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
  return status;
}

NumberStatus parse_unsigned(lib::StringView arg, uint64_t* out) {
  bool negative = false;
  uint64_t magnitude = 0;
  const NumberStatus status = parse_magnitude(arg, &negative, &magnitude);
  *out = negative && status != NumberStatus::kRange ? 0 - magnitude : magnitude;
  return status;
}

namespace {

struct Spec {
  bool left = false, plus = false, space = false, alt = false, zero = false;
  uint64_t width = 0;
  bool has_precision = false;
  uint64_t precision = 0;
  char conversion = 0;
};

class Printer {
 public:
  Printer(const lib::StringView* args, size_t count, lib::Sink& out, Diagnostics& diagnostics)
      : args_(args), count_(count), out_(out), diagnostics_(diagnostics) {}

  // One pass over the format: false if output must end (\c, or a fatal error).
  bool pass(lib::StringView format);
  size_t used() const { return used_; }
  int status() const { return status_; }

 private:
  void put(char c) { out_.write(&c, 1); }
  void write(lib::StringView s) { out_.write(s.data(), s.size()); }
  void pad(uint64_t n, char c) {
    char run[64];
    for (char& r : run) r = c;
    for (; n > 0;) {
      const size_t k = n < sizeof(run) ? static_cast<size_t>(n) : sizeof(run);
      out_.write(run, k);
      n -= k;
    }
  }

  template <typename... Args>
  void error(const char* fmt, const Args&... args) {
    char text[kMaxMessage];
    const size_t n = lib::format_to(text, sizeof(text), fmt, args...);
    diagnostics_.error(lib::StringView(text, n < sizeof(text) ? n : sizeof(text) - 1));
    status_ = 1;
  }
  void report(lib::StringView arg, NumberStatus status) {
    if (status == NumberStatus::kNotNumber) error("'{}': expected a numeric value", arg);
    if (status == NumberStatus::kPartial) error("'{}': value not completely converted", arg);
    if (status == NumberStatus::kRange) error("'{}': Numerical result out of range", arg);
  }

  lib::StringView next_arg() { return used_ < count_ ? args_[used_++] : lib::StringView(); }

  // A conversion at format[at] == '%': returns the index after it, or kNpos to stop.
  size_t convert(lib::StringView format, size_t at);
  bool field_from_arg(uint64_t* value, bool* negative);
  void integer(const Spec& s, lib::StringView arg);
  bool escaped_arg(lib::StringView arg);
  void text(const Spec& s, lib::StringView body);

  const lib::StringView* args_;
  size_t count_;
  lib::Sink& out_;
  Diagnostics& diagnostics_;
  size_t used_ = 0;
  int status_ = 0;
};

bool Printer::pass(lib::StringView format) {
  for (size_t at = 0; at < format.size();) {
    const char c = format[at];
    if (c == '%') {
      at = convert(format, at);
      if (at == lib::StringView::kNpos) return false;
    } else if (c == '\\') {
      const Escape e = read_escape(format.substr(at), EscapeStyle::kPrintfFormat);
      if (e.error) {
        error(format[at + 1] == 'x' ? "missing hexadecimal number in escape"
                                    : "invalid universal character name");
        return false;
      }
      if (e.stop) return false;
      out_.write(e.bytes, e.count);
      at += e.length;
    } else {
      const size_t end = format.find('%', at);
      const size_t slash = format.find('\\', at);
      const size_t stop = end < slash ? end : slash;
      write(format.substr(at, stop == lib::StringView::kNpos ? format.size() - at : stop - at));
      at = stop == lib::StringView::kNpos ? format.size() : stop;
    }
  }
  return true;
}

bool Printer::field_from_arg(uint64_t* value, bool* negative) {
  const lib::StringView arg = next_arg();
  int64_t v = 0;
  const NumberStatus status = parse_signed(arg, &v);
  if (status == NumberStatus::kRange || v > static_cast<int64_t>(kMaxField) ||
      v < -static_cast<int64_t>(kMaxField)) {
    error("invalid field width: '{}'", arg);
    return false;
  }
  report(arg, status);
  *negative = v < 0;
  *value = static_cast<uint64_t>(v < 0 ? -v : v);
  return true;
}

size_t Printer::convert(lib::StringView format, size_t at) {
  const size_t start = at++;
  if (at < format.size() && format[at] == '%') {
    put('%');
    return at + 1;
  }
  Spec s;
  bool any_flag = false;
  for (; at < format.size(); ++at) {
    const char c = format[at];
    if (c == '-')
      s.left = true;
    else if (c == '+')
      s.plus = true;
    else if (c == ' ')
      s.space = true;
    else if (c == '#')
      s.alt = true;
    else if (c == '0')
      s.zero = true;
    else if (c != '\'')
      break;
    any_flag = true;
  }
  bool has_width = false;
  if (at < format.size() && format[at] == '*') {
    bool negative = false;
    if (!field_from_arg(&s.width, &negative)) return lib::StringView::kNpos;
    if (negative) s.left = true;
    has_width = true;
    ++at;
  } else {
    for (; at < format.size() && format[at] >= '0' && format[at] <= '9'; ++at) {
      s.width = s.width * 10 + static_cast<uint64_t>(format[at] - '0');
      has_width = true;
      if (s.width > kMaxField) {
        error("invalid field width: '{}'", format.substr(start, at + 1 - start));
        return lib::StringView::kNpos;
      }
    }
  }
  if (at < format.size() && format[at] == '.') {
    ++at;
    s.has_precision = true;
    if (at < format.size() && format[at] == '*') {
      bool negative = false;
      if (!field_from_arg(&s.precision, &negative)) return lib::StringView::kNpos;
      if (negative) s.has_precision = false, s.precision = 0;
      ++at;
    } else {
      for (; at < format.size() && format[at] >= '0' && format[at] <= '9'; ++at) {
        s.precision = s.precision * 10 + static_cast<uint64_t>(format[at] - '0');
        if (s.precision > kMaxField) {
          error("invalid precision: '{}'", format.substr(start, at + 1 - start));
          return lib::StringView::kNpos;
        }
      }
    }
  }
  while (at < format.size() && lib::StringView("hlLjzt").find(format[at]) != lib::StringView::kNpos)
    ++at;
  s.conversion = at < format.size() ? format[at] : '\0';
  const lib::StringView spec = format.substr(start, at + 1 - start);
  bool valid = true;
  switch (s.conversion) {
    case 'd':
    case 'i':
    case 'u': valid = !s.alt; break;
    case 'o':
    case 'x':
    case 'X': break;
    case 'c': valid = !s.alt && !s.zero && !s.has_precision; break;
    case 's': valid = !s.alt && !s.zero; break;
    case 'b': valid = !any_flag && !has_width && !s.has_precision; break;
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G': break;
    case 'a':
    case 'A': error("{}: not supported", spec); return lib::StringView::kNpos;
    default: valid = false; break;
  }
  if (!valid) {
    error("{}: invalid conversion specification", spec);
    return lib::StringView::kNpos;
  }
  const lib::StringView arg = next_arg();
  switch (s.conversion) {
    case 'c': text(s, arg.empty() ? lib::StringView("\0", 1) : arg.substr(0, 1)); break;
    case 's':
      text(s, s.has_precision ? arg.substr(0, static_cast<size_t>(s.precision)) : arg);
      break;
    case 'b':
      if (!escaped_arg(arg)) return lib::StringView::kNpos;
      break;
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G': {
      FloatSpec f;
      f.left = s.left, f.plus = s.plus, f.space = s.space, f.alt = s.alt, f.zero = s.zero;
      f.width = s.width;
      f.precision = s.has_precision ? s.precision : 6;
      f.conversion = s.conversion;
      report(arg, format_float(f, arg, out_));
      break;
    }
    default: integer(s, arg); break;
  }
  return at + 1;
}

void Printer::text(const Spec& s, lib::StringView body) {
  const uint64_t fill = s.width > body.size() ? s.width - body.size() : 0;
  if (!s.left) pad(fill, ' ');
  write(body);
  if (s.left) pad(fill, ' ');
}

bool Printer::escaped_arg(lib::StringView arg) {
  for (size_t at = 0; at < arg.size();) {
    if (arg[at] != '\\') {
      const size_t slash = arg.find('\\', at);
      const size_t end = slash == lib::StringView::kNpos ? arg.size() : slash;
      write(arg.substr(at, end - at));
      at = end;
      continue;
    }
    const Escape e = read_escape(arg.substr(at), EscapeStyle::kPrintfArg);
    if (e.error) {
      error(arg[at + 1] == 'x' ? "missing hexadecimal number in escape"
                               : "invalid universal character name");
      return false;
    }
    if (e.stop) return false;
    out_.write(e.bytes, e.count);
    at += e.length;
  }
  return true;
}

void Printer::integer(const Spec& s, lib::StringView arg) {
  bool negative = false;
  uint64_t magnitude = 0;
  if (s.conversion == 'd' || s.conversion == 'i') {
    int64_t v = 0;
    report(arg, parse_signed(arg, &v));
    negative = v < 0;
    magnitude = negative ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  } else {
    report(arg, parse_unsigned(arg, &magnitude));
  }
  const unsigned base = s.conversion == 'o'                            ? 8
                        : (s.conversion == 'x' || s.conversion == 'X') ? 16
                                                                       : 10;
  const char* digits_of = s.conversion == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
  char digits[24];
  size_t n = 0;
  for (uint64_t v = magnitude; v > 0; v /= base) digits[n++] = digits_of[v % base];
  // The digits' count after the precision (0 with value 0 gives none, but for %#o's "0").
  uint64_t shown = n;
  if (!s.has_precision && n == 0) shown = 1;
  if (s.has_precision && s.precision > shown) shown = s.precision;
  if (s.alt && base == 8 && shown <= n) shown = n + 1;
  char sign = 0;
  const bool is_signed = s.conversion == 'd' || s.conversion == 'i';
  if (negative)
    sign = '-';
  else if (is_signed && s.plus)
    sign = '+';
  else if (is_signed && s.space)
    sign = ' ';
  const lib::StringView prefix = s.alt && base == 16 && magnitude != 0
                                     ? lib::StringView(s.conversion == 'X' ? "0X" : "0x")
                                     : lib::StringView();
  const uint64_t length = shown + (sign ? 1 : 0) + prefix.size();
  const uint64_t fill = s.width > length ? s.width - length : 0;
  const bool zeros = s.zero && !s.left && !s.has_precision;
  if (!s.left && !zeros) pad(fill, ' ');
  if (sign) put(sign);
  write(prefix);
  if (zeros) pad(fill, '0');
  pad(shown - n, '0');
  while (n > 0) put(digits[--n]);
  if (s.left) pad(fill, ' ');
}

}  // namespace

int run(lib::StringView format, const lib::StringView* args, size_t count, lib::Sink& out,
        Diagnostics& diagnostics) {
  Printer p(args, count, out, diagnostics);
  for (;;) {
    const size_t before = p.used();
    if (!p.pass(format)) return p.status();  // \c, or a fatal error
    if (p.used() >= count) break;
    if (p.used() == before) {  // the format takes no arguments: they are left over
      char text[kMaxMessage];
      const size_t n =
          lib::format_to(text, sizeof(text),
                         "warning: ignoring excess arguments, starting with '{}'", args[p.used()]);
      diagnostics.error(lib::StringView(text, n < sizeof(text) ? n : sizeof(text) - 1));
      break;
    }
  }
  return p.status();
}

}  // namespace util::printf_cmd
