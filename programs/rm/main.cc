// rm: removes files; -r directories and all below them (links removed, never followed);
// -f says nothing of names that do not exist (and exits 0 for them). Refuses "/", and an
// operand whose last component is "." or "..", as GNU rm.
#include "programs/lib/files_fs.h"

namespace {

namespace abi = stellina::abi;

constexpr const char* kUsage =
    "usage: rm [-fr] FILE...\n"
    "  -f      ignore names that do not exist; never ask\n"
    "  -r, -R  remove directories and their contents, recursively\n";

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "frR");
  bool force = false, recursive = false;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == 'f') force = true;
    if (opt == 'r' || opt == 'R') recursive = true;
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
  }
  if (o.index() >= p.argc() && !force) {
    c.error("missing operand");
    return c.usage_error();
  }
  bool ok = true;
  static cmd::PathBuf path;
  for (size_t i = o.index(); i < p.argc(); ++i) {
    const lib::StringView operand = p.arg(i);
    if (cmd::is_dot_or_dotdot(operand)) {
      c.error("refusing to remove '.' or '..' directory: skipping '{}'", operand);
      ok = false;
      continue;
    }
    if (cmd::strip_slashes(operand) == "/") {
      c.error("it is dangerous to operate recursively on '/'");
      ok = false;
      continue;
    }
    const cmd::Result<abi::FileStat> st = p.files().stat(operand, false);
    if (!st.ok()) {
      if (force && st.error() == abi::kErrNotFound) continue;
      c.error("cannot remove '{}': {}", operand, stellina::status_name(st.error()));
      ok = false;
      continue;
    }
    if (cmd::is_dir(st.value().mode) && !recursive) {
      c.error("cannot remove '{}': {}", operand, stellina::status_name(abi::kErrIsDirectory));
      ok = false;
      continue;
    }
    if (!path.assign(operand)) {
      c.error("cannot remove '{}': {}", operand, stellina::status_name(abi::kErrNameTooLong));
      ok = false;
      continue;
    }
    if (!cmd::remove_tree(c, path, 0)) ok = false;
  }
  return c.finish(ok ? 0 : 1);
}
