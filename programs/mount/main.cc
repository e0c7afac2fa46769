// mount: the caller's mount table, as the VFS holds it for its file tree (FileOp::Mounts):
// `SOURCE on MOUNT_POINT type TYPE (ro|rw)`, the type as the file system reports it
// (statfs). Mount tables come from the system's specs: mounting anything is not supported.
#include "programs/lib/cmd.h"
#include "programs/lib/sys_service.h"

namespace {

constexpr const char* kUsage =
    "usage: mount [-l] [-t TYPE]\n"
    "  lists the mounts of this file tree (mounting is not supported: the specs declare them)\n"
    "  -l       the same (kept for compatibility)\n"
    "  -t TYPE  only file systems of this type (ext2, ramfs, procfs, bootfs, ...)\n";

char table[stellina::abi::kMaxMessageData];

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "lt:");
  lib::StringView only;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
    if (opt == 't') only = o.value();
  }
  if (o.index() < p.argc())
    return c.fail("{}: mounting is not supported (mount tables come from the specs)",
                  p.arg(o.index()));
  lib::StringView mounts;
  if (!cmd::sys::read_mounts(c, table, &mounts)) return c.finish(1);
  cmd::sys::Lines lines(mounts);
  for (lib::StringView line; lines.next(&line);) {
    cmd::sys::MountLine m;
    if (!cmd::sys::parse_mount_line(line, &m)) continue;
    const stellina::Result<stellina::abi::FileSystemStat> st = p.files().statfs(m.path);
    char type[sizeof(st.value().type) + 1] = "?";  // its server is away
    if (st.ok()) {
      __builtin_memcpy(type, st.value().type, sizeof(st.value().type));
      type[sizeof(type) - 1] = '\0';
    }
    if (!only.empty() && only != lib::StringView(type)) continue;
    c.out().print("{} on {} type {} ({})\n", m.source, m.path, static_cast<const char*>(type),
                  m.read_only ? "ro" : "rw");
  }
  return c.finish(0);
}
