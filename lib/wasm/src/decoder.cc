#include "decoder.h"

namespace wasm {

namespace {

constexpr uint32_t kMaxPages = 65536;  // 4 GiB: the most a 32-bit memory can address

// The position of each known section id in the required order (custom sections aside).
int section_rank(uint8_t id) {
  switch (id) {
    case 1: return 1;    // type
    case 2: return 2;    // import
    case 3: return 3;    // function
    case 4: return 4;    // table
    case 5: return 5;    // memory
    case 6: return 6;    // global
    case 7: return 7;    // export
    case 8: return 8;    // start
    case 9: return 9;    // element
    case 12: return 10;  // data count
    case 10: return 11;  // code
    case 11: return 12;  // data
    default: return -1;
  }
}

}  // namespace

bool Decoder::val_type(ValType* out) {
  uint8_t b;
  if (!r_.u8(&b)) return false;
  switch (b) {
    case 0x7F:
    case 0x7E:
    case 0x7D:
    case 0x7C:
    case 0x70:
    case 0x6F: *out = static_cast<ValType>(b); return true;
    default: return fail("malformed value type");
  }
}

bool Decoder::ref_type(ValType* out) {
  uint8_t b;
  if (!r_.u8(&b)) return false;
  if (b != 0x70 && b != 0x6F) return fail("malformed reference type");
  *out = static_cast<ValType>(b);
  return true;
}

bool Decoder::limits(LimitsDecl* out, uint64_t bound, const char* too_big) {
  uint8_t flags;
  uint32_t min;
  uint32_t max = 0;
  if (!r_.u8(&flags)) return false;
  if (flags > 1) return fail("integer too large");
  if (!r_.u32(&min)) return false;
  if (flags == 1 && !r_.u32(&max)) return false;
  if (min > bound || (flags == 1 && max > bound)) return fail(too_big);
  if (flags == 1 && min > max) return fail("size minimum must not be greater than maximum");
  *out = {min, max, flags == 1};
  return true;
}

bool Decoder::table_type(TableType* out) {
  if (!ref_type(&out->elem)) return false;
  return limits(&out->limits, 0xFFFFFFFFu, "table size must be at most 2^32-1");
}

bool Decoder::memory_type(LimitsDecl* out) {
  return limits(out, kMaxPages, "memory size must be at most 65536 pages (4GiB)");
}

bool Decoder::global_type(GlobalType* out) {
  uint8_t mut;
  if (!val_type(&out->type) || !r_.u8(&mut)) return false;
  if (mut > 1) return fail("malformed mutability");
  out->mut = mut == 1;
  return true;
}

// One constant instruction then `end`. global.get may name only imported immutable
// globals (WebAssembly 2.0); ref.func declares the function for use in code.
bool Decoder::const_expr(ValType expected, ConstExpr* out) {
  uint8_t op;
  if (!r_.u8(&op)) return false;
  ValType type = ValType::Unknown;
  *out = {};
  switch (op) {
    case 0x41: {
      int32_t v;
      if (!r_.s32(&v)) return false;
      *out = {ConstExpr::Value, 0, static_cast<uint32_t>(v)};
      type = ValType::I32;
      break;
    }
    case 0x42: {
      int64_t v;
      if (!r_.s64(&v)) return false;
      *out = {ConstExpr::Value, 0, static_cast<uint64_t>(v)};
      type = ValType::I64;
      break;
    }
    case 0x43: {
      uint32_t v;
      if (!r_.fixed32(&v)) return false;
      *out = {ConstExpr::Value, 0, v};
      type = ValType::F32;
      break;
    }
    case 0x44: {
      uint64_t v;
      if (!r_.fixed64(&v)) return false;
      *out = {ConstExpr::Value, 0, v};
      type = ValType::F64;
      break;
    }
    case 0x23: {
      uint32_t index;
      if (!r_.u32(&index)) return false;
      if (index >= m_.imported_globals) return fail("unknown global");
      if (m_.global_types[index].mut) return fail("constant expression required");
      *out = {ConstExpr::GlobalGet, index, 0};
      type = m_.global_types[index].type;
      break;
    }
    case 0xD0: {
      if (!ref_type(&type)) return false;
      *out = {ConstExpr::RefNull, 0, 0};
      break;
    }
    case 0xD2: {
      uint32_t index;
      if (!r_.u32(&index)) return false;
      if (index >= m_.func_count) return fail("unknown function");
      m_.declared_refs[index] = 1;
      *out = {ConstExpr::RefFunc, index, 0};
      type = ValType::FuncRef;
      break;
    }
    case 0x0B: return fail("type mismatch");
    default: return fail("constant expression required");
  }
  uint8_t end;
  if (!r_.u8(&end)) return false;
  if (end != 0x0B) {
    if (r_.ok()) return fail("constant expression required");
    return false;
  }
  if (type != expected) return fail("type mismatch");
  return true;
}

bool Decoder::type_section() {
  uint32_t n;
  if (!r_.count(&n, m_.limits.max_types, "too many types")) return false;
  m_.types = m_.arena.make_array<FuncType>(n);
  if (m_.types == nullptr && n != 0) return fail("out of memory");
  m_.type_count = n;
  for (uint32_t i = 0; i < n; ++i) {
    uint8_t form;
    if (!r_.u8(&form)) return false;
    if (form != 0x60) return fail("malformed function type");
    uint32_t counts[2];
    ValType* lists[2];
    for (int k = 0; k < 2; ++k) {
      if (!r_.count(&counts[k], m_.limits.max_type_arity, "too many parameters or results")) {
        return false;
      }
      lists[k] = m_.arena.make_array<ValType>(counts[k] + 1);
      if (lists[k] == nullptr) return fail("out of memory");
      for (uint32_t j = 0; j < counts[k]; ++j) {
        if (!val_type(&lists[k][j])) return false;
      }
    }
    FuncType& t = m_.types[i];
    t = {counts[0], counts[1], lists[0], lists[1], i};
    for (uint32_t j = 0; j < i; ++j) {
      if (same_signature(m_.types[j], t)) {
        t.canonical = j;
        break;
      }
    }
  }
  return true;
}

bool Decoder::import_section() {
  uint32_t n;
  if (!r_.count(&n, m_.limits.max_imports, "too many imports", 4)) return false;
  m_.imports = m_.arena.make_array<Import>(n);
  if (m_.imports == nullptr && n != 0) return fail("out of memory");
  // First pass: names and kinds, with each kind's descriptor decoded into scratch storage
  // that the index spaces copy once their sizes are known.
  auto* funcs = m_.arena.make_array<uint32_t>(n);
  auto* tables = m_.arena.make_array<TableType>(n);
  auto* globals = m_.arena.make_array<GlobalType>(n);
  if (n != 0 && (funcs == nullptr || tables == nullptr || globals == nullptr)) {
    return fail("out of memory");
  }
  for (uint32_t i = 0; i < n; ++i) {
    Import& im = m_.imports[i];
    if (!r_.name(&im.module.data, &im.module.size) || !r_.name(&im.field.data, &im.field.size)) {
      return false;
    }
    uint8_t kind;
    if (!r_.u8(&kind)) return false;
    switch (kind) {
      case 0: {
        uint32_t type;
        if (!r_.u32(&type)) return false;
        if (type >= m_.type_count) return fail("unknown type");
        im.kind = ExternKind::Func;
        im.index = m_.imported_funcs;
        funcs[m_.imported_funcs++] = type;
        break;
      }
      case 1:
        im.kind = ExternKind::Table;
        im.index = m_.imported_tables;
        if (!table_type(&tables[m_.imported_tables++])) return false;
        break;
      case 2:
        im.kind = ExternKind::Memory;
        im.index = m_.imported_memories++;
        if (!memory_type(&m_.memory)) return false;
        if (m_.imported_memories > 1) return fail("multiple memories");
        break;
      case 3:
        im.kind = ExternKind::Global;
        im.index = m_.imported_globals;
        if (!global_type(&globals[m_.imported_globals++])) return false;
        break;
      default: return fail("malformed import kind");
    }
  }
  m_.import_count = n;
  m_.func_types = funcs;  // replaced by the function section's larger array, if any
  m_.tables = tables;
  m_.global_types = globals;
  m_.func_count = m_.imported_funcs;
  m_.table_count = m_.imported_tables;
  m_.memory_count = m_.imported_memories;
  m_.global_count = m_.imported_globals;
  return true;
}

bool Decoder::function_section() {
  uint32_t n;
  if (!r_.count(&n, m_.limits.max_functions, "too many functions")) return false;
  if (n > m_.limits.max_functions - m_.imported_funcs) return fail("too many functions");
  uint32_t total = m_.imported_funcs + n;
  auto* types = m_.arena.make_array<uint32_t>(total + 1);
  m_.functions = m_.arena.make_array<Function>(n + 1);
  if (types == nullptr || m_.functions == nullptr) return fail("out of memory");
  for (uint32_t i = 0; i < m_.imported_funcs; ++i) types[i] = m_.func_types[i];
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t type;
    if (!r_.u32(&type)) return false;
    if (type >= m_.type_count) return fail("unknown type");
    types[m_.imported_funcs + i] = type;
    m_.functions[i].type = type;
  }
  m_.func_types = types;
  m_.func_count = total;
  saw_function_section_ = true;
  declared_functions_ = n;
  return true;
}

