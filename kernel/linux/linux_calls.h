#pragma once
// The Linux calls the personality serves, grouped by file: linux_io.cc (reading and writing
// descriptors), linux_files.cc (descriptors, paths, directories, the file calls forwarded to
// the VFS), linux_memory.cc (the break and anonymous mappings), linux_syscall.cc (the
// dispatcher, the process's identity, time, randomness, signal state, limits). Each returns
// the call's value or -errno; arguments are the raw registers, checked here.

#include <lib/result.h>
#include <lib/string_view.h>

#include "kernel/linux/linux_abi.h"
#include "kernel/linux/linux_process.h"
#include "kernel/user_ptr.h"

namespace kernel::linux_calls {

// -errno for a kernel error, the one translation.
int64_t errno_of(lib::Error e);

// A reference to the description behind a descriptor, held across a call that may block
// (another thread may close the descriptor meanwhile). False when fd is not open.
class FileRef {
 public:
  FileRef(LinuxProcess& lp, uint64_t fd);
  ~FileRef();
  FileRef(const FileRef&) = delete;
  FileRef& operator=(const FileRef&) = delete;
  explicit operator bool() const { return file_ != nullptr; }
  LinuxOpenFile* operator->() const { return file_; }
  LinuxOpenFile& operator*() const { return *file_; }

 private:
  LinuxProcess& lp_;
  LinuxOpenFile* file_ = nullptr;
};

// Reads or writes count bytes of file at *offset (null: at the description's offset, which
// moves).
int64_t read_at(LinuxProcess& lp, LinuxOpenFile& file, uint64_t buffer, uint64_t count,
                const uint64_t* offset);
int64_t write_at(LinuxProcess& lp, LinuxOpenFile& file, uint64_t buffer, uint64_t count,
                 const uint64_t* offset);

// Where the bytes of a write come from: the caller's memory, or (kernel set) the kernel's.
struct ByteSource {
  uint64_t user = 0;
  const uint8_t* kernel = nullptr;
  // n bytes from offset `from` into out. Errors: Fault.
  lib::Result<void> copy(uint8_t* out, uint64_t from, uint64_t n) const {
    if (kernel) {
      __builtin_memcpy(out, kernel + from, n);
      return {};
    }
    return UserIn<uint8_t>(user + from).read(out, n);
  }
};
int64_t write_from(LinuxProcess& lp, LinuxOpenFile& file, const ByteSource& src, uint64_t count,
                   const uint64_t* offset);
// Writes count bytes from src to ch in Data messages of at most kMaxMessageData bytes,
// waiting for room (interruptibly) unless nonblocking. Returns the bytes written; -errno
// (or a restart code) only when none were.
int64_t write_channel(Channel& ch, const ByteSource& src, uint64_t count, bool nonblocking);

int64_t read(LinuxProcess& lp, uint64_t fd, uint64_t buffer, uint64_t count);
int64_t write(LinuxProcess& lp, uint64_t fd, uint64_t buffer, uint64_t count);
int64_t pread64(LinuxProcess& lp, uint64_t fd, uint64_t buffer, uint64_t count, uint64_t offset);
int64_t pwrite64(LinuxProcess& lp, uint64_t fd, uint64_t buffer, uint64_t count, uint64_t offset);
int64_t readv(LinuxProcess& lp, uint64_t fd, uint64_t iov, uint64_t iovcnt);
int64_t writev(LinuxProcess& lp, uint64_t fd, uint64_t iov, uint64_t iovcnt);
int64_t ioctl(LinuxProcess& lp, uint64_t fd, uint64_t request, uint64_t argument);

// Process groups and sessions (linux_group.cc).
int64_t setpgid(LinuxProcess& lp, uint64_t pid, uint64_t pgid);
int64_t getpgid(LinuxProcess& lp, uint64_t pid);
int64_t setsid(LinuxProcess& lp);
int64_t getsid(LinuxProcess& lp, uint64_t pid);
int64_t sendfile(LinuxProcess& lp, uint64_t out_fd, uint64_t in_fd, uint64_t offset_address,
                 uint64_t count);

// What file_syscall returns for a number that is none of its calls.
constexpr int64_t kNotAFileCall = INT64_MIN;

// linux_files.cc: the NUL-terminated string at address into out (at most capacity bytes
// with its NUL); *size its length. Errors: -EFAULT, -ENAMETOOLONG (no NUL within capacity).
int64_t read_user_string(uint64_t address, char* out, size_t capacity, size_t* size);
// The absolute path a program named path (from dirfd; AT_FDCWD: the current directory) is
// read from: '.' and '..' folded, /proc/self/exe and /proc/self/fd/N followed (exec).
// Errors: -ENOENT (empty), -ENAMETOOLONG, -EBADF and -ENOTDIR (dirfd).
int64_t program_path(LinuxProcess& lp, int64_t dirfd, lib::StringView path,
                     char (&out)[stellina::abi::kFileMaxPath + 1], size_t* size);

// linux_files.cc: one entry for every descriptor and path call (open, stat, getdents64,
// dup, fcntl, pipe, the directory and link calls, ...); kNotAFileCall when number is none
// of them (kNotAFileCall). Arguments as the registers gave them.
int64_t file_syscall(LinuxProcess& lp, uint64_t number, uint64_t a0, uint64_t a1, uint64_t a2,
                     uint64_t a3, uint64_t a4);

// linux_poll.cc: which descriptors are ready, waiting up to the timeout (poll: in ms,
// negative for good; ppoll: a timespec, null for good, its signal mask not applied).
int64_t poll(LinuxProcess& lp, uint64_t fds, uint64_t n, uint64_t timeout_ms);
int64_t ppoll(LinuxProcess& lp, uint64_t fds, uint64_t n, uint64_t timeout, uint64_t sigmask);

int64_t brk(LinuxProcess& lp, uint64_t address);
int64_t mmap(LinuxProcess& lp, uint64_t address, uint64_t length, uint64_t prot, uint64_t flags,
             uint64_t fd, uint64_t offset);
int64_t munmap(uint64_t address, uint64_t length);
int64_t mprotect(uint64_t address, uint64_t length, uint64_t prot);

// linux_system.cc.
int64_t sysinfo(uint64_t address);
int64_t linkat(LinuxProcess& lp, int64_t olddirfd, uint64_t oldpath, int64_t newdirfd,
               uint64_t newpath, uint64_t flags);

}  // namespace kernel::linux_calls
