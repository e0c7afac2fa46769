// The interpreter loop: direct threading with computed goto, one handler per internal
// instruction. Registers: pc (the next word of code), fp (the frame's slots), the linear
// memory's base and size (reloaded after anything that may grow it). Calls within the
// instance push a Frame and continue in the same loop; calls to host functions or other
// instances go through Store::call, which recurses at most kMaxHostDepth deep.

#include "interpreter.h"

#include "numeric.h"
#include "ops.h"

namespace wasm {

namespace {

template <typename T>
inline T load(const uint8_t* p) {
  T v;
  __builtin_memcpy(&v, p, sizeof(T));
  return v;
}
template <typename T>
inline void store(uint8_t* p, T v) {
  __builtin_memcpy(p, &v, sizeof(T));
}

// Load and store semantics, named after the instructions (ops.h) for the handlers' macros.
// NOLINTBEGIN(readability-identifier-naming)
inline uint64_t ext_I32Load(const uint8_t* p) { return load<uint32_t>(p); }
inline uint64_t ext_I64Load(const uint8_t* p) { return load<uint64_t>(p); }
inline uint64_t ext_F32Load(const uint8_t* p) { return load<uint32_t>(p); }
inline uint64_t ext_F64Load(const uint8_t* p) { return load<uint64_t>(p); }
inline uint64_t ext_I32Load8S(const uint8_t* p) {
  return static_cast<uint32_t>(int32_t{load<int8_t>(p)});
}
inline uint64_t ext_I32Load8U(const uint8_t* p) { return load<uint8_t>(p); }
inline uint64_t ext_I32Load16S(const uint8_t* p) {
  return static_cast<uint32_t>(int32_t{load<int16_t>(p)});
}
inline uint64_t ext_I32Load16U(const uint8_t* p) { return load<uint16_t>(p); }
inline uint64_t ext_I64Load8S(const uint8_t* p) {
  return static_cast<uint64_t>(int64_t{load<int8_t>(p)});
}
inline uint64_t ext_I64Load8U(const uint8_t* p) { return load<uint8_t>(p); }
inline uint64_t ext_I64Load16S(const uint8_t* p) {
  return static_cast<uint64_t>(int64_t{load<int16_t>(p)});
}
inline uint64_t ext_I64Load16U(const uint8_t* p) { return load<uint16_t>(p); }
inline uint64_t ext_I64Load32S(const uint8_t* p) {
  return static_cast<uint64_t>(int64_t{load<int32_t>(p)});
}
inline uint64_t ext_I64Load32U(const uint8_t* p) { return load<uint32_t>(p); }

inline void put_I32Store(uint8_t* p, uint64_t v) { store<uint32_t>(p, static_cast<uint32_t>(v)); }
inline void put_I64Store(uint8_t* p, uint64_t v) { store<uint64_t>(p, v); }
inline void put_F32Store(uint8_t* p, uint64_t v) { store<uint32_t>(p, static_cast<uint32_t>(v)); }
inline void put_F64Store(uint8_t* p, uint64_t v) { store<uint64_t>(p, v); }
inline void put_I32Store8(uint8_t* p, uint64_t v) { store<uint8_t>(p, static_cast<uint8_t>(v)); }
inline void put_I32Store16(uint8_t* p, uint64_t v) { store<uint16_t>(p, static_cast<uint16_t>(v)); }
inline void put_I64Store8(uint8_t* p, uint64_t v) { store<uint8_t>(p, static_cast<uint8_t>(v)); }
inline void put_I64Store16(uint8_t* p, uint64_t v) { store<uint16_t>(p, static_cast<uint16_t>(v)); }
inline void put_I64Store32(uint8_t* p, uint64_t v) { store<uint32_t>(p, static_cast<uint32_t>(v)); }

// NOLINTEND(readability-identifier-naming)

// The checked signature test of call_indirect: identical types of one module compare by
// their canonical index, others structurally.
inline bool signature_matches(const Module& m, uint32_t type_index, const FuncRef* f) {
  const FuncType& want = m.types[type_index];
  if (f->instance != nullptr && &f->instance->module() == &m) {
    return f->type->canonical == want.canonical;
  }
  return same_signature(want, *f->type);
}

// memory.init, memory.copy, memory.fill, table.*: bounds first, then the whole operation.
inline bool range_ok(uint64_t start, uint64_t length, uint64_t size) {
  return start <= size && length <= size - start;
}

}  // namespace

Trap Interpreter::execute(Store& st, Instance* inst, uint32_t defined, uint64_t* fp) {
  return run(&st, inst, defined, fp, nullptr);
}

const int32_t* Interpreter::handlers() {
  static int32_t offsets[kOpCount];
  static bool ready = false;
  if (!ready) {
    run(nullptr, nullptr, 0, nullptr, offsets);
    ready = true;
  }
  return offsets;
}

Trap Interpreter::run(Store* store, Instance* inst, uint32_t defined, uint64_t* fp,
                      int32_t* offsets) {
  static const void* const labels[] = {
#define WASM_LABEL(name, ...) &&L_##name,
#define WASM_LABEL1(name) &&L_##name,
      WASM_CONTROL_OPS(WASM_LABEL1) WASM_UNARY_I(WASM_LABEL) WASM_BINARY_I(WASM_LABEL)
          WASM_BINARY_T(WASM_LABEL) WASM_UNARY_F(WASM_LABEL) WASM_BINARY_F(WASM_LABEL)
              WASM_UNARY_FT(WASM_LABEL) WASM_LOADS(WASM_LABEL) WASM_STORES(WASM_LABEL)
                  WASM_BINARY_IMM(WASM_LABEL)
#undef WASM_LABEL
#undef WASM_LABEL1
  };
  static_assert(sizeof(labels) / sizeof(labels[0]) == kOpCount);
  const char* const base = static_cast<const char*>(&&L_Unreachable);
  if (store == nullptr) {
    for (uint32_t i = 0; i < kOpCount; ++i) {
      offsets[i] = static_cast<int32_t>(static_cast<const char*>(labels[i]) - base);
    }
    return Trap::None;
  }
  Store& st = *store;

  const Module& m = *inst->module_;
  const uint32_t* const code = m.code.data();
  const uint64_t* const consts = m.consts.data();
  const Function* const functions = m.functions;
  Global* const* const globals = inst->globals_;
  const Limits& limits = st.limits_;
  const uint32_t base_depth = st.depth_;
  uint32_t depth = base_depth;
  uint64_t* const slots_end = st.slots_end_;
  Store::Frame* const frames = st.frames_;
  Memory* const memory = inst->memory_;
  uint8_t* mem = memory != nullptr ? memory->data : nullptr;
  uint64_t mem_size = memory != nullptr ? memory->size : 0;
  const uint32_t* pc;
  Trap trap = Trap::None;

#define NEXT() goto*(base + static_cast<int32_t>(*pc))
#define RELOAD_MEMORY()        \
  do {                         \
    if (memory != nullptr) {   \
      mem = memory->data;      \
      mem_size = memory->size; \
    }                          \
  } while (0)
#define TRAP(t)   \
  do {            \
    trap = (t);   \
    goto trapped; \
  } while (0)
#define S(i) fp[pc[i]]

  // Entering a function: check the stacks, zero its locals, copy in its constants.
#define ENTER(fn, new_fp, return_pc)                                            \
  do {                                                                          \
    const Function& f_ = (fn);                                                  \
    uint64_t* nfp_ = (new_fp);                                                  \
    if (depth >= limits.max_call_depth ||                                       \
        static_cast<size_t>(slots_end - nfp_) < f_.frame_slots) {               \
      TRAP(Trap::CallStackExhausted);                                           \
    }                                                                           \
    frames[depth++] = {(return_pc), fp};                                        \
    for (uint32_t i_ = f_.param_slots; i_ < f_.local_slots; ++i_) nfp_[i_] = 0; \
    for (uint32_t i_ = 0; i_ < f_.const_count; ++i_) {                          \
      nfp_[f_.local_slots + i_] = consts[f_.consts + i_];                       \
    }                                                                           \
    fp = nfp_;                                                                  \
    pc = code + f_.code;                                                        \
  } while (0)

  {
    // The entry frame returns out of the loop (its saved pc is null).
    pc = nullptr;
    ENTER(functions[defined], fp, nullptr);
    NEXT();
  }

L_Unreachable:
  TRAP(Trap::Unreachable);
L_Br:
  pc = code + pc[1];
  NEXT();
L_BrIf:
  pc = static_cast<uint32_t>(S(1)) != 0 ? code + pc[2] : pc + 3;
  NEXT();
L_BrUnless:
L_BrIfI32Eqz:
  pc = static_cast<uint32_t>(S(1)) == 0 ? code + pc[2] : pc + 3;
  NEXT();
#define WASM_FUSED_BRANCH(name, cmp)                                     \
  L_##name : pc = numeric::cmp(S(1), S(2)) != 0 ? code + pc[3] : pc + 4; \
  NEXT();
  WASM_FUSED_BRANCH(BrIfI32LtS, I32LtS)
  WASM_FUSED_BRANCH(BrIfI32LtU, I32LtU)
  WASM_FUSED_BRANCH(BrIfI32GeS, I32GeS)
  WASM_FUSED_BRANCH(BrIfI32GeU, I32GeU)
  WASM_FUSED_BRANCH(BrIfI32GtS, I32GtS)
  WASM_FUSED_BRANCH(BrIfI32GtU, I32GtU)
  WASM_FUSED_BRANCH(BrIfI32LeS, I32LeS)
  WASM_FUSED_BRANCH(BrIfI32LeU, I32LeU)
  WASM_FUSED_BRANCH(BrIfI32Eq, I32Eq)
  WASM_FUSED_BRANCH(BrIfI32Ne, I32Ne)
#undef WASM_FUSED_BRANCH
L_BrTable : {
  uint32_t index = static_cast<uint32_t>(S(1));
  uint32_t count = pc[2];
  pc = code + pc[3 + (index < count ? index : count)];
  NEXT();
}
L_Return:
  --depth;
  pc = frames[depth].pc;
  fp = frames[depth].fp;
  if (depth == base_depth) goto done;
  NEXT();
L_Copy:
  S(1) = S(2);
  pc += 3;
  NEXT();
L_Const32:
  S(1) = pc[2];
  pc += 3;
  NEXT();
L_Const64:
  S(1) = pc[2] | (uint64_t{pc[3]} << 32);
  pc += 4;
  NEXT();
L_Call:
  ENTER(functions[pc[1]], fp + pc[2], pc + 3);
  NEXT();
L_CallImport : {
  st.depth_ = depth;
  trap = st.call(inst->funcs_[pc[1]], fp + pc[2], inst);
  if (trap != Trap::None) goto trapped;
  RELOAD_MEMORY();
  pc += 3;
  NEXT();
}
L_CallIndirect : {
  Table* table = inst->tables_[pc[2]];
  uint32_t index = static_cast<uint32_t>(S(4));
  if (index >= table->size) TRAP(Trap::UndefinedElement);
  auto* f = reinterpret_cast<FuncRef*>(static_cast<uintptr_t>(table->elements[index]));
  if (f == nullptr) TRAP(Trap::UninitializedElement);
  if (!signature_matches(m, pc[1], f)) TRAP(Trap::IndirectCallTypeMismatch);
  if (f->instance == inst) {
    ENTER(functions[f->defined], fp + pc[3], pc + 5);
    NEXT();
  }
  st.depth_ = depth;
  trap = st.call(f, fp + pc[3], inst);
  if (trap != Trap::None) goto trapped;
  RELOAD_MEMORY();
  pc += 5;
  NEXT();
}
L_Select:
  S(1) = static_cast<uint32_t>(S(4)) != 0 ? S(2) : S(3);
  pc += 5;
  NEXT();
L_GlobalGet:
  S(1) = globals[pc[2]]->value;
  pc += 3;
  NEXT();
L_GlobalSet:
  globals[pc[1]]->value = S(2);
  pc += 3;
  NEXT();
L_MemorySize:
  S(1) = memory->pages;
  pc += 2;
  NEXT();
L_MemoryGrow : {
  uint32_t old;
  S(1) = st.grow_memory(memory, static_cast<uint32_t>(S(2)), &old) ? old : 0xFFFFFFFFu;
  RELOAD_MEMORY();
  pc += 3;
  NEXT();
}
L_MemoryInit : {
  const DataSegment& seg = m.datas[pc[1]];
  uint64_t d = static_cast<uint32_t>(S(2));
  uint64_t s = static_cast<uint32_t>(S(3));
  uint64_t n = static_cast<uint32_t>(S(4));
  uint64_t seg_size = inst->dropped_datas_[pc[1]] != 0 ? 0 : seg.size;
  if (!range_ok(s, n, seg_size) || !range_ok(d, n, mem_size)) TRAP(Trap::MemoryOutOfBounds);
  if (n != 0) __builtin_memcpy(mem + d, seg.bytes + s, n);
  pc += 5;
  NEXT();
}
L_DataDrop:
  inst->dropped_datas_[pc[1]] = 1;
  pc += 2;
  NEXT();
L_MemoryCopy : {
  uint64_t d = static_cast<uint32_t>(S(1));
  uint64_t s = static_cast<uint32_t>(S(2));
  uint64_t n = static_cast<uint32_t>(S(3));
  if (!range_ok(s, n, mem_size) || !range_ok(d, n, mem_size)) TRAP(Trap::MemoryOutOfBounds);
  if (n != 0) __builtin_memmove(mem + d, mem + s, n);
  pc += 4;
  NEXT();
}
L_MemoryFill : {
  uint64_t d = static_cast<uint32_t>(S(1));
  uint64_t n = static_cast<uint32_t>(S(3));
  if (!range_ok(d, n, mem_size)) TRAP(Trap::MemoryOutOfBounds);
  if (n != 0) __builtin_memset(mem + d, static_cast<int>(S(2) & 0xFF), n);
  pc += 4;
  NEXT();
}
L_TableGet : {
  Table* t = inst->tables_[pc[2]];
  uint32_t i = static_cast<uint32_t>(S(3));
  if (i >= t->size) TRAP(Trap::TableOutOfBounds);
  S(1) = t->elements[i];
  pc += 4;
  NEXT();
}
L_TableSet : {
  Table* t = inst->tables_[pc[1]];
  uint32_t i = static_cast<uint32_t>(S(2));
  if (i >= t->size) TRAP(Trap::TableOutOfBounds);
  t->elements[i] = S(3);
  pc += 4;
  NEXT();
}
L_TableSize:
  S(1) = inst->tables_[pc[2]]->size;
  pc += 3;
  NEXT();
L_TableGrow : {
  uint32_t old;
  S(1) = st.grow_table(inst->tables_[pc[2]], static_cast<uint32_t>(S(4)), S(3), &old) ? old
                                                                                      : 0xFFFFFFFFu;
  pc += 5;
  NEXT();
}
L_TableFill : {
  Table* t = inst->tables_[pc[1]];
  uint64_t i = static_cast<uint32_t>(S(2));
  uint64_t n = static_cast<uint32_t>(S(4));
  if (!range_ok(i, n, t->size)) TRAP(Trap::TableOutOfBounds);
  for (uint64_t k = 0; k < n; ++k) t->elements[i + k] = S(3);
  pc += 5;
  NEXT();
}
L_TableCopy : {
  Table* dt = inst->tables_[pc[1]];
  Table* stb = inst->tables_[pc[2]];
  uint64_t d = static_cast<uint32_t>(S(3));
  uint64_t s = static_cast<uint32_t>(S(4));
  uint64_t n = static_cast<uint32_t>(S(5));
  if (!range_ok(s, n, stb->size) || !range_ok(d, n, dt->size)) TRAP(Trap::TableOutOfBounds);
  if (n != 0) __builtin_memmove(dt->elements + d, stb->elements + s, n * sizeof(uint64_t));
  pc += 6;
  NEXT();
}
L_TableInit : {
  Table* t = inst->tables_[pc[1]];
  const ElemSegment& seg = m.elems[pc[2]];
  uint64_t d = static_cast<uint32_t>(S(3));
  uint64_t s = static_cast<uint32_t>(S(4));
  uint64_t n = static_cast<uint32_t>(S(5));
  uint64_t seg_size = inst->dropped_elems_[pc[2]] != 0 ? 0 : seg.count;
  if (!range_ok(s, n, seg_size) || !range_ok(d, n, t->size)) TRAP(Trap::TableOutOfBounds);
  for (uint64_t k = 0; k < n; ++k) {
    t->elements[d + k] = elem_item(inst, seg, static_cast<uint32_t>(s + k));
  }
  pc += 6;
  NEXT();
}
L_ElemDrop:
  inst->dropped_elems_[pc[1]] = 1;
  pc += 2;
  NEXT();
L_RefFunc:
  S(1) = reinterpret_cast<uintptr_t>(inst->funcs_[pc[2]]);
  pc += 3;
  NEXT();
L_Fuel:
  if (--st.fuel_ < 0) TRAP(Trap::OutOfFuel);
  if (st.stop_flag_ != nullptr && *st.stop_flag_) TRAP(Trap::Stopped);
  pc += 1;
  NEXT();
L_I32AddImm:
  S(1) = static_cast<uint32_t>(static_cast<uint32_t>(S(2)) + pc[3]);
  pc += 4;
  NEXT();
L_I64AddImm:
  S(1) = S(2) + static_cast<uint64_t>(int64_t{static_cast<int32_t>(pc[3])});
  pc += 4;
  NEXT();

#define WASM_BINARY_IMMEDIATE(name, operation)       \
  L_##name : S(1) = numeric::operation(S(2), pc[3]); \
  pc += 4;                                           \
  NEXT();
  WASM_BINARY_IMM(WASM_BINARY_IMMEDIATE)

#define WASM_UNARY(name, ...)            \
  L_##name : S(1) = numeric::name(S(2)); \
  pc += 3;                               \
  NEXT();
#define WASM_BINARY(name, ...)                 \
  L_##name : S(1) = numeric::name(S(2), S(3)); \
  pc += 4;                                     \
  NEXT();
#define WASM_BINARY_TRAPPING(name, ...)       \
  L_##name : {                                \
    uint64_t r_ = 0;                          \
    Trap t_ = numeric::name(S(2), S(3), &r_); \
    if (t_ != Trap::None) TRAP(t_);           \
    S(1) = r_;                                \
    pc += 4;                                  \
    NEXT();                                   \
  }
#define WASM_UNARY_TRAPPING(name, ...)  \
  L_##name : {                          \
    uint64_t r_ = 0;                    \
    Trap t_ = numeric::name(S(2), &r_); \
    if (t_ != Trap::None) TRAP(t_);     \
    S(1) = r_;                          \
    pc += 3;                            \
    NEXT();                             \
  }
