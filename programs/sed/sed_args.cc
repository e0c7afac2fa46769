#include "programs/sed/sed_args.h"

#include <lib/format.h>

namespace text {

namespace {

bool line_length(lib::StringView v, int64_t* out) {
  if (v.size() == 0) return false;
  int64_t n = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] < '0' || v[i] > '9') return false;
    n = n * 10 + (v[i] - '0');
    if (n > INT32_MAX) return false;
  }
  *out = n;
  return true;
}

}  // namespace

bool parse_sed_args(std::span<const lib::StringView> args, SedArgs* out, char* error,
                    size_t error_size) {
  const auto fail = [&](const char* fmt, lib::StringView what) {
    lib::format_to(error, error_size, fmt, what);
    return false;
  };
  const auto piece = [&](bool file, lib::StringView text) {
    if (out->piece_count == kSedMaxArgs) return false;
    out->pieces[out->piece_count++] = SedArgs::Piece{file, text};
    return true;
  };
  bool options = true;
  for (size_t i = 0; i < args.size(); ++i) {
    const lib::StringView a = args[i];
    if (!options || a.size() < 2 || a[0] != '-') {
      if (out->operand_count < kSedMaxArgs) out->operands[out->operand_count++] = a;
      continue;
    }
    if (a == "--") {
      options = false;
      continue;
    }
    if (a[1] == '-') {
      // --name, --name=value, or --name value for those that take one.
      lib::StringView name = a.substr(2), value;
      bool has_value = false;
      for (size_t j = 0; j < name.size(); ++j) {
        if (name[j] == '=') {
          value = name.substr(j + 1);
          name = name.substr(0, j);
          has_value = true;
          break;
        }
      }
      const auto needs_value = [&]() {
        if (has_value) return true;
        if (i + 1 >= args.size()) return false;
        value = args[++i];
        return true;
      };
      if (name == "quiet" || name == "silent") {
        out->quiet = true;
      } else if (name == "regexp-extended") {
        out->extended = true;
      } else if (name == "separate") {
        out->separate = true;
      } else if (name == "in-place") {
        out->in_place = out->separate = true;
        out->suffix = value;
      } else if (name == "expression" || name == "file") {
        if (!needs_value()) return fail("option '--{}' requires an argument", name);
        if (!piece(name == "file", value)) return fail("too many scripts", name);
      } else if (name == "line-length") {
        if (!needs_value() || !line_length(value, &out->line_length))
          return fail("invalid line length: {}", value);
      } else if (name == "unbuffered") {
        out->unbuffered = true;
      } else if (name == "posix" || name == "debug" || name == "sandbox") {
      } else if (name == "help") {
        out->help = true;
      } else if (name == "version") {
        out->version = true;
      } else {
        return fail("unknown option -- '{}'", name);
      }
      continue;
    }
    for (size_t j = 1; j < a.size(); ++j) {
      const char c = a[j];
      switch (c) {
        case 'n': out->quiet = true; break;
        case 'E':
        case 'r': out->extended = true; break;
        case 's': out->separate = true; break;
        case 'u': out->unbuffered = true; break;
        case 'i':
          out->in_place = out->separate = true;
          out->suffix = a.substr(j + 1);
          j = a.size();
          break;
        case 'e':
        case 'f':
        case 'l': {
          lib::StringView value = a.substr(j + 1);
          if (value.size() == 0) {
            if (i + 1 >= args.size())
              return fail("option requires an argument -- '{}'", a.substr(j, 1));
            value = args[++i];
          }
          j = a.size();
          if (c == 'l') {
            if (!line_length(value, &out->line_length))
              return fail("invalid line length: {}", value);
          } else if (!piece(c == 'f', value)) {
            return fail("too many scripts", value);
          }
          break;
        }
        default: return fail("invalid option -- '{}'", a.substr(j, 1));
      }
    }
  }
  if (out->piece_count == 0 && !out->help && !out->version) {
    if (out->operand_count == 0) return fail("no script given", lib::StringView());
    piece(false, out->operands[0]);
    for (size_t i = 1; i < out->operand_count; ++i) out->operands[i - 1] = out->operands[i];
    --out->operand_count;
  }
  return true;
}

}  // namespace text
