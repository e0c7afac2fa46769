#include "wasm/instance.h"

#include "interpreter.h"

namespace wasm {

namespace {

constexpr uint64_t kPageBytes = 65536;
constexpr uint32_t kMaxHostDepth = 64;  // nested interpreter activations on the native stack

uint32_t bounded(const LimitsDecl& limits, uint32_t store_limit) {
  uint64_t max = limits.has_max ? limits.max : store_limit;
  return static_cast<uint32_t>(max < store_limit ? max : store_limit);
}

// Import matching (the specification's "import subtyping" of limits).
bool limits_match(uint64_t size, bool has_max, uint64_t max, const LimitsDecl& wanted) {
  if (size < wanted.min) return false;
  if (!wanted.has_max) return true;
  return has_max && max <= wanted.max;
}

}  // namespace

Memory* HostCall::memory() const { return caller != nullptr ? caller->memory() : nullptr; }

uint8_t* HostCall::bytes(uint64_t address, uint64_t length) const {
  Memory* m = memory();
  if (m == nullptr || address > m->size || length > m->size - address) return nullptr;
  return m->data + address;
}

bool Instance::find_export(const char* name, size_t length, Extern* out) const {
  const Export* e = module_->find_export(name, length);
  if (e == nullptr) return false;
  out->kind = e->kind;
  switch (e->kind) {
    case ExternKind::Func: out->func = funcs_[e->index]; break;
    case ExternKind::Table: out->table = tables_[e->index]; break;
    case ExternKind::Memory: out->memory = memory_; break;
    case ExternKind::Global: out->global = globals_[e->index]; break;
  }
  return true;
}

Store* Store::create(Allocator* allocator, const Limits& limits) {
  void* memory = allocator->allocate(sizeof(Store));
  if (memory == nullptr) return nullptr;
  return new (memory) Store(allocator, limits);
}

void Store::destroy(Store* store) {
  if (store == nullptr) return;
  Allocator* allocator = store->allocator_;
  store->~Store();
  allocator->deallocate(store, sizeof(Store));
}

Store::~Store() {
  for (Memory* m = memories_; m != nullptr; m = m->next) {
    if (m->data != nullptr) allocator_->deallocate(m->data, m->capacity);
  }
  for (Table* t = tables_; t != nullptr; t = t->next) {
    if (t->elements != nullptr) allocator_->deallocate(t->elements, size_t{t->capacity} * 8);
  }
  if (slots_ != nullptr) {
    allocator_->deallocate(slots_, size_t{limits_.max_stack_slots} * sizeof(uint64_t));
  }
  if (frames_ != nullptr) {
    allocator_->deallocate(frames_, size_t{limits_.max_call_depth} * sizeof(Frame));
  }
}

Memory* Store::create_memory(const LimitsDecl& limits) {
  if (limits.min > limits_.max_memory_pages) return nullptr;
  auto* m = arena_.make_array<Memory>(1);
  if (m == nullptr) return nullptr;
  m->next = memories_;
  memories_ = m;
  m->max_pages = bounded(limits, limits_.max_memory_pages);
  m->has_max = limits.has_max;
  m->declared_max = static_cast<uint32_t>(limits.max);
  uint32_t old;
  if (limits.min != 0 && !grow_memory(m, static_cast<uint32_t>(limits.min), &old)) return nullptr;
  return m;
}

bool Store::grow_memory(Memory* m, uint32_t delta, uint32_t* old_pages) {
  *old_pages = m->pages;
  if (delta == 0) return true;
  if (delta > m->max_pages || m->pages > m->max_pages - delta) return false;
  uint64_t size = uint64_t{m->pages + delta} * kPageBytes;
  auto* data = static_cast<uint8_t*>(allocator_->allocate(size));
  if (data == nullptr) return false;
  if (m->size != 0) __builtin_memcpy(data, m->data, m->size);
  __builtin_memset(data + m->size, 0, size - m->size);
  if (m->data != nullptr) allocator_->deallocate(m->data, m->capacity);
  m->data = data;
  m->capacity = size;
  m->size = size;
  m->pages += delta;
  return true;
}

Table* Store::create_table(const TableType& type, uint64_t init) {
  if (type.limits.min > limits_.max_table_size) return nullptr;
  auto* t = arena_.make_array<Table>(1);
  if (t == nullptr) return nullptr;
  t->next = tables_;
  tables_ = t;
  t->type = type.elem;
  t->max = bounded(type.limits, limits_.max_table_size);
  t->has_max = type.limits.has_max;
  t->declared_max = static_cast<uint32_t>(type.limits.max);
  uint32_t old;
  if (type.limits.min != 0 && !grow_table(t, static_cast<uint32_t>(type.limits.min), init, &old)) {
    return nullptr;
  }
  return t;
}

bool Store::grow_table(Table* t, uint32_t delta, uint64_t init, uint32_t* old_size) {
  *old_size = t->size;
  if (delta > t->max || t->size > t->max - delta) return false;
  uint32_t size = t->size + delta;
  if (size > t->capacity) {
    uint32_t capacity = size;
    auto* elements = static_cast<uint64_t*>(allocator_->allocate(size_t{capacity} * 8));
    if (elements == nullptr) return false;
    if (t->size != 0) __builtin_memcpy(elements, t->elements, size_t{t->size} * 8);
    if (t->elements != nullptr) allocator_->deallocate(t->elements, size_t{t->capacity} * 8);
    t->elements = elements;
    t->capacity = capacity;
  }
  for (uint32_t i = t->size; i < size; ++i) t->elements[i] = init;
  t->size = size;
  return true;
}

Global* Store::create_global(const GlobalType& type, uint64_t value) {
  auto* g = arena_.make_array<Global>(1);
  if (g == nullptr) return nullptr;
  g->type = type;
  g->value = value;
  return g;
}

FuncRef* Store::create_host_function(const FuncType* type, HostFunction host, void* context) {
  auto* f = arena_.make_array<FuncRef>(1);
  if (f == nullptr) return nullptr;
  *f = {type, nullptr, 0, host, context};
  return f;
}

namespace {

bool import_matches(const Module& m, const Import& im, const Extern& ext) {
  if (ext.kind != im.kind) return false;
  switch (im.kind) {
    case ExternKind::Func: return same_signature(*ext.func->type, m.func_type(im.index));
    case ExternKind::Table: {
      const TableType& want = m.tables[im.index];
      return ext.table->type == want.elem && limits_match(ext.table->size, ext.table->has_max,
                                                          ext.table->declared_max, want.limits);
    }
    case ExternKind::Memory:
      return limits_match(ext.memory->pages, ext.memory->has_max, ext.memory->declared_max,
                          m.memory);
    case ExternKind::Global: {
      const GlobalType& want = m.global_types[im.index];
      return ext.global->type.type == want.type && ext.global->type.mut == want.mut;
    }
  }
  return false;
}

uint64_t eval_const(const ConstExpr& e, FuncRef* const* funcs, Global* const* globals) {
  switch (e.kind) {
    case ConstExpr::Value: return e.bits;
    case ConstExpr::GlobalGet: return globals[e.index]->value;
    case ConstExpr::RefFunc: return reinterpret_cast<uintptr_t>(funcs[e.index]);
    case ConstExpr::RefNull: return 0;
  }
  return 0;
}

}  // namespace

uint64_t Interpreter::elem_item(Instance* inst, const ElemSegment& seg, uint32_t i) {
  return eval_const(seg.items[i], inst->funcs_, inst->globals_);
}

Instance* Store::instantiate(const Module& m, const Extern* imports, uint32_t import_count,
                             Fail* fail, Trap* trap) {
  *trap = Trap::None;
  *fail = {};
  if (import_count != m.import_count) {
    *fail = {"wrong number of imports", 0};
    return nullptr;
  }
  for (uint32_t i = 0; i < m.import_count; ++i) {
    if (!import_matches(m, m.imports[i], imports[i])) {
      *fail = {"incompatible import type", i};
      return nullptr;
    }
  }
  auto* inst = arena_.make_array<Instance>(1);
  if (inst == nullptr) {
    *fail = {"out of memory", 0};
    return nullptr;
  }
  new (inst) Instance();
  inst->module_ = &m;
  inst->store_ = this;
  inst->funcs_ = arena_.make_array<FuncRef*>(m.func_count + 1);
  inst->tables_ = arena_.make_array<Table*>(m.table_count + 1);
  inst->globals_ = arena_.make_array<Global*>(m.global_count + 1);
  inst->dropped_elems_ = arena_.make_array<uint8_t>(m.elem_count + 1);
  inst->dropped_datas_ = arena_.make_array<uint8_t>(m.data_count + 1);
  if (inst->funcs_ == nullptr || inst->tables_ == nullptr || inst->globals_ == nullptr ||
      inst->dropped_elems_ == nullptr || inst->dropped_datas_ == nullptr) {
    *fail = {"out of memory", 0};
    return nullptr;
  }
  for (uint32_t i = 0; i < m.import_count; ++i) {
    const Import& im = m.imports[i];
    switch (im.kind) {
      case ExternKind::Func: inst->funcs_[im.index] = imports[i].func; break;
      case ExternKind::Table: inst->tables_[im.index] = imports[i].table; break;
      case ExternKind::Memory: inst->memory_ = imports[i].memory; break;
      case ExternKind::Global: inst->globals_[im.index] = imports[i].global; break;
    }
  }
  for (uint32_t i = m.imported_funcs; i < m.func_count; ++i) {
    FuncRef* f = arena_.make_array<FuncRef>(1);
    if (f == nullptr) {
      *fail = {"out of memory", 0};
      return nullptr;
    }
    *f = {&m.func_type(i), inst, i - m.imported_funcs, nullptr, nullptr};
    inst->funcs_[i] = f;
  }
  for (uint32_t i = m.imported_tables; i < m.table_count; ++i) {
    inst->tables_[i] = create_table(m.tables[i], 0);
    if (inst->tables_[i] == nullptr) {
      *fail = {"table too large", 0};
      return nullptr;
    }
  }
  if (m.memory_count != 0 && m.imported_memories == 0) {
    inst->memory_ = create_memory(m.memory);
    if (inst->memory_ == nullptr) {
      *fail = {"memory too large", 0};
      return nullptr;
    }
  }
  for (uint32_t i = m.imported_globals; i < m.global_count; ++i) {
    uint64_t v = eval_const(m.global_inits[i], inst->funcs_, inst->globals_);
    inst->globals_[i] = create_global(m.global_types[i], v);
    if (inst->globals_[i] == nullptr) {
      *fail = {"out of memory", 0};
      return nullptr;
    }
  }
  *trap = init_segments(inst);
  if (*trap == Trap::None && m.has_start) {
    uint64_t* fp;
    if (!ensure_stack()) {
      *fail = {"out of memory", 0};
      return nullptr;
    }
    fp = slots_;
    *trap = call(inst->funcs_[m.start], fp, nullptr);
  }
  if (*trap != Trap::None) {
    *fail = {trap_message(*trap), 0};
    return nullptr;
  }
  return inst;
}

// Active segments are copied in order, then dropped, as are declarative ones. The first one
// out of bounds traps; what the earlier ones wrote stays.
Trap Store::init_segments(Instance* inst) {
  const Module& m = *inst->module_;
  for (uint32_t i = 0; i < m.elem_count; ++i) {
    const ElemSegment& seg = m.elems[i];
    if (seg.mode == SegmentMode::Passive) continue;
    inst->dropped_elems_[i] = 1;
    if (seg.mode == SegmentMode::Declarative) continue;
    auto offset = static_cast<uint32_t>(eval_const(seg.offset, inst->funcs_, inst->globals_));
    Table* t = inst->tables_[seg.table];
    if (uint64_t{offset} + seg.count > t->size) return Trap::TableOutOfBounds;
    for (uint32_t k = 0; k < seg.count; ++k) {
      t->elements[offset + k] = Interpreter::elem_item(inst, seg, k);
    }
  }
  for (uint32_t i = 0; i < m.data_count; ++i) {
    const DataSegment& seg = m.datas[i];
    if (seg.mode != SegmentMode::Active) continue;
    inst->dropped_datas_[i] = 1;
    auto offset = static_cast<uint32_t>(eval_const(seg.offset, inst->funcs_, inst->globals_));
    Memory* mem = inst->memory_;
    if (uint64_t{offset} + seg.size > mem->size) return Trap::MemoryOutOfBounds;
    if (seg.size != 0) __builtin_memcpy(mem->data + offset, seg.bytes, seg.size);
  }
  return Trap::None;
}

bool Store::ensure_stack() {
  if (slots_ != nullptr) return true;
  slots_ = static_cast<uint64_t*>(
      allocator_->allocate(size_t{limits_.max_stack_slots} * sizeof(uint64_t)));
  frames_ =
      static_cast<Frame*>(allocator_->allocate(size_t{limits_.max_call_depth} * sizeof(Frame)));
  if (slots_ == nullptr || frames_ == nullptr) {
    if (slots_ != nullptr) {
      allocator_->deallocate(slots_, size_t{limits_.max_stack_slots} * sizeof(uint64_t));
    }
    if (frames_ != nullptr) {
      allocator_->deallocate(frames_, size_t{limits_.max_call_depth} * sizeof(Frame));
    }
    slots_ = nullptr;
    frames_ = nullptr;
    return false;
  }
  slots_end_ = slots_ + limits_.max_stack_slots;
  return true;
}

Trap Store::call(FuncRef* f, uint64_t* fp, Instance* caller) {
  if (f->instance == nullptr) {
    HostCall hc = {f->context, caller, fp};
    Trap t = f->host(hc);
    if (t != Trap::None) trap_detail_ = hc.message;
    return t;
  }
  if (host_depth_ >= kMaxHostDepth) return Trap::CallStackExhausted;
  ++host_depth_;
  Trap t = Interpreter::execute(*this, f->instance, f->defined, fp);
  --host_depth_;
  return t;
}

Trap Store::invoke(FuncRef* f, const uint64_t* args, uint64_t* results) {
  if (!ensure_stack()) return Trap::CallStackExhausted;
  if (host_depth_ != 0) {
    trap_detail_ = "a host function called back into wasm";
    return Trap::Host;
  }
  trap_detail_ = nullptr;
  uint32_t n = f->type->param_count;
  uint32_t r = f->type->result_count;
  uint32_t slots = n > r ? n : r;
  if (slots > limits_.max_stack_slots) return Trap::CallStackExhausted;
  for (uint32_t i = 0; i < n; ++i) slots_[i] = args[i];
  depth_ = 0;
  Trap t = call(f, slots_, nullptr);
  if (t == Trap::None) {
    for (uint32_t i = 0; i < r; ++i) results[i] = slots_[i];
  }
  depth_ = 0;
  return t;
}

}  // namespace wasm
