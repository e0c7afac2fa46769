#include "host_stellina.h"

#include <stellina/heap.h>

#include "shell.h"

namespace stellina::sh {

void* sh_allocate(size_t size) {
  Result<void*> p = heap_allocate(size);
  return p.ok() ? p.value() : nullptr;
}

void sh_free(void* p) { heap_free(p); }

namespace {

HostError host_error(Status s) {
  switch (s) {
    case abi::kErrNotFound: return HostError::NotFound;
    case abi::kErrNotDirectory: return HostError::NotDirectory;
    case abi::kErrIsDirectory: return HostError::IsDirectory;
    case abi::kErrAccessDenied:
    case abi::kErrReadOnly: return HostError::AccessDenied;
    case abi::kErrInvalidArgument: return HostError::NotExecutable;
    case abi::kErrNoMemory:
    case abi::kErrQuotaExceeded:
    case abi::kErrNoResources: return HostError::NoMemory;
    case abi::kErrTooLarge: return HostError::TooLarge;
    default: return HostError::Io;
  }
}

Result<void> make_pair(Channel* a, Channel* b) {
  abi::Handle ends[2];
  TRY(check_ok(sys::channel_create(ends)));
  a->reset(ends[0]);
  b->reset(ends[1]);
  return {};
}

// A second handle to a channel end (stdout and stderr of one program to one place).
Result<Channel> duplicate(const Channel& ch) {
  return Channel(static_cast<abi::Handle>(
      TRY(check(sys::handle_duplicate(ch.get(), abi::kRightsAll & ~abi::kRightMap)))));
}

// What a file to run holds, from its first bytes: an ELF image (or a file that cannot be
// read: spawn_program then says why), a static Linux program (an ELF image with Linux's
// marks: stellina::is_linux_image), a WebAssembly module (the \0asm magic, or a name ending
// in .wasm: the runner says what is wrong with one that is not), or a script.
enum class ImageKind { Elf, Linux, Wasm, Script };

ImageKind image_kind(const Files& files, StringView path) {
  if (path.ends_with(".wasm")) return ImageKind::Wasm;
  Result<File> f = files.open(path);
  if (!f.ok()) return ImageKind::Elf;
  static char header[1024];  // the ELF header and the program headers after it
  const Result<size_t> got = f.value().read(0, header, sizeof(header));
  if (!got.ok()) return ImageKind::Elf;
  const char* magic = header;
  if (got.value() >= 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F')
    return stellina::is_linux_image(header, got.value()) ? ImageKind::Linux : ImageKind::Elf;
  if (got.value() >= 4 && magic[0] == 0 && magic[1] == 'a' && magic[2] == 's' && magic[3] == 'm')
    return ImageKind::Wasm;
  return ImageKind::Script;
}

// The program that runs WebAssembly modules (programs/wasm, docs/wasi.md).
constexpr StringView kWasmRunner = "/bin/wasm";

// What runs a script: the interpreter its first line names ("#!/bin/sh -e": the path, and
// one argument if there is one, both kept in out), or /bin/sh for a file without one, as
// POSIX shells do.
StringView script_interpreter(const Files& files, StringView path, char (&out)[128],
                              StringView* argument) {
  *argument = StringView();
  Result<File> f = files.open(path);
  if (!f.ok()) return "/bin/sh";
  const Result<size_t> got = f.value().read(0, out, sizeof(out));
  if (!got.ok() || got.value() < 3 || out[0] != '#' || out[1] != '!') return "/bin/sh";
  const StringView line(out + 2, got.value() - 2);
  size_t end = line.find('\n');
  if (end == StringView::kNpos) end = line.size();
  size_t at = 0;
  const auto blank = [&](size_t i) { return line[i] == ' ' || line[i] == '\t'; };
  while (at < end && blank(at)) ++at;
  size_t name_end = at;
  while (name_end < end && !blank(name_end)) ++name_end;
  size_t arg = name_end;
  while (arg < end && blank(arg)) ++arg;
  size_t arg_end = end;
  while (arg_end > arg && (blank(arg_end - 1) || line[arg_end - 1] == '\r')) --arg_end;
  if (name_end == at) return "/bin/sh";
  *argument = line.substr(arg, arg_end - arg);
  return line.substr(at, name_end - at);
}

bool same_place(const Stream& a, const Stream& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Stream::Kind::Handle: return a.handle == b.handle;
    case Stream::Kind::Memory: return a.memory == b.memory;
    case Stream::Kind::Pipe: return true;
    case Stream::Kind::Closed: return true;
  }
  return false;
}

}  // namespace

StellinaHost::StellinaHost(ProgramEnv& p, bool interactive) : p_(p), interactive_(interactive) {
  const int64_t poll = sys::poll_create();
  if (poll >= 0) poll_.reset(static_cast<abi::Handle>(poll));
}

int64_t StellinaHost::shell_id() { return 1; }

int64_t StellinaHost::job_id(int job) {
  return job >= 0 && job < static_cast<int>(kMaxJobs) ? job_ids_[job] : 0;
}

// ---- Starting ----

HostResult<int> StellinaHost::start(const Pipeline& pipeline, size_t* failed) {
  int job = -1;
  for (size_t i = 0; i < kMaxJobs && job < 0; ++i)
    if (!jobs_[i].used) job = static_cast<int>(i);
  if (job < 0 || pipeline.programs.size() > kMaxPipeline) {
    *failed = 0;
    return HostError::NoMemory;
  }
  Job& j = jobs_[job];
  j = Job();
  j.used = true;
  job_ids_[job] = static_cast<int64_t>(next_id_++);
  Channel pipe_in;  // the read end of the pipe from the program before
  for (size_t i = 0; i < pipeline.programs.size(); ++i) {
    Channel pipe_out;
    const HostResult<void> started =
        start_program(job, pipeline.programs[i], pipeline, &pipe_in, &pipe_out);
    if (!started.ok()) {
      *failed = i;
      kill_job(job);
      end_job_relays(job, true);
      for (size_t k = 0; k < j.count; ++k) j.processes[k] = Process();
      j.used = false;
      return started.error();
    }
    pipe_in = static_cast<Channel&&>(pipe_out);
  }
  return job;
}

// The channel a program's stdout or stderr is given: the pipe to the next program, or one
// whose other end a drain reads.
HostResult<Channel> StellinaHost::output_channel(int job, const Stream& s, Channel* pipe_write) {
  if (s.kind == Stream::Kind::Pipe) {
    Result<Channel> copy = duplicate(*pipe_write);
    if (!copy.ok()) return host_error(copy.error());
    return static_cast<Channel&&>(copy.value());
  }
  Result<Channel> theirs = relay_for(job, false, s);
  if (!theirs.ok()) return host_error(theirs.error());
  return static_cast<Channel&&>(theirs.value());
}

HostResult<void> StellinaHost::start_program(int job, const Program& program,
                                             const Pipeline& pipeline, Channel* pipe_in,
                                             Channel* pipe_out) {
  SpawnOptions o;
  if (Result<void> given = p_.pass_on(o); !given.ok()) return host_error(given.error());

  // stdin.
  if (program.in.kind == Stream::Kind::Pipe && pipe_in->valid()) {
    o.in = static_cast<Channel&&>(*pipe_in);
  } else if (program.in.kind == Stream::Kind::Handle || program.in.kind == Stream::Kind::Memory) {
    Result<Channel> theirs = relay_for(job, true, program.in);
    if (!theirs.ok()) return host_error(theirs.error());
    o.in = static_cast<Channel&&>(theirs.value());
    if (program.in.kind == Stream::Kind::Handle && program.in.handle == kShellStdin)
      jobs_[job].terminal_input = true;
  } else {  // closed, or a pipe no program writes: an empty stream
    Channel ours;
    if (Result<void> made = make_pair(&ours, &o.in); !made.ok()) return host_error(made.error());
  }

  // stdout and stderr: a pipe to the next program is made if either goes there; two that
  // go to one place share one channel.
  Channel pipe_write;
  if (program.out.kind == Stream::Kind::Pipe || program.err.kind == Stream::Kind::Pipe) {
    if (Result<void> made = make_pair(pipe_out, &pipe_write); !made.ok())
      return host_error(made.error());
  }
  o.out = TRY(output_channel(job, program.out, &pipe_write));
  if (same_place(program.out, program.err) && program.err.kind != Stream::Kind::Closed) {
    Result<Channel> copy = duplicate(o.out);
    if (!copy.ok()) return host_error(copy.error());
    o.err = static_cast<Channel&&>(copy.value());
  } else {
    o.err = TRY(output_channel(job, program.err, &pipe_write));
  }
  pipe_write.reset();  // the programs hold their copies

  // The environment, with PWD the pipeline's directory.
  static StringView env[abi::kProgramMaxEnv];
  static char pwd[8 + kMaxPath];
  size_t count = 0;
  for (const StringView e : program.env)
    if (!e.starts_with("PWD=") && count + 1 < abi::kProgramMaxEnv) env[count++] = e;
  if (pipeline.cwd.size() + 4 <= sizeof(pwd)) {
    __builtin_memcpy(pwd, "PWD=", 4);
    __builtin_memcpy(pwd + 4, pipeline.cwd.data(), pipeline.cwd.size());
    env[count++] = StringView(pwd, 4 + pipeline.cwd.size());
  }
  o.env = std::span<const StringView>(env, count);
  o.args = program.argv.size() > 1 ? program.argv.subspan(1) : std::span<const StringView>();

  // A script: started by the interpreter its #! line names (or by sh, without one), with
  // the script's path before the arguments, as exec does; a WebAssembly module, by the
  // runner in the same way.
  StringView path = program.path;
  static StringView script_args[abi::kProgramMaxArgs];
  static char interpreter[128];
  const ImageKind kind = image_kind(p_.files(), program.path);
  if (kind != ImageKind::Elf && kind != ImageKind::Linux) {
    size_t n = 0;
    StringView interpreter_arg;
    path = kind == ImageKind::Wasm
               ? kWasmRunner
               : script_interpreter(p_.files(), program.path, interpreter, &interpreter_arg);
    if (!interpreter_arg.empty()) script_args[n++] = interpreter_arg;
    script_args[n++] = program.path;
    for (const StringView a : o.args)
      if (n < abi::kProgramMaxArgs) script_args[n++] = a;
    o.args = std::span<const StringView>(script_args, n);
  }
  // A Linux program reading and writing the terminal gets one of its own in the kernel,
  // with Linux's line discipline (termios, Ctrl-C as SIGINT to its foreground group): what
  // is typed goes there as it is, not through this shell's line editing.
  const auto at_terminal = [](const Stream& s, int handle) {
    return s.kind == Stream::Kind::Handle && s.handle == handle;
  };
  if (kind == ImageKind::Linux && interactive_ && at_terminal(program.in, kShellStdin) &&
      at_terminal(program.out, kShellStdout)) {
    o.linux_terminal = abi::kLinuxTerminalStdin | abi::kLinuxTerminalStdout;
    if (at_terminal(program.err, kShellStderr) || at_terminal(program.err, kShellStdout))
      o.linux_terminal |= abi::kLinuxTerminalStderr;
  }
  Result<stellina::Program> started = kind == ImageKind::Linux
                                          ? spawn_linux_program(p_.files(), path, o)
                                          : spawn_program(p_.files(), path, o);
  if (!started.ok()) return host_error(started.error());
  Job& j = jobs_[job];
  if (o.linux_terminal) j.on_terminal = static_cast<int>(j.count);
  Process& proc = j.processes[j.count++];
  proc.handle = static_cast<OwnedHandle&&>(started.value().process);
  const uint64_t key = kProcessKey | static_cast<uint64_t>(job) << 8 | (j.count - 1);
  if (sys::poll_add(poll_.get(), proc.handle.get(), abi::kSignalTerminated, key) < 0) {
    // Without the poll it would never be seen to end: wait for it here instead.
    ignore(check_ok(sys::object_wait(proc.handle.get(), abi::kSignalTerminated, 0)), "ends");
  }
  return {};
}

// A relay for a job: returns the end the program gets.
Result<Channel> StellinaHost::relay_for(int job, bool pump, const Stream& end) {
  size_t i = 0;
  while (i < kMaxRelays && relays_[i].used) ++i;
  if (i == kMaxRelays) return abi::kErrNoResources;
  Channel theirs;
  Relay& r = relays_[i];
  r = Relay();
  TRY(make_pair(&r.ch, &theirs));
  r.used = true;
  r.pump = pump;
  r.job = job;
  r.end = end;
  if (end.kind == Stream::Kind::Closed && !pump) r.end = Stream::closed();  // discarded
  if (!pump) {
    if (sys::poll_add(poll_.get(), r.ch.get(), abi::kSignalReadable | abi::kSignalPeerClosed,
                      kRelayKey | i) < 0) {
      r = Relay();
      return abi::kErrNoResources;
    }
  }
  return theirs;
}

void StellinaHost::free_relay(size_t i) {
  Relay& r = relays_[i];
  if (!r.used) return;
  if (!r.pump || r.waiting) ignore(check_ok(sys::poll_remove(poll_.get(), kRelayKey | i)), "gone");
  relays_[i].ch.reset();
  relays_[i].used = false;
}

// The job's pumps (its programs have ended: no one reads them), and its drains too.
void StellinaHost::end_job_relays(int job, bool drains_too) {
  for (size_t i = 0; i < kMaxRelays; ++i)
    if (relays_[i].used && relays_[i].job == job && (relays_[i].pump || drains_too)) free_relay(i);
}

void StellinaHost::kill_job(int job) {
  Job& j = jobs_[job];
  for (size_t k = 0; k < j.count; ++k)
    if (!j.processes[k].ended && j.processes[k].handle.valid())
      ignore(check_ok(sys::process_kill(j.processes[k].handle.get())), "it may have ended");
}

bool StellinaHost::job_done(int job) const {
  const Job& j = jobs_[job];
  for (size_t k = 0; k < j.count; ++k)
    if (!j.processes[k].ended) return false;
  for (const Relay& r : relays_)
    if (r.used && r.job == job && !r.pump) return false;
  return true;
}

Ending StellinaHost::ending_of(int job) {
  Job& j = jobs_[job];
  Ending e;
  if (j.interrupted) {
    e.how = Ending::How::Signaled;
    e.code = 2;
  } else if (j.count > 0) {
    const abi::ProcessExit& x = j.processes[j.count - 1].exit;
    switch (x.reason) {
      case abi::ExitReason::Exited: e.code = static_cast<int>(x.code & 0xff); break;
      case abi::ExitReason::Fault:
        e.how = Ending::How::Signaled;
        e.code = 11;
        e.reason = "Segmentation fault";
        break;
      case abi::ExitReason::Killed:
        e.how = Ending::How::Signaled;
        e.code = 9;
        e.reason = "Killed";
        // A Linux program ended by a signal: the kernel names it (a Ctrl-C's says nothing).
        if (StringView(x.detail).starts_with("SIG") && x.address > 0 && x.address < 65) {
          e.code = static_cast<int>(x.address);
          e.reason = x.address == 2 ? StringView() : StringView(x.detail);
        }
        break;
      case abi::ExitReason::QuotaExceeded:
        e.how = Ending::How::Signaled;
        e.code = 9;
        e.reason = "Killed (over its memory quota)";
        break;
    }
  }
  end_job_relays(job, true);
  for (size_t k = 0; k < j.count; ++k) {
    const uint64_t key = kProcessKey | static_cast<uint64_t>(job) << 8 | k;
    ignore(check_ok(sys::poll_remove(poll_.get(), key)), "it may have been removed");
    j.processes[k] = Process();
  }
  j.used = false;
  return e;
}

Ending StellinaHost::wait(int job) {
  if (job < 0 || job >= static_cast<int>(kMaxJobs) || !jobs_[job].used) return Ending{};
  while (!job_done(job)) service(0, job);
  cooked_size_ = 0;
  return ending_of(job);
}

bool StellinaHost::poll(int job, Ending* ending) {
  if (job < 0 || job >= static_cast<int>(kMaxJobs) || !jobs_[job].used) return false;
  service(1, -1);  // a deadline in the past: what is there, without waiting
  if (!job_done(job)) return false;
  *ending = ending_of(job);
  return true;
}

// ---- The loop ----

void StellinaHost::watch_stdin(bool want) {
  if (want == stdin_watched_ || stdin_ended_) return;
  if (want) {
    stdin_watched_ = sys::poll_add(poll_.get(), p_.in().channel().get(),
                                   abi::kSignalReadable | abi::kSignalPeerClosed, kStdinKey) >= 0;
  } else {
    ignore(check_ok(sys::poll_remove(poll_.get(), kStdinKey)), "it was added");
    stdin_watched_ = false;
  }
}

void StellinaHost::service(uint64_t deadline, int foreground, bool prompt) {
  for (size_t i = 0; i < kMaxRelays; ++i)
    if (relays_[i].used && relays_[i].pump && !relays_[i].waiting) pump(i);
  // A job whose programs have all ended reads no input.
  for (size_t job = 0; job < kMaxJobs; ++job) {
    if (!jobs_[job].used) continue;
    bool running = false;
    for (size_t k = 0; k < jobs_[job].count; ++k) running |= !jobs_[job].processes[k].ended;
    if (!running) end_job_relays(static_cast<int>(job), false);
  }
  // The terminal is read while a foreground job runs (Ctrl-C) and when the shell reads it
  // itself; a script's stdin only when a program reads it.
  bool want_stdin = reading_ || prompt;
  if (foreground >= 0) want_stdin |= interactive_ || jobs_[foreground].terminal_input;
  watch_stdin(want_stdin);
  if (want_stdin && !prompt && p_.in().valid()) on_typed(foreground);  // already buffered

  abi::PollEvent events[abi::kMaxPollEvents];
  const int64_t n = sys::poll_wait(poll_.get(), events, abi::kMaxPollEvents, deadline);
  for (int64_t e = 0; e < n; ++e) {
    const uint64_t key = events[e].key;
    const uint64_t kind = key & ~((1ull << 32) - 1);
    const size_t index = key & 0xffffffff;
    if (kind == kRelayKey && index < kMaxRelays && relays_[index].used) {
      if (relays_[index].pump) {
        relays_[index].waiting = false;
        ignore(check_ok(sys::poll_remove(poll_.get(), key)), "it was added");
        pump(index);
      } else {
        drain(index);
      }
    } else if (kind == kProcessKey) {
      const size_t job = index >> 8, k = index & 0xff;
      if (job >= kMaxJobs || !jobs_[job].used || k >= jobs_[job].count) continue;
      Process& proc = jobs_[job].processes[k];
      abi::ProcessInfo info{};
      if (sys::process_info(proc.handle.get(), &info) == abi::kOk && !info.running) {
        proc.ended = true;
        proc.exit = info.exit;
      }
      ignore(check_ok(sys::poll_remove(poll_.get(), key)), "it was added");
    } else if (kind == kStdinKey && !prompt) {
      on_typed(foreground);
    }
  }
}

// What is there to read on stdin now: typed at a terminal, or a script's input.
void StellinaHost::on_typed(int foreground) {
  char bytes[512];
  for (;;) {
    const Result<size_t> got = p_.in().read_now(bytes, sizeof(bytes));
    if (!got.ok() && got.error() == abi::kErrWouldBlock) return;
    if (!got.ok() || got.value() == 0) {  // the terminal has gone
      watch_stdin(false);
      stdin_ended_ = true;
      for (Relay& r : relays_)
        if (r.used && r.pump && r.end.kind == Stream::Kind::Handle && r.end.handle == kShellStdin)
          r.source_done = true;
      read_line_ready_ = reading_;
      return;
    }
    for (size_t i = 0; i < got.value(); ++i) {
      if (interactive_) {
        cook(bytes[i], foreground);
      } else if (foreground >= 0 && jobs_[foreground].terminal_input) {
        for (Relay& r : relays_) {
          if (!r.used || !r.pump || r.job != foreground || r.end.handle != kShellStdin) continue;
          if (r.pending_size < sizeof(r.pending)) r.pending[r.pending_size++] = bytes[i];
        }
      } else if (reading_) {
        if (read_line_size_ < sizeof(read_line_)) read_line_[read_line_size_++] = bytes[i];
        read_line_ready_ = bytes[i] == '\n';
      } else if (type_ahead_size_ < sizeof(type_ahead_)) {
        type_ahead_[type_ahead_size_++] = bytes[i];
      }
    }
  }
}

// A byte typed at an interactive terminal while a job runs or `read` waits: edited into a
// line, echoed; a whole line goes to the job's stdin (or to `read`); Ctrl-C ends the job.
void StellinaHost::cook(char c, int foreground) {
  if (foreground >= 0 && jobs_[foreground].on_terminal >= 0) {
    Process& on_terminal = jobs_[foreground].processes[jobs_[foreground].on_terminal];
    if (!on_terminal.ended && sys::linux_tty_input(on_terminal.handle.get(),
                                                   reinterpret_cast<const uint8_t*>(&c), 1) >= 0)
      return;
  }
  // A job Ctrl-C has ended reads nothing more: what is typed after waits for the prompt.
  Relay* target = nullptr;
  if (foreground >= 0 && jobs_[foreground].terminal_input && !jobs_[foreground].interrupted) {
    for (Relay& r : relays_)
      if (r.used && r.pump && r.job == foreground && r.end.kind == Stream::Kind::Handle &&
          r.end.handle == kShellStdin)
        target = &r;
  }
  if (c == 0x03) {  // Ctrl-C
    write_terminal("^C\n");
    cooked_size_ = 0;
    if (foreground >= 0) {
      jobs_[foreground].interrupted = true;
      kill_job(foreground);
    }
    if (reading_) read_line_ready_ = true;
    if (shell_) shell_->interrupt();
    return;
  }
  if (!target && !reading_) {  // no one reads the terminal now: keep it for the prompt
    if (type_ahead_size_ < sizeof(type_ahead_)) type_ahead_[type_ahead_size_++] = c;
    return;
  }
  const auto deliver = [&](bool end_of_input) {
    if (target) {
      const size_t room = sizeof(target->pending) - target->pending_size;
      const size_t n = cooked_size_ < room ? cooked_size_ : room;
      __builtin_memcpy(target->pending + target->pending_size, cooked_, n);
      target->pending_size += n;
      if (end_of_input) target->source_done = true;
    } else {
      const size_t room = sizeof(read_line_) - read_line_size_;
      const size_t n = cooked_size_ < room ? cooked_size_ : room;
      __builtin_memcpy(read_line_ + read_line_size_, cooked_, n);
      read_line_size_ += n;
      read_line_ready_ = true;
    }
    cooked_size_ = 0;
  };
  if (c == '\r' || c == '\n') {
    write_terminal("\n");
    if (cooked_size_ < sizeof(cooked_)) cooked_[cooked_size_++] = '\n';
    deliver(false);
  } else if (c == 0x04) {  // Ctrl-D: what is typed goes now; on an empty line, the end
    deliver(cooked_size_ == 0);
  } else if (c == 0x7f || c == 0x08) {
    if (cooked_size_ > 0) {
      --cooked_size_;
      write_terminal("\b \b");
    }
  } else if (c == 0x15) {  // Ctrl-U
    for (; cooked_size_ > 0; --cooked_size_) write_terminal("\b \b");
  } else if (static_cast<unsigned char>(c) >= 0x20 || c == '\t') {
    if (cooked_size_ + 1 < sizeof(cooked_)) {
      cooked_[cooked_size_++] = c;
      write_terminal(StringView(&c, 1));
    } else {
      write_terminal("\a");
    }
  }
}

// Feeds a program's stdin from its source, as far as its channel takes it.
void StellinaHost::pump(size_t i) {
  Relay& r = relays_[i];
  for (;;) {
    if (r.pending_size == 0 && !r.source_done) {
      const Stream& s = r.end;
      if (s.kind == Stream::Kind::Memory && s.memory) {
        r.pending_size = s.memory->read(r.pending, sizeof(r.pending));
      } else if (s.kind == Stream::Kind::Handle && s.handle >= 3) {
        const HostResult<size_t> got = read(s.handle, r.pending, sizeof(r.pending));
        r.pending_size = got.ok() ? got.value() : 0;
      } else {
        return;  // the terminal's bytes come through on_typed
      }
      if (r.pending_size == 0) r.source_done = true;
    }
    if (r.pending_size == 0) {
      if (r.source_done) free_relay(i);  // the program sees the end of its input
      return;
    }
    abi::MessageBuffer m{};
    m.kind = abi::MessageKind::Data;
    m.data = r.pending;
    m.data_size = static_cast<uint32_t>(r.pending_size);
    const int64_t sent = sys::channel_send(r.ch.get(), &m);
    if (sent == abi::kErrWouldBlock) {
      r.waiting = sys::poll_add(poll_.get(), r.ch.get(),
                                abi::kSignalWritable | abi::kSignalPeerClosed, kRelayKey | i) >= 0;
      return;
    }
    if (sent < 0) {  // it does not read any more
      free_relay(i);
      return;
    }
    r.pending_size = 0;
  }
}

// Takes a program's output off its channel and writes it where it goes.
void StellinaHost::drain(size_t i) {
  Relay& r = relays_[i];
  alignas(8) char data[abi::kMaxMessageData];
  for (int turns = 0; turns < 64; ++turns) {
    abi::Handle handles[abi::kMaxMessageHandles];
    abi::MessageBuffer m{};
    m.data = data;
    m.data_capacity = sizeof(data);
    m.handles = handles;
    m.handle_capacity = abi::kMaxMessageHandles;
    const int64_t got = sys::channel_recv(r.ch.get(), &m);
    if (got == abi::kErrWouldBlock) return;
    for (uint32_t k = 0; k < m.handle_count; ++k) sys::handle_close(handles[k]);
    if (got < 0) {  // the program closed it (it ended) and all it sent is taken
      free_relay(i);
      return;
    }
    if (m.kind != abi::MessageKind::Data) continue;
    bool keep = true;
    to_sink(r.end, StringView(data, m.data_size), &keep);
    if (!keep) {  // full (a capture past its limit): stop reading, the writer ends
      free_relay(i);
      return;
    }
  }
}

void StellinaHost::to_sink(const Stream& sink, StringView data, bool* keep) {
  switch (sink.kind) {
    case Stream::Kind::Closed:
    case Stream::Kind::Pipe: return;
    case Stream::Kind::Memory: *keep = sink.memory && sink.memory->write(data); return;
    case Stream::Kind::Handle: *keep = write(sink.handle, data).ok() || sink.handle < 3; return;
  }
}

// ---- The terminal ----

size_t StellinaHost::read_terminal(char* buffer, size_t size) {
  for (;;) {
    if (type_ahead_size_ > 0) {
      const size_t n = type_ahead_size_ < size ? type_ahead_size_ : size;
      __builtin_memcpy(buffer, type_ahead_, n);
      __builtin_memmove(type_ahead_, type_ahead_ + n, type_ahead_size_ - n);
      type_ahead_size_ -= n;
      return n;
    }
    if (stdin_ended_) return 0;
    const Result<size_t> got = p_.in().read_now(buffer, size);
    if (got.ok() && got.value() > 0) return got.value();
    if (got.ok() || got.error() != abi::kErrWouldBlock) {
      stdin_ended_ = true;
      return 0;
    }
    // Nothing typed yet: relay the background jobs meanwhile.
    service(0, -1, true);
  }
}

void StellinaHost::unread_terminal(StringView bytes) {
  const size_t n = bytes.size() < sizeof(type_ahead_) - type_ahead_size_
                       ? bytes.size()
                       : sizeof(type_ahead_) - type_ahead_size_;
  __builtin_memmove(type_ahead_ + n, type_ahead_, type_ahead_size_);
  __builtin_memcpy(type_ahead_, bytes.data(), n);
  type_ahead_size_ += n;
}

void StellinaHost::write_terminal(StringView text) {
  ignore(p_.out().write(Bytes{text.data(), text.size()}), "a terminal that has gone");
}

// ---- Files ----

HostResult<int> StellinaHost::open(StringView path, OpenMode mode) {
  size_t i = 0;
  while (i < kMaxFiles && files_[i].used) ++i;
  if (i == kMaxFiles) return HostError::NoMemory;
  uint32_t flags = abi::kOpenRead;
  if (mode == OpenMode::Write) flags = abi::kOpenWrite | abi::kOpenCreate | abi::kOpenTruncate;
  if (mode == OpenMode::Append) flags = abi::kOpenWrite | abi::kOpenCreate | abi::kOpenAppend;
  if (mode == OpenMode::ReadWrite) flags = abi::kOpenRead | abi::kOpenWrite | abi::kOpenCreate;
  Result<File> file = p_.files().open(path, flags);
  if (!file.ok()) return host_error(file.error());
  if (mode == OpenMode::Read) {
    const Result<abi::FileStat> st = file.value().stat();
    if (st.ok() && (st.value().mode & abi::kModeTypeMask) == abi::kModeDirectory)
      return HostError::IsDirectory;
  }
  files_[i].used = true;
  files_[i].file = static_cast<File&&>(file.value());
  files_[i].offset = 0;
  return static_cast<int>(i) + 3;
}

void StellinaHost::close(int handle) {
  const int i = handle - 3;
  if (i < 0 || i >= static_cast<int>(kMaxFiles)) return;
  files_[i].file.reset();
  files_[i].used = false;
}

HostResult<size_t> StellinaHost::read(int handle, char* buffer, size_t size) {
  if (handle == kShellStdin) {
    if (!interactive_) {
      const Result<size_t> got = p_.in().read(buffer, size);
      if (!got.ok()) return HostError::Io;
      return got.value();
    }
    // The `read` builtin at a terminal: a cooked line, then its bytes.
    if (read_line_at_ == read_line_size_) {
      read_line_at_ = read_line_size_ = 0;
      read_line_ready_ = false;
      reading_ = true;
      while (!read_line_ready_ && !stdin_ended_) service(0, -1);
      reading_ = false;
    }
    const size_t rest = read_line_size_ - read_line_at_;
    const size_t n = rest < size ? rest : size;
    __builtin_memcpy(buffer, read_line_ + read_line_at_, n);
    read_line_at_ += n;
    return n;
  }
  const int i = handle - 3;
  if (i < 0 || i >= static_cast<int>(kMaxFiles) || !files_[i].used) return HostError::Io;
  const Result<size_t> got = files_[i].file.read(files_[i].offset, buffer, size);
  if (!got.ok()) return host_error(got.error());
  files_[i].offset += got.value();
  return got.value();
}

HostResult<void> StellinaHost::write(int handle, StringView data) {
  if (handle == kShellStdout || handle == kShellStderr) {
    stellina::Stream& s = handle == kShellStdout ? p_.out() : p_.err();
    if (!s.write(Bytes{data.data(), data.size()}).ok()) return HostError::Io;
    return {};
  }
  const int i = handle - 3;
  if (i < 0 || i >= static_cast<int>(kMaxFiles) || !files_[i].used) return HostError::Io;
  const Result<size_t> put =
      files_[i].file.write(files_[i].offset, Bytes{data.data(), data.size()});
  if (!put.ok()) return host_error(put.error());
  files_[i].offset += put.value();
  return {};
}

HostResult<FileInfo> StellinaHost::stat(StringView path) {
  const Result<abi::FileStat> st = p_.files().stat(path);
  if (!st.ok()) return host_error(st.error());
  FileInfo info;
  const uint32_t type = st.value().mode & abi::kModeTypeMask;
  info.type = type == abi::kModeRegular     ? FileInfo::Type::Regular
              : type == abi::kModeDirectory ? FileInfo::Type::Directory
                                            : FileInfo::Type::Other;
  info.executable = type == abi::kModeRegular && (st.value().mode & 0111);
  info.size = st.value().size;
  return info;
}

HostResult<void> StellinaHost::list(StringView directory, DirectoryVisitor& visitor) {
  Result<File> dir = p_.files().open(directory, abi::kOpenRead | abi::kOpenDirectory);
  if (!dir.ok()) return host_error(dir.error());
  bool more = true;
  const Result<void> listed = dir.value().list([&](const abi::FileDirEntry&, StringView name) {
    if (more) more = visitor.visit(name);
  });
  if (!listed.ok()) return host_error(listed.error());
  return {};
}

}  // namespace stellina::sh
