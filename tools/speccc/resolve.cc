// Checks across specs, and the start order: a component starts after everything it requires.
#include <algorithm>
#include <map>
#include <set>

#include "spec.h"

namespace speccc {
namespace {

// Reports each dependency cycle among the components left unordered, found by a depth-first
// walk in name order; deps[i] holds (requirement index, provider) pairs.
void report_cycles(const std::vector<Spec>& specs,
                   const std::vector<std::vector<std::pair<size_t, size_t>>>& deps,
                   const std::vector<size_t>& by_name, const std::vector<bool>& ordered,
                   Diagnostics& diag) {
  enum class Mark : uint8_t { kNew, kOnPath, kDone };
  std::vector<Mark> mark(specs.size(), Mark::kNew);
  struct Step {
    size_t node;
    size_t next = 0;  // the next entry of deps[node] to follow
  };
  for (size_t root : by_name) {
    if (ordered[root] || mark[root] != Mark::kNew) continue;
    std::vector<Step> path = {{root}};
    mark[root] = Mark::kOnPath;
    while (!path.empty()) {
      Step& step = path.back();
      if (step.next == deps[step.node].size()) {
        mark[step.node] = Mark::kDone;
        path.pop_back();
        continue;
      }
      const size_t to = deps[step.node][step.next++].second;
      if (mark[to] == Mark::kNew) {
        mark[to] = Mark::kOnPath;
        path.push_back({to});
      } else if (mark[to] == Mark::kOnPath) {
        size_t first = 0;
        while (path[first].node != to) ++first;
        std::string cycle;
        for (size_t i = first; i < path.size(); ++i)
          cycle += specs[path[i].node].name.text + " -> ";
        cycle += specs[to].name.text;
        // Point at the requirement by which the cycle leaves its first component.
        const Step& start = path[first];
        const Requirement& req =
            specs[start.node].requirements[deps[start.node][start.next - 1].first];
        diag.error(req.at, "dependency cycle: " + cycle, "requires that form no cycle");
      }
    }
  }
}

}  // namespace

std::vector<size_t> resolve(std::vector<Spec>& specs, Diagnostics& diag) {
  std::map<std::string, size_t> names;
  for (size_t i = 0; i < specs.size(); ++i) {
    const auto [it, fresh] = names.emplace(specs[i].name.text, i);
    if (!fresh) {
      diag.error(specs[i].name.at,
                 "duplicate component name \"" + specs[i].name.text + "\", first at " +
                     to_string(specs[it->second].name.at),
                 "a name no other spec uses");
    }
  }
  // Several components may export one service only if all are drivers: a system has
  // whichever devices the machine has, and a client gets the first driver bound.
  std::map<std::string, std::vector<std::pair<size_t, Position>>> providers;
  for (size_t i = 0; i < specs.size(); ++i) {
    for (const Located& e : specs[i].exports) {
      auto& exporters = providers[e.text];
      if (std::find(std::begin(kStartupServices), std::end(kStartupServices), e.text) !=
          std::end(kStartupServices)) {
        diag.error(e.at, "\"" + e.text + "\" is the startup server's own service",
                   "a service other than control, control:, status:, boot: and serial:");
      } else if (!exporters.empty()) {
        const auto [first, first_at] = exporters.front();
        const bool drivers = !specs[i].devices.empty() && !specs[first].devices.empty();
        if (!drivers || first == i) {
          diag.error(e.at,
                     "duplicate export \"" + e.text + "\", first exported by " +
                         specs[first].name.text + " at " + to_string(first_at),
                     "each service exported by one component (or only by drivers)");
        }
      }
      exporters.emplace_back(i, e.at);
    }
  }
  // deps[i]: (requirement index, provider) for each requirement of spec i that resolved.
  std::vector<std::vector<std::pair<size_t, size_t>>> deps(specs.size());
  for (size_t i = 0; i < specs.size(); ++i) {
    for (size_t r = 0; r < specs[i].requirements.size(); ++r) {
      Requirement& req = specs[i].requirements[r];
      if (std::find(std::begin(kStartupServices), std::end(kStartupServices), req.service) !=
          std::end(kStartupServices)) {
        req.provider = kStartupServer;  // always there: it starts everything else
        continue;
      }
      const auto it = providers.find(req.service);
      if (it == providers.end()) {
        diag.error(req.at, "requires." + req.key + " names unknown service \"" + req.service + "\"",
                   "a service that some spec exports");
        continue;
      }
      if (it->second.size() > 1) {
        req.provider = kAnyDriver;  // known at run time; drivers start when bound, in any order
        continue;
      }
      req.provider = it->second.front().first;
      deps[i].emplace_back(r, req.provider);
    }
  }

  // Kahn's algorithm; among the components ready to start, the smallest name goes first.
  std::vector<std::set<size_t>> dependents(specs.size());
  std::vector<size_t> waiting(specs.size(), 0);
  for (size_t i = 0; i < specs.size(); ++i) {
    for (const auto& [r, provider] : deps[i]) {
      if (dependents[provider].insert(i).second) ++waiting[i];
    }
  }
  std::set<std::pair<std::string, size_t>> ready;
  for (size_t i = 0; i < specs.size(); ++i) {
    if (waiting[i] == 0) ready.emplace(specs[i].name.text, i);
  }
  std::vector<size_t> order;
  std::vector<bool> ordered(specs.size(), false);
  while (!ready.empty()) {
    const size_t next = ready.begin()->second;
    ready.erase(ready.begin());
    order.push_back(next);
    ordered[next] = true;
    for (size_t d : dependents[next]) {
      if (--waiting[d] == 0) ready.emplace(specs[d].name.text, d);
    }
  }
  if (order.size() != specs.size()) {
    std::vector<size_t> by_name(specs.size());
    for (size_t i = 0; i < specs.size(); ++i) by_name[i] = i;
    std::stable_sort(by_name.begin(), by_name.end(),
                     [&](size_t a, size_t b) { return specs[a].name.text < specs[b].name.text; });
    report_cycles(specs, deps, by_name, ordered, diag);
  }
  return order;
}

void check_kernel_isolation(const std::vector<Spec>& specs,
                            const std::vector<std::string>& built_in, Diagnostics& diag) {
  for (const Spec& spec : specs) {
    if (spec.isolation != Isolation::kKernel) continue;
    if (std::find(built_in.begin(), built_in.end(), spec.name.text) != built_in.end()) continue;
    diag.error(spec.isolation_at,
               "isolation \"kernel\": " + spec.name.text + " is not built into the kernel",
               "\"user\"");
  }
}

void check_wasm_isolation(const std::vector<Spec>& specs, const std::vector<std::string>& built,
                          Diagnostics& diag) {
  for (const Spec& spec : specs) {
    if (spec.isolation != Isolation::kWasm) continue;
    if (std::find(built.begin(), built.end(), spec.name.text) != built.end()) continue;
    diag.error(spec.isolation_at,
               "isolation \"wasm\": " + spec.name.text + " is not built for wasm32", "\"user\"");
  }
}

}  // namespace speccc
