// execve and execveat. The program is read through the process's own namespace session, as
// its open() would read it; a "#!" script runs its interpreter (Linux's rules, at most
// kMaxInterpreters deep); the image goes through the kernel's one loader (lib::ElfImage and
// load_linux_image, as a spawned Linux process's) into a new address space made beside the
// old one, so every failure up to then leaves the process as it was. Past that point nothing
// can fail: the other threads end, close-on-exec descriptors close, the new space replaces
// the old (whose pages go back to the silo) and the thread enters the new program. See
// docs/linux.md, "Exec".

#include "kernel/linux/linux_exec.h"

#include <lib/elf.h>
#include <lib/elf_marks.h>
#include <lib/format.h>
#include <lib/linux_stack.h>
#include <lib/string_view.h>

#include "kernel/fpu.h"
#include "kernel/heap.h"
#include "kernel/kernel_folios.h"
#include "kernel/linux/linux_calls.h"
#include "kernel/linux/linux_file_client.h"
#include "kernel/linux/linux_signal.h"
#include "kernel/linux/linux_start.h"
#include "kernel/spawn.h"
#include "kernel/syscall.h"
#include "kernel/thread.h"

namespace kernel::linux_calls {

namespace abi = stellina::abi;
using namespace linux_abi;

namespace {

constexpr size_t kHeadSize = 256;    // Linux's BINPRM_BUF_SIZE: "#!" and its line fit in it
constexpr int kMaxInterpreters = 5;  // scripts in a chain of interpreters: ELOOP past, as Linux
// The largest program: the file arrives in one folio attached to it (abi/stellina/file.h).
constexpr uint64_t kMaxImage = abi::kFileMaxFolioBytes;
// How often exec looks whether the threads it ended are gone (they end at their next
// return towards user mode, which the scheduler gives them soon).
constexpr uint64_t kThreadEndPollNs = 1'000'000;

// The new program's arguments and environment as LinuxStart carries them: argc strings,
// then envc, each NUL-terminated, in one heap block of kLinuxMaxStrings bytes.
class ExecStrings {
 public:
  ExecStrings() = default;
  ExecStrings(const ExecStrings&) = delete;
  ExecStrings& operator=(const ExecStrings&) = delete;
  ~ExecStrings() { release(); }
  // Frees the strings (once they are on the new stack: the memory is not needed past it).
  void release() {
    if (bytes_) heap::free(bytes_);
    bytes_ = nullptr;
  }

  // Errors: -ENOMEM.
  int64_t init() {
    auto got = heap::alloc(kLinuxMaxStrings);
    if (!got.ok()) return -kEnomem;
    bytes_ = static_cast<char*>(got.value());
    return 0;
  }

  // Appends the strings of the NULL-ended vector of pointers at vector (0: none), as
  // arguments (before any entry is added) or as environment entries. Errors: -EFAULT (the
  // vector or a string), -E2BIG (past kLinuxMaxArgs, kLinuxMaxEnv or kLinuxMaxStrings).
  int64_t append_vector(uint64_t vector, bool arguments) {
    uint32_t& count = arguments ? argc_ : envc_;
    const uint32_t max = arguments ? lib::kLinuxMaxArgs : lib::kLinuxMaxEnv;
    for (uint64_t i = 0; vector; ++i) {
      uint64_t pointer = 0;
      if (!UserIn<uint64_t>(vector + i * sizeof(pointer)).read(&pointer).ok()) return -kEfault;
      if (!pointer) break;
      if (count == max) return -kE2big;
      size_t length = 0;
      const int64_t e =
          read_user_string(pointer, bytes_ + size_, kLinuxMaxStrings - size_, &length);
      if (e) return e == -kEnametoolong ? -kE2big : e;
      size_ += length + 1;
      ++count;
    }
    return 0;
  }

  // argv[0] (if any) gives way to parts: a script's interpreter, its argument and its path;
  // or "" for a program given no argument at all, as Linux does. Errors: -E2BIG.
  int64_t replace_first_argument(const lib::StringView* parts, size_t n) {
    const size_t dropped = argc_ ? __builtin_strlen(bytes_) + 1 : 0;
    size_t added = 0;
    for (size_t i = 0; i < n; ++i) added += parts[i].size() + 1;
    const uint32_t argc = argc_ - (argc_ ? 1 : 0) + uint32_t(n);
    if (size_ - dropped + added > kLinuxMaxStrings || argc > lib::kLinuxMaxArgs) return -kE2big;
    __builtin_memmove(bytes_ + added, bytes_ + dropped, size_ - dropped);
    char* at = bytes_;
    for (size_t i = 0; i < n; ++i) {
      __builtin_memcpy(at, parts[i].data(), parts[i].size());
      at += parts[i].size();
      *at++ = '\0';
    }
    size_ = size_ - dropped + added;
    argc_ = argc;
    return 0;
  }

