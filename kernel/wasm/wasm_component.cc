#include "kernel/wasm/wasm_component.h"

#include <stellina/startup.h>
#include <wasm/instance.h>

#include "kernel/arch.h"
#include "kernel/heap.h"
#include "kernel/log.h"
#include "kernel/thread.h"
#include "kernel/wasm/engine_allocator.h"
#include "kernel/wasm/wasm_syscalls.h"

namespace kernel {
namespace {

namespace abi = stellina::abi;

// The engine's limits for a component: the defaults for what a module declares, the
// component's own for what it uses at run time. Metered, so its stop flag is seen at every
// function entry and loop head.
wasm::Limits component_limits() {
  wasm::Limits limits;
  limits.max_module_bytes = WasmComponentLimits::kModuleBytes;
  limits.max_memory_pages = WasmComponentLimits::kMemoryPages;
  limits.max_table_size = WasmComponentLimits::kTableElements;
  limits.max_call_depth = WasmComponentLimits::kCallDepth;
  limits.max_stack_slots = WasmComponentLimits::kStackSlots;
  limits.metered = true;
  return limits;
}

struct WasmStart {
  lib::ByteSpan module;
  abi::StartupBlock block;
  WasmStartTimes* times;  // or null
};

// How a run ended: an exit with a code, or a fault with what went wrong.
struct Outcome {
  ExitReason reason;
  int64_t code;
  const char* detail;
};

Outcome fault(const char* detail) { return {ExitReason::Fault, -1, detail}; }

// What the engine made for one run, given back whatever way the run ends.
class Run {
 public:
  explicit Run(EngineAllocator* allocator) : allocator_(allocator) {}
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;
  ~Run() {
    if (store_) wasm::Store::destroy(store_);
    if (module_) wasm::Module::destroy(module_);
  }

  Outcome execute(const WasmStart& start, const volatile bool* stop) {
    const wasm::Limits limits = component_limits();
    wasm::Fail fail;
    module_ = wasm::Module::decode(allocator_, limits, start.module.data, start.module.size, &fail);
    if (!module_) return fault(fail.message);
    store_ = wasm::Store::create(allocator_, limits);
    if (!store_) return fault("out of memory");
    store_->set_fuel(INT64_MAX);
    store_->set_stop_flag(stop);
    wasm::Extern imports[1];
    if (!link(imports, &fail)) return fault(fail.message);
    wasm::Trap trap = wasm::Trap::None;
    wasm::Instance* instance =
        store_->instantiate(*module_, imports, module_->import_count, &fail, &trap);
    if (!instance) return trap == wasm::Trap::None ? fault(fail.message) : ended_by(trap);
    uint64_t block_address = 0;
    trap = call_export(*instance, "stellina_startup_block", &block_address);
    if (trap != wasm::Trap::None) return ended_by(trap);
    if (!write_block(*instance, static_cast<uint32_t>(block_address), start.block))
      return fault("startup block outside linear memory");
    if (start.times) __atomic_store_n(&start.times->ready_ns, arch::now_ns(), __ATOMIC_RELEASE);
    uint64_t code = 0;
    trap = call_export(*instance, "stellina_main", &code);
    if (trap != wasm::Trap::None) return ended_by(trap);
    return {ExitReason::Exited, static_cast<int64_t>(code), "exit"};
  }

 private:
  // Every import must be the syscall function.
  bool link(wasm::Extern* imports, wasm::Fail* fail) {
    if (module_->import_count > 1) {
      *fail = {"a wasm component imports only stellina.syscall", 0};
      return false;
    }
    if (module_->import_count == 0) return true;
    const wasm::Import& import = module_->imports[0];
    if (import.kind != wasm::ExternKind::Func || !import.module.equals("stellina", 8) ||
        !import.field.equals("syscall", 7)) {
      *fail = {"a wasm component imports only stellina.syscall", 0};
      return false;
    }
    wasm::FuncRef* syscall =
        store_->create_host_function(&WasmCalls::import_type(), WasmCalls::call, &calls_);
    if (!syscall) {
      *fail = {"out of memory", 0};
      return false;
    }
    imports[0].kind = wasm::ExternKind::Func;
    imports[0].func = syscall;
    return true;
  }

