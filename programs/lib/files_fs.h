#pragma once
// What the file commands share that needs the system: a directory's entries sorted by
// name, and copying and removing whole trees (cp, mv and rm use them). Header-only, so that
// the host-built sources in programs/lib stay free of the SDK (tests/unit/cmd).

#include <stellina/heap.h>

#include "programs/lib/cmd.h"
#include "programs/lib/files_path.h"

namespace cmd {

namespace abi = stellina::abi;
using stellina::File;
using stellina::Files;

static_assert(kPathMax == abi::kFileMaxPath, "files_path.h's limit is the ABI's");

inline bool is_dir(uint32_t mode) { return (mode & abi::kModeTypeMask) == abi::kModeDirectory; }
inline bool is_link(uint32_t mode) { return (mode & abi::kModeTypeMask) == abi::kModeSymlink; }
inline bool is_regular(uint32_t mode) { return (mode & abi::kModeTypeMask) == abi::kModeRegular; }

// The umask the commands assume (Stellina has none): new files get the source's mode, or
// 0666 / 0777, less these bits, as GNU tools do under umask 022.
constexpr uint32_t kUmask = 022;

// One directory's entries, sorted by name in byte order ('.' and '..' are not listed).
class DirEntries {
 public:
  // Bounds on one directory: a bigger one is refused (kErrTooLarge) rather than listed
  // in part.
  static constexpr size_t kMaxEntries = 100000;
  static constexpr size_t kMaxNameBytes = size_t{4} << 20;

  struct Entry {
    size_t offset;  // of the name in names_
    uint32_t size;
    uint32_t mode;  // type bits, 0 if the server did not say
  };

  Result<void> read(const Files& files, lib::StringView path) {
    File dir = TRY(files.open(path, abi::kOpenRead | abi::kOpenDirectory));
    names_.clear();
    entries_.clear();
    Status failed = abi::kOk;
    TRY(dir.list([&](const abi::FileDirEntry& e, lib::StringView name) {
      if (failed != abi::kOk) return;
      if (name == "." || name == "..") return;
      if (entries_.size() / sizeof(Entry) >= kMaxEntries ||
          names_.size() + name.size() > kMaxNameBytes) {
        failed = abi::kErrTooLarge;
        return;
      }
      const Entry entry{names_.size(), static_cast<uint32_t>(name.size()), e.mode};
      const Result<void> a = names_.append(name);
      const Result<void> b = a.ok() ? entries_.append(stellina::Bytes{&entry, sizeof(entry)})
                                    : Result<void>(a.error());
      if (!b.ok()) failed = b.error();
    }));
    if (failed != abi::kOk) return failed;
    Entry* list = entries();
    const char* names = names_.data();
    heap_sort(list, count(), [names](const Entry& a, const Entry& b) {
      return name_less({names + a.offset, a.size}, {names + b.offset, b.size});
    });
    return {};
  }

  size_t count() const { return entries_.size() / sizeof(Entry); }
  lib::StringView name(size_t i) const {
    const Entry& e = entries()[i];
    return {names_.data() + e.offset, e.size};
  }
  uint32_t type(size_t i) const { return entries()[i].mode & abi::kModeTypeMask; }

 private:
  Entry* entries() { return reinterpret_cast<Entry*>(entries_.data()); }
  const Entry* entries() const { return reinterpret_cast<const Entry*>(entries_.data()); }

