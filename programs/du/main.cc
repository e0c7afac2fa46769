// du: the space files take, from FileStat's blocks (512-byte units), summed over each tree,
// in 1 KiB blocks (rounded up) or, with -h, as 1.5K, 12M, ... A directory's line comes after
// its contents' (entries in name order; GNU uses the directory's order). Symbolic links are
// counted as themselves, never followed; hard links are counted once per name.
#include "programs/lib/files_fs.h"

namespace {

namespace abi = stellina::abi;

constexpr const char* kUsage =
    "usage: du [-ahks] [FILE...]\n"
    "  -a  a line for files too, not only directories\n"
    "  -h  sizes as 1.5K, 12M, ...\n"
    "  -k  sizes in 1024-byte blocks (the default)\n"
    "  -s  only a total for each operand\n";

struct Flags {
  bool all = false;
  bool human = false;
  bool summary = false;
};

class Du {
 public:
  Du(cmd::Command& c, const Flags& f) : c_(c), f_(f) {}

  // The tree's blocks; prints the lines it asks for.
  uint64_t walk(cmd::PathBuf& path, const abi::FileStat& st, size_t depth) {
    uint64_t blocks = st.blocks;
    if (cmd::is_dir(st.mode)) {
      if (depth >= cmd::kMaxDepth) {
        c_.error("'{}': deeper than {} levels: not counted", path.view(), cmd::kMaxDepth);
        ok_ = false;
      } else {
        blocks += below(path, depth);
      }
    }
    if (depth == 0 || (!f_.summary && (cmd::is_dir(st.mode) || f_.all))) line(blocks, path.view());
    return blocks;
  }

  bool ok() const { return ok_; }

 private:
  uint64_t below(cmd::PathBuf& path, size_t depth) {
    const stellina::Files& files = c_.env().files();
    cmd::DirEntries entries;
    const cmd::Result<void> read = entries.read(files, path.view());
    if (!read.ok()) {
      c_.error("cannot read directory '{}': {}", path.view(), stellina::status_name(read.error()));
      ok_ = false;
      return 0;
    }
    uint64_t blocks = 0;
    const size_t keep = path.size();
    for (size_t i = 0; i < entries.count(); ++i) {
      if (!path.push(entries.name(i))) {
        c_.error("'{}/{}': {}", path.view(), entries.name(i),
                 stellina::status_name(abi::kErrNameTooLong));
        ok_ = false;
        continue;
      }
      const cmd::Result<abi::FileStat> st = files.stat(path.view(), false);
      if (st.ok()) {
        blocks += walk(path, st.value(), depth + 1);
      } else {
        c_.error("cannot access '{}': {}", path.view(), stellina::status_name(st.error()));
        ok_ = false;
      }
      path.truncate(keep);
    }
    return blocks;
  }

  void line(uint64_t blocks, lib::StringView path) {
    if (f_.human) {
      char h[8];
      const uint64_t bytes = blocks > (UINT64_MAX >> 9) ? UINT64_MAX : blocks * 512;
      c_.out().print("{}\t{}\n", lib::StringView(h, cmd::human_size(bytes, h)), path);
    } else {
      c_.out().print("{}\t{}\n", blocks / 2 + blocks % 2, path);
    }
  }

  cmd::Command& c_;
  const Flags& f_;
  bool ok_ = true;
};

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "ahks");
  Flags f;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    switch (opt) {
      case 'a': f.all = true; break;
      case 'h': f.human = true; break;
      case 'k': f.human = false; break;
      case 's': f.summary = true; break;
      case cmd::kHelp: return c.help();
      default: return c.usage_error();
    }
  }
  if (f.all && f.summary) {
    c.error("cannot both summarize and show all entries");
    return c.usage_error();
  }
  Du du(c, f);
  static cmd::PathBuf path;
  bool ok = true;
  const size_t operands = p.argc() - o.index();
  for (size_t i = 0; i < (operands ? operands : 1); ++i) {
    const lib::StringView start = operands ? p.arg(o.index() + i) : lib::StringView(".");
    const cmd::Result<abi::FileStat> st = p.files().stat(start, false);
    if (!st.ok()) {
      c.error("cannot access '{}': {}", start, stellina::status_name(st.error()));
      ok = false;
      continue;
    }
    if (!path.assign(start)) {
      c.error("'{}': {}", start, stellina::status_name(abi::kErrNameTooLong));
      ok = false;
      continue;
    }
    du.walk(path, st.value(), 0);
  }
  return c.finish(ok && du.ok() ? 0 : 1);
}
