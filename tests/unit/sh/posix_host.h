#pragma once
// A Host for the shell's tests that runs real host programs (fork and exec), with the
// shell's own stdin, stdout and stderr on host file descriptors (files the test reads back).

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "programs/sh/host.h"

namespace test {

using stellina::sh::DirectoryVisitor;
using stellina::sh::Ending;
using stellina::sh::FileInfo;
using stellina::sh::HostError;
using stellina::sh::HostResult;
using stellina::sh::OpenMode;
using stellina::sh::Pipeline;
using stellina::sh::StringView;

class PosixHost final : public stellina::sh::Host {
 public:
  // The shell's stdin, stdout and stderr: host descriptors the host does not own.
  PosixHost(int in, int out, int err);
  ~PosixHost();

  HostResult<int> start(const Pipeline& pipeline, size_t* failed) override;
  Ending wait(int job) override;
  bool poll(int job, Ending* ending) override;
  int64_t job_id(int job) override;

  HostResult<int> open(StringView path, OpenMode mode) override;
  void close(int handle) override;
  HostResult<size_t> read(int handle, char* buffer, size_t size) override;
  HostResult<void> write(int handle, StringView data) override;
  HostResult<FileInfo> stat(StringView path) override;
  HostResult<void> list(StringView directory, DirectoryVisitor& visitor) override;

  int64_t shell_id() override;
  bool builtin_echo() override { return echo_; }
  void set_builtin_echo(bool on) { echo_ = on; }

  // Handles still open (the test checks the shell closes what it opens).
  size_t open_handles() const { return files_.size(); }

 private:
  struct Drain {
    int fd;
    stellina::sh::MemoryStream* memory;
  };
  struct JobState {
    std::vector<pid_t> pids;
    std::vector<int> statuses;  // of the programs already reaped
    std::vector<bool> reaped;
    std::vector<Drain> drains;  // pipes whose data goes into MemoryStreams
  };
  int real_fd(int handle) const;
  void pump(JobState& job, bool block);
  Ending reap(JobState& job);

  int fds_[3];
  void (*old_sigpipe_)(int) = nullptr;
  std::map<int, int> files_;  // handle -> host descriptor
  int next_handle_ = 3;
  std::map<int, JobState> jobs_;
  int next_job_ = 1;
  bool echo_ = false;
};

}  // namespace test
