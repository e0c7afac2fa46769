// cp: copies files, and with -r directories and everything below them (symbolic links inside
// copied as links, never followed; an operand that is a link is followed unless -r, as GNU).
// "cp SOURCE DEST" or "cp SOURCE... DIRECTORY". -f replaces a destination that cannot be
// opened; -p keeps mode and times (a directory's times are not kept: see files_fs.h). Large
// files move through the file servers' bulk path (files_fs.h: copy_data).
#include "programs/lib/files_target.h"

namespace {

namespace abi = stellina::abi;

constexpr const char* kUsage =
    "usage: cp [-fpRr] SOURCE DEST\n"
    "       cp [-fpRr] SOURCE... DIRECTORY\n"
    "  -f      remove a destination that cannot be opened, and try again\n"
    "  -p      keep mode and times\n"
    "  -r, -R  copy directories recursively\n";

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "fprR");
  cmd::CopyOptions options;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == 'f') options.force = true;
    if (opt == 'p') options.preserve = true;
    if (opt == 'r' || opt == 'R') options.recursive = true;
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
    if (!from.assign(source)) {
      c.error("'{}': {}", source, stellina::status_name(abi::kErrNameTooLong));
      ok = false;
      continue;
    }
    const cmd::Result<abi::FileStat> st = p.files().stat(source, !options.recursive);
    if (!st.ok()) {
      c.error("cannot stat '{}': {}", source, stellina::status_name(st.error()));
      ok = false;
      continue;
    }
    const cmd::Result<abi::FileStat> there = p.files().stat(to.view());
    if (there.ok() && there.value().node == st.value().node &&
        there.value().device == st.value().device) {
      c.error("'{}' and '{}' are the same file", source, to.view());
      ok = false;
      continue;
    }
    if (cmd::is_dir(st.value().mode) && options.recursive && cmd::path_within(source, to.view())) {
      c.error("cannot copy a directory, '{}', into itself, '{}'", source, to.view());
      ok = false;
      continue;
    }
    cmd::TreeCopier copier(c, options);
    if (!copier.copy(from, to, st.value(), 0)) ok = false;
  }
  return c.finish(ok ? 0 : 1);
}
