// Validation and translation of one function body, in a single pass.
//
// The validator follows the specification's algorithm (an operand stack of types and a
// stack of control frames). Alongside each operand's type it tracks where the value lives:
// its own operand-stack slot, a local, or the function's constant pool. An instruction
// names those places directly, so `local.get` and constants emit nothing, and the result of
// an instruction followed by `local.set` is written straight into the local. Values are
// copied into their own stack slots ("materialized") only where control flow merges or a
// call needs its arguments in a row. Branch targets are resolved here: forward branches are
// chained through their operand words and patched when the block ends.

#include "decoder.h"
#include "interpreter.h"
#include "ops.h"

namespace wasm {

namespace {

// Slots are symbolic during translation: the constant pool and the operand stack follow the
// locals, and their sizes are known only at the end, when every recorded slot operand is
// rewritten to a frame index.
constexpr uint32_t kConstFlag = 0x40000000;
constexpr uint32_t kStackFlag = 0x80000000;
constexpr uint32_t kIndexMask = 0x3FFFFFFF;
constexpr uint32_t kNone = 0xFFFFFFFF;
constexpr uint32_t kMaxConsts = 256;  // past it, constants are written by an instruction

struct Operand {
  ValType type;
  uint32_t slot;
};

enum class BlockKind : uint8_t { Function, Block, Loop, If, Else };

struct Control {
  BlockKind kind;
  bool unreachable;  // the rest of this body cannot run (after br, return, unreachable)
  bool dead;         // the whole block lies in unreachable code: nothing is emitted
  uint32_t height;   // operand stack height below the block's parameters
  uint32_t param_count;
  uint32_t result_count;
  const ValType* params;
  const ValType* results;
  uint32_t start;       // Loop: the code offset branches go to
  uint32_t fixups;      // chain of forward branch operands waiting for the end's offset
  uint32_t else_fixup;  // If: the operand of the BrUnless that skips to the else
};

constexpr ValType kSingle[] = {ValType::I32, ValType::I64,     ValType::F32,
                               ValType::F64, ValType::FuncRef, ValType::ExternRef};

const ValType* single(ValType t) {
  for (const ValType& v : kSingle) {
    if (v == t) return &v;
  }
  return nullptr;
}

// The branch taken when an i32 comparison is false (to skip an if's then-arm), or kNone.
uint32_t negated_branch(uint32_t op) {
  switch (op) {
    case kI32Eqz: return kBrIf;
    case kI32Eq: return kBrIfI32Ne;
    case kI32Ne: return kBrIfI32Eq;
    case kI32LtS: return kBrIfI32GeS;
    case kI32LtU: return kBrIfI32GeU;
    case kI32GtS: return kBrIfI32LeS;
    case kI32GtU: return kBrIfI32LeU;
    case kI32LeS: return kBrIfI32GtS;
    case kI32LeU: return kBrIfI32GtU;
    case kI32GeS: return kBrIfI32LtS;
    case kI32GeU: return kBrIfI32LtU;
    default: return kNone;
  }
}

// The form of an i32 operation that takes its right operand as an immediate, or kNone.
uint32_t immediate_form(uint32_t op) {
  switch (op) {
#define WASM_IMMEDIATE_CASE(name, operation) \
  case k##operation: return k##name;
    WASM_BINARY_IMM(WASM_IMMEDIATE_CASE)
#undef WASM_IMMEDIATE_CASE
    default: return kNone;
  }
}

// The branch that fuses an i32 comparison with the br_if that consumes it.
uint32_t fused_branch(uint32_t op) {
  switch (op) {
    case kI32Eqz: return kBrIfI32Eqz;
    case kI32Eq: return kBrIfI32Eq;
    case kI32Ne: return kBrIfI32Ne;
    case kI32LtS: return kBrIfI32LtS;
    case kI32LtU: return kBrIfI32LtU;
    case kI32GtS: return kBrIfI32GtS;
    case kI32GtU: return kBrIfI32GtU;
    case kI32LeS: return kBrIfI32LeS;
    case kI32LeU: return kBrIfI32LeU;
    case kI32GeS: return kBrIfI32GeS;
    case kI32GeU: return kBrIfI32GeU;
    default: return kNone;
  }
}

class Translator {
 public:
  Translator(Module& m, uint32_t defined, const uint8_t* body, size_t size)
      : m_(m),
        r_(body, body + size, m.bytes),
        fn_(m.functions[defined]),
        type_(m.types[fn_.type]),
        stack_(m.allocator),
        ctrl_(m.allocator),
        slot_refs_(m.allocator),
        locals_(m.allocator),
        consts_(m.allocator) {}

  bool run(Fail* fail);

 private:
  bool fail(const char* message) { return r_.fail(message); }
  bool oom() { return fail("out of memory"); }

  // Emission. Nothing is emitted in unreachable code.
  bool live() const { return !ctrl_.back().unreachable && !ctrl_.back().dead; }
  uint32_t here() const { return static_cast<uint32_t>(m_.code.size()); }
  bool emit(uint32_t word) { return m_.code.push(word) || oom(); }
  bool emit_op(uint32_t op) {
    last_op_ = kNone;
    last_opcode_ = op;
    return emit(static_cast<uint32_t>(handlers_[op]));
  }
  bool emit_slot(uint32_t slot) {
    if ((slot & (kStackFlag | kConstFlag)) != 0 && !slot_refs_.push(here())) return oom();
    if ((slot & kStackFlag) == 0 && (slot & kConstFlag) != 0) const_used_[slot & kIndexMask] = 1;
    return emit(slot);
  }
  // A simple instruction whose destination `local.set` may redirect.
  bool emit_simple(uint32_t op, uint32_t dst) {
    uint32_t at = here();
    if (!emit_op(op) || !emit_slot(dst)) return false;
    last_op_ = at;
    return true;
  }
  bool emit_branch_to(Control& target);
  void patch_chain(uint32_t chain, uint32_t target);

