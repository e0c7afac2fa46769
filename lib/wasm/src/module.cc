#include "wasm/module.h"

#include "decoder.h"

namespace wasm {

const char* trap_message(Trap trap) {
  switch (trap) {
    case Trap::None: return "no trap";
    case Trap::Unreachable: return "unreachable";
    case Trap::MemoryOutOfBounds: return "out of bounds memory access";
    case Trap::TableOutOfBounds: return "out of bounds table access";
    case Trap::DivideByZero: return "integer divide by zero";
    case Trap::IntegerOverflow: return "integer overflow";
    case Trap::InvalidConversion: return "invalid conversion to integer";
    case Trap::IndirectCallTypeMismatch: return "indirect call type mismatch";
    case Trap::UndefinedElement: return "undefined element";
    case Trap::UninitializedElement: return "uninitialized element";
    case Trap::CallStackExhausted: return "call stack exhausted";
    case Trap::OutOfFuel: return "out of fuel";
    case Trap::FloatUnsupported: return "floating point is not supported in this build";
    case Trap::Stopped: return "stopped";
    case Trap::Host: return "host function trapped";
  }
  return "unknown trap";
}

Arena::~Arena() {
  while (chunks_ != nullptr) {
    Chunk* next = chunks_->next;
    allocator_->deallocate(chunks_, chunks_->size);
    chunks_ = next;
  }
}

void* Arena::allocate(size_t bytes) {
  bytes = (bytes + 15) & ~size_t{15};
  if (bytes > left_) {
    size_t size = bytes + sizeof(Chunk) > kChunkBytes ? bytes + sizeof(Chunk) + 16 : kChunkBytes;
    auto* chunk = static_cast<Chunk*>(allocator_->allocate(size));
    if (chunk == nullptr) return nullptr;
    chunk->next = chunks_;
    chunk->size = size;
    chunks_ = chunk;
    cursor_ = reinterpret_cast<char*>(chunk) + ((sizeof(Chunk) + 15) & ~size_t{15});
    left_ = size - static_cast<size_t>(cursor_ - reinterpret_cast<char*>(chunk));
  }
  void* p = cursor_;
  cursor_ += bytes;
  left_ -= bytes;
  return p;
}

bool same_signature(const FuncType& a, const FuncType& b) {
  if (a.param_count != b.param_count || a.result_count != b.result_count) return false;
  for (uint32_t i = 0; i < a.param_count; ++i) {
    if (a.params[i] != b.params[i]) return false;
  }
  for (uint32_t i = 0; i < a.result_count; ++i) {
    if (a.results[i] != b.results[i]) return false;
  }
  return true;
}

const Export* Module::find_export(const char* name, size_t length) const {
  for (uint32_t i = 0; i < export_count; ++i) {
    if (exports[i].name.equals(name, length)) return &exports[i];
  }
  return nullptr;
}

Module* Module::decode(Allocator* allocator, const Limits& limits, const uint8_t* bytes,
                       size_t size, Fail* fail) {
  if (size > limits.max_module_bytes) {
    *fail = {"module too large", 0};
    return nullptr;
  }
  void* memory = allocator->allocate(sizeof(Module));
  if (memory == nullptr) {
    *fail = {"out of memory", 0};
    return nullptr;
  }
  auto* module = new (memory) Module(allocator);
  module->limits = limits;
  module->bytes = static_cast<uint8_t*>(module->arena.allocate(size + 1));
  if (module->bytes == nullptr) {
    destroy(module);
    *fail = {"out of memory", 0};
    return nullptr;
  }
  if (size != 0) __builtin_memcpy(module->bytes, bytes, size);
  module->size = size;
  Reader reader(module->bytes, module->bytes + size, module->bytes);
  Decoder decoder(*module, reader);
  if (!decoder.decode()) {
    *fail = {reader.error() != nullptr ? reader.error() : "malformed module",
             reader.error_offset()};
    destroy(module);
    return nullptr;
  }
  return module;
}

void Module::destroy(Module* module) {
  if (module == nullptr) return;
  Allocator* allocator = module->allocator;
  module->~Module();
  allocator->deallocate(module, sizeof(Module));
}

}  // namespace wasm