bool Decoder::table_section() {
  uint32_t n;
  if (!r_.count(&n, m_.limits.max_tables, "too many tables")) return false;
  uint32_t total = m_.imported_tables + n;
  auto* tables = m_.arena.make_array<TableType>(total + 1);
  if (tables == nullptr) return fail("out of memory");
  for (uint32_t i = 0; i < m_.imported_tables; ++i) tables[i] = m_.tables[i];
  for (uint32_t i = 0; i < n; ++i) {
    if (!table_type(&tables[m_.imported_tables + i])) return false;
  }
  m_.tables = tables;
  m_.table_count = total;
  return true;
}

bool Decoder::memory_section() {
  uint32_t n;
  if (!r_.count(&n, 2, "multiple memories")) return false;
  if (m_.imported_memories + n > 1) return fail("multiple memories");
  if (n == 1 && !memory_type(&m_.memory)) return false;
  m_.memory_count += n;
  return true;
}

bool Decoder::global_section() {
  uint32_t n;
  if (!r_.count(&n, m_.limits.max_globals, "too many globals")) return false;
  uint32_t total = m_.imported_globals + n;
  auto* types = m_.arena.make_array<GlobalType>(total + 1);
  m_.global_inits = m_.arena.make_array<ConstExpr>(total + 1);
  if (types == nullptr || m_.global_inits == nullptr) return fail("out of memory");
  for (uint32_t i = 0; i < m_.imported_globals; ++i) types[i] = m_.global_types[i];
  m_.global_types = types;
  for (uint32_t i = 0; i < n; ++i) {
    GlobalType& t = types[m_.imported_globals + i];
    if (!global_type(&t)) return false;
    if (!const_expr(t.type, &m_.global_inits[m_.imported_globals + i])) return false;
  }
  m_.global_count = total;
  return true;
}