  uint32_t argc() const { return argc_; }
  LinuxStart start() const { return {bytes_, size_, argc_, envc_}; }

 private:
  char* bytes_ = nullptr;
  size_t size_ = 0;
  uint32_t argc_ = 0;
  uint32_t envc_ = 0;
};

// A program file opened for exec: a channel to it in the process's table while it is read,
// closed when it goes.
class ProgramFile {
 public:
  explicit ProgramFile(LinuxProcess& lp) : lp_(lp) {}
  ProgramFile(const ProgramFile&) = delete;
  ProgramFile& operator=(const ProgramFile&) = delete;
  ~ProgramFile() { close(); }

  // Opens the absolute path for reading. Linux's answers: a directory, another file that is
  // not regular, or a file nobody may execute is EACCES; the namespace's errors as open's.
  // no_follow: a symbolic link there is ELOOP (execveat's AT_SYMLINK_NOFOLLOW).
  int64_t open(const char* path, size_t size, bool no_follow) {
    if (lp_.files() == abi::kInvalidHandle) return -kEnoent;
    abi::FileRequest r{};
    r.op = abi::FileOp::OpenPath;
    r.flags = abi::kOpenRead | (no_follow ? abi::kOpenNoFollow : 0);
    FileRequestBody body;
    body.name = path;
    body.name_size = size;
    auto answer = file_call(lp_, lp_.files(), r, body);
    if (!answer.ok()) return call_errno(answer.error());
    if (const int64_t e = errno_of_status(answer.value().status())) return e;
    auto handle = answer.value().take_handle();
    if (!handle.ok()) return handle.error() == lib::Error::NotFound ? -kEio : -kEnomem;
    handle_ = handle.value();
    abi::FileRequest stat{};
    stat.op = abi::FileOp::Stat;
    auto stated = file_call(lp_, handle_, stat);
    if (!stated.ok()) return call_errno(stated.error());
    if (const int64_t e = errno_of_status(stated.value().status())) return e;
    abi::FileStat st;
    if (stated.value().data_size() < sizeof(st)) return -kEio;
    __builtin_memcpy(&st, stated.value().data(), sizeof(st));
    if ((st.mode & abi::kModeTypeMask) != abi::kModeRegular || !(st.mode & 0111)) return -kEacces;
    size_ = st.size;
    return 0;
  }

  // The file's first bytes (at most kHeadSize) into out, zero-filled after them, as Linux
  // reads them to tell a script from an image.
  int64_t read_head(char (&out)[kHeadSize], size_t* got) {
    __builtin_memset(out, 0, sizeof(out));
    abi::FileRequest r{};
    r.op = abi::FileOp::Read;
    r.size = kHeadSize;
    auto answer = file_call(lp_, handle_, r);
    if (!answer.ok()) return call_errno(answer.error());
    if (const int64_t e = errno_of_status(answer.value().status())) return e;
    size_t n = answer.value().data_size();
    if (n > kHeadSize) n = kHeadSize;
    __builtin_memcpy(out, answer.value().data(), n);
    *got = n;
    return 0;
  }

  // The whole file in a new folio charged to the process's silo: the bulk path (Attach,
  // then one ReadFolio), the bytes moved once. Errors: -ENOMEM (past kMaxImage, or no
  // memory for it), -EIO (the file changed size, the server failed).
  int64_t read_all(Folio** out) {
    if (size_ > kMaxImage) return -kEnomem;
    auto made = Folio::create(size_, &current_process().silo());
    if (!made.ok()) return -kEnomem;
    Folio* folio = made.value();
    int64_t e = attach(folio);
    if (!e) {
      abi::FileRequest r{};
      r.op = abi::FileOp::ReadFolio;
      r.size = size_;
      auto answer = file_call(lp_, handle_, r);
      if (!answer.ok()) e = call_errno(answer.error());
      if (!e) e = errno_of_status(answer.value().status());
      if (!e && answer.value().value() != size_) e = -kEio;
    }
    if (e) {
      SpinlockGuard guard(sched_lock);
      folio->release();
      return e;
    }
    *out = folio;
    return 0;
  }

