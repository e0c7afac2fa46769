// wasm: runs a WebAssembly module built for WASI preview 1 (clang --target=wasm32-wasi with
// wasi-libc) on lib/wasm's interpreter, in this process (docs/wasi.md). The shell starts it
// for a file that begins with the \0asm magic or whose name ends in .wasm, as it starts an
// interpreter for a script.
//
//   wasm [--dir DIR]... FILE.wasm [ARGS...]
//
// The module gets FILE.wasm and ARGS as its arguments, this program's environment, its
// standard streams, and the directories named by --dir (each under the name given, as
// wasmtime does), or, without --dir, the current directory as ".". Its exit status is
// proc_exit's code (0 if _start returns); a trap is reported on stderr, status 134; a
// module that cannot be read or linked, status 126 (127: no such file).

#include <stellina/heap.h>
#include <stellina/memory.h>
#include <stellina/program_main.h>

#include "wasi_host.h"
#include "wasm/instance.h"
#include "wasm/module.h"

namespace {

using lib::StringView;
using stellina::ProgramEnv;
using wasi_host::WasiHost;
namespace abi = stellina::abi;

constexpr const char* kUsage = "usage: wasm [--dir DIR]... FILE.wasm [ARGS...]\n";
constexpr int64_t kStatusUsage = 2;
constexpr int64_t kStatusNotFound = 127;
constexpr int64_t kStatusCannotRun = 126;
constexpr int64_t kStatusTrap = 134;

// A module's file: at most this many bytes. The file is read into pages of its own and the
// engine keeps a copy, with a little of its own before it, in one block: both must fit in
// the 16 MiB that allocate_pages gives at most.
constexpr size_t kMaxModuleBytes = size_t{8} << 20;

// The engine's memory: the heap for what it holds (up to its 4 MiB blocks), whole pages
// beyond (a linear memory, the value stack). Both come zeroed and charged to the silo.
class ProgramAllocator final : public wasm::Allocator {
 public:
  void* allocate(size_t bytes) override {
    stellina::Result<void*> p = bytes <= stellina::kHeapMaxAllocation
                                    ? stellina::heap_allocate(bytes == 0 ? 1 : bytes)
                                    : stellina::allocate_pages(bytes);
    return p.ok() ? p.value() : nullptr;
  }
  void deallocate(void* p, size_t bytes) override {
    if (bytes <= stellina::kHeapMaxAllocation) {
      stellina::heap_free(p);
    } else {
      stellina::ignore(stellina::free_pages(p), "it is ours");
    }
  }
};

// What a module may use here. Linear memory is one block of allocate_pages (16 MiB at
// most); the value and call stacks are allocated whole at the first call, so they are kept
// small: 2 MiB of value slots, 10,000 nested calls.
wasm::Limits runner_limits() {
  wasm::Limits limits;
  limits.max_module_bytes = kMaxModuleBytes;
  limits.max_memory_pages = 256;
  limits.max_stack_slots = 1u << 18;
  limits.max_call_depth = 10'000;
  return limits;
}

// The file's bytes, in pages of their own. Errors: the file system's, kErrTooLarge,
// kErrInvalidArgument (empty, or it changed while read).
stellina::Result<uint8_t*> read_module(const stellina::Files& files, StringView path,
                                       size_t* size) {
  stellina::File f = TRY(files.open(path));
  const abi::FileStat st = TRY(f.stat());
  if ((st.mode & abi::kModeTypeMask) == abi::kModeDirectory) return abi::kErrIsDirectory;
  if (st.size == 0) return abi::kErrInvalidArgument;
  if (st.size > kMaxModuleBytes) return abi::kErrTooLarge;
  auto* bytes = static_cast<uint8_t*>(TRY(stellina::allocate_pages(st.size)));
  const size_t got = TRY(f.read(0, bytes, st.size));
  if (got != st.size) return abi::kErrInvalidArgument;
  *size = got;
  return bytes;
}

// One Extern per import: WASI's functions by name, every other function ENOSYS; a table,
// memory or global import cannot be given (null, *unlinkable names it).
wasm::Extern* link_imports(wasm::Store* store, const wasm::Module& m, WasiHost* host,
                           wasm::Allocator* allocator, const wasm::Import** unlinkable) {
  auto* imports = static_cast<wasm::Extern*>(
      allocator->allocate(sizeof(wasm::Extern) * (m.import_count == 0 ? 1 : m.import_count)));
  if (imports == nullptr) return nullptr;
  for (uint32_t i = 0; i < m.import_count; ++i) {
    const wasm::Import& im = m.imports[i];
    if (im.kind != wasm::ExternKind::Func) {
      *unlinkable = &im;
      return nullptr;
    }
    const wasm::FuncType& type = m.func_type(im.index);
    const StringView space(reinterpret_cast<const char*>(im.module.data), im.module.size);
    const StringView name(reinterpret_cast<const char*>(im.field.data), im.field.size);
    wasm::HostFunction f = space == wasm::wasi::kModuleName ? WasiHost::find(name, type) : nullptr;
    imports[i].kind = wasm::ExternKind::Func;
    imports[i].func = f != nullptr
                          ? store->create_host_function(&type, f, host)
                          : store->create_host_function(&type, wasi_host::not_implemented,
                                                        const_cast<wasm::FuncType*>(&type));
    if (imports[i].func == nullptr) return nullptr;
  }
  return imports;
}

struct Options {
  StringView dirs[wasi_host::kMaxPreopens];
  size_t dir_count = 0;
  size_t file = 0;  // the argument that names the module
};

// Options before the module's file; false (and the usage said) if they are malformed.
bool parse_options(ProgramEnv& p, Options* o) {
  size_t i = 1;
  for (; i < p.argc() && p.arg(i).starts_with("--"); ++i) {
    if (p.arg(i) == "--") {
      ++i;
      break;
    }
    if (p.arg(i) != "--dir" || i + 1 == p.argc()) return false;
    if (o->dir_count == wasi_host::kMaxPreopens) {
      stellina::ignore(p.err().print("wasm: at most {} --dir\n", wasi_host::kMaxPreopens), "");
      return false;
    }
    o->dirs[o->dir_count++] = p.arg(++i);
  }
  if (i == p.argc()) return false;
  o->file = i;
  return true;
}

// Runs the module's _start; its exit status.
int64_t run(ProgramEnv& p, StringView file, wasm::Store* store, wasm::Instance* instance,
            const WasiHost& host) {
  wasm::Extern start;
  if (!instance->find_export("_start", 6, &start) || start.kind != wasm::ExternKind::Func ||
      start.func->type->param_count != 0 || start.func->type->result_count != 0) {
    stellina::ignore(p.err().print("wasm: {}: no _start function: not a WASI command\n", file), "");
    return kStatusCannotRun;
  }
  const wasm::Trap trap = store->invoke(start.func, nullptr, nullptr);
  if (trap == wasm::Trap::Host && host.exited()) return host.exit_code();
  if (trap == wasm::Trap::None) return 0;
  const char* detail = store->trap_detail();
  stellina::ignore(p.err().print("wasm: {}: trap: {}{}{}\n", file, wasm::trap_message(trap),
                                 detail != nullptr ? ": " : "", detail != nullptr ? detail : ""),
                   "");
  return kStatusTrap;
}

}  // namespace

