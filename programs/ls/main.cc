// ls: the names in directories, and files, one a line (as GNU ls when stdout is not a
// terminal), sorted by name in byte order. Operands that are directories are listed by their
// contents (files first, then each directory under a "DIR:" header when there are several
// operands, or with -R). An operand that cannot be reached is reported as GNU does ("ls:
// cannot access 'x': not found") and makes the exit status 2; a directory below one that
// cannot be read makes it 1. Symbolic links are not followed, but for operands (unless -l,
// -d or -F, as GNU). Owners are shown as numbers: Stellina has no user database.
#include "programs/lib/files_fs.h"

namespace {

namespace abi = stellina::abi;

constexpr const char* kUsage =
    "usage: ls [-1aAdFhlR] [FILE...]\n"
    "  -1  one name per line (always so)\n"
    "  -a  all names, with . and ..\n"
    "  -A  all names but . and ..\n"
    "  -d  directories themselves, not their contents\n"
    "  -F  a type suffix: / directory, @ link, * executable, | fifo, = socket\n"
    "  -h  with -l, sizes as 1.5K, 12M, ...\n"
    "  -l  long format: mode, links, owner, group, size, date, name (-> target)\n"
    "  -R  directories below, recursively\n";

struct Flags {
  bool all = false;
  bool almost_all = false;
  bool directory = false;
  bool classify = false;
  bool human = false;
  bool long_format = false;
  bool recursive = false;
};

// ls -F's suffix for a mode (0: none).
char classify(uint32_t mode) {
  switch (mode & abi::kModeTypeMask) {
    case abi::kModeDirectory: return '/';
    case abi::kModeSymlink: return '@';
    case 0010000: return '|';
    case 0140000: return '=';
    case abi::kModeRegular: return (mode & 0111) ? '*' : 0;
    default: return 0;
  }
}

class Lister {
 public:
  Lister(cmd::Command& c, const Flags& f)
      : c_(c), f_(f), now_(static_cast<int64_t>(stellina::sys::clock_wall() / 1000000000)) {}

  // Files given as operands, listed together (names as given).
  struct Item {
    lib::StringView name;
    abi::FileStat st;
  };
  void list_files(Item* items, size_t n) {
    Widths w;
    for (size_t i = 0; i < n; ++i) w.add(items[i].st, f_.human);
    for (size_t i = 0; i < n; ++i) print(items[i].name, items[i].name, items[i].st, w);
    if (n) printed_ = true;
  }

