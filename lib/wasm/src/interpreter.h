#pragma once
// The interpreter: runs translated code (ops.h) of one instance.

#include "wasm/instance.h"

namespace wasm {

struct Interpreter {
  // Runs defined function `defined` of `inst` on the frame at `fp` (its arguments in the
  // first slots; its results are left there).
  static Trap execute(Store& store, Instance* inst, uint32_t defined, uint64_t* fp);
  // Item `i` of an element segment, as a reference value.
  static uint64_t elem_item(Instance* inst, const ElemSegment& seg, uint32_t i);
};

}  // namespace wasm