int64_t program_main(ProgramEnv& p) {
  Options o;
  if (!parse_options(p, &o)) {
    stellina::ignore(p.err().write(kUsage), "");
    return kStatusUsage;
  }
  const StringView file = p.arg(o.file);
  size_t size = 0;
  stellina::Result<uint8_t*> bytes = read_module(p.files(), file, &size);
  if (!bytes.ok()) {
    stellina::ignore(p.err().print("wasm: {}: {}\n", file, stellina::status_name(bytes.error())),
                     "");
    return bytes.error() == abi::kErrNotFound ? kStatusNotFound : kStatusCannotRun;
  }

  static ProgramAllocator allocator;
  const wasm::Limits limits = runner_limits();
  wasm::Fail fail;
  wasm::Module* module = wasm::Module::decode(&allocator, limits, bytes.value(), size, &fail);
  stellina::ignore(stellina::free_pages(bytes.value()), "the engine keeps its own copy");
  if (module == nullptr) {
    stellina::ignore(p.err().print("wasm: {}: {} at byte {}\n", file, fail.message, fail.offset),
                     "");
    return kStatusCannotRun;
  }

  // The module's arguments: its file and what follows it.
  static StringView args[abi::kProgramMaxArgs];
  size_t arg_count = 0;
  for (size_t i = o.file; i < p.argc(); ++i) args[arg_count++] = p.arg(i);
  static WasiHost* host = nullptr;
  stellina::Result<void*> room = stellina::allocate_pages(sizeof(WasiHost));
  if (!room.ok()) return kStatusCannotRun;
  host = new (room.value()) WasiHost(p, args, arg_count);
  for (size_t i = 0; i < o.dir_count; ++i) {
    stellina::Result<void> opened = host->preopen(o.dirs[i], o.dirs[i]);
    if (!opened.ok()) {
      stellina::ignore(
          p.err().print("wasm: --dir {}: {}\n", o.dirs[i], stellina::status_name(opened.error())),
          "");
      return kStatusUsage;
    }
  }
  if (o.dir_count == 0 && !host->preopen(".", ".").ok()) {
    stellina::ignore(p.err().print("wasm: cannot open the current directory\n"), "");
  }

  wasm::Store* store = wasm::Store::create(&allocator, limits);
  const wasm::Import* unlinkable = nullptr;
  wasm::Extern* imports =
      store != nullptr ? link_imports(store, *module, host, &allocator, &unlinkable) : nullptr;
  if (imports == nullptr) {
    if (unlinkable != nullptr) {
      stellina::ignore(
          p.err().print("wasm: {}: cannot link import {}.{}: only functions are provided\n", file,
                        StringView(reinterpret_cast<const char*>(unlinkable->module.data),
                                   unlinkable->module.size),
                        StringView(reinterpret_cast<const char*>(unlinkable->field.data),
                                   unlinkable->field.size)),
          "");
    } else {
      stellina::ignore(p.err().print("wasm: {}: out of memory\n", file), "");
    }
    return kStatusCannotRun;
  }
  wasm::Trap trap = wasm::Trap::None;
  wasm::Instance* instance =
      store->instantiate(*module, imports, module->import_count, &fail, &trap);
  if (instance == nullptr) {
    stellina::ignore(p.err().print("wasm: {}: cannot instantiate: {}\n", file, fail.message), "");
    return trap != wasm::Trap::None ? kStatusTrap : kStatusCannotRun;
  }
  return run(p, file, store, instance, *host);
}
