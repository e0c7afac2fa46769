#pragma once
// WASI preview 1 on Stellina: the state a running module's WASI calls share (its arguments,
// environment and descriptors) and the host functions that implement them over the
// program's streams and its file: session (docs/wasi.md). The layouts and errno values are
// lib/wasm's (wasm/wasi.h), shared with bench/wasm's host runner.

#include <stellina/program_main.h>

#include "guest_path.h"
#include "wasm/instance.h"
#include "wasm/wasi.h"

namespace wasi_host {

using lib::StringView;

// Descriptors a module may hold at once, the three standard streams and the preopened
// directories included: one more open is EMFILE.
constexpr uint32_t kMaxDescriptors = 64;
// Directories a starter may preopen (--dir).
constexpr uint32_t kMaxPreopens = 8;

struct Descriptor {
  enum class Kind : uint8_t { Free, Stdin, Stdout, Stderr, Directory, File };
  Kind kind = Kind::Free;
  bool readable = false;
  bool writable = false;
  bool append = false;
  bool preopen = false;
  stellina::File file;  // a File: always; a Directory: opened at its first fd_readdir
  uint64_t offset = 0;  // a File's position
  // Where it is in the program's file tree: absolute, never with "." or "..".
  char path[stellina::abi::kFileMaxPath] = {};
  uint16_t path_size = 0;
  // A preopened directory: the name the module sees (fd_prestat_dir_name).
  char guest_name[stellina::abi::kFileMaxPath] = {};
  uint16_t guest_name_size = 0;

  StringView path_view() const { return StringView(path, path_size); }
};

class WasiHost {
 public:
  // The module's arguments (args[0] its own name) and environment ("KEY=VALUE") are kept as
  // views: they live in p, which outlives this.
  WasiHost(stellina::ProgramEnv& p, const StringView* args, size_t arg_count);

  // Preopens `directory` of the program's tree (relative to its PWD, or absolute) under
  // the name `guest_name`. Errors: kErrNoResources (kMaxPreopens already), kErrNameTooLong,
  // kErrInvalidArgument ('..' above the root), kErrNotDirectory, and stat's.
  stellina::Result<void> preopen(StringView directory, StringView guest_name);

  // The host function that implements wasi_snapshot_preview1.<name> with that type, or null
  // if none does.
  static wasm::HostFunction find(StringView name, const wasm::FuncType& type);

  // proc_exit was called: with this code.
  bool exited() const { return exited_; }
  uint32_t exit_code() const { return exit_code_; }

  // The state behind a call's context.
  static WasiHost& of(const wasm::HostCall& c) { return *static_cast<WasiHost*>(c.context); }

  stellina::ProgramEnv& program() { return p_; }
  const StringView* args() const { return args_; }
  size_t arg_count() const { return arg_count_; }
  const StringView* env() const { return env_; }
  size_t env_count() const { return env_count_; }

  // The descriptor fd if it is open, or null.
  Descriptor* descriptor(uint32_t fd);
  // A free descriptor, or null (EMFILE).
  Descriptor* allocate(uint32_t* fd);
  void release(uint32_t fd);

  void set_exit(uint32_t code) {
    exited_ = true;
    exit_code_ = code;
  }

 private:
  stellina::ProgramEnv& p_;
  const StringView* args_;
  size_t arg_count_;
  StringView env_[stellina::abi::kProgramMaxEnv];
  size_t env_count_ = 0;
  Descriptor descriptors_[kMaxDescriptors];
  uint32_t preopens_ = 0;
  bool exited_ = false;
  uint32_t exit_code_ = 0;
};

// The WASI errno for a Stellina status.
wasm::wasi::Errno errno_of(stellina::Status s);

// The host function every import without an implementation links to: ENOSYS as its first
// result (0 for the others), whatever its type (its context is the import's FuncType).
wasm::Trap not_implemented(wasm::HostCall& c);

}  // namespace wasi_host