  Buffer names_;
  Buffer entries_;
};

// Removes path and, if it is a directory, everything below it (symbolic links are removed,
// never followed). Reports each failure as "NAME: cannot remove 'PATH': WHY"; returns
// whether everything went. depth counts from the operand (kMaxDepth bounds it).
inline bool remove_tree(Command& c, PathBuf& path, size_t depth) {
  const Files& files = c.env().files();
  const Result<abi::FileStat> st = files.stat(path.view(), false);
  if (!st.ok()) {
    c.error("cannot remove '{}': {}", path.view(), stellina::status_name(st.error()));
    return false;
  }
  if (!is_dir(st.value().mode)) {
    const Result<void> gone = files.unlink(path.view());
    if (gone.ok()) return true;
    c.error("cannot remove '{}': {}", path.view(), stellina::status_name(gone.error()));
    return false;
  }
  if (depth >= kMaxDepth) {
    c.error("cannot remove '{}': deeper than {} levels", path.view(), kMaxDepth);
    return false;
  }
  bool ok = true;
  {
    DirEntries entries;
    const Result<void> listed = entries.read(files, path.view());
    if (!listed.ok()) {
      c.error("cannot remove '{}': {}", path.view(), stellina::status_name(listed.error()));
      return false;
    }
    const size_t keep = path.size();
    for (size_t i = 0; i < entries.count(); ++i) {
      if (!path.push(entries.name(i))) {
        c.error("cannot remove '{}/{}': {}", path.view(), entries.name(i),
                stellina::status_name(abi::kErrNameTooLong));
        ok = false;
        continue;
      }
      if (!remove_tree(c, path, depth + 1)) ok = false;
      path.truncate(keep);
    }
  }
  if (!ok) return false;
  const Result<void> gone = files.rmdir(path.view());
  if (gone.ok()) return true;
  c.error("cannot remove '{}': {}", path.view(), stellina::status_name(gone.error()));
  return false;
}

// How a tree is copied (cp's options; mv copies with preserve across file systems).
struct CopyOptions {
  bool recursive = false;
  bool force = false;     // remove a destination that cannot be opened, and try again
  bool preserve = false;  // mode and times
};

// Copies file data: through the bulk path (a folio both file servers fill and drain, no
// copy through messages) for a file of kBulkMin bytes or more, else (or if a server has no
// bulk path, or no folio can be had) with reads and writes of kCopyStep bytes. Measured on
// QEMU (TCG, ext2 to ext2, 8 MiB): 70 to 240 ms through the bulk path, 1.4 to 2 s by
// messages. The folio is kBulkFolio bytes, or kBulkFolioSmall where the spawn silo has not
// the room (a program's silo may be as small as 1 MiB).
constexpr size_t kCopyStep = 64 * 1024;
constexpr uint64_t kBulkMin = 256 * 1024;
constexpr uint64_t kBulkFolio = uint64_t{1} << 20;
constexpr uint64_t kBulkFolioSmall = 128 * 1024;

// false (nothing written) if the bulk path cannot be had.
inline Result<bool> copy_bulk(const File& in, const File& out, uint64_t size) {
  int64_t made = stellina::sys::folio_create(kBulkFolio);
  uint64_t step = kBulkFolio;
  if (made < 0) {
    made = stellina::sys::folio_create(kBulkFolioSmall);
    step = kBulkFolioSmall;
  }
  if (made < 0) return false;
  const stellina::OwnedHandle folio(static_cast<abi::Handle>(made));
  if (!in.attach(folio.get()).ok() || !out.attach(folio.get()).ok()) return false;
  for (uint64_t at = 0;;) {
    const size_t got = TRY(in.read_folio(at, step));
    if (got == 0) return true;
    for (size_t done = 0; done < got;) {
      const size_t put = TRY(out.write_folio(at + done, got - done, done));
      if (put == 0) return abi::kErrNoSpace;
      done += put;
    }
    at += got;
    if (got < step && at >= size) return true;
  }
}

inline Result<void> copy_plain(const File& in, const File& out) {
  static uint8_t buffer[kCopyStep];
  for (uint64_t at = 0;;) {
    const size_t got = TRY(in.read(at, buffer, sizeof(buffer)));
    if (got == 0) return {};
    TRY(out.write(at, stellina::Bytes{buffer, got}));
    at += got;
  }
}

inline Result<void> copy_data(const File& in, const File& out, uint64_t size) {
  if (size >= kBulkMin) {
    // An attach that fails leaves the files as they were: the plain path starts over.
    if (TRY(copy_bulk(in, out, size))) return {};
  }
  return copy_plain(in, out);
}

// Copies one tree: from (whose stat, as copying sees it, is st) to to. Reports failures as
// "NAME: ..."; returns whether everything went. skip_node/skip_device: a directory never
// to descend into (the copy being made, when it lies inside its source).
class TreeCopier {
 public:
  TreeCopier(Command& c, const CopyOptions& o) : c_(c), o_(o) {}

  bool copy(PathBuf& from, PathBuf& to, const abi::FileStat& st, size_t depth) {
    if (is_dir(st.mode)) return copy_dir(from, to, st, depth);
    if (is_link(st.mode)) return copy_link(from, to);
    if (!is_regular(st.mode)) {
      c_.error("cannot copy '{}': not a regular file", from.view());
      return false;
    }
    return copy_file(from, to, st);
  }

 private:
  const Files& files() { return c_.env().files(); }

  bool fail(lib::StringView what, lib::StringView path, Status why) {
    c_.error("{} '{}': {}", what, path, stellina::status_name(why));
    return false;
  }

  // The destination file, opened for writing (created, emptied); with -f, one that cannot
  // be opened is removed and made again.
  Result<File> open_dest(lib::StringView to, uint32_t mode) {
    constexpr uint32_t kFlags = abi::kOpenWrite | abi::kOpenCreate | abi::kOpenTruncate;
    {
      Result<File> out = files().open(to, kFlags, mode);
      if (out.ok() || !o_.force || out.error() == abi::kErrIsDirectory) return out;
    }
    stellina::ignore(files().unlink(to), "the open below says what went wrong");
    return files().open(to, kFlags, mode);
  }

