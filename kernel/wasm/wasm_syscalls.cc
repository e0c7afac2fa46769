#include "kernel/wasm/wasm_syscalls.h"

#include <stellina/messages.h>
#include <stellina/process.h>
#include <stellina/silo.h>
#include <stellina/syscalls.h>
#include <stellina/sysinfo.h>
#include <stellina/types.h>

#include "kernel/arch_hooks.h"
#include "kernel/process.h"
#include "kernel/sched.h"
#include "kernel/thread.h"

namespace kernel {
namespace {

namespace abi = stellina::abi;

// A MessageBuffer as a wasm32 program lays it out: its pointers are 32-bit addresses.
struct Wasm32MessageBuffer {
  uint32_t kind;
  uint32_t reserved;
  uint64_t call_id;
  uint32_t data;
  uint32_t data_size;
  uint32_t data_capacity;
  uint32_t handles;
  uint32_t handle_count;
  uint32_t handle_capacity;
};
static_assert(sizeof(Wasm32MessageBuffer) == 40);

// How the syscall treats each argument word.
enum class Arg : uint8_t {
  Value,     // a number or a handle: passed as it is
  Bytes,     // an address, with the byte count in the next argument
  Fixed,     // an address of `size` bytes
  Optional,  // the same, or 0 for none
  Array,     // an address of `size`-byte elements, their count in the next argument
  Message,   // a MessageBuffer, in its wasm32 layout
};

struct CallShape {
  bool supported;
  Arg args[6];
  uint32_t size;  // of what a Fixed, Optional or Array argument points to
};

constexpr CallShape kUnsupported = {false, {}, 0};
constexpr CallShape values() { return {true, {}, 0}; }
constexpr CallShape pointer_at(unsigned index, Arg kind, uint32_t size) {
  CallShape shape{true, {}, size};
  shape.args[index] = kind;
  return shape;
}

// Indexed by syscall number (abi/syscalls.toml).
constexpr CallShape shape_of(uint32_t number) {
  switch (number) {
    case abi::kSysLogWrite: return pointer_at(1, Arg::Bytes, 1);
    case abi::kSysHandleClose:
    case abi::kSysHandleDuplicate: return values();
    case abi::kSysHandleQuery: return pointer_at(1, Arg::Fixed, sizeof(abi::HandleInfo));
    case abi::kSysChannelCreate: return pointer_at(0, Arg::Fixed, 2 * sizeof(abi::Handle));
    case abi::kSysChannelSend:
    case abi::kSysChannelRecv:
    case abi::kSysChannelCall: return pointer_at(1, Arg::Message, 0);
    case abi::kSysObjectWait: return pointer_at(3, Arg::Optional, sizeof(uint32_t));
    case abi::kSysClockNow:
    case abi::kSysPollCreate:
    case abi::kSysPollAdd:
    case abi::kSysPollRemove: return values();
    case abi::kSysPollWait: return pointer_at(1, Arg::Array, sizeof(abi::PollEvent));
    case abi::kSysTimerCreate:
    case abi::kSysTimerSet:
    case abi::kSysFolioCreate:
    case abi::kSysFolioSize: return values();
    case abi::kSysSiloCreate:
    case abi::kSysSiloSetLimits: return pointer_at(1, Arg::Fixed, sizeof(abi::SiloLimits));
    case abi::kSysSiloStats: return pointer_at(1, Arg::Fixed, sizeof(abi::SiloStats));
    case abi::kSysProcessKill: return values();
    case abi::kSysProcessInfo: return pointer_at(1, Arg::Fixed, sizeof(abi::ProcessInfo));
    case abi::kSysMemoryInfo: return pointer_at(1, Arg::Fixed, sizeof(abi::MemoryInfo));
    case abi::kSysClockWall:
    case abi::kSysSystemPower: return values();
    default: return kUnsupported;
  }
}

// The `length` bytes at `address` in memory, or null when they are not all inside it.
uint8_t* in_memory(wasm::Memory& memory, uint64_t address, uint64_t length) {
  if (address > memory.size || length > memory.size - address) return nullptr;
  return memory.data + address;
}

// A message's pointers translated: what the kernel reads and writes in place of the wasm32
// buffer, which gets the results back afterwards.
class TranslatedMessage {
 public:
  // False when the buffer or what it points to is not inside memory.
  bool read(wasm::Memory& memory, uint64_t address) {
    wasm_ = in_memory(memory, address, sizeof(Wasm32MessageBuffer));
    if (!wasm_) return false;
    Wasm32MessageBuffer m;
    __builtin_memcpy(&m, wasm_, sizeof(m));
    const uint64_t data_bytes = m.data_size > m.data_capacity ? m.data_size : m.data_capacity;
    const uint64_t handle_count =
        m.handle_count > m.handle_capacity ? m.handle_count : m.handle_capacity;
    uint8_t* data = in_memory(memory, m.data, data_bytes);
    uint8_t* handles = in_memory(memory, m.handles, handle_count * sizeof(abi::Handle));
    if (!data || !handles) return false;
    kernel_ = abi::MessageBuffer{static_cast<abi::MessageKind>(m.kind),
                                 m.reserved,
                                 m.call_id,
                                 data,
                                 m.data_size,
                                 m.data_capacity,
                                 reinterpret_cast<abi::Handle*>(handles),
                                 m.handle_count,
                                 m.handle_capacity};
    return true;
  }
  abi::MessageBuffer* kernel_buffer() { return &kernel_; }
  // The kernel's results (kind, call id, sizes and counts) into the wasm32 buffer.
  void write_back() {
    Wasm32MessageBuffer m;
    __builtin_memcpy(&m, wasm_, sizeof(m));
    m.kind = static_cast<uint32_t>(kernel_.kind);
    m.reserved = kernel_.reserved;
    m.call_id = kernel_.call_id;
    m.data_size = kernel_.data_size;
    m.handle_count = kernel_.handle_count;
    __builtin_memcpy(wasm_, &m, sizeof(m));
  }

