// Descriptors and paths: open, stat, directories, links, dup, fcntl and pipes. Paths are
// made absolute here (the current directory, or a directory descriptor's path, before a
// relative one; '.' and '..' folded lexically) and forwarded to the VFS on the process's
// namespace session; /dev/null, /dev/zero, /dev/urandom and /proc/self/{exe,fd/N} are
// answered here. See docs/linux.md.

#include <lib/format.h>
#include <lib/string_view.h>

#include "kernel/linux/linux_calls.h"
#include "kernel/linux/linux_file_client.h"
#include "kernel/linux/linux_tty.h"
#include "kernel/syscall.h"
#include "kernel/wall_clock.h"

namespace kernel::linux_calls {

namespace abi = stellina::abi;
using namespace linux_abi;

namespace {

// An absolute path, folded: '/' then components separated by one '/', no '.', no '..'.
struct Path {
  char text[abi::kFileMaxPath + 1];
  size_t size = 0;
  lib::StringView view() const { return lib::StringView(text, size); }
  bool is(const char* s) const { return view() == lib::StringView(s); }
};

}  // namespace

int64_t read_user_string(uint64_t address, char* out, size_t capacity, size_t* size) {
  size_t n = 0;
  while (n < capacity) {
    // Up to the end of the page: the next one may be unmapped after the NUL.
    const uint64_t at = address + n;
    size_t chunk = arch::kPageSize - (at & (arch::kPageSize - 1));
    if (chunk > capacity - n) chunk = capacity - n;
    if (!UserIn<char>(at).read(out + n, chunk).ok()) return -kEfault;
    for (size_t i = 0; i < chunk; ++i) {
      if (out[n + i] == '\0') {
        *size = n + i;
        return 0;
      }
    }
    n += chunk;
  }
  return -kEnametoolong;
}

namespace {

// Appends component to out, folding '.' and '..'.
int64_t push_component(Path& out, lib::StringView component) {
  if (component.empty() || component == lib::StringView(".")) return 0;
  if (component == lib::StringView("..")) {
    while (out.size > 0 && out.text[out.size - 1] != '/') --out.size;
    if (out.size > 1) --out.size;  // the '/' before it, but the root's
    return 0;
  }
  if (component.size() > abi::kFileMaxName) return -kEnametoolong;
  const bool slash = out.size > 1;
  if (out.size + slash + component.size() > abi::kFileMaxPath) return -kEnametoolong;
  if (slash) out.text[out.size++] = '/';
  __builtin_memcpy(out.text + out.size, component.data(), component.size());
  out.size += component.size();
  return 0;
}

int64_t append_path(Path& out, lib::StringView path) {
  size_t at = 0;
  while (at < path.size()) {
    size_t end = at;
    while (end < path.size() && path[end] != '/') ++end;
    if (const int64_t e = push_component(out, path.substr(at, end - at))) return e;
    at = end + 1;
  }
  out.text[out.size] = '\0';
  return 0;
}

// The absolute path that `relative` names from dirfd (AT_FDCWD: the current directory).
int64_t resolve_string(LinuxProcess& lp, int64_t dirfd, lib::StringView relative, Path* out) {
  out->text[0] = '/';
  out->size = 1;
  if (relative.empty() || relative[0] != '/') {
    lib::StringView base(lp.cwd());
    if (dirfd != kAtFdcwd) {
      FileRef dir(lp, uint64_t(dirfd));  // another thread may close it meanwhile
      if (!dir) return -kEbadf;
      if (dir->kind != LinuxFileKind::Directory || !dir->path) return -kEnotdir;
      if (const int64_t e = append_path(*out, lib::StringView(dir->path, dir->path_size))) return e;
      base = lib::StringView();
    }
    if (const int64_t e = append_path(*out, base)) return e;
  }
  return append_path(*out, relative);
}

// A user path argument, resolved. Errors: EFAULT, ENAMETOOLONG, ENOENT (empty), EBADF and
// ENOTDIR (dirfd).
int64_t resolve(LinuxProcess& lp, int64_t dirfd, uint64_t address, Path* out,
                bool empty_allowed = false) {
  char raw[abi::kFileMaxPath + 1];
  size_t size = 0;
  if (const int64_t e = read_user_string(address, raw, sizeof(raw), &size)) return e;
  if (size == 0 && !empty_allowed) return -kEnoent;
  return resolve_string(lp, dirfd, lib::StringView(raw, size), out);
}

// Devices served here, by path.
struct Device {
  const char* path;
  LinuxFileKind kind;
  uint32_t minor;  // major 1, as Linux's memory devices
};
constexpr Device kDevices[] = {
    {"/dev/null", LinuxFileKind::Null, 3},
    {"/dev/zero", LinuxFileKind::Zero, 5},
    {"/dev/random", LinuxFileKind::Random, 8},
    {"/dev/urandom", LinuxFileKind::Random, 9},
};

const Device* device_at(const Path& path) {
  for (const Device& d : kDevices)
    if (path.is(d.path)) return &d;
  return nullptr;
}

const Device* device_of(LinuxFileKind kind) {
  for (const Device& d : kDevices)
    if (d.kind == kind) return &d;
  return nullptr;
}

constexpr uint32_t kModeFifo = 0010000;
constexpr uint32_t kModeSocket = 0140000;
constexpr uint64_t kDirEnd = ~uint64_t{0};  // getdents64's place after the last entry

// /proc/self/exe and /proc/self/fd/N: what readlink gives (into out), or false.
bool proc_self_link(LinuxProcess& lp, const Path& path, char (&out)[abi::kFileMaxPath + 1],
                    size_t* size) {
  if (path.is("/proc/self/exe")) {
    // Only a path: a program started by name from the boot archive has none, and C
    // libraries take what this gives for an absolute path (glibc asserts it is one).
    if (lp.exe()[0] != '/') return false;
    *size = lib::format_to(out, sizeof(out), "{}", lp.exe());
    return true;
  }
  const lib::StringView prefix("/proc/self/fd/");
  if (!path.view().starts_with(prefix) || path.size == prefix.size()) return false;
  uint64_t fd = 0;
  for (size_t i = prefix.size(); i < path.size; ++i) {
    const char c = path.text[i];
    if (c < '0' || c > '9' || fd > LinuxFdTable::kMaxFds) return false;
    fd = fd * 10 + uint64_t(c - '0');
  }
  // A reference: another thread's close must not free the path while it is copied.
  const FileRef file(lp, fd);
  if (!file) return false;
  if (file->path) {
    *size = lib::format_to(out, sizeof(out), "{}", file->path);
  } else if (const Device* d = device_of(file->kind)) {
    *size = lib::format_to(out, sizeof(out), "{}", d->path);
  } else {
    *size = lib::format_to(out, sizeof(out), "pipe:[{}]", file->handle);
  }
  return true;
}

// One request on the namespace session.
lib::Result<FileAnswer> namespace_call(LinuxProcess& lp, abi::FileOp op, const Path& path,
                                       uint32_t flags = 0, uint32_t mode = 0,
                                       const Path* path2 = nullptr) {
  abi::FileRequest r{};
  r.op = op;
  r.flags = flags;
  r.mode = mode;
  FileRequestBody body;
  body.name = path.text;
  body.name_size = path.size;
  if (path2) {
    body.name2 = path2->text;
    body.name2_size = path2->size;
  }
  return file_call(lp, lp.files(), r, body);
}

// -errno of a call whose only answer is its status.
int64_t status_call(LinuxProcess& lp, abi::FileOp op, const Path& path, uint32_t flags = 0,
                    uint32_t mode = 0, const Path* path2 = nullptr) {
  if (lp.files() == abi::kInvalidHandle) return -kEnoent;
  auto answer = namespace_call(lp, op, path, flags, mode, path2);
  return answer.ok() ? errno_of_status(answer.value().status()) : -kEio;
}

int64_t file_stat_of(FileAnswer& answer, abi::FileStat* st) {
  if (const int64_t e = errno_of_status(answer.status())) return e;
  if (answer.data_size() < sizeof(*st)) return -kEio;
  __builtin_memcpy(st, answer.data(), sizeof(*st));
  return 0;
}

// StatPath: follow says whether a last component that is a link is followed.
int64_t stat_path(LinuxProcess& lp, const Path& path, bool follow, abi::FileStat* st) {
  if (lp.files() == abi::kInvalidHandle) return -kEnoent;
  auto answer = namespace_call(lp, abi::FileOp::StatPath, path, follow ? 0 : abi::kOpenNoFollow);
  return answer.ok() ? file_stat_of(answer.value(), st) : -kEio;
}

// What fstat says of a description that is not a file server's.
abi::FileStat local_stat(const LinuxOpenFile& file) {
  abi::FileStat st{};
  st.links = 1;
  st.mode = file.kind == LinuxFileKind::Stream ? (kModeFifo | 0600) : (abi::kModeCharDevice | 0666);
  if (file.kind == LinuxFileKind::Socket) st.mode = kModeSocket | 0777;
  if (file.kind == LinuxFileKind::Tty) st.mode = abi::kModeCharDevice | 0620;
  st.node = file.handle;
  return st;
}

int64_t stat_open_file(LinuxProcess& lp, const LinuxOpenFile& file, abi::FileStat* st,
                       uint64_t* rdev) {
  *rdev = 0;
  if (file.kind != LinuxFileKind::File && file.kind != LinuxFileKind::Directory) {
    *st = local_stat(file);
    if (const Device* d = device_of(file.kind)) *rdev = (1u << 8) | d->minor;
    return 0;
  }
  abi::FileRequest r{};
  r.op = abi::FileOp::Stat;
  auto answer = file_call(lp, file.handle, r);
  return answer.ok() ? file_stat_of(answer.value(), st) : -kEio;
}

Stat linux_stat(const abi::FileStat& st, uint64_t rdev) {
  Stat s{};
  s.dev = st.device;
  s.ino = st.node;
  s.nlink = st.links;
  s.mode = st.mode;
  s.uid = st.uid;
  s.gid = st.gid;
  s.rdev = rdev;
  s.size = int64_t(st.size);
  s.blksize = 4096;
  s.blocks = int64_t(st.blocks);
  s.atime_sec = st.atime_ns / 1'000'000'000;
  s.atime_nsec = st.atime_ns % 1'000'000'000;
  s.mtime_sec = st.mtime_ns / 1'000'000'000;
  s.mtime_nsec = st.mtime_ns % 1'000'000'000;
  s.ctime_sec = st.ctime_ns / 1'000'000'000;
  s.ctime_nsec = st.ctime_ns % 1'000'000'000;
  return s;
}

StatxTimestamp statx_time(int64_t ns) {
  return StatxTimestamp{ns / 1'000'000'000, uint32_t(ns % 1'000'000'000), 0};
}

Statx linux_statx(const abi::FileStat& st, uint64_t rdev) {
  Statx s{};
  s.mask = kStatxBasicStats;
  s.blksize = 4096;
  s.nlink = st.links;
  s.uid = st.uid;
  s.gid = st.gid;
  s.mode = uint16_t(st.mode);
  s.ino = st.node;
  s.size = st.size;
  s.blocks = st.blocks;
  s.atime = statx_time(st.atime_ns);
  s.mtime = statx_time(st.mtime_ns);
  s.ctime = statx_time(st.ctime_ns);
  s.rdev_major = uint32_t(rdev >> 8);
  s.rdev_minor = uint32_t(rdev & 0xff);
  s.dev_major = 0;
  s.dev_minor = uint32_t(st.device);
  return s;
}

// The stat of what dirfd and the path name, with AT_EMPTY_PATH and AT_SYMLINK_NOFOLLOW.
int64_t stat_at(LinuxProcess& lp, int64_t dirfd, uint64_t path, uint64_t flags, abi::FileStat* st,
                uint64_t* rdev) {
  *rdev = 0;
  char first = 0;
  if (!UserIn<char>(path).read(&first).ok()) return -kEfault;
  if (first == '\0' && (flags & kAtEmptyPath) && dirfd != kAtFdcwd) {
    FileRef file(lp, uint64_t(dirfd));
    return file ? stat_open_file(lp, *file, st, rdev) : -kEbadf;
  }
  Path p;
  if (const int64_t e = resolve(lp, dirfd, path, &p, flags & kAtEmptyPath)) return e;
  if (const Device* d = device_at(p)) {
    *st = abi::FileStat{};
    st->mode = abi::kModeCharDevice | 0666;
    st->links = 1;
    st->node = d->minor;
    *rdev = (1u << 8) | d->minor;
    return 0;
  }
  return stat_path(lp, p, !(flags & kAtSymlinkNofollow), st);
}

int64_t write_stat(uint64_t address, const abi::FileStat& st, uint64_t rdev) {
  const Stat s = linux_stat(st, rdev);
  return UserOut<Stat>(address).write(&s).ok() ? 0 : -kEfault;
}

int64_t fstat(LinuxProcess& lp, uint64_t fd, uint64_t address) {
  FileRef file(lp, fd);
  if (!file) return -kEbadf;
  abi::FileStat st;
  uint64_t rdev;
  if (const int64_t e = stat_open_file(lp, *file, &st, &rdev)) return e;
  return write_stat(address, st, rdev);
}

int64_t newfstatat(LinuxProcess& lp, int64_t dirfd, uint64_t path, uint64_t address,
                   uint64_t flags) {
  if (flags & ~(kAtSymlinkNofollow | kAtEmptyPath | kAtNoAutomount)) return -kEinval;
  abi::FileStat st;
  uint64_t rdev;
  if (const int64_t e = stat_at(lp, dirfd, path, flags, &st, &rdev)) return e;
  return write_stat(address, st, rdev);
}

int64_t statx(LinuxProcess& lp, int64_t dirfd, uint64_t path, uint64_t flags, uint64_t mask,
              uint64_t address) {
  (void)mask;  // the basic fields are always filled
  if (flags & ~(kAtSymlinkNofollow | kAtEmptyPath | kAtNoAutomount | kAtStatxSyncType))
    return -kEinval;
  abi::FileStat st;
  uint64_t rdev;
  if (const int64_t e = stat_at(lp, dirfd, path, flags, &st, &rdev)) return e;
  const Statx s = linux_statx(st, rdev);
  return UserOut<Statx>(address).write(&s).ok() ? 0 : -kEfault;
}

// A description for what was opened: a device, or the file server's channel.
int64_t install_file(LinuxProcess& lp, LinuxOpenFile* file, bool cloexec) {
  SpinlockGuard guard(sched_lock);
  auto fd = lp.fds().install(file, 0, cloexec);
  if (fd.ok()) return fd.value();
  lp.fds().release(file, &current_process().handles());
  return -kEmfile;
}

uint32_t open_flags(uint64_t flags) {
  uint32_t f = 0;
  const uint64_t access = flags & kOAccmode;
  if (access != kOWronly) f |= abi::kOpenRead;
  if (access != kORdonly) f |= abi::kOpenWrite;
  if (flags & kOCreat) f |= abi::kOpenCreate;
  if ((flags & kOCreat) && (flags & kOExcl)) f |= abi::kOpenExclusive;
  if ((flags & kOTrunc) && access != kORdonly) f |= abi::kOpenTruncate;
  if (flags & kODirectory) f |= abi::kOpenDirectory;
  if (flags & kONofollow) f |= abi::kOpenNoFollow;
  return f;
}

// /dev/tty: a new description of the caller's controlling terminal (ENXIO: it has none).
int64_t open_controlling_tty(LinuxProcess& lp, uint32_t flags, bool cloexec) {
  LinuxTty* tty;
  {
    SpinlockGuard guard(sched_lock);
    tty = lp.tty();
    if (!tty) return -kEnxio;
    tty->retain();  // while the description is made outside the lock
  }
  auto made = lp.fds().make_tty(tty, (flags & ~uint32_t(kOAccmode)) | kORdwr);
  {
    SpinlockGuard guard(sched_lock);
    tty->release();
  }
  return made.ok() ? install_file(lp, made.value(), cloexec) : -kEnomem;
}

int64_t open_path(LinuxProcess& lp, const Path& p, uint64_t flags, uint64_t mode) {
  if (lp.fds().open_count() >= LinuxFdTable::kMaxFds) return -kEmfile;
  const bool cloexec = flags & kOCloexec;
  const uint32_t kept = uint32_t(flags & (kOAccmode | kOAppend | kONonblock | kOLargefile |
                                          kODirectory | kONofollow | kOPath));
  if (const Device* d = device_at(p)) {
    if (flags & kODirectory) return -kEnotdir;
    auto made = lp.fds().make(d->kind, kept, abi::kInvalidHandle);
    return made.ok() ? install_file(lp, made.value(), cloexec) : -kEnomem;
  }
  if (p.is("/dev/tty")) return open_controlling_tty(lp, kept | kORdwr, cloexec);
  char link[abi::kFileMaxPath + 1];
  size_t link_size = 0;
  if (proc_self_link(lp, p, link, &link_size)) {
    Path target;
    if (const int64_t e = resolve_string(lp, kAtFdcwd, lib::StringView(link, link_size), &target))
      return e;
    return open_path(lp, target, flags & ~kONofollow, mode);
  }
  if (lp.files() == abi::kInvalidHandle) return -kEnoent;
  auto answer = namespace_call(lp, abi::FileOp::OpenPath, p, open_flags(flags),
                               uint32_t(mode & ~lp.umask() & 07777));
  if (!answer.ok()) return -kEio;
  if (const int64_t e = errno_of_status(answer.value().status())) return e;
  auto handle = answer.value().take_handle();
  if (!handle.ok()) return handle.error() == lib::Error::NotFound ? -kEio : -kEmfile;
  auto made = lp.fds().make(LinuxFileKind::File, kept, handle.value(), p.text, p.size);
  if (!made.ok()) {
    SpinlockGuard guard(sched_lock);
    (void)current_process().handles().close(handle.value());
    return -kEnomem;
  }
  LinuxOpenFile* file = made.value();
  abi::FileStat st;
  uint64_t rdev;
  int64_t e = stat_open_file(lp, *file, &st, &rdev);
  if (!e && (st.mode & abi::kModeTypeMask) == abi::kModeDirectory) {
    if (file->writable()) e = -kEisdir;
    file->kind = LinuxFileKind::Directory;
  }
  if (!e && (flags & kODirectory) && file->kind != LinuxFileKind::Directory) e = -kEnotdir;
  if (e) {
    SpinlockGuard guard(sched_lock);
    lp.fds().release(file, &current_process().handles());
    return e;
  }
  return install_file(lp, file, cloexec);
}

int64_t openat(LinuxProcess& lp, int64_t dirfd, uint64_t path, uint64_t flags, uint64_t mode) {
  if ((flags & kOTmpfile) == kOTmpfile) return -kEopnotsupp;
  if ((flags & kOAccmode) == kOAccmode) return -kEinval;
  Path p;
  if (const int64_t e = resolve(lp, dirfd, path, &p)) return e;
  return open_path(lp, p, flags, mode);
}

int64_t close(LinuxProcess& lp, uint64_t fd) {
  SpinlockGuard guard(sched_lock);
  return lp.fds().close(int64_t(fd), &current_process().handles()).ok() ? 0 : -kEbadf;
}

int64_t lseek(LinuxProcess& lp, uint64_t fd, int64_t offset, uint64_t whence) {
  FileRef file(lp, fd);
  if (!file) return -kEbadf;
  if (file->kind == LinuxFileKind::Stream || file->kind == LinuxFileKind::Socket ||
      file->kind == LinuxFileKind::Tty)
    return -kEspipe;
  if (file->kind != LinuxFileKind::File && file->kind != LinuxFileKind::Directory) return 0;
  MutexGuard guard(file->position->lock);
  int64_t base = 0;
  switch (whence) {
    case kSeekSet: break;
    case kSeekCur: base = int64_t(file->position->offset); break;
    case kSeekEnd: {
      if (file->kind == LinuxFileKind::Directory) return -kEinval;
      abi::FileStat st;
      uint64_t rdev;
      if (const int64_t e = stat_open_file(lp, *file, &st, &rdev)) return e;
      base = int64_t(st.size);
      break;
    }
    default: return -kEinval;
  }
  if (offset < 0 && base < -offset) return -kEinval;
  const int64_t at = base + offset;
  if (at < base && offset > 0) return -kEinval;  // overflow
  file->position->offset = uint64_t(at);
  return at;
}

// getdents64: '.' and '..' at places 0 and 1 (Linux lists them; ReadDir does not), then the
// server's entries, place = the server's cursor + 2.
class DirentWriter {
 public:
  DirentWriter(uint64_t buffer, uint64_t count) : buffer_(buffer), count_(count) {}
  // Writes one record; false if it does not fit (nothing written), -EFAULT as error.
  int64_t put(uint64_t ino, uint64_t next_place, uint8_t type, const char* name, size_t size) {
    alignas(8) uint8_t record[kDirent64NameOffset + abi::kFileMaxName + 1 + 8] = {};
    const size_t length = (kDirent64NameOffset + size + 1 + 7) & ~size_t{7};
    if (used_ + length > count_) return 0;
    Dirent64 header{ino, int64_t(next_place), uint16_t(length), type};
    __builtin_memcpy(record, &header, kDirent64NameOffset);
    __builtin_memcpy(record + kDirent64NameOffset, name, size);
    if (!UserOut<uint8_t>(buffer_ + used_).write(record, length).ok()) return -kEfault;
    used_ += length;
    return 1;
  }
  uint64_t used() const { return used_; }

