// Silo specs (NAME.silo.toml): reading one, and checking all of them against the components.
#include <algorithm>
#include <map>
#include <string_view>

#include "reader.h"

namespace speccc {
namespace {

constexpr std::string_view kSiloSuffix = ".silo.toml";

void read_limits(Reader& r, const toml::table& t, Silo& silo) {
  r.check_keys(t, {"memory_pages", "threads", "cpu_percent"}, "limits.");
  if (const toml::node* n = t.get("memory_pages")) {
    if (const auto v = r.positive(*n, "limits.memory_pages")) {
      silo.memory_pages = *v;
      silo.memory_pages_at = r.at(n->source());
    }
  } else {
    r.missing(t, "limits.memory_pages", "memory_pages = a positive integer");
  }
  if (const toml::node* n = t.get("threads")) {
    if (const auto v = r.positive(*n, "limits.threads")) {
      silo.threads = *v;
      silo.threads_at = r.at(n->source());
    }
  } else {
    r.missing(t, "limits.threads", "threads = a positive integer");
  }
  if (const toml::node* n = t.get("cpu_percent")) {
    silo.cpu_percent = r.positive(*n, "limits.cpu_percent", kFullCpu).value_or(kFullCpu);
  }
}

// The components, each listed once.
void read_components(Reader& r, const toml::node& n, Silo& silo) {
  if (const toml::array* array = n.as_array(); array && array->empty()) {
    r.error(n, "components is empty", "at least one component name");
    return;
  }
  std::map<std::string, Position> seen;
  for (Located& c : r.strings(n, "components", is_name, "a component name")) {
    const auto [it, fresh] = seen.emplace(c.text, c.at);
    if (!fresh) {
      r.error(c.at,
              "component " + quoted(c.text) + " listed twice, first at " + to_string(it->second),
              "each component once");
      continue;
    }
    silo.components.push_back(std::move(c));
  }
}

// "a 3 + b 4 = 7": how a sum of the members' limits is made up.
std::string sum_text(const std::vector<std::pair<std::string, uint32_t>>& terms, uint64_t sum) {
  std::string out;
  for (const auto& [name, value] : terms) {
    out += (out.empty() ? "" : " + ") + name + " " + std::to_string(value);
  }
  return out + " = " + std::to_string(sum);
}

}  // namespace

bool is_silo_file(const std::string& file) { return file.ends_with(kSiloSuffix); }

std::optional<Silo> parse_silo(const std::string& file, Diagnostics& diag) {
  const std::optional<toml::table> parsed = parse_toml(file, diag);
  if (!parsed) return std::nullopt;
  const toml::table& root = *parsed;
  const size_t first_error = diag.count();
  Reader r(file, diag);
  Silo silo;
  silo.file = file;
  bool named = false;

  r.check_keys(root, {"name", "components", "limits", "mounts"}, "");
  if (const toml::node* n = root.get("name")) {
    if (const auto* s = r.as<toml::value<std::string>>(*n, "name", "a string")) {
      named = is_name(s->get());
      if (named) {
        silo.name = {s->get(), r.at(n->source())};
      } else {
        r.error(*n, "bad silo name " + quoted(s->get()), "[a-z][a-z0-9-]*, not a C++ keyword");
      }
    }
  } else {
    r.missing("name", "name = \"...\"");
  }
  if (const toml::node* n = root.get("components")) {
    read_components(r, *n, silo);
  } else {
    r.missing("components", "components = [\"...\", ...]");
  }
  if (const toml::node* n = root.get("limits")) {
    if (const auto* t = r.as<toml::table>(*n, "limits", "a table")) read_limits(r, *t, silo);
  } else {
    r.missing("limits", "a [limits] table with memory_pages and threads");
  }
  if (const toml::node* n = root.get("mounts")) silo.mounts = read_mounts(r, *n);
  diag.sort_from(first_error);
  if (!named) return std::nullopt;
  return silo;
}

std::vector<size_t> resolve_silos(std::vector<Spec>& specs, const std::vector<Silo>& silos,
                                  Diagnostics& diag) {
  std::map<std::string, size_t> names;
  for (size_t i = 0; i < silos.size(); ++i) {
    const auto [it, fresh] = names.emplace(silos[i].name.text, i);
    if (!fresh) {
      diag.error(silos[i].name.at,
                 "duplicate silo name " + quoted(silos[i].name.text) + ", first at " +
                     to_string(silos[it->second].name.at),
                 "a name no other silo uses");
    }
  }
  std::vector<size_t> order(silos.size());
  for (size_t i = 0; i < silos.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return silos[a].name.text < silos[b].name.text; });
  std::vector<size_t> position(silos.size());
  for (size_t i = 0; i < order.size(); ++i) position[order[i]] = i;

  std::map<std::string, size_t> components;
  for (size_t i = 0; i < specs.size(); ++i) components.emplace(specs[i].name.text, i);
  // Where each component was first put in a silo: (silo, position in its file).
  std::map<size_t, std::pair<size_t, Position>> member_of;
  for (size_t s = 0; s < silos.size(); ++s) {
    const Silo& silo = silos[s];
    uint64_t pages = 0;
    uint64_t threads = 0;
    std::vector<std::pair<std::string, uint32_t>> page_terms;
    std::vector<std::pair<std::string, uint32_t>> thread_terms;
    for (const Located& c : silo.components) {
      const auto it = components.find(c.text);
      if (it == components.end()) {
        diag.error(c.at,
                   "unknown component " + quoted(c.text) + " in silo " + quoted(silo.name.text),
                   "a component that some spec declares");
        continue;
      }
      Spec& spec = specs[it->second];
      pages += spec.memory_pages;
      threads += spec.threads;
      page_terms.emplace_back(c.text, spec.memory_pages);
      thread_terms.emplace_back(c.text, spec.threads);
      const auto [first, fresh] = member_of.emplace(it->second, std::make_pair(s, c.at));
      if (!fresh) {
        diag.error(c.at,
                   "component " + quoted(c.text) + " is already in silo " +
                       quoted(silos[first->second.first].name.text) + " at " +
                       to_string(first->second.second),
                   "each component in one silo at most");
        continue;
      }
      spec.silo = position[s];
    }
    if (silo.memory_pages_at && pages > silo.memory_pages) {
      diag.error(*silo.memory_pages_at,
                 "silo " + quoted(silo.name.text) + " has " + std::to_string(silo.memory_pages) +
                     " memory pages, less than its components' " + sum_text(page_terms, pages),
                 "limits.memory_pages of at least " + std::to_string(pages));
    }
    if (silo.threads_at && threads > silo.threads) {
      diag.error(*silo.threads_at,
                 "silo " + quoted(silo.name.text) + " has " + std::to_string(silo.threads) +
                     " threads, less than its components' " + sum_text(thread_terms, threads),
                 "limits.threads of at least " + std::to_string(threads));
    }
  }
  return order;
}

}  // namespace speccc
