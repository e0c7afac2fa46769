// Mount tables: the system file (system.toml) and the [mounts] tables it and silo specs hold,
// each entry checked where it is written, and their sources checked against the exports.
#include <algorithm>
#include <set>
#include <string_view>

#include "reader.h"

namespace speccc {
namespace {

constexpr std::string_view kSystemFile = "system.toml";
constexpr const char* kPathExpected =
    "an absolute path without empty, \".\" or \"..\" components or a trailing \"/\", at most "
    "1024 bytes and 255 a component";
constexpr const char* kSourceExpected =
    "\"service\" or \"service:/path\", the service a name [a-z][a-z0-9-]*";

// Why path is not absolute and normalized within the file protocol's limits; "" if it is.
std::string path_problem(std::string_view path) {
  if (path.empty() || path[0] != '/') return "not absolute";
  if (path.size() > kMaxPath) return "longer than " + std::to_string(kMaxPath) + " bytes";
  if (path.find('\0') != std::string_view::npos) return "a NUL byte";
  if (path == "/") return "";
  if (path.back() == '/') return "a trailing \"/\"";
  for (size_t start = 1; start <= path.size();) {
    const size_t end = std::min(path.find('/', start), path.size());
    const std::string_view name = path.substr(start, end - start);
    if (name.empty()) return "an empty component";
    if (name == "." || name == "..") return "a " + quoted(name) + " component";
    if (name.size() > kMaxName)
      return "a component longer than " + std::to_string(kMaxName) + " bytes";
    start = end + 1;
  }
  return "";
}

// A path for a message: a long one is cut short.
std::string shown(std::string_view path) {
  constexpr size_t kShown = 48;
  return path.size() <= kShown ? quoted(path) : quoted(path.substr(0, kShown)) + "...";
}

// "service" or "service:/subtree" into mount; false after reporting what is wrong.
bool read_source(Reader& r, const toml::node& n, const std::string& where, Mount& mount) {
  const auto* s = r.as<toml::value<std::string>>(n, where, kSourceExpected);
  if (!s) return false;
  const std::string_view source = s->get();
  const size_t colon = source.find(':');
  const std::string_view service = source.substr(0, colon);
  // "boot:" names a scheme: the file servers export names.
  if (!is_name(service) || colon + 1 == source.size()) {
    r.error(n, "bad mount source " + shown(source) + " in " + where, kSourceExpected);
    return false;
  }
  mount.service = service;
  mount.at = r.at(n.source());
  if (colon == std::string_view::npos) return true;
  const std::string_view subtree = source.substr(colon + 1);
  if (const std::string problem = path_problem(subtree); !problem.empty()) {
    r.error(n, "bad subtree " + shown(subtree) + " in " + where + ": " + problem, kPathExpected);
    return false;
  }
  if (subtree != "/") mount.subtree = subtree;  // "service:/" is the whole tree
  return true;
}

// { source = "...", read_only = true }; false when the source is not valid (a bad read_only is
// reported, but the source is still checked against the exports).
bool read_options(Reader& r, const toml::table& t, const std::string& where, Mount& mount) {
  r.check_keys(t, {"source", "read_only"}, where + ".");
  if (const toml::node* n = t.get("read_only")) {
    const auto* b = r.as<toml::value<bool>>(*n, where + ".read_only", "a boolean");
    if (b) mount.read_only = b->get();
  }
  if (const toml::node* n = t.get("source")) return read_source(r, *n, where + ".source", mount);
  r.missing(t, where + ".source", "source = \"service\" or \"service:/path\"");
  return false;
}

}  // namespace

MountTable read_mounts(Reader& r, const toml::node& n) {
  MountTable table;
  const auto* t = r.as<toml::table>(n, "mounts", "a table of mount paths");
  if (!t) return table;
  for (const auto& [key, node] : *t) {
    const std::string_view path = key.str();
    const std::string where = "mounts." + quoted(path);
    if (const std::string problem = path_problem(path); !problem.empty()) {
      r.error(key, "bad mount path " + shown(path) + ": " + problem, kPathExpected);
      continue;
    }
    Mount mount;
    mount.path = path;
    bool ok = false;
    if (node.is_string()) {
      ok = read_source(r, node, where, mount);
    } else if (const toml::table* options = node.as_table()) {
      ok = read_options(r, *options, where, mount);
    } else {
      r.error(node, where + " has the wrong type: " + type_name(node),
              "a source string or a table { source = ..., read_only = ... }");
    }
    if (ok) table.push_back(std::move(mount));
  }
  // The root first: the VFS resolves every path from some mount, at worst "/".
  if (!t->empty() && !t->contains("/")) {
    r.error(*t, "mounts has no \"/\"", "a mount at \"/\" in a table that is not empty");
  }
  std::sort(table.begin(), table.end(),
            [](const Mount& a, const Mount& b) { return a.path < b.path; });
  return table;
}

bool is_system_file(const std::string& file) {
  const size_t slash = file.rfind('/');
  return std::string_view(file).substr(slash == std::string::npos ? 0 : slash + 1) == kSystemFile;
}

std::optional<System> parse_system(const std::string& file, Diagnostics& diag) {
  const std::optional<toml::table> parsed = parse_toml(file, diag);
  if (!parsed) return std::nullopt;
  const size_t first_error = diag.count();
  Reader r(file, diag);
  System system;
  system.file = file;
  r.check_keys(*parsed, {"mounts"}, "");
  if (const toml::node* n = parsed->get("mounts")) system.mounts = read_mounts(r, *n);
  diag.sort_from(first_error);
  return system;
}

void check_mounts(const std::vector<Spec>& specs, const System& system,
                  const std::vector<Silo>& silos, Diagnostics& diag) {
  std::set<std::string> exported;
  for (const Spec& spec : specs) {
    for (const Located& e : spec.exports) exported.insert(e.text);
  }
  auto check = [&](const MountTable& table) {
    for (const Mount& m : table) {
      if (exported.contains(m.service)) continue;
      diag.error(m.at, "mounts." + quoted(m.path) + " names unknown service " + quoted(m.service),
                 "a service that some spec exports");
    }
  };
  check(system.mounts);
  for (const Silo& silo : silos) {
    if (silo.mounts) check(*silo.mounts);
  }
}

}  // namespace speccc