#define WASM_NO_FLOAT(name, ...) L_##name : TRAP(Trap::FloatUnsupported);

  WASM_UNARY_I(WASM_UNARY)
  WASM_BINARY_I(WASM_BINARY)
  WASM_BINARY_T(WASM_BINARY_TRAPPING)
#if WASM_HAS_FLOAT
  WASM_UNARY_F(WASM_UNARY)
  WASM_BINARY_F(WASM_BINARY)
  WASM_UNARY_FT(WASM_UNARY_TRAPPING)
#else
  WASM_UNARY_F(WASM_NO_FLOAT)
  WASM_BINARY_F(WASM_NO_FLOAT)
  WASM_UNARY_FT(WASM_NO_FLOAT)
#endif

  // Loads: dst addr offset. The effective address is 33 bits at most, computed in 64.
#define WASM_LOAD(name, code_, type, bytes, align)                \
  L_##name : {                                                    \
    uint64_t ea_ = uint64_t{static_cast<uint32_t>(S(2))} + pc[3]; \
    if (ea_ + (bytes) > mem_size) TRAP(Trap::MemoryOutOfBounds);  \
    S(1) = ext_##name(mem + ea_);                                 \
    pc += 4;                                                      \
    NEXT();                                                       \
  }
  WASM_LOADS(WASM_LOAD)
#define WASM_STORE(name, code_, type, bytes, align)               \
  L_##name : {                                                    \
    uint64_t ea_ = uint64_t{static_cast<uint32_t>(S(1))} + pc[3]; \
    if (ea_ + (bytes) > mem_size) TRAP(Trap::MemoryOutOfBounds);  \
    put_##name(mem + ea_, S(2));                                  \
    pc += 4;                                                      \
    NEXT();                                                       \
  }
  WASM_STORES(WASM_STORE)

trapped:
  st.depth_ = base_depth;
  return trap;
done:
  st.depth_ = base_depth;
  return Trap::None;

#undef NEXT
#undef RELOAD_MEMORY
#undef TRAP
#undef S
#undef ENTER
}

}  // namespace wasm
