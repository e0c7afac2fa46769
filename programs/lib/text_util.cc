#include "programs/lib/text_util.h"

namespace text {

bool parse_count(lib::StringView text, bool allow_sign, uint64_t* value, char* sign) {
  size_t at = 0;
  *sign = 0;
  if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    if (!allow_sign) return false;
    *sign = text[at++];
  }
  if (at == text.size() || text[at] < '0' || text[at] > '9') return false;
  uint64_t v = 0;
  bool saturated = false;
  for (; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at) {
    const uint64_t digit = static_cast<uint64_t>(text[at] - '0');
    if (v > (UINT64_MAX - digit) / 10) saturated = true;
    if (!saturated) v = v * 10 + digit;
  }
  uint64_t scale = 1;
  if (at < text.size()) {
    switch (text[at]) {
      case 'b': scale = 512; break;
      case 'k':
      case 'K': scale = uint64_t{1} << 10; break;
      case 'M': scale = uint64_t{1} << 20; break;
      case 'G': scale = uint64_t{1} << 30; break;
      default: return false;
    }
    if (++at != text.size()) return false;
  }
  if (saturated || (v && v > UINT64_MAX / scale)) return false;
  *value = v * scale;
  return true;
}

size_t last_lines_start(const char* data, size_t size, uint64_t n) {
  if (n == 0) return size;
  size_t at = size;
  // A final '\n' ends the last line; it does not start an empty one.
  if (at > 0 && data[at - 1] == '\n') --at;
  while (at > 0) {
    if (data[at - 1] == '\n' && --n == 0) return at;
    --at;
  }
  return 0;
}

size_t first_lines_end(const char* data, size_t size, uint64_t n) {
  size_t at = 0;
  while (n > 0 && at < size) {
    if (data[at++] == '\n') --n;
  }
  return at;
}

}  // namespace text