  // The operand stack.
  uint32_t height() const { return static_cast<uint32_t>(stack_.size()); }
  static uint32_t stack_slot(uint32_t position) { return kStackFlag | position; }
  bool push(ValType type, uint32_t slot);
  bool push_new(ValType type, uint32_t* slot);
  bool pop(ValType expected, Operand* out);
  bool pop_any(Operand* out) { return pop(ValType::Unknown, out); }
  bool materialize(uint32_t position);
  bool materialize_all();
  bool protect_local(uint32_t local);
  bool constant(ValType type, uint64_t bits);

  // Control.
  bool block_type(uint32_t* params, uint32_t* results, const ValType** ptypes,
                  const ValType** rtypes);
  bool push_control(BlockKind kind, uint32_t params, uint32_t results, const ValType* ptypes,
                    const ValType* rtypes);
  bool check_types(uint32_t n, const ValType* types, bool declared = true);
  bool label_needs_moves(const Control& target, uint32_t arity) const;
  bool emit_label_moves(const Control& target, uint32_t arity);
  bool emit_return();
  Control& label(uint32_t depth) { return ctrl_[ctrl_.size() - 1 - depth]; }
  bool read_label(uint32_t* depth);
  uint32_t label_arity(const Control& c) const {
    return c.kind == BlockKind::Loop ? c.param_count : c.result_count;
  }
  const ValType* label_types(const Control& c) const {
    return c.kind == BlockKind::Loop ? c.params : c.results;
  }
  void set_unreachable();

  bool locals();
  bool instruction(uint8_t opcode);
  bool prefixed();
  bool op_block(BlockKind kind);
  bool op_else();
  bool op_end();
  bool op_br();
  bool op_br_if();
  bool op_br_table();
  bool op_call(uint32_t func);
  bool op_call_indirect();
  bool op_select(bool typed);
  bool op_local(uint8_t opcode);
  bool op_memarg(uint32_t natural_align, uint32_t* offset);
  bool op_load(uint32_t op, ValType type, uint32_t align);
  bool op_store(uint32_t op, ValType type, uint32_t align);
  bool unary(uint32_t op, ValType in, ValType out);
  bool binary(uint32_t op, ValType in, ValType out);
  bool memory_index();
  bool table_index(uint32_t* index);
  bool finish();

