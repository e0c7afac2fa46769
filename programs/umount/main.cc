// umount: detaching a mount point is refused. The caller's file tree is its component's
// mount table, shared by every program of that component (the terminal server and all its
// sessions), and the VFS cannot tell whether a mount is busy: an open file is a channel
// straight to its file server, past the VFS. So umount checks the target and says why it
// will not: `/` never, anything else not supported.
#include "programs/lib/cmd.h"
#include "programs/lib/sys_service.h"

namespace {

constexpr const char* kUsage =
    "usage: umount MOUNT_POINT...\n"
    "  not supported: the mount table is the component's, shared by all its programs\n";

char table[stellina::abi::kMaxMessageData];
char path[stellina::abi::kFileMaxPath + 1];

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "");
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == cmd::kHelp) return c.help();
    return c.usage_error();
  }
  if (o.index() >= p.argc()) {
    c.error("no mount point named");
    return c.usage_error();
  }
  lib::StringView mounts;
  if (!cmd::sys::read_mounts(c, table, &mounts)) return c.finish(1);
  int64_t code = 0;
  for (size_t i = o.index(); i < p.argc(); ++i) {
    const size_t n = cmd::sys::absolute_path(p.files().cwd(), p.arg(i), path, sizeof(path));
    if (n == 0) {
      c.error_at(p.arg(i), stellina::abi::kErrNameTooLong);
      code = 1;
      continue;
    }
    const lib::StringView target(path, n);
    bool mounted = false;
    cmd::sys::Lines lines(mounts);
    for (lib::StringView line; lines.next(&line);) {
      cmd::sys::MountLine m;
      mounted = mounted || (cmd::sys::parse_mount_line(line, &m) && m.path == target);
    }
    if (!mounted) {
      c.error("{}: not mounted", p.arg(i));
    } else if (target == "/") {
      c.error("{}: target is busy (the root of the file tree)", p.arg(i));
    } else {
      c.error("{}: not supported: the mount table is shared by every program of this component",
              p.arg(i));
    }
    code = 1;
  }
  return c.finish(code);
}
