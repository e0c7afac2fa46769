// find: walks trees from each path (default "."), and prints the paths that pass the
// expression (expr.h: -name, -type, -size, !, -print; -maxdepth, -mindepth). Symbolic links
// are not followed. Entries are visited in name order (GNU find uses the directory's order),
// at most cmd::kMaxDepth levels below a path.
#include "programs/find/expr.h"
#include "programs/lib/files_fs.h"

namespace {

namespace abi = stellina::abi;

constexpr const char* kUsage =
    "usage: find [PATH...] [EXPRESSION]\n"
    "  -maxdepth N   descend at most N levels below the paths\n"
    "  -mindepth N   test nothing above level N\n"
    "  -name GLOB    the last component matches GLOB (*, ?, [...])\n"
    "  -type T       of type T: f file, d directory, l symbolic link\n"
    "  -size [+-]N[cwbkMG]  size in units (rounded up) more, less, exactly N\n"
    "  ! TEST, -not TEST    the opposite\n"
    "  -print        print the path (the default action)\n";

class Finder {
 public:
  Finder(cmd::Command& c, const cmd::find::Expr& e) : c_(c), e_(e) {}

  void visit(cmd::PathBuf& path, lib::StringView name, const abi::FileStat& st, size_t depth) {
    if (depth >= e_.min_depth) {
      const size_t prints = cmd::find::evaluate(e_, {name, st.mode, st.size});
      for (size_t i = 0; i < prints; ++i) {
        c_.out().write(path.view());
        c_.out().put('\n');
      }
    }
    if (!cmd::is_dir(st.mode) || depth >= e_.max_depth) return;
    if (depth >= cmd::kMaxDepth) {
      c_.error("'{}': deeper than {} levels: not searched", path.view(), cmd::kMaxDepth);
      ok_ = false;
      return;
    }
    const stellina::Files& files = c_.env().files();
    cmd::DirEntries entries;
    const cmd::Result<void> read = entries.read(files, path.view());
    if (!read.ok()) {
      c_.error_at(path.view(), read.error());
      ok_ = false;
      return;
    }
    const size_t keep = path.size();
    for (size_t i = 0; i < entries.count() && !c_.out().failed(); ++i) {
      if (!path.push(entries.name(i))) {
        c_.error("'{}/{}': {}", path.view(), entries.name(i),
                 stellina::status_name(abi::kErrNameTooLong));
        ok_ = false;
        continue;
      }
      const cmd::Result<abi::FileStat> child = files.stat(path.view(), false);
      if (child.ok()) {
        visit(path, entries.name(i), child.value(), depth + 1);
      } else {
        c_.error_at(path.view(), child.error());
        ok_ = false;
      }
      path.truncate(keep);
    }
  }

  bool ok() const { return ok_; }

 private:
  cmd::Command& c_;
  const cmd::find::Expr& e_;
  bool ok_ = true;
};

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  size_t first_word = 1;
  while (first_word < p.argc()) {
    const lib::StringView a = p.arg(first_word);
    if (a == "--help") return c.help();
    if ((a.size() > 1 && a[0] == '-') || a == "!" || a == "(") break;
    ++first_word;
  }
  static lib::StringView words[abi::kProgramMaxArgs];
  size_t n_words = 0;
  for (size_t i = first_word; i < p.argc(); ++i) {
    if (p.arg(i) == "--help") return c.help();
    words[n_words++] = p.arg(i);
  }
  static cmd::find::Expr expr;
  lib::StringView word;
  const char* why = "";
  if (!cmd::find::parse(words, n_words, &expr, &word, &why)) {
    c.error("{}: {}", word, why);  // exit 1, as GNU find (not 2: this is no option)
    return c.finish(1);
  }
  Finder finder(c, expr);
  static cmd::PathBuf path;
  bool ok = true;
  const size_t n_paths = first_word - 1;
  for (size_t i = 0; i < (n_paths ? n_paths : 1); ++i) {
    const lib::StringView start = n_paths ? p.arg(1 + i) : lib::StringView(".");
    if (!path.assign(start)) {
      c.error("'{}': {}", start, stellina::status_name(abi::kErrNameTooLong));
      ok = false;
      continue;
    }
    const cmd::Result<abi::FileStat> st = p.files().stat(start, false);
    if (!st.ok()) {
      c.error("'{}': {}", start, stellina::status_name(st.error()));
      ok = false;
      continue;
    }
    finder.visit(path, cmd::base_name(start), st.value(), 0);
  }
  return c.finish(ok && finder.ok() ? 0 : 1);
}
