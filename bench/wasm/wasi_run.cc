// Runs a wasm32-wasi program on Stellina's engine, on the host: the bench's minimal WASI
// preview 1 layer, just what CoreMark and small C programs built with wasi-libc need
// (arguments, environment, clocks, fd_write to stdout and stderr, proc_exit). Every other
// WASI call answers ENOSYS; every pointer is checked against the linear memory. The ABI's
// numbers, layouts and memory accessors are lib/wasm's wasm/wasi.h, which Stellina's own
// runner (programs/wasm) shares.
//
// usage: wasm_wasi_run FILE.wasm [ARGS...]   (exit status: the program's, or 134 on a trap)

#include <time.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "wasm/instance.h"
#include "wasm/module.h"
#include "wasm/wasi.h"

namespace {

namespace wasi = wasm::wasi;
using wasi::answer;
using wasi::arg32;

class MallocAllocator final : public wasm::Allocator {
 public:
  void* allocate(size_t bytes) override { return std::malloc(bytes == 0 ? 1 : bytes); }
  void deallocate(void* ptr, size_t) override { std::free(ptr); }
};

struct Wasi {
  std::vector<std::string> args;
  std::vector<std::string> env;
  bool exited = false;
  int exit_code = 0;
};

Wasi& wasi_of(wasm::HostCall& c) { return *static_cast<Wasi*>(c.context); }

wasm::Trap args_sizes_get(wasm::HostCall& c) {
  return wasi::list_sizes(c, wasi_of(c).args, wasi_of(c).args.size());
}
wasm::Trap args_get(wasm::HostCall& c) {
  return wasi::list_get(c, wasi_of(c).args, wasi_of(c).args.size());
}
wasm::Trap environ_sizes_get(wasm::HostCall& c) {
  return wasi::list_sizes(c, wasi_of(c).env, wasi_of(c).env.size());
}
wasm::Trap environ_get(wasm::HostCall& c) {
  return wasi::list_get(c, wasi_of(c).env, wasi_of(c).env.size());
}

// clock_time_get(id, precision, time*): realtime (0) or monotonic (1), in nanoseconds.
wasm::Trap clock_time_get(wasm::HostCall& c) {
  uint32_t id = arg32(c, 0);
  if (id != wasi::kClockRealtime && id != wasi::kClockMonotonic) return answer(c, wasi::kInval);
  timespec ts{};
  clock_gettime(id == wasi::kClockRealtime ? CLOCK_REALTIME : CLOCK_MONOTONIC, &ts);
  uint64_t ns = static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
  return answer(c, wasi::put_u64(c, arg32(c, 2), ns) ? wasi::kSuccess : wasi::kFault);
}

// fd_write(fd, iovs, iovs_len, nwritten*): stdout and stderr only.
wasm::Trap fd_write(wasm::HostCall& c) {
  uint32_t fd = arg32(c, 0);
  if (fd != 1 && fd != 2) return answer(c, wasi::kBadFd);
  FILE* out = fd == 1 ? stdout : stderr;
  uint32_t count = arg32(c, 2);
  uint32_t written = 0;
  for (uint32_t i = 0; i < count; ++i) {
    uint8_t* data = nullptr;
    uint32_t len = 0;
    if (!wasi::iovec(c, arg32(c, 1), i, &data, &len)) return answer(c, wasi::kFault);
    std::fwrite(data, 1, len, out);
    written += len;
  }
  return answer(c, wasi::put_u32(c, arg32(c, 3), written) ? wasi::kSuccess : wasi::kFault);
}

// fd_fdstat_get(fd, stat*): stdin, stdout and stderr are character devices.
wasm::Trap fd_fdstat_get(wasm::HostCall& c) {
  uint32_t fd = arg32(c, 0);
  if (fd > 2) return answer(c, wasi::kBadFd);
  uint8_t* p = c.bytes(arg32(c, 1), wasi::kFdstatSize);
  if (p == nullptr) return answer(c, wasi::kFault);
  std::memset(p, 0, wasi::kFdstatSize);
  p[0] = wasi::kCharacterDevice;
  std::memset(p + 8, 0xFF, 16);  // every right
  return answer(c, wasi::kSuccess);
}

wasm::Trap fd_close(wasm::HostCall& c) {
  return answer(c, arg32(c, 0) <= 2 ? wasi::kSuccess : wasi::kBadFd);
}
wasm::Trap fd_seek(wasm::HostCall& c) {
  return answer(c, arg32(c, 0) <= 2 ? wasi::kSpipe : wasi::kBadFd);
}
wasm::Trap no_sys(wasm::HostCall& c) { return answer(c, wasi::kNoSys); }

wasm::Trap proc_exit(wasm::HostCall& c) {
  wasi_of(c).exited = true;
  wasi_of(c).exit_code = static_cast<int>(arg32(c, 0));
  c.message = "proc_exit";
  return wasm::Trap::Host;  // unwinds the program; main tells an exit from a trap
}

struct Binding {
  const char* name;
  wasm::HostFunction function;
};
constexpr Binding kBindings[] = {
    {"args_sizes_get", args_sizes_get},
    {"args_get", args_get},
    {"environ_sizes_get", environ_sizes_get},
    {"environ_get", environ_get},
    {"clock_time_get", clock_time_get},
    {"fd_write", fd_write},
    {"fd_fdstat_get", fd_fdstat_get},
    {"fd_close", fd_close},
    {"fd_seek", fd_seek},
    {"proc_exit", proc_exit},
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: wasm_wasi_run FILE.wasm [ARGS...]\n");
    return 2;
  }
  std::ifstream file(argv[1], std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)),
                             std::istreambuf_iterator<char>());
  if (!file && bytes.empty()) {
    std::fprintf(stderr, "wasm_wasi_run: cannot read %s\n", argv[1]);
    return 2;
  }
  MallocAllocator allocator;
  wasm::Limits limits;
  wasm::Fail fail;
  wasm::Module* module =
      wasm::Module::decode(&allocator, limits, bytes.data(), bytes.size(), &fail);
  if (module == nullptr) {
    std::fprintf(stderr, "wasm_wasi_run: %s: %s at byte %u\n", argv[1], fail.message, fail.offset);
    return 2;
  }
  Wasi state;
  for (int i = 1; i < argc; ++i) state.args.emplace_back(argv[i]);
  wasm::Store* store = wasm::Store::create(&allocator, limits);
  std::vector<wasm::Extern> imports;
  for (uint32_t i = 0; i < module->import_count; ++i) {
    const wasm::Import& im = module->imports[i];
    std::string space(im.module.data, im.module.size);
    std::string name(im.field.data, im.field.size);
    if (im.kind != wasm::ExternKind::Func || space != wasi::kModuleName) {
      std::fprintf(stderr, "wasm_wasi_run: unknown import %s.%s\n", space.c_str(), name.c_str());
      return 2;
    }
    wasm::HostFunction function = no_sys;
    for (const Binding& b : kBindings) {
      if (name == b.name) function = b.function;
    }
    wasm::Extern e;
    e.kind = wasm::ExternKind::Func;
    e.func = store->create_host_function(&module->func_type(im.index), function, &state);
    imports.push_back(e);
  }
  wasm::Trap trap;
  wasm::Instance* inst = store->instantiate(*module, imports.data(),
                                            static_cast<uint32_t>(imports.size()), &fail, &trap);
  if (inst == nullptr) {
    std::fprintf(stderr, "wasm_wasi_run: cannot instantiate: %s\n", fail.message);
    return 2;
  }
  wasm::Extern start;
  if (!inst->find_export("_start", 6, &start) || start.kind != wasm::ExternKind::Func) {
    std::fprintf(stderr, "wasm_wasi_run: no _start\n");
    return 2;
  }
  trap = store->invoke(start.func, nullptr, nullptr);
  std::fflush(stdout);
  int status = 0;
  if (trap == wasm::Trap::Host && state.exited) {
    status = state.exit_code;
  } else if (trap != wasm::Trap::None) {
    std::fprintf(stderr, "wasm_wasi_run: trap: %s%s%s\n", wasm::trap_message(trap),
                 store->trap_detail() != nullptr ? ": " : "",
                 store->trap_detail() != nullptr ? store->trap_detail() : "");
    status = 134;
  }
  wasm::Store::destroy(store);
  wasm::Module::destroy(module);
  return status;
}
