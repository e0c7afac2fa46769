#include "programs/lib/parse.h"

#include <lib/checked_number.h>

namespace cmd {

bool parse_u64(lib::StringView text, uint64_t* out) {
  auto value = lib::parse_decimal(text);
  if (!value.ok()) return false;
  *out = value.value();
  return true;
}

bool parse_i64(lib::StringView text, int64_t* out) {
  auto value = lib::parse_signed_decimal(text);
  if (!value.ok()) return false;
  *out = value.value();
  return true;
}

lib::StringView base_name(lib::StringView path) {
  while (path.size() > 1 && path[path.size() - 1] == '/') path = path.substr(0, path.size() - 1);
  size_t start = path.size();
  while (start > 0 && path[start - 1] != '/') --start;
  return start == path.size() ? path : path.substr(start);
}

}  // namespace cmd
