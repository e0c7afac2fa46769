#include "programs/lib/net_util.h"

#include <lib/format.h>

namespace cmd::net {

bool parse_ipv4(lib::StringView text, uint8_t (&a)[4]) {
  uint8_t out[4] = {};
  size_t at = 0;
  for (int part = 0; part < 4; ++part) {
    uint32_t value = 0;
    size_t digits = 0;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      if (++digits > 3) return false;
      value = value * 10 + static_cast<uint32_t>(text[at++] - '0');
    }
    if (digits == 0 || value > 255) return false;
    out[part] = static_cast<uint8_t>(value);
    if (part < 3) {
      if (at >= text.size() || text[at] != '.') return false;
      ++at;
    }
  }
  if (at != text.size()) return false;
  for (int i = 0; i < 4; ++i) a[i] = out[i];
  return true;
}

size_t format_ipv4(const uint8_t (&a)[4], char* out, size_t capacity) {
  return lib::format_to(out, capacity, "{}.{}.{}.{}", a[0], a[1], a[2], a[3]);
}

bool next_line(lib::StringView text, size_t* at, lib::StringView* line) {
  if (*at >= text.size()) return false;
  size_t end = text.find('\n', *at);
  if (end == lib::StringView::kNpos) end = text.size();
  *line = text.substr(*at, end - *at);
  *at = end + 1;
  return true;
}

lib::StringView find_value(lib::StringView text, lib::StringView name) {
  size_t at = 0;
  lib::StringView line;
  while (next_line(text, &at, &line)) {
    if (line.size() > name.size() && line.starts_with(name) && line[name.size()] == ' ')
      return line.substr(name.size() + 1);
  }
  return {};
}

size_t split_fields(lib::StringView line, lib::StringView* fields, size_t max) {
  size_t n = 0;
  size_t i = 0;
  while (n < max) {
    while (i < line.size() && line[i] == ' ') ++i;
    if (i == line.size()) break;
    const size_t start = i;
    while (i < line.size() && line[i] != ' ') ++i;
    fields[n++] = line.substr(start, i - start);
  }
  return n;
}

bool parse_seconds(lib::StringView text, uint64_t max_ms, uint64_t* ms) {
  if (text.empty() || text.size() > 32) return false;
  const size_t dot = text.find('.');
  const lib::StringView whole = text.substr(0, dot);
  const lib::StringView fraction =
      dot == lib::StringView::kNpos ? lib::StringView() : text.substr(dot + 1);
  if (whole.empty() && fraction.empty()) return false;
  uint64_t seconds = 0;
  for (size_t i = 0; i < whole.size(); ++i) {
    if (whole[i] < '0' || whole[i] > '9') return false;
    if (seconds > max_ms / 1000 + 1) return false;  // past any max: stop before overflow
    seconds = seconds * 10 + static_cast<uint64_t>(whole[i] - '0');
  }
  uint64_t milli = 0;
  for (size_t i = 0; i < fraction.size(); ++i) {
    if (fraction[i] < '0' || fraction[i] > '9') return false;
    if (i < 3) milli += static_cast<uint64_t>(fraction[i] - '0') * (i == 0 ? 100 : i == 1 ? 10 : 1);
  }
  if (seconds > max_ms / 1000) return false;
  const uint64_t total = seconds * 1000 + milli;
  if (total > max_ms) return false;
  *ms = total;
  return true;
}

size_t format_ms(uint64_t ns, char* out, size_t capacity) {
  const uint64_t us = ns / 1000;
  return lib::format_to(out, capacity, "{}.{:03}", us / 1000, us % 1000);
}

uint64_t isqrt(uint64_t v) {
  uint64_t r = 0;
  for (uint64_t bit = uint64_t{1} << 62; bit; bit >>= 2) {
    if (v >= r + bit) {
      v -= r + bit;
      r = (r >> 1) + bit;
    } else {
      r >>= 1;
    }
  }
  return r;
}

void PingStats::received(uint64_t rtt_ns) {
  ++received_;
  if (rtt_ns < min_) min_ = rtt_ns;
  if (rtt_ns > max_) max_ = rtt_ns;
  sum_ = sum_ + rtt_ns < sum_ ? UINT64_MAX : sum_ + rtt_ns;
  const uint64_t us = rtt_ns / 1000;
  const uint64_t sq = us > 0xffffffffu ? UINT64_MAX : us * us;
  sum_sq_ = sum_sq_ + sq < sum_sq_ ? UINT64_MAX : sum_sq_ + sq;
}

uint64_t PingStats::loss_percent() const {
  if (transmitted_ == 0 || received_ >= transmitted_) return 0;
  return (transmitted_ - received_) * 100 / transmitted_;
}

uint64_t PingStats::mdev_ns() const {
  if (received_ == 0) return 0;
  const uint64_t mean_us = sum_ / received_ / 1000;
  const uint64_t mean_sq = sum_sq_ / received_;
  const uint64_t sq_mean = mean_us * mean_us;
  return mean_sq > sq_mean ? isqrt(mean_sq - sq_mean) * 1000 : 0;
}

uint64_t Random::next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace cmd::net
