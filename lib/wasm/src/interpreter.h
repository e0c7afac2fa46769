#pragma once
// The interpreter: runs translated code (ops.h) of one instance.

#include "wasm/instance.h"

namespace wasm {

struct Interpreter {
  // Runs defined function `defined` of `inst` on the frame at `fp` (its arguments in the
  // first slots; its results are left there).
  static Trap execute(Store& store, Instance* inst, uint32_t defined, uint64_t* fp);
  // The word that stands for each instruction (ops.h) in translated code: its handler's
  // offset from the first handler, so dispatch is one add and one indirect jump.
  static const int32_t* handlers();
  // Item `i` of an element segment, as a reference value.
  static uint64_t elem_item(Instance* inst, const ElemSegment& seg, uint32_t i);

 private:
  // execute(), or with a null store, fills `offsets` with the handlers' offsets.
  static Trap run(Store* store, Instance* inst, uint32_t defined, uint64_t* fp, int32_t* offsets);
};

}  // namespace wasm
