// mv: renames files and directories: "mv SOURCE DEST" or "mv SOURCE... DIRECTORY". Across
// file systems (the rename answers kErrCrossDevice) it copies the tree, keeping modes and
// times, then removes the source. -f is accepted (mv never asks).
#include "programs/lib/files_target.h"

namespace {

namespace abi = stellina::abi;

constexpr const char* kUsage =
    "usage: mv [-f] SOURCE DEST\n"
    "       mv [-f] SOURCE... DIRECTORY\n"
    "  -f  do not ask before overwriting (mv never asks)\n";

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "f");
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
  }
  cmd::Targets targets(c, o.index());
  const cmd::Targets::Verdict verdict = targets.check();
  if (verdict == cmd::Targets::kUsage) return c.usage_error();
  if (verdict == cmd::Targets::kFail) return c.finish(1);
  static cmd::PathBuf from, to;
  bool ok = true;
  for (size_t i = 0; i < targets.count(); ++i) {
    const lib::StringView source = targets.source(i);
    if (!targets.target(i, &to)) {
      ok = false;
      continue;
    }
    const cmd::Result<abi::FileStat> st = p.files().stat(source, false);
    if (!st.ok()) {
      c.error("cannot stat '{}': {}", source, stellina::status_name(st.error()));
      ok = false;
      continue;
    }
    if (cmd::is_dir(st.value().mode) && cmd::path_within(source, to.view()) &&
        cmd::strip_slashes(source) != cmd::strip_slashes(to.view())) {
      c.error("cannot move '{}' to a subdirectory of itself, '{}'", source, to.view());
      ok = false;
      continue;
    }
    const cmd::Result<void> renamed = p.files().rename(source, to.view());
    if (renamed.ok()) continue;
    if (renamed.error() != abi::kErrCrossDevice) {
      c.error("cannot move '{}' to '{}': {}", source, to.view(),
              stellina::status_name(renamed.error()));
      ok = false;
      continue;
    }
    // Another file system: copy all, and remove the source only if all of it was copied.
    cmd::CopyOptions options;
    options.recursive = true;
    options.preserve = true;
    if (!from.assign(source)) {
      c.error("'{}': {}", source, stellina::status_name(abi::kErrNameTooLong));
      ok = false;
      continue;
    }
    cmd::TreeCopier copier(c, options);
    if (!copier.copy(from, to, st.value(), 0) || !cmd::remove_tree(c, from, 0)) ok = false;
  }
  return c.finish(ok ? 0 : 1);
}