  Module& m_;
  Reader r_;
  Function& fn_;
  const FuncType& type_;
  Vec<Operand> stack_;
  Vec<Control> ctrl_;
  Vec<uint32_t> slot_refs_;  // code offsets of symbolic slot operands
  Vec<ValType> locals_;
  Vec<uint64_t> consts_;
  // Which constants an instruction reads from the frame (the others became immediates):
  // only those are copied into each frame.
  uint8_t const_used_[kMaxConsts] = {};
  uint32_t max_height_ = 0;
  uint32_t last_op_ = kNone;      // offset of the last simple instruction, for local.set fusion
  uint32_t last_opcode_ = kNone;  // and what it is
  const int32_t* handlers_ = Interpreter::handlers();
};

bool Translator::push(ValType type, uint32_t slot) {
  if (height() >= m_.limits.max_operand_stack) return fail("operand stack too deep");
  if (!stack_.push({type, slot})) return oom();
  if (height() > max_height_) max_height_ = height();
  return true;
}

bool Translator::push_new(ValType type, uint32_t* slot) {
  *slot = stack_slot(height());
  return push(type, *slot);
}

bool Translator::pop(ValType expected, Operand* out) {
  Control& c = ctrl_.back();
  if (height() == c.height) {
    if (!c.unreachable) return fail("type mismatch");
    *out = {ValType::Unknown, stack_slot(height())};
    return true;
  }
  *out = stack_.back();
  stack_.pop();
  if (expected != ValType::Unknown && out->type != ValType::Unknown && out->type != expected) {
    return fail("type mismatch");
  }
  return true;
}

bool Translator::materialize(uint32_t position) {
  Operand& e = stack_[position];
  uint32_t own = stack_slot(position);
  if (e.slot == own) return true;
  if (live() && (!emit_op(kCopy) || !emit_slot(own) || !emit_slot(e.slot))) return false;
  e.slot = own;
  return true;
}

bool Translator::materialize_all() {
  for (uint32_t i = 0; i < height(); ++i) {
    if (!materialize(i)) return false;
  }
  return true;
}

// A local is about to change: operands that still read it must first get their own copy.
bool Translator::protect_local(uint32_t local) {
  for (uint32_t i = 0; i < height(); ++i) {
    if (stack_[i].slot == local && !materialize(i)) return false;
  }
  return true;
}

bool Translator::constant(ValType type, uint64_t bits) {
  if (!live()) return push(type, stack_slot(height()));
  for (uint32_t i = 0; i < consts_.size(); ++i) {
    if (consts_[i] == bits) return push(type, kConstFlag | i);
  }
  if (consts_.size() < kMaxConsts) {
    if (!consts_.push(bits)) return oom();
    return push(type, kConstFlag | static_cast<uint32_t>(consts_.size() - 1));
  }
  uint32_t dst;
  if (!push_new(type, &dst)) return false;
  return emit_op(kConst64) && emit_slot(dst) && emit(static_cast<uint32_t>(bits)) &&
         emit(static_cast<uint32_t>(bits >> 32));
}

void Translator::set_unreachable() {
  Control& c = ctrl_.back();
  stack_.shrink(c.height);
  c.unreachable = true;
  last_op_ = kNone;
}

void Translator::patch_chain(uint32_t chain, uint32_t target) {
  while (chain != kNone) {
    uint32_t next = m_.code[chain];
    m_.code[chain] = target;
    chain = next;
  }
}

// A branch operand to `target`: a loop's head is known; a block's end is chained.
bool Translator::emit_branch_to(Control& target) {
  if (target.kind == BlockKind::Loop) return emit(target.start);
  uint32_t at = here();
  if (!emit(target.fixups)) return false;
  target.fixups = at;
  return true;
}

bool Translator::block_type(uint32_t* params, uint32_t* results, const ValType** ptypes,
                            const ValType** rtypes) {
  int64_t bt;
  if (!r_.s33(&bt)) return false;
  *params = 0;
  *ptypes = nullptr;
  if (bt == -64) {
    *results = 0;
    *rtypes = nullptr;
    return true;
  }
  if (bt < 0) {
    const ValType* t = single(static_cast<ValType>(bt & 0x7F));
    if (t == nullptr) return fail("malformed value type");
    *results = 1;
    *rtypes = t;
    return true;
  }
  if (static_cast<uint64_t>(bt) >= m_.type_count) return fail("unknown type");
  const FuncType& ft = m_.types[bt];
  *params = ft.param_count;
  *ptypes = ft.params;
  *results = ft.result_count;
  *rtypes = ft.results;
  return true;
}

bool Translator::push_control(BlockKind kind, uint32_t params, uint32_t results,
                              const ValType* ptypes, const ValType* rtypes) {
  // The function body itself is the outermost frame: the limit counts the blocks inside it.
  if (!ctrl_.empty() && ctrl_.size() - 1 >= m_.limits.max_nesting) return fail("nesting too deep");
  bool dead = ctrl_.empty() ? false : (ctrl_.back().dead || ctrl_.back().unreachable);
  Control c = {kind,   false, dead, height() - params, params, results, ptypes, rtypes,
               here(), kNone, kNone};
  if (!ctrl_.push(c)) return oom();
  last_op_ = kNone;
  return true;
}

// Pops `n` operands of `types`, checking them, and pushes them back in place: with the
// declared types, or (br_table, whose labels may differ where the stack is polymorphic) with
// the types they had.
bool Translator::check_types(uint32_t n, const ValType* types, bool declared) {
  Operand saved[16];
  Operand* held = saved;
  Vec<Operand> big(m_.allocator);
  if (n > 16) {
    if (!big.resize(n, {})) return oom();
    held = big.data();
  }
  for (uint32_t k = n; k-- > 0;) {
    if (!pop(types[k], &held[k])) return false;
  }
  for (uint32_t k = 0; k < n; ++k) {
    if (!push(declared ? types[k] : held[k].type, held[k].slot)) return false;
  }
  return true;
}

bool Translator::label_needs_moves(const Control& target, uint32_t arity) const {
  for (uint32_t k = 0; k < arity; ++k) {
    uint32_t position = height() - arity + k;
    if (stack_[position].slot != stack_slot(target.height + k)) return true;
  }
  return false;
}

// Copies the top `arity` operands to where the label's code expects them. Destinations lie
// at or below the sources' own slots and are written in increasing order, so no source is
// overwritten before it is read.
bool Translator::emit_label_moves(const Control& target, uint32_t arity) {
  for (uint32_t k = 0; k < arity; ++k) {
    uint32_t src = stack_[height() - arity + k].slot;
    uint32_t dst = stack_slot(target.height + k);
    if (src != dst && (!emit_op(kCopy) || !emit_slot(dst) || !emit_slot(src))) return false;
  }
  return true;
}

// Results go to the frame's first slots, where the caller finds them. With several results a
// source may be a local that an earlier copy overwrites: they go through their own stack
// slots first. The operand stack is left as it was: this code may run on one path only
// (a br_if, a br_table's stub).
bool Translator::emit_return() {
  uint32_t n = type_.result_count;
  for (uint32_t k = 0; n > 1 && k < n; ++k) {
    uint32_t src = stack_[height() - n + k].slot;
    uint32_t own = stack_slot(height() - n + k);
    if (src != own && (!emit_op(kCopy) || !emit_slot(own) || !emit_slot(src))) return false;
  }
  for (uint32_t k = 0; k < n; ++k) {
    uint32_t src = n > 1 ? stack_slot(height() - n + k) : stack_[height() - n + k].slot;
    if (src != k && (!emit_op(kCopy) || !emit_slot(k) || !emit_slot(src))) return false;
  }
  return emit_op(kReturn);
}

bool Translator::read_label(uint32_t* depth) {
  if (!r_.u32(depth)) return false;
  if (*depth >= ctrl_.size()) return fail("unknown label");
  return true;
}

bool Translator::locals() {
  uint32_t groups;
  if (!r_.count(&groups, m_.limits.max_locals, "too many locals", 2)) return false;
  for (uint32_t i = 0; i < type_.param_count; ++i) {
    if (!locals_.push(type_.params[i])) return oom();
  }
  uint64_t total = type_.param_count;
  for (uint32_t g = 0; g < groups; ++g) {
    uint32_t n;
    ValType t;
    uint8_t b;
    if (!r_.u32(&n)) return false;
    total += n;
    if (total > m_.limits.max_locals) return fail("too many locals");
    if (!r_.u8(&b)) return false;
    t = static_cast<ValType>(b);
    if (!is_num(t) && !is_ref(t)) return fail("malformed value type");
    for (uint32_t k = 0; k < n; ++k) {
      if (!locals_.push(t)) return oom();
    }
  }
  return true;
}

bool Translator::run(Fail* out) {
  if (!locals() ||
      !push_control(BlockKind::Function, 0, type_.result_count, nullptr, type_.results)) {
    *out = {r_.error(), r_.error_offset()};
    return false;
  }
  fn_.code = here();
  if (m_.limits.metered && !emit_op(kFuel)) {
    *out = {r_.error(), r_.error_offset()};
    return false;
  }
  while (!ctrl_.empty()) {
    uint8_t opcode;
    if (r_.at_end()) {
      fail("unexpected end");
      break;
    }
    if (!r_.u8(&opcode) || !instruction(opcode)) break;
  }
  if (r_.ok() && !r_.at_end()) fail("section size mismatch");
  if (r_.ok()) finish();
  if (!r_.ok()) {
    *out = {r_.error(), r_.error_offset()};
    return false;
  }
  return true;
}

// The frame's layout is known now: rewrite every symbolic slot. Constants no instruction
// reads from the frame are left out of it.
bool Translator::finish() {
  uint32_t local_slots = static_cast<uint32_t>(locals_.size());
  uint32_t frame_index[kMaxConsts];
  uint32_t const_count = 0;
  fn_.consts = static_cast<uint32_t>(m_.consts.size());
  for (uint32_t i = 0; i < consts_.size(); ++i) {
    if (const_used_[i] == 0) continue;
    frame_index[i] = const_count++;
    if (!m_.consts.push(consts_[i])) return oom();
  }
  for (uint32_t i = 0; i < slot_refs_.size(); ++i) {
    uint32_t& word = m_.code[slot_refs_[i]];
    if ((word & kStackFlag) != 0) {
      word = local_slots + const_count + (word & kIndexMask);
    } else if ((word & kConstFlag) != 0) {
      word = local_slots + frame_index[word & kIndexMask];
    }
  }
  fn_.param_slots = type_.param_count;
  fn_.local_slots = local_slots;
  fn_.const_count = const_count;
  fn_.frame_slots = local_slots + const_count + max_height_ + 1;
  return true;
}

bool Translator::op_block(BlockKind kind) {
  uint32_t params;
  uint32_t results;
  const ValType* ptypes;
  const ValType* rtypes;
  if (!block_type(&params, &results, &ptypes, &rtypes)) return false;
  Operand cond = {};
  if (kind == BlockKind::If && !pop(ValType::I32, &cond)) return false;
  uint32_t cond_position = height();
  // Every value on the stack goes to its own slot: the block's code may then overwrite locals
  // and branch from anywhere inside without disturbing what lies below.
  if (!check_types(params, ptypes) || !materialize_all()) return false;
  uint32_t compare = last_op_;  // still the instruction before, if nothing was copied
  uint32_t compare_opcode = last_opcode_;
  if (!push_control(kind, params, results, ptypes, rtypes)) return false;
  Control& c = ctrl_.back();
  c.start = here();
  if (kind == BlockKind::Loop && live() && m_.limits.metered && !emit_op(kFuel)) return false;
  if (kind == BlockKind::If && live()) {
    uint32_t skip = compare != kNone && cond.slot == stack_slot(cond_position) &&
                            m_.code[compare + 1] == cond.slot
                        ? negated_branch(compare_opcode)
                        : kNone;
    if (skip != kNone) {
      // `i32.lt_s; if` is one branch to the else on the opposite comparison.
      uint32_t a = m_.code[compare + 2];
      uint32_t b = compare_opcode == kI32Eqz ? 0 : m_.code[compare + 3];
      m_.code.shrink(compare);
      while (!slot_refs_.empty() && slot_refs_.back() >= compare) slot_refs_.pop();
      if (!emit_op(skip) || !emit_slot(a)) return false;
      if (compare_opcode != kI32Eqz && !emit_slot(b)) return false;
    } else if (!emit_op(kBrUnless) || !emit_slot(cond.slot)) {
      return false;
    }
    c.else_fixup = here();
    if (!emit(kNone)) return false;
  }
  return true;
}

bool Translator::op_else() {
  Control& c = ctrl_.back();
  if (c.kind != BlockKind::If) return fail("else without if");
  if (!check_types(c.result_count, c.results)) return false;
  if (height() != c.height + c.result_count) return fail("type mismatch");
  if (live()) {
    // The then-arm's results go to their own slots, where the else-arm will leave its own.
    for (uint32_t k = 0; k < c.result_count; ++k) {
      if (!materialize(c.height + k)) return false;
    }
    if (!emit_op(kBr) || !emit_branch_to(c)) return false;
  }
  stack_.shrink(c.height);
  if (c.else_fixup != kNone) m_.code[c.else_fixup] = here();
  c.else_fixup = kNone;
  c.kind = BlockKind::Else;
  c.unreachable = false;
  last_op_ = kNone;
  for (uint32_t k = 0; k < c.param_count; ++k) {
    if (!push(c.params[k], stack_slot(c.height + k))) return false;
  }
  return true;
}

bool Translator::op_end() {
  Control& c = ctrl_.back();
  if (!check_types(c.result_count, c.results)) return false;
  if (height() != c.height + c.result_count) return fail("type mismatch");
  if (c.kind == BlockKind::If) {
    // Without an else the parameters pass through unchanged: they must be the results.
    if (c.param_count != c.result_count) return fail("type mismatch");
    for (uint32_t k = 0; k < c.param_count; ++k) {
      if (c.params[k] != c.results[k]) return fail("type mismatch");
    }
  }
  bool was_live = live();
  if (c.kind == BlockKind::Function) {
    if (was_live && !emit_return()) return false;
    ctrl_.pop();
    return true;
  }
  if (was_live) {
    for (uint32_t k = 0; k < c.result_count; ++k) {
      if (!materialize(c.height + k)) return false;
    }
  }
  patch_chain(c.fixups, here());
  if (c.else_fixup != kNone) m_.code[c.else_fixup] = here();
  uint32_t results = c.result_count;
  uint32_t base = c.height;
  const ValType* types = c.results;
  ctrl_.pop();
  stack_.shrink(base);
  for (uint32_t k = 0; k < results; ++k) {
    if (!push(types[k], stack_slot(base + k))) return false;
  }
  last_op_ = kNone;
  return true;
}

bool Translator::op_br() {
  uint32_t depth;
  if (!read_label(&depth)) return false;
  Control& target = label(depth);
  if (!check_types(label_arity(target), label_types(target))) return false;
  if (live()) {
    if (target.kind == BlockKind::Function) {
      if (!emit_return()) return false;
    } else if (!emit_label_moves(target, label_arity(target)) || !emit_op(kBr) ||
               !emit_branch_to(target)) {
      return false;
    }
  }
  set_unreachable();
  return true;
}

bool Translator::op_br_if() {
  uint32_t depth;
  if (!read_label(&depth)) return false;
  Operand cond;
  if (!pop(ValType::I32, &cond)) return false;
  Control& target = label(depth);
  if (!check_types(label_arity(target), label_types(target))) return false;
  if (!live()) return true;
  uint32_t arity = label_arity(target);
  if (target.kind != BlockKind::Function && !label_needs_moves(target, arity)) {
    // Fuse a comparison that only feeds this branch: `i32.lt_s; br_if` is one instruction.
    if (last_op_ != kNone && cond.slot == stack_slot(height()) &&
        m_.code[last_op_ + 1] == cond.slot) {
      uint32_t op = last_opcode_;
      uint32_t fused = fused_branch(op);
      if (fused != kNone) {
        uint32_t a = m_.code[last_op_ + 2];
        uint32_t b = op == kI32Eqz ? 0 : m_.code[last_op_ + 3];
        m_.code.shrink(last_op_);
        while (!slot_refs_.empty() && slot_refs_.back() >= last_op_) slot_refs_.pop();
        last_op_ = kNone;
        if (!emit_op(fused) || !emit_slot(a)) return false;
        if (op != kI32Eqz && !emit_slot(b)) return false;
        return emit_branch_to(target);
      }
    }
    return emit_op(kBrIf) && emit_slot(cond.slot) && emit_branch_to(target);
  }
  // Moves are needed only on the taken path: skip them when the branch is not taken.
  if (!emit_op(kBrUnless) || !emit_slot(cond.slot)) return false;
  uint32_t skip = here();
  if (!emit(kNone)) return false;
  if (target.kind == BlockKind::Function) {
    if (!emit_return()) return false;
  } else if (!emit_label_moves(target, arity) || !emit_op(kBr) || !emit_branch_to(target)) {
    return false;
  }
  m_.code[skip] = here();
  last_op_ = kNone;
  return true;
}

bool Translator::op_br_table() {
  uint32_t count;
  if (!r_.count(&count, 1u << 20, "too many br_table targets")) return false;
  Vec<uint32_t> depths(m_.allocator);
  if (!depths.reserve(count + 1)) return oom();
  for (uint32_t i = 0; i <= count; ++i) {
    uint32_t depth;
    if (!read_label(&depth)) return false;
    if (!depths.push(depth)) return oom();
  }
  Operand index;
  if (!pop(ValType::I32, &index)) return false;
  uint32_t arity = label_arity(label(depths[count]));
  for (uint32_t i = 0; i <= count; ++i) {
    const Control& target = label(depths[i]);
    if (label_arity(target) != arity) return fail("type mismatch");
    if (!check_types(label_arity(target), label_types(target), false)) return false;
  }
  if (live()) {
    if (!emit_op(kBrTable) || !emit_slot(index.slot) || !emit(count)) return false;
    uint32_t table = here();
    for (uint32_t i = 0; i <= count; ++i) {
      if (!emit(kNone)) return false;
    }
    // Targets that need no moves are jumped to directly; the others through a stub.
    for (uint32_t i = 0; i <= count; ++i) {
      Control& target = label(depths[i]);
      if (target.kind != BlockKind::Function && !label_needs_moves(target, arity)) {
        if (target.kind == BlockKind::Loop) {
          m_.code[table + i] = target.start;
        } else {
          m_.code[table + i] = target.fixups;
          target.fixups = table + i;
        }
        continue;
      }
      m_.code[table + i] = here();
      if (target.kind == BlockKind::Function) {
        if (!emit_return()) return false;
      } else if (!emit_label_moves(target, arity) || !emit_op(kBr) || !emit_branch_to(target)) {
        return false;
      }
    }
  }
  set_unreachable();
  return true;
}

bool Translator::op_call(uint32_t func) {
  if (func >= m_.func_count) return fail("unknown function");
  const FuncType& t = m_.func_type(func);
  if (!check_types(t.param_count, t.params)) return false;
  uint32_t base = height() - t.param_count;
  for (uint32_t k = 0; k < t.param_count; ++k) {
    if (!materialize(base + k)) return false;
  }
  stack_.shrink(base);
  if (live()) {
    bool imported = func < m_.imported_funcs;
    if (!emit_op(imported ? kCallImport : kCall) ||
        !emit(imported ? func : func - m_.imported_funcs) || !emit_slot(stack_slot(base))) {
      return false;
    }
  }
  for (uint32_t k = 0; k < t.result_count; ++k) {
    if (!push(t.results[k], stack_slot(base + k))) return false;
  }
  return true;
}

bool Translator::op_call_indirect() {
  uint32_t type_index;
  uint32_t table;
  if (!r_.u32(&type_index) || !r_.u32(&table)) return false;
  if (type_index >= m_.type_count) return fail("unknown type");
  if (table >= m_.table_count) return fail("unknown table");
  if (m_.tables[table].elem != ValType::FuncRef) return fail("type mismatch");
  Operand index;
  if (!pop(ValType::I32, &index)) return false;
  const FuncType& t = m_.types[type_index];
  if (!check_types(t.param_count, t.params)) return false;
  uint32_t base = height() - t.param_count;
  for (uint32_t k = 0; k < t.param_count; ++k) {
    if (!materialize(base + k)) return false;
  }
  stack_.shrink(base);
  if (live() && (!emit_op(kCallIndirect) || !emit(type_index) || !emit(table) ||
                 !emit_slot(stack_slot(base)) || !emit_slot(index.slot))) {
    return false;
  }
  for (uint32_t k = 0; k < t.result_count; ++k) {
    if (!push(t.results[k], stack_slot(base + k))) return false;
  }
  return true;
}

bool Translator::op_select(bool typed) {
  ValType type = ValType::Unknown;
  if (typed) {
    uint32_t n;
    uint8_t b;
    if (!r_.u32(&n)) return false;
    if (n != 1) return fail("invalid result arity");
    if (!r_.u8(&b)) return false;
    type = static_cast<ValType>(b);
    if (!is_num(type) && !is_ref(type)) return fail("malformed value type");
  }
  Operand cond;
  Operand b;
  Operand a;
  if (!pop(ValType::I32, &cond) || !pop(type, &b) || !pop(type, &a)) return false;
  if (!typed) {
    if (a.type != ValType::Unknown && b.type != ValType::Unknown && a.type != b.type) {
      return fail("type mismatch");
    }
    type = a.type != ValType::Unknown ? a.type : b.type;
    if (is_ref(type)) return fail("type mismatch");
  }
  uint32_t dst;
  if (!push_new(type, &dst)) return false;
  if (!live()) return true;
  return emit_simple(kSelect, dst) && emit_slot(a.slot) && emit_slot(b.slot) &&
         emit_slot(cond.slot);
}

bool Translator::op_local(uint8_t opcode) {
  uint32_t index;
  if (!r_.u32(&index)) return false;
  if (index >= locals_.size()) return fail("unknown local");
  ValType t = locals_[index];
  if (opcode == 0x20) return push(t, index);
  Operand v;
  if (!pop(t, &v)) return false;
  if (live()) {
    if (!protect_local(index)) return false;
    uint32_t own = stack_slot(height());
    if (v.slot == own && last_op_ != kNone && m_.code[last_op_ + 1] == own) {
      // The value was just computed into its stack slot: compute it into the local instead.
      m_.code[last_op_ + 1] = index;
      for (uint32_t i = slot_refs_.size(); i-- > 0;) {
        if (slot_refs_[i] == last_op_ + 1) {
          slot_refs_[i] = slot_refs_.back();
          slot_refs_.pop();
          break;
        }
      }
    } else if (v.slot != index && (!emit_op(kCopy) || !emit_slot(index) || !emit_slot(v.slot))) {
      return false;
    }
    last_op_ = kNone;
  }
  if (opcode == 0x22) return push(t, live() ? index : stack_slot(height()));
  return true;
}

bool Translator::memory_index() {
  if (m_.memory_count == 0) return fail("unknown memory");
  return true;
}

bool Translator::op_memarg(uint32_t natural_align, uint32_t* offset) {
  uint32_t align;
  if (!r_.u32(&align) || !r_.u32(offset)) return false;
  if (!memory_index()) return false;
  if (align > natural_align) return fail("alignment must not be larger than natural");
  return true;
}

bool Translator::op_load(uint32_t op, ValType type, uint32_t align) {
  uint32_t offset;
  Operand addr;
  uint32_t dst;
  if (!op_memarg(align, &offset) || !pop(ValType::I32, &addr) || !push_new(type, &dst)) {
    return false;
  }
  if (!live()) return true;
  return emit_simple(op, dst) && emit_slot(addr.slot) && emit(offset);
}

bool Translator::op_store(uint32_t op, ValType type, uint32_t align) {
  uint32_t offset;
  Operand value;
  Operand addr;
  if (!op_memarg(align, &offset) || !pop(type, &value) || !pop(ValType::I32, &addr)) {
    return false;
  }
  if (!live()) return true;
  return emit_op(op) && emit_slot(addr.slot) && emit_slot(value.slot) && emit(offset);
}

bool Translator::unary(uint32_t op, ValType in, ValType out) {
  Operand a;
  uint32_t dst;
  if (!pop(in, &a) || !push_new(out, &dst)) return false;
  if (!live()) return true;
  return emit_simple(op, dst) && emit_slot(a.slot);
}

bool Translator::binary(uint32_t op, ValType in, ValType out) {
  Operand b;
  Operand a;
  uint32_t dst;
  if (!pop(in, &b) || !pop(in, &a) || !push_new(out, &dst)) return false;
  if (!live()) return true;
  if ((op == kI32Add || op == kI64Add) && (b.slot & kConstFlag) != 0 &&
      (b.slot & kStackFlag) == 0) {
    // Adding a constant is the commonest arithmetic: one instruction with an immediate.
    uint64_t v = consts_[b.slot & kIndexMask];
    auto imm = static_cast<int64_t>(v);
    if (op == kI32Add || (imm >= INT32_MIN && imm <= INT32_MAX)) {
      return emit_simple(op == kI32Add ? kI32AddImm : kI64AddImm, dst) && emit_slot(a.slot) &&
             emit(static_cast<uint32_t>(v));
    }
  }
  if ((b.slot & kConstFlag) != 0 && (b.slot & kStackFlag) == 0) {
    uint32_t imm_op = immediate_form(op);
    auto imm = static_cast<uint32_t>(consts_[b.slot & kIndexMask]);
    if (op == kI32Sub) {
      imm_op = kI32AddImm;
      imm = 0u - imm;
    }
    if (imm_op != kNone) return emit_simple(imm_op, dst) && emit_slot(a.slot) && emit(imm);
  }
  return emit_simple(op, dst) && emit_slot(a.slot) && emit_slot(b.slot);
}

bool Translator::table_index(uint32_t* index) {
  if (!r_.u32(index)) return false;
  if (*index >= m_.table_count) return fail("unknown table");
  return true;
}

bool Translator::prefixed() {
  uint32_t sub;
  if (!r_.u32(&sub)) return false;
  switch (sub) {
#define WASM_CASE(name, code, in, out) \
  case (code)&0xFF: return unary(k##name, ValType::in, ValType::out);
    WASM_UNARY_F_SAT(WASM_CASE)
#undef WASM_CASE
    case 8: {  // memory.init
      uint32_t seg;
      uint8_t zero;
      if (!r_.u32(&seg)) return false;
      if (!m_.has_data_count) return fail("data count section required");
      if (!r_.u8(&zero)) return false;
      if (zero != 0) return fail("zero byte expected");
      if (!memory_index()) return false;
      if (seg >= m_.data_count) return fail("unknown data segment");
      Operand n, s, d;
      if (!pop(ValType::I32, &n) || !pop(ValType::I32, &s) || !pop(ValType::I32, &d)) {
        return false;
      }
      return !live() || (emit_op(kMemoryInit) && emit(seg) && emit_slot(d.slot) &&
                         emit_slot(s.slot) && emit_slot(n.slot));
    }
    case 9: {  // data.drop
      uint32_t seg;
      if (!r_.u32(&seg)) return false;
      if (!m_.has_data_count) return fail("data count section required");
      if (seg >= m_.data_count) return fail("unknown data segment");
      return !live() || (emit_op(kDataDrop) && emit(seg));
    }
    case 10: {  // memory.copy
      uint8_t z1, z2;
      if (!r_.u8(&z1) || !r_.u8(&z2)) return false;
      if (z1 != 0 || z2 != 0) return fail("zero byte expected");
      if (!memory_index()) return false;
      Operand n, s, d;
      if (!pop(ValType::I32, &n) || !pop(ValType::I32, &s) || !pop(ValType::I32, &d)) {
        return false;
      }
      return !live() ||
             (emit_op(kMemoryCopy) && emit_slot(d.slot) && emit_slot(s.slot) && emit_slot(n.slot));
    }
    case 11: {  // memory.fill
      uint8_t z;
      if (!r_.u8(&z)) return false;
      if (z != 0) return fail("zero byte expected");
      if (!memory_index()) return false;
      Operand n, v, d;
      if (!pop(ValType::I32, &n) || !pop(ValType::I32, &v) || !pop(ValType::I32, &d)) {
        return false;
      }
      return !live() ||
             (emit_op(kMemoryFill) && emit_slot(d.slot) && emit_slot(v.slot) && emit_slot(n.slot));
    }
    case 12: {  // table.init
      uint32_t seg, table;
      if (!r_.u32(&seg) || !table_index(&table)) return false;
      if (seg >= m_.elem_count) return fail("unknown elem segment");
      if (m_.elems[seg].type != m_.tables[table].elem) return fail("type mismatch");
      Operand n, s, d;
      if (!pop(ValType::I32, &n) || !pop(ValType::I32, &s) || !pop(ValType::I32, &d)) {
        return false;
      }
      return !live() || (emit_op(kTableInit) && emit(table) && emit(seg) && emit_slot(d.slot) &&
                         emit_slot(s.slot) && emit_slot(n.slot));
    }
    case 13: {  // elem.drop
      uint32_t seg;
      if (!r_.u32(&seg)) return false;
      if (seg >= m_.elem_count) return fail("unknown elem segment");
      return !live() || (emit_op(kElemDrop) && emit(seg));
    }
    case 14: {  // table.copy
      uint32_t dt, st;
      if (!table_index(&dt) || !table_index(&st)) return false;
      if (m_.tables[dt].elem != m_.tables[st].elem) return fail("type mismatch");
      Operand n, s, d;
      if (!pop(ValType::I32, &n) || !pop(ValType::I32, &s) || !pop(ValType::I32, &d)) {
        return false;
      }
      return !live() || (emit_op(kTableCopy) && emit(dt) && emit(st) && emit_slot(d.slot) &&
                         emit_slot(s.slot) && emit_slot(n.slot));
    }
    case 15: {  // table.grow
      uint32_t table;
      if (!table_index(&table)) return false;
      Operand n, init;
      uint32_t dst;
      if (!pop(ValType::I32, &n) || !pop(m_.tables[table].elem, &init) ||
          !push_new(ValType::I32, &dst)) {
        return false;
      }
      return !live() || (emit_op(kTableGrow) && emit_slot(dst) && emit(table) &&
                         emit_slot(init.slot) && emit_slot(n.slot));
    }
    case 16: {  // table.size
      uint32_t table;
      uint32_t dst;
      if (!table_index(&table) || !push_new(ValType::I32, &dst)) return false;
      return !live() || (emit_op(kTableSize) && emit_slot(dst) && emit(table));
    }
    case 17: {  // table.fill
      uint32_t table;
      if (!table_index(&table)) return false;
      Operand n, v, i;
      if (!pop(ValType::I32, &n) || !pop(m_.tables[table].elem, &v) || !pop(ValType::I32, &i)) {
        return false;
      }
      return !live() || (emit_op(kTableFill) && emit(table) && emit_slot(i.slot) &&
                         emit_slot(v.slot) && emit_slot(n.slot));
    }
    default: return fail("illegal opcode");
  }
}

bool Translator::instruction(uint8_t opcode) {
  switch (opcode) {
    case 0x00:
      if (live() && !emit_op(kUnreachable)) return false;
      set_unreachable();
      return true;
    case 0x01: return true;
    case 0x02: return op_block(BlockKind::Block);
    case 0x03: return op_block(BlockKind::Loop);
    case 0x04: return op_block(BlockKind::If);
    case 0x05: return op_else();
    case 0x0B: return op_end();
    case 0x0C: return op_br();
    case 0x0D: return op_br_if();
    case 0x0E: return op_br_table();
    case 0x0F: {
      Control& fn = ctrl_[0];
      if (!check_types(label_arity(fn), label_types(fn))) return false;
      if (live() && !emit_return()) return false;
      set_unreachable();
      return true;
    }
    case 0x10: {
      uint32_t f;
      return r_.u32(&f) && op_call(f);
    }
    case 0x11: return op_call_indirect();
    case 0x1A: {
      Operand o;
      return pop_any(&o);
    }
    case 0x1B: return op_select(false);
    case 0x1C: return op_select(true);
    case 0x20:
    case 0x21:
    case 0x22: return op_local(opcode);
    case 0x23: {
      uint32_t g;
      uint32_t dst;
      if (!r_.u32(&g)) return false;
      if (g >= m_.global_count) return fail("unknown global");
      if (!push_new(m_.global_types[g].type, &dst)) return false;
      return !live() || (emit_simple(kGlobalGet, dst) && emit(g));
    }
    case 0x24: {
      uint32_t g;
      Operand v;
      if (!r_.u32(&g)) return false;
      if (g >= m_.global_count) return fail("unknown global");
      if (!m_.global_types[g].mut) return fail("global is immutable");
      if (!pop(m_.global_types[g].type, &v)) return false;
      return !live() || (emit_op(kGlobalSet) && emit(g) && emit_slot(v.slot));
    }
    case 0x25: {
      uint32_t table;
      Operand i;
      uint32_t dst;
      if (!table_index(&table) || !pop(ValType::I32, &i) ||
          !push_new(m_.tables[table].elem, &dst)) {
        return false;
      }
      return !live() || (emit_simple(kTableGet, dst) && emit(table) && emit_slot(i.slot));
    }
    case 0x26: {
      uint32_t table;
      Operand i;
      Operand v;
      if (!table_index(&table) || !pop(m_.tables[table].elem, &v) || !pop(ValType::I32, &i)) {
        return false;
      }
      return !live() ||
             (emit_op(kTableSet) && emit(table) && emit_slot(i.slot) && emit_slot(v.slot));
    }
#define WASM_CASE(name, code, type, bytes, align) \
  case code: return op_load(k##name, ValType::type, align);
      WASM_LOADS(WASM_CASE)
#undef WASM_CASE
#define WASM_CASE(name, code, type, bytes, align) \
  case code: return op_store(k##name, ValType::type, align);
      WASM_STORES(WASM_CASE)
#undef WASM_CASE
    case 0x3F:
    case 0x40: {
      uint8_t zero;
      if (!r_.u8(&zero)) return false;
      if (zero != 0) return fail("zero byte expected");
      if (!memory_index()) return false;
      uint32_t dst;
      if (opcode == 0x3F) {
        return push_new(ValType::I32, &dst) &&
               (!live() || (emit_op(kMemorySize) && emit_slot(dst)));
      }
      Operand delta;
      if (!pop(ValType::I32, &delta) || !push_new(ValType::I32, &dst)) return false;
      return !live() || (emit_op(kMemoryGrow) && emit_slot(dst) && emit_slot(delta.slot));
    }
    case 0x41: {
      int32_t v;
      return r_.s32(&v) && constant(ValType::I32, static_cast<uint32_t>(v));
    }
    case 0x42: {
      int64_t v;
      return r_.s64(&v) && constant(ValType::I64, static_cast<uint64_t>(v));
    }
    case 0x43: {
      uint32_t v;
      return r_.fixed32(&v) && constant(ValType::F32, v);
    }
    case 0x44: {
      uint64_t v;
      return r_.fixed64(&v) && constant(ValType::F64, v);
    }
#define WASM_CASE(name, code, in, out) \
  case code: return unary(k##name, ValType::in, ValType::out);
      WASM_UNARY_I(WASM_CASE)
      WASM_UNARY_F_PLAIN(WASM_CASE)
      WASM_UNARY_FT(WASM_CASE)
#undef WASM_CASE
#define WASM_CASE(name, code, in, out) \
  case code: return binary(k##name, ValType::in, ValType::out);
      WASM_BINARY_I(WASM_CASE)
      WASM_BINARY_T(WASM_CASE)
      WASM_BINARY_F(WASM_CASE)
#undef WASM_CASE
    // Reinterpretations keep the bits: a copy, or nothing at all.
    case 0xBC: return unary(kCopy, ValType::F32, ValType::I32);
    case 0xBD: return unary(kCopy, ValType::F64, ValType::I64);
    case 0xBE: return unary(kCopy, ValType::I32, ValType::F32);
    case 0xBF: return unary(kCopy, ValType::I64, ValType::F64);
    case 0xD0: {
      uint8_t b;
      if (!r_.u8(&b)) return false;
      auto t = static_cast<ValType>(b);
      if (!is_ref(t)) return fail("malformed reference type");
      return constant(t, 0);
    }
    case 0xD1: {
      Operand r;
      uint32_t dst;
      if (!pop_any(&r)) return false;
      if (r.type != ValType::Unknown && !is_ref(r.type)) return fail("type mismatch");
      if (!push_new(ValType::I32, &dst)) return false;
      return !live() || (emit_simple(kI64Eqz, dst) && emit_slot(r.slot));
    }
    case 0xD2: {
      uint32_t f;
      uint32_t dst;
      if (!r_.u32(&f)) return false;
      if (f >= m_.func_count) return fail("unknown function");
      if (m_.declared_refs[f] == 0) return fail("undeclared function reference");
      if (!push_new(ValType::FuncRef, &dst)) return false;
      return !live() || (emit_simple(kRefFunc, dst) && emit(f));
    }
    case 0xFC: return prefixed();
    default: return fail("illegal opcode");
  }
}

}  // namespace

bool compile_function(Module& module, uint32_t defined, const uint8_t* body, size_t size,
                      Fail* fail) {
  Translator t(module, defined, body, size);
  return t.run(fail);
}

}  // namespace wasm