 private:
  uint64_t buffer_;
  uint64_t count_;
  uint64_t used_ = 0;
};

uint8_t dirent_type(uint32_t mode) {
  switch (mode & abi::kModeTypeMask) {
    case abi::kModeDirectory: return kDtDir;
    case abi::kModeRegular: return kDtReg;
    case abi::kModeSymlink: return kDtLnk;
    case abi::kModeCharDevice: return kDtChr;
    default: return kDtUnknown;
  }
}

// '.' or '..' (place 0 or 1) as a record.
int64_t put_dot(LinuxProcess& lp, LinuxOpenFile& dir, DirentWriter& out) {
  const bool dotdot = dir.position->offset == 1;
  Path p;
  p.text[0] = '/';
  p.size = 1;
  if (dir.path) (void)append_path(p, lib::StringView(dir.path, dir.path_size));
  if (dotdot) (void)push_component(p, "..");
  p.text[p.size] = '\0';
  abi::FileStat st{};
  (void)stat_path(lp, p, true, &st);
  return out.put(st.node, dir.position->offset + 1, kDtDir, "..", dotdot ? 2 : 1);
}

// One ReadDir from the directory's place: its records that fit. Returns 1 to go on, 0 when
// the buffer is full or the directory ended, or -errno.
int64_t put_entries(LinuxProcess& lp, LinuxOpenFile& dir, DirentWriter& out) {
  abi::FileRequest r{};
  r.op = abi::FileOp::ReadDir;
  r.offset = dir.position->offset - 2;
  auto answer = file_call(lp, dir.handle, r);
  if (!answer.ok()) return -kEio;
  if (const int64_t e = errno_of_status(answer.value().status())) return e;
  const uint8_t* at = answer.value().data();
  const uint8_t* end = at + answer.value().data_size();
  while (end - at >= int64_t(sizeof(abi::FileDirEntry))) {
    abi::FileDirEntry entry;
    __builtin_memcpy(&entry, at, sizeof(entry));
    const size_t record = (sizeof(entry) + entry.name_size + 7) & ~size_t{7};
    if (entry.name_size > abi::kFileMaxName || size_t(end - at) < sizeof(entry) + entry.name_size)
      return -kEio;
    const int64_t put = out.put(entry.node, entry.cursor + 2, dirent_type(entry.mode),
                                reinterpret_cast<const char*>(at + sizeof(entry)), entry.name_size);
    if (put <= 0) return put;
    dir.position->offset = entry.cursor + 2;
    at += record;
  }
  if (answer.value().value() == 0) {
    dir.position->offset = kDirEnd;
    return 0;
  }
  return 1;
}

int64_t getdents64(LinuxProcess& lp, uint64_t fd, uint64_t buffer, uint64_t count) {
  FileRef dir(lp, fd);
  if (!dir) return -kEbadf;
  if (dir->kind != LinuxFileKind::Directory) return -kEnotdir;
  DirentWriter out(buffer, count);
  MutexGuard guard(dir->position->lock);
  uint64_t& place = dir->position->offset;
  int64_t going = 1;
  while (going > 0 && place != kDirEnd) {
    if (place < 2) {
      going = put_dot(lp, *dir, out);
      if (going > 0) ++place;
    } else {
      going = put_entries(lp, *dir, out);
    }
  }
  if (going < 0 && out.used() == 0) return going;
  if (out.used() == 0 && place != kDirEnd) return -kEinval;  // not one record fits
  return int64_t(out.used());
}

int64_t readlinkat(LinuxProcess& lp, int64_t dirfd, uint64_t path, uint64_t buffer, int64_t size) {
  if (size <= 0) return -kEinval;
  Path p;
  if (const int64_t e = resolve(lp, dirfd, path, &p)) return e;
  char link[abi::kFileMaxPath + 1];
  size_t link_size = 0;
  if (!proc_self_link(lp, p, link, &link_size)) {
    if (lp.files() == abi::kInvalidHandle) return -kEnoent;
    auto answer = namespace_call(lp, abi::FileOp::Readlink, p);
    if (!answer.ok()) return -kEio;
    if (const int64_t e = errno_of_status(answer.value().status())) return e;
    link_size = answer.value().data_size() < abi::kFileMaxPath ? answer.value().data_size()
                                                               : abi::kFileMaxPath;
    __builtin_memcpy(link, answer.value().data(), link_size);
  }
  const size_t n = link_size < uint64_t(size) ? link_size : uint64_t(size);
  return UserOut<char>(buffer).write(link, n).ok() ? int64_t(n) : -kEfault;
}

int64_t getcwd(LinuxProcess& lp, uint64_t buffer, uint64_t size) {
  const lib::StringView cwd(lp.cwd());
  if (size < cwd.size() + 1) return -kErange;
  return UserOut<char>(buffer).write(lp.cwd(), cwd.size() + 1).ok() ? int64_t(cwd.size() + 1)
                                                                    : -kEfault;
}

int64_t change_directory(LinuxProcess& lp, const Path& p) {
  abi::FileStat st;
  if (const int64_t e = stat_path(lp, p, true, &st)) return e;
  if ((st.mode & abi::kModeTypeMask) != abi::kModeDirectory) return -kEnotdir;
  lp.set_cwd(p.text, p.size);
  return 0;
}

int64_t chdir(LinuxProcess& lp, uint64_t path) {
  Path p;
  if (const int64_t e = resolve(lp, kAtFdcwd, path, &p)) return e;
  return change_directory(lp, p);
}

int64_t fchdir(LinuxProcess& lp, uint64_t fd) {
  FileRef dir(lp, fd);
  if (!dir) return -kEbadf;
  if (dir->kind != LinuxFileKind::Directory || !dir->path) return -kEnotdir;
  Path p;
  p.text[0] = '/';
  p.size = 1;
  if (const int64_t e = append_path(p, lib::StringView(dir->path, dir->path_size))) return e;
  return change_directory(lp, p);
}

int64_t mkdirat(LinuxProcess& lp, int64_t dirfd, uint64_t path, uint64_t mode) {
  Path p;
  if (const int64_t e = resolve(lp, dirfd, path, &p)) return e;
  if (device_at(p)) return -kEexist;
  return status_call(lp, abi::FileOp::Mkdir, p, 0, uint32_t(mode & ~lp.umask() & 07777));
}

int64_t unlinkat(LinuxProcess& lp, int64_t dirfd, uint64_t path, uint64_t flags) {
  if (flags & ~kAtRemovedir) return -kEinval;
  Path p;
  if (const int64_t e = resolve(lp, dirfd, path, &p)) return e;
  if (p.is("/")) return -kEbusy;
  return status_call(lp, abi::FileOp::Unlink, p,
                     (flags & kAtRemovedir) ? abi::kUnlinkDirectory : 0);
}

int64_t renameat2(LinuxProcess& lp, int64_t olddirfd, uint64_t oldpath, int64_t newdirfd,
                  uint64_t newpath, uint64_t flags) {
  if (flags != 0) return -kEinval;  // RENAME_NOREPLACE, _EXCHANGE, _WHITEOUT: not served
  Path from, to;
  if (const int64_t e = resolve(lp, olddirfd, oldpath, &from)) return e;
  if (const int64_t e = resolve(lp, newdirfd, newpath, &to)) return e;
  return status_call(lp, abi::FileOp::Rename, from, 0, 0, &to);
}

int64_t symlinkat(LinuxProcess& lp, uint64_t target, int64_t newdirfd, uint64_t linkpath) {
  // The target is kept as written, not resolved: the Path holds it raw.
  Path raw;
  if (const int64_t e = read_user_string(target, raw.text, sizeof(raw.text), &raw.size)) return e;
  if (raw.size == 0) return -kEnoent;
  Path link;
  if (const int64_t e = resolve(lp, newdirfd, linkpath, &link)) return e;
  return status_call(lp, abi::FileOp::Symlink, raw, 0, 0, &link);
}

int64_t faccessat(LinuxProcess& lp, int64_t dirfd, uint64_t path, uint64_t mode, uint64_t flags) {
  if (mode & ~(kROk | kWOk | kXOk)) return -kEinval;
  if (flags & ~(kAtEaccess | kAtSymlinkNofollow | kAtEmptyPath)) return -kEinval;
  abi::FileStat st;
  uint64_t rdev;
  if (const int64_t e = stat_at(lp, dirfd, path, flags, &st, &rdev)) return e;
  // Every Linux process is root: reading and writing are allowed (a read-only mount shows
  // at the write itself), running needs an execute bit, as for root on Linux.
  const bool directory = (st.mode & abi::kModeTypeMask) == abi::kModeDirectory;
  if ((mode & kXOk) && !directory && !(st.mode & 0111)) return -kEacces;
  return 0;
}

// chmod: the file protocol keeps no way to change a mode, so only the mode a file has is
// accepted (EPERM otherwise: the change is refused, not pretended).
int64_t chmod_checked(const abi::FileStat& st, uint64_t mode) {
  return (st.mode & abi::kModePermissions) == (mode & abi::kModePermissions) ? 0 : -kEperm;
}

int64_t fchmodat(LinuxProcess& lp, int64_t dirfd, uint64_t path, uint64_t mode) {
  abi::FileStat st;
  uint64_t rdev;
  if (const int64_t e = stat_at(lp, dirfd, path, 0, &st, &rdev)) return e;
  return chmod_checked(st, mode);
}

int64_t fchmod(LinuxProcess& lp, uint64_t fd, uint64_t mode) {
  FileRef file(lp, fd);
  if (!file) return -kEbadf;
  abi::FileStat st;
  uint64_t rdev;
  if (const int64_t e = stat_open_file(lp, *file, &st, &rdev)) return e;
  return chmod_checked(st, mode);
}

// A timespec of utimensat as the file protocol's nanoseconds (kTimeOmit for UTIME_OMIT).
int64_t time_of(const Timespec& t, int64_t* ns) {
  if (t.nsec == kUtimeOmit) {
    *ns = abi::kTimeOmit;
  } else if (t.nsec == kUtimeNow) {
    *ns = int64_t(wall_clock_ns());
  } else {
    if (t.nsec < 0 || t.nsec >= 1'000'000'000) return -kEinval;
    *ns = t.sec * 1'000'000'000 + t.nsec;
  }
  return 0;
}

int64_t set_times(LinuxProcess& lp, abi::Handle file, int64_t atime, int64_t mtime) {
  abi::FileRequest r{};
  r.op = abi::FileOp::SetTimes;
  r.offset = uint64_t(atime);
  r.size = uint64_t(mtime);
  auto answer = file_call(lp, file, r);
  return answer.ok() ? errno_of_status(answer.value().status()) : -kEio;
}

int64_t utimensat(LinuxProcess& lp, int64_t dirfd, uint64_t path, uint64_t times, uint64_t flags) {
  if (flags & ~(kAtSymlinkNofollow | kAtEmptyPath)) return -kEinval;
  int64_t atime = int64_t(wall_clock_ns()), mtime = atime;
  if (times) {
    Timespec t[2];
    if (!UserIn<Timespec>(times).read(t, 2).ok()) return -kEfault;
    if (const int64_t e = time_of(t[0], &atime)) return e;
    if (const int64_t e = time_of(t[1], &mtime)) return e;
  }
  if (path == 0) {  // futimens: the descriptor itself
    FileRef file(lp, uint64_t(dirfd));
    if (!file) return -kEbadf;
    if (file->kind != LinuxFileKind::File && file->kind != LinuxFileKind::Directory) return 0;
    return set_times(lp, file->handle, atime, mtime);
  }
  Path p;
  if (const int64_t e = resolve(lp, dirfd, path, &p)) return e;
  if (device_at(p)) return 0;  // the devices keep no times
  if (lp.files() == abi::kInvalidHandle) return -kEnoent;
  // The file protocol sets times through a file opened for writing.
  auto answer = namespace_call(lp, abi::FileOp::OpenPath, p, abi::kOpenWrite);
  if (!answer.ok()) return -kEio;
  if (const int64_t e = errno_of_status(answer.value().status())) return e;
  auto handle = answer.value().take_handle();
  if (!handle.ok()) return -kEmfile;
  const int64_t e = set_times(lp, handle.value(), atime, mtime);
  SpinlockGuard guard(sched_lock);
  (void)current_process().handles().close(handle.value());
  return e;
}

int64_t truncate_file(LinuxProcess& lp, abi::Handle file, int64_t length) {
  if (length < 0) return -kEinval;
  abi::FileRequest r{};
  r.op = abi::FileOp::Truncate;
  r.size = uint64_t(length);
  auto answer = file_call(lp, file, r);
  return answer.ok() ? errno_of_status(answer.value().status()) : -kEio;
}

int64_t ftruncate(LinuxProcess& lp, uint64_t fd, int64_t length) {
  FileRef file(lp, fd);
  if (!file) return -kEbadf;
  if (file->kind != LinuxFileKind::File || !file->writable()) return -kEinval;
  return truncate_file(lp, file->handle, length);
}

int64_t fsync(LinuxProcess& lp, uint64_t fd) {
  FileRef file(lp, fd);
  if (!file) return -kEbadf;
  if (file->kind != LinuxFileKind::File && file->kind != LinuxFileKind::Directory) return -kEinval;
  abi::FileRequest r{};
  r.op = abi::FileOp::Sync;
  auto answer = file_call(lp, file->handle, r);
  return answer.ok() ? errno_of_status(answer.value().status()) : -kEio;
}

// dup, dup2, dup3 and F_DUPFD: newfd < 0 means the lowest free at or above from.
int64_t duplicate(LinuxProcess& lp, uint64_t oldfd, int64_t newfd, int from, bool cloexec) {
  SpinlockGuard guard(sched_lock);
  LinuxOpenFile* file = lp.fds().get(int64_t(oldfd));
  if (!file) return -kEbadf;
  if (newfd >= 0) {
    lp.fds().install_at(int(newfd), file, cloexec, &current_process().handles());
    return newfd;
  }
  auto fd = lp.fds().install(file, from, cloexec);
  if (!fd.ok()) return -kEmfile;
  ++file->refs;
  return fd.value();
}

int64_t dup3(LinuxProcess& lp, uint64_t oldfd, uint64_t newfd, uint64_t flags, bool dup2) {
  if (flags & ~kOCloexec) return -kEinval;
  if (newfd >= uint64_t(LinuxFdTable::kMaxFds)) return -kEbadf;
  if (oldfd == newfd) {
    if (!dup2) return -kEinval;
    return lp.fds().get(int64_t(oldfd)) ? int64_t(newfd) : -kEbadf;
  }
  return duplicate(lp, oldfd, int64_t(newfd), 0, flags & kOCloexec);
}

bool open_descriptor(LinuxProcess& lp, uint64_t fd) {
  SpinlockGuard guard(sched_lock);
  return lp.fds().get(int64_t(fd)) != nullptr;
}

int64_t fcntl(LinuxProcess& lp, uint64_t fd, uint64_t command, uint64_t argument) {
  if (command == kFDupfd || command == kFDupfdCloexec) {
    if (!open_descriptor(lp, fd)) return -kEbadf;  // before EINVAL, as on Linux
    if (argument >= uint64_t(LinuxFdTable::kMaxFds)) return -kEinval;
    return duplicate(lp, fd, -1, int(argument), command == kFDupfdCloexec);
  }
  // The rest read or change the table and the description at once: under sched_lock, which
  // descriptors change under, so another thread's close or F_SETFL cannot come between.
  SpinlockGuard guard(sched_lock);
  LinuxOpenFile* file = lp.fds().get(int64_t(fd));
  if (!file) return -kEbadf;
  switch (command) {
    case kFGetfd: return lp.fds().close_on_exec(int64_t(fd)) ? kFdCloexec : 0;
    case kFSetfd: lp.fds().set_close_on_exec(int64_t(fd), argument & kFdCloexec); return 0;
    case kFGetfl: return file->flags;
    case kFSetfl: {
      // Only O_APPEND and O_NONBLOCK change, as on Linux (O_NONBLOCK is kept, not obeyed).
      const uint32_t changeable = uint32_t(kOAppend | kONonblock);
      file->flags = (file->flags & ~changeable) | (uint32_t(argument) & changeable);
      return 0;
    }
    default: return -kEinval;
  }
}

// pipe2: a channel pair, the read end first.
int64_t pipe2(LinuxProcess& lp, uint64_t address, uint64_t flags) {
  if (flags & ~(kOCloexec | kONonblock | kODirect)) return -kEinval;
  if (lp.fds().open_count() > LinuxFdTable::kMaxFds - 2) return -kEmfile;
  Ref<Channel> ends[2];
  if (!Channel::create_pair(&ends[0], &ends[1], &current_process().silo()).ok()) return -kEnomem;
  abi::Handle handles[2];
  LinuxOpenFile* files[2] = {};
  int64_t error = 0;
  {
    SpinlockGuard guard(sched_lock);
    HandleTable& table = current_process().handles();
    if (table.reserve(handles, 2).ok()) {
      table.fill(handles[0], ends[0].get(), abi::kRightsAll);
      table.fill(handles[1], ends[1].get(), abi::kRightsAll);
    } else {
      error = -kEmfile;
    }
    ends[0] = Ref<Channel>();
    ends[1] = Ref<Channel>();
  }
  if (error) return error;
  const uint32_t status = uint32_t(flags & kONonblock);
  for (int i = 0; i < 2; ++i) {
    auto made =
        lp.fds().make(LinuxFileKind::Stream, status | (i ? kOWronly : kORdonly), handles[i]);
    if (made.ok()) {
      files[i] = made.value();
      files[i]->is_pipe = true;
    } else {
      SpinlockGuard guard(sched_lock);
      (void)current_process().handles().close(handles[i]);
      error = -kEnomem;
    }
  }
  int fds[2] = {-1, -1};
  for (int i = 0; i < 2 && !error; ++i) {
    SpinlockGuard guard(sched_lock);
    auto fd = lp.fds().install(files[i], 0, flags & kOCloexec);
    if (fd.ok()) {
      fds[i] = fd.value();
      files[i] = nullptr;
    } else {
      error = -kEmfile;
    }
  }
  if (!error && !UserOut<int>(address).write(fds, 2).ok()) error = -kEfault;
  if (error) {
    SpinlockGuard guard(sched_lock);
    for (int i = 0; i < 2; ++i) {
      if (fds[i] >= 0) (void)lp.fds().close(fds[i], &current_process().handles());
      if (files[i]) lp.fds().release(files[i], &current_process().handles());
    }
    return error;
  }
  return 0;
}

int64_t umask(LinuxProcess& lp, uint64_t mask) {
  const uint32_t old = lp.umask();
  lp.set_umask(uint32_t(mask));
  return old;
}

}  // namespace

int64_t program_path(LinuxProcess& lp, int64_t dirfd, lib::StringView path,
                     char (&out)[abi::kFileMaxPath + 1], size_t* size) {
  if (path.empty()) return -kEnoent;
  Path p;
  if (const int64_t e = resolve_string(lp, dirfd, path, &p)) return e;
  char link[abi::kFileMaxPath + 1];
  size_t link_size = 0;
  if (proc_self_link(lp, p, link, &link_size)) {
    if (const int64_t e = resolve_string(lp, kAtFdcwd, lib::StringView(link, link_size), &p))
      return e;
  }
  __builtin_memcpy(out, p.text, p.size + 1);
  *size = p.size;
  return 0;
}

int64_t file_syscall(LinuxProcess& lp, uint64_t n, uint64_t a0, uint64_t a1, uint64_t a2,
                     uint64_t a3, uint64_t a4) {
  const auto dirfd = [](uint64_t fd) { return int64_t(int32_t(fd)); };  // an int in C
  switch (n) {
    case kOpen: return openat(lp, kAtFdcwd, a0, a1, a2);
    case kOpenat: return openat(lp, dirfd(a0), a1, a2, a3);
    case kClose: return close(lp, a0);
    case kLseek: return lseek(lp, a0, int64_t(a1), a2);
    case kStat: return newfstatat(lp, kAtFdcwd, a0, a1, 0);
    case kLstat: return newfstatat(lp, kAtFdcwd, a0, a1, kAtSymlinkNofollow);
    case kFstat: return fstat(lp, a0, a1);
    case kNewfstatat: return newfstatat(lp, dirfd(a0), a1, a2, a3);
    case kStatx: return statx(lp, dirfd(a0), a1, a2, a3, a4);
    case kGetdents64: return getdents64(lp, a0, a1, a2);
    case kReadlink: return readlinkat(lp, kAtFdcwd, a0, a1, int64_t(a2));
    case kReadlinkat: return readlinkat(lp, dirfd(a0), a1, a2, int64_t(a3));
    case kGetcwd: return getcwd(lp, a0, a1);
    case kChdir: return chdir(lp, a0);
    case kFchdir: return fchdir(lp, a0);
    case kMkdir: return mkdirat(lp, kAtFdcwd, a0, a1);
    case kMkdirat: return mkdirat(lp, dirfd(a0), a1, a2);
    case kRmdir: return unlinkat(lp, kAtFdcwd, a0, kAtRemovedir);
    case kUnlink: return unlinkat(lp, kAtFdcwd, a0, 0);
    case kUnlinkat: return unlinkat(lp, dirfd(a0), a1, a2);
    case kRename: return renameat2(lp, kAtFdcwd, a0, kAtFdcwd, a1, 0);
    case kRenameat: return renameat2(lp, dirfd(a0), a1, dirfd(a2), a3, 0);
    case kRenameat2: return renameat2(lp, dirfd(a0), a1, dirfd(a2), a3, a4);
    case kSymlink: return symlinkat(lp, a0, kAtFdcwd, a1);
    case kSymlinkat: return symlinkat(lp, a0, dirfd(a1), a2);
    case kAccess: return faccessat(lp, kAtFdcwd, a0, a1, 0);
    case kFaccessat: return faccessat(lp, dirfd(a0), a1, a2, 0);
    case kFaccessat2: return faccessat(lp, dirfd(a0), a1, a2, a3);
    case kChmod: return fchmodat(lp, kAtFdcwd, a0, a1);
    case kFchmodat: return fchmodat(lp, dirfd(a0), a1, a2);
    case kFchmod: return fchmod(lp, a0, a1);
    case kUtimensat: return utimensat(lp, dirfd(a0), a1, a2, a3);
    case kFtruncate: return ftruncate(lp, a0, int64_t(a1));
    case kFsync:
    case kFdatasync: return fsync(lp, a0);
    case kUmask: return umask(lp, a0);
    case kDup: return duplicate(lp, a0, -1, 0, false);
    case kDup2: return dup3(lp, a0, a1, 0, true);
    case kDup3: return dup3(lp, a0, a1, a2, false);
    case kFcntl: return fcntl(lp, a0, a1, a2);
    case kPipe: return pipe2(lp, a0, 0);
    case kPipe2: return pipe2(lp, a0, a1);
    default: return kNotAFileCall;
  }
}

}  // namespace kernel::linux_calls
