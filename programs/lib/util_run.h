#pragma once
// Running a command from a command (env, xargs): found in PATH, started in the program's silo
// with what it passes on, given copies of this program's streams, waited for. Header only:
// programs/lib's .cc files build on the host, and this needs Stellina.

#include <span>

#include <stellina/spawn.h>

#include "programs/lib/cmd.h"

namespace util {

// Exit statuses as POSIX shells give them.
constexpr int64_t kCannotRun = 126;
constexpr int64_t kNotFound = 127;
constexpr int64_t kSignalled = 128 + 9;  // a fault, a kill or a quota death: as SIGKILL's

// A second handle to ch (for a child to hold too); invalid if it cannot be had.
inline stellina::Channel duplicate_channel(stellina::Channel& ch) {
  if (!ch.valid()) return stellina::Channel();
  stellina::abi::HandleInfo info{};
  if (stellina::sys::handle_query(ch.get(), &info) < 0) return stellina::Channel();
  const int64_t h = stellina::sys::handle_duplicate(ch.get(), info.rights);
  return h < 0 ? stellina::Channel() : stellina::Channel(static_cast<stellina::abi::Handle>(h));
}

// Runs name (a path, or a command looked up in search_path) with args (argv[1...]) and env
// (KEY=VALUE entries); it gets copies of stdout and stderr, and of stdin if give_stdin (else
// an empty one). Returns its exit status, kNotFound or kCannotRun (both reported).
inline int64_t run_command(cmd::Command& c, lib::StringView name,
                           std::span<const lib::StringView> args,
                           std::span<const lib::StringView> env, lib::StringView search_path,
                           bool give_stdin) {
  stellina::ProgramEnv& p = c.env();
  char path[stellina::abi::kFileMaxPath];
  const stellina::Result<size_t> found = stellina::find_program(p.files(), name, search_path, path);
  if (!found.ok()) {
    c.error("{}: {}", name, stellina::status_name(found.error()));
    return found.error() == stellina::abi::kErrNotFound ? kNotFound : kCannotRun;
  }
  stellina::SpawnOptions o;
  const stellina::Result<void> passed = p.pass_on(o);
  if (!passed.ok()) {
    c.error("{}: {}", name, stellina::status_name(passed.error()));
    return kCannotRun;
  }
  o.args = args;
  o.env = env;
  c.out().flush();
  if (give_stdin) o.in = duplicate_channel(p.in().channel());
  o.out = duplicate_channel(p.out().channel());
  o.err = duplicate_channel(p.err().channel());
  stellina::Result<stellina::Program> started =
      stellina::spawn_program(p.files(), lib::StringView(path, found.value()), o);
  if (!started.ok()) {
    c.error("{}: {}", name, stellina::status_name(started.error()));
    return started.error() == stellina::abi::kErrNotFound ? kNotFound : kCannotRun;
  }
  started.value().in.reset();  // without give_stdin: the end of its input at once
  const stellina::Result<stellina::abi::ProcessExit> exit = started.value().wait();
  if (!exit.ok()) {
    c.error("{}: {}", name, stellina::status_name(exit.error()));
    return kCannotRun;
  }
  if (exit.value().reason == stellina::abi::ExitReason::Exited) return exit.value().code;
  c.error("{}: {}", name, static_cast<const char*>(exit.value().detail));
  return kSignalled;
}

}  // namespace util
