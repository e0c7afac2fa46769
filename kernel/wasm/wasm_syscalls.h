#pragma once
// A wasm component's system calls: one import, `stellina.syscall`, of type
// (i32 number, i64 a0, i64 a1, i64 a2, i64 a3, i64 a4, i64 a5) -> i64, served by the
// kernel's own syscall implementations (syscall_dispatch) on the component's in-kernel
// process. The arguments are the SDK's syscall words as a wasm32 program makes them: a
// pointer is an address in the component's linear memory. Each is translated before the
// call: checked to lie wholly inside the linear memory (else kErrFault, never a kernel
// fault) and turned into the kernel address of those bytes; a MessageBuffer, whose fields
// are pointers, is read in its wasm32 layout, translated field by field and written back.
//
// What wasm cannot use is refused with kErrNotSupported: calls that map memory
// (folio_map, folio_unmap, device_map), threads (thread_create, thread_exit: a wasm
// component is one thread), devices (interrupt_*, pci_config, platform_info,
// folio_physical), process_spawn and log_read (their requests hold pointers not translated
// yet). process_exit ends the execution (Trap::Host with WasmCalls::exited()) so the engine
// unwinds and its memory is freed before the thread ends.

#include <stdint.h>

#include <wasm/instance.h>

namespace kernel {

// The state the syscall import needs, one per running component (its HostCall context).
class WasmCalls {
 public:
  // The import's function type, to make the host function with.
  static const wasm::FuncType& import_type();
  // The host function behind `stellina.syscall`; context: a WasmCalls.
  static wasm::Trap call(wasm::HostCall& call);

  bool exited() const { return exited_; }
  int64_t exit_code() const { return exit_code_; }
  // The process was killed during a call: the execution stopped (Trap::Host).
  bool killed() const { return killed_; }

 private:
  int64_t dispatch(wasm::Memory& memory, uint32_t number, const uint64_t* args);

  bool exited_ = false;
  int64_t exit_code_ = 0;
  bool killed_ = false;
};

}  // namespace kernel
