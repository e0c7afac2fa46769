// rmdir: removes empty directories; -p then removes each parent named in the operand, as
// long as it is empty ("rmdir -p a/b/c" removes a/b/c, a/b and a).
#include "programs/lib/files_fs.h"

namespace {

constexpr const char* kUsage =
    "usage: rmdir [-p] DIRECTORY...\n"
    "  -p  remove the directory, then each parent named in it\n";

bool remove(cmd::Command& c, lib::StringView path) {
  const cmd::Result<void> gone = c.env().files().rmdir(path);
  if (gone.ok()) return true;
  c.error("failed to remove '{}': {}", path, stellina::status_name(gone.error()));
  return false;
}

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "p");
  bool parents = false;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == 'p') parents = true;
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
  }
  if (o.index() >= p.argc()) {
    c.error("missing operand");
    return c.usage_error();
  }
  bool ok = true;
  for (size_t i = o.index(); i < p.argc(); ++i) {
    lib::StringView path = cmd::strip_slashes(p.arg(i));
    if (!remove(c, path)) {
      ok = false;
      continue;
    }
    while (parents) {
      const lib::StringView parent = cmd::dir_name(path);
      if (parent == "." || parent == "/" || parent == path) break;
      if (!remove(c, parent)) {
        ok = false;
        break;
      }
      path = parent;
    }
  }
  return c.finish(ok ? 0 : 1);
}
