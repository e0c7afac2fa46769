// ln: -s makes symbolic links: "ln -s TARGET LINK", "ln -s TARGET" (a link named after it,
// here), "ln -s TARGET... DIRECTORY" (one in it for each). -f replaces a link name that is
// taken. Hard links (without -s) are refused: the file protocol has no link operation.
#include "programs/lib/files_fs.h"

namespace {

namespace abi = stellina::abi;

constexpr const char* kUsage =
    "usage: ln -s [-f] TARGET [LINK]\n"
    "       ln -s [-f] TARGET... DIRECTORY\n"
    "  -f  remove an existing destination first\n"
    "  -s  make symbolic links (hard links are not supported)\n";

bool link(cmd::Command& c, lib::StringView target, lib::StringView name, bool force) {
  const stellina::Files& files = c.env().files();
  if (force) {
    const cmd::Result<abi::FileStat> st = files.stat(name, false);
    if (st.ok() && cmd::is_dir(st.value().mode)) {
      c.error("'{}': cannot overwrite directory", name);
      return false;
    }
    if (st.ok()) stellina::ignore(files.unlink(name), "the symlink below says what went wrong");
  }
  const cmd::Result<void> made = files.symlink(target, name);
  if (made.ok()) return true;
  c.error("failed to create symbolic link '{}': {}", name, stellina::status_name(made.error()));
  return false;
}

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "fs");
  bool force = false, symbolic = false;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == 'f') force = true;
    if (opt == 's') symbolic = true;
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
  }
  const size_t first = o.index();
  const size_t n = p.argc() - first;
  if (n == 0) {
    c.error("missing file operand");
    return c.usage_error();
  }
  if (!symbolic) return c.fail("hard links are not supported");
  // The last operand is a directory to put the links in if there are several targets, or if
  // it is one (as GNU ln without -T: a link to a directory is followed here).
  const lib::StringView last = p.arg(p.argc() - 1);
  const cmd::Result<abi::FileStat> st = p.files().stat(last);
  const bool into = n > 2 || (n == 2 && st.ok() && cmd::is_dir(st.value().mode));
  if (n > 2 && !into) return c.fail("target '{}' is not a directory", last);
  if (n == 2 && !into) return c.finish(link(c, p.arg(first), last, force) ? 0 : 1);
  bool ok = true;
  static cmd::PathBuf name;
  for (size_t i = first; i < (n == 1 ? p.argc() : p.argc() - 1); ++i) {
    const lib::StringView target = p.arg(i);
    const bool fits = n == 1 ? name.assign(cmd::base_name(target))
                             : name.assign(last) && name.push(cmd::base_name(target));
    if (!fits) {
      c.error("'{}': {}", target, stellina::status_name(abi::kErrNameTooLong));
      ok = false;
      continue;
    }
    if (!link(c, target, name.view(), force)) ok = false;
  }
  return c.finish(ok ? 0 : 1);
}
