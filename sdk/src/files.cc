#include <stellina/files.h>

namespace stellina {

namespace {

constexpr uint64_t kTimeoutNs = 30'000'000'000;  // a file server that takes 30 s has failed

// Sends a request (r, then tail) on ch and waits for its answer, both in buffer
// (kMaxMessageData bytes: one buffer per call keeps the stack small inside the kernel). The
// reply's body stays in buffer after its FileReply; its size is returned, the reply's value
// goes to *value, a handle it carried to *handle. sent, if valid, travels with the request.
Result<size_t> file_call(abi::Handle ch, const abi::FileRequest& r, Bytes tail, uint8_t* buffer,
                         uint64_t* value, abi::Handle* handle,
                         abi::Handle sent = abi::kInvalidHandle) {
  const size_t size = sizeof(r) + tail.size;
  if (size > abi::kMaxMessageData) return abi::kErrTooLarge;
  __builtin_memmove(buffer + sizeof(r), tail.data, tail.size);
  __builtin_memcpy(buffer, &r, sizeof(r));
  abi::Handle handles[abi::kMaxMessageHandles];
  handles[0] = sent;
  abi::MessageBuffer m{};
  m.kind = abi::MessageKind::Data;
  m.call_id = 1;  // one call at a time on a file's channel
  m.data = buffer;
  m.data_size = static_cast<uint32_t>(size);
  m.data_capacity = abi::kMaxMessageData;
  m.handles = handles;
  m.handle_count = sent == abi::kInvalidHandle ? 0 : 1;
  m.handle_capacity = abi::kMaxMessageHandles;
  TRY(check_ok(sys::channel_call(ch, &m, sys::clock_now() + kTimeoutNs)));
  OwnedHandle carried(m.handle_count ? handles[0] : abi::kInvalidHandle);
  for (uint32_t i = 1; i < m.handle_count; ++i) sys::handle_close(handles[i]);
  abi::FileReply reply{};
  if (m.kind != abi::MessageKind::Data || m.data_size < sizeof(reply))
    return abi::kErrInvalidArgument;
  __builtin_memcpy(&reply, buffer, sizeof(reply));
  if (reply.status != abi::kOk) return static_cast<Status>(reply.status);
  if (value) *value = reply.value;
  if (handle) *handle = carried.release();
  return m.data_size - sizeof(reply);
}

uint8_t* body_of(uint8_t* buffer) { return buffer + sizeof(abi::FileReply); }

template <typename T>
Result<T> body_as(size_t n, uint8_t* buffer) {
  T t{};
  if (n < sizeof(t)) return abi::kErrInvalidArgument;
  __builtin_memcpy(&t, body_of(buffer), sizeof(t));
  return t;
}

abi::FileRequest request(abi::FileOp op) {
  abi::FileRequest r{};
  r.op = op;
  return r;
}

}  // namespace

Result<size_t> File::call(const abi::FileRequest& r, Bytes payload, uint8_t* buffer,
                          uint64_t* value) const {
  return file_call(get(), r, payload, buffer, value, nullptr);
}

Result<size_t> File::read(uint64_t offset, void* out, size_t size) const {
  auto* bytes = static_cast<uint8_t*>(out);
  size_t done = 0;
  alignas(8) uint8_t buffer[abi::kMaxMessageData];
  while (done < size) {
    abi::FileRequest r = request(abi::FileOp::Read);
    r.offset = offset + done;
    r.size = size - done < abi::kFileMaxInline ? size - done : abi::kFileMaxInline;
    uint64_t got = 0;
    const size_t n = TRY(call(r, {}, buffer, &got));
    if (got > r.size || got != n) return abi::kErrInvalidArgument;
    __builtin_memcpy(bytes + done, body_of(buffer), got);
    done += got;
    if (got < r.size) break;  // the end of the file
  }
  return done;
}

Result<size_t> File::write(uint64_t offset, Bytes data) const {
  const auto* bytes = static_cast<const uint8_t*>(data.data);
  size_t done = 0;
  alignas(8) uint8_t buffer[abi::kMaxMessageData];
  while (done < data.size) {
    abi::FileRequest r = request(abi::FileOp::Write);
    r.offset = offset + done;
    const size_t left = data.size - done;
    const size_t chunk = left < abi::kFileMaxWriteInline ? left : abi::kFileMaxWriteInline;
    uint64_t wrote = 0;
    TRY(call(r, Bytes{bytes + done, chunk}, buffer, &wrote));
    if (wrote == 0 || wrote > chunk) return abi::kErrNoSpace;
    done += wrote;
  }
  return done;
}

Result<uint64_t> File::attach(abi::Handle folio) const {
  // The server maps it writable: it writes into it on ReadFolio.
  const auto copy = static_cast<abi::Handle>(TRY(check(sys::handle_duplicate(
      folio, abi::kRightMap | abi::kRightRead | abi::kRightWrite | abi::kRightTransfer))));
  uint64_t size = 0;
  alignas(8) uint8_t buffer[abi::kMaxMessageData];
  Result<size_t> r =
      file_call(get(), request(abi::FileOp::Attach), {}, buffer, &size, nullptr, copy);
  if (!r.ok()) {
    // A send that fails leaves the handle with us; one that went out and then timed out
    // moved it, and closing the stale number is then harmless (nothing was made meanwhile).
    sys::handle_close(copy);
    return r.error();
  }
  return size;
}

Result<size_t> File::folio_io(abi::FileOp op, uint64_t offset, size_t size,
                              uint64_t folio_offset) const {
  abi::FileRequest r = request(op);
  r.offset = offset;
  r.size = size;
  r.folio_offset = folio_offset;
  uint64_t moved = 0;
  alignas(8) uint8_t buffer[abi::kMaxMessageData];
  TRY(file_call(get(), r, {}, buffer, &moved, nullptr));
  if (moved > size) return abi::kErrInvalidArgument;
  return moved;
}

Result<size_t> File::read_folio(uint64_t offset, size_t size, uint64_t folio_offset) const {
  return folio_io(abi::FileOp::ReadFolio, offset, size, folio_offset);
}

Result<size_t> File::write_folio(uint64_t offset, size_t size, uint64_t folio_offset) const {
  const size_t wrote = TRY(folio_io(abi::FileOp::WriteFolio, offset, size, folio_offset));
  if (wrote == 0 && size != 0) return abi::kErrNoSpace;
  return wrote;
}

Result<abi::FileStat> File::stat() const {
  alignas(8) uint8_t buffer[abi::kMaxMessageData];
  return body_as<abi::FileStat>(TRY(call(request(abi::FileOp::Stat), {}, buffer)), buffer);
}

Result<void> File::truncate(uint64_t size) const {
  abi::FileRequest r = request(abi::FileOp::Truncate);
  r.size = size;
  alignas(8) uint8_t buffer[abi::kMaxMessageData];
  TRY(file_call(get(), r, {}, buffer, nullptr, nullptr));
  return {};
}

Result<void> File::sync() const {
  alignas(8) uint8_t buffer[abi::kMaxMessageData];
  TRY(file_call(get(), request(abi::FileOp::Sync), {}, buffer, nullptr, nullptr));
  return {};
}

Result<void> File::set_times(int64_t atime_ns, int64_t mtime_ns) const {
  abi::FileRequest r = request(abi::FileOp::SetTimes);
  r.offset = static_cast<uint64_t>(atime_ns);
  r.size = static_cast<uint64_t>(mtime_ns);
  alignas(8) uint8_t buffer[abi::kMaxMessageData];
  TRY(file_call(get(), r, {}, buffer, nullptr, nullptr));
  return {};
}

Result<size_t> File::read_dir(uint64_t* cursor, uint8_t* buffer) const {
  abi::FileRequest r = request(abi::FileOp::ReadDir);
  r.offset = *cursor;
  return call(r, {}, buffer, cursor);
}

Result<Files> Files::connect(Component& component) { return Files(TRY(component.open("file:"))); }

bool Files::set_cwd(lib::StringView path) {
  if (path.empty() || path[0] != '/' || path.size() > sizeof(cwd_)) return false;
  __builtin_memcpy(cwd_, path.data(), path.size());
  cwd_size_ = path.size();
  return true;
}

// path as the server gets it, at out (room bytes): joined to the current directory if it is
// relative and there is one. Returns its size.
Result<size_t> Files::resolve(lib::StringView path, bool relative_ok, uint8_t* out,
                              size_t room) const {
  const bool join = relative_ok && !path.empty() && path[0] != '/' && cwd_size_ != 0;
  const bool slash = join && cwd_[cwd_size_ - 1] == '/';
  const size_t size = (join ? cwd_size_ + (slash ? 0 : 1) : 0) + path.size();
  if (size > abi::kFileMaxPath || size > room) return abi::kErrNameTooLong;
  uint8_t* at = out;
  if (join) {
    __builtin_memcpy(at, cwd_, cwd_size_);
    at += cwd_size_;
    if (!slash) *at++ = '/';
  }
  __builtin_memcpy(at, path.data(), path.size());
  return size;
}

Result<size_t> Files::call(const abi::FileRequest& r, lib::StringView name, lib::StringView name2,
                           uint8_t* buffer, abi::Handle* handle) const {
  // The names go straight after the header, resolved against the current directory (a
  // link's target is kept as written); file_call moves them in place.
  abi::FileRequest request = r;
  uint8_t* names = buffer + sizeof(request);
  const size_t room = abi::kMaxMessageData - sizeof(request);
  const bool two_paths = r.op == abi::FileOp::Rename || r.op == abi::FileOp::Symlink;
  const size_t first = TRY(resolve(name, r.op != abi::FileOp::Symlink, names, room));
  const size_t second = TRY(resolve(name2, two_paths, names + first, room - first));
  request.name_size = static_cast<uint16_t>(first);
  request.name2_size = static_cast<uint16_t>(second);
  return file_call(session_.get(), request, Bytes{names, first + second}, buffer, nullptr, handle);
}

Result<File> Files::open(lib::StringView path, uint32_t flags, uint32_t mode) const {
  abi::FileRequest r = request(abi::FileOp::OpenPath);
  r.flags = flags;
  r.mode = mode;
  abi::Handle h = abi::kInvalidHandle;
  alignas(8) uint8_t buffer[abi::kMaxMessageData];
  TRY(call(r, path, {}, buffer, &h));
  if (h == abi::kInvalidHandle) return abi::kErrInvalidArgument;
  return File(h);
}

Result<abi::FileStat> Files::stat(lib::StringView path, bool follow) const {
  abi::FileRequest r = request(abi::FileOp::StatPath);
  r.flags = follow ? 0 : abi::kOpenNoFollow;
  alignas(8) uint8_t buffer[abi::kMaxMessageData];
  return body_as<abi::FileStat>(TRY(call(r, path, {}, buffer)), buffer);
}

Result<void> Files::mkdir(lib::StringView path, uint32_t mode) const {
  abi::FileRequest r = request(abi::FileOp::Mkdir);
  r.mode = mode;
  alignas(8) uint8_t buffer[abi::kMaxMessageData];
  TRY(call(r, path, {}, buffer));
  return {};
}

Result<void> Files::unlink(lib::StringView path) const {
  alignas(8) uint8_t buffer[abi::kMaxMessageData];
  TRY(call(request(abi::FileOp::Unlink), path, {}, buffer));
  return {};
}

Result<void> Files::rmdir(lib::StringView path) const {
  abi::FileRequest r = request(abi::FileOp::Unlink);
  r.flags = abi::kUnlinkDirectory;
  alignas(8) uint8_t buffer[abi::kMaxMessageData];
  TRY(call(r, path, {}, buffer));
  return {};
}

Result<void> Files::rename(lib::StringView from, lib::StringView to) const {
  alignas(8) uint8_t buffer[abi::kMaxMessageData];
  TRY(call(request(abi::FileOp::Rename), from, to, buffer));
  return {};
}

Result<void> Files::symlink(lib::StringView target, lib::StringView link) const {
  alignas(8) uint8_t buffer[abi::kMaxMessageData];
  TRY(call(request(abi::FileOp::Symlink), target, link, buffer));
  return {};
}

Result<size_t> Files::readlink(lib::StringView path, char* out, size_t capacity) const {
  alignas(8) uint8_t buffer[abi::kMaxMessageData];
  const size_t n = TRY(call(request(abi::FileOp::Readlink), path, {}, buffer));
  if (n > capacity) return abi::kErrBufferTooSmall;
  __builtin_memcpy(out, body_of(buffer), n);
  return n;
}

Result<abi::FileSystemStat> Files::statfs(lib::StringView path) const {
  alignas(8) uint8_t buffer[abi::kMaxMessageData];
  return body_as<abi::FileSystemStat>(TRY(call(request(abi::FileOp::StatFs), path, {}, buffer)),
                                      buffer);
}

Result<void> Files::sync() const {
  alignas(8) uint8_t buffer[abi::kMaxMessageData];
  TRY(call(request(abi::FileOp::Sync), {}, {}, buffer));
  return {};
}

}  // namespace stellina
