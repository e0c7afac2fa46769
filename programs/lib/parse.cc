#include "programs/lib/parse.h"

namespace cmd {

bool parse_u64(lib::StringView text, uint64_t* out) {
  if (text.empty()) return false;
  uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return false;
    value = value * 10 + digit;
  }
  *out = value;
  return true;
}

bool parse_i64(lib::StringView text, int64_t* out) {
  const bool negative = !text.empty() && text[0] == '-';
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) text = text.substr(1);
  uint64_t magnitude = 0;
  if (!parse_u64(text, &magnitude)) return false;
  const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  if (magnitude > limit) return false;
  *out = negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
  return true;
}

lib::StringView base_name(lib::StringView path) {
  while (path.size() > 1 && path[path.size() - 1] == '/') path = path.substr(0, path.size() - 1);
  size_t start = path.size();
  while (start > 0 && path[start - 1] != '/') --start;
  return start == path.size() ? path : path.substr(start);
}

}  // namespace cmd
