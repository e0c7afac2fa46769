#include "servers/fs/vfs/vfs.h"

#include "servers/fs/core/file_server.h"

namespace stellina::fs {

namespace {

bool is_dir(const abi::FileStat& st) {
  return (st.mode & abi::kModeTypeMask) == abi::kModeDirectory;
}
bool is_link(const abi::FileStat& st) {
  return (st.mode & abi::kModeTypeMask) == abi::kModeSymlink;
}

// The next component of a path at *at (skipping '/'), or an empty view at its end.
lib::StringView next_component(lib::StringView path, size_t* at) {
  size_t i = *at;
  while (i < path.size() && path[i] == '/') ++i;
  size_t end = i;
  while (end < path.size() && path[end] != '/') ++end;
  *at = end;
  return path.substr(i, end - i);
}

// Whether nothing but '/' and "." components remain after at.
bool only_dots_after(lib::StringView path, size_t at) {
  for (;;) {
    const lib::StringView c = next_component(path, &at);
    if (c.empty()) return true;
    if (c != ".") return false;
  }
}

}  // namespace

void Vfs::forget(Namespace& ns, const FsLink* fs) {
  for (size_t i = 0; i < ns.count; ++i)
    if (ns.mounts[i].fs == fs) ns.mounts[i].root = 0;
}

Result<size_t> Vfs::call(FsLink* fs, const abi::FileRequest& r, lib::StringView name,
                         lib::StringView name2, abi::Handle* handle) {
  if (!fs) return abi::kErrPeerClosed;
  abi::FileRequest request = r;
  request.name_size = static_cast<uint16_t>(name.size());
  request.name2_size = static_cast<uint16_t>(name2.size());
  const size_t size = sizeof(request) + name.size() + name2.size();
  if (size > sizeof(request_)) return abi::kErrNameTooLong;
  __builtin_memcpy(request_, &request, sizeof(request));
  __builtin_memcpy(request_ + sizeof(request), name.data(), name.size());
  __builtin_memcpy(request_ + sizeof(request) + name.size(), name2.data(), name2.size());
  abi::Handle got = abi::kInvalidHandle;
  const size_t n = TRY(fs->call(request_, size, reply_, &got));
  if (handle) *handle = got;
  abi::FileReply reply{};
  if (n < sizeof(reply)) return abi::kErrInvalidArgument;  // a malformed answer
  __builtin_memcpy(&reply, reply_, sizeof(reply));
  if (reply.status != abi::kOk) return static_cast<Status>(reply.status);
  return n - sizeof(reply);
}

Result<abi::FileStat> Vfs::call_stat(FsLink* fs, const abi::FileRequest& r, lib::StringView name,
                                     lib::StringView name2) {
  const size_t n = TRY(call(fs, r, name, name2));
  abi::FileStat st{};
  if (n < sizeof(st)) return abi::kErrInvalidArgument;
  __builtin_memcpy(&st, reply_ + sizeof(abi::FileReply), sizeof(st));
  return st;
}

Result<uint64_t> Vfs::mount_root(Mount& m) {
  if (m.root) return m.root;
  abi::FileRequest r{};
  r.op = abi::FileOp::StatFs;
  const size_t n = TRY(call(m.fs, r, {}, {}));
  abi::FileSystemStat fs{};
  if (n < sizeof(fs)) return abi::kErrInvalidArgument;
  __builtin_memcpy(&fs, reply_ + sizeof(abi::FileReply), sizeof(fs));
  uint64_t node = fs.root;
  size_t at = 0;
  for (lib::StringView c = next_component(m.subtree, &at); !c.empty();
       c = next_component(m.subtree, &at)) {
    r = {};
    r.op = abi::FileOp::Lookup;
    r.node = node;
    const abi::FileStat st = TRY(call_stat(m.fs, r, c));
    if (!is_dir(st)) return abi::kErrNotDirectory;  // a subtree is a directory, no link
    node = st.node;
  }
  m.root = node;
  return node;
}

Result<void> Vfs::resolve(Namespace& ns, lib::StringView path, bool follow_last, bool allow_missing,
                          Found& found) {
  if (path.empty()) return abi::kErrNotFound;
  if (path[0] != '/') return abi::kErrInvalidArgument;  // namespace paths are absolute
  if (path.size() > abi::kFileMaxPath) return abi::kErrNameTooLong;
  // The root: the mount at "/".
  size_t root_mount = ns.count;
  for (size_t i = 0; i < ns.count; ++i)
    if (ns.mounts[i].path == "/") root_mount = i;
  if (root_mount == ns.count) return abi::kErrNotFound;  // nothing is mounted
  // The root's node is asked for only when the walk needs it: a path that enters another
  // mount at once (/boot/...) is served while the root's server is away. Node 0 stands for
  // "the root, not asked for yet".
  uint64_t root = 0;
  auto need = [&](uint64_t& n) -> Result<void> {
    if (n == 0) n = root = TRY(mount_root(ns.mounts[root_mount]));
    return {};
  };

  __builtin_memcpy(pending_, path.data(), path.size());
  lib::StringView rest(pending_, path.size());
  size_t at = 0;
  size_t depth = 0;
  size_t path_size = 0;  // path_ holds the walk's directory, "" for the root
  size_t mount = root_mount;
  uint64_t node = root;
  uint32_t links = 0;
  found = Found{};
  found.mount = found.parent_mount = root_mount;
  found.exists = true;
  found.mount_point = true;
  abi::FileRequest r{};
  bool stat_needed = true;  // found.stat is not yet the walk's current node's

  for (;;) {
    const lib::StringView c = next_component(rest, &at);
    if (c.empty()) break;  // the walk ends at a directory: found is it
    if (c == ".") continue;
    if (c == "..") {
      if (depth > 0) {
        --depth;
        path_size = steps_[depth].path_size;
        mount = depth ? steps_[depth - 1].mount : root_mount;
        node = depth ? steps_[depth - 1].node : root;
      }
      found = Found{};
      found.mount = found.parent_mount = mount;
      found.exists = true;
      found.mount_point = depth == 0;
      stat_needed = true;
      continue;
    }
    TRY(check_name(c));
    const bool last = only_dots_after(rest, at);
    // The component's path in the namespace, to see whether it is a mount point.
    if (path_size + 1 + c.size() > sizeof(path_)) return abi::kErrNameTooLong;
    path_[path_size] = '/';
    __builtin_memcpy(path_ + path_size + 1, c.data(), c.size());
    const lib::StringView here(path_, path_size + 1 + c.size());
    size_t entered = ns.count;
    for (size_t i = 0; i < ns.count; ++i)
      if (ns.mounts[i].path == here) entered = i;

    found = Found{};
    found.parent = node;
    found.parent_mount = mount;
    __builtin_memcpy(found.name, c.data(), c.size());
    found.name_size = c.size();
    abi::FileStat st{};
    size_t st_mount = mount;
    if (entered != ns.count) {
      const uint64_t top = TRY(mount_root(ns.mounts[entered]));
      r = {};
      r.op = abi::FileOp::StatNode;
      r.node = top;
      st = TRY(call_stat(ns.mounts[entered].fs, r, {}));
      st_mount = entered;
      found.mount_point = true;
    } else {
      TRY(need(node));
      found.parent = node;
      r = {};
      r.op = abi::FileOp::Lookup;
      r.node = node;
      Result<abi::FileStat> looked = call_stat(ns.mounts[mount].fs, r, c);
      if (!looked.ok()) {
        if (looked.error() == abi::kErrNotFound && last && allow_missing) {
          found.mount = mount;
          found.exists = false;
          return {};
        }
        return looked.error();
      }
      st = looked.value();
      if (is_link(st) && (!last || follow_last)) {
        if (++links > abi::kFileMaxSymlinks) return abi::kErrLoop;
        r = {};
        r.op = abi::FileOp::NodeReadlink;
        r.node = st.node;
        const size_t n = TRY(call(ns.mounts[mount].fs, r, {}, {}));
        const lib::StringView target(reinterpret_cast<const char*>(reply_) + sizeof(abi::FileReply),
                                     n);
        const lib::StringView tail = rest.substr(at);
        if (target.empty()) return abi::kErrNotFound;
        if (target.size() + 1 + tail.size() > sizeof(pending_)) return abi::kErrNameTooLong;
        // pending_ becomes target + "/" + what was left (moved first: they may overlap).
        __builtin_memmove(pending_ + target.size() + 1, tail.data(), tail.size());
        __builtin_memcpy(pending_, target.data(), target.size());
        pending_[target.size()] = '/';
        rest = lib::StringView(pending_, target.size() + 1 + tail.size());
        at = 0;
        if (target[0] == '/') {  // absolute: from the namespace's root again
          depth = 0;
          path_size = 0;
          mount = root_mount;
          node = root;
        }
        found = Found{};
        found.mount = found.parent_mount = mount;
        found.exists = true;
        found.mount_point = depth == 0;
        stat_needed = true;
        continue;
      }
    }
    found.mount = st_mount;
    found.exists = true;
    found.stat = st;
    stat_needed = false;
    if (last) return {};
    if (!is_dir(st)) return abi::kErrNotDirectory;
    if (depth == kMaxDepth) return abi::kErrNameTooLong;
    steps_[depth++] = Step{st_mount, st.node, path_size};
    path_size = here.size();
    mount = st_mount;
    node = st.node;
  }
  // The path named a directory the walk stands in (the root, or one reached by "..").
  found.mount = mount;
  if (stat_needed) {
    TRY(need(node));
    r = {};
    r.op = abi::FileOp::StatNode;
    r.node = node;
    found.stat = TRY(call_stat(ns.mounts[mount].fs, r, {}));
  }
  if (depth > 0 && found.name_size == 0) found.mount_point = false;
  return {};
}

size_t Vfs::request(Namespace& ns, const void* data, size_t size, uint8_t* out,
                    abi::Handle* handle) {
  *handle = abi::kInvalidHandle;
  Result<size_t> r = [&]() -> Result<size_t> {
    abi::FileRequest request{};
    if (size < sizeof(request)) return abi::kErrInvalidArgument;
    __builtin_memcpy(&request, data, sizeof(request));
    const size_t names = size_t{request.name_size} + request.name2_size;
    if (names != size - sizeof(request)) return abi::kErrInvalidArgument;
    const char* text = static_cast<const char*>(data) + sizeof(request);
    return op(ns, request, {text, request.name_size},
              {text + request.name_size, request.name2_size}, out + sizeof(abi::FileReply), handle);
  }();
  abi::FileReply reply{r.ok() ? abi::kOk : r.error(), 0};
  __builtin_memcpy(out, &reply, sizeof(reply));
  return sizeof(reply) + (r.ok() ? r.value() : 0);
}

Result<size_t> Vfs::open_path(Namespace& ns, const abi::FileRequest& r, lib::StringView path,
                              uint8_t* body, abi::Handle* handle) {
  const bool create = r.flags & abi::kOpenCreate;
  const bool write = r.flags & abi::kOpenWrite;
  Found& f = first_;
  TRY(resolve(ns, path, !(r.flags & abi::kOpenNoFollow), create, f));
  Mount& m = ns.mounts[f.mount];
  if ((write || (create && !f.exists)) && m.read_only) return abi::kErrReadOnly;
  if (!f.exists) {
    if (f.name_size == 0) return abi::kErrInvalidArgument;
    abi::FileRequest c{};
    c.op = abi::FileOp::Create;
    c.node = f.parent;
    c.flags = abi::kOpenExclusive;
    c.mode = abi::kModeRegular | (r.mode & abi::kModePermissions);
    f.stat = TRY(call_stat(m.fs, c, {f.name, f.name_size}));
  } else if (create && (r.flags & abi::kOpenExclusive)) {
    return abi::kErrExists;
  }
  if (is_link(f.stat)) return abi::kErrLoop;  // kOpenNoFollow on a link
  if ((r.flags & abi::kOpenDirectory) && !is_dir(f.stat)) return abi::kErrNotDirectory;
  if (write && is_dir(f.stat)) return abi::kErrIsDirectory;
  if (write && (r.flags & abi::kOpenTruncate) && f.stat.size) {
    abi::FileRequest t{};
    t.op = abi::FileOp::NodeTruncate;
    t.node = f.stat.node;
    TRY(call(m.fs, t, {}, {}));
  }
  abi::FileRequest o{};
  o.op = abi::FileOp::OpenNode;
  o.node = f.stat.node;
  o.flags = r.flags & (abi::kOpenRead | abi::kOpenWrite | abi::kOpenAppend);
  const size_t n = TRY(call(m.fs, o, {}, {}, handle));
  if (n < sizeof(abi::FileStat) || *handle == abi::kInvalidHandle) return abi::kErrInvalidArgument;
  abi::FileStat st{};
  __builtin_memcpy(&st, reply_ + sizeof(abi::FileReply), sizeof(st));
  st.device = f.mount + 1;
  __builtin_memcpy(body, &st, sizeof(st));
  return sizeof(st);
}

Result<size_t> Vfs::op(Namespace& ns, const abi::FileRequest& r, lib::StringView name,
                       lib::StringView name2, uint8_t* body, abi::Handle* handle) {
  switch (r.op) {
    case abi::FileOp::OpenPath: return open_path(ns, r, name, body, handle);
    case abi::FileOp::StatPath: {
      TRY(resolve(ns, name, !(r.flags & abi::kOpenNoFollow), false, first_));
      abi::FileStat st = first_.stat;
      st.device = first_.mount + 1;
      __builtin_memcpy(body, &st, sizeof(st));
      return sizeof(st);
    }
    case abi::FileOp::Mkdir: {
      Found& f = first_;
      TRY(resolve(ns, name, false, true, f));
      if (f.exists) return abi::kErrExists;
      if (ns.mounts[f.mount].read_only) return abi::kErrReadOnly;
      abi::FileRequest c{};
      c.op = abi::FileOp::Create;
      c.node = f.parent;
      c.flags = abi::kOpenExclusive;
      c.mode = abi::kModeDirectory | (r.mode & abi::kModePermissions);
      TRY(call_stat(ns.mounts[f.mount].fs, c, {f.name, f.name_size}));
      return 0;
    }
    case abi::FileOp::Unlink: {
      Found& f = first_;
      TRY(resolve(ns, name, false, false, f));
      if (f.mount_point) return abi::kErrBusy;
      if (ns.mounts[f.mount].read_only) return abi::kErrReadOnly;
      abi::FileRequest u{};
      u.op = abi::FileOp::NodeUnlink;
      u.node = f.parent;
      u.flags = r.flags & abi::kUnlinkDirectory;
      TRY(call(ns.mounts[f.mount].fs, u, {f.name, f.name_size}, {}));
      return 0;
    }
    case abi::FileOp::Rename: {
      TRY(resolve(ns, name, false, false, first_));
      TRY(resolve(ns, name2, false, true, second_));
      if (first_.mount_point || (second_.exists && second_.mount_point)) return abi::kErrBusy;
      if (first_.mount != second_.mount) return abi::kErrCrossDevice;
      if (ns.mounts[first_.mount].read_only) return abi::kErrReadOnly;
      abi::FileRequest m{};
      m.op = abi::FileOp::NodeRename;
      m.node = first_.parent;
      m.node2 = second_.parent;
      TRY(call(ns.mounts[first_.mount].fs, m, {first_.name, first_.name_size},
               {second_.name, second_.name_size}));
      return 0;
    }
    case abi::FileOp::Symlink: {  // a link at name2 to name
      Found& f = first_;
      TRY(resolve(ns, name2, false, true, f));
      if (f.exists) return abi::kErrExists;
      if (ns.mounts[f.mount].read_only) return abi::kErrReadOnly;
      if (name.empty()) return abi::kErrInvalidArgument;
      if (name.size() > abi::kFileMaxPath) return abi::kErrNameTooLong;
      abi::FileRequest l{};
      l.op = abi::FileOp::NodeSymlink;
      l.node = f.parent;
      TRY(call_stat(ns.mounts[f.mount].fs, l, {f.name, f.name_size}, name));
      return 0;
    }
    case abi::FileOp::Readlink: {
      TRY(resolve(ns, name, false, false, first_));
      if (!is_link(first_.stat)) return abi::kErrInvalidArgument;
      abi::FileRequest l{};
      l.op = abi::FileOp::NodeReadlink;
      l.node = first_.stat.node;
      const size_t n = TRY(call(ns.mounts[first_.mount].fs, l, {}, {}));
      __builtin_memcpy(body, reply_ + sizeof(abi::FileReply), n);
      return n;
    }
    case abi::FileOp::StatFs: {
      TRY(resolve(ns, name.empty() ? lib::StringView("/") : name, true, false, first_));
      abi::FileRequest q{};
      q.op = abi::FileOp::StatFs;
      const size_t n = TRY(call(ns.mounts[first_.mount].fs, q, {}, {}));
      abi::FileSystemStat st{};
      if (n < sizeof(st)) return abi::kErrInvalidArgument;
      __builtin_memcpy(&st, reply_ + sizeof(abi::FileReply), sizeof(st));
      if (ns.mounts[first_.mount].read_only) st.read_only = 1;
      __builtin_memcpy(body, &st, sizeof(st));
      return sizeof(st);
    }
    case abi::FileOp::Sync: {
      abi::FileRequest q{};
      q.op = abi::FileOp::Sync;
      for (size_t i = 0; i < ns.count; ++i)
        if (!ns.mounts[i].read_only) TRY(call(ns.mounts[i].fs, q, {}, {}));
      return 0;
    }
    case abi::FileOp::Mounts: {
      constexpr size_t kRoom = abi::kMaxMessageData - sizeof(abi::FileReply);
      size_t n = 0;
      for (size_t i = 0; i < ns.count; ++i) {
        const Mount& m = ns.mounts[i];
        const lib::StringView service = m.service.empty() ? lib::StringView("-") : m.service;
        const size_t size =
            service.size() + (m.subtree.empty() ? 0 : 1 + m.subtree.size()) + 1 + m.path.size() + 4;
        if (n + size > kRoom) break;  // whole lines only
        auto put = [&](lib::StringView text) {
          __builtin_memcpy(body + n, text.data(), text.size());
          n += text.size();
        };
        put(service);
        if (!m.subtree.empty()) {
          put(":");
          put(m.subtree);
        }
        put(" ");
        put(m.path);
        put(m.read_only ? " ro\n" : " rw\n");
      }
      return n;
    }
    default: return abi::kErrNotSupported;
  }
}

}  // namespace stellina::fs
