#pragma once
// The module decoder: sections in order, each checked against the specification and the
// engine's Limits; function bodies go to the translator (compile_function, compiler.cc).

#include "reader.h"
#include "wasm/module.h"

namespace wasm {

// Validates and translates body `defined` (an index among the module's defined functions)
// of `module`, appending to module.code and module.consts. `body` spans the locals and the
// expression. Returns false with the reason in `fail`.
bool compile_function(Module& module, uint32_t defined, const uint8_t* body, size_t size,
                      Fail* fail);

class Decoder {
 public:
  Decoder(Module& module, Reader& reader) : m_(module), r_(reader) {}
  bool decode();

 private:
  bool section(uint8_t id);
  bool type_section();
  bool import_section();
  bool function_section();
  bool table_section();
  bool memory_section();
  bool global_section();
  bool export_section();
  bool start_section();
  bool elem_section();
  bool data_count_section();
  bool code_section();
  bool data_section();

  bool val_type(ValType* out);
  bool ref_type(ValType* out);
  bool limits(LimitsDecl* out, uint64_t bound, const char* too_big);
  bool table_type(TableType* out);
  bool memory_type(LimitsDecl* out);
  bool global_type(GlobalType* out);
  bool const_expr(ValType expected, ConstExpr* out);
  bool fail(const char* message) { return r_.fail(message); }

  Module& m_;
  Reader& r_;
  bool saw_function_section_ = false;
  uint32_t declared_functions_ = 0;  // by the function section
  uint32_t code_bodies_ = 0;
};

}  // namespace wasm
