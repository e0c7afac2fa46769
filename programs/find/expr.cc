#include "programs/find/expr.h"

#include "programs/lib/files_glob.h"
#include "programs/lib/parse.h"

namespace cmd::find {

bool parse(const lib::StringView* words, size_t n, Expr* out, lib::StringView* word,
           const char** why) {
  Expr e;
  bool negate = false;
  for (size_t i = 0; i < n; ++i) {
    const lib::StringView w = words[i];
    *word = w;
    if (w == "!" || w == "-not") {
      negate = !negate;
      continue;
    }
    if (w == "-a" || w == "-and") continue;
    const bool takes_value =
        w == "-name" || w == "-type" || w == "-size" || w == "-maxdepth" || w == "-mindepth";
    if (takes_value && i + 1 == n) {
      *why = "missing argument";
      return false;
    }
    const lib::StringView value = takes_value ? words[++i] : lib::StringView();
    if (w == "-maxdepth" || w == "-mindepth") {
      uint64_t depth = 0;
      if (!parse_u64(value, &depth)) {
        *word = value;
        *why = "not a depth";
        return false;
      }
      (w == "-maxdepth" ? e.max_depth : e.min_depth) = depth;
      continue;
    }
    if (e.count == Expr::kMaxTests) {
      *why = "too many tests";
      return false;
    }
    Test t;
    t.negate = negate;
    negate = false;
    if (w == "-print") {
      if (t.negate) {
        *why = "cannot negate an action";
        return false;
      }
      t.kind = Kind::Print;
      e.has_print = true;
    } else if (w == "-name") {
      t.kind = Kind::Name;
      t.pattern = value;
    } else if (w == "-type") {
      t.kind = Kind::Type;
      *word = value;
      if (value.size() != 1) {
        *why = "unknown type";
        return false;
      }
      switch (value[0]) {
        case 'f': t.type = 0100000; break;
        case 'd': t.type = 0040000; break;
        case 'l': t.type = 0120000; break;
        case 'p': t.type = 0010000; break;
        case 's': t.type = 0140000; break;
        case 'c': t.type = 0020000; break;
        case 'b': t.type = 0060000; break;
        default: *why = "unknown type"; return false;
      }
    } else if (w == "-size") {
      t.kind = Kind::Size;
      if (!parse_find_size(value, &t.size)) {
        *word = value;
        *why = "invalid size";
        return false;
      }
    } else {
      *why = "unknown predicate";
      return false;
    }
    e.tests[e.count++] = t;
  }
  if (negate) {
    *why = "nothing to negate";
    return false;
  }
  *out = e;
  return true;
}

size_t evaluate(const Expr& e, const Node& node) {
  size_t prints = 0;
  for (size_t i = 0; i < e.count; ++i) {
    const Test& t = e.tests[i];
    bool pass = true;
    switch (t.kind) {
      case Kind::Print: ++prints; continue;
      case Kind::Name: pass = glob_match(t.pattern, node.name); break;
      case Kind::Type: pass = (node.mode & 0170000) == t.type; break;
      case Kind::Size: pass = find_size_matches(t.size, node.size); break;
    }
    if (pass == t.negate) return prints;
  }
  return e.has_print ? prints : 1;
}

}  // namespace cmd::find
