// libFuzzer target: instantiates and runs fuzzed modules that decode (lib/wasm). Imports
// are satisfied with host functions that return zeros and with fresh memories, tables and
// globals; every exported function is called with zero arguments under a fuel limit, so a
// loop ends in Trap::OutOfFuel rather than a hang. Small limits keep each input fast.

#include <cstdint>
#include <cstdlib>
#include <vector>

#include "wasm/instance.h"
#include "wasm/module.h"

namespace {

class MallocAllocator final : public wasm::Allocator {
 public:
  void* allocate(size_t bytes) override { return std::malloc(bytes == 0 ? 1 : bytes); }
  void deallocate(void* ptr, size_t) override { std::free(ptr); }
};

wasm::Trap zeros(wasm::HostCall& call) {
  // The slots hold the arguments; as many results as the type has are zeroed.
  const auto* type = static_cast<const wasm::FuncType*>(call.context);
  for (uint32_t i = 0; i < type->result_count; ++i) call.slots[i] = 0;
  return wasm::Trap::None;
}

bool resolve(wasm::Store* store, const wasm::Module& m, std::vector<wasm::Extern>* out) {
  for (uint32_t i = 0; i < m.import_count; ++i) {
    const wasm::Import& im = m.imports[i];
    wasm::Extern e;
    e.kind = im.kind;
    switch (im.kind) {
      case wasm::ExternKind::Func: {
        const wasm::FuncType* type = &m.func_type(im.index);
        e.func = store->create_host_function(type, zeros, const_cast<wasm::FuncType*>(type));
        break;
      }
      case wasm::ExternKind::Table: e.table = store->create_table(m.tables[im.index], 0); break;
      case wasm::ExternKind::Memory: e.memory = store->create_memory(m.memory); break;
      case wasm::ExternKind::Global:
        e.global = store->create_global(m.global_types[im.index], 0);
        break;
    }
    if (e.func == nullptr) return false;  // a limit refused it (the union's members alias)
    out->push_back(e);
  }
  return true;
}

}  // namespace

// libFuzzer's entry point, named by libFuzzer.
// NOLINTNEXTLINE(readability-identifier-naming)
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  MallocAllocator allocator;
  wasm::Limits limits;
  limits.metered = true;
  limits.max_memory_pages = 16;
  limits.max_table_size = 10000;
  limits.max_call_depth = 1000;
  limits.max_stack_slots = 1u << 16;
  wasm::Fail fail;
  wasm::Module* module = wasm::Module::decode(&allocator, limits, data, size, &fail);
  if (module == nullptr) return 0;
  wasm::Store* store = wasm::Store::create(&allocator, limits);
  std::vector<wasm::Extern> imports;
  if (store != nullptr && resolve(store, *module, &imports)) {
    wasm::Trap trap;
    store->set_fuel(100000);
    wasm::Instance* inst = store->instantiate(*module, imports.data(),
                                              static_cast<uint32_t>(imports.size()), &fail, &trap);
    for (uint32_t i = 0; inst != nullptr && i < module->export_count; ++i) {
      const wasm::Export& e = module->exports[i];
      if (e.kind != wasm::ExternKind::Func) continue;
      wasm::FuncRef* f = inst->function(e.index);
      std::vector<uint64_t> args(f->type->param_count + 1, 0);
      std::vector<uint64_t> results(f->type->result_count + 1, 0);
      store->set_fuel(100000);
      (void)store->invoke(f, args.data(), results.data());
    }
  }
  wasm::Store::destroy(store);
  wasm::Module::destroy(module);
  return 0;
}