bool Decoder::export_section() {
  uint32_t n;
  if (!r_.count(&n, m_.limits.max_exports, "too many exports", 3)) return false;
  m_.exports = m_.arena.make_array<Export>(n + 1);
  if (m_.exports == nullptr) return fail("out of memory");
  for (uint32_t i = 0; i < n; ++i) {
    Export& e = m_.exports[i];
    uint8_t kind;
    if (!r_.name(&e.name.data, &e.name.size) || !r_.u8(&kind) || !r_.u32(&e.index)) {
      return false;
    }
    uint32_t bound;
    switch (kind) {
      case 0: bound = m_.func_count; break;
      case 1: bound = m_.table_count; break;
      case 2: bound = m_.memory_count; break;
      case 3: bound = m_.global_count; break;
      default: return fail("malformed export kind");
    }
    e.kind = static_cast<ExternKind>(kind);
    if (e.index >= bound) {
      static constexpr const char* kUnknown[] = {"unknown function", "unknown table",
                                                 "unknown memory", "unknown global"};
      return fail(kUnknown[kind]);
    }
    if (e.kind == ExternKind::Func) m_.declared_refs[e.index] = 1;
    for (uint32_t j = 0; j < i; ++j) {
      if (m_.exports[j].name.equals(e.name.data, e.name.size)) {
        return fail("duplicate export name");
      }
    }
  }
  m_.export_count = n;
  return true;
}

