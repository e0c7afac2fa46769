// mkdir: makes directories. -p makes the missing parents too and accepts one that exists;
// -m sets the mode (octal or symbolic, as chmod; given as is, Stellina having no umask).
#include "programs/lib/files_fs.h"
#include "programs/lib/files_parse.h"

namespace {

namespace abi = stellina::abi;

constexpr const char* kUsage =
    "usage: mkdir [-p] [-m MODE] DIRECTORY...\n"
    "  -m MODE  the new directories' mode (755, u=rwx,go=rx, ...)\n"
    "  -p       make parents as needed; no error if one exists\n";

// Makes every missing directory along path (each parent 0755, the last mode).
bool make_parents(cmd::Command& c, lib::StringView path, uint32_t mode) {
  const stellina::Files& files = c.env().files();
  path = cmd::strip_slashes(path);
  for (size_t end = 1; end <= path.size(); ++end) {
    if (end < path.size() && path[end] != '/') continue;
    if (end < path.size() && path[end - 1] == '/') continue;  // "a//b": once
    const lib::StringView prefix = path.substr(0, end);
    const cmd::Result<abi::FileStat> st = files.stat(prefix);
    if (st.ok()) {
      if (cmd::is_dir(st.value().mode)) continue;
      c.error("cannot create directory '{}': {}", prefix,
              stellina::status_name(abi::kErrNotDirectory));
      return false;
    }
    const cmd::Result<void> made = files.mkdir(prefix, end == path.size() ? mode : 0755);
    if (!made.ok() && made.error() != abi::kErrExists) {
      c.error("cannot create directory '{}': {}", prefix, stellina::status_name(made.error()));
      return false;
    }
  }
  return true;
}

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "pm:");
  bool parents = false;
  uint32_t mode = 0777 & ~cmd::kUmask;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == 'p') parents = true;
    if (opt == 'm' && !cmd::parse_mode(o.value(), 0777, 0, true, &mode)) {
      c.error("invalid mode '{}'", o.value());
      return c.finish(1);
    }
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
  }
  if (o.index() >= p.argc()) {
    c.error("missing operand");
    return c.usage_error();
  }
  bool ok = true;
  for (size_t i = o.index(); i < p.argc(); ++i) {
    const lib::StringView path = p.arg(i);
    if (parents) {
      if (!make_parents(c, path, mode)) ok = false;
      continue;
    }
    const cmd::Result<void> made = p.files().mkdir(path, mode);
    if (!made.ok()) {
      c.error("cannot create directory '{}': {}", path, stellina::status_name(made.error()));
      ok = false;
    }
  }
  return c.finish(ok ? 0 : 1);
}
