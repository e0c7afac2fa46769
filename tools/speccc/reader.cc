// The TOML reading that component and silo specs share (see reader.h).
#include "reader.h"

#include <algorithm>
#include <array>

namespace speccc {
namespace {

// Identifiers the generated header cannot use as field or namespace names.
constexpr auto kCxxKeywords =
    std::to_array<std::string_view>({"alignas",       "alignof",     "and",
                                     "and_eq",        "asm",         "auto",
                                     "bitand",        "bitor",       "bool",
                                     "break",         "case",        "catch",
                                     "char",          "char8_t",     "char16_t",
                                     "char32_t",      "class",       "compl",
                                     "concept",       "const",       "consteval",
                                     "constexpr",     "constinit",   "const_cast",
                                     "continue",      "co_await",    "co_return",
                                     "co_yield",      "decltype",    "default",
                                     "delete",        "do",          "double",
                                     "dynamic_cast",  "else",        "enum",
                                     "explicit",      "export",      "extern",
                                     "false",         "float",       "for",
                                     "friend",        "goto",        "if",
                                     "inline",        "int",         "long",
                                     "mutable",       "namespace",   "new",
                                     "noexcept",      "not",         "not_eq",
                                     "nullptr",       "operator",    "or",
                                     "or_eq",         "private",     "protected",
                                     "public",        "register",    "reinterpret_cast",
                                     "requires",      "return",      "short",
                                     "signed",        "sizeof",      "static",
                                     "static_assert", "static_cast", "struct",
                                     "switch",        "template",    "this",
                                     "thread_local",  "throw",       "true",
                                     "try",           "typedef",     "typeid",
                                     "typename",      "union",       "unsigned",
                                     "using",         "virtual",     "void",
                                     "volatile",      "wchar_t",     "while",
                                     "xor",           "xor_eq"});

}  // namespace

bool is_keyword(std::string_view s) {
  return std::find(kCxxKeywords.begin(), kCxxKeywords.end(), s) != kCxxKeywords.end();
}

bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_name(std::string_view s) {
  if (s.empty() || !is_lower(s[0])) return false;
  if (!std::all_of(s.begin(), s.end(),
                   [](char c) { return is_lower(c) || is_digit(c) || c == '-'; }))
    return false;
  return !is_keyword(identifier(std::string(s)));
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::optional<toml::table> parse_toml(const std::string& file, Diagnostics& diag) {
  try {
    return toml::parse_file(file);
  } catch (const toml::parse_error& e) {
    const toml::source_position begin = e.source().begin;
    diag.error({file, std::max<uint32_t>(begin.line, 1), std::max<uint32_t>(begin.column, 1)},
               std::string(e.description()), "valid TOML");
    return std::nullopt;
  }
}

const char* type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::none: return "nothing";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
  }
  return "an unknown type";
}

Position Reader::at(const toml::source_region& source) const {
  return {file_, std::max<uint32_t>(source.begin.line, 1),
          std::max<uint32_t>(source.begin.column, 1)};
}

void Reader::error(const toml::node& n, const std::string& what, const std::string& expected) {
  diag_.error(at(n.source()), what, expected);
}

void Reader::error(const toml::key& k, const std::string& what, const std::string& expected) {
  diag_.error(at(k.source()), what, expected);
}

void Reader::missing(const std::string& key, const std::string& expected) {
  diag_.error({file_}, "missing required key " + quoted(key), expected);
}

void Reader::missing(const toml::table& t, const std::string& key, const std::string& expected) {
  diag_.error(at(t.source()), "missing required key " + quoted(key), expected);
}

void Reader::error(const Position& at, const std::string& what, const std::string& expected) {
  diag_.error(at, what, expected);
}

void Reader::check_keys(const toml::table& t, std::initializer_list<std::string_view> allowed,
                        const std::string& path) {
  for (const auto& [key, node] : t) {
    if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
    std::string expected = "one of";
    for (std::string_view a : allowed) expected += " " + std::string(a);
    diag_.error(at(key.source()), "unknown key " + quoted(path + std::string(key.str())), expected);
  }
}

std::optional<size_t> Reader::choice(const toml::node& n, const std::string& key, const char* what,
                                     std::initializer_list<std::string_view> names) {
  const auto* s = as<toml::value<std::string>>(n, key, "a string");
  if (!s) return std::nullopt;
  const auto it = std::find(names.begin(), names.end(), s->get());
  if (it != names.end()) return static_cast<size_t>(it - names.begin());
  std::string expected;
  for (std::string_view name : names) expected += (expected.empty() ? "" : ", ") + quoted(name);
  error(n, std::string("unknown ") + what + " " + quoted(s->get()), "one of " + expected);
  return std::nullopt;
}

std::optional<uint32_t> Reader::positive(const toml::node& n, const std::string& key,
                                         uint32_t max) {
  const std::string expected = "an integer from 1 to " + std::to_string(max);
  const auto* v = as<toml::value<int64_t>>(n, key, expected.c_str());
  if (!v) return std::nullopt;
  if (v->get() < 1 || v->get() > max) {
    error(n, key + " is out of range: " + std::to_string(v->get()), expected);
    return std::nullopt;
  }
  return static_cast<uint32_t>(v->get());
}

std::vector<Located> Reader::strings(const toml::node& n, const std::string& key,
                                     bool (*valid)(std::string_view), const char* expected) {
  std::vector<Located> out;
  const auto* array = as<toml::array>(n, key, "an array of strings");
  if (!array) return out;
  for (const toml::node& element : *array) {
    const auto* s = as<toml::value<std::string>>(element, key + " entry", expected);
    if (!s) continue;
    if (!valid(s->get())) {
      error(element, "bad " + key + " entry " + quoted(s->get()), expected);
      continue;
    }
    out.push_back({s->get(), at(element.source())});
  }
  return out;
}

}  // namespace speccc
