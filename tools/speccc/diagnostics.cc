#include <algorithm>
#include <tuple>

#include "spec.h"

namespace speccc {

std::string to_string(const Position& at) {
  return at.file + ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
}

void Diagnostics::error(const Position& at, const std::string& what, const std::string& expected) {
  errors_.push_back({at, to_string(at) + ": error: " + what + " (expected " + expected + ")"});
}

void Diagnostics::sort_from(size_t first) {
  std::stable_sort(errors_.begin() + static_cast<std::ptrdiff_t>(first), errors_.end(),
                   [](const Error& a, const Error& b) {
                     return std::tie(a.at.line, a.at.column) < std::tie(b.at.line, b.at.column);
                   });
}

std::vector<std::string> Diagnostics::lines() const {
  std::vector<std::string> out;
  out.reserve(errors_.size());
  for (const Error& e : errors_) out.push_back(e.text);
  return out;
}

}  // namespace speccc