bool Decoder::start_section() {
  if (!r_.u32(&m_.start)) return false;
  if (m_.start >= m_.func_count) return fail("unknown function");
  const FuncType& t = m_.func_type(m_.start);
  if (t.param_count != 0 || t.result_count != 0) return fail("start function");
  m_.has_start = true;
  return true;
}

bool Decoder::elem_section() {
  uint32_t n;
  if (!r_.count(&n, m_.limits.max_segments, "too many element segments")) return false;
  m_.elems = m_.arena.make_array<ElemSegment>(n + 1);
  if (m_.elems == nullptr) return fail("out of memory");
  for (uint32_t i = 0; i < n; ++i) {
    ElemSegment& s = m_.elems[i];
    uint32_t flags;
    if (!r_.u32(&flags)) return false;
    if (flags > 7) return fail("malformed elements segment kind");
    bool passive_or_declarative = (flags & 1) != 0;
    bool explicit_table = (flags & 2) != 0;
    bool expressions = (flags & 4) != 0;
    s.mode = !passive_or_declarative ? SegmentMode::Active
             : explicit_table        ? SegmentMode::Declarative
                                     : SegmentMode::Passive;
    s.table = 0;
    s.type = ValType::FuncRef;
    if (s.mode == SegmentMode::Active) {
      if (explicit_table && !r_.u32(&s.table)) return false;
      if (s.table >= m_.table_count) return fail("unknown table");
      if (!const_expr(ValType::I32, &s.offset)) return false;
    }
    if (passive_or_declarative || explicit_table) {
      if (expressions) {
        if (!ref_type(&s.type)) return false;
      } else {
        uint8_t kind;
        if (!r_.u8(&kind)) return false;
        if (kind != 0) return fail("malformed element kind");
      }
    }
    if (!r_.count(&s.count, m_.limits.max_segment_items, "too many segment items")) return false;
    auto* items = m_.arena.make_array<ConstExpr>(s.count + 1);
    if (items == nullptr) return fail("out of memory");
    for (uint32_t k = 0; k < s.count; ++k) {
      if (expressions) {
        if (!const_expr(s.type, &items[k])) return false;
      } else {
        uint32_t f;
        if (!r_.u32(&f)) return false;
        if (f >= m_.func_count) return fail("unknown function");
        m_.declared_refs[f] = 1;
        items[k] = {ConstExpr::RefFunc, f, 0};
      }
    }
    s.items = items;
    if (s.mode == SegmentMode::Active && m_.tables[s.table].elem != s.type) {
      return fail("type mismatch");
    }
  }
  m_.elem_count = n;
  return true;
}

bool Decoder::data_count_section() {
  if (!r_.u32(&m_.data_count)) return false;
  if (m_.data_count > m_.limits.max_segments) return fail("too many data segments");
  m_.has_data_count = true;
  return true;
}

bool Decoder::code_section() {
  uint32_t n;
  if (!r_.count(&n, m_.limits.max_functions, "too many functions")) return false;
  if (n != declared_functions_) {
    return fail("function and code section have inconsistent lengths");
  }
  code_bodies_ = n;
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t size;
    const uint8_t* body;
    if (!r_.u32(&size) || !r_.bytes(size, &body)) return false;
    if (size > m_.limits.max_body_bytes) return fail("function body too large");
    Fail why;
    if (!compile_function(m_, i, body, size, &why)) return fail(why.message);
  }
  return true;
}

