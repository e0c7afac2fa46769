// df: each file system's size, use and room, for the file systems the paths given lie on,
// or, with none, for "/" and every mount point /proc/mounts lists (its second field) if
// there is such a file. The first column is the file system's type (FileSystemStat has no
// device name) and the last the path asked about (not its mount point). Use% is rounded up.
#include "programs/lib/files_fs.h"

namespace {

namespace abi = stellina::abi;

constexpr const char* kUsage =
    "usage: df [-hk] [FILE...]\n"
    "  -h  sizes as 1.5K, 12M, ...\n"
    "  -k  sizes in 1024-byte blocks (the default)\n";

constexpr size_t kMaxMounts = 64;  // lines of /proc/mounts looked at

uint64_t times(uint64_t a, uint64_t b) { return b && a > UINT64_MAX / b ? UINT64_MAX : a * b; }

class Df {
 public:
  Df(cmd::Command& c, bool human) : c_(c), human_(human) {
    c_.out().print("{:<14} {:>9} {:>9} {:>9} {:>4} {}\n", "Filesystem",
                   human_ ? "Size" : "1K-blocks", "Used", human_ ? "Avail" : "Available", "Use%",
                   "Mounted on");
  }

  bool show(lib::StringView path) {
    const cmd::Result<abi::FileSystemStat> got = c_.env().files().statfs(path);
    if (!got.ok()) {
      c_.error("{}: {}", path, stellina::status_name(got.error()));
      return false;
    }
    const abi::FileSystemStat& fs = got.value();
    const uint64_t free_blocks = fs.free_blocks < fs.blocks ? fs.free_blocks : fs.blocks;
    const uint64_t size = times(fs.blocks, fs.block_size);
    const uint64_t avail = times(free_blocks, fs.block_size);
    const uint64_t used = size - avail;
    char type[sizeof(fs.type) + 1] = {};
    __builtin_memcpy(type, fs.type, sizeof(fs.type));
    c_.out().print("{:<14} ", static_cast<const char*>(type[0] ? type : "-"));
    amount(size);
    amount(used);
    amount(avail);
    if (size == 0) {
      c_.out().print("{:>4} {}\n", "-", path);
    } else {
      // used * 100 / size rounded up, in KiB when that is enough to keep it in 64 bits.
      const bool kib = size >= 1024;
      const uint64_t u = kib ? used >> 10 : used, s = kib ? size >> 10 : size;
      const uint64_t percent = (u * 100 + s - 1) / s;
      c_.out().print("{:>3}% {}\n", percent > 100 ? 100 : percent, path);
    }
    return true;
  }

 private:
  void amount(uint64_t bytes) {
    if (human_) {
      char h[8];
      c_.out().print("{:>9} ", lib::StringView(h, cmd::human_size(bytes, h)));
    } else {
      c_.out().print("{:>9} ", bytes / 1024 + (bytes % 1024 ? 1 : 0));
    }
  }

  cmd::Command& c_;
  bool human_;
};

// "/" and the mount points in /proc/mounts ("SOURCE MOUNT_POINT ..." a line).
bool show_mounts(cmd::Command& c, Df& df) {
  bool ok = df.show("/");
  cmd::Input in(c.env());
  if (!in.open("/proc/mounts").ok()) return ok;
  static cmd::LineReader lines(in);  // its buffer is too big for the stack; made once
  lib::StringView line;
  for (size_t n = 0; n < kMaxMounts && lines.next(&line).ok(); ++n) {
    if (!lines.complete()) continue;
    size_t at = line.find(' ');
    if (at == lib::StringView::kNpos) continue;
    const lib::StringView rest = line.substr(at + 1);
    const size_t end = rest.find(' ');
    const lib::StringView mount = rest.substr(0, end);
    if (mount.empty() || mount == "/") continue;
    if (!df.show(mount)) ok = false;
  }
  return ok;
}

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "hk");
  bool human = false;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    if (opt == 'h') human = true;
    if (opt == 'k') human = false;
    if (opt == cmd::kHelp) return c.help();
    if (opt == cmd::kBad) return c.usage_error();
  }
  Df df(c, human);
  if (o.index() >= p.argc()) return c.finish(show_mounts(c, df) ? 0 : 1);
  bool ok = true;
  for (size_t i = o.index(); i < p.argc(); ++i)
    if (!df.show(p.arg(i))) ok = false;
  return c.finish(ok ? 0 : 1);
}
