#include "posix_host.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

namespace test {
namespace {

std::string str(StringView s) { return std::string(s.data(), s.size()); }

HostError from_errno(int e) {
  switch (e) {
    case ENOENT: return HostError::NotFound;
    case ENOTDIR: return HostError::NotDirectory;
    case EISDIR: return HostError::IsDirectory;
    case EACCES:
    case EPERM: return HostError::AccessDenied;
    case ENOEXEC: return HostError::NotExecutable;
    case ENOMEM: return HostError::NoMemory;
    case E2BIG: return HostError::TooLarge;
    default: return HostError::Io;
  }
}

// A descriptor holding data, for a program's stdin fed from memory: an unlinked temporary
// file, so that nothing has to be written while the program runs.
int memory_file(StringView data) {
  char name[] = "/tmp/stellina_sh_XXXXXX";
  const int fd = mkostemp(name, O_CLOEXEC);
  if (fd < 0) return -1;
  unlink(name);
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  lseek(fd, 0, SEEK_SET);
  return fd;
}

}  // namespace

// A write to a pipe whose reader is gone must not end the test: SIGPIPE is ignored while the
// host lives (and set back to what it was after, for the tests that run dash).
PosixHost::PosixHost(int in, int out, int err) : fds_{in, out, err} {
  old_sigpipe_ = signal(SIGPIPE, SIG_IGN);
}

PosixHost::~PosixHost() {
  for (auto& [handle, fd] : files_) ::close(fd);
  signal(SIGPIPE, old_sigpipe_);
}

int PosixHost::real_fd(int handle) const {
  if (handle >= 0 && handle < 3) return fds_[handle];
  auto it = files_.find(handle);
  return it == files_.end() ? -1 : it->second;
}

HostResult<int> PosixHost::start(const Pipeline& pipeline, size_t* failed) {
  using Kind = stellina::sh::Stream::Kind;
  const size_t n = pipeline.programs.size();
  JobState job;
  std::vector<int> to_close;
  // pipes[k]: from program k to program k + 1.
  std::vector<int> pipe_read(n, -1);
  std::vector<int> pipe_write(n, -1);
  for (size_t k = 0; k + 1 < n; ++k) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return HostError::Io;
    pipe_read[k] = p[0];
    pipe_write[k] = p[1];
    to_close.push_back(p[0]);
    to_close.push_back(p[1]);
  }
  const int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  to_close.push_back(null_fd);
  for (size_t k = 0; k < n; ++k) {
    const auto& program = pipeline.programs[k];
    int targets[3];
    const stellina::sh::Stream* streams[3] = {&program.in, &program.out, &program.err};
    for (int f = 0; f < 3; ++f) {
      const auto& s = *streams[f];
      switch (s.kind) {
        case Kind::Closed: targets[f] = null_fd; break;
        case Kind::Handle: targets[f] = real_fd(s.handle); break;
        case Kind::Pipe:
          if (f == 0) {
            targets[f] = k > 0 ? pipe_read[k - 1] : null_fd;
          } else {
            targets[f] = k + 1 < n ? pipe_write[k] : null_fd;
          }
          break;
        case Kind::Memory:
          if (f == 0) {
            targets[f] = memory_file(s.memory->unread());
            to_close.push_back(targets[f]);
          } else {
            int p[2];
            if (pipe2(p, O_CLOEXEC) != 0) return HostError::Io;
            targets[f] = p[1];
            to_close.push_back(p[1]);
            job.drains.push_back(Drain{p[0], s.memory});
          }
          break;
      }
    }
    std::vector<std::string> argv_strings;
    argv_strings.reserve(program.argv.size());
    for (StringView a : program.argv) argv_strings.push_back(str(a));
    std::vector<std::string> env_strings;
    env_strings.reserve(program.env.size());
    for (StringView e : program.env) env_strings.push_back(str(e));
    std::vector<char*> argv;
    argv.reserve(argv_strings.size() + 1);
    for (auto& a : argv_strings) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<char*> env;
    env.reserve(env_strings.size() + 1);
    for (auto& e : env_strings) env.push_back(e.data());
    env.push_back(nullptr);
    const std::string path = str(program.path);
    const std::string cwd = str(pipeline.cwd);
    // posix_spawn (a vfork underneath): fork would copy the sanitizers' huge mappings.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    for (int f = 0; f < 3; ++f) {
      if (targets[f] >= 0) posix_spawn_file_actions_adddup2(&actions, targets[f], 100 + f);
    }
    for (int f = 0; f < 3; ++f) {
      if (targets[f] < 0) {
        posix_spawn_file_actions_addclose(&actions, f);
      } else {
        posix_spawn_file_actions_adddup2(&actions, 100 + f, f);
        posix_spawn_file_actions_addclose(&actions, 100 + f);
      }
    }
    posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
    // The host ignores SIGPIPE (a write to a closed pipe must not end the test); the
    // programs must not inherit that: `yes | head` ends yes by SIGPIPE, as under dash.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF);
    pid_t pid = -1;
    const int error =
        posix_spawn(&pid, path.c_str(), &actions, &attributes, argv.data(), env.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (error != 0) {
      *failed = k;
      for (pid_t p : job.pids) kill(p, SIGKILL);
      for (pid_t p : job.pids) waitpid(p, nullptr, 0);
      for (int fd : to_close) ::close(fd);
      for (auto& d : job.drains) ::close(d.fd);
      return from_errno(error);
    }
    job.pids.push_back(pid);
    job.statuses.push_back(0);
    job.reaped.push_back(false);
  }
  for (int fd : to_close) ::close(fd);
  const int id = next_job_++;
  jobs_[id] = std::move(job);
  return id;
}

