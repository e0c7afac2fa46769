#pragma once
// The WebAssembly engine's basic vocabulary: value types, traps, decode errors, the
// allocator the engine draws all its memory from, a growable array and an arena on top of
// it, and the limits that bound every count a module can declare.
//
// The engine is freestanding C++: no exceptions, no RTTI, no standard containers. Every
// allocation goes through an Allocator the embedder supplies and can fail.

#include <stddef.h>
#include <stdint.h>

#include <new>
#include <type_traits>

namespace wasm {

enum class ValType : uint8_t {
  Unknown = 0,  // the bottom type of an unreachable operand stack
  I32 = 0x7F,
  I64 = 0x7E,
  F32 = 0x7D,
  F64 = 0x7C,
  V128 = 0x7B,
  FuncRef = 0x70,
  ExternRef = 0x6F,
};

inline bool is_ref(ValType t) { return t == ValType::FuncRef || t == ValType::ExternRef; }
inline bool is_num(ValType t) {
  return t == ValType::I32 || t == ValType::I64 || t == ValType::F32 || t == ValType::F64;
}

enum class ExternKind : uint8_t { Func = 0, Table = 1, Memory = 2, Global = 3 };

// Why execution stopped early. The messages are those of the specification's test suite.
enum class Trap : uint8_t {
  None,
  Unreachable,
  MemoryOutOfBounds,
  TableOutOfBounds,
  DivideByZero,
  IntegerOverflow,
  InvalidConversion,
  IndirectCallTypeMismatch,
  UndefinedElement,
  UninitializedElement,
  CallStackExhausted,
  OutOfFuel,
  FloatUnsupported,  // a float operation in a build without floating point
  Stopped,           // the embedder's stop flag was raised (Store::set_stop_flag)
  Host,              // a host function refused the call (its message says why)
};
const char* trap_message(Trap trap);

// A decode, validation, link or instantiation failure: a static message and, for decoding,
// the byte offset in the module where it was found.
struct Fail {
  const char* message = nullptr;
  uint32_t offset = 0;
};

// Where the engine's memory comes from. allocate() returns memory aligned to 16 bytes or
// null; deallocate() is given back the size that was asked for.
class Allocator {
 public:
  virtual void* allocate(size_t bytes) = 0;
  virtual void deallocate(void* ptr, size_t bytes) = 0;

 protected:
  ~Allocator() = default;
};

// Every count a module may declare, and the run-time bounds of an instance. A module over a
// limit is refused with a message naming it; at run time a limit is a trap or a failed grow.
struct Limits {
  uint32_t max_module_bytes = 64u << 20;
  uint32_t max_types = 100'000;
  uint32_t max_type_arity = 1000;  // params or results of one function type
  uint32_t max_imports = 100'000;
  uint32_t max_functions = 1'000'000;
  uint32_t max_tables = 100'000;
  uint32_t max_globals = 1'000'000;
  uint32_t max_exports = 100'000;
  uint32_t max_segments = 100'000;  // element or data segments
  uint32_t max_segment_items = 10'000'000;
  uint32_t max_locals = 50'000;         // per function, parameters included
  uint32_t max_nesting = 1024;          // nested blocks, loops and ifs in one function
  uint32_t max_operand_stack = 65'536;  // operand stack height within one function
  uint32_t max_body_bytes = 7'654'321;  // one function body
  uint32_t max_memory_pages = 16'384;   // 1 GiB of linear memory per memory
  uint32_t max_table_size = 1u << 20;   // elements per table
  uint32_t max_call_depth = 20'000;     // nested calls of one execution
  uint32_t max_stack_slots = 1u << 22;  // 64-bit value slots of one execution (32 MiB)
  bool metered = false;                 // count fuel at function entries and loop heads
};

// A growable array of trivially copyable elements whose growth can fail.
template <typename T>
class Vec {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  explicit Vec(Allocator* allocator = nullptr) : allocator_(allocator) {}
  Vec(const Vec&) = delete;
  Vec& operator=(const Vec&) = delete;
  ~Vec() { reset(); }

  void set_allocator(Allocator* allocator) { allocator_ = allocator; }
  [[nodiscard]] bool push(const T& value) {
    if (size_ == capacity_ && !reserve(capacity_ ? capacity_ * 2 : 16)) return false;
    data_[size_++] = value;
    return true;
  }
  [[nodiscard]] bool reserve(size_t capacity) {
    if (capacity <= capacity_) return true;
    if (capacity > (SIZE_MAX / 2) / sizeof(T)) return false;
    T* fresh = static_cast<T*>(allocator_->allocate(capacity * sizeof(T)));
    if (fresh == nullptr) return false;
    if (size_ != 0) __builtin_memcpy(fresh, data_, size_ * sizeof(T));
    if (data_ != nullptr) allocator_->deallocate(data_, capacity_ * sizeof(T));
    data_ = fresh;
    capacity_ = capacity;
    return true;
  }
  [[nodiscard]] bool resize(size_t size, const T& fill) {
    if (!reserve(size)) return false;
    for (size_t i = size_; i < size; ++i) data_[i] = fill;
    size_ = size;
    return true;
  }
  void pop() { --size_; }
  void shrink(size_t size) { size_ = size; }
  void reset() {
    if (data_ != nullptr) allocator_->deallocate(data_, capacity_ * sizeof(T));
    data_ = nullptr;
    size_ = capacity_ = 0;
  }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  T& back() { return data_[size_ - 1]; }
  const T& back() const { return data_[size_ - 1]; }
  T* data() { return data_; }
  const T* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  Allocator* allocator_;
  T* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

// A bump allocator over chunks from an Allocator, freed all at once: the many small,
// same-lifetime arrays of a module or an instance.
class Arena {
 public:
  explicit Arena(Allocator* allocator) : allocator_(allocator) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena();

  // Zeroed memory for `count` objects of T, or null. (T may be a pointer type: arrays of
  // pointers are what sizeof(T) measures then.)
  // NOLINTBEGIN(bugprone-sizeof-expression)
  template <typename T>
  T* make_array(size_t count) {
    static_assert(std::is_trivially_destructible_v<T>);
    if (count > SIZE_MAX / sizeof(T) / 2) return nullptr;
    void* p = allocate(count * sizeof(T));
    if (p == nullptr) return nullptr;
    __builtin_memset(p, 0, count * sizeof(T));
    return static_cast<T*>(p);
  }
  // NOLINTEND(bugprone-sizeof-expression)
  void* allocate(size_t bytes);
  Allocator* allocator() const { return allocator_; }

 private:
  struct Chunk {
    Chunk* next;
    size_t size;
  };
  static constexpr size_t kChunkBytes = size_t{32} * 1024;
  Allocator* allocator_;
  Chunk* chunks_ = nullptr;
  char* cursor_ = nullptr;
  size_t left_ = 0;
};

}  // namespace wasm
