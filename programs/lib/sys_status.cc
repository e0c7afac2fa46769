#include "programs/lib/sys_status.h"

#include <lib/format.h>

#include "programs/lib/parse.h"

namespace cmd::sys {

namespace {

// "A/B" as two numbers.
bool parse_pair(StringView text, uint64_t* a, uint64_t* b) {
  const size_t slash = text.find('/');
  if (slash == StringView::kNpos) return false;
  return parse_u64(text.substr(0, slash), a) && parse_u64(text.substr(slash + 1), b);
}

bool is_word(StringView s) { return !s.empty() && s.find(' ') == StringView::kNpos; }

size_t clamp(size_t n, size_t capacity) {
  return capacity == 0 ? 0 : (n < capacity ? n : capacity - 1);
}

}  // namespace

bool Lines::next(StringView* line) {
  if (at_ >= text_.size()) return false;
  size_t end = text_.find('\n', at_);
  if (end == StringView::kNpos) end = text_.size();
  *line = text_.substr(at_, end - at_);
  at_ = end + 1;
  return true;
}

size_t split_words(StringView line, StringView* words, size_t max) {
  size_t count = 0;
  for (size_t i = 0; i < line.size();) {
    if (line[i] == ' ') {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < line.size() && line[end] != ' ') ++end;
    if (count < max) words[count] = line.substr(i, end - i);
    ++count;
    i = end;
  }
  return count;
}

bool parse_component(StringView line, ComponentRow* out) {
  StringView w[kComponentFields];
  if (split_words(line, w, kComponentFields) != kComponentFields) return false;
  ComponentRow r;
  r.name = w[0];
  r.state = w[1];
  r.isolation = w[2];
  r.silo = w[4];
  r.last_exit = w[12];
  if (!parse_u64(w[3], &r.pid) || !parse_u64(w[5], &r.restarts) ||
      !parse_u64(w[6], &r.memory_bytes) || !parse_u64(w[7], &r.memory_limit_bytes) ||
      !parse_u64(w[8], &r.threads) || !parse_u64(w[9], &r.thread_limit) ||
      !parse_u64(w[10], &r.processes) || !parse_u64(w[11], &r.cpu_ns)) {
    return false;
  }
  *out = r;
  return true;
}

bool parse_memory(StringView text, MemoryView* out) {
  MemoryView m;
  bool total = false, free = false;
  Lines lines(text);
  for (StringView line; lines.next(&line);) {
    StringView w[2];
    if (split_words(line, w, 2) != 2) return false;
    uint64_t value = 0;
    if (!parse_u64(w[1], &value)) return false;
    if (w[0] == "total_bytes") {
      m.total_bytes = value;
      total = true;
    } else if (w[0] == "free_bytes") {
      m.free_bytes = value;
      free = true;
    } else if (w[0] == "kernel_heap_bytes") {
      m.kernel_heap_bytes = value;
    } else if (w[0] == "kernel_heap_allocations") {
      m.kernel_heap_allocations = value;
    } else if (w[0] == "kernel_heap_pages_bytes") {
      m.kernel_heap_pages_bytes = value;
    }  // a name added later is skipped
  }
  if (!total || !free || m.free_bytes > m.total_bytes) return false;
  *out = m;
  return true;
}

bool parse_uptime(StringView text, uint64_t* ms) {
  if (text.ends_with("\n")) text = text.substr(0, text.size() - 1);
  StringView w[2];
  if (split_words(text, w, 2) != 2 || w[0] != "uptime_ms") return false;
  return parse_u64(w[1], ms);
}

bool parse_silo(StringView line, SiloRow* out) {
  StringView w[8];
  if (split_words(line, w, 8) != 8) return false;
  SiloRow r;
  r.name = w[0];
  if (!parse_pair(w[1], &r.memory_kib, &r.memory_limit_kib) || !parse_u64(w[2], &r.peak_kib) ||
      !parse_pair(w[3], &r.threads, &r.thread_limit) || !parse_u64(w[4], &r.cpu_percent) ||
      !parse_u64(w[5], &r.cpu_ms) || !parse_u64(w[6], &r.refusals) ||
      !parse_u64(w[7], &r.throttled)) {
    return false;
  }
  *out = r;
  return true;
}

bool parse_log_line(StringView line, LogLine* out) {
  if (line.empty() || line[0] != '[') return false;
  size_t i = 1;
  while (i < line.size() && line[i] == ' ') ++i;
  const size_t dot = line.find('.', i);
  const size_t close = line.find(']', i);
  if (dot == StringView::kNpos || close == StringView::kNpos || dot > close) return false;
  LogLine l;
  uint64_t micros = 0;
  if (!parse_u64(line.substr(i, dot - i), &l.seconds) || close - dot - 1 != 6 ||
      !parse_u64(line.substr(dot + 1, 6), &micros)) {
    return false;
  }
  l.micros = static_cast<uint32_t>(micros);
  if (close + 1 >= line.size() || line[close + 1] != ' ') return false;
  const size_t level_at = close + 2;
  const size_t colon = line.find(':', level_at);
  if (colon == StringView::kNpos || colon == level_at) return false;
  l.level = line.substr(level_at, colon - level_at);
  if (!is_word(l.level)) return false;
  StringView rest = line.substr(colon + 1);
  if (rest.starts_with(" ")) rest = rest.substr(1);
  if (rest.starts_with("[")) {
    const size_t end = rest.find(']');
    if (end != StringView::kNpos && end > 1 && is_word(rest.substr(1, end - 1))) {
      l.source = rest.substr(1, end - 1);
      rest = rest.substr(end + 1);
      if (rest.starts_with(" ")) rest = rest.substr(1);
    }
  }
  l.text = rest;
  *out = l;
  return true;
}

bool is_error(StringView answer) { return answer.starts_with("error:"); }

size_t format_size(uint64_t bytes, unsigned unit_shift, char* out, size_t capacity) {
  const uint64_t value = unit_shift >= 64 ? 0 : bytes >> unit_shift;
  return clamp(lib::format_to(out, capacity, "{}", value), capacity);
}

size_t format_human(uint64_t bytes, char* out, size_t capacity) {
  static constexpr const char* kUnits[] = {"B", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  constexpr size_t kLast = sizeof(kUnits) / sizeof(kUnits[0]) - 1;
  size_t unit = 0;
  while (unit < kLast && (bytes >> (10 * (unit + 1))) > 0) ++unit;
  if (unit == 0) return clamp(lib::format_to(out, capacity, "{}B", bytes), capacity);
  for (;;) {
    const unsigned shift = 10 * static_cast<unsigned>(unit);
    const unsigned __int128 half = static_cast<unsigned __int128>(1) << (shift - 1);
    const auto tenths =
        static_cast<uint64_t>((static_cast<unsigned __int128>(bytes) * 10 + half) >> shift);
    if (tenths < 100) {
      return clamp(lib::format_to(out, capacity, "{}.{}{}", tenths / 10, tenths % 10, kUnits[unit]),
                   capacity);
    }
    const auto whole =
        static_cast<uint64_t>((static_cast<unsigned __int128>(bytes) + half) >> shift);
    if (whole < 1024 || unit == kLast)
      return clamp(lib::format_to(out, capacity, "{}{}", whole, kUnits[unit]), capacity);
    ++unit;  // 1023.6Ki rounds to 1024Ki: 1.0Mi
  }
}

size_t format_cpu_time(uint64_t ns, bool short_form, char* out, size_t capacity) {
  const uint64_t seconds = ns / 1'000'000'000;
  if (short_form && seconds < 3600) {
    const uint64_t hundredths = ns / 10'000'000 % 100;
    return clamp(
        lib::format_to(out, capacity, "{}:{:02}.{:02}", seconds / 60, seconds % 60, hundredths),
        capacity);
  }
  const uint64_t days = seconds / 86400;
  const uint64_t h = seconds / 3600 % 24, m = seconds / 60 % 60, s = seconds % 60;
  if (days > 0)
    return clamp(lib::format_to(out, capacity, "{}-{:02}:{:02}:{:02}", days, h, m, s), capacity);
  return clamp(lib::format_to(out, capacity, "{:02}:{:02}:{:02}", h, m, s), capacity);
}

size_t format_up(uint64_t ms, char* out, size_t capacity) {
  const uint64_t minutes = ms / 60'000;
  const uint64_t days = minutes / 1440, h = minutes / 60 % 24, m = minutes % 60;
  size_t n = 0;
  if (days > 0) n = lib::format_to(out, capacity, "{} day{}, ", days, days == 1 ? "" : "s");
  n = clamp(n, capacity);
  if (h > 0) {
    n += lib::format_to(out + n, capacity - n, "{:>2}:{:02}", h, m);
  } else {
    n += lib::format_to(out + n, capacity - n, "{} min", m);
  }
  return clamp(n, capacity);
}

size_t format_up_pretty(uint64_t ms, char* out, size_t capacity) {
  const uint64_t minutes = ms / 60'000;
  const uint64_t parts[] = {minutes / (1440 * 7), minutes / 1440 % 7, minutes / 60 % 24,
                            minutes % 60};
  static constexpr const char* kNames[] = {"week", "day", "hour", "minute"};
  size_t n = clamp(lib::format_to(out, capacity, "up"), capacity);
  bool any = false;
  for (size_t i = 0; i < 4; ++i) {
    if (parts[i] == 0 && !(i == 3 && !any)) continue;
    n += lib::format_to(out + n, capacity - n, "{} {} {}{}", any ? "," : "", parts[i], kNames[i],
                        parts[i] == 1 ? "" : "s");
    n = clamp(n, capacity);
    any = true;
  }
  return n;
}

size_t format_date_time(uint64_t seconds, char* out, size_t capacity) {
  constexpr uint64_t kMaxYear = 9999;
  uint64_t days = seconds / 86400;
  const uint64_t in_day = seconds % 86400;
  auto leap = [](uint64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; };
  uint64_t year = 1970;
  while (year < kMaxYear && days >= (leap(year) ? 366u : 365u)) days -= leap(year++) ? 366 : 365;
  static constexpr uint8_t kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  uint64_t month = 0;
  while (month < 11) {
    const uint64_t length = kMonthDays[month] + (month == 1 && leap(year) ? 1 : 0);
    if (days < length) break;
    days -= length;
    ++month;
  }
  return clamp(lib::format_to(out, capacity, "{}-{:02}-{:02} {:02}:{:02}:{:02}", year, month + 1,
                              days + 1, in_day / 3600, in_day / 60 % 60, in_day % 60),
               capacity);
}

uint64_t cpu_tenths(uint64_t used_ns, uint64_t interval_ns) {
  if (interval_ns == 0) return 0;
  constexpr uint64_t kScale = 1000;
  if (used_ns / interval_ns >= UINT64_MAX / kScale) return UINT64_MAX;
  // Halve both until used * 1000 fits (no 128-bit division in a freestanding program); the
  // ratio, and so the result, barely moves: interval stays above used / UINT64_MAX * 1000.
  while (used_ns > UINT64_MAX / kScale) {
    used_ns >>= 1;
    interval_ns >>= 1;
  }
  const uint64_t scaled = used_ns * kScale;
  const uint64_t q = scaled / interval_ns, r = scaled % interval_ns;
  return r >= interval_ns - r ? q + 1 : q;  // rounded to nearest
}

bool parse_size(StringView text, uint64_t* bytes) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  uint64_t n = 0;
  if (!parse_u64(text.substr(0, digits), &n) || n == 0) return false;
  StringView suffix = text.substr(digits);
  unsigned shift = 0;
  if (!suffix.empty()) {
    const char c = suffix[0];
    if (c == 'K' || c == 'k') {
      shift = 10;
    } else if (c == 'M' || c == 'm') {
      shift = 20;
    } else if (c == 'G' || c == 'g') {
      shift = 30;
    } else {
      return false;
    }
    suffix = suffix.substr(1);
    if (!suffix.empty() && suffix != "iB" && suffix != "B") return false;
  }
  if (n > (UINT64_MAX >> shift)) return false;
  *bytes = n << shift;
  return true;
}

namespace {
constexpr const char* kSignals[kMaxSignal + 1] = {
    "",     "HUP",  "INT",  "QUIT", "ILL",    "TRAP", "ABRT",  "BUS",  "FPE",  "KILL", "USR1",
    "SEGV", "USR2", "PIPE", "ALRM", "TERM",   "",     "CHLD",  "CONT", "STOP", "TSTP", "TTIN",
    "TTOU", "URG",  "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO",   "PWR",  "SYS"};
}  // namespace

StringView signal_name(uint64_t n) { return n <= kMaxSignal ? StringView(kSignals[n]) : ""; }

uint64_t signal_number(StringView name) {
  uint64_t n = 0;
  if (parse_u64(name, &n)) return n >= 1 && n <= kMaxSignal && !signal_name(n).empty() ? n : 0;
  char upper[16];
  if (name.size() >= sizeof(upper)) return 0;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    upper[i] = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
  }
  StringView u(upper, name.size());
  if (u.starts_with("SIG")) u = u.substr(3);
  if (u.empty()) return 0;
  for (uint64_t i = 1; i <= kMaxSignal; ++i)
    if (u == kSignals[i]) return i;
  return 0;
}

}  // namespace cmd::sys