void PosixHost::pump(JobState& job, bool block) {
  char buffer[4096];
  while (!job.drains.empty()) {
    std::vector<pollfd> fds;
    for (auto& d : job.drains) fds.push_back(pollfd{d.fd, POLLIN, 0});
    const int ready = ::poll(fds.data(), fds.size(), block ? -1 : 0);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return;
    for (size_t i = fds.size(); i-- > 0;) {
      if (!fds[i].revents) continue;
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof(buffer));
      if (n > 0 && job.drains[i].memory->write(StringView(buffer, static_cast<size_t>(n))))
        continue;
      // The end, or the memory is full: closing it ends the writer (SIGPIPE).
      ::close(fds[i].fd);
      job.drains.erase(job.drains.begin() + static_cast<long>(i));
    }
  }
}

Ending PosixHost::reap(JobState& job) {
  Ending ending;
  for (size_t i = 0; i < job.pids.size(); ++i) {
    if (!job.reaped[i]) {
      while (waitpid(job.pids[i], &job.statuses[i], 0) < 0 && errno == EINTR) {
      }
      job.reaped[i] = true;
    }
    if (i + 1 != job.pids.size()) continue;
    const int status = job.statuses[i];
    if (WIFSIGNALED(status)) {
      ending.how = Ending::How::Signaled;
      ending.code = WTERMSIG(status);
      switch (ending.code) {
        case SIGSEGV: ending.reason = "Segmentation fault"; break;
        case SIGKILL: ending.reason = "Killed"; break;
        case SIGTERM: ending.reason = "Terminated"; break;
        case SIGABRT: ending.reason = "Aborted"; break;
        default: ending.reason = ""; break;
      }
    } else {
      ending.code = WEXITSTATUS(status);
    }
  }
  return ending;
}

Ending PosixHost::wait(int id) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return Ending{Ending::How::Exited, 127, ""};
  pump(it->second, true);
  Ending ending = reap(it->second);
  jobs_.erase(it);
  return ending;
}

bool PosixHost::poll(int id, Ending* ending) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return true;
  JobState& job = it->second;
  pump(job, false);
  bool all = true;
  for (size_t i = 0; i < job.pids.size(); ++i) {
    if (job.reaped[i]) continue;
    if (waitpid(job.pids[i], &job.statuses[i], WNOHANG) == job.pids[i]) {
      job.reaped[i] = true;
    } else {
      all = false;
    }
  }
  if (!all || !job.drains.empty()) return false;
  *ending = wait(id);
  return true;
}

int64_t PosixHost::job_id(int id) {
  auto it = jobs_.find(id);
  return it == jobs_.end() || it->second.pids.empty() ? 0 : it->second.pids.back();
}

HostResult<int> PosixHost::open(StringView path, OpenMode mode) {
  int flags = O_CLOEXEC;
  switch (mode) {
    case OpenMode::Read: flags |= O_RDONLY; break;
    case OpenMode::Write: flags |= O_WRONLY | O_CREAT | O_TRUNC; break;
    case OpenMode::Append: flags |= O_WRONLY | O_CREAT | O_APPEND; break;
    case OpenMode::ReadWrite: flags |= O_RDWR | O_CREAT; break;
  }
  const int fd = ::open(str(path).c_str(), flags, 0666);
  if (fd < 0) return from_errno(errno);
  const int handle = next_handle_++;
  files_[handle] = fd;
  return handle;
}

void PosixHost::close(int handle) {
  auto it = files_.find(handle);
  if (it == files_.end()) return;
  ::close(it->second);
  files_.erase(it);
}

HostResult<size_t> PosixHost::read(int handle, char* buffer, size_t size) {
  const int fd = real_fd(handle);
  if (fd < 0) return HostError::Io;
  const ssize_t n = ::read(fd, buffer, size);
  if (n < 0) return from_errno(errno);
  return static_cast<size_t>(n);
}

HostResult<void> PosixHost::write(int handle, StringView data) {
  const int fd = real_fd(handle);
  if (fd < 0) return HostError::Io;
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n <= 0) return from_errno(errno);
    done += static_cast<size_t>(n);
  }
  return {};
}

HostResult<FileInfo> PosixHost::stat(StringView path) {
  struct stat st;
  const std::string p = str(path);
  if (::stat(p.c_str(), &st) != 0) return from_errno(errno);
  FileInfo info;
  if (S_ISREG(st.st_mode)) {
    info.type = FileInfo::Type::Regular;
  } else if (S_ISDIR(st.st_mode)) {
    info.type = FileInfo::Type::Directory;
  }
  info.executable = access(p.c_str(), X_OK) == 0;
  info.size = static_cast<uint64_t>(st.st_size);
  return info;
}

HostResult<void> PosixHost::list(StringView directory, DirectoryVisitor& visitor) {
  DIR* dir = opendir(str(directory).c_str());
  if (!dir) return from_errno(errno);
  while (dirent* e = readdir(dir)) {
    if (!visitor.visit(StringView(e->d_name))) break;
  }
  closedir(dir);
  return {};
}

int64_t PosixHost::shell_id() { return getpid(); }

}  // namespace test
