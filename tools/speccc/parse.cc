// Reading one spec: every key is checked for name, type and range where it is written.
#include <algorithm>
#include <string>
#include <string_view>
#include <tuple>

#include "reader.h"

namespace speccc {
namespace {

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

// [spawn]: both limits required. The spawn silo is made inside the component's own, whose
// limits must leave room for the component itself: each must be below the component's.
void read_spawn(Reader& r, const toml::table& t, const toml::node& table, Spec& spec) {
  r.check_keys(t, {"memory_pages", "threads"}, "spawn.");
  SpawnLimits spawn;
  spawn.at = r.at(table.source());
  bool whole = true;
  for (const auto& [key, limit, own, field] :
       {std::tuple{"memory_pages", &spawn.memory_pages, spec.memory_pages, "limits.memory_pages"},
        std::tuple{"threads", &spawn.threads, spec.threads, "limits.threads"}}) {
    const toml::node* n = t.get(key);
    if (!n) {
      r.error(table, std::string("spawn.") + key + " is missing",
              std::string(key) + " = a positive integer");
      whole = false;
      continue;
    }
    const std::optional<uint32_t> value = r.positive(*n, std::string("spawn.") + key);
    if (!value) {
      whole = false;
      continue;
    }
    if (*value >= own) {
      r.error(*n,
              std::string("spawn.") + key + " = " + std::to_string(*value) + " leaves nothing of " +
                  field + " = " + std::to_string(own) + " for the component itself",
              std::string("below ") + std::to_string(own));
      whole = false;
    }
    *limit = *value;
  }
  if (!spec.devices.empty()) {
    r.error(table, "a driver (devices = [...]) cannot have [spawn]", "no [spawn] table");
    whole = false;
  }
  if (whole) spec.spawn = spawn;
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
  const std::optional<toml::table> parsed = parse_toml(file, diag);
  if (!parsed) return std::nullopt;
  const toml::table& root = *parsed;
  const size_t first_error = diag.count();
  Reader r(file, diag);
  Spec spec;
  spec.file = file;
  bool named = false;

  r.check_keys(root,
               {"name", "isolation", "exports", "requires", "devices", "config", "limits",
                "restart", "spawn", "priority"},
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
    spec.isolation_at = r.at(n->source());
  } else {
    r.missing("isolation", "isolation = \"kernel\", \"user\" or \"wasm\"");
  }
  if (const toml::node* n = root.get("priority")) {
    spec.priority = r.positive(*n, "priority", kMaxPriority).value_or(kNormalPriority);
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
  if (const toml::node* n = root.get("spawn")) {  // after limits and devices: checked against them
    if (const auto* t = r.as<toml::table>(*n, "spawn", "a table")) read_spawn(r, *t, *n, spec);
  }
  if (const toml::node* n = root.get("restart")) {
    if (const auto* t = r.as<toml::table>(*n, "restart", "a table")) read_restart(r, *t, spec);
  }
  diag.sort_from(first_error);
  if (!named) return std::nullopt;
  return spec;
}

}  // namespace speccc
