#pragma once
// Run-time objects: a Store owns memories, tables, globals, functions and the instances of
// modules, and the stacks that execution runs on. Everything a store made lives until the
// store is destroyed, so objects shared between instances (an exported memory imported by
// another module) need no reference counting.
//
// The host-call interface. A host function is a HostFunction plus a context pointer, given
// a type when it is made (Store::create_host_function) and passed to an instance as an
// import. When wasm code calls it, it receives a HostCall: its context, the calling
// instance (whose linear memory it may read and write through memory(), every access
// checked against the memory's size), and the argument slots, into which it writes its
// results. Returning a Trap other than None stops the execution with that trap; a host
// function sets HostCall::message to say why (Trap::Host). This is the whole surface WASI
// and kernel syscalls need: resolve imports by name to host functions with a context, check
// pointers against linear memory, report failure as a trap.

#include "wasm/module.h"

namespace wasm {

class Instance;
class Store;

struct Memory {
  uint8_t* data;
  uint64_t size;  // bytes: pages * 64 KiB
  uint32_t pages;
  uint32_t max_pages;  // the declared maximum, or the store's limit if lower
  bool has_max;        // a maximum was declared (import matching compares them)
  uint32_t declared_max;
  uint64_t capacity;  // bytes allocated
  Memory* next;       // the store's list of the memories it owns
};

struct Table {
  uint64_t* elements;  // references: 0 is null
  uint32_t size;
  uint32_t max;  // the declared maximum, or the store's limit if lower
  uint32_t capacity;
  bool has_max;
  uint32_t declared_max;
  ValType type;
  Table* next;  // the store's list of the tables it owns
};

struct Global {
  uint64_t value;
  GlobalType type;
};

struct HostCall;
using HostFunction = Trap (*)(HostCall& call);

// A function as a value: what tables hold (as a pointer) and what imports and exports name.
struct FuncRef {
  const FuncType* type;
  Instance* instance;  // a wasm function's instance; null for a host function
  uint32_t defined;    // a wasm function's index among its module's defined functions
  HostFunction host;
  void* context;
};

struct HostCall {
  void* context;
  Instance* caller;  // null when the host called the host function itself
  uint64_t* slots;   // arguments on entry; results on return
  const char* message = nullptr;

  Memory* memory() const;
  // The `length` bytes at `address` in the caller's memory, or null when they are not all
  // inside it.
  uint8_t* bytes(uint64_t address, uint64_t length) const;
};

struct Extern {
  ExternKind kind;
  union {
    FuncRef* func;
    Table* table;
    Memory* memory;
    Global* global;
  };
};

class Instance {
 public:
  const Module& module() const { return *module_; }
  // The export named `name`; false when there is none.
  bool find_export(const char* name, size_t length, Extern* out) const;
  Memory* memory() const { return memory_; }
  FuncRef* function(uint32_t index) const { return funcs_[index]; }

 private:
  friend class Store;
  friend struct Interpreter;
  const Module* module_ = nullptr;
  Store* store_ = nullptr;
  FuncRef** funcs_ = nullptr;
  Table** tables_ = nullptr;
  Memory* memory_ = nullptr;
  Global** globals_ = nullptr;
  uint8_t* dropped_elems_ = nullptr;
  uint8_t* dropped_datas_ = nullptr;
};

class Store {
 public:
  static Store* create(Allocator* allocator, const Limits& limits);
  static void destroy(Store* store);

  Memory* create_memory(const LimitsDecl& limits);
  Table* create_table(const TableType& type, uint64_t init);
  Global* create_global(const GlobalType& type, uint64_t value);
  FuncRef* create_host_function(const FuncType* type, HostFunction host, void* context);

  // Links `module` with `imports` (one per import, in order), initializes its globals,
  // tables and memory and runs its start function. On a link error returns null with
  // `fail` set and `*trap` None; when a segment or the start function traps, returns null
  // with `*trap` set (what the segments wrote before it stays written, as the specification
  // says).
  Instance* instantiate(const Module& module, const Extern* imports, uint32_t import_count,
                        Fail* fail, Trap* trap);

  // Calls `func` with arguments in `args` (one 64-bit slot each) and writes its results to
  // `results`. Returns the trap that stopped it, or Trap::None.
  Trap invoke(FuncRef* func, const uint64_t* args, uint64_t* results);
  const char* trap_detail() const { return trap_detail_; }

  // Metering: each function entry and loop iteration costs one unit while fuel is set.
  void set_fuel(int64_t fuel) { fuel_ = fuel; }
  int64_t fuel() const { return fuel_; }
  // A flag another thread may raise to stop a metered execution: checked where fuel is
  // counted (function entries and loop heads), it ends the execution with Trap::Stopped. The
  // kernel raises it to end a component whose code loops without calling the host.
  void set_stop_flag(const volatile bool* flag) { stop_flag_ = flag; }

  Allocator* allocator() const { return allocator_; }
  const Limits& limits() const { return limits_; }

  bool grow_memory(Memory* memory, uint32_t delta, uint32_t* old_pages);
  bool grow_table(Table* table, uint32_t delta, uint64_t init, uint32_t* old_size);

 private:
  friend struct Interpreter;
  Store(Allocator* allocator, const Limits& limits)
      : allocator_(allocator), limits_(limits), arena_(allocator) {}
  ~Store();
  bool ensure_stack();
  Trap call(FuncRef* func, uint64_t* fp, Instance* caller);
  Trap init_segments(Instance* instance);

  struct Frame {
    const uint32_t* pc;
    uint64_t* fp;
  };

  Allocator* allocator_;
  Limits limits_;
  Arena arena_;
  Memory* memories_ = nullptr;
  Table* tables_ = nullptr;
  uint64_t* slots_ = nullptr;  // the value stack
  uint64_t* slots_end_ = nullptr;
  Frame* frames_ = nullptr;  // the call stack
  uint32_t depth_ = 0;
  uint32_t host_depth_ = 0;  // nesting of interpreter activations on the native stack
  int64_t fuel_ = 0;
  const volatile bool* stop_flag_ = nullptr;
  const char* trap_detail_ = nullptr;
};

}  // namespace wasm
