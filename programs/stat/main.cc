// stat: what FileStat says of each file, in GNU stat's default layout. Owners are numbers
// (no user database), the birth time is unknown ("-"), times are UTC. Links are not
// followed unless -L.
#include "programs/lib/files_fs.h"

namespace {

namespace abi = stellina::abi;

constexpr const char* kUsage =
    "usage: stat [-L] FILE...\n"
    "  -L  follow symbolic links\n";

const char* type_name(const abi::FileStat& st) {
  switch (st.mode & abi::kModeTypeMask) {
    case abi::kModeRegular: return st.size ? "regular file" : "regular empty file";
    case abi::kModeDirectory: return "directory";
    case abi::kModeSymlink: return "symbolic link";
    case 0010000: return "fifo";
    case 0140000: return "socket";
    case 0020000: return "character special file";
    case 0060000: return "block special file";
    default: return "weird file";
  }
}

bool show(cmd::Command& c, lib::StringView path, bool follow) {
  const stellina::Files& files = c.env().files();
  const cmd::Result<abi::FileStat> got = files.stat(path, follow);
  if (!got.ok()) {
    c.error("cannot stat '{}': {}", path, stellina::status_name(got.error()));
    return false;
  }
  const abi::FileStat& st = got.value();
  cmd::Output& out = c.out();
  out.print("  File: {}", path);
  if (cmd::is_link(st.mode)) {
    char target[cmd::kPathMax];
    const cmd::Result<size_t> n = files.readlink(path, target, sizeof(target));
    if (n.ok()) out.print(" -> {}", lib::StringView(target, n.value()));
  }
  const cmd::Result<abi::FileSystemStat> fs = files.statfs(path);
  const uint64_t io_block = fs.ok() ? fs.value().block_size : 4096;
  out.print("\n  Size: {:<10}\tBlocks: {:<10} IO Block: {:<6} {}\n", st.size, st.blocks, io_block,
            type_name(st));
  char device[24];
  const size_t dn = lib::format_to(device, sizeof(device), "{:x}h/{}d", st.device, st.device);
  out.print("Device: {}\tInode: {:<10}  Links: {}\n", lib::StringView(device, dn), st.node,
            st.links);
  char mode[10];
  cmd::mode_string(st.mode, mode);
  char octal[4];
  for (int i = 0; i < 4; ++i) octal[i] = static_cast<char>('0' + ((st.mode >> (9 - 3 * i)) & 7));
  out.print("Access: ({}/{})  Uid: ({:>5})   Gid: ({:>5})\n", lib::StringView(octal, 4),
            lib::StringView(mode, 10), st.uid, st.gid);
  char date[40];
  out.print("Access: {}\n", lib::StringView(date, cmd::stat_date(st.atime_ns, date)));
  out.print("Modify: {}\n", lib::StringView(date, cmd::stat_date(st.mtime_ns, date)));
  out.print("Change: {}\n", lib::StringView(date, cmd::stat_date(st.ctime_ns, date)));
  out.print(" Birth: -\n");
  return true;
}

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "L");
  bool follow = false;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == 'L') follow = true;
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
  }
  if (o.index() >= p.argc()) {
    c.error("missing operand");
    return c.usage_error();
  }
  bool ok = true;
  for (size_t i = o.index(); i < p.argc(); ++i)
    if (!show(c, p.arg(i), follow)) ok = false;
  return c.finish(ok ? 0 : 1);
}
