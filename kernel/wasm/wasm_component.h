#pragma once
// Components in wasm isolation: a component's SDK build for wasm32 (NAME.wasm in the boot
// archive), run by the WebAssembly engine (lib/wasm) on a kernel thread of its own, inside
// an in-kernel process that holds its handles (kernel/wasm/README.md).

#include <lib/result.h>

#include "kernel/spawn.h"

namespace kernel {

// The engine's bounds for one wasm component, beyond which a module is refused (decoding)
// or its execution traps (call depth, value stack) or its memory.grow fails (-1).
struct WasmComponentLimits {
  static constexpr uint32_t kMemoryPages = 256;       // 16 MiB of linear memory
  static constexpr uint32_t kTableElements = 4096;    // per table
  static constexpr uint32_t kCallDepth = 1024;        // nested calls
  static constexpr uint32_t kStackSlots = 16 * 1024;  // 64-bit value slots (128 KiB)
  static constexpr uint32_t kModuleBytes = 4u << 20;  // the module's binary
};

// Starts the wasm component `name` (the boot archive's NAME.wasm) with the same handles in
// the same order as spawn would give it, in silo (empty: the root silo). Its module is
// decoded and run on its thread, which the scheduler preempts like any other and whose FPU
// registers it keeps; everything the engine allocates for it is charged to the silo. A
// refused module, a trap (out-of-bounds access, unreachable, exhausted stack) or a quota the
// engine hits ends the process as a fault (ExitReason::Fault, the trap in its detail).
// Errors: NotFound (no such module), TooLarge (more than kMaxStartupHandles handles),
// NoMemory, NoResources, QuotaExceeded.
lib::Result<Ref<Process>> spawn_in_wasm(const char* name, const SpawnHandle* handles,
                                        size_t handle_count, Ref<Channel> exit_channel,
                                        Ref<Silo> silo = {});
// When a wasm component's instance was made (arch::now_ns), just before its stellina_main
// runs: with the time of the spawn, what starting a component from its module costs (its
// thread's start, decoding, validation, translation, instantiation; bench/ipc's
// wasm_instantiate). 0 until then. Written by the component's thread.
struct WasmStartTimes {
  uint64_t ready_ns = 0;
  uint64_t ready() const { return __atomic_load_n(&ready_ns, __ATOMIC_ACQUIRE); }
};

// The same for a module given as bytes, which must stay unchanged while the component runs
// (the boot archive; the in-kernel tests' modules). times, if given, gets the moment its
// instance is made and must stay valid until its process has ended. Errors: those of
// spawn_in_wasm but NotFound.
lib::Result<Ref<Process>> spawn_wasm_module(const char* name, lib::ByteSpan module,
                                            const SpawnHandle* handles, size_t handle_count,
                                            Ref<Channel> exit_channel, Ref<Silo> silo = {},
                                            WasmStartTimes* times = nullptr);

}  // namespace kernel