  wasm::Trap call_export(wasm::Instance& instance, const char* name, uint64_t* result) {
    wasm::Extern found;
    if (!instance.find_export(name, __builtin_strlen(name), &found) ||
        found.kind != wasm::ExternKind::Func || found.func->type->param_count != 0 ||
        found.func->type->result_count != 1) {
      missing_ = name;
      return wasm::Trap::Host;
    }
    return store_->invoke(found.func, nullptr, result);
  }

  static bool write_block(wasm::Instance& instance, uint32_t address,
                          const abi::StartupBlock& block) {
    wasm::Memory* memory = instance.memory();
    if (!memory || address > memory->size || sizeof(block) > memory->size - address) return false;
    __builtin_memcpy(memory->data + address, &block, sizeof(block));
    return true;
  }

  Outcome ended_by(wasm::Trap trap) {
    if (missing_) return fault("a wasm component exports stellina_startup_block and stellina_main");
    if (trap == wasm::Trap::Host && calls_.exited())
      return {ExitReason::Exited, calls_.exit_code(), "exit"};
    if ((trap == wasm::Trap::Host && calls_.killed()) || trap == wasm::Trap::Stopped)
      return {ExitReason::Killed, -1, "killed"};
    return fault(wasm::trap_message(trap));
  }

  EngineAllocator* allocator_;
  WasmCalls calls_;
  wasm::Module* module_ = nullptr;
  wasm::Store* store_ = nullptr;
  const char* missing_ = nullptr;
};

// The component's thread: runs the module to its end, gives back all the engine took, then
// ends the process as the run ended (a process already ended by someone else stays so).
void wasm_component_thread(void* arg) {
  const WasmStart start = *static_cast<WasmStart*>(arg);
  heap::free(arg);
  Thread* self = sched::current();
  Process* process = self->process();
  Outcome outcome;
  {
    EngineAllocator allocator(Ref<Silo>(&process->silo()));
    Run run(&allocator);
    outcome = run.execute(start, self->killed_flag());
  }
  if (outcome.reason == ExitReason::Fault) {
    log_warn("process '{}' killed: wasm trap: {}", process->name(), outcome.detail);
  }
  {
    SpinlockGuard guard(sched_lock);
    process->terminate(outcome.code, outcome.reason, outcome.detail, 0, 0);
  }
  thread_exit(static_cast<int>(outcome.code));
}

// NAME.wasm in the boot archive.
lib::Result<lib::ByteSpan> find_module(const char* name) {
  char file[48];
  size_t n = 0;
  while (name[n] && n < 31) {
    file[n] = name[n];
    ++n;
  }
  if (name[n]) return lib::Error::NotFound;
  __builtin_memcpy(file + n, ".wasm", 6);
  return boot_archive_file(file);
}

}  // namespace

lib::Result<Ref<Process>> spawn_in_wasm(const char* name, const SpawnHandle* handles,
                                        size_t handle_count, Ref<Channel> exit_channel,
                                        Ref<Silo> silo) {
  const lib::ByteSpan module = TRY(find_module(name));
  return spawn_wasm_module(name, module, handles, handle_count,
                           static_cast<Ref<Channel>&&>(exit_channel),
                           static_cast<Ref<Silo>&&>(silo));
}

lib::Result<Ref<Process>> spawn_wasm_module(const char* name, lib::ByteSpan module,
                                            const SpawnHandle* handles, size_t handle_count,
                                            Ref<Channel> exit_channel, Ref<Silo> silo,
                                            WasmStartTimes* times) {
  if (handle_count > abi::kMaxStartupHandles) return lib::Error::TooLarge;
  Ref<Process> process = Ref<Process>::adopt(TRY(Process::create_in_kernel(
      name, static_cast<Ref<Channel>&&>(exit_channel), static_cast<Ref<Silo>&&>(silo))));
  auto* start = static_cast<WasmStart*>(TRY(heap::alloc(sizeof(WasmStart))));
  *start = WasmStart{module, {}, times};
  TRY(start_kernel_thread(*process, handles, handle_count, start->block, wasm_component_thread,
                          start, true));
  return process;
}

}  // namespace kernel
