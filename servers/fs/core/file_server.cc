#include "servers/fs/core/file_server.h"

namespace stellina::fs {

namespace {

constexpr size_t kBody = abi::kMaxMessageData - sizeof(abi::FileReply);

size_t put_stat(const FileStat& st, uint8_t* body) {
  __builtin_memcpy(body, &st, sizeof(st));
  return sizeof(st);
}

size_t finish(uint8_t* out, const Result<size_t>& r, uint64_t value) {
  abi::FileReply reply{r.ok() ? abi::kOk : r.error(), r.ok() ? value : 0};
  __builtin_memcpy(out, &reply, sizeof(reply));
  return sizeof(reply) + (r.ok() ? r.value() : 0);
}

// A request's header and its names, checked against the message's size.
struct Parsed {
  abi::FileRequest request;
  lib::StringView name;
  lib::StringView name2;
  const uint8_t* payload;
  size_t payload_size;
};

Result<Parsed> parse(const void* data, size_t size) {
  Parsed p{};
  if (size < sizeof(abi::FileRequest)) return abi::kErrInvalidArgument;
  __builtin_memcpy(&p.request, data, sizeof(p.request));
  const auto* bytes = static_cast<const uint8_t*>(data) + sizeof(abi::FileRequest);
  const size_t rest = size - sizeof(abi::FileRequest);
  const size_t names = size_t{p.request.name_size} + p.request.name2_size;
  if (names > rest) return abi::kErrInvalidArgument;
  p.name = {reinterpret_cast<const char*>(bytes), p.request.name_size};
  p.name2 = {reinterpret_cast<const char*>(bytes) + p.request.name_size, p.request.name2_size};
  p.payload = bytes + names;
  p.payload_size = rest - names;
  return p;
}

// Packs ReadDir entries after the reply header until the message is full.
class Packer final : public DirVisitor {
 public:
  explicit Packer(uint8_t* body) : body_(body) {}
  bool visit(InodeId node, uint32_t type_mode, lib::StringView name,
             uint64_t next_cursor) override {
    const size_t padded = (sizeof(abi::FileDirEntry) + name.size() + 7) & ~size_t{7};
    if (used_ + padded > kBody) return false;
    abi::FileDirEntry e{node, next_cursor, type_mode & abi::kModeTypeMask,
                        static_cast<uint16_t>(name.size()), 0};
    __builtin_memset(body_ + used_, 0, padded);
    __builtin_memcpy(body_ + used_, &e, sizeof(e));
    __builtin_memcpy(body_ + used_ + sizeof(e), name.data(), name.size());
    used_ += padded;
    cursor_ = next_cursor;
    ++count_;
    return true;
  }
  size_t used() const { return used_; }
  size_t count() const { return count_; }
  uint64_t cursor() const { return cursor_; }

