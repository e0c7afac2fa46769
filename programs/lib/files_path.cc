#include "programs/lib/files_path.h"

#include <lib/date.h>

namespace cmd {

bool PathBuf::assign(lib::StringView text) {
  if (text.size() > kPathMax) return false;
  __builtin_memcpy(data_, text.data(), text.size());
  size_ = text.size();
  data_[size_] = '\0';
  return true;
}

bool PathBuf::push(lib::StringView name) {
  const bool slash = size_ > 0 && data_[size_ - 1] != '/';
  const size_t need = size_ + (slash ? 1 : 0) + name.size();
  if (need > kPathMax) return false;
  if (slash) data_[size_++] = '/';
  __builtin_memcpy(data_ + size_, name.data(), name.size());
  size_ = need;
  data_[size_] = '\0';
  return true;
}

lib::StringView strip_slashes(lib::StringView path) {
  size_t n = path.size();
  while (n > 1 && path[n - 1] == '/') --n;
  return path.substr(0, n);
}

lib::StringView dir_name(lib::StringView path) {
  path = strip_slashes(path);
  size_t end = path.size();
  while (end > 0 && path[end - 1] != '/') --end;
  if (end == 0) return ".";
  while (end > 1 && path[end - 1] == '/') --end;
  return path.substr(0, end);
}

bool is_dot_or_dotdot(lib::StringView path) {
  path = strip_slashes(path);
  size_t start = path.size();
  while (start > 0 && path[start - 1] != '/') --start;
  const lib::StringView last = path.substr(start);
  return last == "." || last == "..";
}

bool path_within(lib::StringView outer, lib::StringView inner) {
  outer = strip_slashes(outer);
  inner = strip_slashes(inner);
  if (!inner.starts_with(outer)) return false;
  if (inner.size() == outer.size()) return true;
  return outer == "/" || inner[outer.size()] == '/';
}

void mode_string(uint32_t mode, char out[10]) {
  switch (mode & 0170000) {
    case 0100000: out[0] = '-'; break;
    case 0040000: out[0] = 'd'; break;
    case 0120000: out[0] = 'l'; break;
    case 0020000: out[0] = 'c'; break;
    case 0060000: out[0] = 'b'; break;
    case 0010000: out[0] = 'p'; break;
    case 0140000: out[0] = 's'; break;
    default: out[0] = '?'; break;
  }
  const char* letters = "rwxrwxrwx";
  for (int i = 0; i < 9; ++i) out[1 + i] = (mode & (0400u >> i)) ? letters[i] : '-';
  if (mode & 04000) out[3] = (mode & 0100) ? 's' : 'S';
  if (mode & 02000) out[6] = (mode & 0010) ? 's' : 'S';
  if (mode & 01000) out[9] = (mode & 0001) ? 't' : 'T';
}

namespace {

size_t put_u64(uint64_t v, char* out) {
  char digits[20];
  size_t n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  for (size_t i = 0; i < n; ++i) out[i] = digits[n - 1 - i];
  return n;
}

void put2(unsigned v, char* out, char pad) {
  out[0] = v >= 10 ? static_cast<char>('0' + v / 10) : pad;
  out[1] = static_cast<char>('0' + v % 10);
}

constexpr const char* kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";

}  // namespace

size_t human_size(uint64_t bytes, char out[8]) {
  if (bytes < 1024) return put_u64(bytes, out);
  const char* suffixes = "KMGTPE";
  size_t unit = 0;
  uint64_t divisor = 1024;
  while (unit < 5 && bytes / divisor >= 1024) {
    divisor *= 1024;
    ++unit;
  }
  const uint64_t whole = bytes / divisor;
  const uint64_t rest = bytes % divisor;
  size_t n = 0;
  if (whole < 10) {
    // Tenths, rounded up: rest * 10 fits, as rest < divisor <= 2^60.
    uint64_t tenths = whole * 10 + (rest * 10 + divisor - 1) / divisor;
    if (tenths < 100) {
      out[n++] = static_cast<char>('0' + tenths / 10);
      out[n++] = '.';
      out[n++] = static_cast<char>('0' + tenths % 10);
      out[n++] = suffixes[unit];
      return n;
    }
    n = put_u64(10, out);  // 9.95K and up: "10K"
    out[n++] = suffixes[unit];
    return n;
  }
  const uint64_t up = whole + (rest ? 1 : 0);
  if (up >= 1024 && unit < 5) {  // 1023.1K rounds up to the next unit
    out[n++] = '1';
    out[n++] = '.';
    out[n++] = '0';
    out[n++] = suffixes[unit + 1];
    return n;
  }
  n = put_u64(up, out);
  out[n++] = suffixes[unit];
  return n;
}

size_t ls_date(int64_t seconds, int64_t now, char out[12]) {
  constexpr int64_t kSixMonths = 31556952 / 2;  // half the average Gregorian year, as GNU ls
  const bool recent = seconds <= now && now - seconds < kSixMonths;
  const lib::DateTime t = lib::date_from_seconds(seconds < 0 ? 0 : static_cast<uint64_t>(seconds));
  __builtin_memcpy(out, kMonths + 3 * (t.month - 1), 3);
  out[3] = ' ';
  put2(t.day, out + 4, ' ');
  out[6] = ' ';
  if (recent) {
    put2(t.hour, out + 7, '0');
    out[9] = ':';
    put2(t.minute, out + 10, '0');
  } else {
    out[7] = ' ';
    uint32_t y = t.year;
    for (int i = 3; i >= 0; --i, y /= 10) out[8 + i] = static_cast<char>('0' + y % 10);
  }
  return 12;
}

size_t stat_date(int64_t ns, char out[40]) {
  if (ns < 0) ns = 0;
  const auto seconds = static_cast<uint64_t>(ns / 1000000000);
  auto fraction = static_cast<uint64_t>(ns % 1000000000);
  const lib::DateTime t = lib::date_from_seconds(seconds);
  size_t n = 0;
  char year[4];
  for (int i = 3, y = static_cast<int>(t.year); i >= 0; --i, y /= 10)
    year[i] = static_cast<char>('0' + y % 10);
  __builtin_memcpy(out, year, 4);
  n = 4;
  out[n++] = '-';
  put2(t.month, out + n, '0');
  n += 2;
  out[n++] = '-';
  put2(t.day, out + n, '0');
  n += 2;
  out[n++] = ' ';
  put2(t.hour, out + n, '0');
  n += 2;
  out[n++] = ':';
  put2(t.minute, out + n, '0');
  n += 2;
  out[n++] = ':';
  put2(t.second, out + n, '0');
  n += 2;
  out[n++] = '.';
  for (int i = 8; i >= 0; --i, fraction /= 10) out[n + i] = static_cast<char>('0' + fraction % 10);
  n += 9;
  const char* zone = " +0000";
  __builtin_memcpy(out + n, zone, 6);
  return n + 6;
}

bool name_less(lib::StringView a, lib::StringView b) {
  const size_t n = a.size() < b.size() ? a.size() : b.size();
  for (size_t i = 0; i < n; ++i) {
    const auto x = static_cast<unsigned char>(a[i]);
    const auto y = static_cast<unsigned char>(b[i]);
    if (x != y) return x < y;
  }
  return a.size() < b.size();
}

}  // namespace cmd
