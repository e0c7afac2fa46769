#include "kernel/linux/linux_fd_table.h"

#include "kernel/heap.h"
#include "kernel/linux/linux_abi.h"
#include "kernel/linux/linux_tty.h"
#include "kernel/sched.h"

namespace kernel {

using namespace linux_abi;

bool LinuxOpenFile::readable() const { return (flags & kOAccmode) != kOWronly; }
bool LinuxOpenFile::writable() const { return (flags & kOAccmode) != kORdonly; }

namespace {

bool has_position(LinuxFileKind kind) {
  return kind == LinuxFileKind::File || kind == LinuxFileKind::Directory;
}

// What a description costs its silo: itself, its path, and its position (each description
// sharing one pays for it: never less than what is held).
size_t charge_of(LinuxFileKind kind, const char* path, size_t path_size) {
  return sizeof(LinuxOpenFile) + (path ? path_size + 1 : 0) +
         (has_position(kind) ? sizeof(LinuxFilePosition) : 0);
}

}  // namespace

lib::Result<LinuxOpenFile*> LinuxFdTable::make(LinuxFileKind kind, uint32_t flags,
                                               stellina::abi::Handle handle, const char* path,
                                               size_t path_size, LinuxFilePosition* shared) {
  const bool new_position = has_position(kind) && !shared;
  const size_t bytes = charge_of(kind, path, path_size);
  TRY(silo_->charge_memory(bytes));
  auto made = heap::create<LinuxOpenFile>();
  auto copy = made.ok() && path ? heap::alloc(path_size + 1) : lib::Result<void*>(nullptr);
  auto position = made.ok() && copy.ok() && new_position ? heap::create<LinuxFilePosition>()
                                                         : lib::Result<LinuxFilePosition*>(shared);
  if (!made.ok() || !copy.ok() || !position.ok()) {
    if (made.ok()) heap::destroy(made.value());
    if (copy.ok() && copy.value()) heap::free(copy.value());
    silo_->uncharge_memory(bytes);
    return lib::Error::NoMemory;
  }
  LinuxOpenFile* file = made.value();
  file->position = position.value();

  file->kind = kind;
  file->flags = flags;
  file->handle = handle;
  if (path) {
    file->path = static_cast<char*>(copy.value());
    __builtin_memcpy(file->path, path, path_size);
    file->path[path_size] = '\0';
    file->path_size = static_cast<uint16_t>(path_size);
  }
  return file;
}

lib::Result<LinuxOpenFile*> LinuxFdTable::make_tty(LinuxTty* tty, uint32_t flags) {
  LinuxOpenFile* file = TRY(make(LinuxFileKind::Tty, flags, stellina::abi::kInvalidHandle));
  SpinlockGuard guard(sched_lock);
  tty->retain();
  file->tty = tty;
  return file;
}

void LinuxFdTable::release(LinuxOpenFile* file, HandleTable* handles) {
  if (--file->refs) return;
  if (file->tty) file->tty->release();
  const LinuxSocket& socket = file->socket;
  // A thread waiting in a blocking connect holds a reference, so the state is settled by it.
  if (file->kind == LinuxFileKind::Socket && socket.state == LinuxSocketState::Connecting)
    abandon(socket.connect_call);
  if (handles && file->handle != stellina::abi::kInvalidHandle) (void)handles->close(file->handle);
  if (file->pending) Message::destroy(file->pending);
  const size_t bytes = charge_of(file->kind, file->path, file->path_size);
  if (file->position && --file->position->refs == 0) heap::destroy(file->position);
  if (file->path) heap::free(file->path);
  heap::destroy(file);
  silo_->uncharge_memory(bytes);
}

LinuxOpenFile* LinuxFdTable::get(int64_t fd) const {
  return fd >= 0 && fd < kMaxFds ? files_[fd] : nullptr;
}

lib::Result<int> LinuxFdTable::install(LinuxOpenFile* file, int from, bool cloexec) {
  for (int fd = from; fd < kMaxFds; ++fd) {
    if (files_[fd]) continue;
    files_[fd] = file;
    cloexec_[fd] = cloexec;
    return fd;
  }
  return lib::Error::NoResources;
}

void LinuxFdTable::install_at(int fd, LinuxOpenFile* file, bool cloexec, HandleTable* handles) {
  ++file->refs;
  LinuxOpenFile* old = files_[fd];
  files_[fd] = file;
  cloexec_[fd] = cloexec;
  if (old) release(old, handles);
}

lib::Result<void> LinuxFdTable::close(int64_t fd, HandleTable* handles) {
  LinuxOpenFile* file = get(fd);
  if (!file) return lib::Error::BadHandle;
  files_[fd] = nullptr;
  cloexec_[fd] = false;
  if (file->kind == LinuxFileKind::Socket && !named(file)) {
    // Its last descriptor: a thread blocked in recv or accept on it returns (0, EINVAL),
    // and only then lets the description, and the stack's end, go.
    file->socket.read_shut = true;
    file->socket_waiters.wake_all();
  }
  release(file, handles);
  return {};
}

bool LinuxFdTable::named(const LinuxOpenFile* file) const {
  for (const LinuxOpenFile* f : files_)
    if (f == file) return true;
  return false;
}

void LinuxFdTable::close_all(HandleTable* handles) {
  for (int fd = 0; fd < kMaxFds; ++fd) (void)close(fd, handles);
}

void LinuxFdTable::close_on_exec_all(HandleTable* handles) {
  for (int fd = 0; fd < kMaxFds; ++fd)
    if (cloexec_[fd]) (void)close(fd, handles);
}

void LinuxFdTable::abandon(uint64_t call_id) {
  // Never full: connect keeps connecting sockets and abandoned calls within the bound.
  if (abandoned_count_ < kMaxPendingConnects) abandoned_[abandoned_count_++] = call_id;
}

void LinuxFdTable::forget_abandoned(int i) { abandoned_[i] = abandoned_[--abandoned_count_]; }

int LinuxFdTable::connecting_count() const {
  int n = 0;
  for (const LinuxOpenFile* file : files_) {
    n += file && file->kind == LinuxFileKind::Socket &&
         file->socket.state == LinuxSocketState::Connecting;
  }
  return n;
}

int LinuxFdTable::open_count() const {
  int n = 0;
  for (const LinuxOpenFile* file : files_) n += file != nullptr;
  return n;
}

lib::Result<void> LinuxFdTable::copy_for_fork(LinuxFdTable& child, HandleTable& handles,
                                              HandleTable& child_handles) const {
  LinuxOpenFile* copies[kMaxFds] = {};  // one copy per description, shared as here
  for (int fd = 0; fd < kMaxFds; ++fd) {
    const LinuxOpenFile* file = files_[fd];
    if (!file) continue;
    LinuxOpenFile* copy = nullptr;
    for (int earlier = 0; earlier < fd && !copy; ++earlier)
      if (files_[earlier] == file) copy = copies[earlier];
    if (copy) {
      ++copy->refs;
    } else {
      stellina::abi::Handle duplicate = stellina::abi::kInvalidHandle;
      if (file->handle != stellina::abi::kInvalidHandle) {
        const auto entry = TRY(handles.lookup(file->handle, 0));
        duplicate = TRY(child_handles.install(static_cast<Object*>(entry.object), entry.rights));
      }
      auto made = child.make(file->kind, file->flags, duplicate, file->path, file->path_size,
                             file->position);
      if (!made.ok()) {
        if (duplicate != stellina::abi::kInvalidHandle) (void)child_handles.close(duplicate);
        return made.error();
      }
      copy = made.value();
      if (copy->position) ++copy->position->refs;
      copy->is_pipe = file->is_pipe;
      copy->tty = file->tty;
      if (copy->tty) copy->tty->retain();
      copy->socket = file->socket;
      // The answer to a connect still in progress is the parent's to take (it comes once,
      // with one channel): the copy starts unconnected.
      if (copy->socket.state == LinuxSocketState::Connecting) {
        copy->socket.state = LinuxSocketState::Fresh;
        copy->socket.connect_waiting = copy->socket.connect_unreported = false;
      }
    }
    copies[fd] = copy;
    child.files_[fd] = copy;
    child.cloexec_[fd] = cloexec_[fd];
  }
  return {};
}

}  // namespace kernel
