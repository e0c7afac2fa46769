// WASI's descriptors and paths over the program's streams and its file: session. A module
// names files by a directory descriptor and a relative path (wasi-libc finds the preopened
// directory a path lies in); resolve_path keeps every path inside that directory.
#include "wasi_functions.h"

namespace wasi_host::calls {

namespace wasi = wasm::wasi;
namespace abi = stellina::abi;
using Kind = Descriptor::Kind;
using wasi::answer;
using wasi::arg32;
using wasi::arg64;
using wasi::Errno;

namespace {

// A cookie past the last entry of a directory (a server cursor is never this).
constexpr uint64_t kEndCookie = UINT64_MAX;

bool is_stream(const Descriptor& d) {
  return d.kind == Kind::Stdin || d.kind == Kind::Stdout || d.kind == Kind::Stderr;
}

wasi::FileType file_type(uint32_t mode) {
  switch (mode & abi::kModeTypeMask) {
    case abi::kModeRegular: return wasi::kRegularFile;
    case abi::kModeDirectory: return wasi::kDirectory;
    case abi::kModeSymlink: return wasi::kSymbolicLink;
    case abi::kModeCharDevice: return wasi::kCharacterDevice;
    default: return wasi::kUnknown;
  }
}

Errno put_filestat(const HostCall& c, uint32_t address, const abi::FileStat& st) {
  uint8_t s[wasi::kFilestatSize] = {};
  const uint64_t words[] = {st.device, st.node};
  __builtin_memcpy(s, words, sizeof(words));
  s[16] = file_type(st.mode);
  const uint64_t rest[] = {st.links, st.size, static_cast<uint64_t>(st.atime_ns),
                           static_cast<uint64_t>(st.mtime_ns), static_cast<uint64_t>(st.ctime_ns)};
  __builtin_memcpy(s + 24, rest, sizeof(rest));
  return wasi::put(c, address, s, sizeof(s)) ? wasi::kSuccess : wasi::kFault;
}

// The module's path at (address, length), resolved against the directory descriptor fd.
Errno module_path(const HostCall& c, uint32_t fd, uint32_t address, uint32_t length, char* out,
                  uint16_t* size) {
  const uint8_t* text = c.bytes(address, length);
  if (text == nullptr) return wasi::kFault;
  Descriptor* d = WasiHost::of(c).descriptor(fd);
  if (d == nullptr) return wasi::kBadFd;
  if (d->kind != Kind::Directory) return wasi::kNotDir;
  return resolve_path(d->path_view(), StringView(reinterpret_cast<const char*>(text), length), out,
                      size);
}

// A file descriptor that may be read (or written): EBADF otherwise, EISDIR for a directory.
Errno file_for(const HostCall& c, uint32_t fd, bool write, Descriptor** out) {
  Descriptor* d = WasiHost::of(c).descriptor(fd);
  if (d == nullptr) return wasi::kBadFd;
  if (d->kind == Kind::Directory) return wasi::kIsDir;
  if (write ? !d->writable : !d->readable) return wasi::kBadFd;
  *out = d;
  return wasi::kSuccess;
}

// Reads into the iovecs from the stream or the file at *offset (advanced by what was read).
Errno read_iovecs(const HostCall& c, Descriptor& d, uint64_t* offset, uint32_t* total) {
  const uint32_t iovs = arg32(c, 1);
  const uint32_t count = arg32(c, 2);
  for (uint32_t i = 0; i < count; ++i) {
    uint8_t* data = nullptr;
    uint32_t size = 0;
    if (!wasi::iovec(c, iovs, i, &data, &size)) return wasi::kFault;
    if (size == 0) continue;
    stellina::Result<size_t> got = d.kind == Kind::Stdin
                                       ? WasiHost::of(c).program().in().read(data, size)
                                       : d.file.read(*offset, data, size);
    if (!got.ok()) return errno_of(got.error());
    *total += static_cast<uint32_t>(got.value());
    *offset += got.value();
    // A stream gives what has come (one read, as POSIX's read); a file stops at its end.
    if (d.kind == Kind::Stdin || got.value() < size) break;
  }
  return wasi::kSuccess;
}

// Writes the iovecs to the stream or the file at *offset (advanced by what was written).
Errno write_iovecs(const HostCall& c, Descriptor& d, uint64_t* offset, uint32_t* total) {
  const uint32_t iovs = arg32(c, 1);
  const uint32_t count = arg32(c, 2);
  stellina::ProgramEnv& p = WasiHost::of(c).program();
  for (uint32_t i = 0; i < count; ++i) {
    uint8_t* data = nullptr;
    uint32_t size = 0;
    if (!wasi::iovec(c, iovs, i, &data, &size)) return wasi::kFault;
    if (size == 0) continue;
    if (is_stream(d)) {
      stellina::Stream& s = d.kind == Kind::Stdout ? p.out() : p.err();
      const stellina::Result<void> put = s.write(stellina::Bytes{data, size});
      if (!put.ok()) return errno_of(put.error());
    } else {
      const stellina::Result<size_t> put = d.file.write(*offset, stellina::Bytes{data, size});
      if (!put.ok()) return errno_of(put.error());
    }
    *total += size;
    *offset += size;
  }
  return wasi::kSuccess;
}

// The descriptor's file type and size, from the file server for files and directories.
Errno stat_of(const HostCall& c, const Descriptor& d, abi::FileStat* st) {
  *st = abi::FileStat{};
  if (is_stream(d)) {
    st->mode = abi::kModeCharDevice;
    return wasi::kSuccess;
  }
  stellina::Result<abi::FileStat> got =
      d.kind == Kind::File ? d.file.stat() : WasiHost::of(c).program().files().stat(d.path_view());
  if (!got.ok()) return errno_of(got.error());
  *st = got.value();
  return wasi::kSuccess;
}

}  // namespace

Trap fd_read(HostCall& c) {
  Descriptor* d = nullptr;
  if (Errno e = file_for(c, arg32(c, 0), false, &d); e != wasi::kSuccess) return answer(c, e);
  uint32_t total = 0;
  if (Errno e = read_iovecs(c, *d, &d->offset, &total); e != wasi::kSuccess) return answer(c, e);
  return answer(c, wasi::put_u32(c, arg32(c, 3), total) ? wasi::kSuccess : wasi::kFault);
}

// fd_pread(fd, iovs, count, offset, nread*): at offset, the position unchanged.
Trap fd_pread(HostCall& c) {
  Descriptor* d = nullptr;
  if (Errno e = file_for(c, arg32(c, 0), false, &d); e != wasi::kSuccess) return answer(c, e);
  if (d->kind != Kind::File) return answer(c, wasi::kSpipe);
  uint64_t offset = arg64(c, 3);
  uint32_t total = 0;
  if (Errno e = read_iovecs(c, *d, &offset, &total); e != wasi::kSuccess) return answer(c, e);
  return answer(c, wasi::put_u32(c, arg32(c, 4), total) ? wasi::kSuccess : wasi::kFault);
}

// An append-mode file is written at its end as it is at each call: the size is asked first
// (not atomic with the write: another writer between the two is overwritten).
Trap fd_write(HostCall& c) {
  Descriptor* d = nullptr;
  if (Errno e = file_for(c, arg32(c, 0), true, &d); e != wasi::kSuccess) return answer(c, e);
  if (d->kind == Kind::File && d->append) {
    abi::FileStat st{};
    if (Errno e = stat_of(c, *d, &st); e != wasi::kSuccess) return answer(c, e);
    d->offset = st.size;
  }
  uint32_t total = 0;
  if (Errno e = write_iovecs(c, *d, &d->offset, &total); e != wasi::kSuccess) return answer(c, e);
  return answer(c, wasi::put_u32(c, arg32(c, 3), total) ? wasi::kSuccess : wasi::kFault);
}

Trap fd_pwrite(HostCall& c) {
  Descriptor* d = nullptr;
  if (Errno e = file_for(c, arg32(c, 0), true, &d); e != wasi::kSuccess) return answer(c, e);
  if (d->kind != Kind::File) return answer(c, wasi::kSpipe);
  uint64_t offset = arg64(c, 3);
  uint32_t total = 0;
  if (Errno e = write_iovecs(c, *d, &offset, &total); e != wasi::kSuccess) return answer(c, e);
  return answer(c, wasi::put_u32(c, arg32(c, 4), total) ? wasi::kSuccess : wasi::kFault);
}

// fd_seek(fd, offset (signed), whence, newoffset*).
Trap fd_seek(HostCall& c) {
  Descriptor* d = WasiHost::of(c).descriptor(arg32(c, 0));
  if (d == nullptr) return answer(c, wasi::kBadFd);
  if (d->kind != Kind::File) return answer(c, is_stream(*d) ? wasi::kSpipe : wasi::kBadFd);
  const auto delta = static_cast<int64_t>(arg64(c, 1));
  int64_t from = 0;
  switch (static_cast<uint8_t>(arg32(c, 2))) {
    case wasi::kWhenceSet: break;
    case wasi::kWhenceCur: from = static_cast<int64_t>(d->offset); break;
    case wasi::kWhenceEnd: {
      abi::FileStat st{};
      if (Errno e = stat_of(c, *d, &st); e != wasi::kSuccess) return answer(c, e);
      from = static_cast<int64_t>(st.size);
      break;
    }
    default: return answer(c, wasi::kInval);
  }
  int64_t to = 0;
  if (__builtin_add_overflow(from, delta, &to) || to < 0) return answer(c, wasi::kInval);
  d->offset = static_cast<uint64_t>(to);
  return answer(c, wasi::put_u64(c, arg32(c, 3), d->offset) ? wasi::kSuccess : wasi::kFault);
}

Trap fd_tell(HostCall& c) {
  Descriptor* d = WasiHost::of(c).descriptor(arg32(c, 0));
  if (d == nullptr) return answer(c, wasi::kBadFd);
  if (d->kind != Kind::File) return answer(c, is_stream(*d) ? wasi::kSpipe : wasi::kBadFd);
  return answer(c, wasi::put_u64(c, arg32(c, 1), d->offset) ? wasi::kSuccess : wasi::kFault);
}

Trap fd_close(HostCall& c) {
  WasiHost& w = WasiHost::of(c);
  if (w.descriptor(arg32(c, 0)) == nullptr) return answer(c, wasi::kBadFd);
  w.release(arg32(c, 0));
  return answer(c, wasi::kSuccess);
}

Trap fd_sync(HostCall& c) {
  Descriptor* d = WasiHost::of(c).descriptor(arg32(c, 0));
  if (d == nullptr) return answer(c, wasi::kBadFd);
  if (d->kind != Kind::File) return answer(c, wasi::kInval);
  const stellina::Result<void> synced = d->file.sync();
  return answer(c, synced.ok() ? wasi::kSuccess : errno_of(synced.error()));
}

// fd_fdstat_get(fd, fdstat*): the type, the append flag, and the rights: every right for
// directories (what a file opened under one may have), reading and writing as opened.
Trap fd_fdstat_get(HostCall& c) {
  Descriptor* d = WasiHost::of(c).descriptor(arg32(c, 0));
  if (d == nullptr) return answer(c, wasi::kBadFd);
  uint8_t s[wasi::kFdstatSize] = {};
  s[0] = d->kind == Kind::Directory ? wasi::kDirectory
         : d->kind == Kind::File    ? wasi::kRegularFile
                                    : wasi::kCharacterDevice;
  s[2] = d->append ? wasi::kFdflagAppend : 0;
  uint64_t base = wasi::kRightsAll;
  if (!d->readable) base &= ~(wasi::kRightFdRead | wasi::kRightFdReaddir);
  if (!d->writable && d->kind != Kind::Directory) base &= ~wasi::kRightFdWrite;
  const uint64_t inheriting = d->kind == Kind::Directory ? wasi::kRightsAll : 0;
  __builtin_memcpy(s + 8, &base, 8);
  __builtin_memcpy(s + 16, &inheriting, 8);
  return answer(c, wasi::put(c, arg32(c, 1), s, sizeof(s)) ? wasi::kSuccess : wasi::kFault);
}

// fd_fdstat_set_flags(fd, flags): append on or off for a file; the other flags (sync,
// nonblock) are not kept: ENOTSUP.
Trap fd_fdstat_set_flags(HostCall& c) {
  Descriptor* d = WasiHost::of(c).descriptor(arg32(c, 0));
  if (d == nullptr) return answer(c, wasi::kBadFd);
  const uint32_t flags = arg32(c, 1) & 0xFFFF;
  if ((flags & ~uint32_t{wasi::kFdflagAppend}) != 0) return answer(c, wasi::kNotSup);
  if (d->kind != Kind::File) return answer(c, flags == 0 ? wasi::kSuccess : wasi::kNotSup);
  d->append = flags != 0;
  return answer(c, wasi::kSuccess);
}

Trap fd_filestat_get(HostCall& c) {
  Descriptor* d = WasiHost::of(c).descriptor(arg32(c, 0));
  if (d == nullptr) return answer(c, wasi::kBadFd);
  abi::FileStat st{};
  if (Errno e = stat_of(c, *d, &st); e != wasi::kSuccess) return answer(c, e);
  return answer(c, put_filestat(c, arg32(c, 1), st));
}

Trap fd_filestat_set_size(HostCall& c) {
  Descriptor* d = nullptr;
  if (Errno e = file_for(c, arg32(c, 0), true, &d); e != wasi::kSuccess) return answer(c, e);
  if (d->kind != Kind::File) return answer(c, wasi::kInval);
  const stellina::Result<void> done = d->file.truncate(arg64(c, 1));
  return answer(c, done.ok() ? wasi::kSuccess : errno_of(done.error()));
}

// fd_prestat_get(fd, prestat*): a preopened directory's name length; EBADF for any other
// descriptor, which is how wasi-libc finds the end of the preopens.
Trap fd_prestat_get(HostCall& c) {
  Descriptor* d = WasiHost::of(c).descriptor(arg32(c, 0));
  if (d == nullptr || !d->preopen) return answer(c, wasi::kBadFd);
  const uint32_t address = arg32(c, 1);
  const bool ok = wasi::put_u8(c, address, wasi::kPreopenDir) &&
                  wasi::put_u32(c, uint64_t{address} + 4, d->guest_name_size);
  return answer(c, ok ? wasi::kSuccess : wasi::kFault);
}

Trap fd_prestat_dir_name(HostCall& c) {
  Descriptor* d = WasiHost::of(c).descriptor(arg32(c, 0));
  if (d == nullptr || !d->preopen) return answer(c, wasi::kBadFd);
  if (arg32(c, 2) < d->guest_name_size) return answer(c, wasi::kNameTooLong);
  const bool ok = wasi::put(c, arg32(c, 1), d->guest_name, d->guest_name_size);
  return answer(c, ok ? wasi::kSuccess : wasi::kFault);
}

// fd_readdir(fd, buf, buf_len, cookie, bufused*): dirents from cookie on (0: the first).
// A cookie is the file server's cursor after the entry; the last entry's is kEndCookie. The
// last dirent may be cut at the buffer's end, and a full buffer tells the module to call
// again from the last whole entry, as the ABI says.
Trap fd_readdir(HostCall& c) {
  Descriptor* d = WasiHost::of(c).descriptor(arg32(c, 0));
  if (d == nullptr) return answer(c, wasi::kBadFd);
  if (d->kind != Kind::Directory) return answer(c, wasi::kNotDir);
  const uint32_t size = arg32(c, 2);
  uint8_t* out = c.bytes(arg32(c, 1), size);
  if (out == nullptr) return answer(c, wasi::kFault);
  if (!d->file.valid()) {
    stellina::Result<stellina::File> opened = WasiHost::of(c).program().files().open(
        d->path_view(), abi::kOpenRead | abi::kOpenDirectory);
    if (!opened.ok()) return answer(c, errno_of(opened.error()));
    d->file = static_cast<stellina::File&&>(opened.value());
  }
  uint64_t cursor = arg64(c, 3);
  uint32_t used = 0;
  alignas(8) uint8_t reply[abi::kMaxMessageData];
  while (cursor != kEndCookie && used < size) {
    abi::FileRequest r{};
    r.op = abi::FileOp::ReadDir;
    r.offset = cursor;
    uint64_t next = 0;
    stellina::Result<size_t> got = d->file.call(r, {}, reply, &next);
    if (!got.ok()) return answer(c, errno_of(got.error()));
    const uint8_t* entries = reply + sizeof(abi::FileReply);
    for (size_t at = 0; at + sizeof(abi::FileDirEntry) <= got.value() && used < size;) {
      abi::FileDirEntry e{};
      __builtin_memcpy(&e, entries + at, sizeof(e));
      if (at + sizeof(e) + e.name_size > got.value()) break;
      uint8_t record[wasi::kDirentSize + abi::kFileMaxName] = {};
      const uint64_t d_next = e.cursor != 0 ? e.cursor : kEndCookie;
      const uint64_t d_ino = e.node;
      const uint32_t d_namlen = e.name_size;
      __builtin_memcpy(record, &d_next, 8);
      __builtin_memcpy(record + 8, &d_ino, 8);
      __builtin_memcpy(record + 16, &d_namlen, 4);
      record[20] = file_type(e.mode);
      __builtin_memcpy(record + wasi::kDirentSize, entries + at + sizeof(e), e.name_size);
      const uint32_t length = wasi::kDirentSize + e.name_size;
      const uint32_t fits = size - used < length ? size - used : length;
      __builtin_memcpy(out + used, record, fits);
      used += fits;
      at = (at + sizeof(e) + e.name_size + 7) & ~size_t{7};
    }
    cursor = next != 0 ? next : kEndCookie;
  }
  return answer(c, wasi::put_u32(c, arg32(c, 4), used) ? wasi::kSuccess : wasi::kFault);
}

// path_open(dirfd, lookupflags, path, path_len, oflags, rights_base, rights_inheriting,
// fdflags, fd*). Reading and writing follow the rights asked for; a directory (asked for
// with O_DIRECTORY, or found) becomes a directory descriptor.
Trap path_open(HostCall& c) {
  char path[abi::kFileMaxPath];
  uint16_t path_size = 0;
  if (Errno e = module_path(c, arg32(c, 0), arg32(c, 2), arg32(c, 3), path, &path_size);
      e != wasi::kSuccess) {
    return answer(c, e);
  }
  const StringView where(path, path_size);
  const uint32_t oflags = arg32(c, 4) & 0xFFFF;
  const uint64_t rights = arg64(c, 5);
  const uint32_t fdflags = arg32(c, 7) & 0xFFFF;
  const bool write = (rights & wasi::kRightFdWrite) != 0 || (oflags & wasi::kOflagTrunc) != 0;
  WasiHost& w = WasiHost::of(c);
  uint32_t fd = 0;
  Descriptor* d = w.allocate(&fd);
  if (d == nullptr) return answer(c, wasi::kMfile);
  __builtin_memcpy(d->path, path, path_size);
  d->path_size = path_size;
  if ((oflags & wasi::kOflagDirectory) != 0) {
    if (write || (oflags & (wasi::kOflagCreat | wasi::kOflagTrunc)) != 0) {
      return answer(c, wasi::kInval);
    }
    const stellina::Result<abi::FileStat> st =
        w.program().files().stat(where, (arg32(c, 1) & wasi::kLookupSymlinkFollow) != 0);
    if (!st.ok()) return answer(c, errno_of(st.error()));
    if ((st.value().mode & abi::kModeTypeMask) != abi::kModeDirectory) {
      return answer(c, wasi::kNotDir);
    }
    d->kind = Kind::Directory;
    d->readable = true;
  } else {
    uint32_t flags = abi::kOpenRead;
    if (write) flags |= abi::kOpenWrite;
    if ((oflags & wasi::kOflagCreat) != 0) flags |= abi::kOpenCreate;
    if ((oflags & wasi::kOflagExcl) != 0) flags |= abi::kOpenExclusive;
    if ((oflags & wasi::kOflagTrunc) != 0) flags |= abi::kOpenTruncate;
    if ((arg32(c, 1) & wasi::kLookupSymlinkFollow) == 0) flags |= abi::kOpenNoFollow;
    stellina::Result<stellina::File> opened = w.program().files().open(where, flags);
    if (!opened.ok()) return answer(c, errno_of(opened.error()));
    const stellina::Result<abi::FileStat> st = opened.value().stat();
    if (!st.ok()) return answer(c, errno_of(st.error()));
    const bool directory = (st.value().mode & abi::kModeTypeMask) == abi::kModeDirectory;
    if (directory && write) return answer(c, wasi::kIsDir);
    d->kind = directory ? Kind::Directory : Kind::File;
    d->file = static_cast<stellina::File&&>(opened.value());
    d->readable = true;
    d->writable = write;
    d->append = (fdflags & wasi::kFdflagAppend) != 0;
  }
  if (!wasi::put_u32(c, arg32(c, 8), fd)) {
    w.release(fd);
    return answer(c, wasi::kFault);
  }
  return answer(c, wasi::kSuccess);
}

Trap path_filestat_get(HostCall& c) {
  char path[abi::kFileMaxPath];
  uint16_t size = 0;
  if (Errno e = module_path(c, arg32(c, 0), arg32(c, 2), arg32(c, 3), path, &size);
      e != wasi::kSuccess) {
    return answer(c, e);
  }
  const bool follow = (arg32(c, 1) & wasi::kLookupSymlinkFollow) != 0;
  const stellina::Result<abi::FileStat> st =
      WasiHost::of(c).program().files().stat(StringView(path, size), follow);
  if (!st.ok()) return answer(c, errno_of(st.error()));
  return answer(c, put_filestat(c, arg32(c, 4), st.value()));
}

namespace {

// The calls that name one path, (dirfd, path, path_len), and do one thing with it.
template <typename Op>
Trap on_path(HostCall& c, Op op) {
  char path[abi::kFileMaxPath];
  uint16_t size = 0;
  if (Errno e = module_path(c, arg32(c, 0), arg32(c, 1), arg32(c, 2), path, &size);
      e != wasi::kSuccess) {
    return answer(c, e);
  }
  const stellina::Result<void> done = op(WasiHost::of(c).program().files(), StringView(path, size));
  return answer(c, done.ok() ? wasi::kSuccess : errno_of(done.error()));
}

}  // namespace

Trap path_create_directory(HostCall& c) {
  return on_path(c, [](const stellina::Files& f, StringView p) { return f.mkdir(p); });
}

// A directory is not unlinked as a file (EISDIR), as POSIX's unlink says on Linux.
Trap path_unlink_file(HostCall& c) {
  return on_path(c, [](const stellina::Files& f, StringView p) -> stellina::Result<void> {
    const abi::FileStat st = TRY(f.stat(p, false));
    if ((st.mode & abi::kModeTypeMask) == abi::kModeDirectory) return abi::kErrIsDirectory;
    return f.unlink(p);
  });
}

Trap path_remove_directory(HostCall& c) {
  return on_path(c, [](const stellina::Files& f, StringView p) { return f.rmdir(p); });
}

// path_rename(fd, old, old_len, new_fd, new, new_len).
Trap path_rename(HostCall& c) {
  char from[abi::kFileMaxPath];
  char to[abi::kFileMaxPath];
  uint16_t from_size = 0;
  uint16_t to_size = 0;
  if (Errno e = module_path(c, arg32(c, 0), arg32(c, 1), arg32(c, 2), from, &from_size);
      e != wasi::kSuccess) {
    return answer(c, e);
  }
  if (Errno e = module_path(c, arg32(c, 3), arg32(c, 4), arg32(c, 5), to, &to_size);
      e != wasi::kSuccess) {
    return answer(c, e);
  }
  const stellina::Result<void> done = WasiHost::of(c).program().files().rename(
      StringView(from, from_size), StringView(to, to_size));
  return answer(c, done.ok() ? wasi::kSuccess : errno_of(done.error()));
}

// path_symlink(target, target_len, fd, link, link_len). The target is stored as given, and
// the file server follows it within the program's namespace: a target that is absolute, or
// that would lead out of the directory from where the link is, is refused (ENOTCAPABLE)
// rather than made into a way out.
Trap path_symlink(HostCall& c) {
  const uint8_t* target_bytes = c.bytes(arg32(c, 0), arg32(c, 1));
  const uint8_t* link_bytes = c.bytes(arg32(c, 3), arg32(c, 4));
  if (target_bytes == nullptr || link_bytes == nullptr) return answer(c, wasi::kFault);
  const StringView target(reinterpret_cast<const char*>(target_bytes), arg32(c, 1));
  const StringView link(reinterpret_cast<const char*>(link_bytes), arg32(c, 4));
  // Where the target leads: from the link's own directory, as the module names it.
  size_t parent_size = link.size();
  while (parent_size > 0 && link[parent_size - 1] != '/') --parent_size;
  const StringView parent = link.substr(0, parent_size);
  char joined[2 * abi::kFileMaxPath];
  if (target.starts_with("/")) return answer(c, wasi::kNotCapable);
  if (parent.size() + target.size() > sizeof(joined)) return answer(c, wasi::kNameTooLong);
  __builtin_memcpy(joined, parent.data(), parent.size());
  __builtin_memcpy(joined + parent.size(), target.data(), target.size());
  char path[abi::kFileMaxPath];
  uint16_t size = 0;
  if (Errno e = module_path(c, arg32(c, 2), arg32(c, 3), arg32(c, 4), path, &size);
      e != wasi::kSuccess) {
    return answer(c, e);
  }
  char leads_to[abi::kFileMaxPath];
  uint16_t leads_size = 0;
  Descriptor* d = WasiHost::of(c).descriptor(arg32(c, 2));
  if (Errno e = resolve_path(d->path_view(), StringView(joined, parent.size() + target.size()),
                             leads_to, &leads_size);
      e != wasi::kSuccess) {
    return answer(c, e);
  }
  const stellina::Result<void> done =
      WasiHost::of(c).program().files().symlink(target, StringView(path, size));
  return answer(c, done.ok() ? wasi::kSuccess : errno_of(done.error()));
}

// path_readlink(fd, path, path_len, buf, buf_len, bufused*): the target, cut to buf_len.
Trap path_readlink(HostCall& c) {
  char path[abi::kFileMaxPath];
  uint16_t size = 0;
  if (Errno e = module_path(c, arg32(c, 0), arg32(c, 1), arg32(c, 2), path, &size);
      e != wasi::kSuccess) {
    return answer(c, e);
  }
  char target[abi::kFileMaxPath];
  const stellina::Result<size_t> got =
      WasiHost::of(c).program().files().readlink(StringView(path, size), target, sizeof(target));
  if (!got.ok()) return answer(c, errno_of(got.error()));
  const uint32_t room = arg32(c, 4);
  const uint32_t used = got.value() < room ? static_cast<uint32_t>(got.value()) : room;
  if (!wasi::put(c, arg32(c, 3), target, used) || !wasi::put_u32(c, arg32(c, 5), used)) {
    return answer(c, wasi::kFault);
  }
  return answer(c, wasi::kSuccess);
}

namespace {

constexpr uint32_t kSetAtime = 1;
constexpr uint32_t kSetAtimeNow = 2;
constexpr uint32_t kSetMtime = 4;
constexpr uint32_t kSetMtimeNow = 8;

// A time to set, from fst_flags: the one given, now, or left as it is.
int64_t time_to_set(uint32_t flags, uint32_t given_bit, uint32_t now_bit, uint64_t given) {
  if ((flags & now_bit) != 0) return static_cast<int64_t>(stellina::sys::clock_wall());
  if ((flags & given_bit) != 0) return static_cast<int64_t>(given);
  return abi::kTimeOmit;
}

Errno set_times(const stellina::File& f, uint64_t atime, uint64_t mtime, uint32_t flags) {
  if (((flags & kSetAtime) != 0 && (flags & kSetAtimeNow) != 0) ||
      ((flags & kSetMtime) != 0 && (flags & kSetMtimeNow) != 0)) {
    return wasi::kInval;
  }
  const stellina::Result<void> done =
      f.set_times(time_to_set(flags, kSetAtime, kSetAtimeNow, atime),
                  time_to_set(flags, kSetMtime, kSetMtimeNow, mtime));
  return done.ok() ? wasi::kSuccess : errno_of(done.error());
}

}  // namespace

// fd_filestat_set_times(fd, atim, mtim, fst_flags). The file protocol sets times through a
// file open for writing: a descriptor opened to read is opened again, to write, by its path;
// a directory's times cannot be set (EISDIR).
Trap fd_filestat_set_times(HostCall& c) {
  Descriptor* d = WasiHost::of(c).descriptor(arg32(c, 0));
  if (d == nullptr) return answer(c, wasi::kBadFd);
  if (is_stream(*d)) return answer(c, wasi::kInval);
  if (d->kind == Kind::File && d->writable) {
    return answer(c, set_times(d->file, arg64(c, 1), arg64(c, 2), arg32(c, 3)));
  }
  stellina::Result<stellina::File> opened =
      WasiHost::of(c).program().files().open(d->path_view(), abi::kOpenWrite);
  if (!opened.ok()) return answer(c, errno_of(opened.error()));
  return answer(c, set_times(opened.value(), arg64(c, 1), arg64(c, 2), arg32(c, 3)));
}

// path_filestat_set_times(fd, lookupflags, path, path_len, atim, mtim, fst_flags), as
// fd_filestat_set_times through the file opened to write.
Trap path_filestat_set_times(HostCall& c) {
  char path[abi::kFileMaxPath];
  uint16_t size = 0;
  if (Errno e = module_path(c, arg32(c, 0), arg32(c, 2), arg32(c, 3), path, &size);
      e != wasi::kSuccess) {
    return answer(c, e);
  }
  const uint32_t follow = (arg32(c, 1) & wasi::kLookupSymlinkFollow) != 0 ? 0 : abi::kOpenNoFollow;
  stellina::Result<stellina::File> opened =
      WasiHost::of(c).program().files().open(StringView(path, size), abi::kOpenWrite | follow);
  if (!opened.ok()) return answer(c, errno_of(opened.error()));
  return answer(c, set_times(opened.value(), arg64(c, 4), arg64(c, 5), arg32(c, 6)));
}

}  // namespace wasi_host::calls