 private:
  uint8_t* body_;
  size_t used_ = 0;
  size_t count_ = 0;
  uint64_t cursor_ = 0;
};

}  // namespace

Result<void> check_name(lib::StringView name) {
  if (name.empty() || name == "." || name == "..") return abi::kErrInvalidArgument;
  if (name.size() > abi::kFileMaxName) return abi::kErrNameTooLong;
  for (char c : name)
    if (c == '/' || c == '\0') return abi::kErrInvalidArgument;
  return {};
}

Result<void> FileServer::writable() {
  if (read_only_) return abi::kErrReadOnly;
  unsynced_ = true;  // the request about to be served may change the file system
  return {};
}

Result<void> FileServer::sync() {
  if (read_only_) return {};
  TRY(fs_.sync());
  unsynced_ = false;
  return {};
}

size_t FileServer::node_request(const void* data, size_t size, uint8_t* out, OpenFile* opened,
                                bool* opened_file) {
  *opened_file = false;
  uint64_t value = 0;
  Result<size_t> r = [&]() -> Result<size_t> {
    Parsed p = TRY(parse(data, size));
    if (p.payload_size) return abi::kErrInvalidArgument;
    return node_op(p.request, p.name, p.name2, out + sizeof(abi::FileReply), opened, opened_file);
  }();
  if (*opened_file) value = opened->node;
  return finish(out, r, value);
}

Result<size_t> FileServer::node_op(const abi::FileRequest& r, lib::StringView name,
                                   lib::StringView name2, uint8_t* body, OpenFile* opened,
                                   bool* opened_file) {
  switch (r.op) {
    case abi::FileOp::Lookup:
      TRY(check_name(name));
      return put_stat(TRY(fs_.lookup(r.node, name)), body);
    case abi::FileOp::StatNode: return put_stat(TRY(fs_.stat(r.node)), body);
    case abi::FileOp::Create: {
      TRY(check_name(name));
      const uint32_t type = r.mode & abi::kModeTypeMask;
      if (type != abi::kModeRegular && type != abi::kModeDirectory) return abi::kErrInvalidArgument;
      // Most Creates make a new entry (the VFS sends one after a Lookup found none): try
      // that first, and look the name up only when it is there already. An engine checks
      // for the name before it takes anything, so a search of the directory is saved.
      Result<FileStat> made =
          writable().ok() ? fs_.create(r.node, name, r.mode) : Result<FileStat>(abi::kErrReadOnly);
      if (made.ok()) return put_stat(made.value(), body);
      if (made.error() != abi::kErrExists && made.error() != abi::kErrReadOnly) return made.error();
      Result<FileStat> existing = fs_.lookup(r.node, name);
      if (!existing.ok())
        return existing.error() == abi::kErrNotFound ? made.error() : existing.error();
      if (r.flags & abi::kOpenExclusive) return abi::kErrExists;
      if ((existing.value().mode & abi::kModeTypeMask) != type)
        return type == abi::kModeDirectory ? abi::kErrNotDirectory : abi::kErrIsDirectory;
      return put_stat(existing.value(), body);
    }
    case abi::FileOp::NodeUnlink:
      TRY(check_name(name));
      TRY(writable());
      TRY(fs_.unlink(r.node, name, r.flags & abi::kUnlinkDirectory));
      return 0;
    case abi::FileOp::NodeRename:
      TRY(check_name(name));
      TRY(check_name(name2));
      TRY(writable());
      TRY(fs_.rename(r.node, name, r.node2, name2));
      return 0;
    case abi::FileOp::NodeSymlink:
      TRY(check_name(name));
      if (name2.empty()) return abi::kErrInvalidArgument;
      if (name2.size() > abi::kFileMaxPath) return abi::kErrNameTooLong;
      TRY(writable());
      return put_stat(TRY(fs_.symlink(r.node, name, name2)), body);
    case abi::FileOp::NodeReadlink:
      return TRY(fs_.readlink(r.node, reinterpret_cast<char*>(body), kBody));
    case abi::FileOp::OpenNode: {
      const FileStat st = TRY(fs_.stat(r.node));
      const uint32_t type = st.mode & abi::kModeTypeMask;
      const bool write = r.flags & abi::kOpenWrite;
      if (type == abi::kModeSymlink) return abi::kErrInvalidArgument;
      if (write && type == abi::kModeDirectory) return abi::kErrIsDirectory;
      if (write) TRY(writable());
      *opened = OpenFile{r.node, r.flags & (abi::kOpenRead | abi::kOpenWrite | abi::kOpenAppend),
                         type == abi::kModeDirectory, nullptr, 0};
      *opened_file = true;
      return put_stat(st, body);
    }
    case abi::FileOp::NodeTruncate:
      TRY(writable());
      TRY(fs_.truncate(r.node, r.size));
      return 0;
    case abi::FileOp::NodeSetTimes:
      TRY(writable());
      TRY(fs_.set_times(r.node, static_cast<int64_t>(r.offset), static_cast<int64_t>(r.size)));
      return 0;
    case abi::FileOp::StatFs: {
      FileSystemStat st = fs_.statfs();
      if (read_only_) st.read_only = 1;
      __builtin_memcpy(body, &st, sizeof(st));
      return sizeof(st);
    }
    case abi::FileOp::Sync: TRY(sync()); return 0;
    default: return abi::kErrNotSupported;
  }
}

size_t FileServer::file_request(OpenFile& file, const void* data, size_t size, uint8_t* out) {
  uint64_t value = 0;
  Result<size_t> r = [&]() -> Result<size_t> {
    Parsed p = TRY(parse(data, size));
    if (p.request.name_size || p.request.name2_size) return abi::kErrInvalidArgument;
    if (p.request.op == abi::FileOp::ReadDir) {
      if (!file.directory) return abi::kErrNotDirectory;
      return read_dir(file.node, p.request.offset, out + sizeof(abi::FileReply), &value);
    }
    if (p.request.op == abi::FileOp::ReadFolio || p.request.op == abi::FileOp::WriteFolio) {
      value = TRY(folio_io(file, p.request));
      return 0;
    }
    const size_t body =
        TRY(file_op(file, p.request, p.payload, p.payload_size, out + sizeof(abi::FileReply)));
    if (p.request.op == abi::FileOp::Read) {
      value = body;
    } else if (p.request.op == abi::FileOp::Write) {
      value = body;
      return 0;  // the count is the value; nothing follows the reply
    }
    return body;
  }();
  return finish(out, r, value);
}

Result<size_t> FileServer::file_op(OpenFile& file, const abi::FileRequest& r,
                                   const uint8_t* payload, size_t payload_size, uint8_t* body) {
  const bool write_op =
      r.op == abi::FileOp::Write || r.op == abi::FileOp::Truncate || r.op == abi::FileOp::SetTimes;
  if (write_op && !(file.flags & abi::kOpenWrite)) return abi::kErrReadOnly;
  if (write_op) unsynced_ = true;
  if (r.op != abi::FileOp::Write && payload_size) return abi::kErrInvalidArgument;
  switch (r.op) {
    case abi::FileOp::Read:
      if (!(file.flags & abi::kOpenRead)) return abi::kErrAccessDenied;
      if (file.directory) return abi::kErrIsDirectory;
      if (r.size > abi::kFileMaxInline) return abi::kErrTooLarge;
      return fs_.read(file.node, r.offset, body, r.size);
    case abi::FileOp::Write: {
      if (file.directory) return abi::kErrIsDirectory;
      uint64_t offset = r.offset;
      if (file.flags & abi::kOpenAppend) offset = TRY(fs_.stat(file.node)).size;
      return fs_.write(file.node, offset, payload, payload_size);
    }
    case abi::FileOp::Stat: return put_stat(TRY(fs_.stat(file.node)), body);
    case abi::FileOp::Truncate:
      if (file.directory) return abi::kErrIsDirectory;
      TRY(fs_.truncate(file.node, r.size));
      return 0;
    case abi::FileOp::SetTimes:
      TRY(fs_.set_times(file.node, static_cast<int64_t>(r.offset), static_cast<int64_t>(r.size)));
      return 0;
    case abi::FileOp::Sync: TRY(sync()); return 0;
    default: return abi::kErrNotSupported;
  }
}

Result<size_t> FileServer::read_dir(InodeId dir, uint64_t cursor, uint8_t* body, uint64_t* next) {
  Packer packer(body);
  const uint64_t after = TRY(fs_.readdir(dir, cursor, packer));
  // The engine stopped early when the message was full: go on from the last entry packed.
  *next = after;
  if (after != 0 && packer.count() == 0) return abi::kErrTooLarge;  // cannot happen: names fit
  return packer.used();
}

Result<size_t> FileServer::folio_io(OpenFile& file, const abi::FileRequest& r) {
  if (!file.folio) return abi::kErrInvalidArgument;
  if (file.directory) return abi::kErrIsDirectory;
  if (r.folio_offset > file.folio_size || r.size > file.folio_size - r.folio_offset)
    return abi::kErrInvalidArgument;
  uint8_t* at = file.folio + r.folio_offset;
  if (r.op == abi::FileOp::ReadFolio) {
    if (!(file.flags & abi::kOpenRead)) return abi::kErrAccessDenied;
    return fs_.read(file.node, r.offset, at, r.size);
  }
  if (!(file.flags & abi::kOpenWrite)) return abi::kErrReadOnly;
  unsynced_ = true;
  uint64_t offset = r.offset;
  if (file.flags & abi::kOpenAppend) offset = TRY(fs_.stat(file.node)).size;
  return fs_.write(file.node, offset, at, r.size);
}

}  // namespace stellina::fs
