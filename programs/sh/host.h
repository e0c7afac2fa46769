#pragma once
// What the shell asks of the system it runs on. The interpreter (shell.h) is the same on
// Stellina and in the host tests; a Host runs its programs, opens its files and writes its
// output. On Stellina the backend implements it with spawn_program and channels: a pipeline's
// programs run at once, each Pipe stream a channel from one to the next (the data never
// passes through sh), and sh relays what must pass through it: Handle and Memory streams
// (the terminal, a redirected file, a command substitution's capture, a here-document).
//
// Paths given to the Host are always absolute: the shell keeps the current directory ($PWD)
// itself and joins relative paths to it (Pipeline::cwd tells the programs).
//
// Handles are small integers the Host chooses, except the shell's own streams, which are
// always kShellStdin, kShellStdout and kShellStderr (the terminal, or what sh was started
// with).
//
// A foreground job is waited for with wait(); while waiting, the backend keeps reading the
// terminal: Ctrl-C kills the job (wait then returns its Ending, Signaled with code 2 and an
// empty reason) and the backend calls Shell::interrupt(), so that a loop running the job
// stops too.

#include <stddef.h>
#include <stdint.h>

#include <span>

#include <lib/result.h>
#include <lib/string_view.h>

#include "text.h"

namespace stellina::sh {

enum class HostError : uint8_t {
  NotFound,       // no such file or directory
  NotDirectory,   // a component of the path is not a directory
  IsDirectory,    // a directory where a file was wanted
  AccessDenied,   // permission denied
  NotExecutable,  // not a program the system can start
  NoMemory,       // out of memory or over a quota
  TooLarge,       // too many arguments, a too large environment
  Io,             // anything else
};

// The words for an error in messages ("No such file", "Permission denied"...), as dash says.
StringView host_error_text(HostError error);

template <typename T>
using HostResult = lib::Result<T, HostError>;

constexpr int kShellStdin = 0;
constexpr int kShellStdout = 1;
constexpr int kShellStderr = 2;

// Bytes in memory that a program reads as its stdin (a here-document, the output of an earlier
// pipeline stage run by the shell itself) or whose stdout fills (a command substitution, the
// input of a later stage). The shell owns it and keeps it alive until the job has ended.
class MemoryStream {
 public:
  // Appends output; false when full (kMaxString) or out of memory. The host then stops
  // reading that stream, closing it, so that its writer ends rather than runs forever (as
  // `yes` into a pipe that was closed); the shell reports the output as too large.
  bool write(StringView data) {
    data_.append(data);
    return !data_.failed();
  }
  // The next input bytes, at most size; 0 at the end.
  size_t read(char* buffer, size_t size) {
    const StringView rest = unread();
    const size_t n = rest.size() < size ? rest.size() : size;
    if (n) __builtin_memcpy(buffer, rest.data(), n);
    read_ += n;
    return n;
  }
  StringView unread() const { return data_.view().substr(read_); }
  Text& data() { return data_; }

 private:
  Text data_;
  size_t read_ = 0;
};

// One of a program's standard streams: where stdin comes from, where stdout or stderr goes.
struct Stream {
  enum class Kind : uint8_t {
    Closed,  // stdin: at its end at once; stdout, stderr: discarded
    Handle,  // a Host handle: the shell's own stream (kShell*) or a file from Host::open
    Memory,  // a MemoryStream: stdin reads its unread bytes then ends; output appends to it
    Pipe,    // stdin: the previous program's stdout; stdout, stderr: the next one's stdin
             // (both, after 2>&1). A program whose stdin is a Pipe that no program writes
             // (`a > file | b`) reads an empty stream.
  };
  Kind kind = Kind::Closed;
  int handle = -1;
  MemoryStream* memory = nullptr;

  static Stream closed() { return Stream{}; }
  static Stream of_handle(int h) { return Stream{Kind::Handle, h, nullptr}; }
  static Stream of_memory(MemoryStream* m) { return Stream{Kind::Memory, -1, m}; }
  static Stream pipe() { return Stream{Kind::Pipe, -1, nullptr}; }
};

struct Program {
  StringView path;                   // the file to start, found by the shell's PATH search
  std::span<const StringView> argv;  // argv[0] is the name as the user typed it
  std::span<const StringView> env;   // KEY=VALUE: the exported variables
  Stream in;
  Stream out;
  Stream err;
};

struct Pipeline {
  std::span<const Program> programs;
  StringView cwd;  // every program's current directory ($PWD)
};

// How a job (its last program) ended.
struct Ending {
  enum class How : uint8_t { Exited, Signaled };
  How how = How::Exited;
  // Exited: the exit status (only its low 8 bits count, as on POSIX). Signaled: a number N
  // for how it was ended; $? is 128+N. The backend chooses N as POSIX numbers signals: 2 for
  // Ctrl-C, 9 for a kill, 11 for a fault.
  int code = 0;
  // Signaled: what happened, printed on stderr for a foreground job ("Segmentation fault",
  // "Killed"); empty prints nothing (Ctrl-C).
  StringView reason;

  int status() const { return how == How::Exited ? code & 0xff : 128 + (code & 0x7f); }
};

struct FileInfo {
  enum class Type : uint8_t { Regular, Directory, Other };
  Type type = Type::Other;
  bool executable = false;  // a program the Host can start
  uint64_t size = 0;        // in bytes (test -s)
};

enum class OpenMode : uint8_t {
  Read,       // <
  Write,      // >: created, truncated
  Append,     // >>: created, written at its end
  ReadWrite,  // <>: created, not truncated
};

class DirectoryVisitor {
 public:
  // One entry of the directory (".", ".." too if the file system has them); false stops.
  virtual bool visit(StringView name) = 0;

 protected:
  ~DirectoryVisitor() = default;
};

class Host {
 public:
  // ---- Programs ----

  // Starts every program of a pipeline at once, connected as their Pipe streams say, and
  // returns a job handle. When one cannot start, those already started are killed, nothing
  // is left running, and *failed is the index of the one that failed.
  virtual HostResult<int> start(const Pipeline& pipeline, size_t* failed) = 0;
  // Waits until every program of the job has ended, relaying its Handle and Memory streams
  // meanwhile, and forgets the job: the Ending is the last program's.
  virtual Ending wait(int job) = 0;
  // Whether a job has ended (then *ending is filled and the job forgotten), without waiting.
  // The backend relays a background job's output whenever it runs.
  virtual bool poll(int job, Ending* ending) = 0;
  // A number for the job's last program, for $! and `jobs -l`.
  virtual int64_t job_id(int job) = 0;

  // ---- Files ----

  virtual HostResult<int> open(StringView path, OpenMode mode) = 0;
  virtual void close(int handle) = 0;
  // Reads at most size bytes; 0 at the end. The shell reads its own stdin a byte at a time
  // (`read`), so that what follows a line stays for the programs it starts.
  virtual HostResult<size_t> read(int handle, char* buffer, size_t size) = 0;
  virtual HostResult<void> write(int handle, StringView data) = 0;
  virtual HostResult<FileInfo> stat(StringView path) = 0;
  virtual HostResult<void> list(StringView directory, DirectoryVisitor& visitor) = 0;

  // ---- The shell ----

  // $$: a number for the shell itself.
  virtual int64_t shell_id() = 0;
  // Whether the interpreter runs echo itself rather than /bin/echo (dash's echo: -n, and
  // backslash escapes).
  virtual bool builtin_echo() { return false; }

 protected:
  ~Host() = default;
};

}  // namespace stellina::sh
