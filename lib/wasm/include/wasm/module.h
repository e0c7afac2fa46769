#pragma once
// A decoded, validated and translated WebAssembly module: what decode() makes from a
// binary. Every function body is translated once, here, into the interpreter's internal
// form (see lib/wasm/README.md); instances (instance.h) share it.

#include "wasm/base.h"

namespace wasm {

struct Name {
  const char* data = nullptr;
  uint32_t size = 0;
  bool equals(const char* text, size_t length) const {
    return size == length && (size == 0 || __builtin_memcmp(data, text, size) == 0);
  }
};

struct FuncType {
  uint32_t param_count;
  uint32_t result_count;
  const ValType* params;
  const ValType* results;
  uint32_t canonical;  // the first type index of the module with the same signature
};
bool same_signature(const FuncType& a, const FuncType& b);

struct LimitsDecl {
  uint64_t min;
  uint64_t max;
  bool has_max;
};

struct TableType {
  ValType elem;
  LimitsDecl limits;
};

struct GlobalType {
  ValType type;
  bool mut;
};

// A constant expression of WebAssembly 2.0: one instruction.
struct ConstExpr {
  enum Kind : uint8_t { Value, GlobalGet, RefFunc, RefNull };
  Kind kind;
  uint32_t index;  // GlobalGet, RefFunc
  uint64_t bits;   // Value
};

struct Import {
  Name module;
  Name field;
  ExternKind kind;
  uint32_t index;  // into the kind's index space (functions, tables, memories, globals)
};

struct Export {
  Name name;
  ExternKind kind;
  uint32_t index;
};

enum class SegmentMode : uint8_t { Active, Passive, Declarative };

struct ElemSegment {
  SegmentMode mode;
  ValType type;
  uint32_t table;
  ConstExpr offset;
  uint32_t count;
  const ConstExpr* items;
};

struct DataSegment {
  SegmentMode mode;
  uint32_t memory;
  ConstExpr offset;
  uint32_t size;
  const uint8_t* bytes;
};

// A translated function body.
struct Function {
  uint32_t type;         // type index
  uint32_t param_slots;  // slots holding parameters (one per parameter)
  uint32_t local_slots;  // parameters and declared locals
  uint32_t const_count;  // constants copied into the frame after the locals
  uint32_t frame_slots;  // locals, constants and the deepest operand stack
  uint32_t code;         // offset of the first instruction in Module::code
  uint32_t consts;       // offset of the first constant in Module::consts
};

class Module {
 public:
  // Decodes and validates `bytes` (copied: the caller may free them) and translates every
  // function. On failure returns null and says why in `fail`.
  static Module* decode(Allocator* allocator, const Limits& limits, const uint8_t* bytes,
                        size_t size, Fail* fail);
  static void destroy(Module* module);

  const FuncType& func_type(uint32_t func_index) const { return types[func_types[func_index]]; }
  // The export named `name` of `kind`, or null.
  const Export* find_export(const char* name, size_t length) const;

  Allocator* allocator;
  Limits limits;
  Arena arena;
  uint8_t* bytes = nullptr;  // the module's own copy of its binary (names and data point here)
  size_t size = 0;

  uint32_t type_count = 0;
  FuncType* types = nullptr;
  uint32_t import_count = 0;
  Import* imports = nullptr;
  uint32_t func_count = 0;  // imported functions first
  uint32_t imported_funcs = 0;
  uint32_t* func_types = nullptr;
  Function* functions = nullptr;  // the defined ones: functions[i - imported_funcs]
  uint32_t table_count = 0;
  uint32_t imported_tables = 0;
  TableType* tables = nullptr;
  uint32_t memory_count = 0;
  uint32_t imported_memories = 0;
  LimitsDecl memory = {};  // at most one memory
  uint32_t global_count = 0;
  uint32_t imported_globals = 0;
  GlobalType* global_types = nullptr;
  ConstExpr* global_inits = nullptr;  // for the defined ones, indexed like global_types
  uint32_t export_count = 0;
  Export* exports = nullptr;
  bool has_start = false;
  uint32_t start = 0;
  uint32_t elem_count = 0;
  ElemSegment* elems = nullptr;
  uint32_t data_count = 0;
  DataSegment* datas = nullptr;
  bool has_data_count = false;
  uint8_t* declared_refs = nullptr;  // per function: may be named by ref.func in code

  Vec<uint32_t> code;    // the translated bodies, one after the other
  Vec<uint64_t> consts;  // their constant pools

 private:
  explicit Module(Allocator* a) : allocator(a), arena(a), code(a), consts(a) {}
  friend class Decoder;
};

}  // namespace wasm
