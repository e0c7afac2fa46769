// libFuzzer target: the WebAssembly decoder and validator (lib/wasm). Any input must be
// either refused with a message or decoded into a module that is then freed, with every
// allocation given back; never a crash, a sanitizer report or a hang.

#include <cstdint>
#include <cstdlib>

#include "wasm/module.h"

namespace {

class CountingAllocator final : public wasm::Allocator {
 public:
  void* allocate(size_t bytes) override {
    outstanding += bytes;
    return std::malloc(bytes == 0 ? 1 : bytes);
  }
  void deallocate(void* ptr, size_t bytes) override {
    outstanding -= bytes;
    std::free(ptr);
  }
  size_t outstanding = 0;
};

}  // namespace

// libFuzzer's entry point, named by libFuzzer.
// NOLINTNEXTLINE(readability-identifier-naming)
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CountingAllocator allocator;
  wasm::Limits limits;
  wasm::Fail fail;
  wasm::Module* module = wasm::Module::decode(&allocator, limits, data, size, &fail);
  if (module == nullptr && fail.message == nullptr) std::abort();  // a refusal says why
  wasm::Module::destroy(module);
  if (allocator.outstanding != 0) std::abort();
  return 0;
}
