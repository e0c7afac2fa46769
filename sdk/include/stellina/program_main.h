#pragma once
// Writing a program started from a file (docs/programs.md): command-line style, blocking,
// no event loop. The program runtime (sdk/runtime/program.cc, linked by stellina_program in
// CMake) reads the start message (abi/stellina/program.h) and calls program_main; its
// return value is the exit code.
//
//   #include <stellina/program_main.h>
//
//   int64_t program_main(stellina::ProgramEnv& p) {
//     for (size_t i = 1; i < p.argc(); ++i)
//       if (!p.out().print("{}\n", p.arg(i)).ok()) return 1;  // no one reads
//     return 0;
//   }
//
// (The ABI's header is stellina/program.h; this one is the SDK's side of it.)

#include <optional>

#include <stellina/files.h>
#include <stellina/program.h>
#include <stellina/spawn.h>
#include <stellina/stream.h>

namespace stellina {

class ProgramEnv {
 public:
  // The arguments: arg(0) is the path the program was started from.
  size_t argc() const { return argc_; }
  lib::StringView arg(size_t i) const { return i < argc_ ? strings_[i] : lib::StringView(); }
  // The environment: the value of key, or nothing if it has no such entry.
  std::optional<lib::StringView> env(lib::StringView key) const;
  size_t env_count() const { return envc_; }
  lib::StringView env_entry(size_t i) const {  // "KEY=VALUE"
    return i < envc_ ? strings_[argc_ + i] : lib::StringView();
  }

  // The standard streams; one the starter did not give fails every call with kErrBadHandle.
  Stream& in() { return in_; }
  Stream& out() { return out_; }
  Stream& err() { return err_; }
  // The file tree the starter gave (calls fail with kErrBadHandle without one); relative
  // paths resolve against the environment's PWD.
  const Files& files() const { return files_; }
  Files& files() { return files_; }
  // The log, if the starter gave one (kInvalidHandle if not).
  abi::Handle log_handle() const { return log_; }
  // Opens a resource by URI through the namespace channel the starter gave: "tcp:...",
  // "control", "file:" (a fresh file: session), "namespace:" (another channel like it, for
  // a program this one starts). Errors: the answer's (kErrAccessDenied, kErrNotFound, ...),
  // kErrNotSupported (no namespace was given), kErrTimedOut, kErrTooLarge (a URI past 255
  // bytes).
  Result<Channel> open(lib::StringView uri, uint64_t timeout_ns = 5'000'000'000) const;
  // The silo this program may start programs in (kInvalidHandle: it may start none).
  abi::Handle silo() const { return silo_.get(); }
  // Fills what a program this one starts inherits: the silo (and a copy of its handle, so
  // it may start programs too), a fresh file: session and a namespace channel, each only if
  // this program has one. The environment is the caller's to pass (env_entry, with PWD).
  // Errors: those of open and handle_duplicate.
  Result<void> pass_on(SpawnOptions& o) const;

  // Reads the start message off startup's start channel. Errors: those the ABI names
  // (kErrInvalidArgument for a malformed message, kErrTooLarge past a limit), kErrTimedOut
  // (nothing came within 10 s).
  Result<void> load(const abi::StartupBlock& startup);

 private:
  size_t argc_ = 0;
  size_t envc_ = 0;
  lib::StringView strings_[abi::kProgramMaxArgs + abi::kProgramMaxEnv];
  char bytes_[abi::kProgramMaxStrings];
  Stream in_, out_, err_;
  Files files_{Channel()};
  abi::Handle log_ = abi::kInvalidHandle;
  OwnedHandle names_;
  OwnedHandle silo_;
};

}  // namespace stellina

// The program: defined by it, called by the runtime with its loaded environment.
int64_t program_main(stellina::ProgramEnv& p);
