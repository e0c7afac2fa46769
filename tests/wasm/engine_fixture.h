#pragma once
// A test fixture over the engine: decodes and instantiates modules built by the tests, calls
// their exports, and checks at the end that the module and store gave every byte back.

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "malloc_allocator.h"
#include "module_builder.h"
#include "wasm/instance.h"
#include "wasm/module.h"

namespace wasm_test {

class EngineFixture : public ::testing::Test {
 protected:
  void TearDown() override {
    wasm::Store::destroy(store_);
    wasm::Module::destroy(module_);
    EXPECT_EQ(allocator_.outstanding(), 0u);
  }
  // Decodes `bytes`; on failure returns null and keeps the message.
  wasm::Module* decode(const Bytes& bytes) {
    wasm::Module::destroy(module_);
    module_ = wasm::Module::decode(&allocator_, limits_, bytes.data(), bytes.size(), &fail_);
    return module_;
  }
  // Decodes and instantiates `bytes` in the fixture's store (made on first use).
  wasm::Instance* instantiate(const Bytes& bytes, const wasm::Extern* imports = nullptr,
                              uint32_t count = 0) {
    if (decode(bytes) == nullptr) return nullptr;
    if (store_ == nullptr) store_ = wasm::Store::create(&allocator_, limits_);
    wasm::Trap trap;
    return store_->instantiate(*module_, imports, count, &fail_, &trap);
  }
  // Calls export `name` with `args` (at least four slots are passed, zeros past args).
  wasm::Trap call(wasm::Instance* inst, const char* name, std::vector<uint64_t> args,
                  uint64_t* result = nullptr) {
    wasm::Extern e;
    EXPECT_TRUE(inst->find_export(name, std::strlen(name), &e));
    uint64_t results[4] = {};
    if (args.size() < 4) args.resize(4);
    wasm::Trap t = store_->invoke(e.func, args.data(), results);
    if (result != nullptr) *result = results[0];
    return t;
  }
  std::string message() const { return fail_.message != nullptr ? fail_.message : ""; }

  MallocAllocator allocator_;
  wasm::Limits limits_;
  wasm::Module* module_ = nullptr;
  wasm::Store* store_ = nullptr;
  wasm::Fail fail_;
};

}  // namespace wasm_test