  uint64_t size() const { return size_; }

  // The server lets go of what was attached to the file when it is closed.
  void close() {
    if (handle_ == abi::kInvalidHandle) return;
    SpinlockGuard guard(sched_lock);
    (void)current_process().handles().close(handle_);
    handle_ = abi::kInvalidHandle;
  }

 private:
  int64_t attach(Folio* folio) {
    abi::FileRequest r{};
    r.op = abi::FileOp::Attach;
    FileRequestBody body;
    body.attach = folio;
    body.attach_rights = abi::kRightMap | abi::kRightRead | abi::kRightWrite;
    auto answer = file_call(lp_, handle_, r, body);
    if (!answer.ok()) return call_errno(answer.error());
    return errno_of_status(answer.value().status());
  }

  // A request that got no answer: the process is ending (its thread ends on the way out),
  // or the server failed.
  static int64_t call_errno(lib::Error e) {
    if (e == lib::Error::Killed) return -kEintr;
    if (e == lib::Error::NoMemory || e == lib::Error::QuotaExceeded) return -kEnomem;
    return -kEio;
  }

  LinuxProcess& lp_;
  abi::Handle handle_ = abi::kInvalidHandle;
  uint64_t size_ = 0;
};

// A "#!" line: the interpreter and its one optional argument (may be empty).
struct Shebang {
  lib::StringView interpreter;
  lib::StringView argument;
};

bool space_or_tab(char c) { return c == ' ' || c == '\t'; }
bool ends_name(char c) { return c == ' ' || c == '\t' || c == '\0'; }

// Linux's rules (fs/binfmt_script.c) over the first kHeadSize bytes, zero-filled: the line
// ends at the first newline (or the buffer's last byte, if the interpreter's name ends
// before it); trailing spaces and tabs go; the name follows "#!" and any spaces and tabs,
// up to a space, tab or NUL; the rest of the line, from its next non-blank byte, is one
// argument, spaces and all. Errors: -ENOEXEC (no name, or one cut off by the buffer).
int64_t parse_shebang(const char (&buf)[kHeadSize], Shebang* out) {
  const char* const last = buf + kHeadSize - 1;
  const char* const first = buf + 2;
  const char* end = buf;
  while (end <= last && *end != '\n') ++end;
  if (end > last) {
    const char* p = first;
    while (p < last && space_or_tab(*p)) ++p;
    if (p == last) return -kEnoexec;  // nothing but blanks
    while (p < last && !ends_name(*p)) ++p;
    if (p == last) return -kEnoexec;  // the name may go on past the buffer
    end = last;
  }
  while (end > first && space_or_tab(end[-1])) --end;
  const char* name = first;
  while (name < end && space_or_tab(*name)) ++name;
  if (name == end) return -kEnoexec;
  const char* name_end = name;
  while (name_end < end && !ends_name(*name_end)) ++name_end;
  out->interpreter = lib::StringView(name, size_t(name_end - name));
  out->argument = lib::StringView();
  if (name_end < end && *name_end != '\0') {
    const char* arg = name_end;
    while (arg < end && space_or_tab(*arg)) ++arg;
    const char* arg_end = arg;
    while (arg_end < end && *arg_end != '\0') ++arg_end;  // a C string, as Linux passes it
    out->argument = lib::StringView(arg, size_t(arg_end - arg));
  }
  return 0;
}

// Every other thread of the process ends (Thread::kill_all_of: a blocked one wakes, each
// ends on its way back to user mode); returns once they have. When the process is ended
// meanwhile (another thread's exit_group, or another thread's exec, got there first), the
// new space goes and so does the calling thread, which the ending process or the winning
// exec takes with it: whether it ends is decided before it kills, under the same lock, so
// of two threads calling exec at once exactly one goes on, as on Linux. The others are
// killed again at every poll: a thread a sibling was making in clone when the first kill
// ran was not yet one of the process's threads, and must not run the old program on.
void end_other_threads(Process& process, AddressSpace* space) {
  for (;;) {
    bool ending;
    {
      SpinlockGuard guard(sched_lock);
      ending = sched::current()->killed() || process.terminated();
      if (ending) space->release();
      if (!ending) Thread::kill_all_of(&process);
      if (!ending && process.live_threads() == 1) return;
    }
    if (ending) thread_exit(-1);
    sched::sleep_ns(kThreadEndPollNs);
  }
}

// Past the point of no return: the process becomes the new program, keeping its id,
// parent, children, silo, handles, descriptors (but the close-on-exec ones), directory and
// umask. The system call then returns 0 into the new program, by its usual way back.
void become(LinuxProcess& lp, AddressSpace* space, const char* exe, uintptr_t brk_start,
            uintptr_t entry, uintptr_t rsp) {
  Process& process = current_process();
  Thread* self = sched::current();
  end_other_threads(process, space);
  bool ending;
  {
    SpinlockGuard guard(sched_lock);
    // Killed since its other threads ended (the lock was let go between): the process may
    // be reaped already, and its parent gone.
    ending = self->killed() || process.terminated();
    if (ending) space->release();
  }
  if (ending) thread_exit(-1);
  {
    SpinlockGuard guard(sched_lock);
    lp.fds().close_on_exec_all(&process.handles());
    lp.family().forget_threads();  // the caller is the process's only thread: its id is the pid
    lp.start_new_program(exe, brk_start);
    linux_signals_reset_for_exec(lp);  // handlers back to SIG_DFL; SIG_IGN and the mask kept
    lp.set_execed();
    if (Process* parent = lp.family().parent()) {  // a vfork parent goes on now
      if (LinuxProcess* plp = parent->linux_process()) plp->family().child_events().wake_all();
    }
    process.replace_address_space(space);
    self->set_user_tls_base(0);
    arch::set_user_tls_base(0);
    // The new program starts with the FPU in its initial state, as a new thread does (the
    // registers may be another thread's since exec waited: fpu_load_current saves them).
    arch::fpu_initial_state(self->fpu().area());
    fpu_load_current();
  }
  arch::restart_syscall_frame(self->stack().top(), entry, rsp);
}

// execveat(fd, "", AT_EMPTY_PATH) runs the file fd names: EBADF when fd names nothing,
// EACCES when it is no regular file (a pipe, a socket, a device, a directory: AT_FDCWD
// too), as on Linux.
int64_t check_empty_path_descriptor(LinuxProcess& lp, int64_t fd) {
  if (fd == kAtFdcwd) return -kEacces;
  const FileRef file(lp, uint64_t(fd));
  if (!file) return -kEbadf;
  return file->kind == LinuxFileKind::File ? 0 : -kEacces;
}

// A loader error as exec's errno: strings the stack cannot hold are E2BIG (argv[0] is
// AT_EXECFN too: at most lib::kLinuxMaxExecfn bytes), memory ENOMEM.
int64_t load_errno(lib::Error e) {
  if (e == lib::Error::InvalidArgument) return -kE2big;
  if (e == lib::Error::NoMemory || e == lib::Error::QuotaExceeded) return -kEnomem;
  return -kEnoexec;
}

// Whether an image (at bias) reaches into the stack's place.
bool reaches_stack(const lib::ElfImage& image, uintptr_t bias) {
  return image.image_start() + bias < LinuxProcess::kStackTop &&
         LinuxProcess::kStackTop - LinuxProcess::kStackSize < image.image_end() + bias;
}

// Loads the image at bytes into a new address space for the calling process; returns it and
// what entering the program needs. A Stellina program (without Linux's marks, which
// lib::is_linux_elf looks for) or anything the loader refuses is ENOEXEC.
struct Loaded {
  AddressSpace* space;
  uintptr_t brk_start, entry, rsp;
};
int64_t load(const uint8_t* bytes, size_t size, const ExecStrings& strings, Loaded* out) {
  if (!lib::is_linux_elf(bytes, size)) return -kEnoexec;
  auto parsed = lib::ElfImage::parse(bytes, size, true);
  if (!parsed.ok()) return -kEnoexec;
  const lib::ElfImage& image = parsed.value();
  const uintptr_t bias = image.is_pie() ? kPieBias : 0;
  if (reaches_stack(image, bias)) return -kEnoexec;
  auto created = AddressSpace::create(Ref<Silo>(&current_process().silo()));
  if (!created.ok()) return -kEnomem;
  AddressSpace* space = created.value();
  auto page = heap::alloc(arch::kPageSize);
  auto rsp = page.ok() ? load_linux_image(*space, image, bias, strings.start(),
                                          static_cast<uint8_t*>(page.value()))
                       : lib::Result<uintptr_t>(page.error());
  if (page.ok()) heap::free(page.value());
  if (!rsp.ok()) {
    SpinlockGuard guard(sched_lock);
    space->release();  // every page it took goes back to the silo
    return load_errno(rsp.error());
  }
  *out = {space, image.image_end() + bias, image.entry() + bias, rsp.value()};
  return 0;
}

// Reads the ELF image of file, loads it and, when that worked, becomes it.
int64_t run_image(LinuxProcess& lp, ProgramFile& file, const char* path, ExecStrings& strings) {
  Folio* folio = nullptr;
  if (const int64_t e = file.read_all(&folio)) return e;
  const size_t size = file.size();
  file.close();  // the file server lets go of the folio
  // The folio is read in place: the parser keeps what it checked (offsets, sizes), so a
  // server still writing into it could change only the bytes the program gets.
  KernelFolios view;
  auto mapped = view.map(folio, 0);
  Loaded loaded{};
  const int64_t e =
      mapped.ok() ? load(reinterpret_cast<const uint8_t*>(mapped.value()), size, strings, &loaded)
                  : -kEnomem;
  {
    SpinlockGuard guard(sched_lock);
    view.unmap_all();
    folio->release();
  }
  if (e) return e;
  strings.release();
  become(lp, loaded.space, path, loaded.brk_start, loaded.entry, loaded.rsp);
  return 0;
}

int64_t exec(LinuxProcess& lp, int64_t dirfd, uint64_t path_address, uint64_t argv, uint64_t envp,
             uint64_t flags) {
  if (flags & ~(kAtEmptyPath | kAtSymlinkNofollow)) return -kEinval;
  // The name as given (argv's script path for an interpreter), then an interpreter's.
  char name[abi::kFileMaxPath + 1];
  size_t name_size = 0;
  if (const int64_t e = read_user_string(path_address, name, sizeof(name), &name_size)) return e;
  if (name_size == 0 && (flags & kAtEmptyPath)) {
    // fexecve: the file dirfd names, through its /proc/self/fd link.
    if (const int64_t e = check_empty_path_descriptor(lp, dirfd)) return e;
    name_size = lib::format_to(name, sizeof(name), "/proc/self/fd/{}", dirfd);
    dirfd = kAtFdcwd;
  }
  ExecStrings strings;
  if (const int64_t e = strings.init()) return e;
  if (const int64_t e = strings.append_vector(argv, true)) return e;
  if (const int64_t e = strings.append_vector(envp, false)) return e;
  if (strings.argc() == 0) {
    const lib::StringView empty("");
    if (const int64_t e = strings.replace_first_argument(&empty, 1)) return e;
  }
  for (int depth = 0;; ++depth) {
    char path[abi::kFileMaxPath + 1];
    size_t path_size = 0;
    const lib::StringView given(name, name_size);
    if (const int64_t e = program_path(lp, depth ? kAtFdcwd : dirfd, given, path, &path_size))
      return e;
    ProgramFile file(lp);
    const bool no_follow = depth == 0 && (flags & kAtSymlinkNofollow);
    if (const int64_t e = file.open(path, path_size, no_follow)) return e;
    char head[kHeadSize];
    size_t head_size = 0;
    if (const int64_t e = file.read_head(head, &head_size)) return e;
    if (head_size < 4 || head[0] != '\x7f' || head[1] != 'E' || head[2] != 'L' || head[3] != 'F') {
      if (head_size < 2 || head[0] != '#' || head[1] != '!') return -kEnoexec;
      if (depth == kMaxInterpreters) return -kEloop;
      Shebang line;
      if (const int64_t e = parse_shebang(head, &line)) return e;
      lib::StringView parts[3];
      size_t n = 0;
      parts[n++] = line.interpreter;
      if (!line.argument.empty()) parts[n++] = line.argument;
      parts[n++] = given;
      if (const int64_t e = strings.replace_first_argument(parts, n)) return e;
      // The interpreter is the next file to run (its name fits: it came from kHeadSize bytes).
      __builtin_memcpy(name, line.interpreter.data(), line.interpreter.size());
      name_size = line.interpreter.size();
      name[name_size] = '\0';
      continue;
    }
    return run_image(lp, file, path, strings);
  }
}

}  // namespace

int64_t execve(LinuxProcess& lp, uint64_t path, uint64_t argv, uint64_t envp) {
  return exec(lp, kAtFdcwd, path, argv, envp, 0);
}

int64_t execveat(LinuxProcess& lp, int64_t dirfd, uint64_t path, uint64_t argv, uint64_t envp,
                 uint64_t flags) {
  return exec(lp, dirfd, path, argv, envp, flags);
}

}  // namespace kernel::linux_calls