 private:
  uint8_t* wasm_ = nullptr;
  abi::MessageBuffer kernel_ = {};
};

// Turns the pointer arguments of words into kernel addresses (message: where a Message
// argument's translation goes). False when one is outside memory.
bool translate(const CallShape& shape, wasm::Memory& memory, uint64_t* words,
               TranslatedMessage* message, bool* has_message) {
  for (unsigned i = 0; i < 6; ++i) {
    const uint64_t address = words[i];
    uint8_t* translated = nullptr;
    switch (shape.args[i]) {
      case Arg::Value: continue;
      case Arg::Bytes: translated = in_memory(memory, address, i < 5 ? words[i + 1] : 0); break;
      case Arg::Fixed: translated = in_memory(memory, address, shape.size); break;
      case Arg::Optional:
        if (address == 0) continue;
        translated = in_memory(memory, address, shape.size);
        break;
      case Arg::Array: {
        const uint64_t count = i < 5 ? words[i + 1] : 0;
        if (count > UINT32_MAX) return false;
        translated = in_memory(memory, address, count * shape.size);
        break;
      }
      case Arg::Message:
        if (!message->read(memory, address)) return false;
        *has_message = true;
        words[i] = reinterpret_cast<uint64_t>(message->kernel_buffer());
        continue;
    }
    if (!translated) return false;
    words[i] = reinterpret_cast<uint64_t>(translated);
  }
  return true;
}

constexpr wasm::ValType kParams[] = {wasm::ValType::I32, wasm::ValType::I64, wasm::ValType::I64,
                                     wasm::ValType::I64, wasm::ValType::I64, wasm::ValType::I64,
                                     wasm::ValType::I64};
constexpr wasm::ValType kResults[] = {wasm::ValType::I64};
const wasm::FuncType kImportType = {7, 1, kParams, kResults, 0};

// Whether the calling thread must stop: its process is ending.
bool ending() {
  Thread* self = sched::current();
  SpinlockGuard guard(sched_lock);
  return self->killed() || self->process()->terminated();
}

}  // namespace

const wasm::FuncType& WasmCalls::import_type() { return kImportType; }

wasm::Trap WasmCalls::call(wasm::HostCall& call) {
  auto* self = static_cast<WasmCalls*>(call.context);
  wasm::Memory* memory = call.memory();
  const auto number = static_cast<uint32_t>(call.slots[0]);
  if (number == abi::kSysProcessExit) {
    self->exited_ = true;
    self->exit_code_ = static_cast<int64_t>(call.slots[1]);
    call.message = "process_exit";
    return wasm::Trap::Host;
  }
  const int64_t result =
      memory ? self->dispatch(*memory, number, call.slots + 1) : int64_t{abi::kErrNotSupported};
  if (ending()) {
    self->killed_ = true;
    call.message = "the process was ended";
    return wasm::Trap::Host;
  }
  call.slots[0] = static_cast<uint64_t>(result);
  return wasm::Trap::None;
}

int64_t WasmCalls::dispatch(wasm::Memory& memory, uint32_t number, const uint64_t* args) {
  const CallShape shape = shape_of(number);
  if (!shape.supported) return abi::kErrNotSupported;
  uint64_t words[6];
  for (unsigned i = 0; i < 6; ++i) words[i] = args[i];
  TranslatedMessage message;
  bool has_message = false;
  if (!translate(shape, memory, words, &message, &has_message)) return abi::kErrFault;
  const int64_t result =
      syscall_dispatch(number, words[0], words[1], words[2], words[3], words[4], words[5]);
  if (has_message) message.write_back();
  return result;
}

}  // namespace kernel
