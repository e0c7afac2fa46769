#include "programs/nl/nl_number.h"

namespace text {

namespace {

void repeat(lib::Sink& out, char c, size_t n) {
  char buf[32];
  for (size_t i = 0; i < sizeof(buf); ++i) buf[i] = c;
  while (n) {
    const size_t k = n < sizeof(buf) ? n : sizeof(buf);
    out.write(buf, k);
    n -= k;
  }
}

}  // namespace

void Numberer::number(int64_t n) {
  char digits[24];
  const size_t len = lib::format_to(digits, sizeof(digits), "{}", n);
  const size_t width = o_.width > 0 ? static_cast<size_t>(o_.width) : 0;
  const size_t pad = len < width ? width - len : 0;
  if (o_.format[0] == 'l') {
    out_.write(digits, len);
    repeat(out_, ' ', pad);
  } else if (o_.format[1] == 'z') {
    // Zeros after the sign, as GNU's %0*d.
    size_t at = 0;
    if (digits[0] == '-') {
      out_.write("-", 1);
      at = 1;
    }
    repeat(out_, '0', pad);
    out_.write(digits + at, len - at);
  } else {
    repeat(out_, ' ', pad);
    out_.write(digits, len);
  }
  out_.write(o_.separator.data(), o_.separator.size());
}

void Numberer::line(lib::StringView text) {
  int delimiter = -1;
  if (text == "\\:\\:\\:")
    delimiter = 0;
  else if (text == "\\:\\:")
    delimiter = 1;
  else if (text == "\\:")
    delimiter = 2;
  if (delimiter >= 0) {
    section_ = delimiter;
    next_ = o_.start;  // as GNU: every section starts the numbers again
    out_.write("\n", 1);
    return;
  }
  const NlStyle& s = section_ == 0 ? o_.header : section_ == 2 ? o_.footer : o_.body;
  bool numbered = false;
  switch (s.kind) {
    case 'a': numbered = true; break;
    case 't': numbered = text.size() > 0; break;
    case 'p': numbered = s.regex && s.regex->matches(text); break;
    default: break;
  }
  if (numbered) {
    number(next_);
    // Past INT64_MAX it wraps, as the counter of a long enough file would.
    next_ =
        static_cast<int64_t>(static_cast<uint64_t>(next_) + static_cast<uint64_t>(o_.increment));
  } else {
    repeat(out_, ' ', (o_.width > 0 ? static_cast<size_t>(o_.width) : 0) + o_.separator.size());
  }
  out_.write(text.data(), text.size());
  out_.write("\n", 1);
}

}  // namespace text
