// Reading one spec: every key is checked for name, type and range where it is written.
#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <limits>
#include <string_view>

#include "spec.h"

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

bool is_keyword(std::string_view s) {
  return std::find(kCxxKeywords.begin(), kCxxKeywords.end(), s) != kCxxKeywords.end();
}

bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Component and service names: [a-z][a-z0-9-]*, and not a C++ keyword once - is _.
bool is_name(std::string_view s) {
  if (s.empty() || !is_lower(s[0])) return false;
  if (!std::all_of(s.begin(), s.end(),
                   [](char c) { return is_lower(c) || is_digit(c) || c == '-'; }))
    return false;
  return !is_keyword(identifier(std::string(s)));
}

// requires and config keys become C++ fields: [a-z][a-z0-9_]*, not a keyword.
bool is_field(std::string_view s) {
  if (s.empty() || !is_lower(s[0])) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return is_lower(c) || is_digit(c) || c == '_'; }) &&
         !is_keyword(s);
}

// A service is a name, or a URI scheme written "scheme:" ([a-z][a-z0-9+.-]*:).
bool is_service(std::string_view s) {
  if (s.size() < 2 || s.back() != ':') return is_name(s);
  s.remove_suffix(1);
  return is_lower(s[0]) && std::all_of(s.begin(), s.end(), [](char c) {
           return is_lower(c) || is_digit(c) || c == '+' || c == '.' || c == '-';
         });
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

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

class Reader {
 public:
  Reader(std::string file, Diagnostics& diag) : file_(std::move(file)), diag_(diag) {}

  Position at(const toml::source_region& source) const {
    return {file_, std::max<uint32_t>(source.begin.line, 1),
            std::max<uint32_t>(source.begin.column, 1)};
  }
  void error(const toml::node& n, const std::string& what, const std::string& expected) {
    diag_.error(at(n.source()), what, expected);
  }
  void error(const toml::key& k, const std::string& what, const std::string& expected) {
    diag_.error(at(k.source()), what, expected);
  }
  void missing(const std::string& key, const std::string& expected) {
    diag_.error({file_}, "missing required key " + quoted(key), expected);
  }

  // Reports every key of t not in allowed; path is the table's dotted name ("" for the root).
  void check_keys(const toml::table& t, std::initializer_list<std::string_view> allowed,
                  const std::string& path) {
    for (const auto& [key, node] : t) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
      std::string expected = "one of";
      for (std::string_view a : allowed) expected += " " + std::string(a);
      diag_.error(at(key.source()), "unknown key " + quoted(path + std::string(key.str())),
                  expected);
    }
  }

  // The node as type T; reports a wrong type.
  template <typename T>
  const T* as(const toml::node& n, const std::string& key, const char* expected) {
    const T* value = n.as<T>();
    if (!value) error(n, key + " has the wrong type: " + type_name(n), expected);
    return value;
  }

  // A string from the closed set names (index returned), else an error.
  std::optional<size_t> choice(const toml::node& n, const std::string& key, const char* what,
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

  // A positive integer that fits in 32 bits.
  std::optional<uint32_t> positive(const toml::node& n, const std::string& key) {
    const char* expected = "an integer from 1 to 4294967295";
    const auto* v = as<toml::value<int64_t>>(n, key, expected);
    if (!v) return std::nullopt;
    if (v->get() < 1 || v->get() > std::numeric_limits<uint32_t>::max()) {
      error(n, key + " is out of range: " + std::to_string(v->get()), expected);
      return std::nullopt;
    }
    return static_cast<uint32_t>(v->get());
  }

  // An array of strings, each checked by valid (described by expected).
  std::vector<Located> strings(const toml::node& n, const std::string& key,
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

 private:
  std::string file_;
  Diagnostics& diag_;
};

void read_requires(Reader& r, const toml::table& t, Spec& spec) {
  for (const auto& [key, node] : t) {
    const std::string path = "requires." + std::string(key.str());
    if (!is_field(key.str()) || key.str() == "config") {
      r.error(key, "bad requires key " + quoted(key.str()),
              "a C++ field name [a-z][a-z0-9_]*, not a keyword or \"config\"");
      continue;
    }
    const auto* service = r.as<toml::value<std::string>>(node, path, "a service name");
    if (!service) continue;
    if (!is_service(service->get())) {
      r.error(node, "bad service name " + quoted(service->get()) + " in " + path,
              "[a-z][a-z0-9-]* or a scheme \"name:\"");
      continue;
    }
    spec.requirements.push_back({std::string(key.str()), service->get(), r.at(node.source())});
  }
}

void read_config(Reader& r, const toml::table& t, Spec& spec) {
  for (const auto& [key, node] : t) {
    const std::string path = "config." + std::string(key.str());
    if (!is_field(key.str())) {
      r.error(key, "bad config key " + quoted(key.str()),
              "a C++ field name [a-z][a-z0-9_]*, not a keyword");
      continue;
    }
    if (const auto* i = node.as_integer()) {
      spec.config.push_back({std::string(key.str()), i->get()});
    } else if (const auto* b = node.as_boolean()) {
      spec.config.push_back({std::string(key.str()), b->get()});
    } else if (const auto* s = node.as_string()) {
      spec.config.push_back({std::string(key.str()), s->get()});
    } else {
      r.error(node, path + " has the wrong type: " + type_name(node),
              "an integer, a boolean or a string");
    }
  }
}

void read_limits(Reader& r, const toml::table& t, Spec& spec) {
  r.check_keys(t, {"memory_pages", "threads"}, "limits.");
  if (const toml::node* n = t.get("memory_pages")) {
    spec.memory_pages = r.positive(*n, "limits.memory_pages").value_or(kDefaultMemoryPages);
  }
  if (const toml::node* n = t.get("threads")) {
    spec.threads = r.positive(*n, "limits.threads").value_or(kDefaultThreads);
  }
}

void read_restart(Reader& r, const toml::table& t, Spec& spec) {
  r.check_keys(t, {"policy", "backoff_ms"}, "restart.");
  if (const toml::node* n = t.get("policy")) {
    const auto policy =
        r.choice(*n, "restart.policy", "restart policy", {"never", "on-failure", "always"});
    if (policy) spec.restart = static_cast<RestartPolicy>(*policy);
  }
  if (const toml::node* n = t.get("backoff_ms")) {
    spec.backoff_ms = r.positive(*n, "restart.backoff_ms").value_or(0);
  }
}

}  // namespace

std::string identifier(const std::string& name) {
  std::string out = name;
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

std::optional<Spec> parse_spec(const std::string& file, Diagnostics& diag) {
  toml::table root;
  try {
    root = toml::parse_file(file);
  } catch (const toml::parse_error& e) {
    const toml::source_position begin = e.source().begin;
    diag.error({file, std::max<uint32_t>(begin.line, 1), std::max<uint32_t>(begin.column, 1)},
               std::string(e.description()), "valid TOML");
    return std::nullopt;
  }
  const size_t first_error = diag.count();
  Reader r(file, diag);
  Spec spec;
  spec.file = file;
  bool named = false;

  r.check_keys(
      root, {"name", "isolation", "exports", "requires", "devices", "config", "limits", "restart"},
      "");
  if (const toml::node* n = root.get("name")) {
    if (const auto* s = r.as<toml::value<std::string>>(*n, "name", "a string")) {
      named = is_name(s->get());
      if (named) {
        spec.name = {s->get(), r.at(n->source())};
      } else {
        r.error(*n, "bad component name " + quoted(s->get()), "[a-z][a-z0-9-]*, not a C++ keyword");
      }
    }
  } else {
    r.missing("name", "name = \"...\"");
  }
  if (const toml::node* n = root.get("isolation")) {
    const auto isolation = r.choice(*n, "isolation", "isolation", {"kernel", "user", "wasm"});
    if (isolation) spec.isolation = static_cast<Isolation>(*isolation);
    if (spec.isolation == Isolation::kWasm) {
      r.error(*n, "isolation \"wasm\" is not supported yet", "\"kernel\" or \"user\"");
    }
  } else {
    r.missing("isolation", "isolation = \"kernel\" or \"user\"");
  }
  if (const toml::node* n = root.get("exports")) {
    spec.exports = r.strings(*n, "exports", is_service, "a service name or a scheme \"name:\"");
  }
  if (const toml::node* n = root.get("requires")) {
    if (const auto* t = r.as<toml::table>(*n, "requires", "a table")) read_requires(r, *t, spec);
  }
  if (const toml::node* n = root.get("devices")) {
    for (Located& d : r.strings(
             *n, "devices", [](std::string_view s) { return !s.empty(); }, "a device match")) {
      spec.devices.push_back(std::move(d.text));
    }
  }
  if (const toml::node* n = root.get("config")) {
    if (const auto* t = r.as<toml::table>(*n, "config", "a table")) read_config(r, *t, spec);
  }
  if (const toml::node* n = root.get("limits")) {
    if (const auto* t = r.as<toml::table>(*n, "limits", "a table")) read_limits(r, *t, spec);
  }
  if (const toml::node* n = root.get("restart")) {
    if (const auto* t = r.as<toml::table>(*n, "restart", "a table")) read_restart(r, *t, spec);
  }
  diag.sort_from(first_error);
  if (!named) return std::nullopt;
  return spec;
}

}  // namespace speccc
