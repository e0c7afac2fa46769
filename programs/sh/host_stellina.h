#pragma once
// The shell's Host on Stellina (host.h): programs started with spawn_program in the silo sh
// was given, their streams channels; sh relays what must pass through it in one loop
// (poll), which also reads the terminal:
//
//   - a Pipe between two programs is a channel from one to the other; the data never
//     passes through sh;
//   - a stream to or from the terminal, a file or memory is a channel whose other end sh
//     holds: a *drain* reads a program's output and writes it where it goes, a *pump*
//     feeds a program's stdin from where it comes; stdout and stderr going to the same
//     place are two handles to one channel, so their order holds (2>&1);
//   - while a foreground job runs on an interactive shell, what is typed is read too: a
//     line at a time, echoed and edited (the job reads it if its stdin is the terminal,
//     else it waits for the next prompt), Ctrl-C kills the job, Ctrl-D ends its input.
//
// A background job's streams are relayed whenever sh runs this loop: while it waits for a
// foreground job, and while it waits at the prompt for what is typed.

#include <stellina/program_main.h>

#include "host.h"
#include "limits.h"

namespace stellina::sh {

class Shell;

class StellinaHost final : public Host {
 public:
  static constexpr size_t kMaxRelays = 128;  // drains and pumps of all jobs
  static constexpr size_t kMaxFiles = 64;    // files open for redirections
  static constexpr size_t kMaxTypeAhead = 4096;

  StellinaHost(ProgramEnv& p, bool interactive);
  // The interpreter, told of Ctrl-C.
  void set_shell(Shell* shell) { shell_ = shell; }

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
  // echo is built in, as in dash: besides saving a program's start, a loop reading a
  // pipeline's output keeps its input (an external echo would be given it, and take it).
  bool builtin_echo() override { return true; }

  // At the prompt: waits for what is typed (relaying background jobs meanwhile) and returns
  // it raw; 0 when the terminal has gone.
  size_t read_terminal(char* buffer, size_t size);
  // Bytes read from the terminal and not used: the next read_terminal returns them first.
  void unread_terminal(StringView bytes);
  void write_terminal(StringView text);
  ProgramEnv& env() { return p_; }

 private:
  struct Process {
    OwnedHandle handle;
    bool ended = false;
    abi::ProcessExit exit{};
  };
  struct Job {
    bool used = false;
    Process processes[kMaxPipeline];
    size_t count = 0;
    bool interrupted = false;     // Ctrl-C
    bool terminal_input = false;  // its stdin pump reads the terminal
    // Its Linux program started on a terminal of its own (the kernel's line discipline,
    // which what is typed goes to as it is), or -1.
    int on_terminal = -1;
  };
  struct Relay {
    bool used = false;
    bool pump = false;  // feeds a program's stdin (else drains a program's output)
    int job = -1;
    Channel ch;
    Stream end;            // where output goes, or where input comes from
    bool waiting = false;  // a pump whose channel is full: polled for writable
    bool source_done = false;
    char pending[abi::kMaxMessageData];
    size_t pending_size = 0;
  };
  struct OpenFile {
    bool used = false;
    File file;
    uint64_t offset = 0;
  };

  // Keys of the poll set: what each entry is.
  static constexpr uint64_t kRelayKey = 1ull << 32;
  static constexpr uint64_t kProcessKey = 2ull << 32;
  static constexpr uint64_t kStdinKey = 3ull << 32;

  HostResult<void> start_program(int job, const Program& program, const Pipeline& pipeline,
                                 Channel* pipe_in, Channel* pipe_out);
  Result<Channel> relay_for(int job, bool pump, const Stream& end);
  HostResult<Channel> output_channel(int job, const Stream& s, Channel* pipe_write);
  void free_relay(size_t i);
  void end_job_relays(int job, bool drains_too);
  bool job_done(int job) const;
  Ending ending_of(int job);
  void kill_job(int job);

  // One turn of the loop: moves what can move without waiting, then waits until deadline
  // (0: no deadline; a past one: does not wait) for something to happen, and handles it.
  // foreground: the job Ctrl-C ends (-1: none). prompt: the caller reads the terminal
  // itself (read_terminal): the loop only wakes when something is typed.
  void service(uint64_t deadline, int foreground, bool prompt = false);
  void pump(size_t i);
  void drain(size_t i);
  void on_typed(int foreground);
  void cook(char c, int foreground);
  void to_sink(const Stream& sink, StringView data, bool* keep);
  void watch_stdin(bool want);

  ProgramEnv& p_;
  bool interactive_;
  Shell* shell_ = nullptr;
  OwnedHandle poll_;
  Job jobs_[kMaxJobs];
  Relay relays_[kMaxRelays];
  OpenFile files_[kMaxFiles];
  bool stdin_watched_ = false;
  bool stdin_ended_ = false;
  // What was typed: kept for the next prompt, or the line the `read` builtin waits for.
  char type_ahead_[kMaxTypeAhead];
  size_t type_ahead_size_ = 0;
  // The line being typed to a foreground program (cooked: echoed, edited).
  char cooked_[kMaxTypeAhead];
  size_t cooked_size_ = 0;
  bool reading_ = false;  // the `read` builtin waits for a cooked line
  char read_line_[kMaxTypeAhead];
  size_t read_line_size_ = 0;
  size_t read_line_at_ = 0;
  bool read_line_ready_ = false;
  uint64_t next_id_ = 1;
  int64_t job_ids_[kMaxJobs] = {};
};

}  // namespace stellina::sh
