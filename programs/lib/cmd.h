#pragma once
// What the commands in /bin share (docs/shell.md): options as POSIX getopt parses them, a
// buffered stdout, input from files or stdin read in chunks or lines, numbers parsed
// without overflow, growable memory, and error messages as "NAME: what: why".
//
//   int64_t program_main(stellina::ProgramEnv& p) {
//     cmd::Command c(p, "usage: head [-n N] [FILE...]\n");
//     cmd::Options o(c, "n:");
//     for (int opt; (opt = o.next()) != cmd::kEnd;) {
//       if (opt == 'n' && !cmd::parse_u64(o.value(), &lines)) return c.fail("bad count '{}'",
//       o.value()); if (opt == cmd::kHelp) return c.help(); if (opt == cmd::kBad) return
//       c.usage_error();
//     }
//     for (size_t i = o.index(); i < p.argc(); ++i) ...
//     return c.finish(0);   // flushes stdout: a write error makes it 1
//   }

#include <stellina/program_main.h>

#include "programs/lib/parse.h"

namespace cmd {

using stellina::Bytes;
using stellina::ProgramEnv;
using stellina::Result;
using stellina::Status;

// Writes to a Stream through a buffer (whole messages, not one per print). After a failed
// write (the reader has gone) every call does nothing and failed() says so.
class Output {
 public:
  explicit Output(stellina::Stream& stream) : stream_(stream) {}
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;
  ~Output() { flush(); }

  void write(Bytes data);
  void put(char c) {
    if (used_ == sizeof(buffer_)) flush();
    buffer_[used_++] = c;
  }
  // As lib::format_to, any length.
  template <typename... Args>
  void print(const char* fmt, const Args&... args) {
    Sink sink(*this);
    lib::format(sink, fmt, args...);
  }
  void flush();
  bool failed() const { return failed_; }

 private:
  struct Sink final : lib::Sink {
    explicit Sink(Output& out) : out(out) {}
    void write(const char* s, size_t n) override { out.write(Bytes{s, n}); }
    Output& out;
  };

  stellina::Stream& stream_;
  char buffer_[stellina::abi::kMaxMessageData];
  size_t used_ = 0;
  bool failed_ = false;
};

// One command's run: its name (argv[0]'s last component), its usage text, its stdout and
// stderr.
class Command {
 public:
  Command(ProgramEnv& p, const char* usage);

  ProgramEnv& env() { return p_; }
  lib::StringView name() const { return name_; }
  Output& out() { return out_; }

  // "NAME: MESSAGE\n" on stderr (stdout flushed first, so the order on a terminal holds).
  template <typename... Args>
  void error(const char* fmt, const Args&... args) {
    char text[512];
    const size_t n = lib::format_to(text, sizeof(text), fmt, args...);
    report(lib::StringView(text, n < sizeof(text) ? n : sizeof(text) - 1));
  }
  // error(...), then 1: for `return c.fail(...)`.
  template <typename... Args>
  int64_t fail(const char* fmt, const Args&... args) {
    error(fmt, args...);
    return finish(1);
  }
  // "NAME: PATH: WHY" for a failed call on a file.
  void error_at(lib::StringView path, Status why);
  // The usage on stdout, exit 0 (--help).
  int64_t help();
  // The usage on stderr, exit 2 (a bad option; Options has said which).
  int64_t usage_error();
  // Flushes stdout; returns code, or 1 if stdout could not be written.
  int64_t finish(int64_t code);

 private:
  void report(lib::StringView message);

  ProgramEnv& p_;
  lib::StringView name_;
  const char* usage_;
  Output out_;
};

constexpr int kEnd = -1;   // no more options: operands start at index()
constexpr int kHelp = -2;  // --help
constexpr int kBad = '?';  // an unknown option or one missing its value (already reported)

// POSIX getopt over argv[1...]: spec lists the option letters, a ':' after one that takes a
// value ("n:" for -n 5 or -n5). Options end at the first operand, at "--" (skipped) or at
// "-" (an operand). "--help" anywhere among the options gives kHelp.
class Options {
 public:
  Options(Command& c, const char* spec) : c_(c), spec_(spec) {}
  int next();
  lib::StringView value() const { return value_; }
  size_t index() const { return index_; }

 private:
  Command& c_;
  const char* spec_;
  size_t index_ = 1;
  size_t at_ = 0;  // within a cluster like -abc: the next letter
  lib::StringView value_;
};

// A source of bytes: a file by path ("-": stdin), read in order.
class Input {
 public:
  // stdin.
  explicit Input(ProgramEnv& p) : p_(p) {}
  // Opens path ("-": stdin). Errors: those of Files::open.
  Result<void> open(lib::StringView path);
  // Up to size bytes; 0 at the end.
  Result<size_t> read(void* out, size_t size);

 private:
  ProgramEnv& p_;
  stellina::File file_;
  bool is_file_ = false;
  uint64_t at_ = 0;
};

constexpr size_t kMaxLine = 64 * 1024;

// Lines from an Input. A line longer than kMaxLine comes in pieces of kMaxLine bytes
// (complete() false for all but the last).
class LineReader {
 public:
  explicit LineReader(Input& in) : in_(in) {}
  // The next line without its '\n' (false at the end). The view lasts until the next call.
  Result<bool> next(lib::StringView* line);
  bool complete() const { return complete_; }
  // Whether the last line ended with '\n' (a file's last line may not).
  bool had_newline() const { return newline_; }

 private:
  Input& in_;
  char buffer_[kMaxLine + 4096];
  size_t start_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  bool complete_ = true;
  bool newline_ = true;
};

// A growable array of bytes on the program's heap (then in whole pages past 4 MiB).
class Buffer {
 public:
  Buffer() = default;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer();

  Result<void> append(Bytes data);
  Result<void> reserve(size_t size);
  void clear() { size_ = 0; }
  char* data() { return data_; }
  const char* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  char* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
  bool pages_ = false;
};

}  // namespace cmd
