#include "programs/lib/util_path.h"

namespace util {
namespace {

lib::StringView drop_trailing_slashes(lib::StringView s) {
  while (!s.empty() && s[s.size() - 1] == '/') s = s.substr(0, s.size() - 1);
  return s;
}

}  // namespace

lib::StringView dir_name(lib::StringView path) {
  lib::StringView s = drop_trailing_slashes(path);
  if (s.empty()) return path.empty() ? lib::StringView(".") : lib::StringView("/");
  while (!s.empty() && s[s.size() - 1] != '/') s = s.substr(0, s.size() - 1);
  if (s.empty()) return ".";
  s = drop_trailing_slashes(s);
  return s.empty() ? lib::StringView("/") : s;
}

lib::StringView strip_suffix(lib::StringView name, lib::StringView suffix) {
  if (suffix.empty() || suffix.size() >= name.size() || !name.ends_with(suffix)) return name;
  return name.substr(0, name.size() - suffix.size());
}

}  // namespace util