  Result<void> make_link(lib::StringView target, lib::StringView to) {
    {
      Result<void> made = files().symlink(target, to);
      if (made.ok() || made.error() != abi::kErrExists || !o_.force) return made;
    }
    stellina::ignore(files().unlink(to), "the symlink below says what went wrong");
    return files().symlink(target, to);
  }

  bool copy_file(PathBuf& from, PathBuf& to, const abi::FileStat& st) {
    Result<File> in = files().open(from.view());
    if (!in.ok()) return fail("cannot open", from.view(), in.error());
    const uint32_t mode = o_.preserve ? st.mode & 07777 : st.mode & 0777 & ~kUmask;
    if (o_.preserve) {
      // No call changes a mode: a file already there with another one is made afresh.
      const Result<abi::FileStat> old = files().stat(to.view());
      if (old.ok() && is_regular(old.value().mode) && (old.value().mode & 07777) != mode)
        stellina::ignore(files().unlink(to.view()), "the open below says what went wrong");
    }
    Result<File> out = open_dest(to.view(), mode);
    if (!out.ok()) return fail("cannot create regular file", to.view(), out.error());
    const Result<void> copied = copy_data(in.value(), out.value(), st.size);
    if (!copied.ok()) return fail("error copying to", to.view(), copied.error());
    if (o_.preserve) {
      const Result<void> timed = out.value().set_times(st.atime_ns, st.mtime_ns);
      if (!timed.ok()) return fail("cannot preserve times for", to.view(), timed.error());
    }
    return true;
  }

  bool copy_link(PathBuf& from, PathBuf& to) {
    char target[kPathMax];
    const Result<size_t> n = files().readlink(from.view(), target, sizeof(target));
    if (!n.ok()) return fail("cannot read symbolic link", from.view(), n.error());
    const lib::StringView t(target, n.value());
    const Result<void> made = make_link(t, to.view());
    if (!made.ok()) return fail("cannot create symbolic link", to.view(), made.error());
    return true;
  }

  bool copy_dir(PathBuf& from, PathBuf& to, const abi::FileStat& st, size_t depth) {
    if (!o_.recursive) {
      c_.error("-r not specified; omitting directory '{}'", from.view());
      return false;
    }
    if (depth >= kMaxDepth) {
      c_.error("cannot copy '{}': deeper than {} levels", from.view(), kMaxDepth);
      return false;
    }
    const uint32_t mode = o_.preserve ? st.mode & 07777 : st.mode & 0777 & ~kUmask;
    const Result<abi::FileStat> there = files().stat(to.view());
    if (there.ok() && !is_dir(there.value().mode)) {
      c_.error("cannot overwrite non-directory '{}' with directory '{}'", to.view(), from.view());
      return false;
    }
    if (!there.ok()) {
      const Result<void> made = files().mkdir(to.view(), mode | 0700);
      if (!made.ok()) return fail("cannot create directory", to.view(), made.error());
    }
    const Result<abi::FileStat> made = files().stat(to.view());
    if (!made.ok()) return fail("cannot stat", to.view(), made.error());
    if (depth == 0) {
      skip_node_ = made.value().node;
      skip_device_ = made.value().device;
    }
    bool ok = true;
    {
      DirEntries entries;
      const Result<void> listed = entries.read(files(), from.view());
      if (!listed.ok()) return fail("cannot read directory", from.view(), listed.error());
      const size_t from_keep = from.size(), to_keep = to.size();
      for (size_t i = 0; i < entries.count(); ++i) {
        const lib::StringView name = entries.name(i);
        if (!from.push(name) || !to.push(name)) {
          from.truncate(from_keep);
          c_.error("cannot copy '{}/{}': {}", from.view(), name,
                   stellina::status_name(abi::kErrNameTooLong));
          ok = false;
          continue;
        }
        const Result<abi::FileStat> child = files().stat(from.view(), false);
        if (!child.ok()) {
          ok = fail("cannot stat", from.view(), child.error());
        } else if (!(child.value().node == skip_node_ && child.value().device == skip_device_ &&
                     is_dir(child.value().mode))) {
          if (!copy(from, to, child.value(), depth + 1)) ok = false;
        }
        from.truncate(from_keep);
        to.truncate(to_keep);
      }
    }
    // A directory's times are not kept: SetTimes needs a file open for writing, and a
    // directory opens only for reading. Its mode was given at mkdir.
    return ok;
  }

  Command& c_;
  const CopyOptions& o_;
  uint64_t skip_node_ = 0;
  uint64_t skip_device_ = ~uint64_t{0};
};

}  // namespace cmd
