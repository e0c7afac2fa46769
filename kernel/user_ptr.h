#pragma once
// Typed pointers into the calling process's memory. Syscall handlers reach user memory only
// through these: every access copies, checks the address (below the user top, mapped, with
// the access allowed) and fails with Fault instead of faulting the kernel. A component built
// into the kernel passes kernel pointers: the copies are plain copies then (it is trusted).

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <lib/result.h>

namespace kernel {

namespace user_memory {
// The two primitives behind UserPtr: use UserPtr. Errors: Fault.
lib::Result<void> copy_in(void* dst, uint64_t src, size_t n);
lib::Result<void> copy_out(uint64_t dst, const void* src, size_t n);
}  // namespace user_memory

// A pointer to one or more T in user memory. UserPtr<const T> can only be read (UserIn<T>);
// UserPtr<T> can be read and written (UserOut<T>: a buffer the syscall fills, perhaps after
// reading what the caller put in it).
template <typename T>
class UserPtr {
 public:
  using Value = std::remove_const_t<T>;

  explicit UserPtr(uint64_t address) : address_(address) {}
  // A user pointer found inside a structure the caller passed (MessageBuffer.data).
  static UserPtr from(const volatile void* pointer) {
    return UserPtr(reinterpret_cast<uint64_t>(pointer));
  }

  bool null() const { return address_ == 0; }
  // The pointer count elements further on.
  UserPtr operator+(size_t count) const { return UserPtr(address_ + count * sizeof(Value)); }

  // Copying nothing succeeds whatever the address: an empty buffer may be null.
  lib::Result<void> read(Value* dst, size_t count = 1) const {
    if (count == 0) return {};
    return user_memory::copy_in(dst, address_, count * sizeof(Value));
  }
  lib::Result<void> write(const Value* src, size_t count = 1) const requires(!std::is_const_v<T>) {
    if (count == 0) return {};
    return user_memory::copy_out(address_, src, count * sizeof(Value));
  }

 private:
  uint64_t address_;
};

template <typename T>
using UserIn = UserPtr<const T>;
template <typename T>
using UserOut = UserPtr<T>;

}  // namespace kernel