bool Decoder::data_section() {
  uint32_t n;
  if (!r_.count(&n, m_.limits.max_segments, "too many data segments")) return false;
  if (m_.has_data_count && n != m_.data_count) {
    return fail("data count and data section have inconsistent lengths");
  }
  m_.datas = m_.arena.make_array<DataSegment>(n + 1);
  if (m_.datas == nullptr) return fail("out of memory");
  for (uint32_t i = 0; i < n; ++i) {
    DataSegment& s = m_.datas[i];
    uint32_t flags;
    if (!r_.u32(&flags)) return false;
    if (flags > 2) return fail("malformed data segment kind");
    s.mode = flags == 1 ? SegmentMode::Passive : SegmentMode::Active;
    s.memory = 0;
    if (flags == 2 && !r_.u32(&s.memory)) return false;
    if (s.mode == SegmentMode::Active) {
      if (s.memory >= m_.memory_count) return fail("unknown memory");
      if (!const_expr(ValType::I32, &s.offset)) return false;
    }
    if (!r_.u32(&s.size) || !r_.bytes(s.size, &s.bytes)) return false;
  }
  m_.data_count = n;
  return true;
}

bool Decoder::section(uint8_t id) {
  switch (id) {
    case 1: return type_section();
    case 2: return import_section();
    case 3: return function_section();
    case 4: return table_section();
    case 5: return memory_section();
    case 6: return global_section();
    case 7: return export_section();
    case 8: return start_section();
    case 9: return elem_section();
    case 10: return code_section();
    case 11: return data_section();
    case 12: return data_count_section();
    default: return fail("malformed section id");
  }
}

bool Decoder::decode() {
  const uint8_t* header;
  if (!r_.bytes(4, &header)) return fail("unexpected end");
  if (__builtin_memcmp(header, "\0asm", 4) != 0) return fail("magic header not detected");
  if (!r_.bytes(4, &header)) return fail("unexpected end");
  if (__builtin_memcmp(header, "\1\0\0\0", 4) != 0) return fail("unknown binary version");
  int last_rank = 0;
  while (!r_.at_end()) {
    uint8_t id;
    uint32_t size;
    if (!r_.u8(&id) || !r_.u32(&size)) return false;
    if (size > r_.left()) return fail("length out of bounds");
    const uint8_t* end = r_.pos() + size;
    const uint8_t* module_end = r_.end();
    r_.set_end(end);
    if (id == 0) {
      const char* name;
      uint32_t length;
      if (!r_.name(&name, &length)) return false;
      r_.bytes(r_.left(), &end);  // a custom section's contents mean nothing to the engine
    } else {
      int rank = section_rank(id);
      if (rank < 0) return fail("malformed section id");
      if (rank <= last_rank) return fail("unexpected content after last section");
      last_rank = rank;
      // The function index space is complete after the function section: from there on,
      // declarations of ref.func are recorded.
      if (rank > 3 && m_.declared_refs == nullptr) {
        m_.declared_refs = m_.arena.make_array<uint8_t>(m_.func_count + 1);
        if (m_.declared_refs == nullptr) return fail("out of memory");
      }
      if (!section(id)) return false;
      if (!r_.at_end()) return fail("section size mismatch");
    }
    r_.set_end(module_end);
  }
  if (declared_functions_ != code_bodies_) {
    return fail("function and code section have inconsistent lengths");
  }
  if (m_.has_data_count && m_.datas == nullptr && m_.data_count != 0) {
    return fail("data count and data section have inconsistent lengths");
  }
  if (m_.declared_refs == nullptr) {
    m_.declared_refs = m_.arena.make_array<uint8_t>(m_.func_count + 1);
    if (m_.declared_refs == nullptr) return fail("out of memory");
  }
  return r_.ok();
}

}  // namespace wasm