  // A directory's contents, under a header if asked (or -R), then its subdirectories with -R.
  void list_dir(cmd::PathBuf& path, bool header, size_t depth) {
    if (header) {
      if (printed_) c_.out().put('\n');
      c_.out().print("{}:\n", path.view());
    }
    printed_ = true;
    const stellina::Files& files = c_.env().files();
    cmd::DirEntries entries;
    const cmd::Result<void> read = entries.read(files, path.view());
    if (!read.ok()) {
      c_.error("cannot open directory '{}': {}", path.view(), stellina::status_name(read.error()));
      status_ = status_ > 1 ? status_ : 1;
      return;
    }
    // The names shown, their stats (when needed), in order; . and .. first with -a.
    const size_t total = entries.count() + (f_.all ? 2 : 0);
    cmd::Buffer shown;  // Shown records
    const bool need_stat = f_.long_format || f_.classify || f_.recursive;
    const size_t keep = path.size();
    for (size_t k = 0; k < total; ++k) {
      Shown s{};
      if (f_.all && k < 2) {
        s.name = k == 0 ? lib::StringView(".") : lib::StringView("..");
      } else {
        s.name = entries.name(k - (f_.all ? 2 : 0));
        if (s.name[0] == '.' && !f_.all && !f_.almost_all) continue;
        s.type = entries.type(k - (f_.all ? 2 : 0));
      }
      if (need_stat) {
        if (path.push(s.name)) {
          const cmd::Result<abi::FileStat> st = files.stat(path.view(), false);
          if (st.ok()) {
            s.st = st.value();
            s.stat_ok = true;
            s.type = s.st.mode & abi::kModeTypeMask;
          } else {
            c_.error("cannot access '{}': {}", path.view(), stellina::status_name(st.error()));
            status_ = status_ > 1 ? status_ : 1;
          }
          path.truncate(keep);
        }
      }
      if (!shown.append(stellina::Bytes{&s, sizeof(s)}).ok()) {
        c_.error("{}: {}", path.view(), stellina::status_name(abi::kErrNoMemory));
        status_ = status_ > 1 ? status_ : 1;
        return;
      }
    }
    const Shown* list = reinterpret_cast<const Shown*>(shown.data());
    const size_t n = shown.size() / sizeof(Shown);
    Widths w;
    uint64_t blocks = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!list[i].stat_ok) continue;
      w.add(list[i].st, f_.human);
      blocks += list[i].st.blocks;
    }
    if (f_.long_format) {
      if (f_.human) {
        char h[8];
        c_.out().print("total {}\n", lib::StringView(h, cmd::human_size(blocks * 512, h)));
      } else {
        c_.out().print("total {}\n", blocks / 2 + blocks % 2);
      }
    }
    for (size_t i = 0; i < n; ++i) {
      if (!path.push(list[i].name)) continue;
      print(list[i].name, path.view(), list[i].st, w, list[i].stat_ok ? 0 : list[i].type);
      path.truncate(keep);
    }
    if (!f_.recursive) return;
    for (size_t i = 0; i < n; ++i) {
      const Shown& s = list[i];
      if (s.type != abi::kModeDirectory || s.name == "." || s.name == "..") continue;
      if (!path.push(s.name)) {
        c_.error("{}/{}: {}", path.view(), s.name, stellina::status_name(abi::kErrNameTooLong));
        status_ = status_ > 1 ? status_ : 1;
        continue;
      }
      if (depth + 1 >= cmd::kMaxDepth) {
        c_.error("{}: deeper than {} levels: not listed", path.view(), cmd::kMaxDepth);
        status_ = status_ > 1 ? status_ : 1;
      } else {
        list_dir(path, true, depth + 1);
      }
      path.truncate(keep);
    }
  }

  int64_t status() const { return status_; }
  void fail(int64_t code) { status_ = status_ > code ? status_ : code; }

 private:
  struct Shown {
    lib::StringView name;
    abi::FileStat st;
    uint32_t type;
    bool stat_ok;
  };

  // Column widths of a long listing.
  struct Widths {
    size_t links = 1, uid = 1, gid = 1, size = 1;
    static size_t digits(uint64_t v) {
      size_t n = 1;
      while (v >= 10) v /= 10, ++n;
      return n;
    }
    void add(const abi::FileStat& st, bool human) {
      char h[8];
      links = max(links, digits(st.links));
      uid = max(uid, digits(st.uid));
      gid = max(gid, digits(st.gid));
      size = max(size, human ? cmd::human_size(st.size, h) : digits(st.size));
    }
    static size_t max(size_t a, size_t b) { return a > b ? a : b; }
  };

  void pad(size_t have, size_t width) {
    for (; have < width; ++have) c_.out().put(' ');
  }

  void number(uint64_t v, size_t width) {
    pad(Widths::digits(v), width);
    c_.out().print("{}", v);
  }

  // One line: name is what is shown, path where it is (for a link's target).
  void print(lib::StringView name, lib::StringView path, const abi::FileStat& st, const Widths& w,
             uint32_t type_only = 0) {
    cmd::Output& out = c_.out();
    const uint32_t mode = type_only ? type_only : st.mode;
    if (f_.long_format && !type_only) {
      char m[10];
      cmd::mode_string(st.mode, m);
      out.write(stellina::Bytes{m, 10});
      out.put(' ');
      number(st.links, w.links);
      out.put(' ');
      number(st.uid, w.uid);
      out.put(' ');
      number(st.gid, w.gid);
      out.put(' ');
      if (f_.human) {
        char h[8];
        const size_t n = cmd::human_size(st.size, h);
        pad(n, w.size);
        out.write(stellina::Bytes{h, n});
      } else {
        number(st.size, w.size);
      }
      out.put(' ');
      char d[12];
      cmd::ls_date(st.mtime_ns / 1000000000, now_, d);
      out.write(stellina::Bytes{d, 12});
      out.put(' ');
    }
    out.write(name);
    if (f_.long_format && cmd::is_link(mode)) {
      char target[cmd::kPathMax];
      const cmd::Result<size_t> n = c_.env().files().readlink(path, target, sizeof(target));
      if (n.ok()) {
        out.write(" -> ");
        out.write(stellina::Bytes{target, n.value()});
      }
    } else if (f_.classify) {
      const char suffix = classify(mode);
      if (suffix) out.put(suffix);
    }
    out.put('\n');
  }

  cmd::Command& c_;
  const Flags& f_;
  int64_t now_;
  bool printed_ = false;
  int64_t status_ = 0;
};

