#include "servers/term/settings.h"

#include <lib/checked_number.h>

namespace term {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

lib::StringView trim(lib::StringView s) {
  size_t start = 0, end = s.size();
  while (start < end && is_space(s[start])) ++start;
  while (end > start && is_space(s[end - 1])) --end;
  return s.substr(start, end - start);
}

// A decimal integer in [min, max] (0 <= min): digits only, no sign.
bool parse_integer(lib::StringView s, int64_t min, int64_t max, int64_t* out) {
  auto v = lib::parse_decimal(s, static_cast<uint64_t>(max));
  if (!v.ok() || v.value() < static_cast<uint64_t>(min)) return false;
  *out = static_cast<int64_t>(v.value());
  return true;
}

// The value and what may follow it: nothing, or a comment.
bool split_value(lib::StringView rest, lib::StringView* value) {
  rest = trim(rest);
  if (!rest.empty() && rest[0] == '"') {
    const size_t close = rest.find('"', 1);
    if (close == lib::StringView::kNpos) return false;
    const lib::StringView after = trim(rest.substr(close + 1));
    if (!after.empty() && after[0] != '#') return false;
    *value = rest.substr(0, close + 1);
    return true;
  }
  const size_t hash = rest.find('#');
  *value = trim(rest.substr(0, hash));
  return !value->empty();
}

}  // namespace

bool Settings::set_password(lib::StringView record) {
  if (record.size() >= sizeof(password)) return false;
  for (const char c : record)
    if (c < '!' || c > '~') return false;  // a record is printable ASCII without spaces
  __builtin_memcpy(password, record.data(), record.size());
  password[record.size()] = '\0';
  return true;
}

size_t parse_settings(lib::StringView text, Settings& settings) {
  Settings s = settings;
  bool seen[4] = {};
  size_t number = 0;
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find('\n', at);
    if (end == lib::StringView::kNpos) end = text.size();
    const lib::StringView line = trim(text.substr(at, end - at));
    at = end + 1;
    ++number;
    if (line.empty() || line[0] == '#') continue;
    const size_t eq = line.find('=');
    if (eq == lib::StringView::kNpos) return number;
    const lib::StringView key = trim(line.substr(0, eq));
    lib::StringView value;
    if (!split_value(line.substr(eq + 1), &value)) return number;
    const bool quoted = value[0] == '"';
    size_t which = 0;
    bool ok = false;
    if (key == "telnet_port") {
      which = 0;
      ok = !quoted && parse_integer(value, 0, 65535, &s.telnet_port);
    } else if (key == "web") {
      which = 1;
      ok = value == "true" || value == "false";
      s.web = value == "true";
    } else if (key == "password") {
      which = 2;
      ok = quoted && s.set_password(value.substr(1, value.size() - 2));
    } else if (key == "login_timeout") {
      which = 3;
      ok = !quoted && parse_integer(value, 1, 3600, &s.login_timeout_s);
    }
    if (!ok || seen[which]) return number;
    seen[which] = true;
  }
  settings = s;
  return 0;
}

}  // namespace term