// An operand's stat: what a link leads to if follow, else (or for a dangling link) the link.
cmd::Result<abi::FileStat> stat_operand(const stellina::Files& files, lib::StringView path,
                                        bool follow) {
  if (follow) {
    cmd::Result<abi::FileStat> st = files.stat(path, true);
    if (st.ok()) return st;
  }
  return files.stat(path, false);
}

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  cmd::Command c(p, kUsage);
  cmd::Options o(c, "1aAdFhlR");
  Flags f;
  for (int opt; (opt = o.next()) != cmd::kEnd;) {
    switch (opt) {
      case '1': break;
      case 'a': f.all = true, f.almost_all = false; break;
      case 'A': f.almost_all = true, f.all = false; break;
      case 'd': f.directory = true; break;
      case 'F': f.classify = true; break;
      case 'h': f.human = true; break;
      case 'l': f.long_format = true; break;
      case 'R': f.recursive = true; break;
      case cmd::kHelp: return c.help();
      default: return c.usage_error();
    }
  }
  if (f.directory) f.recursive = false;
  Lister lister(c, f);
  const bool follow = !(f.long_format || f.directory || f.classify);

  // The operands: files (and, with -d, directories) in one group, directories in another.
  static Lister::Item files_given[stellina::abi::kProgramMaxArgs];
  static lib::StringView dirs_given[stellina::abi::kProgramMaxArgs];
  size_t n_files = 0, n_dirs = 0;
  const size_t first = o.index();
  const size_t operands = p.argc() - first;
  for (size_t i = 0; i < (operands ? operands : 1); ++i) {
    const lib::StringView path = operands ? p.arg(first + i) : lib::StringView(".");
    const cmd::Result<abi::FileStat> st = stat_operand(p.files(), path, follow);
    if (!st.ok()) {
      c.error("cannot access '{}': {}", path, stellina::status_name(st.error()));
      lister.fail(2);
      continue;
    }
    if (cmd::is_dir(st.value().mode) && !f.directory) {
      dirs_given[n_dirs++] = path;
    } else {
      files_given[n_files++] = {path, st.value()};
    }
  }
  cmd::heap_sort(files_given, n_files, [](const Lister::Item& a, const Lister::Item& b) {
    return cmd::name_less(a.name, b.name);
  });
  cmd::heap_sort(dirs_given, n_dirs, cmd::name_less);
  lister.list_files(files_given, n_files);
  const bool headers = operands > 1 || f.recursive;
  static cmd::PathBuf path;
  for (size_t i = 0; i < n_dirs; ++i) {
    if (!path.assign(dirs_given[i])) {
      c.error("cannot access '{}': {}", dirs_given[i], stellina::status_name(abi::kErrNameTooLong));
      lister.fail(2);
      continue;
    }
    lister.list_dir(path, headers, 0);
  }
  return c.finish(lister.status());
}
